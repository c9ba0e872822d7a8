#!/bin/sh
# make bench: pz_plan_make (diff and operation graph) at 2,000 and 10,000
# resources (gen-spec.py); near-linear means about 5x between the two.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PZ_BUILD:-$root/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 2000 10000; do
	python3 "$root/tests/bench/gen-spec.py" "$n" >"$tmp/spec-$n.yaml"
	printf '%-6s %s\n' "$n" \
		"$("$build/tests/bench/bench_plan_graph" "$tmp/spec-$n.yaml" 5)"
done
