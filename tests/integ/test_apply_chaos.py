"""Chaos: pz apply killed at random moments converges (issue 11).

- SIGKILL at 20 random moments of an apply of the MovieLens example
  (examples/movielens), each followed at once by `pz apply
  -auto-approve`, with no manual step between (see LOCK_TAKEOVER), then
  applies until the plan is empty: zero orphaned resources (in the
  simulator but not in pz's state, by ARN), zero duplicates (one import
  per dataset, one training per solution, one resource per address, no
  create call that succeeded twice for one name) and `pz plan
  -detailed-exitcode` exits 0.
- SIGINT at 5 moments of the execution: exit 1 saying what is still
  going on in AWS (or exit 0, complete), the lock released, and the next
  apply converges, with the same checks.

The moments are drawn from a seeded generator: the seed is printed, and
PZ_CHAOS_SEED=N replays a run. The simulator is time-scaled (a training
takes about 5 s) and pz's polling shortened (PZ_POLL_MIN_MS /
PZ_POLL_MAX_MS) so the whole takes about two minutes; 40 ms of latency
on every request keeps calls in flight long enough for kills to land
inside them.

    python3 test_apply_chaos.py PZ_BINARY
"""
import json
import os
import random
import re
import signal
import subprocess
import threading
import time

import harness
from harness import Pz, Sim

ROOT = harness.ROOT
EXAMPLE = os.path.join(ROOT, "examples", "movielens")
SCALE = 0.003
POLL = {"PZ_POLL_MIN_MS": "20", "PZ_POLL_MAX_MS": "250"}
KILLS = 20
INTERRUPTS = 5
# A local lock whose holder died on this machine is taken over by the
# next run, which says so (issue 11; core/backend_local.c). False
# checks the older behaviour instead: a refusal naming
# "pz force-unlock ID", and the lock removed that way.
LOCK_TAKEOVER = True
TAKEOVER_SAYS = r"pz: took over the state lock held by "  # wip-h16's line

# The sim's state types that are deleted with a parent, and are checked
# by count rather than by the state (solution versions live under their
# solution; pz records the one it follows).
ONE_EACH = {"datasetImportJob": 3, "solutionVersion": 3,
            "batchInferenceJob": 1, "batchSegmentJob": 1}


def seed():
    s = os.environ.get("PZ_CHAOS_SEED")
    s = int(s) if s else random.SystemRandom().randrange(1 << 30)
    print("chaos seed: %d (PZ_CHAOS_SEED=%d replays it)" % (s, s),
          flush=True)
    return random.Random(s)


def movielens(pz_bin, sim, poll=None):
    """pz against sim in a fresh HOME holding the MovieLens example,
    its generated data uploaded where the spec reads it (as
    scripts/demo.sh does); poll: PZ_POLL_* for it (default POLL)."""
    pz = Pz(pz_bin, sim)
    pz.env.update(poll or POLL)
    with open(os.path.join(EXAMPLE, "pz.yaml")) as f:
        spec = f.read()
    # pz.notify's webhook: the simulator's sink, as in scripts/demo.sh
    # (the example's own address is a closed port: each apply would
    # spend its retries, about 2 s, failing to notify)
    hook = "webhook: http://127.0.0.1:9/pz-hook"
    assert hook in spec
    with open(os.path.join(pz.home, "pz.yaml"), "w") as f:
        f.write(spec.replace(hook, "webhook: %s/__sim/webhook/movielens"
                             % sim.url))
    data, jobs = os.path.join(pz.home, "data"), os.path.join(pz.home, "jobs")
    subprocess.run([harness.PYTHON, os.path.join(EXAMPLE, "gen-data.py"),
                    data, "--jobs", jobs], check=True,
                   capture_output=True)
    env = dict(os.environ, AWS_ACCESS_KEY_ID=harness.AKID,
               AWS_SECRET_ACCESS_KEY=harness.SECRET,
               AWS_REGION=harness.REGION, AWS_ENDPOINT_URL=sim.url,
               AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    up = os.path.join(EXAMPLE, "upload.py")
    for src, dest, more in ((data, "s3://pz-demo-data/movielens/",
                             ["--create-bucket"]),
                            (jobs, "s3://pz-demo-data/", [])):
        p = subprocess.run([harness.PYTHON, up, src, dest] + more, env=env,
                           capture_output=True, text=True)
        if p.returncode and "botocore" in p.stderr:
            raise harness.Skip("upload.py needs botocore")
        assert p.returncode == 0, p.stderr
    return pz


def lock_path(pz):
    return os.path.join(pz.home, "pz.state.json.lock")


def state(pz):
    with open(os.path.join(pz.home, "pz.state.json")) as f:
        return json.load(f)


class Run:
    """pz apply in the background; its output read as it comes."""

    def __init__(self, pz, *args):
        env = dict(pz.env)
        self.p = subprocess.Popen([pz.binary, "apply", "-auto-approve"]
                                  + list(args), env=env, cwd=pz.home,
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.t0 = time.monotonic()
        self.out, self.err = [], []
        self.executing = threading.Event()
        self.threads = [threading.Thread(target=self._read, args=a,
                                         daemon=True)
                        for a in ((self.p.stdout, self.out),
                                  (self.p.stderr, self.err))]
        for t in self.threads:
            t.start()

    def _read(self, f, into):
        for line in iter(f.readline, b""):
            s = line.decode("utf-8", "replace")
            into.append(s)
            if re.match(r"^\S+: (Creating|Modifying|Destroying)\.\.\.", s):
                self.executing.set()

    def signal(self, sig):
        try:
            self.p.send_signal(sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout=120):
        rc = self.p.wait(timeout)
        for t in self.threads:
            t.join(10)
        return rc

    def text(self):
        return "".join(self.out) + "--- stderr\n" + "".join(self.err)


def after_kill(pz, log):
    """After a SIGKILL: the next run takes the lock over and says so
    (LOCK_TAKEOVER), checked by the next apply; until then a run names
    the stale lock and it is removed with pz force-unlock."""
    if LOCK_TAKEOVER or not os.path.exists(lock_path(pz)):
        return
    r = pz.run("plan")
    m = re.search(r"is no longer running: the lock is stale; remove it "
                  r"with: pz force-unlock (\S+)", r.err)
    assert r.rc == 1 and m, "a dead holder's lock:\n%r" % r
    u = pz.run("force-unlock", m.group(1))
    assert u.rc == 0, repr(u)
    log.append("force-unlock")


def keep(pz, name, text, sim=None):
    """PZ_CHAOS_LOG=DIR keeps every run's output there, with the state
    and the simulator's calls."""
    d = os.environ.get("PZ_CHAOS_LOG")
    if not d:
        return
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".txt"), "w") as f:
        f.write(text)
        try:
            f.write("\n--- state\n" + json.dumps(state(pz), indent=1))
        except (OSError, ValueError) as e:
            f.write("\n--- state: %s\n" % e)
        if sim is not None:
            f.write("\n--- calls\n")
            for c in sim.calls():
                f.write("%s %s %s %s %s\n" % (
                    c["epoch"], c["operation"], c["status"], c.get("error"),
                    json.dumps(c.get("params"))[:150]))


