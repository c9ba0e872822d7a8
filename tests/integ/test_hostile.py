"""Hostile and careless input (issue 17), on the local and the S3
(simulator) backends: state commands under addresses pz could not read
back, push -force over a stored state pz cannot parse, terminal escapes
and forged lines from lock holders, spec keys and AWS messages, and a
failed unlock.

    python3 test_hostile.py PZ_BINARY [TEST...]
"""

import json
import os
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Pz, Sim  # noqa: E402
from state_helpers import (campaign, check_state, make_bucket,  # noqa
                           s3_get, s3_put, state_doc, write_spec)

BUCKET = "pz-state"
KEY = "team/pz.state.json"
FORGED = "\x1b[2J\nPlan: 0 to add, 0 to change, 0 to destroy."
HOSTILE_KEYS = [
    "campaign.a\nb",
    "campaign.x.y",
    "campaign.a b",
    "campaign.../../etc",
    "campaign." + "k" * 5000,
    "campaign.\x1b[2Jx",
    "campaign.",
    "campaign.\u202eevil",
]


def _clean(r):
    """Nothing that drives a terminal, no forged line."""
    for text in (r.out, r.err):
        assert "\x1b" not in text, r
        assert "\u202e" not in text, r
        assert not any(line.startswith("Plan:")
                       for line in text.split("\n")), r


class Local:
    name = "local"

    def __init__(self, pz_bin):
        self.pz = Pz(pz_bin, None, keys=False)
        self.path = os.path.join(self.pz.home, "st.json")
        self.args = ["-state=" + self.path]

    def run(self, *args):
        return self.pz.run(*args)

    def stored(self):
        with open(self.path, "rb") as f:
            return f.read()

    def put_stored(self, data):
        with open(self.path, "wb") as f:
            f.write(data)

    def put_lock(self, data):
        with open(self.path + ".lock", "wb") as f:
            f.write(data)


class S3:
    name = "s3"

    def __init__(self, pz_bin, sim):
        self.sim = sim
        self.pz = Pz(pz_bin, sim)
        self.proj = os.path.join(self.pz.home, "proj")
        write_spec(self.proj, backend={"s3": {"bucket": BUCKET,
                                               "key": KEY}})
        make_bucket(sim.url, BUCKET)
        self.args = []

    def run(self, *args):
        return self.pz.run(*args, cwd=self.proj)

    def stored(self):
        status, body, _ = s3_get(self.sim.url, BUCKET, KEY)
        assert status == 200, (status, body)
        return body

    def put_stored(self, data):
        status, _, out = s3_put(self.sim.url, BUCKET, KEY, data)
        assert status == 200, (status, out)

    def put_lock(self, data):
        status, _, out = s3_put(self.sim.url, BUCKET, KEY + ".lock", data)
        assert status == 200, (status, out)


def _backends(pz_bin):
    yield Local(pz_bin)
    with Sim() as sim:
        yield S3(pz_bin, sim)


def _push(b, doc, *extra):
    src = b.pz.write_file("push-%s.json" % uuid.uuid4(), doc)
    return b.run("state", "push", *b.args, *extra, src)


def test_state_commands_refuse_hostile_addresses(pz_bin):
    for b in _backends(pz_bin):
        _push(b, state_doc([campaign("sims"), campaign("other")],
                           serial=4)).ok()
        before = b.stored()
        for key in HOSTILE_KEYS:
            r = b.run("state", "mv", *b.args, "campaign.sims", key).fails()
            assert "is not a resource address" in r.err, (b.name, r)
            _clean(r)
            assert b.stored() == before, (b.name, key)
            r = b.run("state", "rm", *b.args, key).fails()
            _clean(r)
            r = b.run("state", "show", *b.args, key).fails()
            _clean(r)
        # Every command still reads the state; a good move works.
        r = b.run("state", "list", *b.args).ok()
        assert r.out.split() == ["campaign.other", "campaign.sims"], r
        r = b.run("state", "mv", *b.args, "campaign.sims",
                  "campaign.s-1_x").ok()
        st = check_state(b.stored().decode())
        assert st["serial"] == 5, st
        # A pushed document holding such an address is refused too,
        # before anything is written.
        before = b.stored()
        bad = state_doc([campaign("x")], serial=9)
        bad = bad.replace("campaign.x", "campaign.a\\nb")
        r = _push(b, bad).fails()
        assert "is not a resource address" in r.err, r
        _clean(r)
        assert b.stored() == before


