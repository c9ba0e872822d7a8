"""The state commands on the local backend: list, show, rm, mv, pull,
push and their serial/lineage rules; the lock file (held, stale after a
SIGKILL, removed by force-unlock, released on SIGTERM, unlinked by the
second signal); ten concurrent writers; SIGKILL at random points never
leaving a torn state.

    python3 test_state_local.py PZ_BINARY [TEST...]
"""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Pz  # noqa: E402
from state_helpers import (campaign, check_state, sigkill_loop,  # noqa
                           state_doc, write_spec)


def _pz(pz_bin):
    return Pz(pz_bin, None, keys=False)


def _push(pz, path, doc, *extra):
    src = pz.write_file("push-%d.json" % random.randrange(1 << 30), doc)
    return pz.run("state", "push", "-state=" + path, *extra, src)


def _read(path):
    with open(path) as f:
        return check_state(f.read())


def _wait_for(pred, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.01)
    return False


def test_commands(pz_bin):
    pz = _pz(pz_bin)
    path = os.path.join(pz.home, "st.json")
    lineage = "0f8c8a52-6d0e-4b8e-9d4e-2a4b1c3d5e6f"
    doc = state_doc([campaign("a", ["solution_version.x"]), campaign("b"),
                     {"address": "solution_version.x",
                      "type": "solution_version", "arn": None}],
                    serial=3, lineage=lineage)
    # Nothing there yet: an explicit path that does not exist is a
    # typo to report, not an empty state (issue 17).
    r = pz.run("state", "list", "-state=" + path).fails()
    assert r.out == "" and "no state at" in r.err, r
    r = pz.run("show", "-state=" + path).fails()
    assert r.out == "" and "no state at" in r.err, r
    r = pz.run("state", "pull", "-state=" + path).fails()
    assert r.out == "" and "no state at" in r.err, r
    r = pz.run("state", "list", "-state=").fails()
    assert "-state= names no file" in r.err, r
    # push writes it as it is: lineage and serial kept.
    _push(pz, path, doc).ok()
    st = _read(path)
    assert st["serial"] == 3 and st["lineage"] == lineage, st
    r = pz.run("state", "list", "-state=" + path).ok()
    assert r.out.split() == ["campaign.a", "campaign.b",
                             "solution_version.x"], r
    r = pz.run("state", "list", "-state=" + path, "campaign").ok()
    assert r.out.split() == ["campaign.a", "campaign.b"], r
    # An argument that matches nothing is an error, not an empty list.
    r = pz.run("state", "list", "-state=" + path, "nonsense").fails()
    assert r.out == "" and "no resource of type 'nonsense'" in r.err, r
    r = pz.run("state", "list", "-state=" + path, "campaign.c").fails()
    assert "no resource campaign.c" in r.err, r
    r = pz.run("state", "list", "-json", "-state=" + path,
               "campaign.b").ok()
    assert [x["address"] for x in r.json()] == ["campaign.b"], r
    r = pz.run("state", "show", "-state=" + path, "campaign.a").ok()
    assert r.out.startswith("# campaign.a:\n"), r
    assert 'status     = "ACTIVE"' in r.out, r
    assert 'depends_on = ["solution_version.x"]' in r.out, r
    r = pz.run("state", "show", "-json", "-state=" + path, "campaign.a").ok()
    assert r.json()["attributes"] == {"name": "a"}, r
    r = pz.run("state", "show", "-state=" + path, "campaign.c").fails()
    assert "no resource campaign.c in the state" in r.err, r
    assert "did you mean campaign." in r.err, r
    r = pz.run("show", "-json", "-state=" + path).ok()
    res = r.json()["values"]["root_module"]["resources"]
    assert [x["address"] for x in res] == ["campaign.a", "campaign.b",
                                           "solution_version.x"], r
    assert res[0]["values"]["arn"].endswith(":campaign/a"), res[0]

    # mv and rm: one serial each, dependencies follow a move.
    r = pz.run("state", "mv", "-dry-run", "-state=" + path,
               "solution_version.x", "solution_version.y").ok()
    assert "Would move" in r.out and _read(path)["serial"] == 3, r
    pz.run("state", "mv", "-state=" + path, "solution_version.x",
           "solution_version.y").ok()
    st = _read(path)
    assert st["serial"] == 4, st
    assert st["resources"][0]["dependencies"] == ["solution_version.y"]
    r = pz.run("state", "mv", "-state=" + path, "campaign.a",
               "solution.a").fails()
    assert "must be campaign.<key>" in r.err, r
    r = pz.run("state", "mv", "-state=" + path, "campaign.a",
               "campaign.b").fails()
    assert "already in the state" in r.err, r
    r = pz.run("state", "rm", "-state=" + path, "solution_version.y").ok()
    assert "Removed solution_version.y" in r.out, r
    assert "campaign.a, still in the state, depends on" in r.err, r
    r = pz.run("state", "rm", "-state=" + path, "campaign.b",
               "campaign.zz").fails()
    assert "nothing removed" in r.err, r
    st = _read(path)
    assert st["serial"] == 5 and len(st["resources"]) == 2, st
    # A backup of the previous state stays beside it.
    assert check_state(open(path + ".backup").read())["serial"] == 4

    # pull gives back what push takes; an unchanged push writes nothing.
    pulled = pz.run("state", "pull", "-state=" + path).ok().out
    assert check_state(pulled)["serial"] == 5
    r = _push(pz, path, pulled).ok()
    assert "Nothing to push" in r.out, r
    # Older serial, same serial with other content, other lineage:
    # refused with a clear message unless -force.
    r = _push(pz, path, state_doc([], serial=4, lineage=lineage)).fails()
    assert "older than the stored one" in r.err, r
    r = _push(pz, path, state_doc([], serial=5, lineage=lineage)).fails()
    assert "same serial" in r.err, r
    other = state_doc([campaign("z")], serial=9)
    r = _push(pz, path, other).fails()
    assert "different states" in r.err and "-force" in r.err, r
    assert _read(path)["serial"] == 5
    # A newer serial of the same lineage goes through as it is.
    _push(pz, path, state_doc([], serial=7, lineage=lineage)).ok()
    assert _read(path)["serial"] == 7
    # Forced over a newer serial, it lands above it.
    r = _push(pz, path, state_doc([campaign("q")], serial=2,
                                  lineage=lineage), "-force").ok()
    st = _read(path)
    assert st["serial"] == 8 and st["resources"][0]["address"] == \
        "campaign.q", (st, r)
    # push from stdin.
    p = subprocess.run([pz_bin, "state", "push", "-state=" + path, "-"],
                       input=state_doc([], serial=20,
                                       lineage=lineage).encode(),
                       env=pz.env, capture_output=True, timeout=60)
    assert p.returncode == 0, p
    assert _read(path)["serial"] == 20
    # Garbage is refused before anything is locked or written.
    r = _push(pz, path, "{not json").fails()
    assert "nothing pushed" in r.err, r
    assert not os.path.exists(path + ".lock")
    # Options that do not apply are refused.
    r = pz.run("state", "list", "-force", "-state=" + path).fails()
    assert "-force does not apply" in r.err, r
    r = pz.run("state", "rm", "-lock-timeout=soon", "-state=" + path,
               "campaign.q").fails()
    assert "-lock-timeout takes a duration" in r.err, r


