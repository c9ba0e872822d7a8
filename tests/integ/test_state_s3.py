"""The S3 state backend against the simulator's S3 (and a tiny stub S3
for what the simulator cannot do): the requests of a locked write, ten
concurrent writers with no lost update, racing pull/push refused
clearly, a killed holder's lock reported and removed with force-unlock,
SIGTERM releasing the lock, a store that ignores If-None-Match refused,
lost answers to our own writes recognised as ours, encryption headers
on every object, workspaces, SIGKILL at random points never tearing the
state.

    python3 test_state_s3.py PZ_BINARY [TEST...]
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Pz, Sim  # noqa: E402
from state_helpers import (StubS3, campaign, check_state,  # noqa: E402
                           make_bucket, s3_get, sigkill_loop, state_doc,
                           write_spec)

BUCKET = "pz-state"
KEY = "team/pz.state.json"
LOCK = KEY + ".lock"


def _setup(pz_bin, sim, backend=None, bucket=BUCKET, make=True):
    """A Pz running in a project whose spec keeps the state in S3."""
    pz = Pz(pz_bin, sim)
    proj = os.path.join(pz.home, "proj")
    write_spec(proj, backend=backend or {"s3": {"bucket": bucket,
                                                "key": KEY}})
    if sim is not None and make:
        make_bucket(sim.url, bucket)
    pz.proj = proj
    return pz


def _run(pz, *args, **kw):
    return pz.run(*args, cwd=pz.proj, **kw)


def _push(pz, doc, *extra):
    src = pz.write_file("push.json", doc)
    return _run(pz, "state", "push", *extra, src)


def _stored(sim, key=KEY):
    status, body, _ = s3_get(sim.url, BUCKET, key)
    assert status == 200, (status, body)
    return check_state(body.decode())


def _objects(sim):
    for b in sim.state()["buckets"]:
        if b["name"] == BUCKET:
            return [o["key"] for o in b["objects"]]
    return []


def _wait_for(pred, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_locked_write_requests(pz_bin):
    with Sim() as sim:
        pz = _setup(pz_bin, sim)
        _push(pz, state_doc([campaign("a"), campaign("b")], serial=5)).ok()
        seq = len(sim.calls())
        r = _run(pz, "state", "mv", "campaign.a", "campaign.c").ok()
        assert "(serial 6)" in r.out, r
        calls = sim.calls(seq)
        got = [(c["operation"], c["status"], c["path"].split("/", 2)[2])
               for c in calls]
        probe = got[0][2]
        assert re.match(re.escape(LOCK) + r"\.probe-[0-9a-f-]{36}$",
                        probe), got
        # probe twice (the second refused), lock, read, write, unlock.
        assert got == [("PutObject", 200, probe),
                       ("PutObject", 412, probe),
                       ("DeleteObject", 204, probe),
                       ("PutObject", 200, LOCK),
                       ("GetObject", 200, KEY),
                       ("PutObject", 200, KEY),
                       ("GetObject", 200, LOCK),
                       ("DeleteObject", 204, LOCK)], got
        assert _objects(sim) == [KEY]
        st = _stored(sim)
        assert st["serial"] == 6
        assert [x["address"] for x in st["resources"]] == ["campaign.b",
                                                           "campaign.c"]
        # Reads take no lock.
        seq = len(sim.calls())
        _run(pz, "state", "list").ok()
        _run(pz, "show", "-json").ok()
        assert sim.ops(seq) == ["GetObject", "GetObject"], sim.ops(seq)
        # A missing bucket says so.
        pz2 = _setup(pz_bin, sim, bucket="nope", make=False)
        r = _run(pz2, "state", "rm", "campaign.a").fails()
        assert "the state bucket 'nope' does not exist" in r.err, r


def test_kms_encryption_and_workspaces(pz_bin):
    kms = "arn:aws:kms:us-east-1:%s:key/pz-test" % harness.ACCOUNT
    with Sim() as sim:
        pz = _setup(pz_bin, sim, {"s3": {"bucket": BUCKET, "key": KEY,
                                         "kmsKeyId": kms,
                                         "workspacePrefix": "ws"}})
        _push(pz, state_doc([campaign("a")])).ok()
        _, _, headers = s3_get(sim.url, BUCKET, KEY)
        assert headers.get("x-amz-server-side-encryption") == "aws:kms", \
            headers
        assert headers.get(
            "x-amz-server-side-encryption-aws-kms-key-id") == kms, headers
        # PZ_WORKSPACE picks <workspacePrefix>/<name>/<key>.
        env = {"PZ_WORKSPACE": "dev"}
        src = pz.write_file("w.json", state_doc([campaign("w")]))
        _run(pz, "state", "push", src, env=env).ok()
        assert "ws/dev/" + KEY in _objects(sim), _objects(sim)
        r = _run(pz, "state", "list", env=env).ok()
        assert r.out == "campaign.w\n", r
        r = _run(pz, "state", "list").ok()
        assert r.out == "campaign.a\n", r


def test_encryption_on_every_object(pz_bin):
    with StubS3() as stub:
        pz = _setup(pz_bin, None, {"s3": {"bucket": BUCKET, "key": KEY,
                                          "encrypt": True}})
        pz.env["AWS_ENDPOINT_URL"] = stub.url
        _push(pz, state_doc([campaign("a")])).ok()
        _run(pz, "state", "rm", "campaign.a").ok()
        puts = [(k, h) for m, k, h in stub.requests if m == "PUT"]
        keys = {k.split(".probe-")[0] for k, _ in puts}
        assert keys == {LOCK, KEY}, keys
        for k, h in puts:
            assert h.get("x-amz-server-side-encryption") == "AES256", (k, h)
        # The lock and state writes carry their conditions.
        lock_puts = [h for k, h in puts if k == LOCK]
        assert all(h.get("If-None-Match") == "*" for h in lock_puts)
        state_puts = [h for k, h in puts if k == KEY]
        assert state_puts[0].get("If-None-Match") == "*"
        assert state_puts[1].get("If-Match", "").startswith('"')
        deletes = [h for m, k, h in stub.requests
                   if m == "DELETE" and k == LOCK]
        assert len(deletes) == 2 and all(h.get("If-Match") for h in deletes)


def test_store_ignoring_conditions_is_refused(pz_bin):
    with StubS3(conditions=False) as stub:
        pz = _setup(pz_bin, None)
        pz.env["AWS_ENDPOINT_URL"] = stub.url
        r = _push(pz, state_doc([campaign("a")])).fails()
        assert "ignores If-None-Match" in r.err, r
        assert "refuses to lock" in r.err, r
        # Nothing written, nothing left behind (the probe is removed).
        assert stub.objects == {}, stub.objects
        assert not [k for m, k in stub.ops() if m == "PUT" and k == KEY]
        # Reading needs no lock.
        _run(pz, "state", "list").ok()


def test_lost_answers_are_ours(pz_bin):
    with StubS3() as stub:
        pz = _setup(pz_bin, None)
        pz.env["AWS_ENDPOINT_URL"] = stub.url
        _push(pz, state_doc([campaign("a")], serial=1)).ok()
        # The lock write lands but its answer is lost: the retry's 412
        # is recognised as our own lock.
        stub.drop_after_put.add(LOCK)
        r = _run(pz, "state", "mv", "campaign.a", "campaign.b").ok()
        assert "(serial 2)" in r.out, r
        ops = [o for o in stub.ops() if o[1] == LOCK][-5:]
        assert ops == [("PUT", LOCK), ("PUT", LOCK), ("GET", LOCK),
                       ("GET", LOCK), ("DELETE", LOCK)], ops
        # The same for the state write (If-Match answered 412 on retry).
        stub.drop_after_put.add(KEY)
        r = _run(pz, "state", "mv", "campaign.b", "campaign.c").ok()
        assert "(serial 3)" in r.out, r
        assert LOCK not in stub.objects
        st = check_state(stub.objects[KEY][0].decode())
        assert st["serial"] == 3 and \
            [x["address"] for x in st["resources"]] == ["campaign.c"], st


def _concurrent(pz, n, timeout):
    procs = [subprocess.Popen(
        [pz.binary, "state", "mv", "-lock-timeout=" + timeout,
         "campaign.c%d" % i, "campaign.d%d" % i], env=pz.env, cwd=pz.proj,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(n)]
    out = []
    for i, p in enumerate(procs):
        o, e = p.communicate(timeout=120)
        out.append((i, p.returncode, o.decode(), e.decode()))
    return out


def test_ten_concurrent_writers(pz_bin):
    with Sim() as sim:
        pz = _setup(pz_bin, sim)
        for timeout, want_all in (("30s", True), ("0s", False)):
            _push(pz, state_doc([campaign("c%d" % i) for i in range(10)],
                                serial=1), "-force").ok()
            base = _stored(sim)["serial"]
            results = _concurrent(pz, 10, timeout)
            ok = [i for i, rc, _, _ in results if rc == 0]
            for i, rc, out, err in results:
                if rc:
                    assert rc == 1 and "is locked by" in err and \
                        "pz force-unlock" in err, (i, rc, out, err)
            if want_all:
                assert len(ok) == 10, results
            st = _stored(sim)
            # No lost update: one serial per successful write, every
            # successful move present, every failed one absent.
            assert st["serial"] == base + len(ok), (st["serial"], base, ok)
            addrs = {x["address"] for x in st["resources"]}
            for i in range(10):
                assert ("campaign.d%d" if i in ok else "campaign.c%d") % i \
                    in addrs, (i, addrs)
            assert _objects(sim) == [KEY], _objects(sim)
            print("    -lock-timeout=%s: %d of 10 wrote, serial %d -> %d"
                  % (timeout, len(ok), base, st["serial"]))


def test_racing_pull_push_refused_clearly(pz_bin):
    with Sim() as sim:
        pz = _setup(pz_bin, sim)
        _push(pz, state_doc([campaign("a")], serial=1)).ok()
        results = []

        def one(i):
            # pull, change, push: a race by design; push refuses a
            # state that is no longer newer than the stored one.
            r = _run(pz, "state", "pull").ok()
            doc = json.loads(r.out)
            doc["serial"] += 1
            doc["resources"].append(campaign("n%d" % i))
            src = pz.write_file("race%d.json" % i, json.dumps(doc))
            results.append(_run(pz, "state", "push", "-lock-timeout=30s",
                                src))

        threads = [threading.Thread(target=one, args=(i,))
                   for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ok = [r for r in results if r.rc == 0]
        for r in results:
            if r.rc:
                assert re.search("same serial|older than the stored one",
                                 r.err) and "pull first" in r.err, r
        st = _stored(sim)
        assert ok and st["serial"] == 1 + len(ok), (st["serial"], results)
        print("    %d of 6 racing pushes went through, the rest were "
              "refused" % len(ok))


def _slow_holder(pz, sim, latency_ms):
    """A pz holding the lock while its read of the state is slow."""
    sim.faults(latency_ms=latency_ms, operations=["GetObject"])
    p = subprocess.Popen([pz.binary, "state", "mv", "campaign.a",
                          "campaign.b"], env=pz.env, cwd=pz.proj,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert _wait_for(lambda: LOCK in _objects(sim)), "no lock appeared"
    return p


def test_killed_holder_and_force_unlock(pz_bin):
    with Sim() as sim:
        pz = _setup(pz_bin, sim)
        _push(pz, state_doc([campaign("a")], serial=1)).ok()
        p = _slow_holder(pz, sim, 3000)
        p.kill()
        p.wait()
        sim.faults(latency_ms=0, operations=None)
        r = _run(pz, "state", "mv", "campaign.a", "campaign.b").fails()
        m = re.search(r"is locked by ([0-9a-f-]{36}) \(state mv by [^ ]+, "
                      r"since [0-9TZ:-]+\); wait \(-lock-timeout=30s\) or "
                      r"if that run is gone: pz force-unlock ([0-9a-f-]+)",
                      r.err)
        assert m and m.group(1) == m.group(2), r
        # Another ID: the last digit changed (never to itself).
        other = m.group(1)[:-1] + ("1" if m.group(1).endswith("0") else "0")
        r2 = _run(pz, "force-unlock", other).fails()
        assert "nothing removed" in r2.err, r2
        r2 = _run(pz, "force-unlock", m.group(1)).ok()
        assert "Removed the lock on 's3://%s/%s'" % (BUCKET, KEY) in r2.out
        assert LOCK not in _objects(sim)
        _run(pz, "state", "mv", "campaign.a", "campaign.b").ok()
        assert _stored(sim)["serial"] == 2


def test_sigterm_releases_the_lock(pz_bin):
    with Sim() as sim:
        pz = _setup(pz_bin, sim)
        _push(pz, state_doc([campaign("a")], serial=1)).ok()
        p = _slow_holder(pz, sim, 1000)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
        assert p.returncode == 143, (p.returncode, err)
        assert b"interrupted by SIGTERM" in err, err
        assert LOCK not in _objects(sim), err
        assert _stored(sim)["serial"] == 1  # stopped before writing
        # A second signal exits at once; the S3 lock stays, with the ID
        # to remove it.
        p = _slow_holder(pz, sim, 2000)
        p.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
        assert p.returncode == 143, (p.returncode, err)
        m = re.search(rb"the state lock (\S+) on s3://\S+ stays.*"
                      rb"pz force-unlock (\S+)", err)
        assert m and m.group(1) == m.group(2), err
        sim.faults(latency_ms=0, operations=None)
        _run(pz, "force-unlock", m.group(1).decode()).ok()


def test_sigkill_never_tears_the_state(pz_bin):
    with Sim() as sim:
        pz = _setup(pz_bin, sim)
        big = [campaign("k%03d" % i) for i in range(200)]
        _push(pz, state_doc(big + [campaign("a")], serial=1)).ok()
        sigkill_loop(pz, lambda: _stored(sim),
                     ["-f", os.path.join(pz.proj, "pz.yaml")], 25,
                     int(os.environ.get("PZ_TEST_SEED", "11")))
        # No lock stays; a run killed mid-probe may leave its probe.
        left = [k for k in _objects(sim) if k != KEY]
        assert all(".probe-" in k for k in left), left


if __name__ == "__main__":
    harness.run_main()