def converge(pz, log, limit=15):
    """Applies until the plan is empty; the applies' results."""
    runs = []
    for _ in range(limit):
        r = pz.run("apply", "-auto-approve", timeout=120)
        runs.append(r)
        keep(pz, "converge-%02d" % len(runs), repr(r))
        assert r.rc == 0, repr(r)
        assert not os.path.exists(lock_path(pz)), \
            "apply left its lock:\n%r" % r
        p = pz.run("plan", "-detailed-exitcode")
        assert p.rc in (0, 2), repr(p)
        # Converged: nothing to change, nothing still settling.
        if p.rc == 0 and not re.search(r"\b\d+ resources? waits?\b",
                                       p.out + p.err):
            return runs
        # Something still runs in AWS (the plan waits for it): the next
        # apply picks it up.
        time.sleep(0.3)
    raise AssertionError("no convergence after %d applies; last:\n%r\n%s"
                         % (limit, runs[-1], p))


def check_clean(pz, sim):
    """Zero orphans, zero duplicates, an empty plan."""
    st = state(pz)
    res = sim.state()["resources"]
    recorded = {r["arn"]: r["address"] for r in st["resources"]
                if r.get("arn")}
    addresses = [r["address"] for r in st["resources"]]
    assert len(addresses) == len(set(addresses)), addresses
    by_type = {}
    for r in res:
        by_type.setdefault(r["type"], []).append(r)
        if r["type"] == "solutionVersion":
            # Deleted with its solution: the solution must be pz's.
            sol = r["arn"].rsplit("/", 1)[0]
            assert sol in recorded, "orphaned version %s" % r["arn"]
            continue
        assert r["arn"] in recorded, \
            "orphaned: %s %s is in the simulator but not in pz's state" \
            % (r["type"], r["arn"])
        assert r["status"] == "ACTIVE", r
    for t, n in ONE_EACH.items():
        got = [r["arn"] for r in by_type.get(t, [])]
        assert len(got) == n, "%d %s, expected %d (one per change): %s" % (
            len(got), t, n, got)
    # Every recorded ARN is live: nothing in the state that AWS lacks.
    live = {r["arn"] for r in res}
    for a, addr in recorded.items():
        assert a in live, "%s records %s, which does not exist" % (addr, a)
    # No create that succeeded twice for one name (an adopted create is
    # refused as ResourceAlreadyExists, then described).
    made = {}
    for c in sim.calls():
        op = c["operation"]
        if not op.startswith("Create") or c.get("error") or \
                c["status"] != 200:
            continue
        prm = c.get("params") or {}
        key = (op, prm.get("name") or prm.get("jobName")
               or prm.get("solutionArn"))
        made[key] = made.get(key, 0) + 1
    twice = {k: n for k, n in made.items() if n > 1}
    assert not twice, "created more than once: %s" % twice
    assert pz.run("plan", "-detailed-exitcode").rc == 0
    assert not os.path.exists(lock_path(pz))


