# The libFuzzer targets, briefly (FUZZ_TEST_SECONDS each, default 4), and
# their regression inputs.  They carry ASan and UBSan themselves, so they
# run once, in the plain tier.  `make fuzz` runs them for longer.
case "$BUILD" in
*/san) echo "ok - fuzz targets # SKIP they run in the plain tier"; exit 0 ;;
esac
FUZZ_SECONDS=${FUZZ_TEST_SECONDS:-4} exec "$(dirname "$0")/../fuzz/run"
