"""Adopting a running stack costs nothing (issue 10): resources made with
the AWS CLI (bucket and CSV, dataset group, schema, dataset, import job,
trained version, campaign; the solution by a signed request, as the CLI
may predate performAutoTraining) are imported with `pz import`, and
`pz plan -detailed-exitcode` then exits 0: no import, no training, no
campaign update. A version the service trains by itself (automatic
training) is followed by the next plan without training again.

    python3 test_adopt.py PZ_BINARY [TEST...]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Pz, Sim  # noqa: E402

simh = harness._simh
BUCKET = "pz-adopt-data"
ROLE = "arn:aws:iam::123456789012:role/PersonalizeS3"
RECIPE = "arn:aws:personalize:::recipe/aws-user-personalization"

SPEC = """pz:
  region: us-east-1
  dataLocation: s3://%s/
  roleArn: %s
tags:
  team: recs
datasetGroup:
  name: adopt
datasets:
  Interactions:
    name: adopt-interactions
    schema: %s
solutions:
  ups:
    name: adopt-ups
    recipeArn: %s
    performAutoTraining: %s
campaigns:
  upsCampaign:
    name: adopt-campaign
    minProvisionedTPS: 1
"""


def _wait(cli, what, flag, arn, key):
    def check():
        d = cli.json("personalize", "describe-" + what, flag, arn)[key]
        assert "FAILED" not in d["status"], d
        return d if d["status"] == "ACTIVE" else None
    return simh.wait_for(check, 120, 0.02)


def _stack(sim, auto_training):
    """The stack as someone made it with the AWS CLI; its ARNs."""
    try:
        cli = simh.Cli(sim)
    except Exception as e:  # no AWS CLI on this machine
        raise harness.Skip("no AWS CLI: %s" % e)
    aws = cli.json
    path = os.path.join(cli.dir, "interactions.csv")
    with open(path, "w") as f:
        f.write(simh.make_interactions())
    cli.run("s3", "mb", "s3://" + BUCKET)
    cli.run("s3", "cp", path, "s3://%s/Interactions/part-1.csv" % BUCKET)
    arns = {}
    dsg = aws("personalize", "create-dataset-group", "--name",
              "adopt")["datasetGroupArn"]
    _wait(cli, "dataset-group", "--dataset-group-arn", dsg, "datasetGroup")
    schema_file = os.path.join(cli.dir, "schema.json")
    with open(schema_file, "w") as f:
        f.write(simh.INTERACTIONS_SCHEMA)
    schema = aws("personalize", "create-schema", "--name",
                 "adopt-Interactions", "--schema",
                 "file://" + schema_file)["schemaArn"]
    ds = aws("personalize", "create-dataset", "--name", "adopt-interactions",
             "--schema-arn", schema, "--dataset-group-arn", dsg,
             "--dataset-type", "Interactions")["datasetArn"]
    _wait(cli, "dataset", "--dataset-arn", ds, "dataset")
    job = aws("personalize", "create-dataset-import-job", "--job-name",
              "by-hand-1", "--dataset-arn", ds, "--data-source",
              "dataLocation=s3://%s/Interactions/" % BUCKET, "--role-arn",
              ROLE)["datasetImportJobArn"]
    _wait(cli, "dataset-import-job", "--dataset-import-job-arn", job,
          "datasetImportJob")
    # This AWS CLI may predate performAutoTraining: a signed request.
    st, body = simh.personalize(sim, "CreateSolution", {
        "name": "adopt-ups", "datasetGroupArn": dsg, "recipeArn": RECIPE,
        "performAutoTraining": auto_training})
    assert st == 200, body
    sol = body["solutionArn"]
    _wait(cli, "solution", "--solution-arn", sol, "solution")
    if auto_training:
        # The service trains the first version itself.
        def first():
            v = cli.json("personalize", "list-solution-versions",
                         "--solution-arn", sol)["solutionVersions"]
            return v[0]["solutionVersionArn"] if v else None
        sv = simh.wait_for(first, 120, 0.05)
    else:
        sv = aws("personalize", "create-solution-version",
                 "--solution-arn", sol)["solutionVersionArn"]
    _wait(cli, "solution-version", "--solution-version-arn", sv,
          "solutionVersion")
    camp = aws("personalize", "create-campaign", "--name", "adopt-campaign",
               "--solution-version-arn", sv, "--min-provisioned-tps",
               "1")["campaignArn"]
    _wait(cli, "campaign", "--campaign-arn", camp, "campaign")
    arns.update({"dataset_group.adopt": dsg,
                 "schema.Interactions": schema,
                 "dataset.Interactions": ds,
                 "solution.ups": sol,
                 "campaign.upsCampaign": camp})
    for arn in (dsg, ds, sol, camp):
        st, body = simh.personalize(sim, "TagResource", {
            "resourceArn": arn,
            "tags": [{"tagKey": "team", "tagValue": "recs"}]})
        assert st == 200, body
    return cli, arns, sv, job


def _adopt(pz_bin, sim, auto_training):
    cli, arns, sv, job = _stack(sim, auto_training)
    pz = Pz(pz_bin, sim)
    path = pz.write_file("proj/pz.yaml", SPEC % (
        BUCKET, ROLE, simh.INTERACTIONS_SCHEMA, RECIPE,
        "true" if auto_training else "false"))
    for addr in ("dataset_group.adopt", "schema.Interactions",
                 "dataset.Interactions", "solution.ups",
                 "campaign.upsCampaign"):
        r = pz.run("import", "-f", path, addr, arns[addr])
        assert r.rc == 0, r
        assert "Imported %s" % addr in r.out, r
    state = json.load(open(os.path.join(pz.home, "proj", "pz.state.json")))
    got = {x["address"]: x for x in state["resources"]}
    # The dataset's latest import and the solution's version came along.
    assert got["dataset_import_job.Interactions"]["arn"] == job, got
    assert got["solution_version.ups"]["arn"] == sv, got
    assert got["dataset_import_job.Interactions"]["pz"]["data_digest"]
    return cli, pz, path, arns, sv


def test_adopted_stack_plans_nothing_and_tag_drift_shows(pz_bin):
    with Sim(time_scale="0.0005", seed="11") as sim:
        _, pz, path, arns, _ = _adopt(pz_bin, sim, False)
        r = pz.run("plan", "-f", path, "-detailed-exitcode")
        assert r.rc == 0, r
        assert "No changes." in r.out, r
        # The service's defaults pz import recorded (performHPO,
        # performAutoML, ...) are not members the spec took out.
        assert "no longer in the spec" not in r.out + r.err, r
        recs = {x["address"]: x for x in json.load(open(os.path.join(
            os.path.dirname(path), "pz.state.json")))["resources"]}
        assert recs["solution.ups"]["pz"]["described"] is True, recs
        ops = sim.ops()
        # Refresh read the tags and the solution's versions.
        assert "ListTagsForResource" in ops, ops
        assert "ListSolutionVersions" in ops, ops
        # Tags removed outside pz are drift, and put back.
        st, body = simh.personalize(sim, "UntagResource", {
            "resourceArn": arns["campaign.upsCampaign"],
            "tagKeys": ["team"]})
        assert st == 200, body
        r = pz.run("plan", "-f", path, "-detailed-exitcode")
        assert r.rc == 2, r
        assert "campaign.upsCampaign has changed" in r.out, r
        assert "campaign.upsCampaign will be updated in-place" in r.out, r
        assert "tagValue" in r.out, r
        # Once an apply records what it sent, the mark is gone.
        pz.run("apply", "-auto-approve", "-f", path,
               env={"PZ_POLL_MIN_MS": "20", "PZ_POLL_MAX_MS": "100"}).ok()
        recs = {x["address"]: x for x in json.load(open(os.path.join(
            os.path.dirname(path), "pz.state.json")))["resources"]}
        assert "described" not in recs["campaign.upsCampaign"].get(
            "pz", {}), recs["campaign.upsCampaign"]
        assert recs["solution.ups"]["pz"]["described"] is True, recs


def test_automatic_training_is_followed(pz_bin):
    with Sim(time_scale="0.0005", seed="12") as sim:
        cli, pz, path, arns, sv = _adopt(pz_bin, sim, True)
        r = pz.run("plan", "-f", path, "-detailed-exitcode")
        assert r.rc == 0, r
        # New data, then the service trains a version of its own
        # (trainingType AUTOMATIC) on its schedule.
        more = os.path.join(cli.dir, "more.csv")
        with open(more, "w") as f:
            f.write(simh.make_interactions(seed=2))
        cli.run("s3", "cp", more, "s3://%s/Interactions/part-2.csv" % BUCKET)
        job = cli.json("personalize", "create-dataset-import-job",
                       "--job-name", "by-hand-2", "--dataset-arn",
                       arns["dataset.Interactions"], "--data-source",
                       "dataLocation=s3://%s/Interactions/" % BUCKET,
                       "--role-arn", ROLE)["datasetImportJobArn"]
        _wait(cli, "dataset-import-job", "--dataset-import-job-arn", job,
              "datasetImportJob")
        sim.control("POST", "/__sim/clock", {"advance_s": 8 * 86400})

        # A signed request, not the AWS CLI: Debian's CLI (2022 models)
        # drops trainingType from ListSolutionVersions' summaries.
        def automatic():
            st, body = simh.personalize(sim, "ListSolutionVersions", {
                "solutionArn": arns["solution.ups"]})
            assert st == 200, body
            return [v for v in body["solutionVersions"]
                    if v.get("trainingType") == "AUTOMATIC" and
                    v["solutionVersionArn"] != sv] or None
        auto = simh.wait_for(automatic, 60, 0.1)
        assert auto, "no second AUTOMATIC version after new data and 8 " \
            "simulated days"
        newest = max(auto, key=lambda v: v["creationDateTime"])
        _wait(cli, "solution-version", "--solution-version-arn",
              newest["solutionVersionArn"], "solutionVersion")
        r = pz.run("plan", "-f", path, "-detailed-exitcode")
        # It follows the new version (a campaign update), trains nothing.
        assert r.rc == 2, r
        assert "solution_version.ups will be created" not in r.out, r
        assert newest["solutionVersionArn"] in r.out, r
        assert "campaign.upsCampaign will be updated in-place" in r.out, r


if __name__ == "__main__":
    harness.run_main()
