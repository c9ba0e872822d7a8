#!/bin/sh
# make bench: pz validate against the number of keys in one map.
root=$(cd "$(dirname "$0")/../.." && pwd)
exec python3 "$root/tests/bench/bench_keys.py" "${PZ_BUILD:-$root/build}/pz" "$@"
