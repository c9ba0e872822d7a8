"""Benchmark of the AWS client's concurrency (docs/aws-client.md):
starts the simulator with injected latency and runs bench_aws, which
makes N DescribeDatasetGroup calls at once and then one after another on
the same client.

    python3 tests/bench/bench_aws.py [BUILD_DIR] [-n N] [-latency-ms MS]
        [-c CONNECTIONS] [-serial N] [-runs R]
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integ"))

import harness  # noqa: E402


def main(argv):
    build = os.environ.get("PZ_BUILD") or os.path.join(
        os.path.dirname(os.path.dirname(HERE)), "build")
    opts = {"-n": "1000", "-latency-ms": "30", "-c": None, "-serial": None,
            "-runs": "1"}
    args = list(argv)
    if args and not args[0].startswith("-"):
        build = args.pop(0)
    while args:
        k = args.pop(0)
        if k not in opts or not args:
            sys.exit(__doc__)
        opts[k] = args.pop(0)
    binary = os.path.join(build, "tests", "bench", "bench_aws")
    if not os.path.exists(binary):
        sys.exit("bench_aws: build it first (%s is missing)" % binary)
    cmd = [binary, "-n", opts["-n"]]
    for k in ("-c", "-serial"):
        if opts[k]:
            cmd += [k, opts[k]]
    print("simulator latency %s ms; %s" % (opts["-latency-ms"],
                                          " ".join(cmd[1:]) or "defaults"))
    for _ in range(int(opts["-runs"])):
        with harness.Sim(latency_ms=opts["-latency-ms"]) as sim:
            pz = harness.Pz(binary, sim)
            p = subprocess.run(cmd, env=pz.env, capture_output=True,
                               timeout=3600)
            sys.stdout.write(p.stdout.decode())
            if p.returncode:
                sys.stderr.write(p.stderr.decode())
                sys.exit(p.returncode)


if __name__ == "__main__":
    main(sys.argv[1:])
