"""The plan golden cases test_dry_apply.py does not replay, replayed
against the simulator with the test executor (dry_apply): maxAge (with
PZ_NOW standing in for the clock), maxAge under trainingMode UPDATE, a
failed import, a failed training, ignoreChanges, a creation still in
progress when planned (an interrupted apply), a creation the service
failed (a tainted filter) and an update the service failed (a campaign's,
planned again).

Each step is planned by pz plan against the live simulator, saved and
executed; no call may be refused (ResourceInUse, ResourceAlreadyExists,
...), and the next plan shows no changes. A step whose execution fails
on purpose (the import or the training the simulator fails for its
data) is planned again: that plan says why it retries, and executes.

    python3 test_dry_apply_cases.py PZ_BINARY  (DRY_APPLY=path/to/dry_apply)
"""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time

import harness
import test_dry_apply as dry
from harness import Pz, Sim

CAMPAIGN = "arn:aws:personalize:us-east-1:123456789012:campaign/ups"
DAY = 86400


class Steps:
    """One spec, state and plan file, stepped through the simulator."""

    def __init__(self, pz_bin, sim):
        self.sim = sim
        self.pz = Pz(pz_bin, sim)
        self.pz.env["PZ_POLL_MIN_MS"] = "20"
        self.pz.env["PZ_POLL_MAX_MS"] = "200"
        self.dry = dry.dry_apply_bin()
        self.spec = self.pz.write_file(os.path.join("work", "pz.yaml"), "")
        self.state = os.path.join(os.path.dirname(self.spec),
                                  "pz.state.json")
        self.plan = os.path.join(os.path.dirname(self.spec), "step.plan")

    def write(self, text):
        with open(self.spec, "w") as f:
            f.write(text)

    def plan_out(self, name, *opts):
        r = self.pz.run("plan", "-f", self.spec, "-state=" + self.state,
                        "-out=" + self.plan, *opts)
        assert r.rc == 0, "%s: %r" % (name, r)
        return r.out

    def refused(self, mark):
        return ["%s %s: %s" % (c["operation"], c["status"], c["error"])
                for c in self.sim.calls(mark) if c["status"] >= 400 and
                any(e in str(c["error"]) for e in dry.REFUSED) and
                not c["operation"].startswith("Describe")]

    def mark(self):
        return self.sim.calls()[-1]["seq"]

    def execute(self, name, fails=False):
        """Runs the saved plan; no refused call; exits 0 (or 1 when
        fails: an operation failed). The calls it made, the output."""
        mark = self.mark()
        p = subprocess.run([self.dry, self.plan, self.state],
                           env=self.pz.env, capture_output=True, text=True,
                           timeout=600)
        refused = self.refused(mark)
        assert not refused, "%s: refused calls:\n%s\n%s%s" % (
            name, "\n".join(refused), p.stdout, p.stderr)
        assert p.returncode == (1 if fails else 0), "%s: exit %d\n%s\n%s" \
            % (name, p.returncode, p.stdout, p.stderr)
        return self.sim.calls(mark), p.stdout

    def converged(self, name, *opts):
        again = self.pz.run("plan", "-f", self.spec, "-state=" + self.state,
                            "-detailed-exitcode", *opts)
        assert again.rc == 0, "%s: not converged\n%s\n%s" % (
            name, again.out, again.err)
        return again.out

    def step(self, name, expect=(), absent=(), fails=False, opts=()):
        """Plan (saying each of expect, none of absent), execute,
        converge unless fails; the plan's text and the calls made."""
        print("step: %s" % name, flush=True)
        out = self.plan_out(name, *opts)
        for line in expect:
            assert line in out, "%s: no %r in\n%s" % (name, line, out)
        for line in absent:
            assert line not in out, "%s: %r in\n%s" % (name, line, out)
        assert json.load(open(self.plan))["operations"], \
            "%s: the plan has no operations\n%s" % (name, out)
        calls, log = self.execute(name, fails)
        if not fails:
            self.converged(name, *opts)
        return out, calls, log


def writes(calls, op=None):
    return [c for c in calls if not c["operation"].startswith(
        ("Describe", "List", "Get")) and (op is None or c["operation"] == op)]


def put_interactions(sim, key, rows, users, seed, header=True):
    """rows interactions of users users as s3://demo-data/<key>."""
    rng = random.Random(seed)
    d = tempfile.mkdtemp(prefix="pz-dry-data-")
    path = os.path.join(d, "data.csv")
    with open(path, "w") as f:
        if header:
            f.write("USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\n")
        for i in range(rows):
            f.write("u%d,i%d,%s,%d\n" % (i % users, rng.randrange(40),
                                          rng.choice(["click", "view"]),
                                          1700000000 + i))
    dry.aws(sim, "s3", "cp", path, "s3://demo-data/" + key)
    shutil.rmtree(d)


