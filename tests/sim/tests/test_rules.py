#!/usr/bin/python3
"""The rules of ../shared/aws/personalize-rules.md, one test each, over
raw signed HTTP (tests/sim/README.md lists every rule with its source).

Two simulators: one at --time-scale 0 (every lifecycle completes at the
next request) for what does not depend on time, one at --time-scale 1
moved on with /__sim/clock for statuses, schedules and quotas of things
in progress. Section 9's switches are tested both ways through
/__sim/behaviour, and the control endpoints (seed, clock, behaviour, the
call log's parameters) at the end."""

import json
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

h.require_botocore()

ARN = "arn:aws:personalize:us-east-1:123456789012:"
ROLE = "arn:aws:iam::123456789012:role/PersonalizeS3"
DAY = 86400


def recipe(name):
    return "arn:aws:personalize:::recipe/" + name


def schema_json(name, fields):
    return json.dumps({"type": "record", "name": name,
                       "namespace": "com.amazonaws.personalize.schema",
                       "fields": fields, "version": "1.0"})


USERS_SCHEMA = schema_json("Users", [
    {"name": "USER_ID", "type": "string"},
    {"name": "AGE", "type": "int"},
    {"name": "TIER", "type": "string", "categorical": True}])
ACTIONS_SCHEMA = schema_json("Actions", [
    {"name": "ACTION_ID", "type": "string"},
    {"name": "VALUE", "type": "long"}])
ACTION_INTERACTIONS_SCHEMA = schema_json("ActionInteractions", [
    {"name": "USER_ID", "type": "string"},
    {"name": "ACTION_ID", "type": "string"},
    {"name": "EVENT_TYPE", "type": "string"},
    {"name": "TIMESTAMP", "type": "long"}])


def items_csv(first, n):
    return "ITEM_ID,GENRE,YEAR\n" + "".join(
        "i%d,Drama,%d\n" % (k, 1950 + k % 60) for k in range(first,
                                                             first + n))


class Base(unittest.TestCase):
    args = ("--time-scale", "0", "--seed", "5")
    n = 0

    @classmethod
    def setUpClass(cls):
        cls.sim = h.Simulator(*cls.args).start()

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        self.sim.control("POST", "/__sim/behaviour", {
            "solution_config_after_update": "applied",
            "update_status": "active", "campaign_config_update": "replace",
            "import_while_importing": "refuse", "import_objects": "all",
            "campaign_other_solution": "refuse",
            "version_while_training": "refuse"})

    def uniq(self, prefix):
        Base.n += 1
        return "%s%d" % (prefix, Base.n)

    def call(self, op, params, code=None):
        st, body = h.personalize(self.sim, op, params)
        if code:
            self.assertEqual((st, body.get("__type")), (400, code), body)
        else:
            self.assertEqual(st, 200, body)
        return body

    def describe(self, kind, arn):
        key = kind[0].lower() + kind[1:]
        return self.call("Describe" + kind, {key + "Arn": arn})[key]

    def behave(self, **kw):
        self.sim.control("POST", "/__sim/behaviour", kw)

    def clock(self, s):
        self.sim.control("POST", "/__sim/clock", {"advance_s": s})

    def s3(self, method, path, body=b""):
        st, _, b = h.signed(self.sim, method, path, "s3", body)
        self.assertIn(st, (200, 204), b)
        return b

    def upload(self, bucket, key, text):
        self.s3("PUT", "/" + bucket)
        self.s3("PUT", "/%s/%s" % (bucket, key), text.encode())
        return "s3://%s/%s" % (bucket, key)

    # --- building blocks (instant at --time-scale 0) -------------------

    def group(self, domain=None):
        name = self.uniq("g")
        p = {"name": name}
        if domain:
            p["domain"] = domain
        return self.call("CreateDatasetGroup", p)["datasetGroupArn"]

    def dataset(self, dsg, dtype, schema, domain=None):
        p = {"name": self.uniq("s"), "schema": schema}
        if domain:
            p["domain"] = domain
        s = self.call("CreateSchema", p)["schemaArn"]
        return self.call("CreateDataset", {
            "name": self.uniq("d"), "schemaArn": s, "datasetGroupArn": dsg,
            "datasetType": dtype})["datasetArn"]

    def import_job(self, ds, loc, mode=None, code=None, name=None):
        p = {"jobName": name or self.uniq("j"), "datasetArn": ds,
             "roleArn": ROLE, "dataSource": {"dataLocation": loc}}
        if mode:
            p["importMode"] = mode
        r = self.call("CreateDatasetImportJob", p, code)
        return r.get("datasetImportJobArn")

    def interactions(self, dsg, text=None):
        ds = self.dataset(dsg, "Interactions", h.INTERACTIONS_SCHEMA)
        loc = self.upload(self.uniq("bucket-"), "i.csv",
                          text or h.make_interactions())
        job = self.import_job(ds, loc)
        self.assertEqual(self.describe("DatasetImportJob", job)["status"],
                         "ACTIVE")
        return ds

    def solution(self, dsg, auto=False, rec="aws-user-personalization",
                 **kw):
        p = {"name": self.uniq("sol"), "datasetGroupArn": dsg,
             "recipeArn": recipe(rec), "performAutoTraining": auto}
        p.update(kw)
        return self.call("CreateSolution", p)["solutionArn"]

    def version(self, sol, **kw):
        p = {"solutionArn": sol}
        p.update(kw)
        return self.call("CreateSolutionVersion", p)["solutionVersionArn"]

    def trained(self, dsg, **kw):
        sol = self.solution(dsg, **kw)
        sv = self.version(sol)
        self.assertEqual(self.describe("SolutionVersion", sv)["status"],
                         "ACTIVE")
        return sol, sv

    def campaign(self, sv, **kw):
        p = {"name": self.uniq("c"), "solutionVersionArn": sv}
        p.update(kw)
        return self.call("CreateCampaign", p)["campaignArn"]


# --- 1. Names, ARNs, what Describe answers --------------------------------