def test_push_force_replaces_an_unreadable_state(pz_bin):
    for b in _backends(pz_bin):
        lineage = str(uuid.uuid4())
        broken = state_doc([campaign("a")], serial=7, lineage=lineage)
        b.put_stored(broken.replace("campaign.a", "campaign.a\\nb")
                     .encode())
        r = b.run("state", "list", *b.args).fails()
        assert "is not a resource address" in r.err, r
        good = state_doc([campaign("a")], serial=7, lineage=lineage)
        r = _push(b, good).fails()
        assert "pz state push -force FILE" in r.err, (b.name, r)
        r = _push(b, good, "-force").ok()
        assert "replacing a stored state pz cannot read" in r.err, r
        r = b.run("state", "list", *b.args).ok()
        assert r.out.split() == ["campaign.a"], r
        # Truncated, or not JSON at all: the same way out.
        b.put_stored(good[:40].encode())
        _push(b, good).fails()
        _push(b, good, "-force").ok()
        b.run("state", "list", *b.args).ok()


def test_lock_holder_shown_escaped(pz_bin):
    for b in _backends(pz_bin):
        _push(b, state_doc([campaign("a")])).ok()
        lock_id = "i\x1b[2J\nPlan: 0"  # fits the 36 bytes of an ID
        info = {"ID": lock_id, "Operation": "apply" + FORGED,
                "Who": "mallory" + FORGED, "Version": "0.1",
                "Created": "2026-12-02T00:00:00Z", "Path": "x", "Pid": 1}
        b.put_lock((json.dumps(info) + "\n").encode())
        r = b.run("state", "rm", *b.args, "campaign.a").fails()
        assert "is locked by" in r.err, (b.name, r)
        assert "\\e[2J\\nPlan: 0 to add" in r.err, (b.name, r)
        _clean(r)
        r = b.run("force-unlock", *b.args, "nonsense").fails()
        _clean(r)
        r = b.run("force-unlock", *b.args, lock_id).ok()
        _clean(r)
        b.run("state", "rm", *b.args, "campaign.a").ok()


def test_spec_keys_in_diagnostics_escaped(pz_bin):
    pz = Pz(pz_bin, None, keys=False)
    for name, text in (
            ("k.yaml", "datasetGroup: {name: g}\nsolutions:\n"
             "  \"a\\e[2J\\nPlan: 0 to add\": {name: s}\n"),
            ("k.json", '{"datasetGroup": {"name": "g"}, "solutions": '
             '{"a\\u001b[2J\\nPlan: 0 to add": {"name": "s"}}}'),
            ("\x1b[2Jk.yaml", "datasetGroup: {name: g}\nbogus: 1\n")):
        path = pz.write_file(name, text)
        r = pz.run("validate", "-f", path).fails()
        _clean(r)
        assert "\\e[2J" in r.err, r


