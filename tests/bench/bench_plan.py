#!/usr/bin/env python3
"""Refresh + plan of 1,000 managed resources against the simulator with
30 ms of latency per request, side by side with the same run limited to
one request at a time (-parallelism=1), and the floors: the same plan
without refresh (local work only) and one round trip (the critical path
of a refresh whose reads are all independent).

    bench_plan.py PZ_BINARY [-n RESOURCES] [-runs N]

The 1,000 resources (a dataset group, its schema and dataset, 997
solutions) are created directly through the API with botocore, and a
state recording them is written, as apply would have left it.
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integ"))
import harness  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pz")
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("-runs", type=int, default=3)
    a = ap.parse_args()
    try:
        import botocore.session
    except ImportError:
        print("bench_plan: skipped: botocore is missing")
        return 0
    nsol = a.n - 3
    with harness.Sim(time_scale=0.0001) as sim, \
            tempfile.TemporaryDirectory() as work:
        c = botocore.session.get_session().create_client(
            "personalize", region_name=harness.REGION,
            endpoint_url=sim.url, aws_access_key_id=harness.AKID,
            aws_secret_access_key=harness.SECRET)
        schema = json.dumps({
            "type": "record", "name": "Interactions",
            "namespace": "com.amazonaws.personalize.schema",
            "fields": [{"name": "USER_ID", "type": "string"},
                       {"name": "ITEM_ID", "type": "string"},
                       {"name": "TIMESTAMP", "type": "long"}]})
        g = c.create_dataset_group(name="bench")["datasetGroupArn"]
        while c.describe_dataset_group(datasetGroupArn=g)[
                "datasetGroup"]["status"] != "ACTIVE":
            time.sleep(0.01)
        s = c.create_schema(name="bench-Interactions",
                            schema=schema)["schemaArn"]
        d = c.create_dataset(name="interactions", schemaArn=s,
                             datasetGroupArn=g,
                             datasetType="Interactions")["datasetArn"]
        recipe = "arn:aws:personalize:::recipe/aws-sims"

        def mk(i):
            return c.create_solution(name="solution-%d" % i,
                                     recipeArn=recipe, datasetGroupArn=g,
                                     performAutoTraining=False)[
                                         "solutionArn"]
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            sols = list(ex.map(mk, range(nsol)))
        spec = ["datasetGroup: {name: bench}", "datasets:",
                "  Interactions:", "    name: interactions",
                "    schema:", "      type: record",
                "      name: Interactions",
                "      namespace: com.amazonaws.personalize.schema",
                "      fields:", "        - {name: USER_ID, type: string}",
                "        - {name: ITEM_ID, type: string}",
                "        - {name: TIMESTAMP, type: long}", "solutions:"]
        res = [("dataset_group.bench", "dataset_group", g),
               ("schema.Interactions", "schema", s),
               ("dataset.Interactions", "dataset", d)]
        for i, arn in enumerate(sols):
            spec.append("  s%d: {name: solution-%d, recipeArn: '%s', "
                        "performAutoTraining: false}" % (i, i, recipe))
            res.append(("solution.s%d" % i, "solution", arn))
        with open(os.path.join(work, "pz.yaml"), "w") as f:
            f.write("\n".join(spec) + "\n")
        state = {"format_version": 1, "pz_version": "bench", "serial": 1,
                 "lineage": "0b6f2a4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b",
                 "git_commit": None,
                 "resources": [{"address": ad, "type": t, "arn": arn,
                                "status": "ACTIVE", "attributes": {},
                                "dependencies": []}
                               for ad, t, arn in sorted(res)]}
        with open(os.path.join(work, "pz.state.json"), "w") as f:
            json.dump(state, f)
        req = urllib.request.Request(sim.url + "/__sim/faults",
                                     data=b'{"latency_ms": 30}',
                                     method="POST")
        urllib.request.urlopen(req).read()
        pz = harness.Pz(a.pz, sim)

        def plan(*extra):
            t0 = time.perf_counter()
            r = pz.run("plan", "-f", os.path.join(work, "pz.yaml"),
                       "-detailed-exitcode", *extra, cwd=work,
                       timeout=900)
            dt = time.perf_counter() - t0
            if r.rc not in (0, 2):
                sys.exit("bench_plan: pz plan failed: %s" % r.err)
            return dt

        before = len(sim.calls())
        fast = [plan() for _ in range(a.runs)]
        reads = (len(sim.calls()) - before) // a.runs
        local = [plan("-refresh=false") for _ in range(a.runs)]
        serial = plan("-parallelism=1")
        print("resources=%d reads_per_plan=%d latency_ms=30" %
              (a.n, reads))
        print("plan_s=%.3f (median of %d; parallelism 50)" %
              (statistics.median(fast), a.runs))
        print("serial_plan_s=%.3f (parallelism 1)" % serial)
        print("ratio=%.1f" % (serial / statistics.median(fast)))
        print("floor_local_s=%.3f (plan -refresh=false: parse, diff, "
              "render)" % statistics.median(local))
        print("floor_critical_path_s=%.3f (one round trip + local work)"
              % (0.030 + statistics.median(local)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
