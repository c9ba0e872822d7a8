#!/usr/bin/python3
"""The running simulator over raw HTTP: protocol details the CLI hides,
every response checked against the model's output shapes, S3 features,
the Personalize resource types and runtime beyond the CLI lifecycle,
persistence across a restart, control endpoints, faults and the command
line."""

import base64
import hashlib
import http.client
import json
import os
import sys
import tempfile
import time
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

h.require_botocore()

from pzsim import models  # noqa: E402
from pzsim.validate import Validator  # noqa: E402

MODELS = models.load()
PZ = MODELS["personalize"]
OUT = Validator(PZ.shapes, patterns=False)
ARN = "arn:aws:personalize:us-east-1:123456789012:"
ROLE = "arn:aws:iam::123456789012:role/PersonalizeS3"


def recipe(name):
    return "arn:aws:personalize:::recipe/" + name


class Base(unittest.TestCase):
    args = ("--time-scale", "0.0005", "--seed", "3")

    @classmethod
    def setUpClass(cls):
        cls.sim = h.Simulator(*cls.args).start()

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def call(self, op, params, status=200, code=None, model=PZ):
        st, body = h.personalize(self.sim, op, params)
        self.assertEqual(st, status, body)
        if code:
            self.assertEqual(body["__type"], code, body)
        elif model is PZ and PZ.output_shape(op):
            errs = OUT.validate(PZ.output_shape(op), body)
            self.assertEqual(errs, [], (op, body))
        return body

    def wait(self, op, key, arn_key, arn, want=("ACTIVE",)):
        def check():
            d = self.call(op, {arn_key: arn})[key]
            return d if d["status"] in want else None
        return h.wait_for(check, 30, 0.01)

    def wait_update(self, op, key, arn_key, arn, field):
        """Wait for an update: its latest*Update ACTIVE (the top-level
        status stays ACTIVE meanwhile)."""
        def check():
            d = self.call(op, {arn_key: arn})[key]
            return d if (d.get(field) or {}).get("status") == "ACTIVE" \
                else None
        return h.wait_for(check, 30, 0.01)

    def s3(self, method, path, body=b"", headers=None, query=None,
           status=200, **kw):
        st, hd, b = h.signed(self.sim, method, path, "s3", body, headers,
                             query, **kw)
        self.assertEqual(st, status, b)
        return hd, b

    def runtime(self, path, params, status=200):
        st, hd, b = h.signed(self.sim, "POST", path, "personalize",
                             json.dumps(params).encode(),
                             {"Content-Type": "application/json"})
        self.assertEqual(st, status, b)
        return json.loads(b) if b else None

    def upload(self, bucket, key, text):
        self.s3("PUT", "/%s/%s" % (bucket, key), text.encode())

    def group(self, name, domain=None, items=True):
        """A dataset group with imported interactions (and items)."""
        p = {"name": name}
        if domain:
            p["domain"] = domain
        dsg = self.call("CreateDatasetGroup", p)["datasetGroupArn"]
        self.wait("DescribeDatasetGroup", "datasetGroup", "datasetGroupArn",
                  dsg)
        bucket = name.lower()
        self.s3("PUT", "/" + bucket)
        self.upload(bucket, "interactions.csv", h.make_interactions())
        self.upload(bucket, "items.csv", h.make_items(1000))
        sp = {"name": name + "-i", "schema": h.INTERACTIONS_SCHEMA}
        if domain:
            sp["domain"] = domain
        si = self.call("CreateSchema", sp)["schemaArn"]
        kinds = [("Interactions", si, "interactions.csv")]
        if items and not domain:
            st = self.call("CreateSchema", {"name": name + "-items",
                                            "schema": h.ITEMS_SCHEMA})
            kinds.append(("Items", st["schemaArn"], "items.csv"))
        for dtype, schema, key in kinds:
            ds = self.call("CreateDataset", {
                "name": "%s-%s" % (name, dtype), "schemaArn": schema,
                "datasetGroupArn": dsg, "datasetType": dtype})["datasetArn"]
            self.wait("DescribeDataset", "dataset", "datasetArn", ds)
            job = self.call("CreateDatasetImportJob", {
                "jobName": "%s-%s" % (name, dtype), "datasetArn": ds,
                "roleArn": ROLE, "dataSource": {
                    "dataLocation": "s3://%s/%s" % (bucket, key)}})
            self.wait("DescribeDatasetImportJob", "datasetImportJob",
                      "datasetImportJobArn", job["datasetImportJobArn"])
        return dsg, bucket

    def trained(self, dsg, name, rec):
        # automatic training off: these tests count the versions
        sol = self.call("CreateSolution", {
            "name": name, "datasetGroupArn": dsg, "recipeArn": recipe(rec),
            "performAutoTraining": False})["solutionArn"]
        self.wait("DescribeSolution", "solution", "solutionArn", sol)
        sv = self.call("CreateSolutionVersion",
                       {"solutionArn": sol})["solutionVersionArn"]
        self.wait("DescribeSolutionVersion", "solutionVersion",
                  "solutionVersionArn", sv)
        return sol, sv

    def campaign(self, sv, name, config=None):
        p = {"name": name, "solutionVersionArn": sv}
        if config:
            p["campaignConfig"] = config
        c = self.call("CreateCampaign", p)["campaignArn"]
        self.wait("DescribeCampaign", "campaign", "campaignArn", c)
        return c


