"""pz apply and pz destroy against the simulator (issue 11).

Each test asserts on what the simulator recorded (its calls and its
resources), not only on pz's output:

- the seed pipeline's params.json, as it is plus a data location: apply
  makes every resource ACTIVE, a plan right after has nothing to do, and
  destroy leaves nothing deletable in the simulator;
- a campaign's minProvisionedTPS change is exactly one UpdateCampaign;
  new data is one import, one training and the campaign moved; a new
  recipe under a live campaign runs without one refused call;
- a saved plan is refused once the state moved, and applied when fresh
  makes exactly the calls it lists;
- a failed import: the service's reason printed, the rest done, exit 1,
  and the next apply retries it;
- throttling and server errors: apply succeeds with no duplicate; an
  answer lost after the service made the resource is adopted, not
  duplicated;
- an interrupt while a training runs: nothing new starts, the training
  is recorded and goes on, the lock is released; the next apply waits
  for it instead of training again;
- a full import quota (5 per region) queues the import until a slot
  frees; so do the region's concurrent trainings (1 here) and its 5
  batch inference jobs, each made once;
- a create that never reached the service (nothing listening) leaves
  no record, and the next apply makes it once; one refused after a
  server error (which may have made it) keeps its record, as does one
  refused as already done whose look at what exists failed;
- destroy stops a training in progress before deleting its solution;
- confirmation: no terminal and no -auto-approve is an error, not a
  hang; -json prints one UI message per line.

    python3 test_apply.py PZ_BINARY
"""
import json
import os
import random
import re
import shutil
import socket
import subprocess
import tempfile

import harness
from harness import Pz, Sim

ROOT = harness.ROOT
SEED = os.path.join(ROOT, "examples", "seed", "params.json")
ROLE = "arn:aws:iam::%s:role/PersonalizeS3" % harness.ACCOUNT
WRITES = ("Create", "Update", "Delete", "Tag", "Untag", "Start", "Stop")
# Refusals that mean pz asked for something in the wrong order, twice,
# or for what does not exist.
REFUSED = ("ResourceInUseException", "ResourceAlreadyExistsException",
           "ResourceNotFoundException", "InvalidInputException",
           "LimitExceededException")
FAST = {"PZ_POLL_MIN_MS": "20", "PZ_POLL_MAX_MS": "100"}


def aws(sim, *args):
    harness.aws_cli(sim, *args)


def rows_for(fields, n, seed):
    """CSV text for an Avro schema's fields: n rows, 60 users, 40 items,
    so that the data passes the training minimums."""
    rng = random.Random(seed)
    out = [",".join(f["name"] for f in fields)]
    for i in range(n):
        vals = []
        for f in fields:
            name, typ = f["name"], f["type"]
            if name == "USER_ID":
                vals.append("u%d" % (i % 60 if n > 100 else i))
            elif name == "ITEM_ID":
                vals.append("i%d" % (rng.randrange(40) if n > 100 and
                                     "TIMESTAMP" in [g["name"] for g in
                                                     fields] else i))
            elif name == "EVENT_TYPE":
                vals.append(rng.choice(["click", "watch"]))
            elif name in ("TIMESTAMP", "CREATION_TIMESTAMP"):
                vals.append(str(1700000000 + i))
            elif typ in ("int", "long"):
                vals.append(str(rng.randrange(1950, 2020)))
            elif f.get("categorical"):
                vals.append(rng.choice(["a", "b", "a|b"]))
            else:
                vals.append("v%d" % rng.randrange(9))
        out.append(",".join(vals))
    return "\n".join(out) + "\n"


def upload(sim, key, text):
    d = tempfile.mkdtemp(prefix="pz-apply-data-")
    path = os.path.join(d, "data.csv")
    with open(path, "w") as f:
        f.write(text)
    aws(sim, "s3", "cp", path, "s3://%s" % key)
    shutil.rmtree(d)


def seed_spec(pz, sim, bucket="seed-data"):
    """The seed's params.json as it is, plus a data location and a role;
    its data (1,500 interactions, 1,200 items) in the simulator's S3."""
    spec = json.load(open(SEED))
    spec["pz"] = {"dataLocation": "s3://%s/" % bucket, "roleArn": ROLE}
    aws(sim, "s3", "mb", "s3://%s" % bucket)
    for name, ds in spec["datasets"].items():
        n = 1500 if name == "Interactions" else 1200
        upload(sim, "%s/%s/data.csv" % (bucket, name),
               rows_for(ds["schema"]["fields"], n, len(name)))
    return pz.write_file("work/params.json", json.dumps(spec, indent=2))


