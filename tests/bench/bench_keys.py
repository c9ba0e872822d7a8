#!/usr/bin/env python3
"""Validation time against the number of keys in one map (issue 17).

    bench_keys.py PZ

For maps of 16k, 32k and 64k keys (JSON on one line, YAML one key a
line) and for a 15 MB YAML spec, prints the median wall time of
`pz validate` and the ratio to the size before: a linear loader doubles
its time when the keys double (ratio ~2; a quadratic one ~4).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def spec_json(n):
    return json.dumps({"datasetGroup": {"name": "g"},
                       "tags": {"k%d" % i: "v" for i in range(n)}})


def spec_yaml(n):
    return "datasetGroup: {name: g}\ntags:\n" + "".join(
        "  k%d: v\n" % i for i in range(n))


def spec_15mb():
    lines, size, i = ["datasetGroup: {name: g}", "tags:"], 0, 0
    while size < 15 * 1000 * 1000:
        line = "  key%07d: value%d" % (i, i)
        lines.append(line)
        size += len(line) + 1
        i += 1
    return "\n".join(lines) + "\n"


def median_ms(pz, path, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([pz, "validate", "-f", path], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    pz = sys.argv[1]
    runs = int(os.environ.get("PZ_BENCH_RUNS", "5"))
    with tempfile.TemporaryDirectory() as tmp:
        print("%-22s %10s %8s" % ("map (keys the map holds)", "median ms",
                                  "ratio"))
        for kind, make in (("json", spec_json), ("yaml", spec_yaml)):
            prev = None
            for n in (16384, 32768, 65536):
                path = os.path.join(tmp, "k%d.%s" % (n, kind))
                with open(path, "w") as f:
                    f.write(make(n))
                ms = median_ms(pz, path, runs)
                ratio = "%.2f" % (ms / prev) if prev else "-"
                print("%-22s %10.1f %8s" % ("%s %dk keys" % (kind, n // 1024),
                                            ms, ratio))
                prev = ms
        path = os.path.join(tmp, "15mb.yaml")
        with open(path, "w") as f:
            f.write(spec_15mb())
        print("%-22s %10.1f %8s" % ("yaml 15 MB", median_ms(pz, path, 3),
                                    "-"))


if __name__ == "__main__":
    main()
