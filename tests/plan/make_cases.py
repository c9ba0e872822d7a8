#!/usr/bin/env python3
"""Makes the plan golden cases' inputs from one base spec.

    tests/plan/make_cases.py BUILD_DIR     (then PZ_UPDATE_GOLDEN=1 ctest -L plan)

Each case is a directory under cases/ with spec.yaml, state.json and
live.json. States are what apply would record for the base spec
(plan_case -record); live.json describes the service as refresh would
see it. The expected renderings (plan.txt, plan.json, plan.md) are made
by golden.sh with PZ_UPDATE_GOLDEN=1 and reviewed by hand.
"""
import copy
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
BASE = os.path.join(CASES, "create-all")
NOW = 1800000000
DAY = 86400
D1 = "1" * 64
D2 = "2" * 64
D3 = "3" * 64


def run_record(binary, spec, state, live, out):
    subprocess.run([binary, spec, state, live, "json", "-record", out],
                   check=True, stdout=subprocess.DEVNULL)


def live_from_state(state, data=None, now=NOW):
    """The service as refresh sees it when it matches the state."""
    res = {}
    for r in state["resources"]:
        attrs = {k: v for k, v in r["attributes"].items() if k != "tags"}
        res[r["address"]] = {"exists": True, "arn": r["arn"],
                             "status": "ACTIVE", "attrs": attrs}
    for addr, digest, n in data or []:
        res.setdefault(addr, {})["data"] = {"digest": digest, "objects": n}
    return {"refreshed": True, "now": now, "resources": res}