def test_sigkill_twenty_times(pz_bin):
    rng = seed()
    log = []
    with Sim(time_scale=SCALE, latency_ms=40, seed=rng.randrange(1 << 30)) \
            as sim:
        pz = movielens(pz_bin, sim)
        t0 = time.monotonic()
        killed_in = []
        for i in range(KILLS):
            stale = os.path.exists(lock_path(pz))
            run = Run(pz)
            # Spread over planning (the first ~0.5 s) and execution.
            time.sleep(rng.uniform(0.1, 1.2))
            run.signal(signal.SIGKILL)
            rc = run.wait()
            killed_in.append(rc)
            txt = run.text()
            keep(pz, "kill-%02d" % i, txt, sim)
            # Killed (-9), or done before the signal came.
            assert rc in (-signal.SIGKILL, 0), txt
            if rc == -signal.SIGKILL:
                after_kill(pz, log)
            if stale and run.executing.is_set():
                assert re.search(TAKEOVER_SAYS, "".join(run.err)), txt
        kills = sum(1 for rc in killed_in if rc == -signal.SIGKILL)
        runs = converge(pz, log)
        print("%d of %d runs killed, %d more applies to converge, "
              "%d force-unlocks, %.0f s" % (kills, KILLS, len(runs),
                                            log.count("force-unlock"),
                                            time.monotonic() - t0))
        assert kills >= KILLS // 2, "too few runs were killed: %s" \
            % killed_in
        check_clean(pz, sim)


def test_sigint_five_times(pz_bin):
    rng = seed()
    log = []
    with Sim(time_scale=SCALE, latency_ms=40, seed=rng.randrange(1 << 30)) \
            as sim:
        pz = movielens(pz_bin, sim)
        stopped = 0
        for i in range(INTERRUPTS):
            run = Run(pz)
            # A moment of the execution (an interrupt while planning
            # exits 130 at once: test_interrupts.py).
            while not run.executing.wait(0.02) and run.p.poll() is None:
                pass
            time.sleep(rng.uniform(0, 2.0))
            run.signal(signal.SIGINT)
            rc = run.wait()
            txt = run.text()
            assert not os.path.exists(lock_path(pz)), \
                "the lock was left:\n" + txt
            if rc == 0:
                assert "Apply complete!" in txt or "No changes." in txt, txt
                continue
            assert rc == 1, txt
            assert "Apply interrupted!" in txt, txt
            stopped += 1
            if "Still going on in AWS" in txt:
                assert re.search(r"Stopped waiting after \S+: still "
                                 r"\w+ in AWS \[id=arn:", txt), txt
        converge(pz, log)
        assert stopped >= 1, "no run was interrupted"
        assert not log, "an interrupted run left its lock: %s" % log
        check_clean(pz, sim)


def test_untracked_event_tracker_adopted(pz_bin):
    """An event tracker's ARN is not made from its name, so an apply
    killed between CreateEventTracker and its answer leaves a record
    with no ARN, status CREATE REQUESTED (exec.c writes it before the
    call): the next plan does not call the tracker someone else's, the
    create is refused (the group's one tracker) and pz adopts its own by
    name, instead of queueing on a quota that never frees. Without that
    record (a tracker pz never asked for), the plan refuses it as
    unmanaged."""
    with Sim(time_scale=0.001) as sim:
        pz = movielens(pz_bin, sim)
        pz.run("apply", "-auto-approve").ok()
        path = os.path.join(pz.home, "pz.state.json")
        st = state(pz)
        tracker = [r for r in st["resources"]
                   if r["type"] == "event_tracker"][0]
        st["resources"].remove(tracker)
        st["serial"] += 1
        with open(path, "w") as f:
            json.dump(st, f)
        r = pz.run("plan")
        assert r.rc == 1 and "but is not in the state" in r.err, r
        st = state(pz)
        asked = dict(tracker)
        del asked["arn"]
        asked["status"] = "CREATE REQUESTED"
        st["resources"].append(asked)
        st["resources"].sort(key=lambda x: x["address"])
        st["serial"] += 1
        with open(path, "w") as f:
            json.dump(st, f)
        since = len(sim.calls())
        r = pz.run("apply", "-auto-approve", timeout=60).ok()
        assert "event_tracker.MovieLensDemoEventTracker: Creation " \
            "complete" in r.out, r
        assert [x for x in state(pz)["resources"]
                if x["type"] == "event_tracker"][0]["arn"] == tracker["arn"]
        ops = sim.ops(since)
        assert "ListEventTrackers" in ops, ops
        assert [x["type"] for x in sim.state()["resources"]].count(
            "eventTracker") == 1
        check_clean(pz, sim)


if __name__ == "__main__":
    harness.run_main()
