"""Pausing a recommender (pz.state INACTIVE on a recommender): planned
as an in-place update of its status that says what it saves, executed
with StopRecommender, and started again with StartRecommender when the
spec says ACTIVE (or nothing). The simulator runs the real lifecycle
(STOP PENDING, STOP IN_PROGRESS, INACTIVE; START PENDING, START
IN_PROGRESS, ACTIVE) and records the calls.

    python3 test_recommender_pause.py PZ_BINARY
"""
import json
import os
import sys

import harness
from harness import Pz, Sim

import test_dry_apply as dry

sys.path.insert(0, os.path.join(harness.ROOT, "tests", "plan"))
import make_cases  # noqa: E402  (the golden cases' domain spec)

ADDR = "recommender.topPicks"


def execute(pz, spec, state):
    """pz plan -out, then pz apply of that plan; returns the plan's text
    and the calls the apply made."""
    plan = os.path.join(os.path.dirname(spec), "step.plan")
    r = pz.run("plan", "-f", spec, "-out=" + plan).ok()
    mark = pz.sim.calls()[-1]["seq"]
    a = pz.run("apply", "-f", spec, plan, timeout=600).ok()
    assert "Apply complete!" in a.out, a
    return r.out, pz.sim.calls(mark)


def writes(calls):
    return [c["operation"] for c in calls
            if not c["operation"].startswith(("Describe", "List", "Get"))
            and c["service"] != "s3"]


def live_status(sim, arn):
    return next(r["status"] for r in sim.state()["resources"]
                if r["arn"] == arn)


def test_pause_and_resume(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        pz.env["PZ_POLL_MIN_MS"] = "20"
        pz.env["PZ_POLL_MAX_MS"] = "200"
        dry.put_data(sim)
        spec = pz.write_file(os.path.join("work", "pz.yaml"),
                             make_cases.DOMAIN)
        state = os.path.join(os.path.dirname(spec), "pz.state.json")
        execute(pz, spec, state)
        arn = next(r["arn"] for r in json.load(open(state))["resources"]
                   if r["address"] == ADDR)
        assert live_status(sim, arn) == "ACTIVE"

        # Paused: an update of its status, with what it saves.
        paused = make_cases.DOMAIN.replace(
            "PerSecond: 3}\n", "PerSecond: 3}\n    pz: {state: INACTIVE}\n")
        with open(spec, "w") as f:
            f.write(paused)
        out, calls = execute(pz, spec, state)
        assert "# %s will be updated in-place" % ADDR in out, out
        assert '~ status            = "ACTIVE" -> "INACTIVE"' in out, out
        assert "minRecommendationRequestsPerSecond (3) is no longer " \
            "billed" in out, out
        assert "Plan: 0 to add, 1 to change, 0 to destroy." in out, out
        assert writes(calls) == ["StopRecommender"], writes(calls)
        stop = next(c for c in calls if c["operation"] == "StopRecommender")
        assert stop["params"] == {"recommenderArn": arn}, stop
        # The executor waited through the lifecycle to the end.
        assert live_status(sim, arn) == "INACTIVE"
        again = pz.run("plan", "-f", spec, "-detailed-exitcode")
        assert again.rc == 0, again
        # A paused recommender answers nothing: the service says so.
        r = pz.run("recommend", ADDR, "-user", "u1", "-f", spec).fails()
        assert "warning: %s was stopped (INACTIVE)" % ADDR in r.err, r.err
        assert "ResourceNotFoundException" in r.err, r.err

        # Resumed: no pz.state is ACTIVE.
        with open(spec, "w") as f:
            f.write(make_cases.DOMAIN)
        out, calls = execute(pz, spec, state)
        assert '~ status            = "INACTIVE" -> "ACTIVE"' in out, out
        assert "StartRecommender: billed again for at least 3 " \
            "request(s) per second" in out, out
        assert writes(calls) == ["StartRecommender"], writes(calls)
        assert live_status(sim, arn) == "ACTIVE"
        again = pz.run("plan", "-f", spec, "-detailed-exitcode")
        assert again.rc == 0, again
        pz.run("recommend", ADDR, "-user", "u1", "-f", spec).ok()


def test_invalid_state_is_refused(pz_bin):
    pz = Pz(pz_bin)
    spec = pz.write_file("pz.yaml", make_cases.DOMAIN.replace(
        "PerSecond: 3}\n", "PerSecond: 3}\n    pz: {state: PAUSED}\n"))
    r = pz.run("validate", "-f", spec).fails()
    assert "pz.yaml:24:" in r.err and "PAUSED" in r.err and \
        "INACTIVE" in r.err, r.err


if __name__ == "__main__":
    harness.run_main()