class Names(Base):
    def test_dataset_type_any_case_in_upper_case_out(self):
        dsg = self.group()
        name = self.describe("DatasetGroup", dsg)["name"]
        ds = self.dataset(dsg, "interactions", h.INTERACTIONS_SCHEMA)
        self.assertEqual(ds, ARN + "dataset/%s/INTERACTIONS" % name)
        self.assertEqual(self.describe("Dataset", ds)["datasetType"],
                         "INTERACTIONS")
        ai = self.dataset(dsg, "Action_Interactions",
                          ACTION_INTERACTIONS_SCHEMA)
        self.assertEqual(ai, ARN + "dataset/%s/ACTION_INTERACTIONS" % name)
        listed = self.call("ListDatasets", {"datasetGroupArn": dsg})
        self.assertEqual(sorted(d["datasetType"] for d in
                                listed["datasets"]),
                         ["ACTION_INTERACTIONS", "INTERACTIONS"])
        self.call("CreateDataset", {
            "name": "x", "schemaArn": self.describe("Dataset", ds)[
                "schemaArn"], "datasetGroupArn": dsg,
            "datasetType": "ActionInteractions"}, "InvalidInputException")

    def test_event_tracker_arn_is_an_id(self):
        dsg = self.group()
        r = self.call("CreateEventTracker", {"name": "clicks",
                                             "datasetGroupArn": dsg})
        self.assertRegex(r["eventTrackerArn"],
                         "^" + re.escape(ARN) + "event-tracker/[0-9a-f]{8}$")
        self.assertRegex(r["trackingId"], "^[0-9a-f-]{36}$")
        d = self.describe("EventTracker", r["eventTrackerArn"])
        self.assertEqual((d["name"], d["trackingId"]),
                         ("clicks", r["trackingId"]))

    def test_unnamed_solution_version_name(self):
        dsg = self.group()
        self.interactions(dsg)
        sol, sv = self.trained(dsg)
        name = self.describe("Solution", sol)["name"]
        vid = sv.rsplit("/", 1)[1]
        self.assertEqual(self.describe("SolutionVersion", sv)["name"],
                         "%s/%s" % (name, vid))

    def test_names_unique_for_datasets_and_trackers(self):
        a, b = self.group(), self.group()
        s = self.call("CreateSchema", {"name": self.uniq("s"), "schema":
                                       h.INTERACTIONS_SCHEMA})["schemaArn"]
        self.call("CreateDataset", {"name": "shared", "schemaArn": s,
                                    "datasetGroupArn": a,
                                    "datasetType": "Interactions"})
        self.call("CreateDataset", {"name": "shared", "schemaArn": s,
                                    "datasetGroupArn": b,
                                    "datasetType": "Interactions"},
                  "ResourceAlreadyExistsException")
        self.call("CreateEventTracker", {"name": "t", "datasetGroupArn": a})
        self.call("CreateEventTracker", {"name": "t", "datasetGroupArn": b},
                  "ResourceAlreadyExistsException")

    def test_tags_only_through_list_tags(self):
        dsg = self.call("CreateDatasetGroup", {
            "name": self.uniq("g"),
            "tags": [{"tagKey": "team", "tagValue": "recs"}]})[
            "datasetGroupArn"]
        self.assertNotIn("tags", self.describe("DatasetGroup", dsg))
        listed = self.call("ListDatasetGroups", {})["datasetGroups"]
        self.assertTrue(all("tags" not in g for g in listed))
        self.assertEqual(self.call("ListTagsForResource", {
            "resourceArn": dsg})["tags"],
            [{"tagKey": "team", "tagValue": "recs"}])

    def test_timestamps_are_epoch_seconds(self):
        before = time.time()
        dsg = self.group()
        st, _, body = h.signed(
            self.sim, "POST", "/", "personalize",
            json.dumps({"datasetGroupArn": dsg}).encode(),
            {"X-Amz-Target": "AmazonPersonalize.DescribeDatasetGroup",
             "Content-Type": "application/x-amz-json-1.1"})
        raw = re.search(rb'"creationDateTime":([0-9.]+)[,}]', body)
        self.assertIsNotNone(raw, body)
        self.assertLess(abs(float(raw.group(1)) - before), 60)


class SlowNames(Base):
    args = ("--seed", "6")

    def test_name_taken_until_delete_finished(self):
        dsg = self.call("CreateDatasetGroup", {"name": "again"})[
            "datasetGroupArn"]
        self.clock(60)
        self.call("DeleteDatasetGroup", {"datasetGroupArn": dsg})
        self.call("CreateDatasetGroup", {"name": "again"},
                  "ResourceAlreadyExistsException")
        self.clock(60)
        self.call("CreateDatasetGroup", {"name": "again"})


# --- 2. Datasets and schemas ----------------------------------------------

class Datasets(Base):
    def test_one_dataset_of_each_type(self):
        dsg = self.group()
        self.dataset(dsg, "Interactions", h.INTERACTIONS_SCHEMA)
        with self.assertRaises(AssertionError) as e:
            self.dataset(dsg, "INTERACTIONS", h.INTERACTIONS_SCHEMA)
        self.assertIn("ResourceAlreadyExistsException", str(e.exception))

    def test_next_best_action_refused_in_domain_groups(self):
        dsg = self.group("ECOMMERCE")
        for dtype, schema in (("Actions", ACTIONS_SCHEMA),
                              ("Action_Interactions",
                               ACTION_INTERACTIONS_SCHEMA)):
            s = self.call("CreateSchema", {
                "name": self.uniq("s"), "schema": schema,
                "domain": "ECOMMERCE"})["schemaArn"]
            r = self.call("CreateDataset", {
                "name": self.uniq("d"), "schemaArn": s,
                "datasetGroupArn": dsg, "datasetType": dtype},
                "InvalidInputException")
            self.assertIn("domain", r["message"])

    def test_update_dataset_limits(self):
        h.need(self, op="UpdateDataset")
        dsg = self.group()
        inter = self.dataset(dsg, "Interactions", h.INTERACTIONS_SCHEMA)
        users = self.dataset(dsg, "Users", USERS_SCHEMA)
        base = json.loads(USERS_SCHEMA)["fields"]

        def schema(fields):
            return self.call("CreateSchema", {
                "name": self.uniq("s"),
                "schema": schema_json("Users", fields)})["schemaArn"]
        wider = schema(base + [{"name": "CITY", "type": ["null", "string"]}])
        # only Items and Users
        self.call("UpdateDataset", {"datasetArn": inter,
                                    "schemaArn": wider},
                  "InvalidInputException")
        bad = {
            "added field not nullable": base + [{"name": "CITY",
                                                 "type": "string"}],
            "old field dropped": base[:2],
            "old field's type changed": [base[0], {"name": "AGE",
                                                   "type": "long"},
                                         base[2]],
            "old field made nullable": [base[0], {"name": "AGE", "type":
                                                  ["null", "int"]},
                                        base[2]],
            "categorical dropped": base[:2] + [{"name": "TIER",
                                                "type": "string"}],
        }
        for what, fields in bad.items():
            with self.subTest(what):
                r = self.call("UpdateDataset", {"datasetArn": users,
                                                "schemaArn": schema(fields)},
                              "InvalidInputException")
                self.assertTrue(r["message"])
        self.call("UpdateDataset", {"datasetArn": users, "schemaArn": wider})
        d = self.describe("Dataset", users)
        self.assertEqual((d["schemaArn"], d["latestDatasetUpdate"]["status"]),
                         (wider, "ACTIVE"))

    def test_schema_in_use_is_not_deleted(self):
        dsg = self.group()
        ds = self.dataset(dsg, "Interactions", h.INTERACTIONS_SCHEMA)
        s = self.describe("Dataset", ds)["schemaArn"]
        self.call("DeleteSchema", {"schemaArn": s}, "ResourceInUseException")
        self.call("DeleteDataset", {"datasetArn": ds})
        self.call("ListDatasets", {})  # the delete completes
        self.call("DeleteSchema", {"schemaArn": s})

    def test_delete_dataset_refusals(self):
        dsg = self.group()
        inter = self.interactions(dsg)
        items = self.dataset(dsg, "Items", h.ITEMS_SCHEMA)

        def refused(ds, why):
            r = self.call("DeleteDataset", {"datasetArn": ds},
                          "ResourceInUseException")
            self.assertIn(why, r["message"])
        # every filter of the group, whichever dataset it names
        f = self.call("CreateFilter", {
            "name": self.uniq("f"), "datasetGroupArn": dsg,
            "filterExpression": 'EXCLUDE ItemID WHERE '
            'Interactions.EVENT_TYPE IN ("click")'})["filterArn"]
        refused(items, f)
        self.call("DeleteFilter", {"filterArn": f})
        # the event tracker before the Interactions dataset only
        t = self.call("CreateEventTracker", {
            "name": self.uniq("t"), "datasetGroupArn": dsg})[
            "eventTrackerArn"]
        refused(inter, t)
        # a metric attribution that uses the dataset
        m = self.call("CreateMetricAttribution", {
            "name": self.uniq("m"), "datasetGroupArn": dsg,
            "metrics": [{"eventType": "click", "metricName": "CLICKS",
                         "expression": "SAMPLECOUNT()"}],
            "metricsOutputConfig": {"roleArn": ROLE}})[
            "metricAttributionArn"]
        self.call("DeleteEventTracker", {"eventTrackerArn": t})
        refused(inter, m)
        self.call("DeleteMetricAttribution", {"metricAttributionArn": m})
        # a campaign of the group, created or active
        _, sv = self.trained(dsg)
        c = self.campaign(sv)
        refused(inter, c)
        self.call("DeleteCampaign", {"campaignArn": c})
        self.call("ListCampaigns", {})
        self.call("DeleteDataset", {"datasetArn": items})
        self.call("DeleteDataset", {"datasetArn": inter})

    def test_delete_dataset_group_refusals(self):
        dsg = self.group()
        blockers = []
        ds = self.interactions(dsg)
        blockers.append(("DeleteDataset", {"datasetArn": ds}))
        sol, sv = self.trained(dsg)
        c = self.campaign(sv)
        blockers.insert(0, ("DeleteSolution", {"solutionArn": sol}))
        blockers.insert(0, ("DeleteCampaign", {"campaignArn": c}))
        t = self.call("CreateEventTracker", {
            "name": self.uniq("t"), "datasetGroupArn": dsg})[
            "eventTrackerArn"]
        blockers.insert(0, ("DeleteEventTracker", {"eventTrackerArn": t}))
        f = self.call("CreateFilter", {
            "name": self.uniq("f"), "datasetGroupArn": dsg,
            "filterExpression": 'EXCLUDE ItemID WHERE '
            'Interactions.EVENT_TYPE IN ("click")'})["filterArn"]
        blockers.insert(0, ("DeleteFilter", {"filterArn": f}))
        m = self.call("CreateMetricAttribution", {
            "name": self.uniq("m"), "datasetGroupArn": dsg,
            "metrics": [{"eventType": "click", "metricName": "CLICKS",
                         "expression": "SAMPLECOUNT()"}],
            "metricsOutputConfig": {"roleArn": ROLE}})[
            "metricAttributionArn"]
        blockers.insert(0, ("DeleteMetricAttribution",
                            {"metricAttributionArn": m}))
        for op, params in blockers:
            self.call("DeleteDatasetGroup", {"datasetGroupArn": dsg},
                      "ResourceInUseException")
            self.call(op, params)
            self.call("ListDatasetGroups", {})  # the delete completes
        self.call("DeleteDatasetGroup", {"datasetGroupArn": dsg})


