"""providers/aws against the simulator through tests/integ/aws_probe
(path in $PZ_AWS_PROBE): S3 REST-XML with conditional writes and
pagination, Personalize JSON 1.1 (one at a time and 200 at once), the
runtime's REST-JSON, SNS Query; then the concurrent path again under
throttling and dropped connections.

    PZ_AWS_PROBE=build/tests/integ/aws_probe python3 test_aws_protocols.py PZ
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Pz, Sim  # noqa: E402


def _probe(pz, what, env=None):
    path = os.environ.get("PZ_AWS_PROBE") or os.path.join(
        os.path.dirname(pz.binary), "tests", "integ", "aws_probe")
    if not os.path.exists(path):
        raise harness.Skip("no aws_probe at %s" % path)
    e = dict(pz.env)
    e.update(env or {})
    p = subprocess.run([path, what], env=e, capture_output=True,
                       timeout=300, cwd=pz.home)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 0, "aws_probe %s -> %d\n%s%s" % (
        what, p.returncode, out, err)
    assert "FAIL" not in out, out
    return out


def test_s3(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        out = _probe(pz, "s3")
        assert "ok   s3 ListObjectsV2 over pages" in out, out
        ops = sim.ops()
        # 4 keys under dir/ at 2 a page: two list calls for that listing.
        lists = [c for c in sim.calls() if c["operation"] == "ListObjectsV2"]
        assert len(lists) == 3, lists
        statuses = {(c["operation"], c["status"]) for c in sim.calls()}
        assert ("PutObject", 412) in statuses, statuses
        assert ("GetObject", 404) in statuses, statuses
        assert "HeadObject" in ops and "DeleteObject" in ops


def test_personalize_json(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        _probe(pz, "json")
        _probe(pz, "runtime")
        ops = sim.ops()
        assert "DescribeDatasetGroup" in ops and "GetRecommendations" in ops


def test_sns(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        _probe(pz, "sns")
        assert "Publish" in sim.ops()


def test_concurrent(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        _probe(pz, "async")
        calls = [c for c in sim.calls()
                 if c["operation"] == "DescribeDatasetGroup"]
        assert len(calls) == 200 and all(c["status"] == 200 for c in calls)


def test_concurrent_under_faults(pz_bin):
    with Sim(throttle_rate=0.2, drop_rate=0.1, seed=3) as sim:
        pz = Pz(pz_bin, sim)
        _probe(pz, "async", env={"AWS_MAX_ATTEMPTS": "10"})
        calls = [c for c in sim.calls()
                 if c["operation"] == "DescribeDatasetGroup"]
        errors = {c["error"] for c in calls}
        assert "ConnectionDropped" in errors, errors
        assert "ThrottlingException" in errors, errors
        assert len([c for c in calls if c["status"] == 200]) == 200


if __name__ == "__main__":
    harness.run_main()