class JsonProtocol(Base):
    def raw(self, target, body, content_type="application/x-amz-json-1.1"):
        hd = {"Content-Type": content_type}
        if target:
            hd["X-Amz-Target"] = target
        return h.signed(self.sim, "POST", "/", "personalize", body, hd)

    def test_errors_on_the_wire(self):
        st, hd, body = self.raw("AmazonPersonalize.CreateDatasetGroup",
                                b'{"name": "a", "extra": 1}')
        self.assertEqual(st, 400)
        self.assertEqual(hd["x-amzn-ErrorType"], "InvalidInputException")
        self.assertEqual(hd["Content-Type"], "application/x-amz-json-1.1")
        self.assertEqual(int(hd["Content-Length"]), len(body))
        doc = json.loads(body)
        self.assertEqual(doc["__type"], "InvalidInputException")
        self.assertTrue(doc["message"].startswith(
            "1 validation error detected: Unknown member 'extra'"))
        st, _, body = self.raw("AmazonPersonalize.CreateDatasetGroup",
                               b"{not json")
        self.assertEqual((st, json.loads(body)["__type"]),
                         (400, "SerializationException"))
        st, _, body = self.raw("AmazonPersonalize.Nope", b"{}")
        self.assertEqual((st, json.loads(body)["__type"]),
                         (400, "UnknownOperationException"))

    def test_unsigned_request(self):
        st, hd, b = h.signed(self.sim, "POST", "/", "personalize", b"{}",
                             {"X-Amz-Target":
                              "AmazonPersonalize.ListDatasetGroups",
                              "Content-Type": "application/x-amz-json-1.1"},
                             sign=False)
        self.assertEqual((st, json.loads(b)["__type"]),
                         (403, "MissingAuthenticationTokenException"))

    def test_keep_alive(self):
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        c = http.client.HTTPConnection("127.0.0.1", self.sim.port)
        for _ in range(5):
            r = AWSRequest("POST", self.sim.url + "/", data=b"{}", headers={
                "X-Amz-Target": "AmazonPersonalize.ListDatasetGroups",
                "Content-Type": "application/x-amz-json-1.1"})
            SigV4Auth(Credentials(h.AKID, h.SECRET), "personalize",
                      "us-east-1").add_auth(r)
            c.request("POST", "/", b"{}", dict(r.prepare().headers.items()))
            resp = c.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertFalse(resp.will_close)
            resp.read()
        c.close()

    def test_pagination(self):
        made = [self.call("CreateDatasetGroup", {"name": "page%d" % k})[
            "datasetGroupArn"] for k in range(5)]
        seen = []
        tok = None
        pages = 0
        while True:
            p = {"maxResults": 2}
            if tok:
                p["nextToken"] = tok
            out = self.call("ListDatasetGroups", p)
            self.assertLessEqual(len(out["datasetGroups"]), 2)
            seen += [d["datasetGroupArn"] for d in out["datasetGroups"]]
            pages += 1
            tok = out.get("nextToken")
            if not tok:
                break
        self.assertEqual(sorted(a for a in seen if "page" in a),
                         sorted(made))
        self.assertEqual(len(seen), len(set(seen)))
        self.assertGreaterEqual(pages, 3)
        first = self.call("ListDatasetGroups", {"maxResults": 1})
        self.call("ListDatasets", {"nextToken": first["nextToken"]}, 400,
                  "InvalidNextTokenException")
        self.call("ListDatasetGroups", {"nextToken": "Zm9v"}, 400,
                  "InvalidNextTokenException")
        recipes = []
        tok = None
        while True:
            p = {"maxResults": 5}
            if tok:
                p["nextToken"] = tok
            out = self.call("ListRecipes", p)
            recipes += out["recipes"]
            tok = out.get("nextToken")
            if not tok:
                break
        names = [r["name"] for r in recipes]
        self.assertIn("aws-user-personalization", names)
        self.assertIn("aws-ecomm-recommended-for-you", names)
        ecomm = self.call("ListRecipes", {"domain": "ECOMMERCE"})["recipes"]
        self.assertTrue(all(r["domain"] == "ECOMMERCE" for r in ecomm))
        d = self.call("DescribeRecipe", {"recipeArn": recipe(
            "aws-sims")})["recipe"]
        self.assertEqual(d["recipeType"], "RELATED_ITEMS")
        self.call("DescribeAlgorithm", {"algorithmArn":
                                        "arn:aws:personalize:::algorithm/"
                                        "aws-sims"})
        self.call("DescribeFeatureTransformation", {
            "featureTransformationArn": "arn:aws:personalize:::"
            "feature-transformation/JSON-percentile-filtering"})

    def test_tags(self):
        arn = self.call("CreateDatasetGroup", {
            "name": "tagged", "tags": [{"tagKey": "team",
                                        "tagValue": "recs"}]})[
            "datasetGroupArn"]
        self.call("TagResource", {"resourceArn": arn, "tags": [
            {"tagKey": "env", "tagValue": "ci"}]})
        tags = self.call("ListTagsForResource", {"resourceArn": arn})["tags"]
        self.assertEqual(sorted(t["tagKey"] for t in tags), ["env", "team"])
        self.call("UntagResource", {"resourceArn": arn, "tagKeys": ["team"]})
        tags = self.call("ListTagsForResource", {"resourceArn": arn})["tags"]
        self.assertEqual(tags, [{"tagKey": "env", "tagValue": "ci"}])
        self.call("TagResource", {"resourceArn": arn, "tags": [
            {"tagKey": "k%d" % k, "tagValue": "v"} for k in range(50)]},
            400, "TooManyTagsException")
        self.call("TagResource", {"resourceArn": arn + "x", "tags": []},
                  400, "ResourceNotFoundException")
        self.call("TagResource", {"resourceArn": arn, "tags": [
            {"tagKey": "aws:x", "tagValue": "v"}]}, 400,
            "InvalidInputException")


