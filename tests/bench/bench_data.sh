#!/bin/sh
# The data checker on a generated interactions file read from disk
# (docs/data-check.md), beside `wc -l` on the same file (the floor: read
# it and find the line ends) and Python's csv module (what a user would
# script). The file is made under /tmp at run time, never committed.
# BENCH_DATA_MIB sets its size (default 1024).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PZ_BUILD:-$root/build}
mib=${BENCH_DATA_MIB:-1024}
tmp=$(mktemp -d /tmp/pz-bench-data.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
f=$tmp/interactions.csv
python3 "$root/tests/bench/gen-interactions.py" "$f" "$mib"
cat "$f" >/dev/null # into the page cache for every contender alike
size=$(wc -c <"$f")
echo "file: $size bytes ($mib MiB)"
"$build/tests/bench/bench_data" "$f"
measure() { "$build/tests/bench/bench_proc" "$@"; }
printf '%-22s %s\n' "pz checker (full)" "$(measure 3 "$build/tests/bench/bench_data" "$f")"
printf '%-22s %s\n' "wc -l (the floor)" "$(measure 3 "$(command -v wc)" -l "$f")"
printf '%-22s %s\n' "python3 csv module" "$(measure 1 "$(command -v python3)" "$root/tests/bench/csv_count.py" "$f")"
# CPU seconds, which a busy machine distorts less than wall time.
cpu() { /usr/bin/time -f "%U+%S" "$@" 2>&1 >/dev/null | tail -1; }
if [ -x /usr/bin/time ]; then
	echo "cpu s (user+sys): pz $(cpu "$build/tests/bench/bench_data" "$f")," \
		"wc -l $(cpu wc -l "$f")," \
		"python3 csv $(cpu python3 "$root/tests/bench/csv_count.py" "$f")"
fi
