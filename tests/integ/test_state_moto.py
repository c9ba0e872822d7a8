"""The S3 state backend against moto's S3 server (`python3 -m
moto.server`), an S3 implementation independent of ours and of the
simulator: the probe passes, locked writes, ten concurrent writers with
no lost update, a held lock reported and removed with force-unlock,
SSE-KMS on the stored objects. Skips (exit 77) when no python3 here has
moto with its server mode.

    python3 test_state_moto.py PZ_BINARY [TEST...]
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Pz  # noqa: E402
from state_helpers import (Moto, campaign, check_state, make_bucket,  # noqa
                           s3_get, s3_put, state_doc, write_spec)

BUCKET = "pz-state"
KEY = "team/pz.state.json"
LOCK = KEY + ".lock"


def _setup(pz_bin, moto, backend):
    pz = Pz(pz_bin, None)
    pz.env["AWS_ENDPOINT_URL"] = moto.url
    pz.proj = os.path.join(pz.home, "proj")
    write_spec(pz.proj, backend=backend)
    make_bucket(moto.url, BUCKET)
    return pz


def _run(pz, *args):
    return pz.run(*args, cwd=pz.proj)


def _stored(moto):
    status, body, headers = s3_get(moto.url, BUCKET, KEY)
    assert status == 200, (status, body)
    return check_state(body.decode()), headers


def test_locking_and_writes_on_moto(pz_bin):
    kms = "arn:aws:kms:us-east-1:%s:key/pz-test" % harness.ACCOUNT
    with Moto() as moto:
        pz = _setup(pz_bin, moto, {"s3": {"bucket": BUCKET, "key": KEY,
                                          "kmsKeyId": kms}})
        src = pz.write_file("in.json", state_doc(
            [campaign("c%d" % i) for i in range(10)], serial=1))
        _run(pz, "state", "push", src).ok()
        st, headers = _stored(moto)
        assert st["serial"] == 1
        assert headers.get("x-amz-server-side-encryption") == "aws:kms", \
            headers
        # Ten concurrent read-modify-writes through the lock.
        procs = [subprocess.Popen(
            [pz_bin, "state", "mv", "-lock-timeout=60s", "campaign.c%d" % i,
             "campaign.d%d" % i], env=pz.env, cwd=pz.proj,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for i in range(10)]
        for p in procs:
            out, err = p.communicate(timeout=180)
            assert p.returncode == 0, (out, err)
        st, _ = _stored(moto)
        assert st["serial"] == 11, st
        assert sorted(x["address"] for x in st["resources"]) == \
            ["campaign.d%d" % i for i in range(10)], st
        status, _, _ = s3_get(moto.url, BUCKET, LOCK)
        assert status == 404, status

        # A lock someone else holds: named, then removed by its ID.
        holder = ('{"ID":"6b1e3c8a-2f4d-4e5a-9b7c-1d2e3f4a5b6c",'
                  '"Operation":"apply","Who":"ci@runner-7","Version":'
                  '"0.1.0","Created":"2025-06-01T12:00:00Z","Path":'
                  '"s3://%s/%s","Owner":"someone-else"}' % (BUCKET, KEY))
        status, _, _ = s3_put(moto.url, BUCKET, LOCK, holder)
        assert status == 200
        r = _run(pz, "state", "rm", "campaign.d0").fails()
        assert re.search(r"is locked by 6b1e3c8a-\S+ \(apply by ci@runner-7, "
                         r"since 2025-06-01T12:00:00Z\)", r.err), r
        _run(pz, "force-unlock", "6b1e3c8a-2f4d-4e5a-9b7c-1d2e3f4a5b6c").ok()
        _run(pz, "state", "rm", "campaign.d0").ok()
        assert _stored(moto)[0]["serial"] == 12


if __name__ == "__main__":
    harness.run_main()