SMALL = ("""pz:
  dataLocation: s3://small-data/
  roleArn: %s
datasetGroup: {name: small}
datasets:
  Interactions:
    name: small-interactions
""" + harness.INTERACTIONS_SCHEMA_YAML + """solutions:
  ups:
    name: small-ups
    recipeArn: arn:aws:personalize:::recipe/@RECIPE@
    performAutoTraining: false
campaigns:
  upsCampaign:
    name: small-ups-campaign
    minProvisionedTPS: @TPS@
""").replace("%s", ROLE)

INTERACTIONS = [{"name": "USER_ID", "type": "string"},
                {"name": "ITEM_ID", "type": "string"},
                {"name": "EVENT_TYPE", "type": "string"},
                {"name": "TIMESTAMP", "type": "long"}]


def small(pz, sim, recipe="aws-user-personalization", tps=1, data=True):
    if data:
        aws(sim, "s3", "mb", "s3://small-data")
        upload(sim, "small-data/Interactions/a.csv",
               rows_for(INTERACTIONS, 1500, 1))
    return pz.write_file("work/pz.yaml", SMALL.replace("@RECIPE@", recipe)
                         .replace("@TPS@", str(tps)))


def writes(sim, since):
    return [c["operation"] for c in sim.calls(since)
            if c["operation"].startswith(WRITES)]


def refused(sim, since=0):
    return ["%s %s" % (c["operation"], c["error"])
            for c in sim.calls(since)
            if c.get("error") in REFUSED and
            not c["operation"].startswith(("Describe", "List"))]


def mark(sim):
    calls = sim.calls()
    return calls[-1]["seq"] if calls else 0


def apply(pz, *args, env=None):
    e = dict(FAST)
    e.update(env or {})
    return pz.run("apply", "-auto-approve", *args, env=e, timeout=300)


def live(sim):
    return [r for r in sim.state()["resources"]
            if r["type"] not in ("datasetImportJob", "batchInferenceJob",
                                 "batchSegmentJob")]