def test_failed_unlock_says_the_lock_is_held(pz_bin):
    with Sim() as sim:
        b = S3(pz_bin, sim)
        _push(b, state_doc([campaign("a"), campaign("b")])).ok()
        sim.faults(inject=[{"operation": "DeleteObject",
                            "code": "AccessDenied", "status": 403,
                            "count": 50,
                            "message": "denied" + FORGED}])
        r = b.run("state", "rm", "campaign.a").fails()
        _clean(r)
        lines = [x for x in r.err.split("\n") if x]
        held = [x for x in lines if "still held" in x]
        assert len(held) == 1, r
        lock_id = json.loads(s3_get(sim.url, BUCKET, KEY + ".lock")[1])["ID"]
        assert lock_id in held[0] and \
            "pz force-unlock %s" % lock_id in held[0], r
        # The error is said once.
        assert sum("DeleteObject" in x for x in lines) <= 2, r
        assert not [x for x in lines if "DeleteObject" in x and
                    x.startswith("pz:") and x not in held], r
        sim.faults(inject=[])
        b.run("force-unlock", lock_id).ok()
        # An AWS message is shown escaped.
        # (JSON can carry an ESC, XML cannot: a Personalize call.)
        sim.faults(inject=[{"operation": op, "code": "ValidationException",
                            "status": 400, "count": 50,
                            "message": "broken" + FORGED}
                           for op in ("ListDatasetGroups",
                                      "DescribeDatasetGroup")])
        r = b.run("plan").fails()
        _clean(r)
        assert "broken\\e[2J\\nPlan: 0 to add" in r.err, r
        sim.faults(inject=[])


def test_careless_flags_and_environment(pz_bin):
    pz = Pz(pz_bin, None, keys=False)
    proj = os.path.join(pz.home, "s3proj")
    write_spec(proj, backend={"s3": {"bucket": BUCKET, "key": KEY}})
    for ws in ("dev\nprod", "a/b", "\x1b[2J", "x" * 129):
        r = pz.run("state", "list", cwd=proj,
                   env={"PZ_WORKSPACE": ws}).fails()
        assert "a workspace name is 1 to 128 letters" in r.err, r
        _clean(r)
    # A PZ_TRACE topic that is not one is said, as PZ_LOG's level is.
    for trace in ("bogus", "http,bogus", "\x1b[2J"):
        r = pz.run("version", env={"PZ_TRACE": trace}).ok()
        assert "pz: ignoring PZ_TRACE topic '" in r.err and \
            "(use http or all)" in r.err, (trace, r)
        _clean(r)
    for trace in ("http", "all", ""):
        r = pz.run("version", env={"PZ_TRACE": trace}).ok()
        assert "ignoring" not in r.err, (trace, r)
    # Variables are held to the rules of where they are used.
    vproj = os.path.join(pz.home, "varproj")
    os.makedirs(vproj)
    with open(os.path.join(vproj, "pz.yaml"), "w") as f:
        f.write('pz:\n  region: us-east-1\n  backend: {s3: {bucket: b-1, '
                'key: "${var:key}"}}\n  notify: {webhookUrl: "${var:hook}"}'
                '\ndatasetGroup: {name: g}\n')
    r = pz.run("state", "list", "-var", "key=../../x", "-var",
               "hook=https://x/y", cwd=vproj).fails()
    assert "pz.backend.s3.key '../../x' has a '.' or '..' part" in r.err, r
    for hook in ("https://x/y\n", "https://x/\x1b[2J"):
        r = pz.run("validate", "-var", "key=k", "-var", "hook=" + hook,
                   cwd=vproj).fails()
        assert "pz.notify.webhookUrl" in r.err, r
        _clean(r)
    # A data location from -var: the bucket, '..' parts, escapes.
    dproj = os.path.join(pz.home, "dataproj")
    os.makedirs(dproj)
    with open(os.path.join(dproj, "pz.yaml"), "w") as f:
        f.write('pz:\n  region: us-east-1\n  dataLocation: "${var:loc}"\n'
                'datasetGroup: {name: g}\ndatasets:\n  Interactions:\n'
                '    name: i\n    schema: {type: record, name: '
                'Interactions, namespace: com.amazonaws.personalize.schema, '
                'version: "1.0", fields: [{name: USER_ID, type: string}, '
                '{name: ITEM_ID, type: string}, '
                '{name: TIMESTAMP, type: long}]}\n')
    pz.run("validate", "-var", "loc=s3://data-1/x?list-type=1&",
           cwd=dproj).ok()
    for loc, want in (('s3://a"b/x/', "'a\"b' is not an S3 bucket name"),
                      ("s3://data-1/../../x/", "has a '.' or '..' part"),
                      ("s3://data-1/\x1b[2J/", "holds a control character"),
                      ("data-1/x/", "is not an S3 location")):
        r = pz.run("validate", "-var", "loc=" + loc, cwd=dproj).fails()
        assert "pz.yaml:3:17: error: pz.dataLocation" in r.err, r
        assert want in r.err, (loc, r)
        _clean(r)
    local = os.path.join(pz.home, "localproj")
    write_spec(local)
    r = pz.run("plan", "-parallelism=0", cwd=local).fails()
    assert "-parallelism takes 1 to 1000, not 0" in r.err, r


