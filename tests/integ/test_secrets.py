"""No secret of a run's environment leaks: pz runs against the
simulator with temporary credentials (an access key, its secret and a
session token, from the simulator's STS) and a spec that reads a value
from the environment, and once assumes a role with them (the
credentials STS issues must not be traced either); every command's stdout and stderr, with
PZ_TRACE=http and PZ_LOG=debug, and every file the run leaves (saved
plan, state, its backup) are searched for the secret key and the
session token. The spec's ${env:} value must not reach the output either
(it may reach the plan file and the state: docs/state.md).

    python3 test_secrets.py PZ_BINARY
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Pz, Sim  # noqa: E402
from state_helpers import aws, personalize, wait_active  # noqa: E402

TAG_SECRET = "tag-value-nobody-may-see-7f3a"
SPEC = """pz:
  region: us-east-1
tags:
  owner: ${env:PZ_OWNER_TAG}
datasetGroup: {name: secrets-demo}
"""


def _temporary_credentials(sim):
    status, _, body = aws(
        sim.url, "sts", "POST", "/",
        body="Action=AssumeRole&Version=2011-06-15&RoleArn="
             "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FR&"
             "RoleSessionName=secrets",
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert status == 200, body
    text = body.decode()

    def field(name):
        m = re.search("<%s>([^<]+)</%s>" % (name, name), text)
        assert m, text
        return m.group(1)
    return (field("AccessKeyId"), field("SecretAccessKey"),
            field("SessionToken"))


def _leaks(where, text, secrets):
    return ["%s holds %s" % (where, name) for name, value in secrets
            if value and value in text]


def test_no_secret_in_any_output_or_file(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        akid, secret, token = _temporary_credentials(sim)
        dsg = personalize(sim.url, "CreateDatasetGroup",
                          {"name": "secrets-demo"})["datasetGroupArn"]
        wait_active(sim.url, "DescribeDatasetGroup", "datasetGroupArn",
                    dsg, "datasetGroup")
        pz = Pz(pz_bin, sim, keys=False)
        pz.env.update({"AWS_ACCESS_KEY_ID": akid,
                       "AWS_SECRET_ACCESS_KEY": secret,
                       "AWS_SESSION_TOKEN": token,
                       "PZ_OWNER_TAG": TAG_SECRET,
                       "PZ_TRACE": "http", "PZ_LOG": "debug"})
        proj = os.path.join(pz.home, "proj")
        pz.write_file("proj/pz.yaml", SPEC)
        runs = [
            ("validate",),
            ("whoami",),
            ("whoami", "-json"),
            ("import", "dataset_group.secrets-demo", dsg),
            ("state", "list"),
            ("show",),
            ("show", "-json"),
            ("plan", "-out=plan.bin"),
            ("plan", "-json"),
            ("plan", "-format=markdown"),
            ("show", "plan.bin"),
            ("show", "-json", "plan.bin"),
        ]
        env_secrets = [("the secret access key", secret),
                       ("the session token", token)]
        out_secrets = env_secrets + [("the spec's ${env:} value",
                                      TAG_SECRET)]
        leaks, outputs = [], []
        for args in runs:
            r = pz.run(*args, cwd=proj)
            assert r.rc == 0, r
            outputs.append(r.out + r.err)
            leaks += _leaks("pz %s stdout" % " ".join(args), r.out,
                            out_secrets)
            leaks += _leaks("pz %s stderr" % " ".join(args), r.err,
                            out_secrets)
        # Credentials STS issues to pz (a role from the environment's
        # keys): traced by size only, never their bytes.
        pz.write_aws_config("[profile assumer]\nrole_arn = arn:aws:iam::"
                            "123456789012:role/R\ncredential_source = "
                            "Environment\n")
        r = pz.run("whoami", env={"AWS_PROFILE": "assumer"}, cwd=proj)
        assert r.rc == 0, r
        assert "assumed-role/R" in r.out, r
        leaks += _leaks("pz whoami (assume role)", r.out + r.err,
                        env_secrets)
        issued = re.findall(r"<(?:SecretAccessKey|SessionToken)>[^<]",
                            r.err)
        assert not issued, r
        outputs.append(r.out + r.err)
        files = []
        for root, _, names in os.walk(pz.home):
            for n in names:
                path = os.path.join(root, n)
                if path.startswith(os.path.join(pz.home, ".aws")):
                    continue
                with open(path, "rb") as f:
                    data = f.read().decode("utf-8", "replace")
                files.append(path)
                leaks += _leaks(path, data, env_secrets)
        assert not leaks, "\n".join(leaks)
        # What the test looked at was there to be looked at.
        everything = "\n".join(outputs)
        assert "[trace] http #" in everything
        assert "X-Amz-Security-Token: <redacted>" in everything
        assert "(sensitive)" in everything
        assert any(f.endswith("plan.bin") for f in files), files
        assert any(f.endswith("pz.state.json") for f in files), files
        with open(os.path.join(proj, "pz.state.json")) as f:
            json.load(f)


if __name__ == "__main__":
    harness.run_main()