def test_seed_apply_plan_destroy(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = seed_spec(pz, sim)
        # The seed leaves performAutoTraining to the service (on): the
        # service trains each solution's first version itself, so the
        # first apply makes 12 resources and the versions and campaigns
        # wait (issue 10); the next apply puts the campaigns on the
        # service's versions.
        r = apply(pz, "-f", path).ok()
        assert "Apply complete! Resources: 12 added, 0 changed, 0 " \
               "destroyed." in r.out, r
        assert "CreateSolutionVersion" not in sim.ops(), sim.ops()

        def trained():
            v = [x for x in live(sim) if x["type"] == "solutionVersion"]
            return len(v) == 3 and all(x["status"] == "ACTIVE" for x in v)
        harness._simh.wait_for(trained, 120, 0.1)
        r = apply(pz, "-f", path).ok()
        assert "Apply complete! Resources: 3 added, 0 changed, 0 " \
               "destroyed." in r.out, r
        assert re.search(r"^campaign\.simsCampaign: Creation complete "
                         r"after \d+s \[id=arn:aws:personalize:", r.out,
                         re.M), r
        assert not refused(sim), refused(sim)
        assert "CreateSolutionVersion" not in sim.ops(), sim.ops()
        st = json.load(open(os.path.join(pz.home, "work",
                                         "pz.state.json")))
        arns = {x["arn"] for x in st["resources"]}
        for res in live(sim):
            assert res["status"] == "ACTIVE", res
            # The versions are the service's, followed, not pz's.
            assert res["arn"] in arns or res["type"] == "solutionVersion", \
                ("untracked", res)
        kinds = sorted({res["type"] for res in live(sim)})
        assert kinds == ["campaign", "dataset", "datasetGroup",
                         "eventTracker", "filter", "schema", "solution",
                         "solutionVersion"], kinds
        r = pz.run("plan", "-f", path, "-detailed-exitcode", env=FAST)
        assert r.rc == 0, r
        assert "No changes." in r.out
        before = mark(sim)
        r = pz.run("destroy", "-f", path, "-auto-approve", env=FAST,
                   timeout=300).ok()
        assert "Destroy complete! Resources: 15 destroyed." in r.out, r
        assert live(sim) == [], live(sim)
        assert not refused(sim, before), refused(sim, before)
        st = json.load(open(os.path.join(pz.home, "work",
                                         "pz.state.json")))
        assert st["resources"] == [], st


def test_changes_make_exactly_their_calls(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        apply(pz, "-f", path).ok()

        # minProvisionedTPS: one UpdateCampaign, in place.
        small(pz, sim, tps=3, data=False)
        m = mark(sim)
        r = apply(pz, "-f", path).ok()
        assert writes(sim, m) == ["UpdateCampaign"], writes(sim, m)
        assert "Apply complete! Resources: 0 added, 1 changed, 0 " \
               "destroyed." in r.out, r
        assert re.search(r"^campaign\.upsCampaign: Modifying\.\.\. "
                         r"\[id=arn:", r.out, re.M), r

        # New data: one import, one training, the campaign moved.
        upload(sim, "small-data/Interactions/b.csv",
               rows_for(INTERACTIONS, 1500, 2))
        m = mark(sim)
        apply(pz, "-f", path).ok()
        assert writes(sim, m) == ["CreateDatasetImportJob",
                                  "CreateSolutionVersion",
                                  "UpdateCampaign"], writes(sim, m)

        # A new recipe under a live campaign: replaced in the order the
        # service allows, nothing refused.
        small(pz, sim, recipe="aws-user-personalization-v2", tps=3,
              data=False)
        m = mark(sim)
        r = apply(pz, "-f", path).ok()
        w = writes(sim, m)
        assert w.index("DeleteCampaign") < w.index("DeleteSolution") < \
            w.index("CreateSolution") < w.index("CreateSolutionVersion") \
            < w.index("CreateCampaign"), w
        assert not refused(sim, m), refused(sim, m)
        r = pz.run("plan", "-f", path, "-detailed-exitcode", env=FAST)
        assert r.rc == 0, r


def test_saved_plan_stale_then_fresh(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        apply(pz, "-f", path).ok()
        small(pz, sim, tps=2, data=False)
        plan = os.path.join(pz.home, "work", "tps.plan")
        pz.run("plan", "-f", path, "-out", plan).ok()
        # Another run moves the state: the saved plan is refused.
        pz.run("state", "rm", "-f", path, "campaign.upsCampaign").ok()
        m = mark(sim)
        r = pz.run("apply", plan, env=FAST)
        r.fails(1)
        assert "state" in r.err and "pz plan -out=" in r.err, r
        assert writes(sim, m) == [], writes(sim, m)
        # Fresh: exactly the calls it lists (the campaign adopted back
        # first, so that the plan is an update).
        arn = ("arn:aws:personalize:us-east-1:%s:campaign/"
               "small-ups-campaign" % harness.ACCOUNT)
        pz.run("import", "-f", path, "campaign.upsCampaign", arn).ok()
        pz.run("plan", "-f", path, "-out", plan).ok()
        shown = pz.run("show", plan).ok()
        assert "campaign.upsCampaign will be updated in-place" in \
            shown.out, shown
        m = mark(sim)
        r = pz.run("apply", plan, env=FAST).ok()
        assert writes(sim, m) == ["UpdateCampaign"], writes(sim, m)
        # Applied once; a second time it is stale (the state moved).
        r = pz.run("apply", plan, env=FAST)
        r.fails(1)


def test_failed_import_reported_rest_done_then_retried(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        aws(sim, "s3", "mb", "s3://small-data")
        # 200 records: the service refuses an import under 1,000.
        upload(sim, "small-data/Interactions/a.csv",
               rows_for(INTERACTIONS, 200, 1))
        path = small(pz, sim, data=False)
        text = open(path).read() + """filters:
  clicked:
    name: small-clicked
    filterExpression: EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")
"""
        pz.write_file("work/pz.yaml", text)
        r = apply(pz, "-f", path, "-data-check=off")
        r.fails(1)
        assert re.search(r"^dataset_import_job\.Interactions: Creation "
                         r"failed after \d+s: CREATE FAILED: .*1,?000",
                         r.out, re.M), r
        assert "Error: dataset_import_job.Interactions:" in r.err, r
        # What waits for the data is skipped and listed; the rest done.
        skipped = r.err.split("Skipped, because")[1]
        for addr in ("solution.ups", "solution_version.ups",
                     "campaign.upsCampaign"):
            assert "  %s\n" % addr in skipped, r
        names = {x["name"]: x["status"] for x in sim.state()["resources"]}
        assert names.get("small-clicked") == "ACTIVE", names
        assert "small-ups" not in names, names
        st = json.load(open(os.path.join(pz.home, "work",
                                         "pz.state.json")))
        job = [x for x in st["resources"]
               if x["address"] == "dataset_import_job.Interactions"]
        assert job and job[0].get("tainted"), job
        # Fixed data: the next apply retries the import and goes on.
        upload(sim, "small-data/Interactions/a.csv",
               rows_for(INTERACTIONS, 1500, 1))
        m = mark(sim)
        r = apply(pz, "-f", path).ok()
        w = writes(sim, m)
        assert w.count("CreateDatasetImportJob") == 1, w
        assert "CreateCampaign" in w, w


def test_throttling_errors_and_lost_answers(pz_bin):
    with Sim(time_scale=0.0005, throttle_rate=0.2, error_rate=0.05,
             seed=5) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        # The service makes the solution, and its answer is lost.
        sim.faults(inject=[{"operation": "CreateSolution",
                            "drop_after": True}])
        r = apply(pz, "-f", path, env={"AWS_MAX_ATTEMPTS": "10"}).ok()
        assert "Apply complete!" in r.out, r
        made = [c for c in sim.calls()
                if c["operation"].startswith("Create") and
                c["status"] == 200]
        per_op = {}
        for c in made:
            per_op[c["operation"]] = per_op.get(c["operation"], 0) + 1
        assert all(n == 1 for n in per_op.values()), per_op
        # The lost answer was met again as "already exists", and the
        # solution adopted after a look at it, not made twice.
        sol = [c for c in sim.calls() if c["operation"] == "CreateSolution"]
        assert sol[-1]["error"] == "ResourceAlreadyExistsException", sol
        assert len([res for res in live(sim)
                    if res["type"] == "solution"]) == 1
        counted = {}
        for res in live(sim):
            counted[res["type"]] = counted.get(res["type"], 0) + 1
        assert all(n == 1 for k, n in counted.items() if k != "schema"), \
            counted
        st = json.load(open(os.path.join(pz.home, "work",
                                         "pz.state.json")))
        arns = {x["arn"] for x in st["resources"]}
        assert all(res["arn"] in arns for res in live(sim)), live(sim)
        sim.faults(throttle_rate=0, error_rate=0)
        r = pz.run("plan", "-f", path, "-detailed-exitcode", env=FAST)
        assert r.rc == 0, r


def closed_port():
    """A loopback URL nothing listens at: connections are refused. The
    socket keeps the port bound (never listening) while it is held."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s, "http://127.0.0.1:%d" % s.getsockname()[1]


def test_create_never_sent_leaves_no_record(pz_bin):
    """A create that could not reach the service made nothing: apply
    fails saying so, the state keeps no record of it, and the next apply
    makes it once."""
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        # Planned against the service, applied when it cannot be
        # reached.
        pz.run("plan", "-f", path, "-out", "work/p.plan", env=FAST).ok()
        sock, url = closed_port()
        with sock:
            r = apply(pz, "work/p.plan",
                      env={"AWS_ENDPOINT_URL_PERSONALIZE": url,
                           "AWS_MAX_ATTEMPTS": "2"})
        r.fails()
        assert re.search(r"^Error: dataset_group\.\S+: .*cannot reach",
                         r.out + r.err, re.M), r
        st = os.path.join(pz.home, "work", "pz.state.json")
        # written with the record before the call, then without it
        held = json.load(open(st))["resources"]
        assert held == [], held
        m = mark(sim)
        apply(pz, "-f", path).ok()
        made = [c["operation"] for c in sim.calls(m)
                if c["operation"] == "CreateDatasetGroup"]
        assert made == ["CreateDatasetGroup"], made


def test_refusal_after_a_server_error_keeps_the_record(pz_bin):
    """A create whose first attempt got a server error (the service may
    have made it) and whose retry was refused proves nothing: the record
    stays, the create is not queued for another try in this run, and the
    next apply looks for it and makes it once."""
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        sim.faults(inject=[
            {"operation": "CreateSchema", "code": "InternalFailure",
             "status": 500},
            {"operation": "CreateSchema", "code": "LimitExceededException",
             "status": 400, "message": "schemas at most", "count": 2}])
        # three attempts: the server error, then two refusals
        r = apply(pz, "-f", path, env={"AWS_MAX_ATTEMPTS": "3"})
        r.fails()
        assert "may have made it" in r.out + r.err, r
        assert "Queued" not in r.out, r
        st = os.path.join(pz.home, "work", "pz.state.json")
        recs = {x["address"]: x for x in json.load(open(st))["resources"]}
        assert recs["schema.Interactions"]["status"] == \
            "CREATE REQUESTED", recs
        m = mark(sim)
        apply(pz, "-f", path).ok()
        made = [c["operation"] for c in sim.calls(m)
                if c["operation"] == "CreateSchema" and c["status"] == 200]
        assert made == ["CreateSchema"], made


def test_failed_look_at_an_existing_one_keeps_the_record(pz_bin):
    """CreateSolution made the solution and its answer was lost; the
    retry is refused as already done, and the look at what exists is
    denied. The refusal proved the solution exists: its record stays,
    and the next apply adopts it rather than call it someone else's."""
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        pz.run("plan", "-f", path, "-out", "work/p.plan", env=FAST).ok()
        sim.faults(inject=[
            {"operation": "CreateSolution", "drop_after": True},
            {"operation": "DescribeSolution",
             "code": "AccessDeniedException", "status": 400}])
        r = apply(pz, "work/p.plan")
        r.fails()
        st = os.path.join(pz.home, "work", "pz.state.json")
        recs = {x["address"]: x for x in json.load(open(st))["resources"]}
        assert recs["solution.ups"]["status"] == "CREATE REQUESTED", recs
        m = mark(sim)
        apply(pz, "-f", path).ok()
        assert "CreateSolution" not in writes(sim, m), writes(sim, m)
        assert len([x for x in live(sim) if x["type"] == "solution"]) == 1


def test_destroy_stops_training_in_progress(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        apply(pz, "-f", path).ok()
        # A training started outside pz, slow: DeleteSolution is refused
        # while it runs, so destroy stops it first.
        # Training takes 2,520 simulated seconds: 50 s here, while the
        # whole destroy takes about 6.
        sim.control("POST", "/__sim/clock", {"time_scale": 0.02})
        sol = ("arn:aws:personalize:us-east-1:%s:solution/small-ups"
               % harness.ACCOUNT)
        harness.aws_cli(sim, "personalize", "create-solution-version",
                        "--solution-arn", sol)
        m = mark(sim)
        r = pz.run("destroy", "-f", path, "-auto-approve", env=FAST,
                   timeout=300).ok()
        assert "Destroy complete!" in r.out, r
        ops = [c["operation"] for c in sim.calls(m)]
        assert "StopSolutionVersionCreation" in ops, ops
        assert ops.index("StopSolutionVersionCreation") < \
            ops.index("DeleteSolution"), ops
        assert not refused(sim, m), refused(sim, m)
        assert live(sim) == [], live(sim)


def test_destroy_waits_for_a_solution_update(pz_bin):
    """DeleteSolution is refused while the solution's own update runs
    (an automatic-training change, here made outside pz): destroy waits
    for it, then deletes (personalize-rules.md section 4)."""
    simh = harness._simh
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        small(pz, sim)
        path = pz.write_file("work/pz.yaml", SMALL.replace(
            "@RECIPE@", "aws-user-personalization")
            .split("campaigns:")[0])
        apply(pz, "-f", path).ok()
        # The update takes 30 simulated seconds: 6 s here.
        sim.control("POST", "/__sim/clock", {"time_scale": 0.2})
        sol = ("arn:aws:personalize:us-east-1:%s:solution/small-ups"
               % harness.ACCOUNT)
        st, body = simh.personalize(sim, "UpdateSolution", {
            "solutionArn": sol, "performAutoTraining": True})
        assert st == 200, body
        m = mark(sim)
        r = pz.run("destroy", "-f", path, "-auto-approve", env=FAST,
                   timeout=300).ok()
        assert "Destroy complete!" in r.out, r
        assert not refused(sim, m), refused(sim, m)
        looks = [c for c in sim.calls(m)
                 if c["operation"] == "DescribeSolution"]
        deleted = [c for c in sim.calls(m)
                   if c["operation"] == "DeleteSolution"]
        assert len(deleted) == 1 and len(looks) >= 2, (looks, deleted)
        assert live(sim) == [], live(sim)


def test_training_waits_for_one_started_outside(pz_bin):
    """Under personalize-rules.md 9.7's answer "refuse", a planned
    CreateSolutionVersion meets a training started outside pz (an
    automatic one): the service says ResourceInUse, and apply waits for
    that training, then trains, saying so; nothing fails."""
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        apply(pz, "-f", path).ok()
        sim.control("POST", "/__sim/behaviour",
                    {"version_while_training": "refuse"})
        upload(sim, "small-data/Interactions/b.csv",
               rows_for(INTERACTIONS, 1500, 2))
        pz.run("plan", "-f", path, "-out=new-data.plan", env=FAST).ok()
        # Between the plan and its apply, a training starts outside pz.
        # It takes 2,520 simulated seconds: 12.6 s here, the import at
        # most 3 s.
        sim.control("POST", "/__sim/clock", {"time_scale": 0.005})
        sol = ("arn:aws:personalize:us-east-1:%s:solution/small-ups"
               % harness.ACCOUNT)
        harness.aws_cli(sim, "personalize", "create-solution-version",
                        "--solution-arn", sol)
        m = mark(sim)
        r = pz.run("apply", "new-data.plan", env=FAST, timeout=300).ok()
        assert "solution_version.ups: Queued: the service says it is " \
            "busy" in r.out, r
        calls = [c for c in sim.calls(m)
                 if c["operation"] == "CreateSolutionVersion"]
        assert calls[0]["error"] == "ResourceInUseException", calls
        assert calls[-1]["error"] is None, calls
        assert "Apply complete!" in r.out, r
        r = pz.run("plan", "-f", path, "-detailed-exitcode", env=FAST)
        assert r.rc == 0, r


def test_interrupt_records_what_runs_and_next_apply_waits(pz_bin):
    import signal
    import subprocess
    import time
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        # Training lasts 2,520 simulated seconds: 25 s here.
        sim.control("POST", "/__sim/clock", {"time_scale": 0.01})
        env = dict(pz.env)
        env.update(FAST)
        p = subprocess.Popen([pz_bin, "apply", "-auto-approve", "-f", path],
                             env=env, cwd=pz.home, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out = b""
        deadline = time.time() + 120
        while b"solution_version.ups: Creating..." not in out:
            line = p.stdout.readline()
            assert line and time.time() < deadline, out
            out += line
        t0 = time.time()
        p.send_signal(signal.SIGINT)
        rest, err = p.communicate(timeout=60)
        out += rest
        took = time.time() - t0
        assert p.returncode == 1, (p.returncode, out, err)
        # It stopped waiting at once, said what goes on in AWS, and
        # started nothing after the signal.
        assert took < 10, took
        err = err.decode()
        assert "Still going on in AWS" in err and \
            "solution_version.ups (creating)" in err, err
        assert b"campaign.upsCampaign: Creating" not in out, out
        assert not os.path.exists(os.path.join(pz.home, "work",
                                               "pz.state.json.lock"))
        st = json.load(open(os.path.join(pz.home, "work",
                                         "pz.state.json")))
        sv = [x for x in st["resources"]
              if x["address"] == "solution_version.ups"]
        assert sv and sv[0]["arn"], st
        trainings = [c for c in sim.calls()
                     if c["operation"] == "CreateSolutionVersion"]
        # The next apply waits for that training, never starts another.
        sim.control("POST", "/__sim/clock", {"time_scale": 0.0005})
        r = apply(pz, "-f", path).ok()
        assert "Apply complete!" in r.out, r
        assert [c for c in sim.calls()
                if c["operation"] == "CreateSolutionVersion"] == \
            trainings, "trained twice"
        r = pz.run("plan", "-f", path, "-detailed-exitcode", env=FAST)
        assert r.rc == 0, r


def test_full_import_quota_queues_the_import(pz_bin):
    import subprocess
    import time
    call = harness._simh.personalize
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        # Five other dataset groups fill the region's 5 import slots
        # (one import at a time per dataset).
        schema = {"type": "record", "name": "Interactions",
                  "namespace": "com.amazonaws.personalize.schema",
                  "fields": INTERACTIONS, "version": "1.0"}
        st, sc = call(sim, "CreateSchema", {"name": "other-i",
                                            "schema": json.dumps(schema)})
        assert st == 200, sc
        datasets = []
        for i in range(5):
            st, g = call(sim, "CreateDatasetGroup", {"name": "other%d" % i})
            assert st == 200, g
            deadline = time.time() + 60
            while True:
                st, d = call(sim, "CreateDataset", {
                    "name": "other%d-i" % i, "datasetType": "Interactions",
                    "datasetGroupArn": g["datasetGroupArn"],
                    "schemaArn": sc["schemaArn"]})
                if st == 200 or time.time() > deadline:
                    break
                time.sleep(0.2)  # the group is still being created
            assert st == 200, d
            datasets.append(d["datasetArn"])
        time.sleep(0.5)
        # Imports take 600 simulated seconds: 60 s here.
        sim.control("POST", "/__sim/clock", {"time_scale": 0.1})
        for i, arn in enumerate(datasets):
            st, j = call(sim, "CreateDatasetImportJob", {
                "jobName": "other-%d" % i, "datasetArn": arn,
                "dataSource": {"dataLocation":
                               "s3://small-data/Interactions/a.csv"},
                "roleArn": ROLE})
            assert st == 200, j
        env = dict(pz.env)
        env.update(FAST)
        p = subprocess.Popen([pz_bin, "apply", "-auto-approve", "-f", path],
                             env=env, cwd=pz.home, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out = b""
        while b"dataset_import_job.Interactions: Queued" not in out:
            line = p.stdout.readline()
            assert line, (out, p.stderr.read())
            out += line
        # The other imports finish: a slot frees, ours runs.
        sim.control("POST", "/__sim/clock", {"time_scale": 0.0005})
        rest, err = p.communicate(timeout=240)
        out = (out + rest).decode()
        assert p.returncode == 0, (out, err)
        assert "a quota is full" in out, out
        ours = [c for c in sim.calls()
                if c["operation"] == "CreateDatasetImportJob" and
                c["params"].get("jobName", "").startswith("pz-")]
        assert ours[0]["error"] == "LimitExceededException", ours
        assert [c["status"] for c in ours].count(200) == 1, ours
        assert "Apply complete! Resources: 7 added" in out, out


def _quota_queues(pz_bin, extra, sim_flags, op, want_ok, files=None):
    """SMALL plus extra, applied against a simulator with sim_flags (and
    files uploaded): op is refused for a full regional quota at least
    once, pz queues it, and it ends made want_ok times, no more (no
    duplicate)."""
    with Sim(**sim_flags) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        for key, text in (files or {}).items():
            upload(sim, key, text)
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:  # extra: more solutions, or jobs
            f.write(text.replace("campaigns:\n", extra + "campaigns:\n")
                    if extra.startswith("  ") else text + extra)
        r = apply(pz, "-f", path)
        assert r.rc == 0, r
        assert "a quota is full" in r.out, r.out
        calls = [c for c in sim.calls() if c["operation"] == op]
        assert any(c["error"] == "LimitExceededException"
                   for c in calls), calls
        assert [c["status"] for c in calls].count(200) == want_ok, calls
        assert not [x for x in refused(sim)
                    if not x.startswith(op + " LimitExceeded")], \
            refused(sim)
        r = pz.run("plan", "-f", path, "-detailed-exitcode", env=FAST)
        assert r.rc == 0, r
        return sim.state()["resources"]


def test_training_quota_queues_the_training(pz_bin):
    """The region's concurrent trainings (20; 1 here): the second
    solution's training waits for a slot, then trains once."""
    res = _quota_queues(pz_bin, "  second:\n"
                        "    name: small-second\n"
                        "    recipeArn: arn:aws:personalize:::recipe/"
                        "aws-user-personalization\n"
                        "    performAutoTraining: false\n",
                        {"time_scale": 0.002, "max_concurrent_trainings": 1},
                        "CreateSolutionVersion", 2)
    versions = [r for r in res if r["type"] == "solutionVersion"]
    assert len(versions) == 2, versions


def test_batch_inference_quota_queues_the_job(pz_bin):
    """Five batch inference jobs at most per region: a sixth waits for
    a slot, then runs once."""
    jobs = "batchInferenceJobs:\n" + "".join(
        "  job%d:\n"
        "    jobName: small-job-%d\n"
        "    jobInput: {s3DataSource: {path: s3://small-data/users.json}}\n"
        "    jobOutput: {s3DataDestination: {path: "
        "s3://small-data/out%d/}}\n"
        "    pz: {solution: ups}\n" % (i, i, i) for i in range(6))
    res = _quota_queues(pz_bin, jobs, {"time_scale": 0.002},
                        "CreateBatchInferenceJob", 6,
                        {"small-data/users.json": '{"userId": "u1"}\n'})
    done = [r for r in res if r["type"] == "batchInferenceJob"]
    assert sorted(r["status"] for r in done) == ["ACTIVE"] * 6, done


def test_confirmation_and_json(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        m = mark(sim)
        r = pz.run("apply", "-f", path, env=FAST)
        r.fails(1)
        assert "-auto-approve" in r.err, r
        r = pz.run("apply", "-f", path, "-json", env=FAST)
        r.fails(1)
        assert "-json needs -auto-approve" in r.err, r
        assert writes(sim, m) == [], writes(sim, m)
        r = apply(pz, "-f", path, "-json").ok()
        msgs = [json.loads(line) for line in r.out.splitlines()]
        types = [x["type"] for x in msgs]
        assert types.count("planned_change") == 7, types
        assert types.count("apply_start") == 7, types
        assert types.count("apply_complete") == 7, types
        assert types[-1] == "change_summary", types
        assert msgs[-1]["changes"] == {"add": 7, "change": 0, "remove": 0,
                                       "operation": "apply"}, msgs[-1]
        done = [x for x in msgs if x["type"] == "apply_complete"]
        assert all(x["hook"]["id_key"] == "arn" and
                   x["hook"]["id_value"].startswith("arn:aws:personalize:")
                   for x in done), done
        for x in msgs:
            assert {"@level", "@message", "@module", "@timestamp",
                    "type"} <= set(x), x


METRICS = """pz:
  roleArn: %s
datasetGroup: {name: metrics}
datasets:
  Interactions:
    name: metrics-interactions
    schema:
      type: record
      name: Interactions
      namespace: com.amazonaws.personalize.schema
      version: "1.0"
      fields:
        - {name: USER_ID, type: string}
        - {name: ITEM_ID, type: string}
        - {name: EVENT_TYPE, type: string}
        - {name: EVENT_VALUE, type: float}
        - {name: TIMESTAMP, type: long}
metricAttribution:
  name: metrics-attribution
  metrics:
    - {eventType: click, metricName: CLICKS, expression: SAMPLECOUNT()}
    - {eventType: buy, metricName: REVENUE, expression: @EXPR@}
  metricsOutputConfig:
    roleArn: %s
""".replace("%s", ROLE)


def test_metric_changed_is_removed_by_name_then_added(pz_bin):
    """A metric whose expression changes is removed by its metricName
    (UpdateMetricAttribution's removeMetrics holds names, not event
    types) and added again, in one update, with no refused call."""
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = pz.write_file("work/pz.yaml",
                             METRICS.replace("@EXPR@", "SAMPLECOUNT()"))
        apply(pz, "-f", path).ok()
        m = mark(sim)
        pz.write_file("work/pz.yaml", METRICS.replace(
            "@EXPR@", '"SUM(Interactions.EVENT_VALUE)"'))
        apply(pz, "-f", path).ok()
        assert refused(sim, m) == [], refused(sim, m)
        upd = [c for c in sim.calls(m)
               if c["operation"] == "UpdateMetricAttribution"]
        assert len(upd) == 1, writes(sim, m)
        assert upd[0]["params"]["removeMetrics"] == ["REVENUE"], upd
        ma = [r for r in sim.state()["resources"]
              if r["type"] == "metricAttribution"]
        listed = harness.aws_cli(
            sim, "personalize", "list-metric-attribution-metrics",
            "--metric-attribution-arn", ma[0]["arn"], parse=True)
        got = {x["metricName"]: x["expression"] for x in listed["metrics"]}
        assert got == {"CLICKS": "SAMPLECOUNT()",
                       "REVENUE": "SUM(Interactions.EVENT_VALUE)"}, got
        r = pz.run("plan", "-f", path, "-detailed-exitcode", env=FAST)
        assert r.rc == 0, r


def on_a_terminal(pz, *args, env=None):
    """Runs pz with stdout and stderr on a pseudo-terminal: (rc, what
    the terminal received)."""
    import pty
    master, slave = pty.openpty()
    e = dict(pz.env)
    e.update(FAST)
    e["TERM"] = "xterm"
    e.pop("NO_COLOR", None)
    e.update(env or {})
    p = subprocess.Popen([pz.binary] + list(args), env=e, cwd=pz.home,
                         stdin=subprocess.DEVNULL, stdout=slave,
                         stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return p.wait(timeout=300), out.decode("utf-8", "replace")


def test_live_line_on_a_terminal(pz_bin):
    """On a terminal, one live line under the progress lines says what
    runs ("1 training 00m00s"); it is erased before every progress
    line and before the summary. NO_COLOR gets plain lines."""
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = small(pz, sim)
        rc, out = on_a_terminal(pz, "apply", "-auto-approve", "-f", path)
        assert rc == 0, out
        live_lines = re.findall(r"\x1b\[2m([^\x1b]*)\x1b\[0m", out)
        assert live_lines, out
        for x in live_lines:
            assert re.fullmatch(r"\d+ [a-z]+ \d\dm\d\ds"
                                r"(, \d+ [a-z]+ \d\dm\d\ds)*", x), x
        words = {w for x in live_lines
                 for w in re.findall(r"\d+ ([a-z]+) ", x)}
        assert {"creating", "importing", "training"} <= words, words
        # Each live line is erased before the next line is printed.
        assert out.count("\x1b[2m") == out.count("\r\x1b[K"), out
        done = out.index("Apply complete!")
        assert out.rindex("\r\x1b[K") < done, out
        assert "\x1b[2m" not in out[done:], out[done:]
        rc, out = on_a_terminal(pz, "destroy", "-auto-approve", "-f", path,
                                env={"NO_COLOR": "1"})
        assert rc == 0, out
        assert "Destroy complete!" in out, out
        assert "\x1b" not in out, out


if __name__ == "__main__":
    harness.run_main()
