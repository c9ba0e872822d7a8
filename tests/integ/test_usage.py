"""Usage and cost (issue 14, docs/usage-cost.md) against the simulator:

- apply -prices=FILE prints the plan's usage in USD before it applies;
  apply -usage=false prints none; destroy -prices prints the negative
  change per month; a saved plan refuses -prices (it keeps its own);
- a prices file for another region than the plan's is an error at the
  file's region line, before any call to AWS;
- a batch job's input is listed (as the service reads it, a prefix) and
  its size shown once, never priced; an input that cannot be listed is
  said in the usage and the plan goes on.

    python3 test_usage.py PZ_BINARY
"""
import os
import re
import tempfile
import shutil

import harness
from harness import Pz, Sim

ROLE = "arn:aws:iam::%s:role/PersonalizeS3" % harness.ACCOUNT
FAST = {"PZ_POLL_MIN_MS": "20", "PZ_POLL_MAX_MS": "100"}

SPEC = ("""pz:
  dataLocation: s3://usage-data/
  roleArn: %s
datasetGroup: {name: usage}
datasets:
  Interactions:
    name: usage-interactions
""" + harness.INTERACTIONS_SCHEMA_YAML + """solutions:
  ups:
    name: usage-ups
    recipeArn: arn:aws:personalize:::recipe/aws-user-personalization
    performAutoTraining: false
campaigns:
  upsCampaign:
    name: usage-ups-campaign
    minProvisionedTPS: @TPS@
""").replace("%s", ROLE)

BATCH = """batchInferenceJobs:
  nightly:
    jobName: usage-nightly
    jobInput: {s3DataSource: {path: "s3://usage-data/batch/"}}
    jobOutput: {s3DataDestination: {path: "s3://usage-data/out/"}}
    pz: {solution: ups}
  partner:
    jobName: usage-partner
    jobInput: {s3DataSource: {path: "s3://no-such-bucket/users.json"}}
    jobOutput: {s3DataDestination: {path: "s3://usage-data/out2/"}}
    pz: {solution: ups}
"""

PRICES = "region: %s\nTPS-hour: 0.2\ntraining-hour: 0.24\n" \
         "GB-ingested: 0.05\n"


def aws(sim, *args):
    harness.aws_cli(sim, *args)


def put(sim, key, text):
    d = tempfile.mkdtemp(prefix="pz-usage-data-")
    path = os.path.join(d, "data")
    with open(path, "w") as f:
        f.write(text)
    aws(sim, "s3", "cp", path, "s3://%s" % key)
    shutil.rmtree(d)


def interactions(n):
    rows = ["USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP"]
    for i in range(n):
        rows.append("u%d,i%d,click,%d" % (i % 60, (i * 7) % 40,
                                         1700000000 + i))
    return "\n".join(rows) + "\n"


def stack(pz, sim, tps=2, batch=""):
    aws(sim, "s3", "mb", "s3://usage-data")
    put(sim, "usage-data/Interactions/a.csv", interactions(1500))
    return pz.write_file("work/pz.yaml",
                         SPEC.replace("@TPS@", str(tps)) + batch)


def usage_block(out):
    i = out.find("Usage in AWS's billing units")
    assert i >= 0, out
    return out[i:]


