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
for t in "$BUILD"/tests/test_*; do
	check "valgrind: $(basename "$t")" memcheck "$t"
done
finish