class PersonalizeFlows(Base):
    args = ("--time-scale", "0.0001", "--seed", "3")
    def test_recipes_runtime_and_batch(self):
        dsg, bucket = self.group("Flows")
        # related items
        _, sims = self.trained(dsg, "sims", "aws-sims")
        c = self.campaign(sims, "simsCampaign")
        out = self.runtime("/recommendations", {"campaignArn": c,
                                                "itemId": "i10",
                                                "numResults": 5})
        self.assertEqual(len(out["itemList"]), 5)
        self.assertNotIn("i10", [i["itemId"] for i in out["itemList"]])
        st = self.runtime("/recommendations", {"campaignArn": c}, 400)
        self.assertEqual(st["__type"], "InvalidInputException")
        # personalized ranking
        _, pr = self.trained(dsg, "ranking", "aws-personalized-ranking")
        metadata = {"member": "CampaignConfig."
                    "enableMetadataWithRecommendations"}
        metadata_rt = {"member": "GetPersonalizedRankingRequest."
                       "metadataColumns", "service": "personalize-runtime"}
        with_metadata = h.model_has(**metadata) and \
            h.model_has(**metadata_rt)
        rc = self.campaign(pr, "rankingCampaign",
                           {"enableMetadataWithRecommendations": True}
                           if with_metadata else None)
        ranking = {"campaignArn": rc, "userId": "u3",
                   "inputList": ["i1", "i9", "i10", "i50"]}
        if with_metadata:
            ranking["metadataColumns"] = {"Items": ["GENRE"]}
        out = self.runtime("/personalize-ranking", ranking)
        self.assertEqual(sorted(i["itemId"] for i in
                                out["personalizedRanking"]),
                         ["i1", "i10", "i50", "i9"])
        with self.subTest("item metadata with the ranking"):
            h.need(self, **metadata)
            h.need(self, **metadata_rt)
            self.assertIn("genre", out["personalizedRanking"][0]["metadata"])
        self.runtime("/recommendations", {"campaignArn": rc,
                                          "userId": "u3"}, 400)
        # filter with a parameter
        f = self.call("CreateFilter", {
            "name": "genre", "datasetGroupArn": dsg, "filterExpression":
            "INCLUDE ItemID WHERE Items.GENRE IN ($G)"})["filterArn"]
        self.wait("DescribeFilter", "filter", "filterArn", f)
        out = self.runtime("/recommendations", {
            "campaignArn": c, "itemId": "i10", "filterArn": f,
            "filterValues": {"G": '"Horror"'}})
        self.assertTrue(out["itemList"])
        self.assertTrue(all(int(i["itemId"][1:]) % 4 == 3
                            for i in out["itemList"]))
        self.call("CreateFilter", {
            "name": "bad", "datasetGroupArn": dsg, "filterExpression":
            "INCLUDE ItemID WHERE Items.COLOUR IN (\"red\")"}, 400,
            "InvalidInputException")
        # batch inference writes its output to S3
        self.upload(bucket, "batch/in.json",
                    '{"userId": "u1"}\n{"userId": "u2"}\n')
        _, up = self.trained(dsg, "user", "aws-user-personalization")
        job = self.call("CreateBatchInferenceJob", {
            "jobName": "batch1", "solutionVersionArn": up, "roleArn": ROLE,
            "numResults": 3,
            "jobInput": {"s3DataSource": {
                "path": "s3://%s/batch/in.json" % bucket}},
            "jobOutput": {"s3DataDestination": {
                "path": "s3://%s/batch/out/" % bucket}}})[
            "batchInferenceJobArn"]
        self.wait("DescribeBatchInferenceJob", "batchInferenceJob",
                  "batchInferenceJobArn", job)
        _, body = self.s3("GET", "/%s/batch/out/in.json.out" % bucket)
        lines = [json.loads(x) for x in body.decode().splitlines()]
        self.assertEqual([x["input"]["userId"] for x in lines], ["u1", "u2"])
        self.assertEqual(len(lines[0]["output"]["recommendedItems"]), 3)
        listed = self.call("ListBatchInferenceJobs",
                           {"solutionVersionArn": up})
        self.assertEqual(len(listed["batchInferenceJobs"]), 1)
        # batch segments
        _, seg = self.trained(dsg, "affinity", "aws-item-affinity")
        self.call("CreateCampaign", {"name": "nope",
                                     "solutionVersionArn": seg}, 400,
                  "InvalidInputException")
        self.upload(bucket, "seg/in.json", '{"itemId": "i3"}\n')
        job = self.call("CreateBatchSegmentJob", {
            "jobName": "seg1", "solutionVersionArn": seg, "roleArn": ROLE,
            "jobInput": {"s3DataSource": {
                "path": "s3://%s/seg/in.json" % bucket}},
            "jobOutput": {"s3DataDestination": {
                "path": "s3://%s/seg/out/" % bucket}}})["batchSegmentJobArn"]
        self.wait("DescribeBatchSegmentJob", "batchSegmentJob",
                  "batchSegmentJobArn", job)
        _, body = self.s3("GET", "/%s/seg/out/in.json.out" % bucket)
        self.assertTrue(json.loads(body)["output"]["usersList"])

    def test_metrics_chosen_by_a_test(self):
        """POST /__sim/metrics: a version's GetSolutionMetrics now, or
        those of a solution's versions trained from then on."""
        dsg, _ = self.group("Gate", items=False)
        sol, sv1 = self.trained(dsg, "gate", "aws-user-personalization")
        computed = self.call("GetSolutionMetrics",
                             {"solutionVersionArn": sv1})["metrics"]
        ndcg = "normalized_discounted_cumulative_gain_at_25"
        out = self.sim.control("POST", "/__sim/metrics", {
            "solutionVersionArn": sv1, "metrics": {ndcg: 0.3}})
        self.assertEqual(out["metrics"][ndcg], 0.3)
        m = self.call("GetSolutionMetrics",
                      {"solutionVersionArn": sv1})["metrics"]
        self.assertEqual(m[ndcg], 0.3)
        # the others stay as computed
        self.assertEqual(m["coverage"], computed["coverage"])
        self.sim.control("POST", "/__sim/metrics", {
            "solutionArn": sol, "metrics": {ndcg: 0.25, "coverage": 0.9}})
        sv2 = self.call("CreateSolutionVersion", {"solutionArn": sol})[
            "solutionVersionArn"]
        self.wait("DescribeSolutionVersion", "solutionVersion",
                  "solutionVersionArn", sv2)
        m2 = self.call("GetSolutionMetrics",
                       {"solutionVersionArn": sv2})["metrics"]
        self.assertEqual((m2[ndcg], m2["coverage"]), (0.25, 0.9))
        self.assertEqual(self.call("GetSolutionMetrics", {
            "solutionVersionArn": sv1})["metrics"][ndcg], 0.3)
        # {} goes back to the computed metrics for later versions
        out = self.sim.control("POST", "/__sim/metrics", {
            "solutionArn": sol, "metrics": {}})
        self.assertEqual(out["rules"], {})
        for bad in ({"metrics": {ndcg: 1}},
                    {"solutionArn": sol, "solutionVersionArn": sv1,
                     "metrics": {}},
                    {"solutionVersionArn": sv1, "metrics": {ndcg: "x"}},
                    {"solutionArn": sol + "x", "metrics": {ndcg: 1}}):
            with self.assertRaises(Exception, msg=bad):
                self.sim.control("POST", "/__sim/metrics", bad)

    def test_training_modes_and_updates(self):
        dsg, bucket = self.group("Modes", items=False)
        sol, sv1 = self.trained(dsg, "modes", "aws-user-personalization")
        sv2 = self.call("CreateSolutionVersion", {
            "solutionArn": sol, "trainingMode": "UPDATE"})[
            "solutionVersionArn"]
        d = self.wait("DescribeSolutionVersion", "solutionVersion",
                      "solutionVersionArn", sv2)
        self.assertEqual(d["trainingMode"], "UPDATE")
        versions = self.call("ListSolutionVersions", {
            "solutionArn": sol})["solutionVersions"]
        self.assertEqual({v["solutionVersionArn"] for v in versions},
                         {sv1, sv2})
        self.call("ListSolutionVersions", {"solutionArn": sol + "x"}, 400,
                  "ResourceNotFoundException")
        m1 = self.call("GetSolutionMetrics", {"solutionVersionArn": sv1})
        m2 = self.call("GetSolutionMetrics", {"solutionVersionArn": sv2})
        self.assertNotEqual(m1["metrics"], m2["metrics"])
        _, sims = self.trained(dsg, "modes-sims", "aws-sims")
        self.call("CreateSolutionVersion", {
            "solutionArn": sims.rsplit("/", 1)[0], "trainingMode":
            "UPDATE"}, 400, "InvalidInputException")
        c = self.campaign(sv1, "modesCampaign")
        self.call("UpdateCampaign", {"campaignArn": c,
                                     "solutionVersionArn": sv2,
                                     "minProvisionedTPS": 2})
        d = self.wait_update("DescribeCampaign", "campaign", "campaignArn",
                             c, "latestCampaignUpdate")
        self.assertEqual(d["solutionVersionArn"], sv2)
        self.assertEqual(d["minProvisionedTPS"], 2)
        self.assertEqual(d["latestCampaignUpdate"]["status"], "ACTIVE")
        self.call("UpdateCampaign", {"campaignArn": c,
                                     "solutionVersionArn": sims}, 400,
                  "InvalidInputException")
        with self.subTest("UpdateSolution"):
            h.need(self, op="UpdateSolution",
                   member=["Solution.latestSolutionUpdate",
                           "Solution.performAutoTraining"])
            self.call("UpdateSolution", {"solutionArn": sol,
                                         "performAutoTraining": True})
            d = h.wait_for(lambda: (lambda s: s if s.get(
                "latestSolutionUpdate", {}).get("status") == "ACTIVE"
                else None)(self.call("DescribeSolution", {
                    "solutionArn": sol})["solution"]))
            self.assertTrue(d["performAutoTraining"])
        # export and data deletion
        ds = ARN + "dataset/Modes/INTERACTIONS"
        job = self.call("CreateDatasetExportJob", {
            "jobName": "export1", "datasetArn": ds, "roleArn": ROLE,
            "jobOutput": {"s3DataDestination": {
                "path": "s3://%s/export/" % bucket}}})["datasetExportJobArn"]
        self.wait("DescribeDatasetExportJob", "datasetExportJob",
                  "datasetExportJobArn", job)
        _, body = self.s3("GET", "/%s/export/export1_part_00000.csv"
                          % bucket)
        self.assertEqual(len(body.decode().splitlines()), 1501)
        with self.subTest("CreateDataDeletionJob"):
            h.need(self, op=["CreateDataDeletionJob",
                             "DescribeDataDeletionJob"])
            self.upload(bucket, "delete/users.csv", "USER_ID\nu1\nu2\n")
            job = self.call("CreateDataDeletionJob", {
                "jobName": "del1", "datasetGroupArn": dsg, "roleArn": ROLE,
                "dataSource": {"dataLocation":
                               "s3://%s/delete/users.csv" % bucket}})[
                "dataDeletionJobArn"]
            d = self.wait("DescribeDataDeletionJob", "dataDeletionJob",
                          "dataDeletionJobArn", job, ("COMPLETED",))
            self.assertGreater(d["numDeleted"], 0)

    def test_domain_recommender(self):
        dsg, _ = self.group("Shop", domain="ECOMMERCE")
        self.call("CreateSolution", {
            "name": "x", "datasetGroupArn": dsg,
            "recipeArn": recipe("aws-ecomm-recommended-for-you")}, 400,
            "InvalidInputException")
        self.call("CreateRecommender", {
            "name": "vod", "datasetGroupArn": dsg,
            "recipeArn": recipe("aws-vod-top-picks")}, 400,
            "InvalidInputException")
        r = self.call("CreateRecommender", {
            "name": "rfy", "datasetGroupArn": dsg,
            "recipeArn": recipe("aws-ecomm-recommended-for-you")})[
            "recommenderArn"]
        d = self.wait("DescribeRecommender", "recommender", "recommenderArn",
                      r)
        self.assertIn("coverage", d["modelMetrics"])
        out = self.runtime("/recommendations", {"recommenderArn": r,
                                                "userId": "u5"})
        self.assertEqual(len(out["itemList"]), 25)
        self.call("StartRecommender", {"recommenderArn": r}, 400,
                  "ResourceInUseException")
        self.call("StopRecommender", {"recommenderArn": r})
        self.wait("DescribeRecommender", "recommender", "recommenderArn", r,
                  ("INACTIVE",))
        self.runtime("/recommendations", {"recommenderArn": r,
                                          "userId": "u5"}, 404)
        self.call("StartRecommender", {"recommenderArn": r})
        self.wait("DescribeRecommender", "recommender", "recommenderArn", r)
        self.call("DeleteDatasetGroup", {"datasetGroupArn": dsg}, 400,
                  "ResourceInUseException")
        self.call("DeleteRecommender", {"recommenderArn": r})

    def test_injected_update_failure(self):
        # "fail" on an update: the call is accepted, the update ends
        # with latest*Update CREATE FAILED and the reason; the resource
        # stays ACTIVE with its old settings, and takes the next update.
        dsg, _ = self.group("UpdFail", items=False)
        sol, sv = self.trained(dsg, "updfail", "aws-user-personalization")
        c = self.campaign(sv, "updFailCampaign")
        self.sim.faults(inject=[{"operation": "UpdateCampaign",
                                 "fail": "Internal server error"},
                                {"operation": "UpdateSolution",
                                 "fail": "Internal failure"}])
        self.call("UpdateCampaign", {"campaignArn": c,
                                     "minProvisionedTPS": 2})

        def ended(op, key, arn_key, arn, field):
            def check():
                d = self.call(op, {arn_key: arn})[key]
                return d if d[field]["status"] in ("ACTIVE",
                                                   "CREATE FAILED") \
                    else None
            return h.wait_for(check, 30, 0.01)
        d = ended("DescribeCampaign", "campaign", "campaignArn", c,
                  "latestCampaignUpdate")
        self.assertEqual((d["latestCampaignUpdate"]["status"],
                          d["latestCampaignUpdate"]["failureReason"],
                          d["latestCampaignUpdate"]["minProvisionedTPS"]),
                         ("CREATE FAILED", "Internal server error", 2))
        self.assertEqual((d["status"], d["minProvisionedTPS"]),
                         ("ACTIVE", 1))
        self.assertNotIn("failureReason", d)
        self.call("UpdateSolution", {"solutionArn": sol,
                                     "performAutoTraining": True})
        d = ended("DescribeSolution", "solution", "solutionArn", sol,
                  "latestSolutionUpdate")
        self.assertEqual((d["status"], d["performAutoTraining"],
                          d["latestSolutionUpdate"]["status"],
                          d["latestSolutionUpdate"]["failureReason"]),
                         ("ACTIVE", False, "CREATE FAILED",
                          "Internal failure"))
        self.assertEqual(self.sim.faults()["inject"], [])
        # Each injection fails one update: the next one is applied.
        self.call("UpdateCampaign", {"campaignArn": c,
                                     "minProvisionedTPS": 2})
        d = self.wait_update("DescribeCampaign", "campaign", "campaignArn",
                             c, "latestCampaignUpdate")
        self.assertEqual(d["minProvisionedTPS"], 2)
        self.assertNotIn("failureReason", d["latestCampaignUpdate"])
        self.call("DeleteCampaign", {"campaignArn": c})

    def test_events_items_and_metric_attribution(self):
        dsg, bucket = self.group("Live")
        tr = self.call("CreateEventTracker", {"name": "liveTracker",
                                              "datasetGroupArn": dsg})
        self.call("CreateEventTracker", {"name": "second",
                                         "datasetGroupArn": dsg}, 400,
                  "LimitExceededException")
        self.wait("DescribeEventTracker", "eventTracker", "eventTrackerArn",
                  tr["eventTrackerArn"])
        ds = self.call("DescribeDataset", {
            "datasetArn": ARN + "dataset/Live/INTERACTIONS"})["dataset"]
        with self.subTest("the dataset's trackingId"):
            h.need(self, member="Dataset.trackingId")
            self.assertEqual(ds["trackingId"], tr["trackingId"])
        st, _, b = h.signed(self.sim, "POST", "/events", "personalize",
                            json.dumps({
                                "trackingId": "nope", "sessionId": "s",
                                "eventList": [{"eventType": "click",
                                               "itemId": "i1",
                                               "sentAt": 1}]}).encode(),
                            {"Content-Type": "application/json"})
        self.assertEqual((st, json.loads(b)["__type"]),
                         (404, "ResourceNotFoundException"))
        st, _, b = h.signed(self.sim, "POST", "/items", "personalize",
                            json.dumps({
                                "datasetArn": ARN + "dataset/Live/ITEMS",
                                "items": [{"itemId": "new1", "properties":
                                           '{"genre": "Drama", "year": 1999}'
                                           }]}).encode(),
                            {"Content-Type": "application/json"})
        self.assertEqual(st, 200, b)
        st, _, b = h.signed(self.sim, "POST", "/items", "personalize",
                            json.dumps({
                                "datasetArn": ARN + "dataset/Live/ITEMS",
                                "items": [{"itemId": "x", "properties":
                                           '{"colour": "red"}'}]}).encode(),
                            {"Content-Type": "application/json"})
        self.assertEqual(st, 400, b)
        ma = self.call("CreateMetricAttribution", {
            "name": "clicks", "datasetGroupArn": dsg,
            "metrics": [{"eventType": "click", "metricName": "CLICKS",
                         "expression": "SAMPLECOUNT()"}],
            "metricsOutputConfig": {"roleArn": ROLE}})[
            "metricAttributionArn"]
        self.wait("DescribeMetricAttribution", "metricAttribution",
                  "metricAttributionArn", ma)
        self.call("UpdateMetricAttribution", {
            "metricAttributionArn": ma, "addMetrics": [
                {"eventType": "watch", "metricName": "WATCHES",
                 "expression": "SAMPLECOUNT()"}]})
        self.wait("DescribeMetricAttribution", "metricAttribution",
                  "metricAttributionArn", ma)
        out = self.call("ListMetricAttributionMetrics",
                        {"metricAttributionArn": ma})
        self.assertEqual([m["metricName"] for m in out["metrics"]],
                         ["CLICKS", "WATCHES"])

    def test_schema_update_and_dataset_rules(self):
        dsg, _ = self.group("Upd")
        ds = ARN + "dataset/Upd/ITEMS"
        wider = json.loads(h.ITEMS_SCHEMA)
        wider["fields"].append({"name": "DEVICE",
                                "type": ["null", "string"]})
        s2 = self.call("CreateSchema", {"name": "Upd-i-v2", "schema":
                                        json.dumps(wider)})["schemaArn"]
        narrow = json.loads(h.ITEMS_SCHEMA)
        narrow["fields"] = [f for f in narrow["fields"]
                            if f["name"] != "YEAR"]
        s3 = self.call("CreateSchema", {"name": "Upd-i-v3", "schema":
                                        json.dumps(narrow)})["schemaArn"]
        with self.subTest("UpdateDataset"):
            h.need(self, op="UpdateDataset",
                   member="Dataset.latestDatasetUpdate")
            self.call("UpdateDataset", {"datasetArn": ds, "schemaArn": s3},
                      400, "InvalidInputException")
            self.call("UpdateDataset", {"datasetArn": ds, "schemaArn": s2})
            d = self.wait("DescribeDataset", "dataset", "datasetArn", ds)
            self.assertEqual(d["schemaArn"], s2)
            self.assertEqual(d["latestDatasetUpdate"]["status"], "ACTIVE")
        self.call("CreateDataset", {
            "name": "again", "schemaArn": s2, "datasetGroupArn": dsg,
            "datasetType": "Items"}, 400,
            "ResourceAlreadyExistsException")
        self.call("CreateDataset", {
            "name": "users", "schemaArn": s2, "datasetGroupArn": dsg,
            "datasetType": "Users"}, 400, "InvalidInputException")
        self.call("CreateSchema", {"name": "bad", "schema": "{}"}, 400,
                  "InvalidInputException")


