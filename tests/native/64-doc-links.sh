#!/bin/bash
# Every relative link of the repository's Markdown files, every path to a
# Markdown file they write out and every code span naming a path of the
# repository resolves inside the repository (tests/doc-links): a clone
# has nothing else.  First, that the checker finds each kind of breakage.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tests/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A repository in $tmp/repo whose doc/A.md holds the reference given to
# doc; $tmp/outside.md is outside it.
mkdir -p "$tmp/repo/doc" "$tmp/repo/store"
printf '# Format\n\n## Segment header\n' >"$tmp/repo/store/FORMAT.md"
: >"$tmp/repo/store/store.h"
: >"$tmp/outside.md"
doc() { printf '# A\n\n%s\n' "$1" >"$tmp/repo/doc/A.md"; }
links() { "$repo/tests/doc-links" --root "$tmp/repo" doc/A.md; }
broken() { ! links; }

doc 'See [the format](../store/FORMAT.md#segment-header), `store/store.h` and store/FORMAT.md.'
check "the checker passes links, paths and anchors that resolve" links
doc 'See [the format](../store/FORMT.md).'
check_output "it finds a link to a missing file" 'no such file' broken
doc 'See [the format](../store/FORMAT.md#segment-headers).'
check_output "it finds a link to a missing heading" 'no heading' broken
doc 'See [elsewhere](../../outside.md).'
check_output "it finds a link out of the repository" 'outside the repository' broken
doc 'As store/FORMATS.md says.'
check_output "it finds a written-out path to a missing Markdown file" 'path store/FORMATS.md' broken
doc 'The API is `store/stor.h`.'
check_output "it finds a code span naming a missing file" 'path store/stor.h' broken

cd "$repo"
check_output "every reference of the repository's Markdown files resolves" ' 0 broken' tests/doc-links
finish
