"""Every plan golden case, from its own files, executed against the
simulator.

The plan golden test (tests/plan/golden.sh) checks what each case's plan
says, against a description of the service (live.json). This test makes
that description real and runs the plan: for each case under
tests/plan/cases, the simulator is seeded with the resources live.json
describes (their ARNs, attributes and statuses, creations still in
flight carried on from there; a case without live.json is planned from
its state, and the state says what exists), S3 holds data of the
case's shape (the objects live.json lists, or as many as it counts,
valid for the schema they were imported under; the objects the state
records as imported put before the seeded imports read them, the others
after), and the case's state is rewritten only where it names that
data (its digests, ETags and sizes: a record that matched live.json
matches the simulator's objects, one that did not still does not).
Then, with PZ_NOW at the case's clock:

- pz plan against the simulator must plan what the golden plan says
  (the same "# ADDRESS will be ..." lines and the same Plan: line);
- a case whose golden plan is refused (a spec error, a prevented
  destroy) must be refused by pz plan too, without a write;
- the saved plan is run by the test executor (dry_apply): not one call
  may be refused (ResourceInUse, ResourceAlreadyExists, ...) and it
  exits 0, unless FAILS names how the case fails (then it must fail in
  that way only);
- a plan that says a second apply finishes it gets that second apply;
- a batch job's input that live.json says pz may not list is put in a
  bucket whose policy denies pz its reads and not Personalize's role;
- the next plan shows no changes (after a destroy, nothing is left).

    python3 test_golden_execute.py PZ_BINARY [CASE...]
                                   (DRY_APPLY=path/to/dry_apply)

With CASE names, only those cases run (each as its own test).
"""
import json
import os
import re
import shutil
import subprocess
import sys

import harness
import test_dry_apply as dry
import test_dry_apply_cases as cases
from harness import Sim

CASES = os.path.join(harness.ROOT, "tests", "plan", "cases")

# Parents before children: the order /__sim/seed needs.
SEED_ORDER = ("dataset_group", "schema", "dataset", "dataset_import_job",
              "solution", "solution_version", "campaign", "event_tracker",
              "filter", "recommender", "metric_attribution",
              "batch_inference_job", "batch_segment_job")

# The plan's lines that say what happens to a resource, and its totals.
ACTION = re.compile(r"^  # [a-z_]+\.\S+ (will be|must be|has been|has changed"
                    r"|waits)\b.*$", re.M)
TOTALS = re.compile(r"^(Plan: .*|No changes\..*)$", re.M)


def case_dirs():
    return sorted(d for d in os.listdir(CASES)
                  if os.path.isfile(os.path.join(CASES, d, "spec.yaml")))


# The cases' ARNs are made up from type and key (plan_case -record);
# the simulator, like AWS, knows each type's own form.
ARN_TYPE = re.compile(r"(arn:aws:personalize:[a-z0-9-]+:\d{12}:)"
                      r"(dataset_group|dataset_import_job|event_tracker|"
                      r"metric_attribution|batch_inference_job|"
                      r"batch_segment_job)/")
ARN_VERSION = re.compile(r"(arn:aws:personalize:[a-z0-9-]+:\d{12}:)"
                         r"solution_version/([A-Za-z0-9_.-]+)")


def real_arns(text):
    text = ARN_TYPE.sub(lambda m: m.group(1) + m.group(2).replace("_", "-")
                        + "/", text)
    return ARN_VERSION.sub(r"\1solution/\2/0c0c0c0c", text)


def load(case, name, default=None):
    """A case's file, its ARNs in AWS's form."""
    path = os.path.join(CASES, case, name)
    if not os.path.exists(path):
        return default
    with open(path) as f:
        text = real_arns(f.read())
    return json.loads(text) if name.endswith(".json") else text


def golden_exit(case):
    text = load(case, "plan.txt") or ""
    m = re.search(r"^exit: (\d+)$", text, re.M)
    return int(m.group(1)) if m else 0


def actions(text):
    """The plan's resource lines and totals, in order."""
    return [m.group(0).strip() for m in ACTION.finditer(text)] + \
        TOTALS.findall(text)


# --- data -----------------------------------------------------------------

