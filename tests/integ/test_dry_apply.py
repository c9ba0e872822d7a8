"""Plans are executable as printed: the test executor (dry_apply, on
core/exec.h) runs pz's saved plans against the simulator with the real
API calls, and not one call may be refused.

The base spec of the plan golden cases is created from nothing, then
changed as the golden cases change it (new data: import, training and
the campaign moved; a campaign's TPS, drift made with the AWS CLI (the
event tracker deleted, the TPS changed), a solution's
recipe under a campaign, schema changes on Items and Interactions, a
renamed filter and event tracker, a removed filter), destroyed with
-target=dataset_group.demo, and destroyed whole. Each step is planned by
pz plan against the live simulator, saved, executed, and planned again:
after each execution the plan must show no changes.

    python3 test_dry_apply.py PZ_BINARY      (DRY_APPLY=path/to/dry_apply)
"""
import json
import os
import random
import shutil
import subprocess
import tempfile

import harness
from harness import Pz, Sim

ROOT = harness.ROOT
BASE = os.path.join(ROOT, "tests", "plan", "cases", "create-all",
                    "spec.yaml")
# Refusals that mean the plan asked for something in the wrong order.
REFUSED = ("ResourceInUseException", "ResourceAlreadyExistsException",
           "ResourceNotFoundException", "InvalidInputException",
           "LimitExceededException")


def aws(sim, *args):
    harness.aws_cli(sim, *args)


def interactions(path, seed, rows=1500):
    rng = random.Random(seed)
    with open(path, "w") as f:
        f.write("USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\n")
        for i in range(rows):
            f.write("u%d,i%d,%s,%d\n" % (i % 60, rng.randrange(40),
                                          rng.choice(["click", "view"]),
                                          1700000000 + i))


def more_data(sim):
    """New interactions: a data change (import, training, campaign)."""
    d = tempfile.mkdtemp(prefix="pz-dry-data-")
    interactions(os.path.join(d, "more.csv"), 8)
    aws(sim, "s3", "cp", os.path.join(d, "more.csv"),
        "s3://demo-data/Interactions/more.csv")
    shutil.rmtree(d)


def put_data(sim):
    """Enough data to import and train: 60 users, 40 items."""
    rng = random.Random(7)
    d = tempfile.mkdtemp(prefix="pz-dry-data-")
    interactions(os.path.join(d, "interactions.csv"), 7)
    with open(os.path.join(d, "items.csv"), "w") as f:
        f.write("ITEM_ID,GENRE\n")
        for i in range(1200):
            f.write("i%d,%s\n" % (i, rng.choice(["a", "b", "a|b"])))
    aws(sim, "s3", "mb", "s3://demo-data")
    aws(sim, "s3", "cp", os.path.join(d, "interactions.csv"),
        "s3://demo-data/Interactions/interactions.csv")
    aws(sim, "s3", "cp", os.path.join(d, "items.csv"),
        "s3://demo-data/Items/items.csv")
    shutil.rmtree(d)


def drift(sim):
    """Changes made outside pz with the AWS CLI (the drift golden case):
    the event tracker deleted, the campaign's TPS changed. The plan puts
    both back."""
    aws(sim, "personalize", "update-campaign", "--campaign-arn",
        "arn:aws:personalize:us-east-1:123456789012:campaign/ups",
        "--min-provisioned-tps", "3")
    trackers = harness.aws_cli(sim, "personalize", "list-event-trackers",
                               parse=True)["eventTrackers"]
    assert len(trackers) == 1, trackers
    aws(sim, "personalize", "delete-event-tracker", "--event-tracker-arn",
        trackers[0]["eventTrackerArn"])

    def settled():
        st, c = harness._simh.personalize(sim, "DescribeCampaign", {
            "campaignArn": "arn:aws:personalize:us-east-1:123456789012:"
                           "campaign/ups"})
        assert st == 200, c
        upd = c["campaign"].get("latestCampaignUpdate") or {}
        st, t = harness._simh.personalize(sim, "ListEventTrackers", {})
        return upd.get("status", "ACTIVE") == "ACTIVE" and \
            c["campaign"]["status"] == "ACTIVE" and \
            not t["eventTrackers"]
    harness._simh.wait_for(settled, 60, 0.05)


GENRE = "        - {name: GENRE, type: string, categorical: true}\n"
STAMP = "        - {name: TIMESTAMP, type: long}\n"


