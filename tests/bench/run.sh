#!/bin/sh
# Runs pz's benchmarks and prints one table (make bench). Each benchmark
# puts pz beside its own baseline in the same run; see docs/benchmarks.md.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PZ_BUILD:-$root/build}
pz=$build/pz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Whole process: median wall ms and peak RSS KiB over runs.
measure() { "$build/tests/bench/bench_proc" "$@"; }

python3 "$root/tests/bench/gen-spec.py" 2000 >"$tmp/big.yaml"
echo "== pz validate: whole process (wall ms, peak RSS KiB), and in process the"
echo "   parse alone (the floor) against the full load and check"
printf '%-28s %s (process start: the floor)\n' "pz help" "$(measure 31 "$pz" help)"
for spec in "$root/examples/seed/params.json" "$tmp/big.yaml"; do
	proc=$(measure 31 "$pz" validate -f "$spec")
	stages=$("$build/tests/bench/bench_validate" "$spec" 30)
	printf '%-28s %s %s\n' "$(basename "$spec")" "$proc" "$stages"
done

for b in "$root"/tests/bench/bench_*.sh; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	PZ_BUILD="$build" "$b"
done
