"""Errors that survive concurrency, interrupts and pipes (issue 9).

- twenty reads failing at once print twenty intact messages, each on its
  own resource with AWS's error code; a failed probe is blamed on its own
  resource; a missing data bucket is said once;
- Ctrl-C (SIGINT) during a slow refresh, and against an endpoint that
  never answers, stops within a second: exit 130 (143 for SIGTERM),
  "pz: interrupted", no retry after the signal, no lock left, the state
  untouched;
- pz plan into a pipe whose reader is gone (pz plan | head -1) releases
  its lock, exits 1 quietly, and the next pz plan works.

    python3 test_interrupts.py PZ_BINARY
"""
import hashlib
import json
import os
import signal
import socket
import subprocess
import threading
import time

import harness
from harness import Pz, Sim

ROOT = harness.ROOT
SEED = os.path.join(ROOT, "examples", "seed", "params.json")
ACCOUNT = harness.ACCOUNT


def arn(path):
    return "arn:aws:personalize:us-east-1:%s:%s" % (ACCOUNT, path)


def state_doc(resources):
    return {"format_version": 1, "pz_version": "test", "serial": 7,
            "lineage": "0b6f2a4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b",
            "git_commit": None,
            "resources": [{"address": a, "type": t, "arn": n,
                           "status": "ACTIVE", "attributes": {},
                           "dependencies": []} for t, a, n in resources]}


GROUP = ("dataset_group", "dataset_group.slow",
         arn("dataset-group/slow"))


def project(pz, resources, spec="datasetGroup:\n  name: slow\n"):
    """A spec and a state naming resources; returns (spec path, state
    path, the state's sha256)."""
    path = pz.write_file("work/pz.yaml", spec)
    text = json.dumps(state_doc(resources))
    state = pz.write_file("work/pz.state.json", text)
    return path, state, hashlib.sha256(text.encode()).hexdigest()


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# --- errors that survive concurrency


def test_twenty_failures_at_once(pz_bin):
    res = [("filter", "filter.f%d" % i, arn("filter/f%d" % i))
           for i in range(8)]
    res += [("campaign", "campaign.c%d" % i, arn("campaign/c%d" % i))
            for i in range(6)]
    res += [("solution", "solution.s%d" % i, arn("solution/s%d" % i))
            for i in range(6)]
    # Read fine (gone) while the others fail: their "does not exist"
    # must not stand in for anyone's error.
    res += [("dataset_group", "dataset_group.g%d" % i,
             arn("dataset-group/g%d" % i)) for i in range(3)]
    codes = {"filter": ("DescribeFilter", "AccessDeniedException",
                        "not authorized to perform personalize:"
                        "DescribeFilter"),
             "campaign": ("DescribeCampaign", "InvalidInputException",
                          "the campaign ARN is not valid here"),
             "solution": ("DescribeSolution", "AccessDeniedException",
                          "not authorized to perform personalize:"
                          "DescribeSolution")}
    with Sim(latency_ms=50) as sim:
        pz = Pz(pz_bin, sim)
        path, _, _ = project(pz, res, "datasetGroup:\n  name: twenty\n")
        sim.faults(inject=[
            {"operation": op, "code": code, "status": 400,
             "message": msg,
             "count": sum(1 for t, _, _ in res if t == kind)}
            for kind, (op, code, msg) in codes.items()])
        r = pz.run("plan", "-f", path)
        r.fails(1)
        lines = [ln for ln in r.err.splitlines() if ln.startswith("pz: ")]
        assert len(lines) == 20, r
        for kind, addr, _ in res[:20]:
            op, code, msg = codes[kind]
            want = "pz: refreshing %s: personalize %s: %s: %s" % (
                addr, op, code, msg)
            assert want in lines, (want, r)
        assert "does not exist" not in r.err, r
        # All twenty were in flight together: one round trip, no retry.
        ops = sim.ops()
        assert ops.count("DescribeFilter") == 8, ops


PROBE_SPEC = """datasetGroup:
  name: probes
datasets:
  Interactions:
    name: interactions
""" + harness.INTERACTIONS_SCHEMA_YAML + """filters:
""" + "".join("""  - name: f%d
    filterExpression: EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("x%d")
""" % (i, i) for i in range(5))


