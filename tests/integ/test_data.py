"""The data pre-flight (docs/data-check.md) against the simulator's S3:
one golden case per rule, each failing `pz plan` with its
s3://bucket/key:LINE:COL message before any import is created; a clean
dataset plans its import; the ETag cache proven by the GETs the
simulator recorded; -data-check levels; pz data stats.

    python3 test_data.py PZ_BINARY
"""
import gzip
import json
import os
import shutil

import harness
from harness import Pz, Sim

WRITES = ("Create", "Update", "Delete", "Tag", "Start", "Stop")

SPEC = """\
pz:
  region: us-east-1
  dataLocation: s3://data/%(case)s/
  roleArn: arn:aws:iam::123456789012:role/PersonalizeS3
datasetGroup: {name: dc%(group)s}
datasets:
  Interactions:
    name: dc%(group)s-interactions
    schema:
      type: record
      name: Interactions
      namespace: com.amazonaws.personalize.schema
      fields:
        - {name: USER_ID, type: string}
        - {name: ITEM_ID, type: string}
        - {name: TIMESTAMP, type: long}
        - {name: EVENT_TYPE, type: string}
        - {name: EVENT_VALUE, type: ["null", float]}
        - {name: DEVICE, type: ["null", string], categorical: true}
      version: "1.0"
solutions:
  clicks:
    name: dc%(group)s-clicks
    recipeArn: arn:aws:personalize:::recipe/aws-user-personalization
    performAutoTraining: false
    eventType: click
"""
HEADER = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE"


def rows(n=1200, users=40, event="click", start=1690000000):
    return [HEADER] + ["u%d,i%d,%d,%s,1.5,phone|tablet"
                       % (i % users, i % 97, start + i, event)
                       for i in range(n)]


def with_row(line, text, n=1200):
    r = rows(n)
    r[line - 1] = text
    return r


def csv(lines):
    return ("\n".join(lines) + "\n").encode()