class SlowDatasets(Base):
    args = ("--seed", "7")

    def test_update_dataset_statuses(self):
        h.need(self, op="UpdateDataset")
        dsg = self.call("CreateDatasetGroup", {"name": "upd"})[
            "datasetGroupArn"]
        self.clock(60)
        s1 = self.call("CreateSchema", {"name": "u1", "schema":
                                        USERS_SCHEMA})["schemaArn"]
        fields = json.loads(USERS_SCHEMA)["fields"] + [
            {"name": "CITY", "type": ["null", "string"]}]
        s2 = self.call("CreateSchema", {"name": "u2", "schema": schema_json(
            "Users", fields)})["schemaArn"]
        ds = self.call("CreateDataset", {
            "name": "u", "schemaArn": s1, "datasetGroupArn": dsg,
            "datasetType": "Users"})["datasetArn"]
        self.clock(60)
        self.call("UpdateDataset", {"datasetArn": ds, "schemaArn": s2})
        self.assertEqual(self.describe("Dataset", ds)["status"],
                         "UPDATE PENDING")
        self.clock(6)
        self.assertEqual(self.describe("Dataset", ds)["status"],
                         "UPDATE IN_PROGRESS")
        self.clock(120)
        self.assertEqual(self.describe("Dataset", ds)["status"], "ACTIVE")

    def test_delete_dataset_refused_while_importing(self):
        dsg = self.call("CreateDatasetGroup", {"name": "imp"})[
            "datasetGroupArn"]
        self.clock(60)
        s = self.call("CreateSchema", {"name": "imp-i", "schema":
                                       h.INTERACTIONS_SCHEMA})["schemaArn"]
        ds = self.call("CreateDataset", {
            "name": "imp-i", "schemaArn": s, "datasetGroupArn": dsg,
            "datasetType": "Interactions"})["datasetArn"]
        self.clock(60)
        loc = self.upload("imp-data", "i.csv", h.make_interactions())
        self.import_job(ds, loc)
        r = self.call("DeleteDataset", {"datasetArn": ds},
                      "ResourceInUseException")
        self.assertIn("import job", r["message"])


# --- 3. Import jobs --------------------------------------------------------