def test_spec_places_the_state(pz_bin):
    pz = _pz(pz_bin)
    proj = os.path.join(pz.home, "proj")
    write_spec(proj)
    # The default: pz.state.json beside the spec, wherever pz runs.
    doc = state_doc([campaign("a")])
    src = pz.write_file("in.json", doc)
    pz.run("state", "push", "-f", os.path.join(proj, "pz.yaml"), src).ok()
    assert os.path.exists(os.path.join(proj, "pz.state.json"))
    r = pz.run("-chdir=" + proj, "state", "list").ok()
    assert r.out == "campaign.a\n", r
    # pz.backend.local.path, relative to the spec.
    write_spec(proj, backend={"local": {"path": "states/x.json"}})
    os.makedirs(os.path.join(proj, "states"))
    pz.run("state", "push", "-f", os.path.join(proj, "pz.yaml"), src).ok()
    assert os.path.exists(os.path.join(proj, "states", "x.json"))
    # No spec and no -state: a clear message.
    r = pz.run("state", "list").fails()
    assert "-f FILE or -state=PATH" in r.err, r
    # Workspaces are an S3 feature.
    r = pz.run("-chdir=" + proj, "state", "list",
               env={"PZ_WORKSPACE": "dev"}).fails()
    assert "workspaces need the S3 backend" in r.err, r


def _lock_id(path):
    with open(path + ".lock") as f:
        return json.load(f)["ID"]


def _wait_blocked(p, words):
    """Until p sleeps in the kernel where /proc/PID/wchan names one of
    words (where wchan is hidden: until it sleeps, plus a margin). A
    signal sent before that would be seen before the blocking call, not
    by it."""
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with open("/proc/%d/wchan" % p.pid) as f:
                w = f.read()
            with open("/proc/%d/stat" % p.pid) as f:
                st = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            w, st = "", "?"
        if any(x in w for x in words):
            return
        if w in ("", "0") and st == "S":
            time.sleep(0.3)
            return
        time.sleep(0.01)
    raise AssertionError("pz never blocked (%s)" % ", ".join(words))


