"""pz plan against the simulator: counts for the seed, reads but never
writes, resources made outside pz are reported (never adopted), drift,
the JSON plan against Terraform's field set, saved plans, markdown.

    python3 test_plan.py PZ_BINARY
"""
import json
import os
import time

import harness
from harness import Pz, Sim

ROOT = harness.ROOT
SEED = os.path.join(ROOT, "examples", "seed", "params.json")
WRITES = ("Create", "Update", "Delete", "Put", "Tag", "Untag", "Start",
          "Stop")


def aws(sim, *args):
    """The AWS CLI against the simulator; the parsed JSON answer."""
    return harness.aws_cli(sim, *args, parse=True)


def spec_dir(pz, name, text):
    path = pz.write_file(os.path.join("work", name), text)
    return path


def test_seed_plan_counts_and_reads_only(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        path = spec_dir(pz, "params.json", open(SEED).read())
        r = pz.run("plan", "-f", path, "-detailed-exitcode")
        assert r.rc == 2, r
        assert "Plan: 10 to add, 0 to change, 0 to destroy." in r.out, r
        # Imports and training wait for data, and say so.
        assert "solution_version.sims waits" in r.out
        assert "training waits for data" in r.out
        assert "6 resources wait (each says for what)" in r.out
        ops = sim.ops()
        assert not [o for o in ops if o.startswith(WRITES)], ops
        # Each create was checked for an unmanaged twin by its ARN.
        assert ops.count("DescribeDatasetGroup") == 1, ops


def test_identity_is_asked_beside_the_refresh(pz_bin):
    """The account (for the unmanaged-name probes of the creates) is
    asked while the refresh reads, not after: one round trip, not two,
    on a slow link (issue 17)."""
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        path = spec_dir(pz, "params.json", open(SEED).read())
        pz.run("apply", "-f", path, "-auto-approve",
               "-target=dataset_group.MovieLensDemo").ok()
        lat = 0.8
        sim.faults(latency_ms=lat * 1000)
        t0 = time.time()
        r = pz.run("plan", "-f", path)
        r.ok()
        calls = [c for c in sim.calls() if c["epoch"] >= t0]
        ops = [c["operation"] for c in calls]
        assert "GetCallerIdentity" in ops and \
            "DescribeDatasetGroup" in ops, ops
        assert ops.count("GetCallerIdentity") == 1, ops
        # The refresh's reads and the identity leave together, in the
        # first round trip: none waits for another's answer (plain
        # http is HTTP/1.1: nothing to wait for before more
        # connections open).
        first = calls[0]["epoch"]
        wave = [c for c in calls if c["operation"] in (
            "GetCallerIdentity", "DescribeDatasetGroup",
            "ListTagsForResource")]
        assert len(wave) == 3, ops
        late = [c for c in wave if c["epoch"] >= first + lat / 2]
        assert not late, (late, calls)


def test_unmanaged_resource_is_reported_not_adopted(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        aws(sim, "personalize", "create-dataset-group", "--name",
            "MovieLensDemo")
        path = spec_dir(pz, "params.json", open(SEED).read())
        r = pz.run("plan", "-f", path)
        r.fails(1)
        arn = ("arn:aws:personalize:us-east-1:%s:dataset-group/"
               "MovieLensDemo" % harness.ACCOUNT)
        assert "dataset_group.MovieLensDemo: a dataset group with this " \
               "name already exists" in r.err, r
        # The suggested command works when pasted: it names the spec.
        assert "`pz import -f %s dataset_group.MovieLensDemo %s`" % (
            path, arn) in r.err, r
        assert "Plan:" not in r.out


ITEMS_SPEC = """datasetGroup:
  name: clash
datasets:
  Items:
    name: clash-items
    schema:
      type: record
      name: Items
      namespace: com.amazonaws.personalize.schema
      fields:
        - {name: ITEM_ID, type: string}
        - {name: GENRE, type: string, categorical: true}
"""


def test_replacement_name_taken_by_unmanaged_resource(pz_bin):
    """Issue 10 item 17: a replacement whose new name is taken by a
    resource pz does not manage is an error naming it, as for a create:
    here the create-first schema of an Items schema change."""
    with Sim(time_scale=0.001) as sim:
        pz = Pz(pz_bin, sim)
        path = spec_dir(pz, "pz.yaml", ITEMS_SPEC)
        sdir = pz.write_file(os.path.join("work", "items.avsc"), json.dumps(
            {"type": "record", "name": "Items",
             "namespace": "com.amazonaws.personalize.schema",
             "fields": [{"name": "ITEM_ID", "type": "string"},
                        {"name": "GENRE", "type": "string",
                         "categorical": True}], "version": "1.0"}))
        dsg = aws(sim, "personalize", "create-dataset-group", "--name",
                  "clash")["datasetGroupArn"]
        wait_active(sim, dsg)
        schema = aws(sim, "personalize", "create-schema", "--name",
                     "clash-Items", "--schema",
                     "file://" + sdir)["schemaArn"]
        ds = aws(sim, "personalize", "create-dataset", "--name",
                 "clash-items", "--schema-arn", schema,
                 "--dataset-group-arn", dsg, "--dataset-type",
                 "Items")["datasetArn"]
        for addr, arn in (("dataset_group.clash", dsg),
                          ("schema.Items", schema), ("dataset.Items", ds)):
            pz.run("import", "-f", path, addr, arn).ok()
        # A nullable field: a new schema first, then UpdateDataset.
        changed = ITEMS_SPEC + \
            "        - {name: YEAR, type: [\"null\", int]}\n"
        with open(path, "w") as f:
            f.write(changed)
        r = pz.run("plan", "-f", path)
        r.ok()
        new = [w.strip('"') for line in r.out.splitlines()
               if "name" in line and "clash-Items-" in line
               for w in line.split() if w.startswith('"clash-Items-')]
        assert new, r.out
        # Someone else's schema under that name.
        aws(sim, "personalize", "create-schema", "--name", new[0],
            "--schema", "file://" + sdir)
        r = pz.run("plan", "-f", path)
        r.fails(1)
        assert ("schema.Items: its replacement would be named like a "
                "schema that already exists (arn:aws:personalize:"
                "us-east-1:%s:schema/%s) and is not in the state"
                % (harness.ACCOUNT, new[0])) in r.err, r
        assert "Plan:" not in r.out, r

def test_unmanaged_event_tracker_is_reported(pz_bin):
    """An event tracker's ARN holds an ID, not its name: pz lists the
    group's trackers. One of the spec's name, made outside pz, is
    reported with its import command; another (a group holds one) is
    reported too, since creating ours would fail."""
    with Sim(time_scale=0.001) as sim:
        pz = Pz(pz_bin, sim)
        arn = aws(sim, "personalize", "create-dataset-group", "--name",
                  "driftdemo")["datasetGroupArn"]
        wait_active(sim, arn)
        path = spec_dir(pz, "pz.yaml", GROUP_SPEC +
                        "eventTracker:\n  name: clicks\n")
        pz.write_file("work/pz.state.json", json.dumps(state_for(arn)))
        r = pz.run("plan", "-f", path, "-detailed-exitcode")
        assert r.rc == 2 and "event_tracker.clicks will be created" in \
            r.out, r
        tracker = aws(sim, "personalize", "create-event-tracker", "--name",
                      "clicks", "--dataset-group-arn",
                      arn)["eventTrackerArn"]
        r = pz.run("plan", "-f", path)
        r.fails(1)
        assert "event_tracker.clicks: an event tracker with this name " \
            "already exists (%s) but is not in the state" % tracker \
            in r.err, r
        assert "`pz import -f %s event_tracker.clicks %s`" % (
            path, tracker) in r.err, r
        assert "ListEventTrackers" in sim.ops()
        aws(sim, "personalize", "delete-event-tracker",
            "--event-tracker-arn", tracker)
        for _ in range(200):
            if not aws(sim, "personalize", "list-event-trackers",
                       "--dataset-group-arn", arn)["eventTrackers"]:
                break
            time.sleep(0.05)
        other = aws(sim, "personalize", "create-event-tracker", "--name",
                    "views", "--dataset-group-arn", arn)["eventTrackerArn"]
        r = pz.run("plan", "-f", path)
        r.fails(1)
        assert "event_tracker.clicks: the dataset group already has an " \
            "event tracker, 'views' (%s), which is not in the state, and " \
            "a group holds one" % other in r.err, r
        assert "Plan:" not in r.out


GROUP_SPEC = "datasetGroup:\n  name: driftdemo\n"


def state_for(arn):
    return {
        "format_version": 1, "pz_version": "test", "serial": 1,
        "lineage": "0b6f2a4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b",
        "git_commit": None,
        "resources": [{"address": "dataset_group.driftdemo",
                       "type": "dataset_group", "arn": arn,
                       "status": "ACTIVE", "attributes":
                       {"name": "driftdemo"}, "dependencies": []}]}


def wait_active(sim, arn):
    for _ in range(200):
        g = aws(sim, "personalize", "describe-dataset-group",
                "--dataset-group-arn", arn)["datasetGroup"]
        if g["status"] == "ACTIVE":
            return
        time.sleep(0.05)
    raise AssertionError("%s never became ACTIVE" % arn)


def test_refresh_no_changes_then_deleted_outside(pz_bin):
    with Sim(time_scale=0.001) as sim:
        pz = Pz(pz_bin, sim)
        arn = aws(sim, "personalize", "create-dataset-group", "--name",
                  "driftdemo")["datasetGroupArn"]
        wait_active(sim, arn)
        path = spec_dir(pz, "pz.yaml", GROUP_SPEC)
        pz.write_file("work/pz.state.json", json.dumps(state_for(arn)))
        r = pz.run("plan", "-f", path, "-detailed-exitcode")
        assert r.rc == 0, r
        assert "No changes." in r.out, r
        assert "DescribeDatasetGroup" in sim.ops()
        aws(sim, "personalize", "delete-dataset-group",
            "--dataset-group-arn", arn)
        r = pz.run("plan", "-f", path, "-detailed-exitcode")
        assert r.rc == 2, r
        assert "# dataset_group.driftdemo has been deleted" in r.out, r
        assert "# dataset_group.driftdemo will be created" in r.out, r
        assert "Plan: 1 to add, 0 to change, 0 to destroy." in r.out
        # -refresh=false trusts the state: nothing to do, no reads.
        before = len(sim.calls())
        r = pz.run("plan", "-f", path, "-refresh=false",
                   "-detailed-exitcode")
        assert r.rc == 0, r
        assert len(sim.calls()) == before


# The fields Terraform's plan JSON defines for what pz fills in
# (https://developer.hashicorp.com/terraform/internals/json-format).
TF_PLAN = {
    "type": "object",
    "required": ["format_version", "resource_changes"],
    "properties": {
        "format_version": {"type": "string", "pattern": r"^1\.\d+$"},
        "terraform_version": {"type": "string"},
        "applyable": {"type": "boolean"},
        "complete": {"type": "boolean"},
        "errored": {"type": "boolean"},
        "resource_changes": {"type": "array", "items": {"$ref": "#/rc"}},
        "resource_drift": {"type": "array", "items": {"$ref": "#/rc"}},
        "output_changes": {"type": "object"},
    },
    "rc": {
        "type": "object",
        "required": ["address", "mode", "type", "name", "change"],
        "properties": {
            "address": {"type": "string"},
            "mode": {"enum": ["managed", "data"]},
            "type": {"type": "string"},
            "name": {"type": "string"},
            "provider_name": {"type": "string"},
            "action_reason": {"enum": [
                "replace_because_tainted", "replace_because_cannot_update",
                "replace_by_request", "delete_because_no_resource_config",
                "delete_because_no_module", "delete_because_wrong_repetition",
                "delete_because_count_index", "delete_because_each_key",
                "read_because_config_unknown",
                "read_because_dependency_pending"]},
            "change": {
                "type": "object",
                "required": ["actions", "before", "after", "after_unknown"],
                "properties": {
                    "actions": {"type": "array", "items": {"enum": [
                        "no-op", "create", "read", "update", "delete"]},
                        "minItems": 1, "maxItems": 2},
                    "before": {"type": ["object", "null"]},
                    "after": {"type": ["object", "null"]},
                    "after_unknown": {"type": "object"},
                    "before_sensitive": {"type": ["boolean", "object"]},
                    "after_sensitive": {"type": ["boolean", "object"]},
                    "replace_paths": {"type": "array", "items": {
                        "type": "array"}},
                },
            },
        },
    },
}


# The plan JSON's "usage" member (docs/usage-cost.md).
USAGE_ENTRY = {
    "type": "object",
    "required": ["address", "unit", "quantity", "basis"],
    "additionalProperties": False,
    "properties": {
        "address": {"type": "string"},
        "unit": {"enum": ["TPS-hour", "request-hour", "training-hour",
                          "GB-ingested", "GB-batch-input"]},
        "quantity": {"type": ["number", "null"]},
        "basis": {"type": "string"},
        "usd": {"type": "number"},
    },
}
USAGE = {
    "type": "object",
    "required": ["monthly", "once", "delta_monthly"],
    "additionalProperties": False,
    "properties": {k: {"type": "array", "items": USAGE_ENTRY}
                   for k in ("monthly", "once", "delta_monthly")},
}


def test_plan_json_has_terraforms_fields(pz_bin):
    try:
        import jsonschema
    except ImportError:
        raise harness.Skip("python3-jsonschema missing")
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        path = spec_dir(pz, "params.json", open(SEED).read())
        r = pz.run("plan", "-f", path, "-json")
        r.ok()
        plan = json.loads(r.out)
        jsonschema.validate(plan, TF_PLAN)
        # pz's additions: its version, its notes and the usage (issue
        # 14), nothing else at the top.
        extra = set(plan) - set(TF_PLAN["properties"])
        assert extra == {"pz_version", "pz_notes", "usage"}, extra
        jsonschema.validate(plan["usage"], USAGE)
        creates = [c for c in plan["resource_changes"]
                   if c["change"]["actions"] == ["create"]]
        assert len(creates) == 10
        assert all(c["change"]["after_unknown"].get("arn") for c in creates)
        ds = [c for c in creates if c["address"] == "dataset.Interactions"]
        assert ds[0]["change"]["after_unknown"]["datasetGroupArn"] is True
        assert "datasetGroupArn" not in ds[0]["change"]["after"]


def test_saved_plan_and_markdown(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        path = spec_dir(pz, "params.json", open(SEED).read())
        out = os.path.join(pz.home, "work", "seed.plan")
        r = pz.run("plan", "-f", path, "-out=" + out)
        r.ok()
        assert "Saved the plan to: " + out in r.out
        saved = json.load(open(out))
        assert saved["pz_plan_format"] == 4
        # Made outside any git work tree: it records no commit.
        assert saved["git"] is None
        # The saved plan holds the operation graph apply will run.
        assert [o["op"] for o in saved["operations"]].count("create") == 10
        assert all(a < i for i, o in enumerate(saved["operations"])
                   for a in o["after"])
        assert len(saved["spec_digest"]) == 64
        assert len([c for c in saved["changes"]
                    if c["action"] == "create"]) == 10
        # pz show renders the saved plan as plan did, and its JSON.
        shown = pz.run("show", out)
        shown.ok()
        assert "Plan: 10 to add, 0 to change, 0 to destroy." in shown.out
        assert "warning" not in shown.err, shown
        shown = pz.run("show", "-json", out)
        shown.ok()
        assert len(json.loads(shown.out)["resource_changes"]) == 16
        # The spec changes: the plan is stale, and show says so.
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("MovieLensDemoEventTracker", "Tracker2"))
        shown = pz.run("show", out)
        shown.ok()
        assert "the saved plan is stale: the spec" in shown.err, shown
        with open(path, "w") as f:
            f.write(text)
        r = pz.run("plan", "-f", path, "-format=markdown")
        r.ok()
        # The marker a CI step finds its comment by, then the summary.
        first, rest = r.out.split("\n", 1)
        assert first == "<!-- pz-plan: %s -->" % path, r.out
        assert rest.startswith("### pz plan: 10 to add, 0 to change, "
                               "0 to destroy")
        assert "<details>" in r.out and len(r.out) <= 65536
        # A saved plan whose graph was edited is refused, not shown.
        saved = json.load(open(out))
        ops = saved["operations"]
        last = len(ops) - 1
        for edit in (lambda: ops[0]["after"].append(last),
                     lambda: ops.append(dict(ops[0])),
                     lambda: ops[0].update(op="delete"),
                     lambda: ops.pop()):
            before = json.dumps(saved)
            edit()
            bad = out + ".bad"
            with open(bad, "w") as f:
                json.dump(saved, f)
            shown = pz.run("show", bad)
            assert shown.rc == 1, shown
            assert "not a valid saved plan" in shown.err, shown
            saved = json.loads(before)
            ops = saved["operations"]



def test_usage_and_prices(pz_bin):
    """Issue 14 end to end: each of the seed's three campaigns bills
    730 TPS-hours a month, in USD with -prices (or pz.prices); a prices file with a
    mistake fails before any AWS call, at its line; -usage=false."""
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        path = spec_dir(pz, "params.json", open(SEED).read())
        prices = pz.write_file(os.path.join("work", "prices.yaml"),
                               "region: us-east-1\nTPS-hour: 0.2\n")
        r = pz.run("plan", "-f", path, "-json", "-prices=" + prices)
        r.ok()
        usage = json.loads(r.out)["usage"]
        camp = [e for e in usage["monthly"] if e["unit"] == "TPS-hour"]
        assert len(camp) == 3, usage
        assert all(e["quantity"] == 730 and e["usd"] == 146
                   for e in camp), usage
        # Automatic training left on, never trained: hours unknown.
        train = [e for e in usage["monthly"]
                 if e["unit"] == "training-hour"]
        assert len(train) == 3 and all(e["quantity"] is None
                                       and "usd" not in e
                                       for e in train), usage
        assert [e["quantity"] for e in usage["delta_monthly"]
                if e["unit"] == "TPS-hour"] == [730] * 3, usage
        r = pz.run("plan", "-f", path, "-prices=" + prices)
        r.ok()
        assert "Usage in AWS's billing units" in r.out, r
        assert "each month: $438.00, plus what is not priced" in r.out, r
        # The spec's pz.prices, relative to the spec.
        spec = json.loads(open(SEED).read())
        spec.setdefault("pz", {})["prices"] = "prices.yaml"
        path2 = spec_dir(pz, "priced.json", json.dumps(spec))
        r = pz.run("plan", "-f", path2, "-format=markdown")
        r.ok()
        assert "### Cost" in r.out and "**$438.00** + not priced" \
            in r.out, r
        # A mistake: an error at its line, before any call.
        bad = pz.write_file(os.path.join("work", "bad.yaml"),
                            "TPS-hour: 0.2\ntraining-hours: 0.24\n")
        before = len(sim.calls())
        r = pz.run("plan", "-f", path, "-prices=" + bad)
        r.fails(1)
        assert bad + ":2:1: error: 'training-hours' is no billing unit" \
            in r.err, r
        assert len(sim.calls()) == before
        # -usage=false: none, and the prices file is not read.
        r = pz.run("plan", "-f", path, "-json", "-usage=false",
                   "-prices=" + bad)
        r.ok()
        assert "usage" not in json.loads(r.out)
        # A saved plan keeps its usage for pz show.
        out = os.path.join(pz.home, "work", "priced.plan")
        r = pz.run("plan", "-f", path, "-prices=" + prices, "-out=" + out)
        r.ok()
        r = pz.run("show", out)
        r.ok()
        assert "each month: $438.00" in r.out, r


if __name__ == "__main__":
    harness.run_main()
