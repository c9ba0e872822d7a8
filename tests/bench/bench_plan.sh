#!/bin/sh
# make bench: refresh+plan of 1,000 resources, parallel vs serial.
root=$(cd "$(dirname "$0")/../.." && pwd)
exec python3 "$root/tests/bench/bench_plan.py" "${PZ_BUILD:-$root/build}/pz" "$@"
