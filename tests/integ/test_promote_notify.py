"""The promotion gate and the notifications of pz apply (issue 12),
against the simulator.

- A gate that keeps the campaign (the new version's metric is worse)
  and one that promotes it (better): the recorded calls prove which
  UpdateCampaign happened; the state records a kept decision and the
  next plan does not try that version again.
- A notification for a successful, a failed and an interrupted apply,
  delivered to the simulator's SNS and to a webhook, checked field by
  field; a webhook that fails at first is retried, one that never
  answers well is a warning and never a failed apply.

The metrics of the versions come from the simulator's POST
/__sim/metrics (tests/sim/README.md).

    python3 test_promote_notify.py PZ_BINARY
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import harness
from harness import Pz, Sim, StubServer

import test_dry_apply as dry

NDCG = "normalized_discounted_cumulative_gain_at_25"
CAMPAIGN = "campaign.upsCampaign"


def new_pz(pz_bin, sim):
    pz = Pz(pz_bin, sim)
    pz.env["PZ_POLL_MIN_MS"] = "20"
    pz.env["PZ_POLL_MAX_MS"] = "200"
    return pz


def topic(sim):
    out = harness.aws_cli(sim, "sns", "create-topic", "--name", "pz-runs",
                          parse=True)
    return out["TopicArn"]


def spec_with_notify(sim, topic_arn, hook_url):
    text = open(dry.BASE).read()
    return text.replace(
        "pz:\n", "pz:\n  notify:\n    snsTopicArn: %s\n    webhookUrl: %s\n"
        % (topic_arn, hook_url), 1)


def harness_free_port():
    """A loopback port nobody listens on."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def more_data(sim, n):
    """New interactions in a new object: a data change (an import, a
    training, the campaign's move)."""
    d = tempfile.mkdtemp(prefix="pz-promote-data-")
    path = os.path.join(d, "more-%d.csv" % n)
    dry.interactions(path, 100 + n)
    harness.aws_cli(sim, "s3", "cp", path,
                    "s3://demo-data/Interactions/more-%d.csv" % n)
    shutil.rmtree(d)


def resource(state, address):
    doc = json.load(open(state))
    return next(r for r in doc["resources"] if r["address"] == address)


def hooks(sim):
    return [json.loads(w["body"])
            for w in sim.control("GET", "/__sim/webhooks")["webhooks"]]


def sns(sim):
    return sim.control("GET", "/__sim/sns")["messages"]


def setup(pz_bin, sim):
    pz = new_pz(pz_bin, sim)
    dry.put_data(sim)
    t = topic(sim)
    spec = pz.write_file(os.path.join("work", "pz.yaml"), spec_with_notify(
        sim, t, sim.url + "/__sim/webhook/pz/secret-token"))
    return pz, spec, t


def check_common(doc, operation, status):
    assert doc["version"] == 1 and doc["source"] == "pz", doc
    assert doc["operation"] == operation and doc["status"] == status, doc
    assert doc["datasetGroup"] == "demo", doc
    assert doc["startedAt"].endswith("Z") and doc["finishedAt"] >= \
        doc["startedAt"], doc
    assert isinstance(doc["durationSeconds"], (int, float)) and \
        doc["durationSeconds"] >= 0, doc
    assert set(doc["counts"]) == {"added", "changed", "destroyed", "failed",
                                  "skipped", "notStarted", "inProgress"}
    assert "gitCommit" in doc
    assert doc["text"].startswith("pz %s %s (demo): " % (operation, status)), \
        doc["text"]