def remove(sim, key):
    dry.aws(sim, "s3", "rm", "s3://demo-data/" + key)


def campaign_tps(sim):
    st, c = harness._simh.personalize(sim, "DescribeCampaign",
                                      {"campaignArn": CAMPAIGN})
    assert st == 200, c
    return c["campaign"]["minProvisionedTPS"]


def created(pz_bin, sim):
    """Steps with the plan cases' base spec created; and that spec."""
    s = Steps(pz_bin, sim)
    base = open(dry.BASE).read()
    dry.put_data(sim)
    s.write(base)
    s.step("create-all")
    return s, base


def test_golden_cases_execute_without_a_refused_call(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        s, base = created(pz_bin, sim)

        # maxage: eight days later (PZ_NOW), the version is retrained
        # and the campaign moved to it; apply records the training at
        # that time, so the plan after it has nothing to do.
        now = int(time.time())
        trained = now + 8 * DAY + 3600
        s.pz.env["PZ_NOW"] = str(trained)
        out, calls, _ = s.step(
            "maxage",
            expect=("# solution_version.ups will be created",
                    "(trigger: maxAge: the active version is 8d01h old, "
                    "older than 7d)",
                    "campaign.upsCampaign will be updated in-place"))
        assert len(writes(calls, "CreateSolutionVersion")) == 1, calls
        assert len(writes(calls, "UpdateCampaign")) == 1, calls
        # Not by the clock alone: the same spec a day later is unchanged.
        s.pz.env["PZ_NOW"] = str(trained + DAY)
        s.converged("maxage, a day later")

        # training-mode-maxage: trainingMode UPDATE is for data
        # changes; an age-driven training is FULL.
        mode = base.replace("maxAge: 7d}", "maxAge: 7d, trainingMode: "
                            "UPDATE}")
        assert mode != base
        s.write(mode)
        s.converged("trainingMode UPDATE, nothing old")
        s.pz.env["PZ_NOW"] = str(trained + 8 * DAY + 3600)
        out, calls, _ = s.step(
            "training-mode-maxage",
            expect=("(trigger: maxAge: the active version is 8d01h old",
                    '+ trainingMode = "FULL"'))
        train = writes(calls, "CreateSolutionVersion")
        assert [c["params"].get("trainingMode") for c in train] == \
            ["FULL"], train

        # ignore-changes: the campaign's TPS changed outside pz and the
        # event tracker was deleted; the spec ignores minProvisionedTPS
        # (and asks for 5): only the tracker comes back.
        ignored = mode.replace("minProvisionedTPS: 1\n    pz:\n",
                               "minProvisionedTPS: 5\n    pz:\n      "
                               "lifecycle: {ignoreChanges: "
                               "[minProvisionedTPS]}\n")
        assert ignored != mode
        dry.drift(sim)
        s.write(ignored)
        out, calls, _ = s.step(
            "ignore-changes",
            expect=("event_tracker.tracker has been deleted",
                    "event_tracker.tracker will be created"),
            absent=("campaign.upsCampaign will be updated",))
        assert [c["operation"] for c in writes(calls)] == \
            ["CreateEventTracker"], writes(calls)
        assert campaign_tps(sim) == 3
        # More drift on the ignored member alone: no change, and the
        # saved plan executes as a no-op (not one write).
        dry.aws(sim, "personalize", "update-campaign", "--campaign-arn",
                CAMPAIGN, "--min-provisioned-tps", "4")
        harness._simh.wait_for(lambda: campaign_tps(sim) == 4, 60, 0.05)
        print("step: ignore-changes, drift on the ignored member",
              flush=True)
        s.converged("ignore-changes, drift")
        s.plan_out("ignore-changes, drift")
        assert json.load(open(s.plan))["operations"] == []
        calls, _ = s.execute("ignore-changes, drift")
        assert writes(calls) == [], writes(calls)
        assert campaign_tps(sim) == 4

        # failed-import: an object without a header row makes the
        # import fail (CREATE FAILED, its failureReason), and what
        # waits for it (training, the campaign) is not run. pz's data
        # check would stop the plan first: it is off, to see the
        # service's failure.
        put_interactions(sim, "Interactions/noheader.csv", 1200, 60, 9,
                         header=False)
        out, calls, log = s.step(
            "failed-import, the import fails",
            expect=("dataset_import_job.Interactions will be created",),
            fails=True, opts=("-data-check=off",))
        assert len(writes(calls, "CreateDatasetImportJob")) == 1, calls
        assert not writes(calls, "CreateSolutionVersion"), calls
        assert "failed create dataset_import_job.Interactions" in log, log
        # The plan after it retries the import and says why.
        out = s.plan_out("failed-import, planned again",
                         "-data-check=off")
        assert "(trigger: the last import failed: " in out, out
        # With the data fixed, the retry executes and converges.
        remove(sim, "Interactions/noheader.csv")
        out, calls, _ = s.step(
            "failed-import, fixed",
            expect=("dataset_import_job.Interactions will be created",
                    "(trigger: the last import failed: "))
        assert len(writes(calls, "CreateDatasetImportJob")) == 1, calls

        # failed-training-new-data: data of 12 users imports but does
        # not train (25 users with 2 or more interactions needed); the
        # data check, which says so before, is off.
        for key in [o["Key"] for o in dry.harness.aws_cli(
                sim, "s3api", "list-objects-v2", "--bucket", "demo-data",
                "--prefix", "Interactions/", parse=True)["Contents"]]:
            remove(sim, key)
        put_interactions(sim, "Interactions/few-users.csv", 1200, 12, 10)
        out, calls, log = s.step(
            "failed-training, the training fails",
            expect=("dataset_import_job.Interactions will be created",
                    "solution_version.ups will be created"),
            fails=True, opts=("-data-check=off",))
        assert "failed create solution_version.ups" in log, log
        assert not writes(calls, "UpdateCampaign"), calls
        # Training the same data again would fail the same way: the
        # version waits, and nothing else is to do.
        out = s.converged("failed-training, planned again")
        assert "solution_version.ups waits" in out, out
        assert "the last training failed: Insufficient data" in out, out
        # New data: imported, then trained because the last training
        # failed and data came since.
        put_interactions(sim, "Interactions/more-users.csv", 1500, 60, 11)
        out, calls, _ = s.step(
            "failed-training-new-data",
            expect=("dataset_import_job.Interactions will be created",
                    "(trigger: the last training failed: Insufficient "
                    "data", "data imported since: "
                    "dataset_import_job.Interactions",
                    "campaign.upsCampaign will be updated in-place"))
        assert len(writes(calls, "CreateSolutionVersion")) == 1, calls

        # in-progress: an apply creating a filter is killed while the
        # service is still creating it; the next plan waits for that
        # creation (an await, no call) and nothing is created twice.
        added = ignored + ("  - name: views-only\n    filterExpression: "
                           "INCLUDE ItemID WHERE Interactions.EVENT_TYPE "
                           "IN (\"view\")\n")
        s.write(added)
        s.plan_out("in-progress, the create")
        # Slow enough that the creation outlasts a loaded machine.
        sim.control("POST", "/__sim/clock", {"time_scale": 20.0})
        mark = s.mark()
        p = subprocess.Popen([s.dry, s.plan, s.state], env=s.pz.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
        try:
            # Killed once the service has accepted the creation and
            # the state records it (apply may record its ARN, known
            # from the name, before the call).
            def recorded():
                if not os.path.exists(s.state):
                    return None
                st = json.load(open(s.state))
                return [c for c in sim.calls(mark)
                        if c["operation"] == "CreateFilter" and
                        c["status"] == 200] and \
                    [r for r in st["resources"]
                     if r["address"] == "filter.views-only" and
                     r.get("arn")]
            harness._simh.wait_for(recorded, 60, 0.02)
        finally:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
        assert not s.refused(mark), s.refused(mark)
        st, f = harness._simh.personalize(sim, "DescribeFilter", {
            "filterArn": recorded()[0]["arn"]})
        assert st == 200 and f["filter"]["status"].startswith("CREATE"), f
        # And a campaign update made outside pz, still running.
        dry.aws(sim, "personalize", "update-campaign", "--campaign-arn",
                CAMPAIGN, "--min-provisioned-tps", "6")
        print("step: in-progress", flush=True)
        out = s.plan_out("in-progress")
        assert "filter.views-only" in out, out
        assert "filter.views-only will be created" not in out, out
        assert "# campaign.upsCampaign waits" in out, out
        ops = json.load(open(s.plan))["operations"]
        assert [(o["op"], o["address"]) for o in ops] == \
            [("await", "filter.views-only")], ops
        sim.control("POST", "/__sim/clock", {"time_scale": 0.0005})
        calls, log = s.execute("in-progress")
        assert writes(calls) == [], writes(calls)
        assert "done await filter.views-only" in log, log
        s.converged("in-progress")
        creates = [c for c in sim.calls() if c["operation"] ==
                   "CreateFilter" and c["params"].get("name") ==
                   "views-only"]
        assert len(creates) == 1, creates
        harness._simh.wait_for(lambda: campaign_tps(sim) == 6, 60, 0.05)
        s.converged("in-progress, the campaign updated")

        # tainted: the service fails a filter's creation (a fault the
        # simulator injects); the plan after it replaces the filter.
        sim.faults(inject=[{"operation": "CreateFilter",
                            "fail": "Internal failure"}])
        doomed = added + ("  - name: no-views\n    filterExpression: "
                          "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE "
                          "IN (\"view\")\n")
        s.write(doomed)
        out, calls, log = s.step(
            "tainted, the creation fails",
            expect=("filter.no-views will be created",), fails=True)
        assert "failed create filter.no-views" in log, log
        out, calls, _ = s.step(
            "tainted",
            expect=("# filter.no-views must be replaced",
                    "(its creation failed earlier, so it is tainted)",
                    "(it failed: Internal failure)"))
        assert [c["operation"] for c in writes(calls)] == \
            ["DeleteFilter", "CreateFilter"], writes(calls)

        # failed-update: a campaign TPS update the service fails (a
        # fault the simulator injects: latestCampaignUpdate ends CREATE
        # FAILED, the campaign stays ACTIVE with its old TPS). The
        # executor reports it; the next plan updates the campaign again
        # and says why, as the failed-update golden case does.
        assert campaign_tps(sim) == 6
        watched = doomed.replace("minProvisionedTPS: 5\n    pz:\n      "
                                 "lifecycle: {ignoreChanges: "
                                 "[minProvisionedTPS]}\n",
                                 "minProvisionedTPS: 2\n    pz:\n")
        assert watched != doomed
        s.write(watched)
        reason = "Internal server error"
        sim.faults(inject=[{"operation": "UpdateCampaign", "fail": reason}])
        out, calls, log = s.step(
            "failed-update, the update fails",
            expect=("campaign.upsCampaign will be updated in-place",
                    "minProvisionedTPS", "= 6 -> 2"), fails=True)
        assert len(writes(calls, "UpdateCampaign")) == 1, calls
        assert "failed update campaign.upsCampaign" in log, log
        assert reason in log, log
        assert campaign_tps(sim) == 6
        out, calls, _ = s.step(
            "failed-update, planned again",
            expect=("campaign.upsCampaign will be updated in-place",
                    "# (its last update failed: %s; planned again)"
                    % reason, "minProvisionedTPS", "= 6 -> 2"))
        assert len(writes(calls, "UpdateCampaign")) == 1, calls
        assert campaign_tps(sim) == 2
        # Destroyed whole, as everything above left it.
        out, calls, _ = s.step("destroy", expect=("will be destroyed",),
                               opts=("-destroy",))
        assert json.load(open(s.state))["resources"] == []


def test_failed_update_planned_again_without_a_change(pz_bin):
    """The failed-update golden case itself: the campaign's update
    failed and the spec asks for what the campaign has, so the plan
    updates it again with no attribute changed. That plan must execute
    (one UpdateCampaign, with the spec's values) and converge.

    Fails as of this writing (a pz defect, reported to the lead):
    providers/personalize/runtime.c update_body returns NULL when no
    member differs between the plan's before and after, and update_now
    then makes no call and only waits; the wait sees the old
    latestCampaignUpdate CREATE FAILED and the update fails again
    without a call."""
    with Sim(time_scale=0.0005) as sim:
        s, base = created(pz_bin, sim)
        tps = base.replace("minProvisionedTPS: 1", "minProvisionedTPS: 2")
        assert tps != base
        s.write(tps)
        reason = "Internal server error"
        sim.faults(inject=[{"operation": "UpdateCampaign", "fail": reason}])
        s.step("failed-update, the update fails", expect=("= 1 -> 2",),
               fails=True)
        assert campaign_tps(sim) == 1
        s.write(base)
        mark = s.mark()
        out = s.plan_out("failed-update")
        for line in ("campaign.upsCampaign will be updated in-place",
                     "# (its last update failed: %s; planned again)"
                     % reason, "unchanged attributes hidden",
                     "1. update campaign.upsCampaign"):
            assert line in out, "no %r in\n%s" % (line, out)
        assert " -> " not in out, out
        p = subprocess.run([s.dry, s.plan, s.state], env=s.pz.env,
                           capture_output=True, text=True, timeout=600)
        calls = s.sim.calls(mark)
        assert not s.refused(mark), s.refused(mark)
        assert [c["params"].get("minProvisionedTPS")
                for c in writes(calls, "UpdateCampaign")] == [1], (
            "the update planned again made no UpdateCampaign call:\n%s%s"
            % (p.stdout, p.stderr))
        assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
        s.converged("failed-update")
        assert campaign_tps(sim) == 1


if __name__ == "__main__":
    harness.run_main()