def field_value(field, row, dtype):
    """A value for one schema field in row row of a dataset of dtype."""
    name, ftype = field["name"], field["type"]
    if isinstance(ftype, list):
        if row % 7 == 3 and "null" in ftype:
            return ""
        ftype = [t for t in ftype if t != "null"][0]
    if name == "USER_ID":
        return "u%d" % (row % 60)
    if name == "ITEM_ID":
        return "i%d" % (row if dtype == "Items" else (row * 7) % 40)
    if name == "ACTION_ID":
        return "a%d" % (row % 20)
    if name == "EVENT_TYPE":
        return ("click", "view")[row % 2]
    if "TIMESTAMP" in name:
        return str(1700000000 + row)
    if ftype in ("int", "long"):
        return str(1950 + row % 60)
    if ftype in ("float", "double"):
        return "%.2f" % (1 + row % 9 / 4)
    if ftype == "boolean":
        return ("true", "false")[row % 2]
    if field.get("categorical"):
        return ("a", "b", "a|b")[row % 3]
    return "v%d" % (row % 30)


def csv_text(schema, dtype, rows, first):
    fields = schema["fields"]
    out = [",".join(f["name"] for f in fields)]
    for r in range(first, first + rows):
        out.append(",".join(field_value(f, r, dtype) for f in fields))
    return "\n".join(out) + "\n"


def spec_schemas(spec_text):
    """{datasetType: schema} from the spec (YAML, read by the test only
    to write data that fits it)."""
    import yaml
    spec = yaml.safe_load(spec_text) or {}
    out = {}
    for dtype, ds in (spec.get("datasets") or {}).items():
        if isinstance(ds, dict) and isinstance(ds.get("schema"), dict):
            out[dtype] = ds["schema"]
    return out


def live_schemas(live):
    """{datasetType: schema} from the live schemas the datasets use."""
    res = live.get("resources") or {}
    by_arn = {r.get("arn"): r for r in res.values() if r.get("arn")}
    out = {}
    for addr, r in res.items():
        if not addr.startswith("dataset.") or not r.get("exists"):
            continue
        attrs = r.get("attrs") or {}
        sch = by_arn.get(attrs.get("schemaArn"))
        if sch and isinstance((sch.get("attrs") or {}).get("schema"), str):
            out[attrs.get("datasetType")] = json.loads(
                sch["attrs"]["schema"])
    return out


def required(schema):
    """The names of the fields every row must have."""
    return {f["name"] for f in schema.get("fields") or []
            if not (isinstance(f.get("type"), list) and
                    "null" in f["type"])}


def import_type(addr, live):
    """The dataset type an import job's data is for."""
    r = (live.get("resources") or {}).get(addr) or {}
    arn = (r.get("attrs") or {}).get("datasetArn")
    for a, d in (live.get("resources") or {}).items():
        if a.startswith("dataset.") and d.get("arn") == arn and arn:
            return (d.get("attrs") or {}).get("datasetType")
    return addr.split(".", 1)[1]


def put(sim, key, body):
    st, hd, out = harness._simh.signed(sim, "PUT", "/demo-data/" + key,
                                       "s3", body.encode())
    assert st == 200, (key, st, out)
    return {k.lower(): v for k, v in hd.items()}["etag"]


def denied_input(sim, error):
    """A batch job's input that pz may not read (live.json's listing was
    refused: AccessDenied) is put in a bucket whose policy denies pz its
    reads, and not Personalize's role: the job reads it all the same."""
    m = re.search(r"under s3://([^/\s]+)/(\S+): AccessDenied", error)
    if not m:
        return
    bucket, key = m.groups()
    for path, body in (("/" + bucket, b""),
                       ("/%s/%s" % (bucket, key), b'{"userId": "u1"}\n')):
        st, _, out = harness._simh.signed(sim, "PUT", path, "s3", body)
        assert st == 200, (path, st, out)
    sim.control("POST", "/__sim/s3/deny", {
        "bucket": bucket,
        "operations": ["ListObjectsV2", "ListObjects", "GetObject",
                       "HeadObject"]})


