"""pz import ADDR ARN against the simulator: what it records (ARN,
status, the create-request members of the Describe answer, the spec's
dependencies), what it refuses (undeclared address, wrong ARN type, an
address or ARN already in the state, a resource that does not exist),
and three concurrent imports through the lock.

    python3 test_state_import.py PZ_BINARY [TEST...]
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Pz, Sim  # noqa: E402
from state_helpers import check_state, personalize, wait_active  # noqa

SCHEMA = {"type": "record", "name": "Interactions",
          "namespace": "com.amazonaws.personalize.schema",
          "fields": [{"name": "USER_ID", "type": "string"},
                     {"name": "ITEM_ID", "type": "string"},
                     {"name": "TIMESTAMP", "type": "long"}],
          "version": "1.0"}

SPEC = """pz:
  region: us-east-1
datasetGroup: {name: demo}
datasets:
  Interactions:
    name: demo-interactions
    schema: %s
""" % json.dumps(SCHEMA)


def _live(sim):
    """A dataset group, a schema and a dataset, made behind pz's back."""
    url = sim.url
    dsg = personalize(url, "CreateDatasetGroup",
                      {"name": "demo"})["datasetGroupArn"]
    wait_active(url, "DescribeDatasetGroup", "datasetGroupArn", dsg,
                "datasetGroup")
    schema = personalize(url, "CreateSchema",
                         {"name": "demo-Interactions",
                          "schema": json.dumps(SCHEMA)})["schemaArn"]
    ds = personalize(url, "CreateDataset",
                     {"name": "demo-interactions", "schemaArn": schema,
                      "datasetGroupArn": dsg,
                      "datasetType": "Interactions"})["datasetArn"]
    wait_active(url, "DescribeDataset", "datasetArn", ds, "dataset")
    return dsg, schema, ds


def _setup(pz_bin, sim):
    pz = Pz(pz_bin, sim)
    pz.proj = os.path.join(pz.home, "proj")
    pz.write_file("proj/pz.yaml", SPEC)
    pz.state = os.path.join(pz.proj, "pz.state.json")
    return pz


def _run(pz, *args):
    return pz.run(*args, cwd=pz.proj)


def _state(pz):
    with open(pz.state) as f:
        return check_state(f.read())