# name -> ({object name: bytes}, the expected diagnostic line (after
# "s3://data/NAME/Interactions/")).
CASES = {
    "header_unknown": (
        {"a.csv": csv([HEADER.replace("ITEM_ID", "ITEMID")] + rows()[1:])},
        "a.csv:1:9: error: the header names 'ITEMID', which is not a "
        "field of the schema; did you mean 'ITEM_ID'?"),
    "header_quoted": (
        {"a.csv": csv(['"USER_ID"' + HEADER[7:]] + rows()[1:])},
        'a.csv:1:1: error: the header name "USER_ID" is in quotes; '
        "Personalize wants the names bare"),
    "header_duplicate": (
        {"a.csv": csv([HEADER + ",ITEM_ID"] + [r + ",x" for r in
                                               rows()[1:]])},
        "a.csv:1:57: error: the column ITEM_ID appears twice in the "
        "header; remove one"),
    "header_missing_required": (
        {"a.csv": csv(["USER_ID,ITEM_ID,EVENT_TYPE"] +
                      ["u%d,i%d,click" % (i % 40, i) for i in range(1200)])},
        "a.csv:1:1: error: the header has no TIMESTAMP column, and the "
        "schema requires it (its type does not allow null)"),
    "type_float": (
        {"a.csv": csv(with_row(8, "u1,i2,1690000000,click,abc,phone"))},
        "a.csv:8:24: error: EVENT_VALUE 'abc' is not a number"),
    "type_long": (
        {"a.csv": csv(with_row(3, "u1,i2,12x,click,1,phone"))},
        "a.csv:3:7: error: TIMESTAMP '12x' is not a whole number; "
        "Personalize wants epoch seconds"),
    "null_not_allowed": (
        {"a.csv": csv(with_row(4, "u1,,1690000000,click,1,phone"))},
        "a.csv:4:4: error: ITEM_ID is empty, and the schema does not "
        "allow null for it; fill it in every row, or make its type "
        "[\"null\", \"string\"]"),
    "id_length": (
        {"a.csv": csv(with_row(5, "u" * 300 + ",i1,1690000000,click,1,"))},
        "a.csv:5:1: error: USER_ID is 300 characters long; an ID has 1 "
        "to 256"),
    "categorical_length": (
        {"a.csv": csv(with_row(6, "u1,i1,1690000000,click,1,phone|" +
                               "x" * 1001))},
        "a.csv:6:32: error: DEVICE: a categorical value of 1001 bytes; "
        "each value between '|' has at most 1,000 characters"),
    "utf8": (
        {"a.csv": csv(with_row(7, "u1,caf\xe9,1690000000,click,1,phone")
                      ).replace(b"caf\xc3\xa9", b"caf\xe9")},
        "a.csv:7:7: error: ITEM_ID is not UTF-8 (byte 0xe9); save the "
        "file as UTF-8"),
    "timestamp_milliseconds": (
        {"a.csv": csv(with_row(6, "u1,i2,1699999999123,click,,"))},
        "a.csv:6:7: error: TIMESTAMP 1699999999123 looks like "
        "milliseconds; Personalize wants epoch seconds (1699999999)"),
    "timestamp_iso": (
        {"a.csv": csv(with_row(2, "u1,i2,2023-11-14T22:13:20Z,click,,"))},
        "a.csv:2:7: error: TIMESTAMP '2023-11-14T22:13:20Z' is a date; "
        "Personalize wants epoch seconds (1700000000)"),
    "timestamp_future": (
        {"a.csv": csv(with_row(9, "u1,i2,4102444800,click,,"))},
        "a.csv:9:7: error: TIMESTAMP 4102444800 is in the future "
        "(2100-01-01); Personalize wants epoch seconds of when the event "
        "happened"),
    "row_shape": (
        {"a.csv": csv(with_row(10, "u1,i2,1690000000,click,1,a,b"))},
        "a.csv:10:1: error: the row has 7 fields, the header 6; quote "
        "values that hold commas"),
    "csv_syntax": (
        {"a.csv": csv(with_row(11, 'u1,i"2,1690000000,click,1,a'))},
        "a.csv:11:5: error: a quote inside an unquoted field; quote the "
        "whole field and double the quote (\"\")"),
    "bom": (
        {"a.csv": b"\xef\xbb\xbf" + csv(rows())},
        "a.csv:1:1: error: the object starts with a UTF-8 byte order "
        "mark; save it without one"),
    "not_csv": (
        {"a.csv.gz": gzip.compress(csv(rows()))},
        "a.csv.gz:1:1: error: the object is not CSV: gzip data; "
        "Personalize imports uncompressed CSV"),
    "empty_object": (
        {"a.csv": csv(rows()), "b.csv": b""},
        "b.csv: error: the object is empty; remove it, or give it a "
        "header row and records"),
    "headers_disagree": (
        {"a.csv": csv(rows(600)),
         "b.csv": csv(["ITEM_ID,USER_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,"
                       "DEVICE"] + rows(600)[1:])},
        "b.csv:1:1: error: the header 'ITEM_ID,USER_ID,TIMESTAMP,"
        "EVENT_TYPE,EVENT_VALUE,DEVICE' differs from 'USER_ID,ITEM_ID,"
        "TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE' of "
        "s3://data/headers_disagree/Interactions/a.csv"),
    "too_few_records": (
        {"a.csv": csv(rows(500))},
        ": error: the import would bring 500 records; an import job "
        "needs at least 1,000 (Personalize refuses it)"),
    "too_few_users": (
        {"a.csv": csv(rows(1200, users=10))},
        ": error: solution.clicks would train on 1200 interactions of "
        "event type 'click' from 10 users with 2 or more; training "
        "needs at least 1,000 interactions and 25 such users"),
    "event_filter": (
        {"a.csv": csv(rows(1500, event="view"))},
        ": error: solution.clicks would train on 0 interactions of event "
        "type 'click' from 0 users with 2 or more; training needs at "
        "least 1,000 interactions and 25 such users"),
}


def aws(sim, *args):
    harness.aws_cli(sim, *args)


def upload(sim, pz, cases):
    """Writes {case: {name: bytes}} under one directory and copies it to
    s3://data/ in one CLI call."""
    top = os.path.join(pz.home, "upload")
    for case, objs in cases.items():
        d = os.path.join(top, case, "Interactions")
        os.makedirs(d, exist_ok=True)
        for name, data in objs.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
    aws(sim, "s3", "mb", "s3://data")
    aws(sim, "s3", "cp", "--recursive", "--quiet", top, "s3://data/")
    shutil.rmtree(top)


def spec_for(pz, case):
    group = "".join(ch for ch in case if ch.isalnum())[:40]
    return pz.write_file(os.path.join("work", case, "pz.yaml"),
                         SPEC % {"case": case, "group": group})


def gets(sim, since=0):
    return [c["path"] for c in sim.calls(since)
            if c["operation"] == "GetObject"]