class SlowLifecycles(Base):
    """--time-scale 1: exact statuses, moved on with /__sim/clock."""
    args = ("--seed", "4")

    def advance(self, s):
        self.sim.control("POST", "/__sim/clock", {"advance_s": s})

    def status(self, op, key, arn_key, arn):
        return self.call(op, {arn_key: arn})[key]["status"]

    def test_statuses(self):
        dsg = self.call("CreateDatasetGroup", {"name": "slow"})[
            "datasetGroupArn"]
        st = lambda: self.status("DescribeDatasetGroup", "datasetGroup",
                                 "datasetGroupArn", dsg)
        self.assertEqual(st(), "CREATE PENDING")
        self.advance(6)
        self.assertEqual(st(), "CREATE IN_PROGRESS")
        self.advance(30)
        self.assertEqual(st(), "ACTIVE")
        self.call("DeleteDatasetGroup", {"datasetGroupArn": dsg})
        self.assertEqual(st(), "DELETE PENDING")
        self.call("DeleteDatasetGroup", {"datasetGroupArn": dsg}, 400,
                  "ResourceInUseException")
        self.advance(6)
        self.assertEqual(st(), "DELETE IN_PROGRESS")
        self.advance(30)
        self.call("DescribeDatasetGroup", {"datasetGroupArn": dsg}, 400,
                  "ResourceNotFoundException")
        states = [r for r in self.sim.state()["resources"]
                  if r["arn"] == dsg]
        self.assertEqual(states, [])

    def test_injected_creation_failure(self):
        # "fail": the call is accepted, the creation goes its way and
        # ends CREATE FAILED with the reason, once; the next one lives.
        self.sim.faults(inject=[{"operation": "CreateDatasetGroup",
                                 "fail": "Internal failure"}])
        arns = [self.call("CreateDatasetGroup", {"name": n})[
            "datasetGroupArn"] for n in ("doomed", "fine")]
        st = lambda arn: self.call("DescribeDatasetGroup", {
            "datasetGroupArn": arn})["datasetGroup"]
        self.assertEqual(st(arns[0])["status"], "CREATE PENDING")
        self.advance(6)
        self.assertEqual(st(arns[0])["status"], "CREATE IN_PROGRESS")
        self.advance(30)
        self.assertEqual((st(arns[0])["status"],
                          st(arns[0])["failureReason"]),
                         ("CREATE FAILED", "Internal failure"))
        self.assertEqual(st(arns[1])["status"], "ACTIVE")
        self.assertNotIn("failureReason", st(arns[1]))
        self.assertEqual(self.sim.faults()["inject"], [])
        for arn in arns:
            self.call("DeleteDatasetGroup", {"datasetGroupArn": arn})

    def test_last_updated_when_done(self):
        # A lifecycle that ends in work (an import reads its data) stamps
        # lastUpdatedDateTime when it becomes ACTIVE, as every status
        # change does: clients time their waits by it.
        self.sim.control("POST", "/__sim/clock", {"advance_s": 0})
        dsg = self.call("CreateDatasetGroup", {"name": "stamp"})[
            "datasetGroupArn"]
        self.advance(40)
        self.s3("PUT", "/stamp-data")
        self.upload("stamp-data", "i.csv", h.make_interactions())
        si = self.call("CreateSchema", {"name": "stamp-i", "schema":
                                        h.INTERACTIONS_SCHEMA})["schemaArn"]
        ds = self.call("CreateDataset", {
            "name": "stamp-i", "schemaArn": si, "datasetGroupArn": dsg,
            "datasetType": "Interactions"})["datasetArn"]
        self.advance(40)
        job = {"jobName": "stamp", "datasetArn": ds,
               "dataSource": {"dataLocation": "s3://stamp-data/i.csv"}}
        if h.model_requires("CreateDatasetImportJobRequest.roleArn"):
            job["roleArn"] = ROLE
        arn = self.call("CreateDatasetImportJob", job)["datasetImportJobArn"]
        self.advance(1000)
        d = self.call("DescribeDatasetImportJob", {
            "datasetImportJobArn": arn})["datasetImportJob"]
        self.assertEqual(d["status"], "ACTIVE")
        # 60 s pending + 540 s importing (the test's own seconds aside);
        # not 60, when IN_PROGRESS began.
        took = d["lastUpdatedDateTime"] - d["creationDateTime"]
        self.assertLess(abs(took - (60 + 540)), 30, took)

    def test_stop_training(self):
        self.sim.control("POST", "/__sim/clock", {"advance_s": 0})
        dsg = self.call("CreateDatasetGroup", {"name": "stop"})[
            "datasetGroupArn"]
        self.advance(40)
        self.s3("PUT", "/stop-data")
        self.upload("stop-data", "i.csv", h.make_interactions())
        si = self.call("CreateSchema", {"name": "stop-i", "schema":
                                        h.INTERACTIONS_SCHEMA})["schemaArn"]
        ds = self.call("CreateDataset", {
            "name": "i", "schemaArn": si, "datasetGroupArn": dsg,
            "datasetType": "Interactions"})["datasetArn"]
        self.advance(40)
        job = {"jobName": "j", "datasetArn": ds,
               "dataSource": {"dataLocation": "s3://stop-data/i.csv"}}
        if h.model_requires("CreateDatasetImportJobRequest.roleArn"):
            job["roleArn"] = ROLE  # older models require it
        self.call("CreateDatasetImportJob", job)
        self.advance(1000)
        sol = self.call("CreateSolution", {
            "name": "stop", "datasetGroupArn": dsg,
            "recipeArn": recipe("aws-user-personalization"),
            "performAutoTraining": False})["solutionArn"]
        self.advance(30)
        sv = self.call("CreateSolutionVersion", {"solutionArn": sol})[
            "solutionVersionArn"]
        self.call("CreateSolutionVersion", {"solutionArn": sol}, 400,
                  "ResourceInUseException")
        self.call("DeleteSolution", {"solutionArn": sol}, 400,
                  "ResourceInUseException")
        self.call("GetSolutionMetrics", {"solutionVersionArn": sv}, 400,
                  "ResourceInUseException")
        s = lambda v: self.status("DescribeSolutionVersion",
                                  "solutionVersion", "solutionVersionArn", v)
        # CREATE IN_PROGRESS > CREATE STOPPING > CREATE STOPPED
        self.advance(130)
        self.assertEqual(s(sv), "CREATE IN_PROGRESS")
        self.call("StopSolutionVersionCreation", {"solutionVersionArn": sv})
        self.assertEqual(s(sv), "CREATE STOPPING")
        self.advance(4000)
        self.assertEqual(s(sv), "CREATE STOPPED")
        self.call("StopSolutionVersionCreation", {"solutionVersionArn": sv},
                  400, "ResourceInUseException")
        # CREATE PENDING > CREATE STOPPED at once, nothing billed
        sv2 = self.call("CreateSolutionVersion", {"solutionArn": sol})[
            "solutionVersionArn"]
        self.assertEqual(s(sv2), "CREATE PENDING")
        self.call("StopSolutionVersionCreation",
                  {"solutionVersionArn": sv2})
        d = self.call("DescribeSolutionVersion",
                      {"solutionVersionArn": sv2})["solutionVersion"]
        self.assertEqual((d["status"], d["trainingHours"]),
                         ("CREATE STOPPED", 0.0))


