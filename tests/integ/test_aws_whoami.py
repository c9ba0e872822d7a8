"""pz whoami against the simulator (which checks every SigV4 signature):
each credential source, clear failures, retries under throttling and
dropped connections, and redacted traces.

    python3 test_aws_whoami.py PZ_BINARY [TEST...]
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import ACCOUNT, AKID, SECRET, Pz, Sim, StubServer  # noqa: E402


def _whoami_json(pz, *extra, env=None):
    r = pz.run("whoami", "-json", *extra, env=env).ok()
    out = r.json()
    assert out["account"] == ACCOUNT, out
    return out, r


def _no_secrets(r, *secrets):
    for s in secrets:
        assert s not in r.out and s not in r.err, \
            "a secret was printed:\n%r" % r


def test_env_keys(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        out, r = _whoami_json(pz)
        assert out["credential_provider"] == "env", out
        assert out["arn"] == "arn:aws:iam::%s:user/pz-sim" % ACCOUNT
        assert out["region"] == "us-east-1"
        assert out["region_source"] == "AWS_REGION"
        _no_secrets(r, SECRET)
        calls = sim.calls()
        assert [c["operation"] for c in calls] == ["GetCallerIdentity"]
        assert calls[0]["status"] == 200 and calls[0]["accessKeyId"] == AKID
        assert calls[0]["userAgent"].startswith("pz/")
        # The text form says the same.
        r = pz.run("whoami").ok()
        assert "Account:      %s" % ACCOUNT in r.out, r
        assert "Credentials:  env:" in r.out, r


def test_profile(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim, keys=False)
        pz.write_aws_credentials("[dev]\naws_access_key_id = %s\n"
                                 "aws_secret_access_key = %s\n"
                                 % (AKID, SECRET))
        pz.write_aws_config("[profile dev]\nregion = us-east-1\n")
        env = {"AWS_REGION": None, "AWS_PROFILE": "dev"}
        out, r = _whoami_json(pz, env=env)
        assert out["credential_provider"] == "shared-credentials-file", out
        assert out["profile"] == "dev" and out["region"] == "us-east-1"
        assert out["region_source"] == "profile dev", out
        _no_secrets(r, SECRET)
        # -profile names it on the command line too, ignoring env keys.
        out, _ = _whoami_json(pz, "-profile", "dev", env={
            "AWS_ACCESS_KEY_ID": "AKIDWRONG",
            "AWS_SECRET_ACCESS_KEY": "wrong"})
        assert out["credential_provider"] == "shared-credentials-file"
        # A profile that does not exist is an error, not a fall-through.
        r = pz.run("whoami", env={"AWS_PROFILE": "nope"}).fails()
        assert "profile 'nope' not found" in r.err, r


def test_web_identity(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim, keys=False)
        token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJwei10ZXN0In0.c2ln"
        path = pz.write_file("token", token + "\n")
        role = "arn:aws:iam::%s:role/PzWeb" % ACCOUNT
        out, r = _whoami_json(pz, env={
            "AWS_WEB_IDENTITY_TOKEN_FILE": path, "AWS_ROLE_ARN": role,
            "AWS_ROLE_SESSION_NAME": "ci-run"})
        assert out["credential_provider"] == "web-identity", out
        assert out["arn"] == ("arn:aws:sts::%s:assumed-role/PzWeb/ci-run"
                              % ACCOUNT), out
        assert out["credential_expiration"], out
        _no_secrets(r, token)
        calls = sim.calls()
        assert [c["operation"] for c in calls] == [
            "AssumeRoleWithWebIdentity", "GetCallerIdentity"], calls
        assert calls[0]["accessKeyId"] is None  # sent unsigned
        assert calls[1]["accessKeyId"].startswith("ASIA")


def test_assume_role_source_profile(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim, keys=False)
        pz.write_aws_credentials("[base]\naws_access_key_id = %s\n"
                                 "aws_secret_access_key = %s\n"
                                 % (AKID, SECRET))
        pz.write_aws_config(
            "[profile base]\nregion = us-east-1\n"
            "[profile deploy]\n"
            "role_arn = arn:aws:iam::%s:role/PzDeploy\n"
            "source_profile = base\n"
            "role_session_name = pz-deploy\n"
            "region = us-east-1\n" % ACCOUNT)
        out, r = _whoami_json(pz, env={"AWS_PROFILE": "deploy",
                                       "AWS_REGION": None})
        assert out["credential_provider"] == "assume-role", out
        assert out["arn"].endswith(":assumed-role/PzDeploy/pz-deploy"), out
        assert "profile base" in out["credential_source"], out
        _no_secrets(r, SECRET)
        calls = sim.calls()
        assert [c["operation"] for c in calls] == [
            "AssumeRole", "GetCallerIdentity"], calls
        assert calls[0]["accessKeyId"] == AKID
        assert calls[1]["accessKeyId"].startswith("ASIA")


def test_credential_process(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim, keys=False)
        script = pz.write_file("creds.sh", "#!/bin/sh\necho '%s'\n" % json.dumps(
            {"Version": 1, "AccessKeyId": AKID, "SecretAccessKey": SECRET}),
            mode=0o700)
        pz.write_aws_config("[default]\ncredential_process = %s\n" % script)
        out, r = _whoami_json(pz)
        assert out["credential_provider"] == "credential-process", out
        _no_secrets(r, SECRET)


def test_container_credentials(pz_bin):
    creds = json.dumps({"AccessKeyId": AKID, "SecretAccessKey": SECRET,
                        "Expiration": "2099-01-01T00:00:00Z"})
    with Sim() as sim, StubServer(
            {("GET", "/creds"): (200, {"Content-Type": "application/json"},
                                 creds)}) as stub:
        pz = Pz(pz_bin, sim, keys=False)
        tok = pz.write_file("ecs-token", "container-secret-token\n")
        out, r = _whoami_json(pz, env={
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": stub.url + "/creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tok})
        assert out["credential_provider"] == "container", out
        assert stub.requests[0][2].get("Authorization") == \
            "container-secret-token", stub.requests
        _no_secrets(r, SECRET, "container-secret-token")


def test_instance_metadata(pz_bin):
    creds = json.dumps({"Code": "Success", "AccessKeyId": AKID,
                        "SecretAccessKey": SECRET,
                        "Expiration": "2099-01-01T00:00:00Z"})
    base = "/latest/meta-data/iam/security-credentials/"

    def need_token(h):
        if h.headers.get("x-aws-ec2-metadata-token") != "imds-token":
            return (401, {}, "")
        return None

    routes = {
        ("PUT", "/latest/api/token"): lambda h: (
            200, {}, "imds-token") if h.headers.get(
                "x-aws-ec2-metadata-token-ttl-seconds") else (400, {}, ""),
        ("GET", base): lambda h: need_token(h) or (200, {}, "pz-role"),
        ("GET", base + "pz-role"): lambda h: need_token(h) or (
            200, {}, creds),
    }
    with Sim() as sim, StubServer(routes) as stub:
        pz = Pz(pz_bin, sim, keys=False)
        out, r = _whoami_json(pz, env={
            "AWS_EC2_METADATA_DISABLED": None,
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": stub.url})
        assert out["credential_provider"] == "imds", out
        assert [q[0] for q in stub.requests] == ["PUT", "GET", "GET"]
        _no_secrets(r, SECRET, "imds-token")


def test_no_credentials(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim, keys=False)
        r = pz.run("whoami").fails()
        assert "no AWS credentials found" in r.err, r
        assert sim.calls() == []


def test_wrong_secret(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        r = pz.run("whoami", env={"AWS_SECRET_ACCESS_KEY": "not-the-secret"})
        r.fails()
        assert r.err.startswith("pz: sts GetCallerIdentity: "
                                "SignatureDoesNotMatch: "), r
        assert "credentials from environment" in r.err, r
        _no_secrets(r, "not-the-secret")
        # Rejected credentials are not retried.
        calls = sim.calls()
        assert len(calls) == 1 and calls[0]["status"] == 403, calls
        r = pz.run("whoami", env={"AWS_ACCESS_KEY_ID": "AKIDUNKNOWN"})
        r.fails()
        assert "InvalidClientTokenId" in r.err, r


def test_signature_error_hides_session_token(pz_bin):
    # AWS answers a wrong secret by quoting the canonical request it
    # expected, session token included, over twenty lines (issue 17).
    token = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN/abc+def=="
    creq = ("POST\n/\n\ncontent-type:application/x-www-form-urlencoded"
            "\nhost:sts.amazonaws.com\nx-amz-date:20261202T000000Z\n"
            "x-amz-security-token:%s\n\ncontent-type;host;x-amz-date;"
            "x-amz-security-token\n%s" % (token, "0" * 64))
    msg = ("The request signature we calculated does not match the "
           "signature you provided. Check your AWS Secret Access Key and "
           "signing method. Consult the service documentation for details."
           "\n\nThe Canonical String for this request should have been\n"
           "'%s'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256"
           "\n20261202T000000Z\n20261202/us-east-1/sts/aws4_request\n%s'\n"
           % (creq, "1" * 64))
    body = ("<ErrorResponse><Error><Type>Sender</Type>"
            "<Code>SignatureDoesNotMatch</Code><Message>%s</Message>"
            "</Error><RequestId>r-1</RequestId></ErrorResponse>" % msg)
    routes = {("POST", "/"): (403, {"Content-Type": "text/xml"}, body)}
    with StubServer(routes) as stub:
        pz = Pz(pz_bin)
        env = {"AWS_ENDPOINT_URL": stub.url, "AWS_SESSION_TOKEN": token,
               "AWS_SECRET_ACCESS_KEY": "wrong-secret"}
        r = pz.run("whoami", env=env).fails()
        _no_secrets(r, token, "wrong-secret")
        lines = r.err.strip().split("\n")
        assert len(lines) == 1, r
        assert "SignatureDoesNotMatch: the request signature did not " \
            "match" in r.err, r
        assert "session token" in r.err and "PZ_TRACE=http" in r.err, r
        # The trace shows AWS's message, with the token redacted.
        env["PZ_TRACE"] = "http"
        r = pz.run("whoami", env=env).fails()
        _no_secrets(r, token, "wrong-secret")
        assert "The Canonical String" in r.err, r
        assert "x-amz-security-token:<redacted>" in r.err, r


def test_throttled_30_percent(pz_bin):
    with Sim(throttle_rate=0.3, seed=4) as sim:
        pz = Pz(pz_bin, sim)
        for _ in range(8):
            _whoami_json(pz, env={"AWS_MAX_ATTEMPTS": "8"})
        calls = sim.calls()
        throttled = [c for c in calls if c["error"] == "Throttling"]
        ok = [c for c in calls if c["status"] == 200]
        assert len(ok) == 8, calls
        assert throttled, "the simulator throttled nothing: %r" % calls


def test_adaptive_mode_throttled(pz_bin):
    with Sim(throttle_rate=0.3, seed=11) as sim:
        pz = Pz(pz_bin, sim)
        for _ in range(3):
            _whoami_json(pz, env={"AWS_RETRY_MODE": "adaptive",
                                  "AWS_MAX_ATTEMPTS": "8"})
        assert len([c for c in sim.calls() if c["status"] == 200]) == 3


def test_dropped_connections_retried(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        sim.faults(inject=[{"operation": "GetCallerIdentity", "drop": True,
                            "count": 2}])
        out, _ = _whoami_json(pz)
        calls = sim.calls()
        assert [c["error"] for c in calls] == [
            "ConnectionDropped", "ConnectionDropped", None], calls
        # With one attempt the drop is reported as a network failure.
        sim.faults(inject=[{"operation": "GetCallerIdentity", "drop": True,
                            "count": 1}])
        r = pz.run("whoami", env={"AWS_MAX_ATTEMPTS": "1"}).fails()
        assert "sts GetCallerIdentity: cannot reach" in r.err, r


def test_server_errors_retried(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        sim.faults(inject=[{"operation": "GetCallerIdentity",
                            "code": "InternalFailure", "status": 500,
                            "count": 2}])
        _whoami_json(pz)
        assert [c["status"] for c in sim.calls()] == [500, 500, 200]
        sim.reset()
        sim.faults(inject=[{"operation": "GetCallerIdentity",
                            "code": "InternalFailure", "status": 500,
                            "count": 3}])
        r = pz.run("whoami").fails()
        assert "InternalFailure" in r.err and "after 3 attempts" in r.err, r


def test_trace_redacts(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim, keys=False)
        pz.write_aws_credentials("[base]\naws_access_key_id = %s\n"
                                 "aws_secret_access_key = %s\n"
                                 % (AKID, SECRET))
        pz.write_aws_config("[default]\nrole_arn = arn:aws:iam::%s:role/R\n"
                            "source_profile = base\n" % ACCOUNT)
        r = pz.run("whoami", env={"PZ_TRACE": "http"}).ok()
        assert "Authorization: <redacted>" in r.err, r
        assert "X-Amz-Security-Token: <redacted>" in r.err, r
        # A credential endpoint's answer is traced by its size only.
        assert re.search(r"http #1 < body \(\d+ bytes\): <redacted>\n",
                         r.err), r
        assert "<SessionToken>" not in r.err, r
        _no_secrets(r, SECRET)
        # The temporary secret STS issued must not appear either.
        assert "GetCallerIdentityResult" in r.err


if __name__ == "__main__":
    harness.run_main()