class Imports(Base):
    def test_first_import_is_full(self):
        dsg = self.group()
        ds = self.dataset(dsg, "Interactions", h.INTERACTIONS_SCHEMA)
        loc = self.upload(self.uniq("bucket-"), "i.csv", h.make_interactions())
        self.import_job(ds, loc, "INCREMENTAL", "InvalidInputException")
        self.import_job(ds, loc, "FULL")
        self.call("ListDatasetImportJobs", {})
        self.import_job(ds, self.upload(self.uniq("bucket-"), "i.csv",
                                        h.make_interactions(seed=9)),
                        "INCREMENTAL")

    def test_at_least_1000_records_per_job(self):
        dsg = self.group()
        ds = self.dataset(dsg, "Items", h.ITEMS_SCHEMA)
        job = self.import_job(ds, self.upload(self.uniq("bucket-"), "i.csv",
                                              items_csv(0, 999)))
        d = self.describe("DatasetImportJob", job)
        self.assertEqual(d["status"], "CREATE FAILED")
        self.assertIn("1000", d["failureReason"])
        # counted over every object of a prefix
        b = self.uniq("bucket-")
        self.upload(b, "items/a.csv", items_csv(0, 500))
        self.upload(b, "items/b.csv", items_csv(500, 500))
        job = self.import_job(ds, "s3://%s/items/" % b)
        self.assertEqual(self.describe("DatasetImportJob", job)["status"],
                         "ACTIVE")

    def test_csv_header_and_timestamps(self):
        dsg = self.group()
        ds = self.dataset(dsg, "Interactions", h.INTERACTIONS_SCHEMA)
        text = h.make_interactions()
        cases = {
            "in quotes": text.replace("USER_ID,ITEM_ID",
                                      '"USER_ID","ITEM_ID"', 1),
            "milliseconds": text.replace(",1700000000", ",1700000000000"),
        }
        for what, body in cases.items():
            with self.subTest(what):
                job = self.import_job(ds, self.upload(
                    self.uniq("bucket-"), "i.csv", body))
                d = self.describe("DatasetImportJob", job)
                self.assertEqual(d["status"], "CREATE FAILED")
                self.assertIn("quotes" if what == "in quotes" else
                              "epoch seconds", d["failureReason"])

    def test_incremental_replaces_by_id(self):
        dsg = self.group()
        ds = self.dataset(dsg, "Items", h.ITEMS_SCHEMA)
        self.import_job(ds, self.upload(self.uniq("bucket-"), "a.csv",
                                        items_csv(0, 1000)))
        self.import_job(ds, self.upload(self.uniq("bucket-"), "b.csv",
                                        items_csv(500, 1000)),
                        "INCREMENTAL")
        b = self.uniq("out-")
        self.s3("PUT", "/" + b)
        job = self.call("CreateDatasetExportJob", {
            "jobName": self.uniq("x"), "datasetArn": ds, "roleArn": ROLE,
            "jobOutput": {"s3DataDestination": {"path": "s3://%s/" % b}}})[
            "datasetExportJobArn"]
        name = self.describe("DatasetExportJob", job)["jobName"]
        rows = self.s3("GET", "/%s/%s_part_00000.csv" % (b, name)) \
            .decode().splitlines()[1:]
        self.assertEqual(len(rows), 1500)
        self.assertEqual(len({r.split(",")[0] for r in rows}), 1500)

    def test_incremental_interactions_need_1000_new(self):
        dsg = self.group()
        ds = self.interactions(dsg)
        same = h.make_interactions()  # identical events: kept once
        job = self.import_job(ds, self.upload(self.uniq("bucket-"), "i.csv",
                                              same), "INCREMENTAL")
        d = self.describe("DatasetImportJob", job)
        self.assertEqual(d["status"], "CREATE FAILED")
        self.assertIn("new records", d["failureReason"])

    def test_import_job_names_taken_forever(self):
        dsg = self.group()
        ds = self.dataset(dsg, "Items", h.ITEMS_SCHEMA)
        loc = self.upload(self.uniq("bucket-"), "i.csv", items_csv(0, 1000))
        self.import_job(ds, loc, name="once")
        self.call("DeleteDataset", {"datasetArn": ds})
        self.call("ListDatasets", {})
        ds = self.dataset(dsg, "Items", h.ITEMS_SCHEMA)
        self.import_job(ds, loc, name="once",
                        code="ResourceAlreadyExistsException")

    def test_training_minimums_after_event_type_filter(self):
        dsg = self.group()
        self.interactions(dsg)  # 1500 events, about half "watch"
        sol = self.solution(dsg, eventType="watch")
        sv = self.version(sol)
        d = self.describe("SolutionVersion", sv)
        self.assertEqual(d["status"], "CREATE FAILED")
        self.assertIn("Insufficient data", d["failureReason"])
        _, sv = self.trained(dsg)  # every event type: enough

    def test_training_needs_25_users_with_2_events(self):
        dsg = self.group()
        lines = ["USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP"]
        lines += ["u%d,i%d,click,%d" % (k % 20, k % 50, 1700000000 + k)
                  for k in range(1200)]
        self.interactions(dsg, "\n".join(lines) + "\n")
        sol = self.solution(dsg)
        d = self.describe("SolutionVersion", self.version(sol))
        self.assertEqual(d["status"], "CREATE FAILED")
        self.assertIn("25", d["failureReason"])


class SlowImports(Base):
    args = ("--seed", "8")

    def test_five_imports_per_region(self):
        loc = self.upload("quota-data", "i.csv", items_csv(0, 1000))
        arns = []
        for k in range(6):
            s = self.call("CreateSchema", {"name": "q%d" % k, "schema":
                                           h.ITEMS_SCHEMA})["schemaArn"]
            g = self.call("CreateDatasetGroup", {"name": "quota%d" % k})[
                "datasetGroupArn"]
            self.clock(60)
            arns.append(self.call("CreateDataset", {
                "name": "q%d" % k, "schemaArn": s, "datasetGroupArn": g,
                "datasetType": "Items"})["datasetArn"])
        self.clock(60)
        for ds in arns[:5]:
            self.import_job(ds, loc)
        r = self.import_job(arns[5], loc, code="LimitExceededException")
        self.assertIsNone(r)
        self.clock(3600)
        self.import_job(arns[5], loc)


# --- 4. Solutions and training ---------------------------------------------

class Training(Base):
    def test_trainingmode_update_rules(self):
        dsg = self.group()
        self.interactions(dsg)
        sol = self.solution(dsg)
        self.call("CreateSolutionVersion", {
            "solutionArn": sol, "trainingMode": "UPDATE"},
            "InvalidInputException")  # no ACTIVE FULL version yet
        self.version(sol)
        self.call("ListSolutions", {})
        self.version(sol, trainingMode="UPDATE")
        self.call("CreateSolutionVersion", {
            "solutionArn": sol, "trainingMode": "AUTOTRAIN"},
            "InvalidInputException")
        sims = self.solution(dsg, rec="aws-sims")
        self.version(sims)
        self.call("ListSolutions", {})
        self.call("CreateSolutionVersion", {
            "solutionArn": sims, "trainingMode": "UPDATE"},
            "InvalidInputException")

    def test_delete_solution_refused_with_a_campaign(self):
        dsg = self.group()
        self.interactions(dsg)
        sol, sv = self.trained(dsg)
        c = self.campaign(sv)
        self.call("DeleteSolution", {"solutionArn": sol},
                  "ResourceInUseException")
        self.call("DeleteCampaign", {"campaignArn": c})
        self.call("ListCampaigns", {})
        self.call("DeleteSolution", {"solutionArn": sol})