class S3Features(Base):
    B = "features"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        st, _, _ = h.signed(cls.sim, "PUT", "/" + cls.B, "s3")
        assert st == 200

    def test_virtual_host_style(self):
        host = {"Host": "%s.localhost:%d" % (self.B, self.sim.port)}
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        url = "http://%s.localhost:%d/vh.txt" % (self.B, self.sim.port)
        req = AWSRequest("PUT", url, data=b"virtual")
        S3SigV4Auth(Credentials(h.AKID, h.SECRET), "s3",
                    "us-east-1").add_auth(req)
        c = http.client.HTTPConnection("127.0.0.1", self.sim.port)
        hd = dict(req.prepare().headers.items())
        hd.update(host)
        c.request("PUT", "/vh.txt", b"virtual", hd)
        r = c.getresponse()
        r.read()
        c.close()
        self.assertEqual(r.status, 200)
        _, body = self.s3("GET", "/%s/vh.txt" % self.B)
        self.assertEqual(body, b"virtual")

    def test_presigned_get(self):
        from botocore.auth import S3SigV4QueryAuth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        self.s3("PUT", "/%s/pre.txt" % self.B, b"presigned")
        req = AWSRequest("GET", self.sim.url + "/%s/pre.txt" % self.B)
        S3SigV4QueryAuth(Credentials(h.AKID, h.SECRET), "s3", "us-east-1",
                         expires=60).add_auth(req)
        import urllib.request
        with urllib.request.urlopen(req.prepare().url) as r:
            self.assertEqual(r.read(), b"presigned")

    def test_listing(self):
        keys = ["l/a b.txt", "l/dir/x", "l/dir/y", "l/z+1", "l/é"]
        for k in keys:
            from urllib.parse import quote
            self.s3("PUT", "/%s/%s" % (self.B, quote(k)), b"x")
        _, body = self.s3("GET", "/" + self.B, query={
            "list-type": "2", "prefix": "l/", "delimiter": "/",
            "encoding-type": "url"})
        txt = body.decode()
        self.assertIn("<KeyCount>4</KeyCount>", txt)
        self.assertIn("<Prefix>l%2Fdir%2F</Prefix>".replace("%2F", "/"),
                      txt)
        self.assertIn("<Key>l/a+b.txt</Key>", txt)
        self.assertIn("<Key>l/z%2B1</Key>", txt)
        got = []
        token = None
        while True:
            q = {"list-type": "2", "prefix": "l/", "max-keys": "2"}
            if token:
                q["continuation-token"] = token
            _, body = self.s3("GET", "/" + self.B, query=q)
            txt = body.decode()
            got += [x.split("</Key>")[0] for x in txt.split("<Key>")[1:]]
            if "<NextContinuationToken>" not in txt:
                break
            token = txt.split("<NextContinuationToken>")[1].split("<")[0]
        self.assertEqual(got, sorted(keys))
        self.s3("GET", "/" + self.B, query={
            "list-type": "2", "continuation-token": "bogus"}, status=400)
        _, body = self.s3("GET", "/" + self.B, query={"prefix": "l/dir/"})
        self.assertIn(b"<Key>l/dir/x</Key>", body)  # ListObjects V1

    def test_ranges_conditions_and_checksums(self):
        data = bytes(range(256)) * 4
        hd, _ = self.s3("PUT", "/%s/r.bin" % self.B, data, {
            "Content-MD5": base64.b64encode(
                hashlib.md5(data).digest()).decode(),
            "x-amz-checksum-crc32": base64.b64encode(
                zlib.crc32(data).to_bytes(4, "big")).decode(),
            "x-amz-meta-owner": "pz", "Content-Type": "application/x-test"})
        etag = hd["ETag"]
        self.assertEqual(etag, h.md5_etag(data))
        hd, body = self.s3("GET", "/%s/r.bin" % self.B,
                           headers={"Range": "bytes=10-19"}, status=206)
        self.assertEqual(body, data[10:20])
        self.assertEqual(hd["Content-Range"], "bytes 10-19/1024")
        self.s3("GET", "/%s/r.bin" % self.B,
                headers={"Range": "bytes=5000-"}, status=416)
        self.s3("GET", "/%s/r.bin" % self.B,
                headers={"If-None-Match": etag}, status=304)
        self.s3("GET", "/%s/r.bin" % self.B,
                headers={"If-Match": '"nope"'}, status=412)
        hd, body = self.s3("HEAD", "/%s/r.bin" % self.B,
                           headers={"x-amz-checksum-mode": "ENABLED"})
        self.assertEqual(body, b"")
        self.assertEqual(hd["Content-Length"], "1024")
        self.assertEqual(hd["x-amz-meta-owner"], "pz")
        self.assertEqual(hd["Content-Type"], "application/x-test")
        self.assertEqual(hd["x-amz-server-side-encryption"], "AES256")
        self.assertIn("x-amz-checksum-crc32", hd)
        _, body = self.s3("HEAD", "/%s/missing" % self.B, status=404)
        self.assertEqual(body, b"")
        _, body = self.s3("PUT", "/%s/bad" % self.B, b"abc", {
            "Content-MD5": base64.b64encode(b"0" * 16).decode()},
            status=400)
        self.assertIn(b"<Code>BadDigest</Code>", body)
        _, body = self.s3("PUT", "/%s/bad" % self.B, b"abc", {
            "x-amz-checksum-sha256": base64.b64encode(b"0" * 32).decode()},
            status=400)
        self.assertIn(b"<Code>BadDigest</Code>", body)
        _, body = self.s3("PUT", "/%s/bad" % self.B, b"abc", {
            "x-amz-server-side-encryption-aws-kms-key-id": "k"}, status=400)
        self.assertIn(b"<Code>InvalidArgument</Code>", body)

    def test_multipart_copy_and_batch_delete(self):
        b = self.B
        _, body = self.s3("POST", "/%s/mp.bin" % b, query={"uploads": ""},
                          headers={"x-amz-server-side-encryption":
                                   "aws:kms"})
        uid = body.decode().split("<UploadId>")[1].split("<")[0]
        p1 = b"a" * (5 * 1024 * 1024)
        p2 = b"tail"
        e1, _ = self.s3("PUT", "/%s/mp.bin" % b, p1, query={
            "partNumber": "1", "uploadId": uid}, unsigned_payload=True)
        e2, _ = self.s3("PUT", "/%s/mp.bin" % b, p2, query={
            "partNumber": "2", "uploadId": uid})
        xml = ("<CompleteMultipartUpload>%s</CompleteMultipartUpload>" %
               "".join("<Part><PartNumber>%d</PartNumber><ETag>%s</ETag>"
                       "</Part>" % (n, e["ETag"])
                       for n, e in ((1, e1), (2, e2)))).encode()
        hd, body = self.s3("POST", "/%s/mp.bin" % b, xml,
                           query={"uploadId": uid})
        want = hashlib.md5(hashlib.md5(p1).digest() +
                           hashlib.md5(p2).digest()).hexdigest()
        self.assertIn(('"%s-2"' % want).encode(), body)
        self.assertEqual(hd["x-amz-server-side-encryption"], "aws:kms")
        hd, body = self.s3("GET", "/%s/mp.bin" % b)
        self.assertEqual(body, p1 + p2)
        self.assertEqual(hd["x-amz-server-side-encryption"], "aws:kms")
        self.s3("POST", "/%s/mp.bin" % b, xml, query={"uploadId": uid},
                status=404)
        # a small first part is refused
        _, body = self.s3("POST", "/%s/small.bin" % b,
                          query={"uploads": ""})
        uid = body.decode().split("<UploadId>")[1].split("<")[0]
        e1, _ = self.s3("PUT", "/%s/small.bin" % b, b"x", query={
            "partNumber": "1", "uploadId": uid})
        e2, _ = self.s3("PUT", "/%s/small.bin" % b, b"y", query={
            "partNumber": "2", "uploadId": uid})
        xml = ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
               "<ETag>%s</ETag></Part><Part><PartNumber>2</PartNumber>"
               "<ETag>%s</ETag></Part></CompleteMultipartUpload>"
               % (e1["ETag"], e2["ETag"])).encode()
        _, body = self.s3("POST", "/%s/small.bin" % b, xml,
                          query={"uploadId": uid}, status=400)
        self.assertIn(b"<Code>EntityTooSmall</Code>", body)
        self.s3("DELETE", "/%s/small.bin" % b, query={"uploadId": uid},
                status=204)
        # copy
        hd, body = self.s3("PUT", "/%s/copy.bin" % b, headers={
            "x-amz-copy-source": "/%s/mp.bin" % b})
        self.assertIn(b"<CopyObjectResult xmlns=", body)
        # batch delete
        xml = (b"<Delete><Object><Key>mp.bin</Key></Object><Object><Key>"
               b"copy.bin</Key></Object></Delete>")
        md5 = base64.b64encode(hashlib.md5(xml).digest()).decode()
        _, body = self.s3("POST", "/" + b, xml, {"Content-MD5": md5},
                          query={"delete": ""})
        self.assertEqual(body.count(b"<Deleted>"), 2)
        self.s3("GET", "/%s/mp.bin" % b, status=404)

    def test_buckets(self):
        self.s3("PUT", "/" + self.B)  # us-east-1: already yours is 200
        self.s3("PUT", "/other-region", b"<CreateBucketConfiguration><Locat"
                b"ionConstraint>eu-west-1</LocationConstraint>"
                b"</CreateBucketConfiguration>", status=400)
        hd, _ = self.s3("HEAD", "/" + self.B)
        self.assertEqual(hd["x-amz-bucket-region"], "us-east-1")
        self.s3("HEAD", "/no-such-bucket-x", status=404)
        _, body = self.s3("GET", "/")
        self.assertIn(b"<Name>features</Name>", body)
        _, body = self.s3("GET", "/" + self.B, query={"location": ""})
        self.assertIn(b"<LocationConstraint", body)