def put_data(sim, case, live, spec_text, state):
    """S3 objects of the case's shape: those the state records as
    imported now, the rest by the returned function (after the seeded
    imports read theirs). Returns that, {(key, old etag, old size):
    (etag, size)} and {old digest: new}."""
    st, _, out = harness._simh.signed(sim, "PUT", "/demo-data", "s3")
    assert st == 200, out
    # the data was imported under the live schema; it is rewritten
    # where the spec's adds a field every row must have
    schemas, wanted = spec_schemas(spec_text), {}
    for dtype, sch in live_schemas(live).items():
        if dtype in schemas and required(schemas[dtype]) - required(sch):
            wanted[dtype] = schemas[dtype]
        schemas[dtype] = sch
    recorded = {}  # address: {key: (etag, size)} the state imported
    for rec in (state or {}).get("resources", []):
        objs = (rec.get("pz") or {}).get("objects")
        if objs:
            recorded[rec.get("address")] = {
                o["key"]: (o.get("etag"), o.get("size")) for o in objs}
    listings = {}  # address: [(key, etag, size)] live.json lists
    for addr, r in sorted((live.get("resources") or {}).items()):
        data = r.get("data")
        kind = addr.split(".", 1)[0]
        if isinstance(data, dict) and data.get("error"):
            denied_input(sim, data["error"])
            continue
        if not isinstance(data, dict):
            if not kind.startswith("batch_"):
                continue
            data = {"objects": 1}  # a job's input, not listed
        listed = data.get("list")
        if listed is None:
            loc = location(addr, r, spec_text)
            ext = "csv" if kind == "dataset_import_job" else "json"
            listed = [{"key": "%spart-%d.%s" % (loc, i, ext), "etag": None,
                       "size": None}
                      for i in range(data.get("objects", 0))]
            if not loc.endswith("/") and listed:
                listed = [{"key": loc, "etag": None, "size": None}]
        listings[addr] = [(o["key"], o.get("etag"), o.get("size"))
                          for o in listed]
    live_keys = {k for objs in listings.values() for k, _, _ in objs}
    for addr, objs in recorded.items():  # imported, since deleted
        if addr in listings:
            listings[addr] += [(k, e, z) for k, (e, z) in objs.items()
                               if k not in live_keys]
    bodies, rewrite = {}, {}
    for addr, objs in listings.items():
        kind = addr.split(".", 1)[0]
        for i, (key, _, _) in enumerate(sorted(objs)):
            if kind == "dataset_import_job":
                # each object enough for an import of its own (1000
                # records or more: an INCREMENTAL one imports the new)
                dtype = import_type(addr, live)
                rows = 1100
                bodies[key] = csv_text(schemas[dtype], dtype, rows,
                                       i * rows)
                if dtype in wanted:
                    rewrite[key] = csv_text(wanted[dtype], dtype, rows,
                                            i * rows)
            else:
                bodies[key] = "".join('{"userId": "u%d"}\n' % u
                                      for u in range(i * 10, i * 10 + 10))
    # now: what each seeded import read (the state's record of it, or
    # all there is); later: what came or went since
    first = set()
    for addr, objs in listings.items():
        first |= {k for k, _, _ in objs
                  if addr not in recorded or k in recorded[addr]}
    etags = {k: put(sim, k, bodies[k]) for k in sorted(first)}
    objects = {}
    for addr, objs in listings.items():
        for key, etag, size in objs:
            objects[(key, etag, size)] = (etags.get(key),
                                          len(bodies[key].encode()))

    def later():
        for key in sorted(first - live_keys):
            st, _, out = harness._simh.signed(sim, "DELETE",
                                              "/demo-data/" + key, "s3")
            assert st in (200, 204), (key, st, out)
        bodies.update(rewrite)
        for key in sorted(set(bodies) - first | set(rewrite)):
            etags[key] = put(sim, key, bodies[key])
        for k in list(objects):
            objects[k] = (etags[k[0]], len(bodies[k[0]].encode()))

    digests = {}
    for addr, r in (live.get("resources") or {}).items():
        data = r.get("data")
        if isinstance(data, dict) and data.get("digest") and \
                addr in listings:
            digests[data["digest"]] = [k for k, _, _ in listings[addr]
                                       if k in live_keys]
    return later, objects, digests, bodies


def final_digests(digests, bodies, objects):
    """{old digest: the digest of the objects as they are now}."""
    import hashlib
    etag = {k[0]: v[0] for k, v in objects.items()}
    out = {}
    for old, keys in digests.items():
        lines = ["%s\t%s\t%d\n" % (k, etag[k], len(bodies[k].encode()))
                 for k in keys]
        out[old] = hashlib.sha256("".join(sorted(lines)).encode()
                                  ).hexdigest()
    return out