class SlowTraining(Base):
    args = ("--seed", "9")

    def setup_group(self, name):
        dsg = self.call("CreateDatasetGroup", {"name": name})[
            "datasetGroupArn"]
        self.clock(60)
        s = self.call("CreateSchema", {"name": name, "schema":
                                       h.INTERACTIONS_SCHEMA})["schemaArn"]
        ds = self.call("CreateDataset", {
            "name": name, "schemaArn": s, "datasetGroupArn": dsg,
            "datasetType": "Interactions"})["datasetArn"]
        self.clock(60)
        return dsg, ds

    def load(self, ds, seed):
        self.import_job(ds, self.upload(self.uniq("bucket-"), "i.csv",
                                        h.make_interactions(seed=seed)),
                        "INCREMENTAL" if seed > 1 else None)
        self.clock(3600)

    def versions(self, sol):
        return self.call("ListSolutionVersions", {"solutionArn": sol})[
            "solutionVersions"]

    def test_automatic_training(self):
        dsg, ds = self.setup_group("auto")
        self.load(ds, 1)
        sol = self.call("CreateSolution", {
            "name": "auto", "datasetGroupArn": dsg,
            "recipeArn": recipe("aws-user-personalization")})["solutionArn"]
        self.assertTrue(self.describe("Solution", sol)["performAutoTraining"])
        self.clock(60)
        self.assertEqual(self.versions(sol), [])
        self.clock(3600)  # within the hour of the solution being ACTIVE
        v = self.versions(sol)
        self.assertEqual([(x["trainingType"], x["trainingMode"])
                          for x in v], [("AUTOMATIC", "AUTOTRAIN")])
        self.clock(3 * 3600)
        self.assertEqual(self.versions(sol)[0]["status"], "ACTIVE")
        # a week later with no new data: no training
        self.clock(7 * DAY)
        self.assertEqual(len(self.versions(sol)), 1)
        # new data, then the next scheduled run trains
        self.load(ds, 2)
        self.clock(7 * DAY)
        self.assertEqual(len(self.versions(sol)), 2)

    def test_turning_automatic_training_on_trains_within_the_hour(self):
        h.need(self, op="UpdateSolution")
        dsg, ds = self.setup_group("turnon")
        self.load(ds, 1)
        sol = self.call("CreateSolution", {
            "name": "turnon", "datasetGroupArn": dsg,
            "performAutoTraining": False,
            "recipeArn": recipe("aws-user-personalization")})["solutionArn"]
        self.clock(3 * 3600)
        self.assertEqual(self.versions(sol), [])
        self.call("UpdateSolution", {"solutionArn": sol,
                                     "performAutoTraining": True})
        d = self.describe("Solution", sol)
        self.assertEqual((d["status"], d["latestSolutionUpdate"]["status"]),
                         ("ACTIVE", "CREATE PENDING"))
        self.call("DeleteSolution", {"solutionArn": sol},
                  "ResourceInUseException")
        self.clock(3600 + 60)
        self.assertEqual(self.describe("Solution", sol)[
            "latestSolutionUpdate"]["status"], "ACTIVE")
        self.assertEqual([x["trainingType"] for x in self.versions(sol)],
                         ["AUTOMATIC"])
        # a new schedule: again within the hour, data or not
        self.clock(3 * 3600)
        self.call("UpdateSolution", {
            "solutionArn": sol, "solutionUpdateConfig": {
                "autoTrainingConfig": {"schedulingExpression":
                                       "rate(3 days)"}}})
        self.clock(3600 + 60)
        self.assertEqual(len(self.versions(sol)), 2)

    def test_stop_solution_version_creation(self):
        dsg, ds = self.setup_group("stop2")
        self.load(ds, 1)
        sol = self.call("CreateSolution", {
            "name": "stop2", "datasetGroupArn": dsg,
            "performAutoTraining": False,
            "recipeArn": recipe("aws-user-personalization")})["solutionArn"]
        self.clock(60)
        sv = self.version(sol)
        self.call("StopSolutionVersionCreation", {"solutionVersionArn": sv})
        self.assertEqual(self.describe("SolutionVersion", sv)["status"],
                         "CREATE STOPPED")  # from CREATE PENDING: at once
        sv = self.version(sol)
        self.clock(200)
        self.call("StopSolutionVersionCreation", {"solutionVersionArn": sv})
        d = self.describe("SolutionVersion", sv)
        self.assertEqual(d["status"], "CREATE STOPPING")
        self.assertGreater(d["trainingHours"], 0)  # billed until the stop
        self.clock(120)
        self.assertEqual(self.describe("SolutionVersion", sv)["status"],
                         "CREATE STOPPED")


# --- 5. Campaigns and recommenders ------------------------------------------

class Campaigns(Base):
    def test_latest_and_sync(self):
        dsg = self.group()
        self.interactions(dsg)
        sol, sv = self.trained(dsg)
        sync = {"syncWithLatestSolutionVersion": True}
        self.call("CreateCampaign", {"name": "x", "solutionVersionArn": sv,
                                     "campaignConfig": sync},
                  "InvalidInputException")
        self.call("CreateCampaign", {"name": "x", "solutionVersionArn":
                                     sol + "/$LATEST"},
                  "InvalidInputException")
        c = self.campaign(sol + "/$LATEST", campaignConfig=sync)
        self.assertEqual(self.describe("Campaign", c)["solutionVersionArn"],
                         sol + "/$LATEST")
        served = lambda: [r["servedVersionArn"] for r in self.sim.state()[
            "resources"] if r["arn"] == c][0]
        self.assertEqual(served(), sv)
        sv2 = self.version(sol)
        self.call("ListSolutions", {})
        # the campaign follows the newest ACTIVE version by itself
        self.assertEqual(served(), sv2)
        out = h.signed(self.sim, "POST", "/recommendations", "personalize",
                       json.dumps({"campaignArn": c,
                                   "userId": "u1"}).encode(),
                       {"Content-Type": "application/json"})
        self.assertEqual(out[0], 200, out[2])
        self.assertEqual(self.describe("SolutionVersion", sv2)["status"],
                         "ACTIVE")

    def test_update_progress_with_status_active(self):
        dsg = self.group()
        self.interactions(dsg)
        _, sv = self.trained(dsg)
        c = self.campaign(sv)
        self.behave(update_status="active")
        slow = self.sim.control("POST", "/__sim/clock", {"time_scale": 1})
        self.assertEqual(slow["time_scale"], 1)
        try:
            self.call("UpdateCampaign", {"campaignArn": c,
                                         "minProvisionedTPS": 3})
            d = self.describe("Campaign", c)
            self.assertEqual((d["status"],
                              d["latestCampaignUpdate"]["status"]),
                             ("ACTIVE", "CREATE PENDING"))
            self.call("UpdateCampaign", {"campaignArn": c,
                                         "minProvisionedTPS": 4},
                      "ResourceInUseException")
            self.clock(60)
            d = self.describe("Campaign", c)
            self.assertEqual((d["status"],
                              d["latestCampaignUpdate"]["status"]),
                             ("ACTIVE", "CREATE IN_PROGRESS"))
        finally:
            self.sim.control("POST", "/__sim/clock", {"time_scale": 0})
        d = self.describe("Campaign", c)
        self.assertEqual((d["minProvisionedTPS"],
                          d["latestCampaignUpdate"]["status"]), (3, "ACTIVE"))


# --- 6. Filters, trackers, metric attributions, batch jobs, quotas ---------