def test_prices_region_is_checked_before_aws(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        path = stack(pz, sim)
        prices = pz.write_file("work/prices.yaml", "# EXAMPLE\n" +
                               PRICES % "eu-west-1")
        before = len(sim.ops())
        r = pz.run("plan", "-f", path, "-prices=" + prices)
        r.fails(1)
        assert ("%s:2:9: error: these prices are for eu-west-1, but the "
                "plan is for %s (AWS_REGION)" % (prices, harness.REGION)
                in r.err), r
        assert sim.ops()[before:] == [], sim.ops()[before:]
        # The same file with the plan's region prices the plan.
        pz.write_file("work/prices.yaml", PRICES % harness.REGION)
        r = pz.run("plan", "-f", path, "-prices=" + prices).ok()
        assert "In USD, at the prices in %s (%s):" % (
            prices, harness.REGION) in r.out, r


def test_apply_prices_usage_off_destroy(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz = Pz(pz_bin, sim)
        path = stack(pz, sim, tps=2)
        prices = pz.write_file("work/prices.yaml",
                               PRICES % harness.REGION)
        r = pz.run("apply", "-auto-approve", "-f", path,
                   "-prices=" + prices, env=FAST, timeout=300).ok()
        block = usage_block(r.out)
        # Printed with the plan, before the apply ran.
        assert block.find("Apply complete!") > 0, r.out
        assert re.search(r"campaign\.upsCampaign +1460 TPS-hour/month +"
                         r"\$292\.00 +minProvisionedTPS 2 x 730 hours",
                         block), block
        assert re.search(r"dataset_import_job\.Interactions +[0-9.e-]+ "
                         r"GB-ingested +<\$0\.01 +1 object, \d+ bytes",
                         block), block
        assert "each month: $292.00" in block, block
        assert "change per month: +$292.00" in block, block
        # -usage=false: a changed TPS, applied without any usage.
        pz.write_file("work/pz.yaml", SPEC.replace("@TPS@", "3"))
        r = pz.run("apply", "-auto-approve", "-f", path, "-usage=false",
                   env=FAST, timeout=300).ok()
        assert "Usage in AWS's billing units" not in r.out, r.out
        assert "Apply complete! Resources: 0 added, 1 changed" in r.out, r
        # A saved plan keeps its own prices: -prices is refused.
        out = os.path.join(pz.home, "work", "saved.plan")
        pz.run("plan", "-f", path, "-out=" + out).ok()
        r = pz.run("apply", "-prices=" + prices, out)
        r.fails(1)
        assert "-prices and -usage belong to pz plan" in r.err, r
        # destroy: every monthly figure goes, as a negative change.
        r = pz.run("destroy", "-auto-approve", "-f", path,
                   "-prices=" + prices, env=FAST, timeout=300).ok()
        block = usage_block(r.out)
        assert re.search(r"campaign\.upsCampaign +-2190 TPS-hour/month +"
                         r"-\$438\.00 +2190 -> 0 TPS-hour/month", block), \
            block
        assert "Destroy complete!" in r.out, r


def test_batch_input_listed(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        path = stack(pz, sim, batch=BATCH)
        put(sim, "usage-data/batch/a.json", '{"userId": "u1"}\n' * 100)
        put(sim, "usage-data/batch/b.json", '{"userId": "u2"}\n' * 50)
        # Not under the prefix the job reads.
        put(sim, "usage-data/other/c.json", '{"userId": "u3"}\n')
        prices = pz.write_file("work/prices.yaml",
                               PRICES % harness.REGION)
        r = pz.run("plan", "-f", path, "-prices=" + prices).ok()
        block = usage_block(r.out)
        n = len('{"userId": "u1"}\n') * 150
        assert re.search(
            r"batch_inference_job\.nightly +[0-9.e-]+ GB-batch-input +"
            r"input: 2 objects, %d bytes, under s3://usage-data/batch/; "
            r"AWS bills the recommendations the job makes" % n, block), \
            block
        # Never priced, and the totals say so.
        line = [x for x in block.splitlines()
                if "batch_inference_job.nightly" in x][0]
        assert "$" not in line, line
        assert re.search(r"batch_inference_job\.partner +unknown "
                         r"GB-batch-input +input not listed: .*"
                         r"no-such-bucket", block), block
        assert "once: <$0.01, plus what is not priced or not known" in \
            block, block
        r = pz.run("plan", "-f", path, "-json").ok()
        once = {e["address"]: e for e in r.json()["usage"]["once"]}
        assert once["batch_inference_job.nightly"]["unit"] == \
            "GB-batch-input", once
        assert once["batch_inference_job.nightly"]["quantity"] > 0, once
        assert once["batch_inference_job.partner"]["quantity"] is None, \
            once
        # Without a refresh nothing is listed.
        r = pz.run("plan", "-f", path, "-refresh=false").ok()
        assert re.search(r"batch_inference_job\.nightly +unknown "
                         r"GB-batch-input +input s3://usage-data/batch/ "
                         r"was not listed \(-refresh=false\)", r.out), r.out
        # A prices file may not price the batch input.
        pz.write_file("work/prices.yaml", PRICES % harness.REGION +
                      "GB-batch-input: 0.01\n")
        r = pz.run("plan", "-f", path, "-prices=" + prices)
        r.fails(1)
        assert "%s:5:1: error: GB-batch-input has no price" % prices in \
            r.err, r


if __name__ == "__main__":
    harness.run_main()