def location(addr, r, spec_text):
    """Where an import or batch job's data is, as a key prefix."""
    attrs = r.get("attrs") or {}
    url = (attrs.get("dataSource") or {}).get("dataLocation") or \
        ((attrs.get("jobInput") or {}).get("s3DataSource") or {}).get("path")
    if not url:
        kind, key = addr.split(".", 1)
        if kind == "dataset_import_job":
            url = "s3://demo-data/%s/" % key
        else:
            import yaml
            spec = yaml.safe_load(spec_text) or {}
            for jobs in (spec.get("batchInferenceJobs") or {},
                         spec.get("batchSegmentJobs") or {}):
                if isinstance(jobs, dict) and key in jobs:
                    url = jobs[key]["jobInput"]["s3DataSource"]["path"]
    assert url and url.startswith("s3://demo-data/"), (addr, url)
    return url[len("s3://demo-data/"):]


def rewrite_state(state, objects, digests):
    """The case's state naming the simulator's objects where it named
    live.json's: digests, and each object's ETag and size."""
    def walk(v):
        if isinstance(v, dict):
            if {"key", "etag", "size"} <= set(v):
                new = objects.get((v["key"], v["etag"], v["size"]))
                if new:
                    v["etag"], v["size"] = new
            for k in list(v):
                if isinstance(v[k], str) and v[k] in digests:
                    v[k] = digests[v[k]]
                else:
                    walk(v[k])
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(state)
    return state


# --- resources --------------------------------------------------------------

PREFIX = "arn:aws:personalize:us-east-1:123456789012:"
# The types whose ARN AWS makes from the name (or jobName).
NAMED = {"dataset_group": "dataset-group", "schema": "schema",
         "dataset_import_job": "dataset-import-job", "solution": "solution",
         "campaign": "campaign", "filter": "filter",
         "recommender": "recommender",
         "metric_attribution": "metric-attribution",
         "batch_inference_job": "batch-inference-job",
         "batch_segment_job": "batch-segment-job"}


def records(live, state):
    """(type, arn, attrs) of every resource live.json or the state
    names."""
    for addr, r in (live.get("resources") or {}).items():
        if r.get("arn"):
            yield addr.split(".", 1)[0], r["arn"], r.get("attrs") or {}
    for rec in (state or {}).get("resources", []):
        if rec.get("arn"):
            yield rec["type"], rec["arn"], rec.get("attributes") or {}


def arn_map(live, state):
    """{case ARN: the ARN AWS would have given it}: made from the name
    where AWS makes it so (a dataset's from its group's name and type; a
    version's under its solution's)."""
    recs = list(records(live, state))
    names = {arn: a.get("name") for _, arn, a in recs}
    out = {}
    for kind, arn, a in recs:
        name = a.get("name") or a.get("jobName")
        if kind in NAMED and name:
            out[arn] = PREFIX + NAMED[kind] + "/" + name
        elif kind == "dataset" and names.get(a.get("datasetGroupArn")):
            out[arn] = "%sdataset/%s/%s" % (
                PREFIX, names[a["datasetGroupArn"]],
                str(a.get("datasetType", "")).upper())
    for kind, arn, a in recs:
        sol = a.get("solutionArn")
        if kind == "solution_version" and sol:
            out[arn] = out.get(sol, sol) + "/" + arn.rsplit("/", 1)[-1]
    return out


def map_arns(v, arns):
    """v with every ARN in arns replaced (a solution's also where it
    heads a version's or $LATEST)."""
    if isinstance(v, dict):
        return {k: map_arns(x, arns) for k, x in v.items()}
    if isinstance(v, list):
        return [map_arns(x, arns) for x in v]
    if isinstance(v, str) and v.startswith(PREFIX):
        if v in arns:
            return arns[v]
        head, _, tail = v.rpartition("/")
        if head in arns:
            return arns[head] + "/" + tail
    return v


def seed_items(live, state):
    """/__sim/seed's entries for what live.json says exists."""
    tags = {}
    for rec in (state or {}).get("resources", []):
        t = (rec.get("attributes") or {}).get("tags")
        if t and rec.get("arn"):
            tags[rec["arn"]] = t
    items = []
    for addr, r in (live.get("resources") or {}).items():
        if not r.get("exists") or not r.get("arn"):
            continue
        kind = addr.split(".", 1)[0]
        attrs = dict(r.get("attrs") or {})
        it = {"type": kind, "arn": r["arn"], "attrs": attrs,
              "status": r.get("status") or "ACTIVE"}
        if it["status"].startswith("UPDATE "):
            # pz's word for an ACTIVE resource whose latest update is in
            # flight or failed: the service says so in latest*Update
            up = kind.title().replace("_", "")
            attrs["latest%sUpdate" % up] = dict(
                {k: v for k, v in attrs.items() if k != "name"},
                status="CREATE FAILED" if it["status"] == "UPDATE FAILED"
                else "CREATE IN_PROGRESS")
            if r.get("failureReason"):
                attrs["latest%sUpdate" % up]["failureReason"] = \
                    r["failureReason"]
            it["status"] = "ACTIVE"
        elif r.get("failureReason"):
            it["failureReason"] = r["failureReason"]
        if r.get("created"):
            it["created"] = r["created"]
        name = attrs.pop("name", None) or attrs.get("jobName")
        if name:
            it["name"] = name
        if r["arn"] in tags:
            it["tags"] = tags[r["arn"]]
        items.append(it)
    items += older_versions(live, state, items)
    items.sort(key=lambda i: (SEED_ORDER.index(i["type"]),
                              i.get("created", 0)))
    return items


