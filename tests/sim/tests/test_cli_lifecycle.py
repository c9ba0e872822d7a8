#!/usr/bin/python3
"""Fidelity: the real AWS CLI drives a whole Personalize lifecycle through
the simulator: bucket and CSV uploads, dataset group, schemas, datasets,
imports, solution, training, metrics, campaign, recommendations (with a
filter), events, then deletes in dependency order until nothing is left."""

import concurrent.futures
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

BUCKET = "pz-lifecycle-data"
KMS = ("arn:aws:kms:us-east-1:123456789012:key/"
       "1234abcd-12ab-34cd-56ef-1234567890ab")


class Lifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = h.Simulator("--time-scale", "0.0005", "--seed", "7").start()
        cls.cli = h.Cli(cls.sim)
        cls.files = cls.cli.dir

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def aws(self, *args):
        return self.cli.json(*args)

    @staticmethod
    def par(*calls):
        """Run independent steps at once; their results in order."""
        with concurrent.futures.ThreadPoolExecutor(len(calls)) as ex:
            return [f.result() for f in [ex.submit(c) for c in calls]]

    def file(self, name, text):
        p = os.path.join(self.files, name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def wait_status(self, what, arn_flag, arn, key, want="ACTIVE"):
        def check():
            d = self.aws("personalize", "describe-" + what, arn_flag,
                         arn)[key]
            self.assertNotIn("FAILED", d["status"], d)
            return d if d["status"] == want else None
        return h.wait_for(check, 60, 0.01)

    def wait_gone(self, what, arn_flag, arn):
        def gone():
            rc, _, err = self.cli.run("personalize", "describe-" + what,
                                      arn_flag, arn, check=False)
            return rc != 0 and h.error_code(err) == \
                "ResourceNotFoundException"
        h.wait_for(gone, 60, 0.01)

    def test_lifecycle(self):
        aws = self.aws
        inter = h.make_interactions()
        items = h.make_items(1000)  # an import brings 1,000 records

        # --- S3: bucket, uploads, listing with continuation tokens --------
        self.cli.run("s3", "mb", "s3://" + BUCKET)
        _, put = self.par(
            lambda: self.cli.run(
                "s3", "cp", self.file("interactions.csv", inter),
                "s3://%s/data/interactions/part-1.csv" % BUCKET),
            lambda: aws("s3api", "put-object", "--bucket", BUCKET, "--key",
                        "data/items.csv", "--body",
                        self.file("items.csv", items),
                        "--server-side-encryption", "aws:kms",
                        "--ssekms-key-id", KMS))
        self.assertEqual(put["ETag"], h.md5_etag(items.encode()))
        self.assertEqual(put["ServerSideEncryption"], "aws:kms")
        self.assertEqual(put["SSEKMSKeyId"], KMS)
        head = aws("s3api", "head-object", "--bucket", BUCKET, "--key",
                   "data/items.csv")
        self.assertEqual(head["ContentLength"], len(items.encode()))
        self.assertEqual(head["ETag"], h.md5_etag(items.encode()))
        self.assertEqual(head["SSEKMSKeyId"], KMS)
        head = aws("s3api", "head-object", "--bucket", BUCKET, "--key",
                   "data/interactions/part-1.csv")
        self.assertEqual(head["ServerSideEncryption"], "AES256")
        self.par(*[lambda k=k: self.cli.run(
            "s3api", "put-object", "--bucket", BUCKET, "--key", "misc/k%d" % k)
            for k in range(3)])
        seq = self.sim.call_count()
        listed = aws("s3api", "list-objects-v2", "--bucket", BUCKET,
                     "--page-size", "2")
        self.assertEqual([o["Key"] for o in listed["Contents"]],
                         ["data/interactions/part-1.csv", "data/items.csv",
                          "misc/k0", "misc/k1", "misc/k2"])
        pages = [c for c in self.sim.calls(seq)
                 if c["operation"] == "ListObjectsV2"]
        self.assertEqual(len(pages), 3)  # 2 + 2 + 1 via continuation tokens
        self.cli.run("s3", "rm", "s3://%s/misc/" % BUCKET, "--recursive")
        got = os.path.join(self.files, "got.csv")
        self.cli.run("s3", "cp", "s3://%s/data/items.csv" % BUCKET, got)
        with open(got) as f:
            self.assertEqual(f.read(), items)

        # --- dataset group, schemas, datasets ----------------------------
        dsg = aws("personalize", "create-dataset-group", "--name",
                  "LifecycleDemo")["datasetGroupArn"]
        self.assertEqual(dsg, "arn:aws:personalize:us-east-1:123456789012:"
                         "dataset-group/LifecycleDemo")
        self.wait_status("dataset-group", "--dataset-group-arn", dsg,
                         "datasetGroup")
        s_int, s_items = self.par(
            lambda: aws("personalize", "create-schema", "--name",
                        "LifecycleDemo-Interactions", "--schema",
                        "file://" + self.file("si.json",
                                              h.INTERACTIONS_SCHEMA))[
                "schemaArn"],
            lambda: aws("personalize", "create-schema", "--name",
                        "LifecycleDemo-Items", "--schema",
                        "file://" + self.file("sit.json",
                                              h.ITEMS_SCHEMA))["schemaArn"])
        schemas = aws("personalize", "list-schemas", "--page-size", "1")
        self.assertEqual(sorted(s["schemaArn"] for s in schemas["schemas"]),
                         sorted([s_int, s_items]))
        def dataset(name, schema, dtype):
            arn = aws("personalize", "create-dataset", "--name", name,
                      "--schema-arn", schema, "--dataset-group-arn", dsg,
                      "--dataset-type", dtype)["datasetArn"]
            self.wait_status("dataset", "--dataset-arn", arn, "dataset")
            return arn
        ds_int, ds_items = self.par(
            lambda: dataset("InteractionsDataset", s_int, "Interactions"),
            lambda: dataset("ItemsDataset", s_items, "Items"))
        self.assertEqual(ds_int, "arn:aws:personalize:us-east-1:"
                         "123456789012:dataset/LifecycleDemo/INTERACTIONS")
        # created as Interactions, described and listed as INTERACTIONS
        d = aws("personalize", "describe-dataset", "--dataset-arn",
                ds_int)["dataset"]
        self.assertEqual(d["datasetType"], "INTERACTIONS")
        self.assertEqual(sorted(x["datasetType"] for x in aws(
            "personalize", "list-datasets", "--dataset-group-arn", dsg)[
            "datasets"]), ["INTERACTIONS", "ITEMS"])
        # an INCREMENTAL first import is refused
        rc, _, err = self.cli.run(
            "personalize", "create-dataset-import-job", "--job-name",
            "too-early", "--dataset-arn", ds_items, "--data-source",
            "dataLocation=s3://%s/data/items.csv" % BUCKET, "--role-arn",
            "arn:aws:iam::123456789012:role/PersonalizeS3",
            "--import-mode", "INCREMENTAL", check=False)
        self.assertNotEqual(rc, 0)
        self.assertEqual(h.error_code(err), "InvalidInputException", err)

        # --- imports: a prefix and an object ------------------------------
        role = "arn:aws:iam::123456789012:role/PersonalizeS3"
        def import_job(name, ds, loc):
            arn = aws("personalize", "create-dataset-import-job",
                      "--job-name", name, "--dataset-arn", ds,
                      "--data-source", "dataLocation=s3://%s/%s"
                      % (BUCKET, loc), "--role-arn", role)[
                "datasetImportJobArn"]
            self.wait_status("dataset-import-job",
                             "--dataset-import-job-arn", arn,
                             "datasetImportJob")
            return arn
        j1, j2 = self.par(
            lambda: import_job("import-interactions-1", ds_int,
                               "data/interactions/"),
            lambda: import_job("import-items-1", ds_items, "data/items.csv"))
        jobs = aws("personalize", "list-dataset-import-jobs",
                   "--dataset-arn", ds_int)["datasetImportJobs"]
        self.assertEqual([j["datasetImportJobArn"] for j in jobs], [j1])

        # --- solution, training, metrics ---------------------------------
        # automatic training (on by default) would race the manual one
        create = ("personalize", "create-solution", "--name",
                  "userPersonalizationSolution", "--dataset-group-arn", dsg,
                  "--recipe-arn", "arn:aws:personalize:::recipe/"
                  "aws-user-personalization")
        rc, out, err = self.cli.run(*create, "--no-perform-auto-training",
                                    check=False)
        if rc != 0:  # a CLI older than automatic training
            out = aws(*create)
            # Training is then on, and the service starts a version of
            # its own within the (scaled) hour: the manual one below
            # would race it (9.7's default refuses a second training).
            self.sim.control("POST", "/__sim/behaviour",
                             {"version_while_training": "allow"})
        sol = out["solutionArn"]
        self.wait_status("solution", "--solution-arn", sol, "solution")
        sv = aws("personalize", "create-solution-version", "--solution-arn",
                 sol)["solutionVersionArn"]
        self.assertRegex(sv, r"^%s/[0-9a-f]{8}$" % sol)
        self.assertEqual(aws("personalize", "describe-solution-version",
                             "--solution-version-arn", sv)[
            "solutionVersion"]["name"],
            "userPersonalizationSolution/" + sv.rsplit("/", 1)[1])
        d = self.wait_status("solution-version", "--solution-version-arn",
                             sv, "solutionVersion")
        self.assertEqual(d["trainingMode"], "FULL")
        self.assertGreater(d["trainingHours"], 0)
        m = aws("personalize", "get-solution-metrics",
                "--solution-version-arn", sv)
        self.assertEqual(m["solutionVersionArn"], sv)
        for k in ("coverage", "mean_reciprocal_rank_at_25",
                  "normalized_discounted_cumulative_gain_at_25",
                  "precision_at_5"):
            self.assertTrue(0 < m["metrics"][k] < 1, (k, m))
        self.assertEqual(m, aws("personalize", "get-solution-metrics",
                                "--solution-version-arn", sv))
        latest = aws("personalize", "describe-solution", "--solution-arn",
                     sol)["solution"]["latestSolutionVersion"]
        self.assertEqual(latest["solutionVersionArn"], sv)

        # --- campaign and recommendations ------------------------------
        camp = aws("personalize", "create-campaign", "--name",
                   "userPersonalizationCampaign", "--solution-version-arn",
                   sv, "--min-provisioned-tps", "1")["campaignArn"]
        self.wait_status("campaign", "--campaign-arn", camp, "campaign")
        rec = aws("personalize-runtime", "get-recommendations",
                  "--campaign-arn", camp, "--user-id", "u7",
                  "--num-results", "10")
        got = [i["itemId"] for i in rec["itemList"]]
        self.assertEqual(len(got), 10)
        self.assertTrue(rec["recommendationId"].startswith("RID-"))
        seen = {line.split(",")[1] for line in inter.splitlines()[1:]
                if line.split(",")[0] == "u7"}
        self.assertFalse(set(got) & seen, "recommends seen items")
        self.assertTrue(all(g in {"i%d" % k for k in range(100)}
                            for g in got))  # the items with interactions
        scores = [i["score"] for i in rec["itemList"]]
        self.assertEqual(scores, sorted(scores, reverse=True))
        again = aws("personalize-runtime", "get-recommendations",
                    "--campaign-arn", camp, "--user-id", "u7",
                    "--num-results", "10")
        self.assertEqual([i["itemId"] for i in again["itemList"]], got)

        flt = aws("personalize", "create-filter", "--name", "seventies",
                  "--dataset-group-arn", dsg, "--filter-expression",
                  "INCLUDE ItemID WHERE Items.YEAR >= 1970 AND "
                  "Items.YEAR < 1980")["filterArn"]
        self.wait_status("filter", "--filter-arn", flt, "filter")
        rec = aws("personalize-runtime", "get-recommendations",
                  "--campaign-arn", camp, "--user-id", "u7",
                  "--filter-arn", flt, "--num-results", "5")
        years = {"i%d" % k: 1950 + k % 60 for k in range(1000)}
        self.assertTrue(rec["itemList"])
        for i in rec["itemList"]:
            self.assertTrue(1970 <= years[i["itemId"]] < 1980, i)

        # events through a tracker change the user's recommendations
        tr = aws("personalize", "create-event-tracker", "--name",
                 "LifecycleTracker", "--dataset-group-arn", dsg)
        self.wait_status("event-tracker", "--event-tracker-arn",
                         tr["eventTrackerArn"], "eventTracker")
        # the tracker's ARN ends with an id, not its name
        self.assertRegex(tr["eventTrackerArn"],
                         r"^arn:aws:personalize:us-east-1:123456789012:"
                         r"event-tracker/[0-9a-f]{8}$")
        self.cli.run("personalize-events", "put-events", "--tracking-id",
                     tr["trackingId"], "--user-id", "u7", "--session-id",
                     "s1", "--event-list",
                     json.dumps([{"eventType": "click", "itemId": got[0],
                                  "sentAt": 1700999999}]))
        rec = aws("personalize-runtime", "get-recommendations",
                  "--campaign-arn", camp, "--user-id", "u7",
                  "--num-results", "10")
        self.assertNotIn(got[0], [i["itemId"] for i in rec["itemList"]])

        # --- deletes in dependency order -------------------------------
        # (the Interactions dataset goes after the tracker, the filter and
        # the campaign: refused before)
        rc, _, err = self.cli.run("personalize", "delete-dataset",
                                  "--dataset-arn", ds_int, check=False)
        self.assertNotEqual(rc, 0)
        self.assertEqual(h.error_code(err), "ResourceInUseException", err)
        self.assertIn("filter/seventies", err)
        aws("personalize", "delete-event-tracker", "--event-tracker-arn",
            tr["eventTrackerArn"])
        self.wait_gone("event-tracker", "--event-tracker-arn",
                       tr["eventTrackerArn"])
        aws("personalize", "delete-campaign", "--campaign-arn", camp)
        self.wait_gone("campaign", "--campaign-arn", camp)
        aws("personalize", "delete-solution", "--solution-arn", sol)
        self.wait_gone("solution", "--solution-arn", sol)
        self.wait_gone("solution-version", "--solution-version-arn", sv)
        aws("personalize", "delete-filter", "--filter-arn", flt)
        self.wait_gone("filter", "--filter-arn", flt)
        def delete_dataset(ds):
            aws("personalize", "delete-dataset", "--dataset-arn", ds)
            self.wait_gone("dataset", "--dataset-arn", ds)
        self.par(lambda: delete_dataset(ds_int),
                 lambda: delete_dataset(ds_items))
        self.wait_gone("dataset-import-job", "--dataset-import-job-arn", j1)
        aws("personalize", "delete-dataset-group", "--dataset-group-arn",
            dsg)
        self.wait_gone("dataset-group", "--dataset-group-arn", dsg)
        self.par(*[lambda s=s: aws("personalize", "delete-schema",
                                   "--schema-arn", s)
                   for s in (s_int, s_items)])
        self.cli.run("s3", "rb", "s3://" + BUCKET, "--force")
        state = self.sim.state()
        self.assertEqual(state["resources"], [])
        self.assertEqual(state["buckets"], [])
        bad = [c for c in self.sim.calls() if c["status"] >= 500]
        self.assertEqual(bad, [])


if __name__ == "__main__":
    h.require_botocore()
    h.find_aws_cli()
    unittest.main(verbosity=2)
