# The unit programs under valgrind (memcheck): no error, no definite or
# indirect leak.  Measured: the whole native suite under valgrind costs
# many times its plain run (credstored and every credctl call under
# memcheck), so only the unit programs run, in the plain tier, with
# lighter workloads: 40 corrupted images instead of 2000, a power cut at
# every 200th operation instead of every one (CREDSTORE_FUZZ_COUNT,
# CREDSTORE_PL_STEP below), and every 4th eraseblock failing in turn in
# test_store_faults (CREDSTORE_FAULTS_STEP; 12 s instead of 40 s).
. "$(dirname "$0")/../lib.sh"
case "$BUILD" in
*/san) echo "ok - valgrind # SKIP the plain tier runs it"; exit 0 ;;
esac
command -v valgrind >/dev/null || { echo "ok - valgrind # SKIP not installed"; exit 0; }

export CREDSTORE_FUZZ_COUNT=40 CREDSTORE_PL_STEP=200 CREDSTORE_FAULTS_STEP=4
memcheck() {
	timeout 900 valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
		"$@" >/dev/null
}
# Two programs at a time (CI has two cores; each program uses one), their
# results reported in order.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for t in "$BUILD"/tests/test_*; do
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
	{ memcheck "$t" >"$out/${t##*/}.log" 2>&1; echo $? >"$out/${t##*/}.rc"; } &
done
wait
for t in "$BUILD"/tests/test_*; do
	check "valgrind: ${t##*/}" sh -c 'cat "$1.log"; exit "$(cat "$1.rc")"' sh "$out/${t##*/}"
done
finish