def test_golden_cases(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        objs = {k: v[0] for k, v in CASES.items()}
        objs["clean"] = {"a.csv": csv(rows())}
        upload(sim, pz, objs)
        failed = []
        for case, (_, want) in CASES.items():
            before = len(sim.calls())
            r = pz.run("plan", "-f", spec_for(pz, case))
            line = "s3://data/%s/Interactions/%s" % (case, want)
            if r.rc != 1 or line not in r.err or "Plan:" in r.out:
                failed.append("%s: want exit 1 and\n  %s\n%r"
                              % (case, line, r))
            ops = harness.Sim.ops(sim, before)
            assert not [o for o in ops if o.startswith(WRITES)], ops
            # Each error carries its note in the spec.
            if ": note: " not in r.err and "s3://data" in r.err:
                failed.append("%s: no note\n%r" % (case, r))
        assert not failed, "\n".join(failed)
        # The clean dataset plans its import.
        r = pz.run("plan", "-f", spec_for(pz, "clean"))
        r.ok()
        assert "# dataset_import_job.Interactions will be created" in r.out
        assert "error" not in r.err, r


def test_cache_by_etag(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        upload(sim, pz, {"cache": {"a.csv": csv(rows(800)),
                                   "b.csv": csv(rows(800, start=1690500000)),
                                   "c.csv": csv(with_row(
                                       3, "u1,i2,1699999999123,click,,"))}})
        path = spec_for(pz, "cache")
        r = pz.run("plan", "-f", path)
        r.fails(1)
        assert "c.csv:3:7: error: TIMESTAMP 1699999999123" in r.err, r
        first = gets(sim)
        assert sorted(set(first)) == ["/data/cache/Interactions/a.csv",
                                      "/data/cache/Interactions/b.csv",
                                      "/data/cache/Interactions/c.csv"], \
            first
        # The results are in the user's cache, one entry per object,
        # and not in the state (a plan writes nothing shared).
        entries = cache_entries(pz)
        assert sorted(e["url"] for e in entries) == \
            ["s3://data/cache/Interactions/%s.csv" % x for x in "abc"], \
            entries
        assert not os.path.exists(os.path.join(os.path.dirname(path),
                                               "pz.state.json"))
        # Unchanged: the same errors, from the cache, without a GET.
        n = len(sim.calls())
        again = pz.run("plan", "-f", path)
        again.fails(1)
        assert gets(sim, n) == [], gets(sim, n)
        assert again.err.count("error:") == r.err.count("error:"), again
        assert "c.csv:3:7: error: TIMESTAMP 1699999999123" in again.err
        # c.csv is fixed: only it is read again.
        aws_put(sim, pz, "cache/Interactions/c.csv", csv(rows(1200)))
        n = len(sim.calls())
        fixed = pz.run("plan", "-f", path)
        fixed.ok()
        assert set(gets(sim, n)) == {"/data/cache/Interactions/c.csv"}, \
            gets(sim, n)
        assert "dataset_import_job.Interactions will be created" in \
            fixed.out
        # The spec moved the schema one line down: the notes' lines
        # would be wrong, so nothing is taken from the cache.
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write("# moved\n" + text)
        aws_put(sim, pz, "cache/Interactions/c.csv",
                csv(with_row(3, "u1,i2,1699999999123,click,,")))
        n = len(sim.calls())
        moved = pz.run("plan", "-f", path)
        moved.fails(1)
        assert len(set(gets(sim, n))) == 3, gets(sim, n)
        assert "pz.yaml:17:11: note: TIMESTAMP is declared here" in \
            moved.err, moved
        # XDG_CACHE_HOME, when set, is where the cache goes.
        xdg = os.path.join(pz.home, "xdg")
        n = len(sim.calls())
        pz.run("plan", "-f", path, env={"XDG_CACHE_HOME": xdg}).fails(1)
        assert len(set(gets(sim, n))) == 3, gets(sim, n)
        assert len(os.listdir(os.path.join(xdg, "pz", "data-check"))) == 3


def cache_entries(pz, top=None):
    d = os.path.join(top or os.path.join(pz.home, ".cache"), "pz",
                     "data-check")
    out = []
    for name in sorted(os.listdir(d)):
        assert name.endswith(".json") and len(name) == 64 + 5, name
        assert os.stat(os.path.join(d, name)).st_mode & 0o077 == 0
        with open(os.path.join(d, name)) as f:
            out.append(json.load(f))
    return out


def test_plan_leaves_state(pz_bin):
    """A plan, holding the lock or not, with the data read or from the
    cache, never writes the state: its serial and bytes stay as they
    were, so plans saved elsewhere (other pull requests) stay fresh."""
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        upload(sim, pz, {"serial": {"a.csv": csv(rows(1200))}})
        path = spec_for(pz, "serial")
        st = os.path.join(os.path.dirname(path), "pz.state.json")
        with open(st, "w") as f:
            f.write(json.dumps({"format_version": 1, "pz_version": "test",
                                "serial": 7,
                                "lineage":
                                "0b4a4a3e-2f0c-4d39-9d0e-6f1a3b1c2d3e",
                                "git_commit": None, "resources": []},
                               indent=2) + "\n")
        with open(st, "rb") as f:
            before = f.read()
        saved = os.path.join(os.path.dirname(path), "other.plan")
        pz.run("plan", "-f", path, "-out=" + saved).ok()
        for args in ((), ("-lock=false",), ("-data-check=full",)):
            r = pz.run("plan", "-f", path, *args)
            r.ok()
            assert "dataset_import_job.Interactions will be created" in \
                r.out, r
            with open(st, "rb") as f:
                assert f.read() == before, args
        assert len(cache_entries(pz)) == 1
        # The plan saved before the others is still fresh.
        r = pz.run("show", saved)
        r.ok()
        assert "warning:" not in r.err, r


def aws_put(sim, pz, key, data):
    p = pz.write_file("put.bin", "")
    with open(p, "wb") as f:
        f.write(data)
    aws(sim, "s3", "cp", "--quiet", p, "s3://data/" + key)


def test_incremental_needs_new_records(pz_bin):
    """personalize-rules.md section 3: an INCREMENTAL import into
    Interactions needs 1,000 new records. The first import (FULL) is
    applied; a new object of 300 rows is refused at plan time, before
    a billed import would fail; one of 1,100 rows plans its import."""
    with Sim(time_scale=0) as sim:
        pz = Pz(pz_bin, sim)
        upload(sim, pz, {"incr": {"a.csv": csv(rows(1200))}})
        path = spec_for(pz, "incr")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace(
                "    name: dcincr-interactions\n",
                "    name: dcincr-interactions\n"
                "    pz: {import: {importMode: INCREMENTAL}}\n"))
        wd = os.path.dirname(path)
        pz.run("apply", "-auto-approve", "-f", path, cwd=wd).ok()
        aws_put(sim, pz, "incr/Interactions/b.csv",
                csv(rows(300, start=1695000000)))
        before = len(sim.calls())
        r = pz.run("plan", "-f", path, cwd=wd)
        assert r.rc == 1 and "Plan:" not in r.out, r
        assert "s3://data/incr/Interactions/: error: the INCREMENTAL " \
            "import would bring at most 300 new records (the rows of the 1 " \
            "new or changed object); an INCREMENTAL import into " \
            "Interactions needs at least 1,000 new ones" in r.err, r.err
        ops = harness.Sim.ops(sim, before)
        assert not [o for o in ops if o.startswith(WRITES)], ops
        aws_put(sim, pz, "incr/Interactions/b.csv",
                csv(rows(1100, start=1695000000)))
        r = pz.run("plan", "-f", path, cwd=wd)
        r.ok()
        assert "INCREMENTAL: the 1 new or changed object" in r.out, r.out


def test_levels(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        big = rows(5000)
        big[4000] = "u1,i2,1699999999123,click,,"
        upload(sim, pz, {"levels": {"a.csv": csv(big)}})
        path = spec_for(pz, "levels")
        # off: nothing read, the import is planned.
        r = pz.run("plan", "-f", path, "-data-check=off", "-lock=false")
        r.ok()
        assert gets(sim) == []
        # header: one small range per object, the values not looked at.
        n = len(sim.calls())
        r = pz.run("plan", "-f", path, "-data-check=header", "-lock=false")
        r.ok()
        assert len(gets(sim, n)) == 1
        # sample: the first rows, the minimums met: row 4001 unseen.
        r = pz.run("plan", "-f", path, "-lock=false")
        r.ok()
        # full: every row.
        r = pz.run("plan", "-f", path, "-data-check=full", "-lock=false")
        r.fails(1)
        assert "a.csv:4001:7: error: TIMESTAMP 1699999999123" in r.err, r
        r = pz.run("plan", "-f", path, "-data-check=most")
        r.fails(1)
        assert "-data-check takes off, header, sample or full" in r.err


def test_data_stats(pz_bin):
    with Sim() as sim:
        pz = Pz(pz_bin, sim)
        lines = rows(1200, users=40)
        lines += ["u%d,i1,%d,view,,phone" % (i, 1690002000 + i)
                  for i in range(100)]
        upload(sim, pz, {"stats": {"a.csv": csv(lines)}})
        path = spec_for(pz, "stats")
        r = pz.run("data", "stats", "-f", path, "-json")
        r.ok()
        s = r.json()["datasets"][0]
        assert s["address"] == "dataset.Interactions"
        assert s["rows"] == 1300
        assert s["users"] == 100
        assert s["items"] == 97
        assert {e["name"]: e["count"] for e in s["event_types"]} == \
            {"click": 1200, "view": 100}
        assert s["time_span"]["first"] == 1690000000
        assert s["time_span"]["last"] == 1690002099
        assert s["interactions_per_user"]["max"] == 31
        r = pz.run("data", "stats", "-f", path, "Interactions")
        r.ok()
        assert "rows" in r.out and "click" in r.out, r
        r = pz.run("data", "stats", "-f", path, "Items")
        r.fails(1)


if __name__ == "__main__":
    harness.run_main()
