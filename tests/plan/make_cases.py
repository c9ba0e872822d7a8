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


def write(case, spec_text, state, live, args=None):
    d = os.path.join(CASES, case)
    os.makedirs(d, exist_ok=True)
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

    seed = open(os.path.join(HERE, "..", "..", "examples", "seed",
                             "params.json")).read()
    write("seed-no-data", seed, None, {"refreshed": True, "now": NOW})


if __name__ == "__main__":
    main()