def write(case, spec_text, state, live, args=None, files=None):
    d = os.path.join(CASES, case)
    os.makedirs(d, exist_ok=True)
    for name, text in (files or {}).items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    if args:
        with open(os.path.join(d, "args"), "w") as f:
            f.write(args + "\n")
    with open(os.path.join(d, "spec.yaml"), "w") as f:
        f.write(spec_text)
    if state is not None:
        with open(os.path.join(d, "state.json"), "w") as f:
            json.dump(state, f, indent=2, sort_keys=True)
            f.write("\n")
    with open(os.path.join(d, "live.json"), "w") as f:
        json.dump(live, f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    binary = os.path.join(sys.argv[1], "tests", "plan", "plan_case")
    spec = open(os.path.join(BASE, "spec.yaml")).read()
    tmp = os.path.join(CASES, ".applied.json")
    run_record(binary, os.path.join(BASE, "spec.yaml"), "-",
               os.path.join(BASE, "live.json"), tmp)
    state = json.load(open(tmp))
    os.unlink(tmp)
    data = [("dataset_import_job.Interactions", D1, 3),
            ("dataset_import_job.Items", D2, 1)]
    same = live_from_state(state, data)

    write("no-changes", spec, state, same)
    write("campaign-update", spec.replace("minProvisionedTPS: 1",
                                          "minProvisionedTPS: 2"),
          state, same)
    write("forced-replacement",
          spec.replace("recipe/aws-user-personalization",
                       "recipe/aws-user-personalization-v2"), state, same)
    write("delete", spec.split("filters:")[0], state, same)

    drift = copy.deepcopy(same)
    drift["resources"]["campaign.upsCampaign"]["attrs"]["minProvisionedTPS"] = 3
    drift["resources"]["event_tracker.tracker"] = {"exists": False}
    write("drift", spec, state, drift)

    changed = live_from_state(state, [("dataset_import_job.Interactions",
                                       D3, 4),
                                      ("dataset_import_job.Items", D2, 1)])
    write("data-changed", spec, state, changed)

    write("maxage", spec, state, live_from_state(state, data,
                                                 now=NOW + 8 * DAY))

    guarded = spec.replace(
        "      promote:",
        "      lifecycle: {preventDestroy: true}\n      promote:").replace(
        "    name: ups\n    minProvisionedTPS",
        "    name: ups-renamed\n    minProvisionedTPS")
    write("prevent-destroy", guarded, state, same)

    write("schema-change",
          spec.replace("        - {name: GENRE, type: string, "
                       "categorical: true}\n",
                       "        - {name: GENRE, type: string, "
                       "categorical: true}\n        - {name: YEAR, "
                       "type: int}\n"), state, same)

    # Adding a field that accepts null to Items: UpdateDataset, data kept.
    write("schema-change-nullable",
          spec.replace("        - {name: GENRE, type: string, "
                       "categorical: true}\n",
                       "        - {name: GENRE, type: string, "
                       "categorical: true}\n        - {name: YEAR, "
                       "type: [\"null\", int]}\n"), state, same)
    # Interactions cannot change its schema in place: the dataset is
    # replaced, and the event tracker, filters and campaigns with it.
    write("schema-change-interactions",
          spec.replace("        - {name: TIMESTAMP, type: long}\n",
                       "        - {name: TIMESTAMP, type: long}\n"
                       "        - {name: EVENT_VALUE, "
                       "type: [\"null\", float]}\n"), state, same)
    write("filter-rename", spec.replace("- name: no-clicks",
                                        "- name: no-clicks-v2"),
          state, same)
    # A new event tracker (its key is its name): a new trackingId.
    write("event-tracker-replace",
          spec.replace("eventTracker:\n  name: tracker",
                       "eventTracker:\n  name: tracker-v2"),
          state, same)
    # Eleven filters: Personalize allows ten per dataset group.
    many = spec + "".join(
        "  - name: f%d\n    filterExpression: EXCLUDE ItemID WHERE "
        "Interactions.EVENT_TYPE IN (\"e%d\")\n" % (i, i)
        for i in range(10))
    write("filter-quota", many, state, same)
    write("destroy-all", spec, state, same, args="-destroy")
    write("destroy-target-group", spec, state, same,
          args="-destroy -target=dataset_group.demo")

    ignoring = spec.replace("minProvisionedTPS: 1",
                            "minProvisionedTPS: 5").replace(
        "      promote:",
        "      lifecycle: {ignoreChanges: [minProvisionedTPS]}\n"
        "      promote:")
    write("ignore-changes", ignoring, state, drift)

    failed = copy.deepcopy(same)
    failed["resources"]["solution_version.ups"]["status"] = "CREATE FAILED"
    failed["resources"]["solution_version.ups"]["failureReason"] = \
        "Insufficient data: 12 users with 2 or more interactions; 25 needed"
    failed["resources"]["filter.no-clicks"]["status"] = "CREATE FAILED"
    failed["resources"]["filter.no-clicks"]["failureReason"] = \
        "Internal failure"
    write("failed-outside", spec, state, failed)

    tainted = copy.deepcopy(state)
    for r in tainted["resources"]:
        if r["address"] == "filter.no-clicks":
            r["tainted"] = True
    write("tainted", spec, tainted, same)

    write("no-refresh", spec, state, {"refreshed": False, "now": NOW})

    more_cases(binary, spec, state, data, same)
    recommender_cases(binary)
    promote_cases(spec, state, data)
    usage_cases(spec, state, data, same)
    interrupted_cases(spec, state, same)

    seed = open(os.path.join(HERE, "..", "..", "examples", "seed",
                             "params.json")).read()
    write("seed-no-data", seed, None, {"refreshed": True, "now": NOW})


def record(binary, spec_text, live=None):
    """The state apply would leave for spec_text (from nothing)."""
    tmp = os.path.join(CASES, ".applied.json")
    spec_path = os.path.join(CASES, ".spec.yaml")
    live_path = os.path.join(CASES, ".live.json")
    with open(spec_path, "w") as f:
        f.write(spec_text)
    with open(live_path, "w") as f:
        json.dump(live or json.load(open(os.path.join(BASE, "live.json"))),
                  f)
    run_record(binary, spec_path, "-", live_path, tmp)
    st = json.load(open(tmp))
    for p in (tmp, spec_path, live_path):
        os.unlink(p)
    return st


def meta(state, address):
    for r in state["resources"]:
        if r["address"] == address:
            return r.setdefault("pz", {})
    raise KeyError(address)


def obj(key, etag, size):
    return {"key": key, "etag": etag, "size": size}


BATCH = """batchInferenceJobs:
  nightly:
    jobName: nightly-picks
    numResults: 25
    jobInput: {s3DataSource: {path: "s3://demo-data/batch/users.json"}}
    jobOutput: {s3DataDestination: {path: "s3://demo-data/batch/out/"}}
    pz: {solution: ups}
"""


def more_cases(binary, spec, state, data, same):
    """Cases for the service's rules (issue 10)."""
    # 4: automatic training settings do not change the model; turning
    # it on starts a training within the hour (the service's, not pz's).
    write("auto-training-on",
          spec.replace("performAutoTraining: false",
                       "performAutoTraining: true"), state, same)

    # 5: automatic training on (the default): pz does not train on data
    # or age, follows the version the service trained, waits for one
    # that is training.
    auto = spec.replace("    performAutoTraining: false\n", "")
    # The state of a solution whose version pz trained before automatic
    # training was left to its default: recording the automatic spec
    # from nothing would hold no version (pz does not train the first
    # one then; the service does).
    auto_state = copy.deepcopy(state)
    for r in auto_state["resources"]:
        if r["address"] == "solution.ups":
            del r["attributes"]["performAutoTraining"]
    followed = live_from_state(auto_state, [
        ("dataset_import_job.Interactions", D3, 4),
        ("dataset_import_job.Items", D2, 1)], now=NOW + 8 * DAY)
    v = followed["resources"]["solution_version.ups"]
    v["arn"] = ("arn:aws:personalize:us-east-1:123456789012:solution/ups/"
                "5a1b2c3d")
    v["attrs"]["trainingType"] = "AUTOMATIC"
    v["attrs"]["trainingMode"] = "AUTOTRAIN"
    v["created"] = NOW + 7 * DAY
    write("auto-training-follows", auto, auto_state, followed)
    training = copy.deepcopy(followed)
    training["resources"]["solution_version.ups"]["status"] = \
        "CREATE IN_PROGRESS"
    write("auto-training-in-progress", auto, auto_state, training)

    # 6: a campaign that syncs with $LATEST is not moved by pz.
    sync = spec.replace(
        "    minProvisionedTPS: 1\n    pz:\n      promote: {metric: "
        "normalized_discounted_cumulative_gain_at_25, minDelta: 0.01}\n",
        "    minProvisionedTPS: 1\n    campaignConfig: "
        "{syncWithLatestSolutionVersion: true}\n")
    sync_state = record(binary, sync)
    write("sync-latest", sync, sync_state, live_from_state(sync_state, [
        ("dataset_import_job.Interactions", D3, 4),
        ("dataset_import_job.Items", D2, 1)]))
    write("sync-promote", sync.replace(
        "{syncWithLatestSolutionVersion: true}\n",
        "{syncWithLatestSolutionVersion: true}\n    pz:\n      promote: "
        "{metric: normalized_discounted_cumulative_gain_at_25}\n"),
        None, {"refreshed": True, "now": NOW})

    # 7: UPDATE only for a dataChange; maxAge, configChange train FULL.
    update = spec.replace("maxAge], maxAge: 7d}",
                          "maxAge], maxAge: 7d, trainingMode: UPDATE}")
    write("training-mode-maxage", update, state,
          live_from_state(state, data, now=NOW + 8 * DAY))
    write("training-mode-data", update, state, live_from_state(state, [
        ("dataset_import_job.Interactions", D3, 4),
        ("dataset_import_job.Items", D2, 1)]))
    write("training-mode-autotrain",
          spec.replace("maxAge], maxAge: 7d}",
                       "maxAge], maxAge: 7d, trainingMode: AUTOTRAIN}"),
          None, {"refreshed": True, "now": NOW})

    # 8: data A -> B -> A: imported again, under a name of its own.
    aba = copy.deepcopy(state)
    meta(aba, "dataset_import_job.Interactions").update(
        {"data_digest": D3, "data_objects": 4, "import_seq": 2})
    write("import-names", spec, aba, same)

    # 9: INCREMENTAL imports send only the new objects.
    inc = spec.replace(
        "  Interactions:\n    name: interactions\n",
        "  Interactions:\n    name: interactions\n    pz:\n      import: "
        "{importMode: INCREMENTAL}\n")
    old = [obj("Interactions/2026-01.csv", "e1", 1000),
           obj("Interactions/2026-02.csv", "e2", 2000),
           obj("Interactions/2026-03.csv", "e3", 3000)]
    inc_state = copy.deepcopy(state)
    meta(inc_state, "dataset_import_job.Interactions")["objects"] = old
    grown = live_from_state(inc_state, data)
    grown["resources"]["dataset_import_job.Interactions"]["data"] = {
        "digest": D3, "objects": 4,
        "list": old + [obj("Interactions/2026-04.csv", "e4", 4000)]}
    write("incremental", inc, inc_state, grown)
    odd = live_from_state(inc_state, data)
    odd["resources"]["dataset_import_job.Interactions"]["data"] = {
        "digest": D3, "objects": 4,
        "list": old[1:] + [obj("Interactions/2026-04.csv", "e4",
                               900 * 1024 * 1024),
                           obj("Interactions/2026-05.csv", "e5",
                               300 * 1024 * 1024)]}
    write("incremental-warnings", inc, inc_state, odd)
    write("incremental-first", inc, None,
          json.load(open(os.path.join(BASE, "live.json"))))

    # 10: a failed import runs again; an update failure is a failure.
    failed = copy.deepcopy(same)
    failed["resources"]["dataset_import_job.Interactions"].update(
        {"status": "CREATE FAILED",
         "failureReason": "Input CSV is missing the header row"})
    write("failed-import", spec, state, failed)
    upd = copy.deepcopy(same)
    upd["resources"]["campaign.upsCampaign"].update(
        {"status": "UPDATE FAILED",
         "failureReason": "Internal server error"})
    write("failed-update", spec, state, upd)
    retry = live_from_state(state, [("dataset_import_job.Interactions",
                                     D3, 4),
                                    ("dataset_import_job.Items", D2, 1)])
    retry["resources"]["solution_version.ups"].update(
        {"status": "CREATE FAILED",
         "failureReason": "Insufficient data: 12 users with 2 or more "
                          "interactions; 25 needed"})
    write("failed-training-new-data", spec, state, retry)

    # 11: resources being created or updated are waited for.
    busy = copy.deepcopy(same)
    busy["resources"]["campaign.upsCampaign"]["status"] = \
        "UPDATE IN_PROGRESS"
    busy["resources"]["filter.no-clicks"]["status"] = "CREATE PENDING"
    write("in-progress", spec.replace("minProvisionedTPS: 1",
                                      "minProvisionedTPS: 2"), state, busy)

    # 12: batch jobs: a changed one runs again under a new name; one
    # taken out of the spec is forgotten; no batch for Trending-Now.
    batch = spec + BATCH
    batch_state = record(binary, batch)
    batch_same = live_from_state(batch_state, data)
    write("batch-rerun", batch.replace("numResults: 25", "numResults: 50"),
          batch_state, batch_same)
    write("batch-removed", spec, batch_state, batch_same)
    write("batch-trending-now",
          batch.replace("recipe/aws-user-personalization",
                        "recipe/aws-trending-now").replace(
              "    solutionConfig:\n      algorithmHyperParameters: "
              "{hidden_dimension: 64}\n", ""),
          None, {"refreshed": True, "now": NOW})

    # 16: a stack adopted with pz import: nothing to import or train.
    adopted = copy.deepcopy(state)
    for r in adopted["resources"]:
        m = r.get("pz", {})
        if r["type"] == "dataset_import_job":
            r["pz"] = {"data_digest": m["data_digest"],
                       "data_location": m["data_location"],
                       "data_objects": m["data_objects"],
                       "adopted": True}
        elif r["type"] == "solution_version":
            r["pz"] = {"adopted": True, "trained_at": NOW - DAY}
            r["attributes"] = {"solutionArn": r["attributes"]["solutionArn"],
                               "trainingMode": "FULL"}
        elif "pz" in r:
            del r["pz"]
    write("adopted", spec, adopted, same)

    # 18: validation.
    write("kms-without-role",
          spec.replace("datasetGroup:\n  name: demo\n",
                       "datasetGroup:\n  name: demo\n  kmsKeyArn: "
                       "arn:aws:kms:us-east-1:123456789012:key/abcd\n"),
          None, {"refreshed": True, "now": NOW})
    write("item-exploration-sims",
          spec.replace("recipe/aws-user-personalization",
                       "recipe/aws-sims").replace(
              "    minProvisionedTPS: 1\n",
              "    minProvisionedTPS: 1\n    campaignConfig: "
              "{itemExplorationConfig: {explorationWeight: '0.3'}}\n"),
          None, {"refreshed": True, "now": NOW})

    # Issue 11: an apply interrupted while a training ran (recorded
    # CREATE PENDING, still training) and before the campaign: the next
    # plan awaits the training, creates the campaign on it, trains
    # nothing new.
    cut = copy.deepcopy(state)
    cut["resources"] = [r for r in cut["resources"]
                        if r["address"] != "campaign.upsCampaign"]
    for r in cut["resources"]:
        if r["address"] == "solution_version.ups":
            r["status"] = "CREATE PENDING"
    running = live_from_state(cut, data)
    running["resources"]["solution_version.ups"]["status"] = \
        "CREATE IN_PROGRESS"
    write("apply-interrupted", spec, cut, running)


DOMAIN = """pz:
  dataLocation: s3://demo-data/
  roleArn: arn:aws:iam::123456789012:role/PersonalizeS3
datasetGroup:
  name: vod
  domain: VIDEO_ON_DEMAND
datasets:
  Interactions:
    name: interactions
    schema:
      type: record
      name: Interactions
      namespace: com.amazonaws.personalize.schema
      fields:
        - {name: USER_ID, type: string}
        - {name: ITEM_ID, type: string}
        - {name: EVENT_TYPE, type: string}
        - {name: TIMESTAMP, type: long}
recommenders:
  topPicks:
    name: top-picks
    recipeArn: arn:aws:personalize:::recipe/aws-vod-top-picks
    recommenderConfig: {minRecommendationRequestsPerSecond: 3}
"""


def recommender_cases(binary):
    """Pausing a recommender (issue 12): pz.state INACTIVE stops it,
    ACTIVE (or no pz.state) starts it again; a stop waits for an update
    of its settings, a start goes before one."""
    state = record(binary, DOMAIN, {"refreshed": True, "now": NOW,
                                    "resources": {}})
    same = live_from_state(state, [("dataset_import_job.Interactions", D1,
                                    3)])
    paused = DOMAIN.replace("minRecommendationRequestsPerSecond: 3}\n",
                            "minRecommendationRequestsPerSecond: 3}\n"
                            "    pz: {state: INACTIVE}\n")
    write("recommender-pause", paused, state, same)
    inactive = copy.deepcopy(same)
    inactive["resources"]["recommender.topPicks"]["status"] = "INACTIVE"
    write("recommender-resume", DOMAIN, state, inactive)
    write("recommender-paused", paused, state, inactive)
    write("recommender-pause-and-update",
          paused.replace("PerSecond: 3}", "PerSecond: 5}"), state, same)
    write("recommender-resume-and-update",
          DOMAIN.replace("PerSecond: 3}", "PerSecond: 5}"), state,
          inactive)
    stopping = copy.deepcopy(same)
    stopping["resources"]["recommender.topPicks"]["status"] = \
        "STOP IN_PROGRESS"
    write("recommender-stopping", paused, state, stopping)


def promote_cases(spec, state, data):
    """The promotion gate (issue 12): a new version is a gated update of
    the campaign; one the gate kept it off at an earlier apply (the
    state's record) is not tried again; a newer one is."""
    old = "arn:aws:personalize:us-east-1:123456789012:solution/ups/a1a1a1a1"
    new = "arn:aws:personalize:us-east-1:123456789012:solution/ups/b2b2b2b2"
    newer = "arn:aws:personalize:us-east-1:123456789012:solution/ups/c3c3c3c3"
    ndcg = "normalized_discounted_cumulative_gain_at_25"
    line = "campaign.upsCampaign kept on version a1a1a1a1: %s 0.2810 < " \
        "0.2905 + 0.01" % ndcg

    def stack(version, kept):
        st = copy.deepcopy(state)
        for r in st["resources"]:
            if r["address"] == "solution_version.ups":
                r["arn"] = version
            if r["address"] == "campaign.upsCampaign":
                r["attributes"]["solutionVersionArn"] = old
                if kept:
                    r["pz"] = {"promotion": {
                        "decision": "kept", "metric": ndcg,
                        "minDelta": 0.01, "newVersion": new,
                        "newValue": 0.281, "oldVersion": old,
                        "oldValue": 0.2905, "message": line}}
        return st, live_from_state(st, data)

    st, live = stack(new, False)
    write("promote-gated-update", spec, st, live)
    st, live = stack(new, True)
    write("promote-kept", spec, st, live)
    st, live = stack(newer, True)
    write("promote-newer-version", spec, st, live)
# Made-up prices for the golden cases (round figures to check the
# arithmetic), not AWS's: docs/usage-cost.md has an example to check.
PRICES = """# Test prices (USD per unit), not AWS's.
region: us-east-1
TPS-hour: 0.2
request-hour: 0.05
training-hour: 0.25
GB-ingested: 0.05
"""
PRICES_JSON = ('{"region": "us-east-1", "TPS-hour": 0.2, '
               '"training-hour": 0.25}\n')
BAD_PRICES = """region: us-east-1
TPS-hour: "0.2"
trainig-hour: 0.24
GB-ingested: cheap
request-hour: -1
"""


def usage_cases(spec, state, data, same):
    """Issue 14: what each plan bills (usage and cost)."""
    priced = {"prices.yaml": PRICES}
    second = spec.replace(
        "eventTracker:\n",
        "  upsCampaign2:\n    name: ups2\n    minProvisionedTPS: 1\n"
        "    pz: {solution: ups}\neventTracker:\n")
    write("usage-new-campaign", second, state, same)
    write("usage-new-campaign-priced", second, state, same,
          args="-prices=prices.yaml", files=priced)
    # Five TPS with no pz.expectedTPS: the delta and an idle-cost hint.
    write("usage-tps-priced", spec.replace("minProvisionedTPS: 1",
                                           "minProvisionedTPS: 5"),
          state, same, args="-prices=prices.yaml", files=priced)
    write("usage-tps-expected", spec.replace(
        "minProvisionedTPS: 1\n    pz:\n",
        "minProvisionedTPS: 5\n    pz:\n      expectedTPS: 2\n"),
          state, same, args="-prices=prices.json",
          files={"prices.json": PRICES_JSON})
    # New data, listed with sizes: GB from the listing, and a retrain
    # as long as the last training the state records (2.5 hours).
    listed = live_from_state(state, data)
    listed["resources"]["dataset_import_job.Interactions"]["data"] = {
        "digest": D3, "objects": 2,
        "list": [obj("Interactions/2026-01.csv", "e1", 600 * 1024 * 1024),
                 obj("Interactions/2026-02.csv", "e2", 424 * 1024 * 1024)]}
    write("usage-import-retrain", spec, state, listed)
    write("usage-import-retrain-priced", spec, state, listed,
          args="-prices=prices.yaml", files=priced)
    # HPO: a training is several training jobs.
    write("usage-hpo", spec.replace(
        "    performAutoTraining: false\n",
        "    performAutoTraining: false\n    performHPO: true\n"),
          state, same)
    # The first training of everything: unknown hours, priced.
    first = json.load(open(os.path.join(BASE, "live.json")))
    first["resources"]["dataset_import_job.Interactions"]["data"][
        "list"] = [obj("Interactions/all.csv", "e1", 3 * 1024 * 1024)]
    write("usage-first-priced", spec, None, first,
          args="-prices=prices.yaml", files=priced)
    write("usage-destroy-priced", spec, state, same,
          args="-destroy -prices=prices.yaml", files=priced)
    write("usage-off", spec.replace("minProvisionedTPS: 1",
                                    "minProvisionedTPS: 2"),
          state, same, args="-usage=false")
    # A recommender bills its minimum requests per second every hour.
    domain = spec.replace("datasetGroup:\n  name: demo\n",
                          "datasetGroup:\n  name: demo\n"
                          "  domain: VIDEO_ON_DEMAND\n").replace(
        "        - {name: GENRE, type: string, categorical: true}\n",
        "        - {name: GENRES, type: string, categorical: true}\n"
        "        - {name: CREATION_TIMESTAMP, type: long}\n") + (
        "recommenders:\n  topPicks:\n    name: top-picks\n"
        "    recipeArn: arn:aws:personalize:::recipe/aws-vod-top-picks\n"
        "    recommenderConfig: {minRecommendationRequestsPerSecond: 2}\n")
    write("usage-recommender", domain, None,
          json.load(open(os.path.join(BASE, "live.json"))),
          args="-prices=prices.yaml", files=priced)
    write("usage-prices-bad", spec, state, same,
          args="-prices=prices.yaml", files={"prices.yaml": BAD_PRICES})
def interrupted_cases(spec, state, same):
    """An apply killed at the wrong moment (issue 11, chaos)."""
    # The import job's ARN was recorded before its call, and the call
    # never made it: the data was not imported, so it is imported again.
    lost = copy.deepcopy(same)
    lost["resources"]["dataset_import_job.Interactions"]["exists"] = False
    write("interrupted-import", spec, state, lost)

    # Data imported, a training started, killed before its answer gave
    # the version's ARN: the service's newer manual version is that
    # training, followed (the campaign moves to it), not trained again.
    st = copy.deepcopy(state)
    meta(st, "dataset_import_job.Interactions").update(
        {"data_digest": D3, "data_objects": 4, "import_seq": 2,
         "imported_at": NOW + 3600})
    meta(st, "solution_version.ups")["trained_at"] = NOW
    live = live_from_state(st, [("dataset_import_job.Interactions", D3, 4),
                                ("dataset_import_job.Items", D2, 1)],
                           now=NOW + 7200)
    v = live["resources"]["solution_version.ups"]
    v["arn"] = ("arn:aws:personalize:us-east-1:123456789012:solution/ups/"
                "7e8f9a0b")
    v["attrs"]["trainingType"] = "MANUAL"
    v["created"] = NOW + 3700
    write("interrupted-training", spec, st, live)

    # The first apply killed while an import runs: the training waits
    # for it (a training on an import in progress has no data), and so
    # does the campaign on the training.
    first = copy.deepcopy(state)
    first["resources"] = [r for r in first["resources"]
                          if r["address"] not in ("solution_version.ups",
                                                  "campaign.upsCampaign")]
    importing = live_from_state(first, [
        ("dataset_import_job.Interactions", D1, 3),
        ("dataset_import_job.Items", D2, 1)])
    importing["resources"]["dataset_import_job.Interactions"]["status"] = \
        "CREATE IN_PROGRESS"
    write("waits-for-import", spec, first, importing)


if __name__ == "__main__":
    main()
