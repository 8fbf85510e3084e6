#!/bin/bash
# The family's netlink spec, uapi/credstore.yaml: the header agrees with
# it (tests/spec/check_header.py), it validates against the kernel's
# genetlink-legacy schema, and the module's policies and operations
# (kmod/netlink-gen.[ch]) are what the kernel's generator makes of it now:
# after editing the spec, `make netlink-gen` and commit both.  The schema
# and the generator come from linux-source-6.12 (`make ynl`): checked
# once, in the plain tier (the sanitizers change nothing here).
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
. tests/lib.sh
python3 tests/spec/check_header.py uapi/credstore.yaml uapi/linux/credstore.h "${CC:-cc}" ||
	_failed=1
case ${BUILD:-} in */san) echo "ok - the spec and the generated code # SKIP done in the plain tier"; finish ;; esac

check "the kernel's YNL tools are unpacked (make ynl)" make -s ynl
check "the spec validates against the kernel's genetlink-legacy schema" python3 -c '
import sys, yaml, jsonschema
spec, schema = (yaml.safe_load(open(f)) for f in sys.argv[1:])
jsonschema.validate(spec, schema)' uapi/credstore.yaml build/ynl/genetlink-legacy.yaml
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
check "the kernel's generator takes the spec" make -s netlink-gen NETLINK_GEN_DIR="$gen"
for f in netlink-gen.c netlink-gen.h; do
	check "kmod/$f is what the spec generates (make netlink-gen)" diff -u "kmod/$f" "$gen/$f"
done
finish
