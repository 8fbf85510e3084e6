#!/bin/bash
# The files of each folder call one another one way only (GUIDE.md: no
# two files that call each other): tests/call-graph reads the calls from
# the objects of the build under test.  First, that it finds a circle.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tests/lib.sh"
export BUILD=${BUILD:-$repo/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# a -> b -> c, and c -> a when CIRCLE is defined
cat >"$tmp/a.c" <<'C'
int b(void);
int a(void) { return b(); }
C
cat >"$tmp/b.c" <<'C'
int c(void);
int b(void) { return c(); }
C
cat >"$tmp/c.c" <<'C'
int a(void);
int c(void) {
#ifdef CIRCLE
	return a();
#else
	return 0;
#endif
}
C
for f in a b c; do cc -c -o "$tmp/$f.o" "$tmp/$f.c"; done
check "the checker passes calls that run one way" "$repo/tests/call-graph" -o "$tmp"/{a,b,c}.o
cc -DCIRCLE -c -o "$tmp/c.o" "$tmp/c.c"
check_output "the checker names the three files of the circle" "^objects: a circle:( [abc]){3}$" \
	bash -c "! '$repo/tests/call-graph' -o '$tmp'/{a,b,c}.o"

cd "$repo"
for dir in common flash counter store daemon lib lib/provider tools/credctl tools/tlsproxy \
	   tools/coapd tools/cgi tests/attack; do
	check "$dir: calls between its files run one way" tests/call-graph "$dir"
done
# The plugin is built position-independent.
check "tools/mosquitto: calls between its files run one way" \
	tests/call-graph -o "$BUILD"/pic/tools/mosquitto/*.o
# The module's objects are Kbuild's, beside its sources (`make module`);
# credstore.o and credstore.mod.o are the linked module, not its files.
kobjs=()
for src in kmod/*.c; do
	[ "$src" = kmod/credstore.mod.c ] || kobjs+=("${src%.c}.o")
done
if ls "${kobjs[@]}" > /dev/null 2>&1; then
	check "kmod: calls between its files run one way" tests/call-graph -o "${kobjs[@]}"
else
	echo "ok - kmod: calls between its files run one way # SKIP the module is not built (make module)"
fi
finish