class BatchAndQuotas(Base):
    def batch(self, sv, name, code=None):
        b = self.uniq("bucket-")
        loc = self.upload(b, "in.json", '{"userId": "u1"}\n')
        return self.call("CreateBatchInferenceJob", {
            "jobName": name, "solutionVersionArn": sv, "roleArn": ROLE,
            "jobInput": {"s3DataSource": {"path": loc}},
            "jobOutput": {"s3DataDestination": {"path": "s3://%s/o/" % b}}},
            code)

    def test_batch_job_rules(self):
        dsg = self.group()
        self.interactions(dsg)
        _, sv = self.trained(dsg)
        self.batch(sv, "nightly")
        self.batch(sv, "nightly", "ResourceAlreadyExistsException")
        _, trending = self.trained(dsg, rec="aws-trending-now")
        r = self.batch(trending, "trend", "InvalidInputException")
        self.assertIn("aws-trending-now", r["message"])
        pz = h.loaded_models()["personalize"]
        self.assertNotIn("DeleteBatchInferenceJob", pz.operations)
        self.assertNotIn("DeleteBatchSegmentJob", pz.operations)

    def test_bucket_denied_to_the_caller_not_the_role(self):
        # a bucket policy that denies the caller reads: a batch job reads
        # it with Personalize's role all the same
        dsg = self.group()
        self.interactions(dsg)
        _, sv = self.trained(dsg)
        b = self.uniq("drop-")
        loc = self.upload(b, "users.json", '{"userId": "u1"}\n')
        self.sim.control("POST", "/__sim/s3/deny", {
            "bucket": b, "operations": ["ListObjectsV2", "GetObject",
                                        "HeadObject"]})
        for method, path in (("GET", "/%s?list-type=2" % b),
                             ("GET", "/%s/users.json" % b),
                             ("HEAD", "/%s/users.json" % b)):
            st, _, body = h.signed(self.sim, method, path, "s3")
            self.assertEqual(st, 403, (method, path))
            if method == "GET":
                self.assertIn(b"<Code>AccessDenied</Code>", body)
        job = self.call("CreateBatchInferenceJob", {
            "jobName": "denied", "solutionVersionArn": sv,
            "roleArn": ROLE, "jobInput": {"s3DataSource": {"path": loc}},
            "jobOutput": {"s3DataDestination": {
                "path": "s3://%s/out/" % b}}})
        self.assertEqual(self.describe("BatchInferenceJob", job[
            "batchInferenceJobArn"])["status"], "ACTIVE")
        # only the operations named; a name S3 does not have is refused
        self.s3("PUT", "/%s/more.json" % b, b"{}")
        import urllib.error
        with self.assertRaises(urllib.error.HTTPError) as e:
            self.sim.control("POST", "/__sim/s3/deny", {
                "bucket": b, "operations": ["ReadEverything"]})
        self.assertEqual(e.exception.code, 400)

    def test_group_quotas(self):
        dsg = self.group()
        self.interactions(dsg)
        for k in range(10):
            self.solution(dsg)
        self.call("CreateSolution", {
            "name": self.uniq("sol"), "datasetGroupArn": dsg,
            "recipeArn": recipe("aws-sims")}, "LimitExceededException")
        for k in range(10):
            self.call("CreateFilter", {
                "name": self.uniq("f"), "datasetGroupArn": dsg,
                "filterExpression": 'EXCLUDE ItemID WHERE '
                'Interactions.EVENT_TYPE IN ("c%d")' % k})
        self.call("CreateFilter", {
            "name": self.uniq("f"), "datasetGroupArn": dsg,
            "filterExpression": 'EXCLUDE ItemID WHERE '
            'Interactions.EVENT_TYPE IN ("x")'}, "LimitExceededException")
        self.call("CreateEventTracker", {"name": self.uniq("t"),
                                         "datasetGroupArn": dsg})
        self.call("CreateEventTracker", {"name": self.uniq("t"),
                                         "datasetGroupArn": dsg},
                  "LimitExceededException")
        ma = {"datasetGroupArn": dsg, "metricsOutputConfig":
              {"roleArn": ROLE}, "metrics": [
                  {"eventType": "click", "metricName": "C",
                   "expression": "SAMPLECOUNT()"}]}
        self.call("CreateMetricAttribution", dict(ma, name=self.uniq("m")))
        self.call("CreateMetricAttribution", dict(ma, name=self.uniq("m")),
                  "LimitExceededException")
        g2 = self.group()
        self.interactions(g2)
        _, sv = self.trained(g2)
        for k in range(5):
            self.campaign(sv)
        self.call("CreateCampaign", {"name": self.uniq("c"),
                                     "solutionVersionArn": sv},
                  "LimitExceededException")

    def test_recommender_quota_and_update(self):
        dsg = self.group("ECOMMERCE")
        s = self.call("CreateSchema", {
            "name": self.uniq("s"), "schema": h.INTERACTIONS_SCHEMA,
            "domain": "ECOMMERCE"})["schemaArn"]
        ds = self.call("CreateDataset", {
            "name": self.uniq("d"), "schemaArn": s, "datasetGroupArn": dsg,
            "datasetType": "Interactions"})["datasetArn"]
        self.import_job(ds, self.upload(self.uniq("bucket-"), "i.csv",
                                        h.make_interactions()))
        arns = [self.call("CreateRecommender", {
            "name": self.uniq("r"), "datasetGroupArn": dsg,
            "recipeArn": recipe("aws-ecomm-recommended-for-you")})[
            "recommenderArn"] for _ in range(5)]
        self.call("CreateRecommender", {
            "name": self.uniq("r"), "datasetGroupArn": dsg,
            "recipeArn": recipe("aws-ecomm-recommended-for-you")},
            "LimitExceededException")
        self.call("ListRecommenders", {})
        tps = {"minRecommendationRequestsPerSecond": 2}
        self.call("UpdateRecommender", {"recommenderArn": arns[0],
                                        "recommenderConfig": tps})
        d = self.describe("Recommender", arns[0])
        self.assertEqual((d["status"], d["latestRecommenderUpdate"]["status"],
                          d["recommenderConfig"][
                              "minRecommendationRequestsPerSecond"]),
                         ("ACTIVE", "ACTIVE", 2))


class SlowBatch(Base):
    args = ("--seed", "10")

    def test_five_batch_inference_jobs_per_region(self):
        sim = self.sim
        sim.control("POST", "/__sim/clock", {"time_scale": 0})
        dsg = self.group()
        self.interactions(dsg)
        _, sv = self.trained(dsg)
        sim.control("POST", "/__sim/clock", {"time_scale": 1})
        b = self.uniq("bucket-")
        loc = self.upload(b, "in.json", '{"userId": "u1"}\n')
        job = {"solutionVersionArn": sv, "roleArn": ROLE,
               "jobInput": {"s3DataSource": {"path": loc}},
               "jobOutput": {"s3DataDestination": {"path":
                                                   "s3://%s/o/" % b}}}
        for k in range(5):
            self.call("CreateBatchInferenceJob", dict(job, jobName="b%d" % k))
        self.call("CreateBatchInferenceJob", dict(job, jobName="b5"),
                  "LimitExceededException")
        self.clock(4000)
        self.call("CreateBatchInferenceJob", dict(job, jobName="b5"))


# --- 9. The open questions: each switch both ways ---------------------------