def steps(base):
    """(name, spec, extra plan options or a change to the data), each
    from the one before."""
    tps = base.replace("minProvisionedTPS: 1", "minProvisionedTPS: 2")
    v2 = tps.replace("recipe/aws-user-personalization",
                     "recipe/aws-user-personalization-v2")
    nullable = v2.replace(GENRE, GENRE + "        - {name: YEAR, "
                          "type: [\"null\", int]}\n")
    # GENRE stops being categorical: not an in-place change.
    non_null = nullable.replace(GENRE, "        - {name: GENRE, "
                                "type: string}\n")
    inter = non_null.replace(STAMP, STAMP + "        - {name: VALUE, "
                             "type: [\"null\", float]}\n")
    renamed = inter.replace("- name: no-clicks", "- name: no-clicks-v2")
    tracker = renamed.replace("eventTracker:\n  name: tracker",
                              "eventTracker:\n  name: tracker-v2")
    no_filter = tracker.split("filters:")[0]
    return [("create-all", base, []),
            ("data-changed", base, more_data),
            ("campaign-update", tps, []),
            ("drift", tps, drift),
            ("forced-replacement", v2, []),
            ("schema-change-nullable", nullable, []),
            ("schema-change-attribute", non_null, []),
            ("schema-change-interactions", inter, []),
            ("filter-rename", renamed, []),
            ("event-tracker-replace", tracker, []),
            ("delete", no_filter, []),
            ("destroy-target-group", no_filter,
             ["-destroy", "-target=dataset_group.demo"]),
            ("destroy-all", no_filter, ["-destroy"])]


# What a step's plan must say, beyond executing and converging.
EXPECT = {"drift": ("event_tracker.tracker has been deleted",
                    "campaign.upsCampaign has changed",
                    "event_tracker.tracker will be created",
                    "campaign.upsCampaign will be updated in-place")}


def dry_apply_bin():
    b = os.environ.get("DRY_APPLY")
    if not b or not os.path.exists(b):
        raise harness.Skip("DRY_APPLY does not name the dry_apply binary")
    return b


def test_every_plan_executes_without_a_refused_call(pz_bin):
    dry = dry_apply_bin()
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        pz.env["PZ_POLL_MIN_MS"] = "20"
        pz.env["PZ_POLL_MAX_MS"] = "200"
        put_data(sim)
        spec = pz.write_file(os.path.join("work", "pz.yaml"), "")
        state = os.path.join(os.path.dirname(spec), "pz.state.json")
        plan = os.path.join(os.path.dirname(spec), "step.plan")
        for name, text, opts in steps(open(BASE).read()):
            print("step: %s" % name, flush=True)
            if callable(opts):
                opts(sim)
                opts = []
            with open(spec, "w") as f:
                f.write(text)
            r = pz.run("plan", "-f", spec, "-state=" + state,
                       "-out=" + plan, *opts)
            r.ok()
            for line in EXPECT.get(name, ()):
                assert line in r.out, "%s: no %r in\n%s" % (name, line,
                                                            r.out)
            ops = json.load(open(plan))["operations"]
            assert ops, "%s: the plan has no operations\n%s" % (name, r.out)
            mark = sim.calls()[-1]["seq"]
            p = subprocess.run([dry, plan, state], env=pz.env,
                               capture_output=True, text=True, timeout=600)
            calls = [c for c in sim.calls() if c["seq"] > mark]
            refused = ["%s %s: %s" % (c["operation"], c["status"],
                                      c["error"])
                       for c in calls if c["status"] >= 400 and
                       any(e in str(c["error"]) for e in REFUSED)
                       and not c["operation"].startswith("Describe")]
            assert not refused, "%s: refused calls:\n%s\n%s%s" % (
                name, "\n".join(refused), p.stdout, p.stderr)
            assert p.returncode == 0, "%s:\n%s\n%s\n%s" % (
                name, r.out, p.stdout, p.stderr)
            writes = [c["operation"] for c in calls
                      if not c["operation"].startswith(("Describe",
                                                        "List", "Get"))]
            assert writes, "%s: no call was made" % name
            # Executed as planned: nothing is left to do.
            again = pz.run("plan", "-f", spec, "-state=" + state,
                           "-detailed-exitcode", *opts)
            assert again.rc == 0, "%s: not converged\n%s\n%s" % (
                name, again.out, again.err)
        # Destroyed whole: the simulator holds nothing of it.
        left = [r for r in sim.state()["resources"]
                if r.get("type") not in ("bucket", "object")]
        assert not [r for r in left
                    if not str(r.get("status", "")).startswith("DELETE")
                    and r.get("type") not in ("dataset_import_job",
                                              "solution_version")], left


def _execute(pz, sim, dry, spec, state, plan, name, *opts):
    """Plans spec with -out, runs the plan, fails on a refused call;
    the plan's text."""
    r = pz.run("plan", "-f", spec, "-state=" + state, "-out=" + plan,
               *opts)
    r.ok()
    mark = sim.calls()[-1]["seq"]
    p = subprocess.run([dry, plan, state], env=pz.env, capture_output=True,
                       text=True, timeout=600)
    refused = ["%s %s: %s" % (c["operation"], c["status"], c["error"])
               for c in sim.calls() if c["seq"] > mark and
               c["status"] >= 400 and
               any(e in str(c["error"]) for e in REFUSED) and
               not c["operation"].startswith("Describe")]
    assert not refused, "%s: refused calls:\n%s\n%s%s" % (
        name, "\n".join(refused), p.stdout, p.stderr)
    assert p.returncode == 0, "%s:\n%s\n%s\n%s" % (name, r.out, p.stdout,
                                                   p.stderr)
    return r.out