def test_import_records_the_live_resource(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        dsg, schema, ds = _live(sim)
        pz = _setup(pz_bin, sim)
        seq = len(sim.calls())
        r = _run(pz, "import", "dataset.Interactions", ds).ok()
        assert "Imported dataset.Interactions: %s (ACTIVE)." % ds in r.out, r
        # Whose account the credentials are, then the resource; Describe
        # returns no tags: they are read on their own.
        assert sim.ops(seq) == ["GetCallerIdentity", "DescribeDataset",
                                "ListTagsForResource"], \
            sim.ops(seq)
        st = _state(pz)
        assert st["serial"] == 1, st
        (res,) = st["resources"]
        assert res["address"] == "dataset.Interactions" and \
            res["type"] == "dataset" and res["arn"] == ds and \
            res["status"] == "ACTIVE", res
        # The Describe answer's members that CreateDataset takes.
        # (datasetType as the service answers it: upper case.)
        assert res["attributes"] == {"datasetGroupArn": dsg,
                                     "datasetType": "INTERACTIONS",
                                     "name": "demo-interactions",
                                     "schemaArn": schema}, res
        # Its dependencies in the spec's graph.
        assert res["dependencies"] == ["dataset_group.demo",
                                       "schema.Interactions"], res
        assert not os.path.exists(pz.state + ".lock")

        # Refusals: nothing written, the lock released.
        r = _run(pz, "import", "dataset.Interactions", ds).fails()
        assert "already in the state" in r.err and \
            "pz state rm dataset.Interactions" in r.err, r
        r = _run(pz, "import", "dataset_group.dem", dsg).fails()
        assert "dataset_group.dem is not declared in" in r.err, r
        assert "did you mean dataset_group.demo?" in r.err, r
        r = _run(pz, "import", "dataset_group.demo", schema).fails()
        assert "is not a dataset_group ARN (dataset-group/...)" in r.err, r
        # An ARN of another region or account is refused, naming both.
        r = _run(pz, "import", "dataset_group.demo",
                 dsg.replace(":us-east-1:", ":eu-west-1:")).fails()
        assert "the ARN is in region eu-west-1, but this spec works in " \
            "us-east-1" in r.err, r
        r = _run(pz, "import", "dataset_group.demo",
                 dsg.replace(":%s:" % harness.ACCOUNT,
                             ":999999999999:")).fails()
        assert "the ARN is in account 999999999999, but the credentials " \
            "are of account %s" % harness.ACCOUNT in r.err, r
        r = _run(pz, "import", "schema.Interactions", "arn:aws:s3:::b").fails()
        assert "is not an Amazon Personalize ARN" in r.err, r
        r = _run(pz, "import", "dataset_group.demo",
                 dsg.replace("/demo", "/nope")).fails()
        assert "ResourceNotFoundException" in r.err, r
        assert _state(pz)["serial"] == 1
        assert not os.path.exists(pz.state + ".lock")

        # One ARN, one address.
        _run(pz, "import", "dataset_group.demo", dsg).ok()
        _run(pz, "state", "rm", "dataset_group.demo").ok()
        _run(pz, "import", "schema.Interactions", schema).ok()
        r = _run(pz, "state", "show", "-json", "schema.Interactions").ok()
        attrs = r.json()["attributes"]
        assert attrs["name"] == "demo-Interactions" and \
            json.loads(attrs["schema"]) == SCHEMA, attrs
        assert _state(pz)["serial"] == 4

        # Everything imported: the plan has nothing to do (datasetType
        # INTERACTIONS is the spec's Interactions).
        _run(pz, "import", "dataset_group.demo", dsg).ok()
        r = _run(pz, "plan", "-detailed-exitcode")
        assert r.rc == 0 and "No changes." in r.out, r


def test_import_tracker_with_an_id_arn(pz_bin):
    """An event tracker's ARN ends with an id, not its name: imported,
    the plan has nothing to do."""
    with Sim(time_scale=0) as sim:
        url = sim.url
        dsg = personalize(url, "CreateDatasetGroup",
                          {"name": "demo"})["datasetGroupArn"]
        personalize(url, "ListDatasetGroups", {})  # ACTIVE at time scale 0
        tr = personalize(url, "CreateEventTracker", {
            "name": "demo-tracker", "datasetGroupArn": dsg})
        assert not tr["eventTrackerArn"].endswith("demo-tracker"), tr
        pz = _setup(pz_bin, sim)
        pz.write_file("proj/pz.yaml", "datasetGroup: {name: demo}\n"
                      "eventTracker: {name: demo-tracker}\n")
        _run(pz, "import", "dataset_group.demo", dsg).ok()
        _run(pz, "import", "event_tracker.demo-tracker",
             tr["eventTrackerArn"]).ok()
        r = _run(pz, "plan", "-detailed-exitcode")
        assert r.rc == 0 and "No changes." in r.out, r


def test_concurrent_imports_through_the_lock(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        arns = dict(zip(("dataset_group.demo", "schema.Interactions",
                         "dataset.Interactions"), _live(sim)))
        pz = _setup(pz_bin, sim)
        procs = [subprocess.Popen([pz_bin, "import", "-lock-timeout=30s",
                                   addr, arn], env=pz.env, cwd=pz.proj,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
                 for addr, arn in arns.items()]
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, (out, err)
        st = _state(pz)
        assert st["serial"] == 3, st
        assert {x["address"]: x["arn"] for x in st["resources"]} == arns


if __name__ == "__main__":
    harness.run_main()