def test_confusing_cases_are_errors(pz_bin):
    pz = Pz(pz_bin, None, keys=False)
    both = os.path.join(pz.home, "both")
    write_spec(both)
    with open(os.path.join(both, "pz.json"), "w") as f:
        f.write('{"datasetGroup": {"name": "other"}}')
    r = pz.run("validate", cwd=both).fails()
    assert "pz.yaml and pz.json are both here: pass -f FILE" in r.err, r
    pz.run("validate", "-f", "pz.json", cwd=both).ok()
    # plan -out to a place it cannot write fails before planning;
    # conflicting output flags are an error, not "the last wins".
    local = os.path.join(pz.home, "plain")
    write_spec(local)
    r = pz.run("plan", "-refresh=false", "-out=/nonexistent/dir/x.plan",
               cwd=local).fails()
    assert r.out == "" and "cannot write the plan to" in r.err, r
    r = pz.run("plan", "-json", "-format=markdown", cwd=local).fails()
    assert "-json and -format=markdown ask for two outputs" in r.err, r
    # -json and -format=markdown give a failed plan's errors in their own
    # format on stdout (what CI posts), as well as on stderr.
    bad = os.path.join(pz.home, "bad")
    write_spec(bad, extra="solutions:\n  a: {name: a, recipeArn: nope, "
               "performAutoTraining: false}\n")
    with open(os.path.join(bad, "pz.yaml")) as f:
        text = f.read()
    with open(os.path.join(bad, "pz.yaml"), "w") as f:
        f.write(text.replace("name: demo", "name: \"x```y\\e[2J\""))
    r = pz.run("plan", "-refresh=false", "-json", cwd=bad).fails()
    doc = json.loads(r.out)
    assert doc["valid"] is False and doc["error_count"] == 3, doc
    assert [d["range"]["start"]["line"] for d in doc["diagnostics"]] == \
        [3, 5, 5], doc
    assert "recipeArn 'nope' is not valid" in r.out and \
        "recipeArn 'nope' is not valid" in r.err, r
    r = pz.run("plan", "-refresh=false", "-format=markdown",
               cwd=bad).fails()
    assert r.out.startswith("### pz plan: failed\n\n3 errors; nothing "
                            "was planned.\n\n````text\n"), r.out
    assert r.out.endswith("\n````\n") and r.out.count("````") == 2, r.out
    assert "pz.yaml:5:27: error: solutions.a.recipeArn 'nope'" in r.out, r
    assert "3 errors in" not in r.out, r
    _clean(r)
    # An error that is no diagnostic (the lock) is there too.
    with open(os.path.join(local, "pz.state.json.lock"), "w") as f:
        f.write('{"ID": "0b4a4a3e-2f0c-4d39-9d0e-6f1a3b1c2d3e", '
                '"Who": "x@elsewhere", "Operation": "apply"}')
    r = pz.run("plan", "-refresh=false", "-json", cwd=local).fails()
    doc = json.loads(r.out)
    assert doc["error_count"] == 1 and "range" not in \
        doc["diagnostics"][0], doc
    assert "is locked by 0b4a4a3e" in doc["diagnostics"][0]["summary"], doc
    r = pz.run("plan", "-refresh=false", "-format=markdown",
               cwd=local).fails()
    assert "\npz: the state '" in r.out and "is locked by" in r.out, r
    # Spec warnings belong to validate and plan, not to every command;
    # validate -f - reads stdin.
    seed = os.path.join(pz.home, "seed")
    os.makedirs(seed)
    with open(SEED) as f:
        text = f.read()
    with open(os.path.join(seed, "pz.json"), "w") as f:
        f.write(text)
    r = pz.run("validate", cwd=seed).ok()
    assert "performAutoTraining" in r.err, r
    r = pz.run("graph", cwd=seed).ok()
    assert "warning" not in r.err, r
    p = subprocess.run([pz_bin, "validate", "-f", "-"], input=text.encode(),
                       capture_output=True, env=pz.env)
    assert p.returncode == 0 and b"The spec is valid" in p.stdout, p
    assert b"<stdin>:" in p.stderr, p
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        r = pz.run("whoami", env={"AWS_REGION": None,
                                  "AWS_DEFAULT_REGION": None}).fails()
        assert "no AWS region: pass -region, set AWS_REGION" in r.err, r
        pz.run("whoami").ok()


SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "examples", "seed", "params.json")


def test_tampered_saved_plans_refused(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        with open(SEED) as f:
            spec = pz.write_file("work/params.json", f.read())
        out = os.path.join(pz.home, "work", "seed.plan")
        pz.run("plan", "-f", spec, "-out=" + out).ok()
        with open(out) as f:
            good = json.load(f)
        pz.run("show", out).ok()

        def tampered(edit, *words):
            doc = json.loads(json.dumps(good))
            edit(doc)
            path = os.path.join(pz.home, "work", "bad.plan")
            with open(path, "w") as f:
                json.dump(doc, f)
            r = pz.run("show", path).fails()
            _clean(r)
            assert r.out == "", r
            for w in words:
                # Alternatives: refused by the plan's operation graph
                # check or by the spec consistency check, whichever
                # looks first.
                assert any(x in r.err for x in w.split("|")), r
            return r

        declared = [c for c in good["changes"] if c["action"] != "delete"]
        first = declared[0]["address"]

        def to_delete(d):
            d["changes"][0]["action"] = "delete"
        tampered(to_delete, "is deleted although the spec declares it|"
                 "which the plan says to delete",
                 good["changes"][0]["address"])

        def not_in_spec(d):
            # Renamed everywhere (changes, operations, dependencies), so
            # only the spec can tell.
            old = d["changes"][0]["address"]
            new = d["changes"][0]["type"] + ".evil"
            d.update(json.loads(json.dumps(d).replace(
                '"%s"' % old, '"%s"' % new)))
        tampered(not_in_spec, "is not declared in the spec")

        def wrong_type(d):
            c = next(c for c in d["changes"] if c["type"] == "campaign")
            c["type"] = "solution"
        tampered(wrong_type, "is not a resource address")

        def twice(d):
            d["changes"].append(d["changes"][0])
        tampered(twice, "%s is changed twice|not a valid saved plan" % first)

        def forged(d):
            old = d["changes"][0]["address"]
            d.update(json.loads(json.dumps(d).replace(
                '"%s"' % old, json.dumps(d["changes"][0]["type"] + ".a" +
                                         FORGED))))
        tampered(forged, "is not a resource address", "\\e[2J")

        for serial in (-1, 1e300, 0.5, "3"):
            def bad_serial(d, serial=serial):
                d["state_serial"] = serial
            tampered(bad_serial, "state_serial")

        # From another directory the plan still finds its spec (beside
        # it), and the stale warning comes; -f names another spec.
        with open(spec) as f:
            text = f.read()
        with open(spec, "w") as f:
            f.write(text.replace("MovieLensDemoEventTracker", "Tracker2"))
        r = pz.run("show", out, cwd="/").ok()
        assert "the saved plan is stale: the spec" in r.err, r
        r = pz.run("show", "-f", "/nonexistent.yaml", out).fails()
        assert "/nonexistent.yaml" in r.err, r


if __name__ == "__main__":
    harness.run_main()
