#!/usr/bin/env python3
"""pz apply of the MovieLens example (examples/movielens, 25 resources)
against the time-scaled simulator, beside its floor and its baselines:

- the critical-path bound: the longest chain of pz's dependency graph
  (`pz graph`), each resource weighted by how long the simulator took
  to make it in that run (creationDateTime to the lastUpdatedDateTime
  of ACTIVE, read back with Describe: its duration table,
  tests/sim/pzsim/personalize/control.py CREATE_TIMES, times the time
  scale, plus a training's time per row of data); a schema is
  synchronous: 0;
- the same apply with -parallelism=1;
- the AWS sample pipeline's way, modelled (not run): every resource
  created one after the other, each waited for by a Describe every
  fixed interval (60 s, scaled), so each costs its duration (as made
  in the run) rounded up to the interval; calls cost nothing.

And the detection delay of every asynchronous resource: from the moment
the simulator made it ACTIVE (its lastUpdatedDateTime, read back with
Describe after the run) to pz's first Describe of it after that (the
simulator's call log), against how long it was waited for (ACTIVE -
creationDateTime) and against the poll cap.

pz polls on DESIGN.md section 8's schedule scaled like the simulator:
PZ_POLL_MIN_MS = 1000 x scale, PZ_POLL_MAX_MS = 30000 x scale.

    bench_apply.py PZ_BINARY [-scale 0.005] [-interval 60]
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integ"))
sys.path.insert(0, os.path.join(ROOT, "tests", "sim"))
import harness  # noqa: E402
import test_apply_chaos  # noqa: E402
from pzsim.personalize.control import CREATE_TIMES  # noqa: E402

# pz type: (simulator type, Describe operation, ARN member, answer key)
TYPES = {
    "dataset_group": ("datasetGroup", "DescribeDatasetGroup",
                      "datasetGroupArn", "datasetGroup"),
    "schema": (None, "DescribeSchema", "schemaArn", "schema"),
    "dataset": ("dataset", "DescribeDataset", "datasetArn", "dataset"),
    "dataset_import_job": ("datasetImportJob", "DescribeDatasetImportJob",
                           "datasetImportJobArn", "datasetImportJob"),
    "solution": ("solution", "DescribeSolution", "solutionArn",
                 "solution"),
    "solution_version": ("solutionVersion", "DescribeSolutionVersion",
                         "solutionVersionArn", "solutionVersion"),
    "campaign": ("campaign", "DescribeCampaign", "campaignArn", "campaign"),
    "event_tracker": ("eventTracker", "DescribeEventTracker",
                      "eventTrackerArn", "eventTracker"),
    "filter": ("filter", "DescribeFilter", "filterArn", "filter"),
    "recommender": ("recommender", "DescribeRecommender", "recommenderArn",
                    "recommender"),
    "metric_attribution": ("metricAttribution", "DescribeMetricAttribution",
                           "metricAttributionArn", "metricAttribution"),
    "batch_inference_job": ("batchInferenceJob", "DescribeBatchInferenceJob",
                            "batchInferenceJobArn", "batchInferenceJob"),
    "batch_segment_job": ("batchSegmentJob", "DescribeBatchSegmentJob",
                          "batchSegmentJobArn", "batchSegmentJob"),
}


def duration(addr, scale):
    """The simulator's table duration of a resource's create, scaled."""
    sim_type = TYPES[addr.split(".")[0]][0]
    return sum(CREATE_TIMES[sim_type]) * scale if sim_type else 0.0


def graph(pz):
    """{address: [addresses it waits for]} from pz graph."""
    r = pz.run("graph")
    r.ok()
    deps = {}
    for m in re.finditer(r'^\s*"([^"]+)"(?: \[[^\]]*\])?;$', r.out, re.M):
        deps.setdefault(m.group(1), [])
    for m in re.finditer(r'^\s*"([^"]+)" -> "([^"]+)"', r.out, re.M):
        deps.setdefault(m.group(1), []).append(m.group(2))
        deps.setdefault(m.group(2), [])
    return deps


def critical_path(deps, took):
    """(bound in seconds, the chain); took: {address: seconds}."""
    memo = {}

    def finish(a):
        if a not in memo:
            best = max(((finish(d)[0], d) for d in deps[a]),
                       default=(0.0, None))
            memo[a] = (best[0] + took.get(a, 0.0), best[1])
        return memo[a]

    end = max(deps, key=lambda a: finish(a)[0])
    chain, a = [], end
    while a:
        chain.append(a)
        a = finish(a)[1]
    return finish(end)[0], list(reversed(chain))


def fixed_schedule(deps, took, iv):
    """The sample pipeline's way: serial, each resource polled every iv
    seconds until done; took: {address: seconds}."""
    return sum(math.ceil(took.get(a, 0.0) / iv - 1e-9) * iv for a in deps)


def apply(pz_bin, scale, parallelism):
    """One apply on a fresh simulator: (makespan from the first create
    call to exit, whole process, detection delays)."""
    poll = {"PZ_POLL_MIN_MS": str(max(1, round(1000 * scale))),
            "PZ_POLL_MAX_MS": str(max(1, round(30000 * scale)))}
    with harness.Sim(time_scale=scale, seed=11) as sim:
        pz = test_apply_chaos.movielens(pz_bin, sim, poll)
        deps = graph(pz)
        t0 = time.time()
        r = pz.run("apply", "-auto-approve",
                   "-parallelism=%d" % parallelism, timeout=3600)
        t1 = time.time()
        r.ok()
        calls = sim.calls()
        first = min(c["epoch"] for c in calls
                    if c["operation"].startswith("Create") and
                    c["epoch"] >= t0)
        delays = detection(sim, pz, calls, int(poll["PZ_POLL_MAX_MS"]))
    return deps, t1 - first, t1 - t0, delays


def detection(sim, pz, calls, cap_ms):
    """[(address, waited s, delay s)] for every asynchronous resource."""
    import botocore.session
    c = botocore.session.get_session().create_client(
        "personalize", region_name=harness.REGION, endpoint_url=sim.url,
        aws_access_key_id=harness.AKID,
        aws_secret_access_key=harness.SECRET)
    out = []
    for res in test_apply_chaos.state(pz)["resources"]:
        t = TYPES.get(res["type"])
        if not t or not t[0] or not res.get("arn"):
            continue
        _, op, member, key = t
        d = getattr(c, re.sub(r"(?<!^)(?=[A-Z])", "_", op).lower())(
            **{member: res["arn"]})[key]
        created = d["creationDateTime"].timestamp()
        active = d["lastUpdatedDateTime"].timestamp()
        # When pz asked: the answer also carries the simulator's own
        # work (a training's model is built as it completes, in Python:
        # up to 1.5 s of its CPU), which is no part of pz's polling.
        seen = sorted((x["epoch"], x["durationMs"] / 1000) for x in calls
                      if x["operation"] == op and
                      (x.get("params") or {}).get(member) == res["arn"]
                      and x["epoch"] >= active)
        out.append((res["address"], active - created,
                    seen[0][0] - active if seen else None, created,
                    active, seen[0][1] if seen else 0.0))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pz")
    ap.add_argument("-scale", type=float, default=0.005)
    ap.add_argument("-interval", type=float, default=60)
    a = ap.parse_args()
    try:
        import botocore.session  # noqa: F401
    except ImportError:
        print("bench_apply: skipped: botocore is missing")
        return 0
    s = a.scale
    pz_bin = os.path.abspath(a.pz)
    deps, par, par_all, made = apply(pz_bin, s, 10)
    bound, chain = critical_path(deps, {d[0]: d[1] for d in made})
    table, _ = critical_path(deps, {x: duration(x, s) for x in deps})
    delays = [d for d in made if d[2] is not None]
    _, ser, ser_all, _ = apply(pz_bin, s, 1)
    fixed = fixed_schedule(deps, {d[0]: d[1] for d in made},
                           a.interval * s)
    print("MovieLens example, %d resources, time scale %g (1 s here = "
          "%.0f s in AWS)" % (len(deps), s, 1 / s))
    print("critical path (bound): %.2f s as made (%.2f s by the duration "
          "table): %s" % (bound, table, " > ".join(chain)))
    print("%-34s %9s %9s %8s" % ("", "makespan", "whole", "/bound"))
    for name, m, w in (("pz apply (-parallelism=10)", par, par_all),
                       ("pz apply -parallelism=1", ser, ser_all),
                       ("fixed %gs polling, serial (model)" % a.interval,
                        fixed, fixed)):
        print("%-34s %8.2fs %8.2fs %8.3f" % (name, m, w, m / bound))
    cap = 30000 * s
    long_ = [d for d in delays if d[1] >= 60 * s]  # a minute, in AWS
    worst = max(long_, key=lambda d: d[2] / d[1])
    print("detection delay after ACTIVE, %d resources: median %.0f ms, "
          "max %.0f ms (%s); poll cap %.0f ms, %d over it"
          % (len(delays), sorted(d[2] for d in delays)[len(delays) // 2]
             * 1000, max(d[2] for d in delays) * 1000,
             max(delays, key=lambda d: d[2])[0], cap,
             sum(1 for d in delays if d[2] * 1000 > cap)))
    print("  share of the wait, the %d waits of a minute or more (in AWS "
          "time): max %.1f%% (%s), median %.1f%%"
          % (len(long_), 100 * worst[2] / worst[1], worst[0],
             100 * sorted(d[2] / d[1] for d in long_)[len(long_) // 2]))
    # Along the chain: from one being ACTIVE to the next one's creation
    # (detection, the answer, the state written, the create call).
    at = {d[0]: d for d in made}
    links = [(x, at[y][3] - at[x][4]) for x, y in zip(chain, chain[1:])
             if x in at and y in at]
    print("  along the critical path, ACTIVE to the next create: %s; "
          "%.2f s in all, of which %.2f s the simulator answering the "
          "Describe that completed it" % (
              ", ".join("%s %.0f ms" % (x.split(".")[0], h * 1000)
                        for x, h in links),
              sum(h for _, h in links),
              sum(at[x][5] for x, _ in links)))
    for addr, waited, delay, _, _, _ in sorted(delays):
        print("  %-42s waited %7.3f s, seen %6.0f ms later (%5.1f%%)"
              % (addr, waited, delay * 1000, 100 * delay / waited))
    return 0


if __name__ == "__main__":
    sys.exit(main())