def _blocked_holder(pz, path, *args):
    """A pz holding the lock on path, blocked opening the state: a FIFO
    stands in for a slow disk."""
    os.mkfifo(path)
    p = subprocess.Popen([pz.binary, "state", "rm", "-state=" + path] +
                         list(args) + ["campaign.a"], env=pz.env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert _wait_for(lambda: os.path.exists(path + ".lock")), \
        "the lock never appeared"
    _wait_blocked(p, ("partner", "fifo"))
    return p


def test_lock_held_killed_and_forced(pz_bin):
    pz = _pz(pz_bin)
    path = os.path.join(pz.home, "st.json")
    p = _blocked_holder(pz, path)
    lock_id = _lock_id(path)
    # Another run is told who holds it.
    t0 = time.time()
    r = pz.run("state", "mv", "-state=" + path, "-lock-timeout=1500ms",
               "campaign.a", "campaign.b").fails()
    assert time.time() - t0 >= 1.4, r
    assert "waiting up to 1500ms for the state lock held by " + lock_id \
        in r.err, r
    assert "gave up after 1500ms" in r.err and \
        "(state rm by " in r.err, r
    assert "pz force-unlock " + lock_id in r.err, r
    r = pz.run("force-unlock", "-state=" + path, "not-" + lock_id).fails()
    assert "nothing removed" in r.err, r
    # The holder dies without cleaning up: its lock is taken over, not
    # waited on, and pz says so.
    p.kill()
    p.wait()
    os.unlink(path)  # the FIFO
    t0 = time.time()
    r = _push(pz, path, state_doc([campaign("a")]), "-lock-timeout=1m")
    r.ok()
    assert time.time() - t0 < 5, r
    assert "pz: took over the state lock held by " + lock_id in r.err, r
    assert "(%d) on this machine is no longer running" % p.pid in r.err, r
    assert "waiting" not in r.err, r
    assert not os.path.exists(path + ".lock")
    # A live holder's lock is removed by force-unlock, with its ID.
    os.unlink(path)
    p = _blocked_holder(pz, path)
    lock_id = _lock_id(path)
    r = pz.run("force-unlock", "-state=" + path, lock_id).ok()
    assert "Removed the lock" in r.out and lock_id in r.out, r
    assert not os.path.exists(path + ".lock")
    r = pz.run("force-unlock", "-state=" + path, lock_id).fails()
    assert "not locked" in r.err, r
    p.kill()
    p.wait()


def test_stale_lock_taken_over_once(pz_bin):
    """Eight runs find the lock of a dead process at once: one takes it
    over (and says so), the others wait for it as for any holder; no
    update is lost. A lock of another machine's process, or of one that
    is running, is not stale."""
    pz = _pz(pz_bin)
    path = os.path.join(pz.home, "st.json")
    _push(pz, path, state_doc([campaign("c%d" % i) for i in range(8)],
                              serial=1)).ok()
    dead = subprocess.Popen(["true"])
    dead.wait()
    who = "someone@" + socket.gethostname()
    stale = {"ID": "5f0c9e1e-3a3b-4c55-8f5e-1d2c3b4a5f60",
             "Operation": "apply", "Who": who, "Version": "test",
             "Created": "2026-01-01T00:00:00Z", "Path": path,
             "Info": "", "Pid": dead.pid}
    with open(path + ".lock", "w") as f:
        json.dump(stale, f)
    results = _concurrent(pz, path, 8, "30s")
    assert all(rc == 0 for _, rc, _, _ in results), results
    took = [i for i, _, _, err in results if "took over" in err]
    assert len(took) == 1, results
    st = _read(path)
    assert st["serial"] == 1 + 8, st["serial"]
    assert not os.path.exists(path + ".lock")
    # Not stale: another machine's process, or a live one.
    for holder in ("someone@another-host", who):
        lock = dict(stale, Who=holder,
                    Pid=dead.pid if "another" in holder else os.getpid())
        with open(path + ".lock", "w") as f:
            json.dump(lock, f)
        r = pz.run("state", "mv", "-state=" + path, "campaign.d0",
                   "campaign.e0").fails()
        assert "is locked by 5f0c9e1e" in r.err and "took over" not in \
            r.err, r
        os.unlink(path + ".lock")


def test_read_only_directory_hint(pz_bin):
    """A state in a directory pz may not write: the lock error says so,
    and for a plan names -lock=false."""
    pz = _pz(pz_bin)
    d = os.path.join(pz.home, "ro")
    os.makedirs(d)
    write_spec(d)
    os.chmod(d, 0o555)

    def writable(where):
        probe = os.path.join(where, "pz-probe-%d" % os.getpid())
        try:
            open(probe, "w").close()
        except OSError:
            return False
        os.unlink(probe)
        return True

    if writable(d):
        # root writes anyway; sysfs refuses even root, where it is there.
        d = "/sys"
        if not os.path.isdir(d) or writable(d):
            raise harness.Skip("no directory this user cannot write")
    st = os.path.join(d, "pz.state.json")
    spec = os.path.join(pz.home, "ro", "pz.yaml")
    r = pz.run("plan", "-f", spec, "-refresh=false", "-state=" + st).fails()
    assert "unable to lock the state '%s': its directory is not " \
        "writable (pz plan -lock=false reads without the lock" % st \
        in r.err, r
    r = pz.run("state", "rm", "-state=" + st, "campaign.a").fails()
    assert "its directory is not writable" in r.err and \
        "-lock=false" not in r.err, r
    os.chmod(os.path.join(pz.home, "ro"), 0o755)


def test_sigterm_releases_the_lock(pz_bin):
    pz = _pz(pz_bin)
    path = os.path.join(pz.home, "st.json")
    p = _blocked_holder(pz, path)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 143, (p.returncode, err)
    assert not os.path.exists(path + ".lock"), err
    assert b"interrupted" in err, err


def test_second_signal_unlinks_and_exits(pz_bin):
    pz = _pz(pz_bin)
    path = os.path.join(pz.home, "st.json")
    p = _blocked_holder(pz, path)
    # A writer that never writes: pz now blocks in read(2), which it
    # retries on EINTR, so only the second signal ends it.
    w = os.open(path, os.O_WRONLY)
    try:
        _wait_blocked(p, ("pipe",))
        p.send_signal(signal.SIGINT)
        time.sleep(0.3)
        assert p.poll() is None, "exited on the first signal"
        assert os.path.exists(path + ".lock")
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
    finally:
        os.close(w)
    assert p.returncode == 130, (p.returncode, err)
    assert b"removed the state lock" in err, err
    assert not os.path.exists(path + ".lock")


def _concurrent(pz, path, n, timeout):
    procs = [subprocess.Popen(
        [pz.binary, "state", "mv", "-state=" + path,
         "-lock-timeout=" + timeout, "campaign.c%d" % i, "campaign.d%d" % i],
        env=pz.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for i in range(n)]
    results = []
    for i, p in enumerate(procs):
        out, err = p.communicate(timeout=120)
        results.append((i, p.returncode, out.decode(), err.decode()))
    return results


def test_ten_concurrent_writers(pz_bin):
    pz = _pz(pz_bin)
    path = os.path.join(pz.home, "st.json")
    for timeout, want_all in (("30s", True), ("0s", False)):
        if os.path.exists(path):
            os.unlink(path)
        _push(pz, path, state_doc([campaign("c%d" % i)
                                   for i in range(10)], serial=1)).ok()
        results = _concurrent(pz, path, 10, timeout)
        ok = [i for i, rc, _, _ in results if rc == 0]
        for i, rc, out, err in results:
            if rc:
                assert rc == 1 and "is locked by" in err and \
                    "pz force-unlock" in err, (i, rc, out, err)
        if want_all:
            assert len(ok) == 10, results
        st = _read(path)
        # No lost update: one serial per successful write, and every
        # successful move is there.
        assert st["serial"] == 1 + len(ok), (st["serial"], ok)
        addrs = {x["address"] for x in st["resources"]}
        for i in range(10):
            assert ("campaign.d%d" if i in ok else "campaign.c%d") % i \
                in addrs, (i, addrs)
        assert not os.path.exists(path + ".lock")


def test_sigkill_never_tears_the_state(pz_bin):
    pz = _pz(pz_bin)
    path = os.path.join(pz.home, "st.json")
    # A state of some size, so a write takes a little while.
    big = [campaign("k%03d" % i) for i in range(300)]
    _push(pz, path, state_doc(big + [campaign("a")], serial=1)).ok()
    sigkill_loop(pz, lambda: _read(path), ["-state=" + path], 40,
                 int(os.environ.get("PZ_TEST_SEED", "7")))
    # Temporary files of killed writers may stay; the state never did.
    leftovers = [f for f in os.listdir(pz.home) if ".tmp." in f]
    print("    %d temporary files of killed writers left" % len(leftovers))


if __name__ == "__main__":
    harness.run_main()