def older_versions(live, state, items):
    """The versions campaigns, batch jobs or the state name that live.json
    does not (it holds one per address: a newer one, say). Versions stay
    until their solution goes, so the service still has them."""
    have = {i["arn"] for i in items}
    sols = {i["arn"] for i in items if i["type"] == "solution"}
    trained = {rec["arn"]: (rec.get("pz") or {}).get("trained_at")
               for rec in (state or {}).get("resources", [])
               if rec.get("arn")}
    want = set()
    for kind, arn, a in records(live, state):
        if kind == "solution_version":
            want.add(arn)
        if isinstance(a.get("solutionVersionArn"), str):
            want.add(a["solutionVersionArn"])
    out = []
    for arn in sorted(want - have):
        sol = arn.rsplit("/", 1)[0]
        if sol in sols and not arn.endswith("/$LATEST"):
            out.append({"type": "solution_version", "arn": arn,
                        "attrs": {"solutionArn": sol}, "status": "ACTIVE",
                        "created": trained.get(arn) or
                        live.get("now", 0) - 30 * 86400})
    return out


def live_from(state):
    """A case without live.json is planned from its state alone: what the
    service holds is what the state says, each import's data there."""
    res = {}
    for rec in (state or {}).get("resources", []):
        if not rec.get("arn"):
            continue
        r = {"arn": rec["arn"], "exists": True,
             "attrs": dict(rec.get("attributes") or {}),
             "status": rec.get("status") or "ACTIVE"}
        r["attrs"].pop("tags", None)
        if rec["type"] == "dataset_import_job":
            r["data"] = {"objects": (rec.get("pz") or {}).get(
                "data_objects", 1)}
        res[rec["address"]] = r
    return {"resources": res}


def seed(sim, items):
    import urllib.error
    try:
        sim.control("POST", "/__sim/seed", {"resources": items})
    except urllib.error.HTTPError as e:
        raise AssertionError("seeding the simulator: %s\n%s" % (
            e.read().decode(), json.dumps(items, indent=1)))


# --- one case ---------------------------------------------------------------

def plan_args(case, work):
    args = []
    for a in (load(case, "args") or "").split():
        if a.startswith("-prices="):
            src = os.path.join(CASES, case, a[len("-prices="):])
            dst = os.path.join(work, os.path.basename(src))
            shutil.copy(src, dst)
            args.append("-prices=" + dst)
        elif a.startswith(("-git=", "-marker=", "-artifact=")):
            continue  # markdown only: not a plan option
        else:
            args.append(a)
    return args


# Cases whose execution fails, and how: (the operation that fails, the
# error that says why: AWS's error code for a refused call, the failure
# reason for a resource the service failed).
FAILS = {
    # the plan says so: "this plan leaves 11 filters in the dataset
    # group; Personalize allows 10 unless the account's quota was raised"
    "filter-quota": ("CreateFilter", "LimitExceededException"),
}