class Control(Base):
    def test_state_calls_faults_webhooks_reset(self):
        sim = self.sim
        self.call("CreateDatasetGroup", {"name": "ctl"})
        h.signed(sim, "PUT", "/ctl-bucket", "s3")
        st = sim.state()
        self.assertEqual([(r["type"], r["name"]) for r in st["resources"]],
                         [("datasetGroup", "ctl")])
        self.assertIn(st["resources"][0]["status"],
                      ("CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"))
        self.assertEqual(st["buckets"][0]["name"], "ctl-bucket")
        calls = sim.calls()
        self.assertEqual([(c["service"], c["operation"], c["status"])
                          for c in calls[-2:]],
                         [("personalize", "CreateDatasetGroup", 200),
                          ("s3", "CreateBucket", 200)])
        self.assertEqual(sim.calls(len(calls) - 1), calls[-1:])
        for k in ("time", "error", "epoch"):
            self.assertIn(k, calls[-1])
        with self.assertRaises(Exception):
            sim.control("POST", "/__sim/faults", {"throttle_rate": 3})
        out = sim.faults(latency_ms=0, error_rate=0)
        self.assertEqual(out["latency_ms"], 0)
        req = __import__("urllib.request").request.Request(
            sim.url + "/__sim/webhook/pz/apply", data=b'{"event": "done"}',
            method="POST", headers={"Content-Type": "application/json"})
        __import__("urllib.request").request.urlopen(req).read()
        hooks = sim.control("GET", "/__sim/webhooks")["webhooks"]
        self.assertEqual([(w["path"], w["body"]) for w in hooks],
                         [("pz/apply", '{"event": "done"}')])
        sim.control("POST", "/__sim/reset")
        st = sim.state()
        self.assertEqual((st["resources"], st["buckets"], sim.calls()),
                         ([], [], []))
        self.assertEqual(sim.control("GET", "/__sim/webhooks")["webhooks"],
                         [])

    def test_drop_and_error_rates(self):
        sim = self.sim
        sim.faults(drop_rate=1.0)
        try:
            with self.assertRaises((http.client.RemoteDisconnected,
                                    ConnectionResetError)):
                h.personalize(sim, "ListDatasetGroups", {})
        finally:
            sim.faults(drop_rate=0.0)
        sim.faults(error_rate=1.0, seed=1)
        try:
            codes = set()
            for _ in range(10):
                st, b = h.personalize(sim, "ListDatasetGroups", {})
                codes.add((st, b["__type"]))
        finally:
            sim.faults(error_rate=0.0)
        self.assertEqual(codes, {(500, "InternalFailure"),
                                 (503, "ServiceUnavailable")})


