#!/bin/sh
# Golden test for one spec case: runs `pz validate` (or the command named
# on the case's first "# cmd:" line) on tests/spec/cases/NAME.{yaml,json}
# and compares exit status, stdout and stderr with NAME.golden.
#
#   golden.sh PZ_BINARY CASE_FILE
#   PZ_UPDATE_GOLDEN=1 golden.sh ...   rewrites the golden file instead
set -u
pz=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
case_file=$2
dir=$(dirname "$case_file")
base=$(basename "$case_file")
name=${base%.*}
golden=$dir/$name.golden
args="validate"
cmdline=$(sed -n 's/^# cmd: //p' "$case_file" | head -n 1)
[ -n "$cmdline" ] && args=$cmdline

out=$(mktemp)
trap 'rm -f "$out" "$out.o" "$out.e"' EXIT
# Run from the case directory so paths in messages are just the file name.
(cd "$dir" && NO_COLOR=1 PZ_LOG=error "$pz" $args -f "$base" >"$out.o" 2>"$out.e")
status=$?
{
	echo "exit: $status"
	if [ -s "$out.o" ]; then echo "--- stdout"; cat "$out.o"; fi
	if [ -s "$out.e" ]; then echo "--- stderr"; cat "$out.e"; fi
} >"$out"

if [ "${PZ_UPDATE_GOLDEN:-}" = 1 ]; then
	cp "$out" "$golden"
	exit 0
fi
if [ ! -f "$golden" ]; then
	echo "missing $golden; run with PZ_UPDATE_GOLDEN=1 to create it" >&2
	cat "$out" >&2
	exit 1
fi
if ! diff -u "$golden" "$out"; then
	echo "FAIL: $case_file differs from its golden file" >&2
	exit 1
fi