def run_case(pz_bin, sim, case):
    print("case: %s" % case, flush=True)
    sim.reset()
    live = load(case, "live.json")
    state = load(case, "state.json")
    refresh = live is not None and live.get("refreshed", True)
    live = live or live_from(state)
    arns = arn_map(live, state)
    live, state = map_arns(live, arns), map_arns(state, arns)
    spec_text = load(case, "spec.yaml")
    s = cases.Steps(pz_bin, sim)
    work = os.path.dirname(s.spec)
    s.write(spec_text)
    # The simulator's clock at the case's; real durations while it is
    # seeded and planned (what is in flight stays so), short ones for
    # the execution.
    now = sim.control("POST", "/__sim/clock", {"time_scale": 1})["now"]
    if live.get("now"):
        sim.control("POST", "/__sim/clock", {"advance_s": live["now"] - now})
        s.pz.env["PZ_NOW"] = str(live["now"])
    later, objects, digests, bodies = put_data(sim, case, live, spec_text,
                                               state)
    items = seed_items(live, state)
    if items:
        seed(sim, items)
    later()
    digests = final_digests(digests, bodies, objects)
    if state is not None:
        with open(s.state, "w") as f:
            json.dump(rewrite_state(state, objects, digests), f, indent=2)
    elif os.path.exists(s.state):
        os.unlink(s.state)
    opts = plan_args(case, work)
    if not refresh:
        opts.append("-refresh=false")
    mark = s.mark() if sim.calls() else 0
    r = s.pz.run("plan", "-f", s.spec, "-state=" + s.state,
                 "-out=" + s.plan, *opts)
    if golden_exit(case) != 0:
        assert r.rc != 0, "%s: the golden plan is refused, pz plan " \
            "against the simulator is not:\n%s" % (case, r.out)
        assert not cases.writes(sim.calls(mark)), sim.calls(mark)
        return "refused, as its golden plan is"
    assert r.rc == 0, "%s: %r" % (case, r)
    golden = load(case, "plan.txt")
    if golden is not None:
        assert actions(r.out) == actions(golden), \
            "%s: against the simulator the plan says\n  %s\nthe golden " \
            "plan says\n  %s\n--- the plan:\n%s" % (
                case, "\n  ".join(actions(r.out)),
                "\n  ".join(actions(golden)), r.out)
    sim.control("POST", "/__sim/clock", {"time_scale": 0.0005})
    if not json.load(open(s.plan))["operations"]:
        s.converged(case, *opts)
        return "nothing to execute; no changes after"
    if case in FAILS:
        return expected_failure(s, case, *FAILS[case])
    s.execute(case)
    if re.search(r"follow at the next apply|at the next apply, once",
                 golden or ""):
        # the plan says a second apply finishes it: that one, planned
        s.plan_out(case, *opts)
        s.execute(case)
        rounds = "two applies, as its plan says"
    else:
        rounds = "executed"
    s.converged(case, *opts)
    if "-destroy" in opts and "-target=" not in " ".join(opts):
        left = [x for x in sim.state()["resources"]
                if x.get("status") != "DELETE IN_PROGRESS"]
        assert not left, "%s: left after destroy: %s" % (case, left)
    return rounds + "; no changes after"


def expected_failure(s, case, op, why):
    """Runs the saved plan, which must fail as FAILS says and only so:
    exit 1; every refused call op's, with code why; or the one failed
    operation op, for the reason why."""
    mark = s.mark()
    p = subprocess.run([s.dry, s.plan, s.state], env=s.pz.env,
                       capture_output=True, text=True, timeout=600)
    refused = s.refused(mark)
    failed = [x for x in p.stdout.splitlines() if x.startswith("failed ")]
    if " " in op:  # an operation the service failed
        assert not refused and len(failed) == 1 and \
            failed[0].startswith("failed %s: " % op) and why in failed[0], \
            "%s: refused calls:\n%s\n%s" % (case, "\n".join(refused),
                                            p.stdout)
    else:
        assert refused and all(x.startswith(op + " ") and why in x
                               for x in refused), \
            "%s: refused calls:\n%s\n%s" % (case, "\n".join(refused),
                                            p.stdout)
    assert p.returncode == 1, "%s: exit %d\n%s" % (case, p.returncode,
                                                    p.stdout)
    return "failed as expected: %s: %s" % (op, why)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: test_golden_execute.py PZ_BINARY [CASE...]")
    pz_bin = os.path.abspath(sys.argv[1])
    only = sys.argv[2:] or case_dirs()
    failed = []
    try:
        dry.dry_apply_bin()
    except harness.Skip as e:
        print("SKIPPED: %s" % e)
        sys.exit(harness.SKIP)
    with Sim(time_scale=0.0005) as sim:
        for case in only:
            try:
                print("PASS: %s: %s" % (case, run_case(pz_bin, sim, case)),
                      flush=True)
            except Exception as e:  # one case's failure, reported
                failed.append(case)
                print("FAIL: %s: %s" % (case, e), flush=True)
    print("%d of %d cases executed" % (len(only) - len(failed), len(only)))
    if failed:
        print("failed: %s" % " ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
