#!/bin/sh
# The AWS client's concurrency benchmark (run by tests/bench/run.sh):
# 1,000 DescribeDatasetGroup calls against the simulator with 30 ms of
# injected latency, concurrent against a serial loop of the same client.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/bench_aws.py" "${PZ_BUILD:-$here/../../build}" "$@"
