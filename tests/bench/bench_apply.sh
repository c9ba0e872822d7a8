#!/bin/sh
# make bench: pz apply of the MovieLens example against its critical-path
# bound, -parallelism=1 and a fixed-interval serial schedule; detection
# delay after ACTIVE.
root=$(cd "$(dirname "$0")/../.." && pwd)
exec python3 "$root/tests/bench/bench_apply.py" "${PZ_BUILD:-$root/build}/pz" "$@"