def _versions(sim, name):
    st, body = harness._simh.personalize(sim, "ListSolutionVersions", {
        "solutionArn": "arn:aws:personalize:us-east-1:123456789012:"
                       "solution/" + name})
    assert st == 200, body
    return body["solutionVersions"]


def _automatic_training_trains_once(pz_bin, answer):
    """With performAutoTraining on, the service trains a new solution's
    first version within the hour: pz must not train one too (a second
    billed training, or a refused call under 9.7's refuse). The first
    apply creates the solution and leaves the version and the campaign
    waiting; once the service's version is ACTIVE, the next plan creates
    the campaign on it; then nothing is left to do, and pz never called
    CreateSolutionVersion."""
    dry = dry_apply_bin()
    with Sim(time_scale=0.0005, version_while_training=answer) as sim:
        pz = Pz(pz_bin, sim)
        pz.env["PZ_POLL_MIN_MS"] = "20"
        pz.env["PZ_POLL_MAX_MS"] = "200"
        put_data(sim)
        spec = pz.write_file(os.path.join("work", "pz.yaml"),
                             open(BASE).read().replace(
                                 "performAutoTraining: false",
                                 "performAutoTraining: true"))
        state = os.path.join(os.path.dirname(spec), "pz.state.json")
        plan = os.path.join(os.path.dirname(spec), "step.plan")
        out = _execute(pz, sim, dry, spec, state, plan, "create")
        assert "solution_version.ups will be created" not in out, out
        assert "the service trains the first version of the new " \
            "solution.ups" in out, out
        assert "campaign.upsCampaign waits" in out, out

        def trained():
            v = _versions(sim, "ups")
            return v if v and v[0]["status"] == "ACTIVE" else None
        versions = harness._simh.wait_for(trained, 120, 0.1)
        assert [v["trainingType"] for v in versions] == ["AUTOMATIC"], \
            versions
        out = _execute(pz, sim, dry, spec, state, plan, "follow")
        assert "solution_version.ups will be created" not in out, out
        assert "campaign.upsCampaign will be created" in out, out
        assert versions[0]["solutionVersionArn"] in out, out
        again = pz.run("plan", "-f", spec, "-state=" + state,
                       "-detailed-exitcode")
        assert again.rc == 0, "not converged\n%s\n%s" % (again.out,
                                                          again.err)
        ops = [c["operation"] for c in sim.calls()]
        assert "CreateSolutionVersion" not in ops, ops
        assert len(_versions(sim, "ups")) == 1
        camp = [r for r in sim.state()["resources"]
                if r.get("type") == "campaign"]
        assert [c.get("servedVersionArn") for c in camp] == \
            [versions[0]["solutionVersionArn"]], camp
        # A new recipe replaces the solution: the campaign goes with the
        # old one and comes back on the new one's automatic version.
        with open(spec, "w") as f:
            f.write(open(BASE).read().replace(
                "performAutoTraining: false",
                "performAutoTraining: true").replace(
                "recipe/aws-user-personalization",
                "recipe/aws-user-personalization-v2"))
        out = _execute(pz, sim, dry, spec, state, plan, "replace")
        assert "campaign.upsCampaign will be destroyed" in out, out
        assert "solution_version.ups will be created" not in out, out

        def retrained():
            v = [x for x in _versions(sim, "ups")
                 if x["solutionVersionArn"] !=
                 versions[0]["solutionVersionArn"]]
            return v if v and v[0]["status"] == "ACTIVE" else None
        new = harness._simh.wait_for(retrained, 120, 0.1)
        out = _execute(pz, sim, dry, spec, state, plan, "follow again")
        assert "campaign.upsCampaign will be created" in out, out
        assert new[0]["solutionVersionArn"] in out, out
        again = pz.run("plan", "-f", spec, "-state=" + state,
                       "-detailed-exitcode")
        assert again.rc == 0, "not converged\n%s\n%s" % (again.out,
                                                          again.err)
        assert "CreateSolutionVersion" not in [
            c["operation"] for c in sim.calls()]
        # The campaign goes before its solution, though the version it
        # serves is the service's and not in the state.
        _execute(pz, sim, dry, spec, state, plan, "destroy", "-destroy")
        assert json.load(open(state))["resources"] == []


def test_automatic_training_trains_once_9_7_refuse(pz_bin):
    _automatic_training_trains_once(pz_bin, "refuse")


def test_automatic_training_trains_once_9_7_allow(pz_bin):
    _automatic_training_trains_once(pz_bin, "allow")


if __name__ == "__main__":
    harness.run_main()
