#!/usr/bin/python3
"""Fidelity: negative cases through the real AWS CLI (and, where the CLI
cannot express a request, raw requests signed by botocore). Every case
asserts the exact HTTP status and error code the simulator answered, the
status read from /__sim/calls for the calls the CLI made."""

import concurrent.futures
import json
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

ARN = "arn:aws:personalize:us-east-1:123456789012:"
BUCKET = "pz-errors"
ROLE = "arn:aws:iam::123456789012:role/PersonalizeS3"
REC = "arn:aws:personalize:::recipe/aws-user-personalization"


def _put(sim, key, body, headers=None):
    st, _, b = h.signed(sim, "PUT", "/%s/%s" % (BUCKET, key), "s3", body,
                        headers)
    assert st == 200, (st, b)


class Errors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = h.Simulator("--time-scale", "0.0005", "--seed",
                              "11").start()
        cls.cli = h.Cli(cls.sim)
        cls._tag = 0
        cls._tag_lock = threading.Lock()
        cls.fixtures()

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    @classmethod
    def p(cls, op, params, ok=True):
        st, body = h.personalize(cls.sim, op, params)
        if ok:
            assert st == 200, (op, st, body)
        return body

    @classmethod
    def wait(cls, op, key, arn_key, arn, want=("ACTIVE",)):
        def check():
            d = cls.p(op, {arn_key: arn})[key]
            return d if d["status"] in want else None
        return h.wait_for(check, 30, 0.01)

    @classmethod
    def fixtures(cls):
        """Resources the cases use, made with raw signed calls (fast)."""
        sim = cls.sim
        st, _, _ = h.signed(sim, "PUT", "/" + BUCKET, "s3")
        assert st == 200
        _put(sim, "small/interactions.csv",
             h.make_interactions(n=100, users=10).encode())
        _put(sim, "few-users/interactions.csv",
             h.make_interactions(n=1200, users=10).encode())
        _put(sim, "bad/interactions.csv",
             b"USER_ID,ITEM,TIMESTAMP\nu1,i1,1\n")
        _put(sim, "obj.txt", b"hello")
        cls.dsg = cls.p("CreateDatasetGroup",
                        {"name": "ErrorsGroup"})["datasetGroupArn"]
        cls.wait("DescribeDatasetGroup", "datasetGroup", "datasetGroupArn",
                 cls.dsg)
        cls.schema = cls.p("CreateSchema", {
            "name": "ErrorsGroup-Interactions",
            "schema": h.INTERACTIONS_SCHEMA})["schemaArn"]
        cls.ds = cls.p("CreateDataset", {
            "name": "Interactions", "schemaArn": cls.schema,
            "datasetGroupArn": cls.dsg,
            "datasetType": "Interactions"})["datasetArn"]
        cls.wait("DescribeDataset", "dataset", "datasetArn", cls.ds)
        jobs = {}
        for name, loc in (("bad-header", "bad/interactions.csv"),
                          ("no-data", "nothing-here/"),
                          ("small", "small/"),
                          ("few-users", "few-users/")):
            jobs[name] = cls.p("CreateDatasetImportJob", {
                "jobName": name, "datasetArn": cls.ds, "roleArn": ROLE,
                "dataSource": {"dataLocation": "s3://%s/%s"
                               % (BUCKET, loc)}})["datasetImportJobArn"]
            cls.wait("DescribeDatasetImportJob", "datasetImportJob",
                     "datasetImportJobArn", jobs[name],
                     ("ACTIVE", "CREATE FAILED"))
        cls.jobs = jobs
        cls.sol = cls.p("CreateSolution", {
            "name": "errorsSolution", "datasetGroupArn": cls.dsg,
            "recipeArn": REC, "performAutoTraining": False})["solutionArn"]
        cls.wait("DescribeSolution", "solution", "solutionArn", cls.sol)
        cls.sv = cls.p("CreateSolutionVersion",
                       {"solutionArn": cls.sol})["solutionVersionArn"]
        cls.wait("DescribeSolutionVersion", "solutionVersion",
                 "solutionVersionArn", cls.sv, ("ACTIVE", "CREATE FAILED"))
        st, _, body = h.signed(sim, "POST", "/", "sts", (
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam"
            "%3A%3A123456789012%3Arole%2Fpz-ci&RoleSessionName=ci").encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        assert st == 200, body
        txt = body.decode()

        def el(tag):
            return txt.split("<%s>" % tag)[1].split("</%s>" % tag)[0]
        cls.temp = (el("AccessKeyId"), el("SecretAccessKey"),
                    el("SessionToken"))

    # --- running cases ---------------------------------------------------

    def tag(self):
        with self._tag_lock:
            type(self)._tag += 1
            return "case-%d" % self._tag

    def cli_error(self, args, code, status, op, env=None, attempts=1,
                  cli=None):
        """Run the CLI; assert its error code and the HTTP statuses of the
        attempts it made (one, or the retries)."""
        tag = self.tag()
        rc, _, err = (cli or self.cli).run(*args, env=env, check=False,
                                           tag=tag)
        self.assertNotEqual(rc, 0, "aws %s succeeded" % " ".join(args))
        self.assertEqual(h.error_code(err), code, err)
        calls = [c for c in self.sim.calls() if "exec-env/" + tag in
                 (c.get("userAgent") or "").split()]
        self.assertEqual([(c["operation"], c["status"], c["error"])
                          for c in calls], [(op, status, code)] * attempts,
                         err)
        return err

    def cli_ok_after(self, args, op, failures, env=None):
        """Run the CLI; assert it succeeded after the given failed
        attempts [(status, code)]."""
        tag = self.tag()
        rc, out, err = self.cli.run(*args, env=env, check=False, tag=tag)
        self.assertEqual(rc, 0, err)
        calls = [c for c in self.sim.calls() if "exec-env/" + tag in
                 (c.get("userAgent") or "").split()]
        self.assertEqual([(c["operation"], c["status"], c["error"])
                          for c in calls],
                         [(op, s, e) for s, e in failures] +
                         [(op, 200, None)])
        return out

    # --- the cases that run in parallel ---------------------------------

    def parallel_cases(self):
        wrong = {"AWS_SECRET_ACCESS_KEY": "wrong" + h.SECRET[5:]}
        unknown = {"AWS_ACCESS_KEY_ID": "AKIDUNKNOWN0000000"}
        novalid = {"AWS_PROFILE": "novalidate"}
        temp_bad = {"AWS_ACCESS_KEY_ID": self.temp[0],
                    "AWS_SECRET_ACCESS_KEY": self.temp[1],
                    "AWS_SESSION_TOKEN": "not-the-token"}
        lp = ("personalize", "list-dataset-groups")
        return [
            # signatures and credentials
            ("bad signature (JSON)", lp, "InvalidSignatureException", 403,
             "ListDatasetGroups", wrong),
            ("unknown access key (JSON)", lp,
             "UnrecognizedClientException", 403, "ListDatasetGroups",
             unknown),
            ("wrong region in scope (JSON)", lp + ("--region", "us-west-2"),
             "InvalidSignatureException", 403, "ListDatasetGroups", None),
            ("bogus session token (JSON)", lp,
             "UnrecognizedClientException", 403, "ListDatasetGroups",
             {"AWS_SESSION_TOKEN": "bogus"}),
            ("bad signature (S3)", ("s3api", "list-objects-v2", "--bucket",
                                    BUCKET), "SignatureDoesNotMatch", 403,
             "ListObjectsV2", wrong),
            ("unknown access key (S3)", ("s3api", "list-objects-v2",
                                         "--bucket", BUCKET),
             "InvalidAccessKeyId", 403, "ListObjectsV2", unknown),
            ("bad signature (STS)", ("sts", "get-caller-identity"),
             "SignatureDoesNotMatch", 403, "GetCallerIdentity", wrong),
            ("unknown access key (STS)", ("sts", "get-caller-identity"),
             "InvalidClientTokenId", 403, "GetCallerIdentity", unknown),
            ("temporary key with a wrong token (STS)",
             ("sts", "get-caller-identity"), "InvalidClientTokenId", 403,
             "GetCallerIdentity", temp_bad),
            ("AssumeRole longer than the role allows",
             ("sts", "assume-role", "--role-arn",
              "arn:aws:iam::123456789012:role/pz", "--role-session-name",
              "xx", "--duration-seconds", "7200"), "ValidationError", 400,
             "AssumeRole", None),
            ("AssumeRole into another account",
             ("sts", "assume-role", "--role-arn",
              "arn:aws:iam::999999999999:role/pz", "--role-session-name",
              "xx"), "AccessDenied", 403, "AssumeRole", None),
            # model validation
            ("missing required member",
             ("personalize", "create-dataset-group", "--cli-input-json",
              "{}"), "InvalidInputException", 400, "CreateDatasetGroup",
             novalid),
            ("bad enum", ("personalize", "create-solution-version",
                          "--solution-arn", self.sol, "--training-mode",
                          "BOGUS"), "InvalidInputException", 400,
             "CreateSolutionVersion", None),
            ("bad name", ("personalize", "create-dataset-group", "--name",
                          "bad name!"), "InvalidInputException", 400,
             "CreateDatasetGroup", None),
            ("name too long", ("personalize", "create-dataset-group",
                               "--name", "n" * 64),
             "InvalidInputException", 400, "CreateDatasetGroup", None),
            ("ARN not matching the pattern",
             ("personalize", "describe-campaign", "--campaign-arn",
              "not-an-arn"), "InvalidInputException", 400,
             "DescribeCampaign", None),
            ("maxResults out of range", lp + ("--page-size", "500"),
             "InvalidInputException", 400, "ListDatasetGroups", None),
            ("number below its minimum",
             ("personalize", "create-campaign", "--name", "c0",
              "--solution-version-arn", self.sv, "--min-provisioned-tps",
              "0"), "InvalidInputException", 400, "CreateCampaign",
             novalid),
            ("invalid nextToken", lp + ("--no-paginate", "--cli-input-json",
                                        '{"nextToken": "garbage"}'),
             "InvalidNextTokenException", 400, "ListDatasetGroups", None),
            # service rules
            ("duplicate name", ("personalize", "create-dataset-group",
                                "--name", "ErrorsGroup"),
             "ResourceAlreadyExistsException", 400, "CreateDatasetGroup",
             None),
            ("delete a dataset group in use",
             ("personalize", "delete-dataset-group", "--dataset-group-arn",
              self.dsg), "ResourceInUseException", 400,
             "DeleteDatasetGroup", None),
            ("delete a schema in use",
             ("personalize", "delete-schema", "--schema-arn", self.schema),
             "ResourceInUseException", 400, "DeleteSchema", None),
            ("not found", ("personalize", "describe-campaign",
                           "--campaign-arn", ARN + "campaign/nope"),
             "ResourceNotFoundException", 400, "DescribeCampaign", None),
            ("unknown recipe", ("personalize", "create-solution", "--name",
                                "s2", "--dataset-group-arn", self.dsg,
                                "--recipe-arn",
                                "arn:aws:personalize:::recipe/aws-nope"),
             "ResourceNotFoundException", 400, "CreateSolution", None),
            ("campaign on a failed solution version",
             ("personalize", "create-campaign", "--name", "c1",
              "--solution-version-arn", self.sv),
             "ResourceInUseException", 400, "CreateCampaign", None),
            ("metrics of a failed solution version",
             ("personalize", "get-solution-metrics",
              "--solution-version-arn", self.sv),
             "ResourceInUseException", 400, "GetSolutionMetrics", None),
            ("runtime: campaign not found",
             ("personalize-runtime", "get-recommendations",
              "--campaign-arn", ARN + "campaign/nope", "--user-id", "u1"),
             "ResourceNotFoundException", 404, "GetRecommendations", None),
            # S3
            ("no such bucket", ("s3api", "list-objects-v2", "--bucket",
                                "no-such-bucket-here"), "NoSuchBucket",
             404, "ListObjectsV2", None),
            ("no such key", ("s3api", "get-object", "--bucket", BUCKET,
                             "--key", "missing.txt",
                             os.path.join(self.cli.dir, "out")),
             "NoSuchKey", 404, "GetObject", None),
            ("delete a bucket that is not empty",
             ("s3api", "delete-bucket", "--bucket", BUCKET),
             "BucketNotEmpty", 409, "DeleteBucket", None),
            ("invalid bucket name", ("s3api", "create-bucket", "--bucket",
                                     "Bad_Bucket"), "InvalidBucketName",
             400, "CreateBucket", None),
            ("unsupported server-side encryption",
             ("s3api", "put-object", "--bucket", BUCKET, "--key", "x",
              "--server-side-encryption", "BOGUS"), "InvalidArgument", 400,
             "PutObject", None),
            # SNS
            ("publish to a missing topic",
             ("sns", "publish", "--topic-arn",
              "arn:aws:sns:us-east-1:123456789012:nope", "--message", "m"),
             "NotFound", 404, "Publish", None),
        ]

    def test_parallel_cases(self):
        cases = self.parallel_cases()
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            futs = {ex.submit(self.cli_error, args, code, status, op, env):
                    name for name, args, code, status, op, env in cases}
            failures = []
            for f in concurrent.futures.as_completed(futs):
                try:
                    f.result()
                except AssertionError as e:
                    failures.append("%s: %s" % (futs[f], e))
        self.assertEqual(failures, [])
        print("\n%d parallel CLI error cases passed" % len(cases),
              file=sys.stderr)

    # --- lifecycle failures ------------------------------------------------

    def test_import_failures(self):
        d = self.p("DescribeDatasetImportJob", {
            "datasetImportJobArn": self.jobs["bad-header"]})
        d = self.cli.json("personalize", "describe-dataset-import-job",
                          "--dataset-import-job-arn",
                          self.jobs["bad-header"])["datasetImportJob"]
        self.assertEqual(d["status"], "CREATE FAILED")
        self.assertIn("ITEM", d["failureReason"])
        d = self.cli.json("personalize", "describe-dataset-import-job",
                          "--dataset-import-job-arn",
                          self.jobs["no-data"])["datasetImportJob"]
        self.assertEqual(d["status"], "CREATE FAILED")
        self.assertIn("No data found", d["failureReason"])
        # an import job brings at least 1,000 records
        d = self.cli.json("personalize", "describe-dataset-import-job",
                          "--dataset-import-job-arn",
                          self.jobs["small"])["datasetImportJob"]
        self.assertEqual(d["status"], "CREATE FAILED")
        self.assertIn("at least 1000", d["failureReason"])

    def test_training_minimum_data(self):
        d = self.cli.json("personalize", "describe-solution-version",
                          "--solution-version-arn",
                          self.sv)["solutionVersion"]
        # 1,200 interactions, but only 10 users: fewer than 25 with 2 each
        self.assertEqual(d["status"], "CREATE FAILED")
        self.assertIn("at least 25", d["failureReason"])

    # --- raw requests the CLI cannot express ------------------------------

    def test_conditional_writes(self):
        sim = self.sim
        st, hd, body = h.signed(sim, "PUT", "/%s/lock" % BUCKET, "s3", b"1",
                                {"If-None-Match": "*"})
        self.assertEqual(st, 200)
        etag = hd["ETag"]
        self.assertEqual(etag, h.md5_etag(b"1"))
        st, _, body = h.signed(sim, "PUT", "/%s/lock" % BUCKET, "s3", b"2",
                               {"If-None-Match": "*"})
        self.assertEqual((st, b"<Code>PreconditionFailed</Code>" in body),
                         (412, True), body)
        st, _, body = h.signed(sim, "PUT", "/%s/lock" % BUCKET, "s3", b"3",
                               {"If-Match": '"0123"'})
        self.assertEqual((st, b"<Code>PreconditionFailed</Code>" in body),
                         (412, True), body)
        st, hd, _ = h.signed(sim, "PUT", "/%s/lock" % BUCKET, "s3", b"4",
                             {"If-Match": etag})
        self.assertEqual(st, 200)
        self.assertEqual(hd["ETag"], h.md5_etag(b"4"))

    def test_conditional_write_race(self):
        """A conditional write while another one to the key is in flight
        answers 409 ConditionalRequestConflict."""
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        sim = self.sim
        body = b"x" * 1000
        req = AWSRequest("PUT", sim.url + "/%s/race" % BUCKET, data=body,
                         headers={"If-None-Match": "*"})
        S3SigV4Auth(Credentials(h.AKID, h.SECRET), "s3",
                    h.REGION).add_auth(req)
        p = req.prepare()
        hd = {k: v for k, v in p.headers.items()
              if k.lower() != "content-length"}
        hd["Host"] = "127.0.0.1:%d" % sim.port
        hd["Content-Length"] = str(len(body))
        head = "PUT /%s/race HTTP/1.1\r\n" % BUCKET + "".join(
            "%s: %s\r\n" % kv for kv in hd.items()) + "\r\n"
        s = socket.create_connection(("127.0.0.1", sim.port))
        try:
            s.sendall(head.encode() + body[:10])   # first writer stalls
            time.sleep(0.5)
            st, _, resp = h.signed(sim, "PUT", "/%s/race" % BUCKET, "s3",
                                   b"y", {"If-None-Match": "*"})
            self.assertEqual(st, 409, resp)
            self.assertIn(b"<Code>ConditionalRequestConflict</Code>", resp)
            s.sendall(body[10:])
            first = s.recv(4096)
            self.assertTrue(first.startswith(b"HTTP/1.1 200"), first)
        finally:
            s.close()

    def test_conditional_put_with_a_newer_cli(self):
        """Debian's CLI (2.9) predates If-None-Match on put-object; a newer
        CLI on PATH, when there is one, shows the 412 through the CLI."""
        import shutil
        newer = [p for p in (shutil.which("aws"),) if p and
                 os.path.realpath(p) != os.path.realpath(self.cli.aws)]
        if not newer:
            self.skipTest("no second, newer AWS CLI on PATH")
        cli = h.Cli(self.sim, aws=newer[0])
        body = os.path.join(cli.dir, "lock.json")
        with open(body, "w") as f:
            f.write("{}")
        rc, _, err = cli.run("s3api", "put-object", "--bucket", BUCKET,
                             "--key", "cli-lock", "--body", body,
                             "--if-none-match", "*", check=False)
        if rc != 0 and "--if-none-match" in err:
            self.skipTest("%s has no --if-none-match" % newer[0])
        self.assertEqual(rc, 0, err)
        self.cli_error(("s3api", "put-object", "--bucket", BUCKET, "--key",
                        "cli-lock", "--body", body, "--if-none-match", "*"),
                       "PreconditionFailed", 412, "PutObject", cli=cli)

    def test_content_sha256_mismatch(self):
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        import http.client
        sim = self.sim
        req = AWSRequest("PUT", sim.url + "/%s/tampered" % BUCKET,
                         data=b"original")
        S3SigV4Auth(Credentials(h.AKID, h.SECRET), "s3",
                    h.REGION).add_auth(req)
        p = req.prepare()
        c = http.client.HTTPConnection("127.0.0.1", sim.port)
        c.request("PUT", "/%s/tampered" % BUCKET, body=b"tampered",
                  headers=dict(p.headers.items()))
        r = c.getresponse()
        body = r.read()
        c.close()
        self.assertEqual(r.status, 400)
        self.assertIn(b"<Code>XAmzContentSHA256Mismatch</Code>", body)

    # --- faults, clock and credentials (global settings: sequential) -----

    def test_faults_and_clock(self):
        sim = self.sim
        lp = ("personalize", "list-dataset-groups")
        # persistent throttling: the CLI retries, then gives up
        sim.faults(throttle_rate=1.0)
        try:
            err = self.cli_error(lp, "ThrottlingException", 400,
                                 "ListDatasetGroups", attempts=3)
            self.assertIn("reached max retries: 2", err)
        finally:
            sim.faults(throttle_rate=0.0)
        # transient faults: the CLI's retries get through
        sim.faults(inject=[{"operation": "ListDatasetGroups",
                            "code": "ThrottlingException", "status": 400,
                            "message": "Rate exceeded", "count": 2}])
        self.cli_ok_after(lp, "ListDatasetGroups",
                          [(400, "ThrottlingException")] * 2)
        sim.faults(inject=[{"operation": "ListObjectsV2", "code": "SlowDown",
                            "status": 503, "count": 2}])
        self.cli_ok_after(("s3api", "list-objects-v2", "--bucket", BUCKET),
                          "ListObjectsV2", [(503, "SlowDown")] * 2)
        sim.faults(inject=[{"operation": "DescribeDatasetGroup",
                            "code": "InternalFailure", "status": 500}])
        self.cli_ok_after(("personalize", "describe-dataset-group",
                           "--dataset-group-arn", self.dsg),
                          "DescribeDatasetGroup", [(500, "InternalFailure")])
        sim.faults(inject=[{"operation": "GetCallerIdentity", "drop": True}])
        self.cli_ok_after(("sts", "get-caller-identity"),
                          "GetCallerIdentity", [(0, "ConnectionDropped")])
        # the server's clock an hour ahead: signatures have expired
        sim.faults(clock_offset_s=3600)
        try:
            err = self.cli_error(lp, "InvalidSignatureException", 400,
                                 "ListDatasetGroups")
            self.assertIn("Signature expired", err)
            self.cli_error(("s3api", "list-objects-v2", "--bucket", BUCKET),
                           "RequestTimeTooSkewed", 403, "ListObjectsV2")
            self.cli_error(("sts", "get-caller-identity"),
                           "SignatureDoesNotMatch", 403, "GetCallerIdentity")
        finally:
            sim.faults(clock_offset_s=0)

    def test_temporary_credentials(self):
        temp = {"AWS_ACCESS_KEY_ID": self.temp[0],
                "AWS_SECRET_ACCESS_KEY": self.temp[1],
                "AWS_SESSION_TOKEN": self.temp[2]}
        who = self.cli.json("sts", "get-caller-identity", env=temp)
        self.assertEqual(who["Arn"], "arn:aws:sts::123456789012:"
                         "assumed-role/pz-ci/ci")
        self.cli.run("personalize", "list-dataset-groups", env=temp)
        # web identity: unsigned, as in AWS
        out = self.cli.json("sts", "assume-role-with-web-identity",
                            "--role-arn",
                            "arn:aws:iam::123456789012:role/gha",
                            "--role-session-name", "gha",
                            "--web-identity-token", "eyJhbGciOi.token.sig")
        self.assertTrue(out["Credentials"]["AccessKeyId"].startswith("ASIA"))
        calls = [c for c in self.sim.calls()
                 if c["operation"] == "AssumeRoleWithWebIdentity"]
        self.assertEqual([(c["status"], c["accessKeyId"]) for c in calls],
                         [(200, None)])

    def test_expired_temporary_credentials(self):
        out = self.cli.json("sts", "assume-role", "--role-arn",
                            "arn:aws:iam::123456789012:role/short",
                            "--role-session-name", "short",
                            "--duration-seconds", "900")["Credentials"]
        env = {"AWS_ACCESS_KEY_ID": out["AccessKeyId"],
               "AWS_SECRET_ACCESS_KEY": out["SecretAccessKey"],
               "AWS_SESSION_TOKEN": out["SessionToken"]}
        self.sim.faults(clock_offset_s=901)
        try:
            self.cli_error(("personalize", "list-dataset-groups"),
                           "ExpiredTokenException", 403,
                           "ListDatasetGroups", env=env)
        finally:
            self.sim.faults(clock_offset_s=0)

    def test_sns_publish_recorded(self):
        arn = self.cli.json("sns", "create-topic", "--name",
                            "pz-notify")["TopicArn"]
        mid = self.cli.json("sns", "publish", "--topic-arn", arn,
                            "--subject", "apply", "--message",
                            json.dumps({"ok": True}))["MessageId"]
        msgs = self.sim.control("GET", "/__sim/sns")["messages"]
        self.assertEqual([(m["messageId"], m["topicArn"], m["subject"])
                          for m in msgs], [(mid, arn, "apply")])


class NotActiveAndLimits(unittest.TestCase):
    """Realistic durations (--time-scale 1), moved on with /__sim/clock."""

    @classmethod
    def setUpClass(cls):
        cls.sim = h.Simulator("--max-concurrent-trainings", "1").start()
        cls.cli = h.Cli(cls.sim)

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def p(self, op, params):
        st, body = h.personalize(self.sim, op, params)
        self.assertEqual(st, 200, body)
        return body

    def advance(self, seconds):
        self.sim.control("POST", "/__sim/clock", {"advance_s": seconds})

    def test_dependency_not_active_and_training_limit(self):
        dsg = self.p("CreateDatasetGroup", {"name": "Slow"})[
            "datasetGroupArn"]
        schema = self.p("CreateSchema", {"name": "Slow-Interactions",
                                         "schema": h.INTERACTIONS_SCHEMA})[
            "schemaArn"]
        tag = "slow-1"
        rc, _, err = self.cli.run(
            "personalize", "create-dataset", "--name", "i", "--schema-arn",
            schema, "--dataset-group-arn", dsg, "--dataset-type",
            "Interactions", check=False, tag=tag)
        self.assertEqual(h.error_code(err), "ResourceInUseException", err)
        st = self.p("DescribeDatasetGroup", {"datasetGroupArn": dsg})
        # (CREATE PENDING lasts 5 s: a CLI on a loaded machine may be
        # slower than that)
        self.assertIn(st["datasetGroup"]["status"], ("CREATE PENDING",
                                                     "CREATE IN_PROGRESS"))
        self.advance(31)
        st = self.p("DescribeDatasetGroup", {"datasetGroupArn": dsg})
        self.assertEqual(st["datasetGroup"]["status"], "ACTIVE")
        ds = self.p("CreateDataset", {
            "name": "i", "schemaArn": schema, "datasetGroupArn": dsg,
            "datasetType": "Interactions"})["datasetArn"]
        st, _, _ = h.signed(self.sim, "PUT", "/slow-data", "s3")
        self.assertEqual(st, 200)
        st, _, _ = h.signed(self.sim, "PUT", "/slow-data/i.csv", "s3",
                            h.make_interactions().encode())
        self.assertEqual(st, 200)
        self.advance(31)
        params = {"jobName": "j", "datasetArn": ds,
                  "dataSource": {"dataLocation": "s3://slow-data/i.csv"}}
        if h.model_requires("CreateDatasetImportJobRequest.roleArn"):
            params["roleArn"] = ROLE  # older models require it
        job = self.p("CreateDatasetImportJob", params)["datasetImportJobArn"]
        self.assertEqual(self.p("DescribeDatasetImportJob", {
            "datasetImportJobArn": job})["datasetImportJob"]["status"],
            "CREATE PENDING")
        self.advance(61)
        self.assertEqual(self.p("DescribeDatasetImportJob", {
            "datasetImportJobArn": job})["datasetImportJob"]["status"],
            "CREATE IN_PROGRESS")
        self.advance(600)
        self.assertEqual(self.p("DescribeDatasetImportJob", {
            "datasetImportJobArn": job})["datasetImportJob"]["status"],
            "ACTIVE")
        sols = [self.p("CreateSolution", {
            "name": "s%d" % k, "datasetGroupArn": dsg, "recipeArn": REC,
            "performAutoTraining": False})["solutionArn"] for k in range(2)]
        self.advance(21)
        self.p("CreateSolutionVersion", {"solutionArn": sols[0]})
        tag = "slow-2"
        rc, _, err = self.cli.run("personalize", "create-solution-version",
                                  "--solution-arn", sols[1], check=False,
                                  tag=tag)
        self.assertEqual(h.error_code(err), "LimitExceededException", err)
        calls = [(c["operation"], c["status"], c["error"])
                 for c in self.sim.calls()
                 if "exec-env/" + tag in (c["userAgent"] or "")]
        # botocore treats LimitExceededException as throttling: 3 attempts
        self.assertEqual(calls, [("CreateSolutionVersion", 400,
                                  "LimitExceededException")] * 3)
        calls = [(c["operation"], c["status"], c["error"])
                 for c in self.sim.calls()
                 if "exec-env/slow-1" in (c["userAgent"] or "")]
        self.assertEqual(calls, [("CreateDataset", 400,
                                  "ResourceInUseException")])


if __name__ == "__main__":
    h.require_botocore()
    h.find_aws_cli()
    unittest.main(verbosity=2)