def test_gate_keeps_then_promotes_with_notifications(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz, spec, t = setup(pz_bin, sim)
        wd = os.path.dirname(spec)
        state = os.path.join(wd, "pz.state.json")

        # 1. Everything created: a notification of success.
        r = pz.run("apply", "-auto-approve", cwd=wd).ok()
        assert "Apply complete!" in r.out, r.out
        docs = hooks(sim)
        assert len(docs) == 1, docs
        d = docs[0]
        check_common(d, "apply", "succeeded")
        created = [x for x in d["resources"] if x["action"] == "create"]
        assert d["counts"]["added"] == len(created) > 5, d
        assert all(x["result"] == "done" for x in d["resources"]), d
        assert {"address": CAMPAIGN, "type": "campaign",
                "action": "create", "result": "done"} in d["resources"], d
        assert d["failures"] == [] and d["promotions"] == [], d
        assert d["counts"]["failed"] == 0, d
        msgs = sns(sim)
        assert len(msgs) == 1 and msgs[0]["topicArn"] == t, msgs
        assert msgs[0]["subject"] == "pz apply succeeded: demo", msgs
        assert json.loads(msgs[0]["message"]) == d
        hook = sim.control("GET", "/__sim/webhooks")["webhooks"][0]
        assert hook["path"] == "pz/secret-token"
        assert hook["contentType"] == "application/json", hook
        v1 = resource(state, "solution_version.ups")["arn"]
        sol = resource(state, "solution.ups")["arn"]

        # 2. New data, a worse model: the gate keeps the campaign.
        sim.control("POST", "/__sim/metrics", {
            "solutionVersionArn": v1, "metrics": {NDCG: 0.3}})
        sim.control("POST", "/__sim/metrics", {
            "solutionArn": sol, "metrics": {NDCG: 0.2}})
        more_data(sim, 1)
        p = pz.run("plan", cwd=wd).ok()
        assert "(condition: moves to the new version only if its %s is " \
            "at least the current version's plus 0.01; a version kept " \
            "gets no new items (the service adds them to the latest " \
            "version only))" % NDCG in p.out, p.out
        mark = sim.calls()[-1]["seq"]
        r = pz.run("apply", "-auto-approve", cwd=wd).ok()
        v2 = resource(state, "solution_version.ups")["arn"]
        assert v2 != v1
        line = "%s kept on version %s: %s 0.2000 < 0.3000 + 0.01 " \
            "(warning: Personalize adds new items only to the latest " \
            "version, about every two hours: the version kept gets " \
            "none)" % (CAMPAIGN, v1.rsplit("/", 1)[1], NDCG)
        assert line in r.out.splitlines(), r.out
        ops = [c["operation"] for c in sim.calls(mark)]
        assert "UpdateCampaign" not in ops, ops
        metrics = [c["params"]["solutionVersionArn"]
                   for c in sim.calls(mark)
                   if c["operation"] == "GetSolutionMetrics"]
        assert sorted(metrics) == sorted([v1, v2]), metrics
        served = next(x for x in sim.state()["resources"]
                      if x["type"] == "campaign")
        assert served["servedVersionArn"] == v1, served
        camp = resource(state, CAMPAIGN)
        assert camp["attributes"]["solutionVersionArn"] == v1, camp
        rec = camp["pz"]["promotion"]
        assert rec["decision"] == "kept" and rec["newVersion"] == v2 and \
            rec["oldVersion"] == v1 and rec["metric"] == NDCG, rec
        assert rec["message"] == line, rec
        d = hooks(sim)[-1]
        check_common(d, "apply", "succeeded")
        assert d["promotions"] == [{
            "address": CAMPAIGN, "decision": "kept", "newVersion": v2,
            "newValue": 0.2, "oldVersion": v1, "oldValue": 0.3,
            "message": line}], d["promotions"]
        assert d["text"].endswith("; " + line), d["text"]
        # The decision holds until a newer version exists.
        again = pz.run("plan", "-detailed-exitcode", cwd=wd)
        assert again.rc == 0, again
        mark = sim.calls()[-1]["seq"]
        pz.run("apply", "-auto-approve", cwd=wd).ok()
        assert "UpdateCampaign" not in [c["operation"]
                                        for c in sim.calls(mark)]

        # 3. New data, a better model: the campaign moves.
        sim.control("POST", "/__sim/metrics", {
            "solutionArn": sol, "metrics": {NDCG: 0.5}})
        more_data(sim, 2)
        mark = sim.calls()[-1]["seq"]
        r = pz.run("apply", "-auto-approve", cwd=wd).ok()
        v3 = resource(state, "solution_version.ups")["arn"]
        assert v3 not in (v1, v2)
        line = "%s moves to version %s: %s 0.5000 >= 0.3000 + 0.01" % (
            CAMPAIGN, v3.rsplit("/", 1)[1], NDCG)
        assert line in r.out.splitlines(), r.out
        upd = [c for c in sim.calls(mark) if c["operation"] ==
               "UpdateCampaign"]
        assert len(upd) == 1 and \
            upd[0]["params"]["solutionVersionArn"] == v3, upd
        camp = resource(state, CAMPAIGN)
        assert camp["attributes"]["solutionVersionArn"] == v3, camp
        assert camp["pz"]["promotion"]["decision"] == "promoted", camp
        d = hooks(sim)[-1]
        assert d["promotions"][0]["decision"] == "promoted", d
        assert {"address": CAMPAIGN, "type": "campaign", "action":
                "update", "result": "done"} in d["resources"], d
        assert pz.run("plan", "-detailed-exitcode", cwd=wd).rc == 0

        # 4. Destroy tells too.
        pz.run("destroy", "-auto-approve", cwd=wd).ok()
        d = hooks(sim)[-1]
        check_common(d, "destroy", "succeeded")
        assert d["counts"]["destroyed"] > 5, d
        assert all(x["action"] == "delete" for x in d["resources"]), d
        assert sns(sim)[-1]["subject"] == "pz destroy succeeded: demo"


def test_failed_apply_notifies_with_reasons(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz, spec, t = setup(pz_bin, sim)
        wd = os.path.dirname(spec)
        sim.faults(inject=[{"operation": "CreateEventTracker",
                            "code": "InvalidInputException", "status": 400,
                            "count": 1, "message": "injected refusal"}])
        r = pz.run("apply", "-auto-approve", cwd=wd)
        assert r.rc == 1, r
        d = hooks(sim)[-1]
        check_common(d, "apply", "failed")
        assert d["counts"]["failed"] == 1, d
        assert len(d["failures"]) == 1, d
        f = d["failures"][0]
        assert f["address"] == "event_tracker.tracker", f
        assert "InvalidInputException" in f["reason"] and \
            "injected refusal" in f["reason"], f
        tracker = next(x for x in d["resources"]
                       if x["address"] == "event_tracker.tracker")
        assert tracker["result"] == "failed", tracker
        assert "event_tracker.tracker: " in d["text"], d["text"]
        assert json.loads(sns(sim)[-1]["message"]) == d
        assert sns(sim)[-1]["subject"] == "pz apply failed: demo"


def test_interrupted_apply_notifies(pz_bin):
    with Sim(time_scale=0.02) as sim:
        pz, spec, t = setup(pz_bin, sim)
        wd = os.path.dirname(spec)
        p = subprocess.Popen([pz.binary, "apply", "-auto-approve"], cwd=wd,
                             env=pz.env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        # Once the first waits have begun, Ctrl-C.
        deadline = time.time() + 60
        while time.time() < deadline:
            if any(c["operation"].startswith("Describe")
                   for c in sim.calls()):
                break
            time.sleep(0.05)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=120)
        assert p.returncode != 0, (p.returncode, out, err)
        assert "Apply interrupted!" in out, (out, err)
        d = hooks(sim)[-1]
        check_common(d, "apply", "interrupted")
        assert d["counts"]["inProgress"] + d["counts"]["notStarted"] > 0, d
        assert any(x["result"] in ("in_progress", "not_started")
                   for x in d["resources"]), d
        assert sns(sim)[-1]["subject"] == "pz apply interrupted: demo"


def test_webhook_retries_and_failures_are_warnings(pz_bin):
    tries, locks, where, seen = [], [], [], []

    def flaky(h):
        tries.append(1)
        # the state's lock is released before pz notifies: a slow
        # webhook never keeps it
        seen.append(sorted(os.listdir(where[0])))
        locks.extend(x for x in os.listdir(where[0])
                     if x.endswith(".lock"))
        return (503, {}, "busy") if len(tries) < 3 else (200, {}, "ok")

    with Sim(time_scale=0.0005) as sim, \
            StubServer({("POST", "/hook/s3cr3t"): flaky}) as stub, \
            StubServer({("POST", "/hook/s3cr3t"): (500, {}, "down")}) \
            as broken:
        pz = new_pz(pz_bin, sim)
        spec = pz.write_file(os.path.join("work", "pz.yaml"),
                             "pz:\n  notify:\n    webhookUrl: %s/hook/s3cr3t\n"
                             "datasetGroup: {name: small}\n" % stub.url)
        wd = os.path.dirname(spec)
        where.append(wd)
        r = pz.run("apply", "-auto-approve", cwd=wd).ok()
        assert len(stub.requests) == 3, stub.requests
        assert not locks, "locked while notifying: %s" % locks
        # looked where the lock would be: the state was there, written
        assert all("pz.state.json" in x for x in seen), seen
        assert os.path.exists(os.path.join(wd, "pz.state.json")), \
            os.listdir(wd)
        body = json.loads(stub.requests[-1][3])
        assert body["status"] == "succeeded" and body["counts"]["added"] == 1
        assert stub.requests[-1][2]["Content-Type"] == "application/json"
        assert "warning" not in r.err, r.err
        # Never delivered: a warning naming the host, not the path; the
        # apply itself succeeded.
        with open(spec, "w") as f:
            f.write("pz:\n  notify:\n    webhookUrl: %s/hook/s3cr3t\n"
                    "datasetGroup: {name: small2}\n" % broken.url)
        # Traced too, the webhook's secret path stays out of the log.
        r = pz.run("apply", "-auto-approve", cwd=wd,
                   env={"PZ_TRACE": "http"})
        assert r.rc == 0, r
        assert "> POST %s/<redacted>" % broken.url in r.err, r.err
        assert "warning: the notification to the webhook at %s was not " \
            "delivered: " % broken.url in r.err, r.err
        assert "s3cr3t" not in r.err + r.out, r
        assert "Apply complete!" in r.out, r.out
        # A server error is retried as AWS calls are: three attempts.
        assert len(broken.requests) == 3, broken.requests
        # Nobody listening: the message names the host, not the path.
        port = harness_free_port()
        with open(spec, "w") as f:
            f.write("pz:\n  notify:\n    webhookUrl: http://127.0.0.1:%d"
                    "/hook/s3cr3t\ndatasetGroup: {name: small3}\n" % port)
        r = pz.run("apply", "-auto-approve", cwd=wd,
                   env={"PZ_TRACE": "http"})
        assert r.rc == 0, r
        assert "webhook at http://127.0.0.1:%d was not delivered: " % port \
            in r.err, r.err
        assert "s3cr3t" not in r.err + r.out, r


if __name__ == "__main__":
    harness.run_main()