class OpenQuestions(Base):
    def test_q1_solution_config_after_update(self):
        h.need(self, op="UpdateSolution")
        dsg = self.group()
        for mode, shown in (("applied", "rate(3 days)"),
                            ("unchanged", None)):
            self.behave(solution_config_after_update=mode)
            sol = self.solution(dsg)
            self.call("UpdateSolution", {
                "solutionArn": sol, "solutionUpdateConfig": {
                    "autoTrainingConfig": {"schedulingExpression":
                                           "rate(3 days)"}}})
            d = self.describe("Solution", sol)
            self.assertEqual(d["latestSolutionUpdate"]["status"], "ACTIVE")
            self.assertEqual(((d.get("solutionConfig") or {}).get(
                "autoTrainingConfig") or {}).get("schedulingExpression"),
                shown, mode)

    def test_q2_update_status(self):
        dsg = self.group()
        self.interactions(dsg)
        _, sv = self.trained(dsg)
        c = self.campaign(sv)
        for mode, during in (("active", "ACTIVE"),
                             ("updating", "UPDATE PENDING")):
            self.behave(update_status=mode)
            self.sim.control("POST", "/__sim/clock", {"time_scale": 1})
            try:
                self.call("UpdateCampaign", {"campaignArn": c,
                                             "minProvisionedTPS": 2})
                self.assertEqual(self.describe("Campaign", c)["status"],
                                 during, mode)
            finally:
                self.sim.control("POST", "/__sim/clock", {"time_scale": 0})
            self.assertEqual(self.describe("Campaign", c)["status"],
                             "ACTIVE")

    def test_q3_campaign_config_update(self):
        dsg = self.group()
        self.interactions(dsg)
        _, sv = self.trained(dsg)
        for mode, want in (("replace", {"enableMetadataWithRecommendations":
                                        True}),
                           ("merge", {"itemExplorationConfig": {
                               "explorationWeight": "0.5"},
                               "enableMetadataWithRecommendations": True})):
            self.behave(campaign_config_update=mode)
            c = self.campaign(sv, campaignConfig={"itemExplorationConfig": {
                "explorationWeight": "0.5"}})
            self.call("UpdateCampaign", {"campaignArn": c, "campaignConfig":
                                         {"enableMetadataWithRecommendations":
                                          True}})
            self.assertEqual(self.describe("Campaign", c)["campaignConfig"],
                             want, mode)

    def test_q4_import_while_importing(self):
        dsg = self.group()
        ds = self.dataset(dsg, "Items", h.ITEMS_SCHEMA)
        loc = self.upload(self.uniq("bucket-"), "i.csv", items_csv(0, 1000))
        self.sim.control("POST", "/__sim/clock", {"time_scale": 1})
        try:
            self.import_job(ds, loc)
            self.behave(import_while_importing="refuse")
            self.import_job(ds, loc, code="ResourceInUseException")
            self.behave(import_while_importing="queue")
            self.import_job(ds, loc)
        finally:
            self.sim.control("POST", "/__sim/clock", {"time_scale": 0})

    def test_q5_import_objects(self):
        dsg = self.group()
        ds = self.dataset(dsg, "Items", h.ITEMS_SCHEMA)
        b = self.uniq("bucket-")
        self.upload(b, "p/a.csv", items_csv(0, 1000))
        self.upload(b, "p/sub/b.csv", items_csv(1000, 1000))
        self.upload(b, "p/c.txt", items_csv(2000, 1000))
        for mode, rows in (("all", 3000), ("top-csv", 1000)):
            self.behave(import_objects=mode)
            self.import_job(ds, "s3://%s/p/" % b)
            self.call("ListDatasets", {})
            out = self.uniq("out-")
            self.s3("PUT", "/" + out)
            job = self.call("CreateDatasetExportJob", {
                "jobName": out, "datasetArn": ds, "roleArn": ROLE,
                "jobOutput": {"s3DataDestination": {"path":
                                                    "s3://%s/" % out}}})
            self.describe("DatasetExportJob", job["datasetExportJobArn"])
            body = self.s3("GET", "/%s/%s_part_00000.csv" % (out, out))
            self.assertEqual(len(body.decode().splitlines()) - 1, rows, mode)

    def test_q6_campaign_other_solution(self):
        dsg = self.group()
        self.interactions(dsg)
        _, sv1 = self.trained(dsg)
        sol2, sv2 = self.trained(dsg)
        c = self.campaign(sv1)
        self.behave(campaign_other_solution="refuse")
        self.call("UpdateCampaign", {"campaignArn": c,
                                     "solutionVersionArn": sv2},
                  "InvalidInputException")
        self.behave(campaign_other_solution="allow")
        self.call("UpdateCampaign", {"campaignArn": c,
                                     "solutionVersionArn": sv2})
        self.assertEqual(self.call("ListCampaigns", {"solutionArn": sol2})[
            "campaigns"][0]["campaignArn"], c)

    def test_q7_version_while_training(self):
        dsg = self.group()
        self.interactions(dsg)
        sol = self.solution(dsg)
        self.sim.control("POST", "/__sim/clock", {"time_scale": 1})
        try:
            self.version(sol)
            self.behave(version_while_training="refuse")
            self.call("CreateSolutionVersion", {"solutionArn": sol},
                      "ResourceInUseException")
            self.behave(version_while_training="allow")
            self.version(sol)
        finally:
            self.sim.control("POST", "/__sim/clock", {"time_scale": 0})

    def test_switches_are_flags_too(self):
        sim = h.Simulator("--update-status", "updating",
                          "--import-objects", "top-csv").start()
        try:
            b = sim.control("GET", "/__sim/behaviour")
            self.assertEqual((b["update_status"], b["import_objects"],
                              b["campaign_config_update"]),
                             ("updating", "top-csv", "replace"))
        finally:
            sim.stop()
        st = self.sim.control("GET", "/__sim/behaviour")
        self.assertEqual(len(st), 7)
        import urllib.error
        with self.assertRaises(urllib.error.HTTPError) as e:
            self.behave(update_status="sometimes")
        self.assertEqual(e.exception.code, 400)


# --- control endpoints: seed, clock, the call log's parameters --------------