def test_failed_probe_is_blamed_on_its_resource(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        path = pz.write_file("work/pz.yaml", PROBE_SPEC)
        # One of five DescribeFilter probes is refused; the other four,
        # and the group, dataset and schema, answer "not found" after it.
        sim.faults(inject=[{"operation": "DescribeFilter",
                            "code": "AccessDeniedException",
                            "status": 400, "count": 1,
                            "message": "not authorized"}])
        r = pz.run("plan", "-f", path)
        r.fails(1)
        lines = [ln for ln in r.err.splitlines()
                 if ln.startswith("pz: checking whether")]
        assert len(lines) == 1, r
        assert lines[0].startswith("pz: checking whether filter.f"), r
        assert lines[0].endswith(" exists: personalize DescribeFilter: "
                                 "AccessDeniedException: not authorized"), r
        assert "does not exist" not in r.err, r


def test_missing_data_bucket_said_once(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        spec = open(os.path.join(ROOT, "tests", "plan", "cases",
                                 "create-all", "spec.yaml")).read()
        path = pz.write_file("work/pz.yaml", spec)
        r = pz.run("plan", "-f", path)
        r.fails(1)
        assert "pz: listing the data under s3://demo-data/Interactions/: " \
               "s3 ListObjectsV2: NoSuchBucket: " in r.err, r
        assert r.err.count("listing the data under") == 1, r


# --- interrupts


def start(pz, path, *args):
    return subprocess.Popen([pz.binary, "plan", "-f", path] + list(args),
                            env=pz.env, cwd=pz.home,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def interrupt(p, sig=signal.SIGINT):
    """Sends sig; returns (seconds until exit, stdout, stderr)."""
    t0 = time.monotonic()
    p.send_signal(sig)
    out, err = p.communicate(timeout=30)
    return time.monotonic() - t0, out.decode(), err.decode()


def wait_for(cond, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


def test_ctrl_c_during_slow_refresh(pz_bin):
    with Sim(latency_ms=0) as sim:
        pz = Pz(pz_bin, sim)
        path, state, before = project(pz, [GROUP])
        lock = state + ".lock"
        # Every Describe takes 20 s; throttling answers would be retried.
        sim.faults(latency_ms=20000, operations=["DescribeDatasetGroup"])
        p = start(pz, path)
        assert wait_for(lambda: os.path.exists(lock)), "no lock taken"
        time.sleep(0.5)  # the request is on the wire, waiting
        took, out, err = interrupt(p)
        assert took < 1.0, (took, err)
        assert p.returncode == 130, (p.returncode, err)
        assert "pz: interrupted" in err, err
        assert "pz: interrupted by SIGINT" in err, err
        assert "Plan:" not in out and "refreshed" not in err, (out, err)
        assert not os.path.exists(lock), err
        assert digest(state) == before
        # Nothing was retried after the signal.
        sim.faults(latency_ms=0, operations=None)
        time.sleep(0.5)
        assert sim.ops().count("DescribeDatasetGroup") <= 1, sim.ops()
        # And the next run works.
        r = pz.run("plan", "-f", path, "-detailed-exitcode")
        assert r.rc == 2, r


class Silent:
    """A loopback port that accepts connections and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.conns = []
        self.stop = False
        self.t = threading.Thread(target=self.serve, daemon=True)
        self.t.start()

    def serve(self):
        self.sock.settimeout(0.1)
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.conns.append(c)
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.t.join()
        for c in self.conns:
            c.close()
        self.sock.close()


def test_sigint_against_an_endpoint_that_never_answers(pz_bin):
    silent = Silent()
    try:
        pz = Pz(pz_bin)
        pz.env["AWS_ENDPOINT_URL"] = silent.url
        path, state, before = project(pz, [GROUP])
        for sig, status in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
            p = start(pz, path)
            assert wait_for(lambda: len(silent.conns) > 0), "no request"
            time.sleep(0.3)
            took, out, err = interrupt(p, sig)
            assert took < 1.0, (took, err)
            assert p.returncode == status, (p.returncode, err)
            assert "pz: interrupted by %s" % sig.name in err, err
            assert "timed out" not in err and "retry" not in err, err
            assert not os.path.exists(state + ".lock"), err
            assert digest(state) == before
            silent.conns.clear()
    finally:
        silent.close()


# --- pipes


def test_plan_into_a_closed_pipe(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        path = pz.write_file("work/params.json", open(SEED).read())
        lock = os.path.join(os.path.dirname(path), "pz.state.json.lock")
        # The reader is gone before pz writes: every write is EPIPE
        # (SIGPIPE killed pz here, and the lock stayed).
        rd, wr = os.pipe()
        os.close(rd)
        try:
            p = subprocess.run([pz.binary, "plan", "-f", path], env=pz.env,
                               stdout=wr, stderr=subprocess.PIPE,
                               timeout=60)
        finally:
            os.close(wr)
        err = p.stderr.decode()
        assert p.returncode == 1, (p.returncode, err)
        assert "unable to write" not in err, err  # quietly
        assert not os.path.exists(lock), err
        # pz plan | head -1, as a shell runs it.
        sh = subprocess.run("'%s' plan -f '%s' | head -1" % (pz.binary, path),
                            shell=True, env=pz.env, capture_output=True,
                            timeout=60)
        assert sh.stdout.decode().startswith("pz will use the spec"), sh
        assert not os.path.exists(lock), sh
        r = pz.run("plan", "-f", path)
        r.ok()
        assert "Plan: 10 to add, 0 to change, 0 to destroy." in r.out, r


if __name__ == "__main__":
    harness.run_main()