class Persistence(unittest.TestCase):
    def test_restart_keeps_state(self):
        sim = h.Simulator("--seed", "5").start()
        data_dir = sim.data_dir
        try:
            st, b = h.personalize(sim, "CreateDatasetGroup",
                                  {"name": "keep"})
            self.assertEqual(st, 200)
            h.signed(sim, "PUT", "/keep-bucket", "s3")
            h.signed(sim, "PUT", "/keep-bucket/obj", "s3", b"kept")
            st, _, body = h.signed(sim, "POST", "/", "sts", (
                "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam"
                "%3A%3A123456789012%3Arole%2Fr&RoleSessionName=keep").encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
            txt = body.decode()
            temp = [txt.split("<%s>" % t)[1].split("<")[0] for t in
                    ("AccessKeyId", "SecretAccessKey", "SessionToken")]
            sim.stop(cleanup=False)
            sim.start()
            self.assertNotEqual(sim.port, None)
            st, b = h.personalize(sim, "DescribeDatasetGroup", {
                "datasetGroupArn": ARN + "dataset-group/keep"})
            self.assertEqual(st, 200)
            self.assertEqual(b["datasetGroup"]["status"], "CREATE PENDING")
            sim.control("POST", "/__sim/clock", {"advance_s": 60})
            st, b = h.personalize(sim, "DescribeDatasetGroup", {
                "datasetGroupArn": ARN + "dataset-group/keep"})
            self.assertEqual(b["datasetGroup"]["status"], "ACTIVE")
            st, _, body = h.signed(sim, "GET", "/keep-bucket/obj", "s3")
            self.assertEqual((st, body), (200, b"kept"))
            st, _, body = h.signed(sim, "POST", "/", "sts",
                                   b"Action=GetCallerIdentity&Version="
                                   b"2011-06-15", {
                                       "Content-Type":
                                       "application/x-www-form-urlencoded"},
                                   akid=temp[0], secret=temp[1],
                                   token=temp[2])
            self.assertEqual(st, 200, body)
            self.assertIn(b"assumed-role/r/keep", body)
            self.assertEqual(sorted(os.listdir(data_dir)),
                             ["blobs", "state.json"])
        finally:
            sim.stop()


class CommandLine(unittest.TestCase):
    def form(self, sim, body, sign=True, **kw):
        return h.signed(sim, "POST", "/", "sts", body.encode(), {
            "Content-Type": "application/x-www-form-urlencoded"}, sign=sign,
            **kw)

    def test_web_identity_token_check(self):
        sim = h.Simulator("--web-identity-token-check").start()
        try:
            def jwt(claims):
                enc = lambda d: base64.urlsafe_b64encode(json.dumps(
                    d).encode()).decode().rstrip("=")
                return "%s.%s.sig" % (enc({"alg": "RS256"}), enc(claims))
            base = ("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&"
                    "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fgha&"
                    "RoleSessionName=gha&WebIdentityToken=")
            st, _, body = self.form(sim, base + "not-a-jwt-at-all",
                                    sign=False)
            self.assertEqual(st, 400)
            self.assertIn(b"<Code>InvalidIdentityToken</Code>", body)
            good = jwt({"iss": "https://token.actions.example", "sub":
                        "repo:pz", "aud": "sts.amazonaws.com",
                        "exp": time.time() + 600})
            st, _, body = self.form(sim, base + good, sign=False)
            self.assertEqual(st, 200, body)
            self.assertIn(b"<SubjectFromWebIdentityToken>repo:pz<", body)
            old = jwt({"iss": "i", "sub": "s", "aud": "a",
                       "exp": time.time() - 1})
            st, _, body = self.form(sim, base + old, sign=False)
            self.assertIn(b"<Code>ExpiredTokenException</Code>", body)
            st, _, body = self.form(sim, "Action=GetCallerIdentity&"
                                    "Version=2011-06-15", sign=False)
            self.assertEqual(st, 403)
            self.assertIn(b"<Code>MissingAuthenticationToken</Code>", body)
        finally:
            sim.stop()

    def test_credentials_region_and_account(self):
        tmp = os.path.join(tempfile.mkdtemp(), "creds.json")
        with open(tmp, "w") as f:
            json.dump([{"accessKeyId": "AKIAPZSIMTEST0000001",
                        "secretAccessKey": "s3cr3t",
                        "arn": "arn:aws:iam::210987654321:user/ci"}], f)
        sim = h.Simulator("--credentials-file", tmp, "--region",
                          "eu-west-1", "--account-id",
                          "210987654321").start()
        try:
            kw = {"akid": "AKIAPZSIMTEST0000001", "secret": "s3cr3t",
                  "region": "eu-west-1"}
            st, _, body = self.form(sim, "Action=GetCallerIdentity&"
                                    "Version=2011-06-15", **kw)
            self.assertEqual(st, 200, body)
            self.assertIn(b"<Arn>arn:aws:iam::210987654321:user/ci</Arn>",
                          body)
            st, _, body = self.form(sim, "Action=GetCallerIdentity&"
                                    "Version=2011-06-15", region="eu-west-1")
            self.assertEqual(st, 403)  # the default key is not configured
            st, b = h.personalize(sim, "CreateDatasetGroup", {"name": "eu"},
                                  **kw)
            self.assertEqual(b["datasetGroupArn"], "arn:aws:personalize:"
                             "eu-west-1:210987654321:dataset-group/eu")
            st, _, body = h.signed(sim, "PUT", "/eu-bucket", "s3", **kw)
            self.assertEqual(st, 400)
            self.assertIn(b"IllegalLocationConstraintException", body)
            st, _, body = h.signed(
                sim, "PUT", "/eu-bucket", "s3",
                b"<CreateBucketConfiguration><LocationConstraint>eu-west-1"
                b"</LocationConstraint></CreateBucketConfiguration>", **kw)
            self.assertEqual(st, 200, body)
        finally:
            sim.stop()

    def test_model_fallback(self):
        """An empty --model-dir: every service from the newest botocore
        on the machine, named with its version on the start-up line."""
        empty = tempfile.mkdtemp()
        newest = models.botocore_installations()[0]
        sim = h.Simulator("--model-dir", empty).start()
        try:
            self.assertIn("pzsim: using models from %s (botocore %s; "
                          "personalize " % (newest.data_dir, newest.version),
                          sim.read_log())
            st, b = h.personalize(sim, "CreateDatasetGroup", {"name": "m"})
            self.assertEqual(st, 200, b)
            st, b = h.personalize(sim, "CreateDatasetGroup", {"name": "x",
                                                             "bogus": 1})
            self.assertEqual((st, b["__type"]), (400,
                                                 "InvalidInputException"))
        finally:
            sim.stop()
        sim = h.Simulator().start()
        try:
            self.assertIn("pzsim: using %s\n" % MODELS.describe(),
                          sim.read_log())
        finally:
            sim.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