class ControlEndpoints(Base):
    def seed(self, resources, status=200):
        import urllib.error
        try:
            out = self.sim.control("POST", "/__sim/seed",
                                   {"resources": resources})
            self.assertEqual(status, 200, out)
            return out
        except urllib.error.HTTPError as e:
            self.assertEqual(e.code, status)
            return json.loads(e.read())

    def test_seed(self):
        g = ARN + "dataset-group/seeded"
        s = ARN + "schema/seeded-i"
        d = ARN + "dataset/seeded/INTERACTIONS"
        sol = ARN + "solution/seeded"
        sv = sol + "/0000beef"
        out = self.seed([
            {"type": "dataset_group", "arn": g, "name": "seeded"},
            {"type": "schema", "arn": s, "name": "seeded-i",
             "attrs": {"schema": h.INTERACTIONS_SCHEMA}},
            {"type": "dataset", "arn": d, "name": "seeded-i",
             "attrs": {"datasetGroupArn": g, "schemaArn": s,
                       "datasetType": "Interactions"}},
            {"type": "solution", "arn": sol, "name": "seeded",
             "attrs": {"datasetGroupArn": g, "performAutoTraining": False,
                       "recipeArn": recipe("aws-user-personalization")}},
            {"type": "solution_version", "arn": sv,
             "attrs": {"solutionArn": sol}},
            {"type": "campaign", "arn": ARN + "campaign/seeded",
             "name": "seeded", "attrs": {"solutionVersionArn": sv}},
        ])
        self.assertEqual([r["status"] for r in out["resources"]],
                         ["ACTIVE"] * 6)
        self.assertEqual(self.describe("Dataset", d)["datasetType"],
                         "INTERACTIONS")
        self.assertEqual(self.describe("SolutionVersion", sv)["name"],
                         "seeded/0000beef")
        self.assertEqual(self.describe("Campaign", ARN + "campaign/seeded")[
            "solutionVersionArn"], sv)
        # seeded resources follow the rules like created ones
        self.call("DeleteSolution", {"solutionArn": sol},
                  "ResourceInUseException")
        self.call("CreateDatasetGroup", {"name": "seeded"},
                  "ResourceAlreadyExistsException")
        # a parent that does not exist (yet): 400, nothing inserted
        bad = self.seed([
            {"type": "dataset_group", "arn": ARN + "dataset-group/half",
             "name": "half"},
            {"type": "filter", "arn": ARN + "filter/f", "name": "f",
             "attrs": {"datasetGroupArn": ARN + "dataset-group/nope",
                       "filterExpression": "EXCLUDE ItemID WHERE "
                       "Interactions.EVENT_TYPE IN (\"x\")"}}], 400)
        self.assertIn("resources[1]", bad["error"])
        self.assertIn("datasetGroupArn", bad["error"])
        self.call("DescribeDatasetGroup", {
            "datasetGroupArn": ARN + "dataset-group/half"},
            "ResourceNotFoundException")
        for item, why in (({"type": "nope", "arn": g}, "type"),
                          ({"type": "filter", "arn": g}, "arn")):
            self.assertIn(why, self.seed([item], 400)["error"])

    def test_seed_history(self):
        """What a seeded resource's past implies: an ACTIVE import's data
        in its dataset, an ACTIVE version trained on it, a failure's
        reason, an update in flight carried on, when it was created."""
        now = self.sim.control("GET", "/__sim/clock")["now"]
        g, name = ARN + "dataset-group/hist", "hist"
        d = ARN + "dataset/hist/INTERACTIONS"
        sol = ARN + "solution/hist"
        loc = self.upload("hist-data", "i/part-0.csv",
                          h.make_interactions())
        base = [
            {"type": "dataset_group", "arn": g, "name": name},
            {"type": "schema", "arn": ARN + "schema/hist-i",
             "name": "hist-i", "attrs": {"schema": h.INTERACTIONS_SCHEMA}},
            {"type": "dataset", "arn": d, "name": "hist-i",
             "attrs": {"datasetGroupArn": g, "datasetType": "Interactions",
                       "schemaArn": ARN + "schema/hist-i"}}]
        imp = {"type": "dataset_import_job",
               "arn": ARN + "dataset-import-job/hist-1", "name": "hist-1",
               "created": now - DAY,
               "attrs": {"datasetArn": d, "roleArn": ROLE,
                         "dataSource": {"dataLocation": loc}}}
        # an import cannot have been done from data that is not there
        gone = dict(imp, attrs=dict(imp["attrs"], dataSource={
            "dataLocation": "s3://hist-data/nothing/"}))
        err = self.seed(base + [gone], 400)["error"]
        self.assertIn("the import cannot have been done", err)
        for bad, why in (({"created": now + DAY}, "created"),
                         ({"failureReason": "x"}, "failureReason")):
            self.assertIn(why, self.seed(base + [dict(imp, **bad)],
                                         400)["error"])
        sv, failed = sol + "/0000aaaa", sol + "/0000bbbb"
        self.seed(base + [
            imp,
            {"type": "solution", "arn": sol, "name": "hist",
             "attrs": {"datasetGroupArn": g, "performAutoTraining": False,
                       "recipeArn": recipe("aws-user-personalization")}},
            {"type": "solution_version", "arn": sv,
             "attrs": {"solutionArn": sol}},
            {"type": "solution_version", "arn": failed,
             "status": "CREATE FAILED", "failureReason": "out of memory",
             "attrs": {"solutionArn": sol}},
            {"type": "campaign", "arn": ARN + "campaign/hist",
             "name": "hist", "attrs": {
                 "solutionVersionArn": sv, "minProvisionedTPS": 1,
                 "latestCampaignUpdate": {"status": "CREATE IN_PROGRESS",
                                          "solutionVersionArn": sv,
                                          "minProvisionedTPS": 2}}}])
        self.assertEqual(self.describe("DatasetImportJob", imp["arn"])[
            "creationDateTime"], now - DAY)
        self.assertEqual(self.describe("SolutionVersion", failed)[
            "failureReason"], "out of memory")
        c = self.describe("Campaign", ARN + "campaign/hist")  # time-scale 0
        self.assertEqual((c["minProvisionedTPS"],
                          c["latestCampaignUpdate"]["status"]), (2, "ACTIVE"))
        # the version was trained on the seeded import's data: a batch
        # job on it answers; on a version seeded without data it fails,
        # saying why
        self.upload("hist-data", "in/users.json", '{"userId": "u1"}\n')
        job = {"roleArn": ROLE, "jobInput": {"s3DataSource": {
            "path": "s3://hist-data/in/users.json"}}, "jobOutput": {
            "s3DataDestination": {"path": "s3://hist-data/out/"}}}
        ok = self.call("CreateBatchInferenceJob", dict(
            job, jobName="hist-ok", solutionVersionArn=sv))
        self.assertEqual(self.describe("BatchInferenceJob", ok[
            "batchInferenceJobArn"])["status"], "ACTIVE")
        out = self.s3("GET", "/hist-data/out/users.json.out")
        self.assertTrue(json.loads(out.decode().splitlines()[0])[
            "output"]["recommendedItems"])
        g2, sol2 = ARN + "dataset-group/bare", ARN + "solution/bare"
        self.seed([{"type": "dataset_group", "arn": g2, "name": "bare"},
                   {"type": "solution", "arn": sol2, "name": "bare",
                    "attrs": {"datasetGroupArn": g2,
                              "performAutoTraining": False}},
                   {"type": "solution_version", "arn": sol2 + "/0000cccc",
                    "attrs": {"solutionArn": sol2}}])
        bare = self.call("CreateBatchInferenceJob", dict(
            job, jobName="hist-bare", solutionVersionArn=sol2 + "/0000cccc"))
        d = self.describe("BatchInferenceJob", bare["batchInferenceJobArn"])
        self.assertEqual(d["status"], "CREATE FAILED")
        self.assertIn("no model", d["failureReason"])

    def test_clock_time_scale(self):
        sim = h.Simulator("--seed", "11").start()  # --time-scale 1
        try:
            st, body = h.personalize(sim, "CreateDatasetGroup",
                                     {"name": "slow"})
            arn = body["datasetGroupArn"]
            desc = lambda: h.personalize(sim, "DescribeDatasetGroup", {
                "datasetGroupArn": arn})[1]["datasetGroup"]["status"]
            self.assertEqual(desc(), "CREATE PENDING")
            r = sim.control("POST", "/__sim/clock", {"time_scale": 0})
            self.assertEqual(r["time_scale"], 0)
            self.assertEqual(desc(), "ACTIVE")  # what was pending, too
        finally:
            sim.stop()

    def test_call_log_parameters_without_secrets(self):
        since = self.sim.calls()[-1]["seq"] if self.sim.calls() else 0
        self.call("CreateDatasetGroup", {"name": "logged"})
        c = [x for x in self.sim.calls(since)
             if x["operation"] == "CreateDatasetGroup"][-1]
        self.assertEqual(c["params"], {"name": "logged"})
        st, _, _ = h.signed(self.sim, "POST", "/", "sts", b"Action="
                            b"AssumeRole&Version=2011-06-15&RoleArn=" +
                            ROLE.encode().replace(b":", b"%3A").replace(
                                b"/", b"%2F") + b"&RoleSessionName=tt",
                            {"Content-Type":
                             "application/x-www-form-urlencoded"})
        self.assertEqual(st, 200)
        c = [x for x in self.sim.calls(since)
             if x["operation"] == "AssumeRole"][-1]
        self.assertEqual(c["params"]["RoleSessionName"], "tt")
        st, _, _ = h.signed(self.sim, "POST", "/", "sts",
                            b"Action=AssumeRoleWithWebIdentity&Version="
                            b"2011-06-15&RoleArn=" + ROLE.encode().replace(
                                b":", b"%3A").replace(b"/", b"%2F") +
                            b"&RoleSessionName=ww&WebIdentityToken="
                            b"secret-jwt-value",
                            {"Content-Type":
                             "application/x-www-form-urlencoded"},
                            sign=False)
        c = [x for x in self.sim.calls(since)
             if x["operation"] == "AssumeRoleWithWebIdentity"][-1]
        self.assertEqual(c["params"]["WebIdentityToken"], "***")
        log = json.dumps(self.sim.calls(since))
        self.assertNotIn("secret-jwt-value", log)
        self.assertNotIn(h.SECRET, log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
