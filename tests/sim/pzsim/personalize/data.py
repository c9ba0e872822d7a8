"""Schemas, data and models: the pure parts of Personalize.

parse_schema()        Avro record schemas as CreateSchema accepts them
check_dataset_schema  the fields each dataset type requires
read_csv()            an import's CSV against the dataset's schema
training_problem()    AWS's documented minimum data for training
train()               a small real model: popularity, user histories,
                      item co-occurrence
metrics()             deterministic, plausible offline metrics
"""

import csv
import hashlib
import io
import json
import re

DATASET_TYPES = {"INTERACTIONS": "Interactions", "ITEMS": "Items",
                 "USERS": "Users", "ACTIONS": "Actions",
                 "ACTION_INTERACTIONS": "Action_Interactions"}

# dataset type -> {field: allowed Avro types}
REQUIRED_FIELDS = {
    "Interactions": {"USER_ID": ("string",), "ITEM_ID": ("string",),
                     "TIMESTAMP": ("long",)},
    "Items": {"ITEM_ID": ("string",)},
    "Users": {"USER_ID": ("string",)},
    "Actions": {"ACTION_ID": ("string",)},
    "Action_Interactions": {"USER_ID": ("string",),
                            "ACTION_ID": ("string",),
                            "TIMESTAMP": ("long",),
                            "EVENT_TYPE": ("string",)},
}
INTERACTION_ONLY = ("EVENT_TYPE", "EVENT_VALUE", "IMPRESSION",
                    "RECOMMENDATION_ID")
OTHER_ID = {"Items": ("USER_ID", "ACTION_ID"),
            "Users": ("ITEM_ID", "ACTION_ID"),
            "Actions": ("USER_ID", "ITEM_ID")}
TYPED_FIELDS = {"EVENT_TYPE": ("string",), "EVENT_VALUE": ("float", "double"),
                "IMPRESSION": ("string",), "RECOMMENDATION_ID": ("string",),
                "CREATION_TIMESTAMP": ("long",)}
ID_FIELDS = ("USER_ID", "ITEM_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE")
PRIMITIVES = ("string", "int", "long", "float", "double", "boolean", "null")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# TIMESTAMP values are Unix epoch seconds; beyond this (year 5138) they
# are milliseconds.
TIMESTAMP_FIELDS = ("TIMESTAMP", "CREATION_TIMESTAMP")
MAX_EPOCH_SECONDS = 10 ** 11

MIN_INTERACTIONS = 1000
MIN_USERS = 25
MIN_PER_USER = 2


class SchemaError(ValueError):
    pass


def _field_types(t):
    """The non-null primitive types of an Avro field type, and nullable."""
    if isinstance(t, str):
        return [t], t == "null"
    if isinstance(t, list) and t and all(isinstance(x, str) for x in t):
        return [x for x in t if x != "null"], "null" in t
    raise SchemaError("unsupported field type %s" % json.dumps(t))


def parse_schema(text):
    """Parse and check an Avro schema; return [(name, [types], nullable,
    field dict)]. Raises SchemaError."""
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise SchemaError("The schema is not valid JSON: %s" % e)
    if not isinstance(doc, dict) or doc.get("type") != "record":
        raise SchemaError("The schema must be an Avro schema of type "
                          "\"record\"")
    if not isinstance(doc.get("name"), str) or not doc["name"]:
        raise SchemaError("The schema must have a name")
    fields = doc.get("fields")
    if not isinstance(fields, list) or not fields:
        raise SchemaError("The schema must have a non-empty \"fields\" list")
    out = []
    seen = set()
    for f in fields:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            raise SchemaError("Each field must be an object with a name")
        name = f["name"]
        if not _FIELD.match(name):
            raise SchemaError("Invalid field name: %s" % name)
        if name.upper() in seen:
            raise SchemaError("Duplicate field name: %s" % name)
        seen.add(name.upper())
        if "type" not in f:
            raise SchemaError("Field %s has no type" % name)
        types, nullable = _field_types(f["type"])
        for t in types:
            if t not in PRIMITIVES:
                raise SchemaError("Field %s has unsupported type %s"
                                  % (name, t))
        if not types:
            raise SchemaError("Field %s must have a non-null type" % name)
        if f.get("categorical") and types != ["string"]:
            raise SchemaError("Field %s: categorical is only supported for "
                              "string fields" % name)
        if f.get("textual") and types != ["string"]:
            raise SchemaError("Field %s: textual is only supported for "
                              "string fields" % name)
        out.append((name, types, nullable, f))
    return out


def check_dataset_schema(dataset_type, fields, domain=None):
    """Raise SchemaError when fields do not suit dataset_type."""
    byname = {n.upper(): (n, t, nl) for n, t, nl, _ in fields}
    for req, allowed in REQUIRED_FIELDS[dataset_type].items():
        if req not in byname:
            raise SchemaError("The %s schema must contain a %s field"
                              % (dataset_type, req))
        _, types, nullable = byname[req]
        if types[0] not in allowed or len(types) != 1:
            raise SchemaError("Field %s must be of type %s"
                              % (req, " or ".join(allowed)))
        if nullable:
            raise SchemaError("Field %s cannot be nullable" % req)
    for name, allowed in TYPED_FIELDS.items():
        if name in byname and byname[name][1][0] not in allowed:
            raise SchemaError("Field %s must be of type %s"
                              % (name, " or ".join(allowed)))
    if dataset_type in ("Items", "Users", "Actions"):
        for name in INTERACTION_ONLY + OTHER_ID[dataset_type]:
            if name in byname:
                raise SchemaError("An %s schema can't contain the reserved "
                                  "field %s" % (dataset_type, name))
    if dataset_type in ("Items", "Users", "Actions") and len(fields) < 2:
        raise SchemaError("The %s schema must contain at least one metadata"
                          " field besides %s" % (
                              dataset_type,
                              list(REQUIRED_FIELDS[dataset_type])[0]))
    if domain and dataset_type == "Interactions" and \
            "EVENT_TYPE" not in byname:
        raise SchemaError("A %s domain Interactions schema must contain an "
                          "EVENT_TYPE field" % domain)


def _convert(value, types, nullable):
    if value == "":
        if nullable or types == ["string"]:
            return None if nullable else ""
        raise ValueError("empty value for a required field")
    t = types[0]
    if t == "string":
        return value
    if t in ("int", "long"):
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise ValueError("'%s' is not a valid %s" % (value, t))
        return int(value)
    if t in ("float", "double"):
        try:
            return float(value)
        except ValueError:
            raise ValueError("'%s' is not a valid %s" % (value, t))
    if t == "boolean":
        if value.lower() not in ("true", "false"):
            raise ValueError("'%s' is not a valid boolean" % value)
        return value.lower() == "true"
    raise ValueError("unsupported type %s" % t)


def read_csv(data, fields, source):
    """Parse one CSV object against the schema fields.

    Returns (column names in schema order, rows as lists in that order).
    Raises ValueError with the failure reason.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("%s is not UTF-8 encoded CSV" % source)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError("%s is empty: a CSV header row is required"
                         % source)
    first = text.split("\n", 1)[0]
    if '"' in first:
        raise ValueError("The CSV header of %s has names in quotes: write "
                         "the schema's field names as they are" % source)
    header = [h.strip() for h in header]
    byname = {n.upper(): (n, t, nl) for n, t, nl, _ in fields}
    unknown = [h for h in header if h.upper() not in byname]
    if unknown:
        raise ValueError("The CSV header of %s has columns that are not in "
                         "the schema: %s" % (source, ", ".join(unknown)))
    present = {h.upper() for h in header}
    missing = [n for n, t, nl, _ in fields
               if n.upper() not in present and not nl]
    if missing:
        raise ValueError("The CSV header of %s is missing the required "
                         "schema fields: %s" % (source, ", ".join(missing)))
    cols = [n for n, _, _, _ in fields]
    index = {n.upper(): i for i, n in enumerate(cols)}
    rows = []
    for lineno, rec in enumerate(reader, start=2):
        if not rec or (len(rec) == 1 and not rec[0].strip()):
            continue
        if len(rec) != len(header):
            raise ValueError("Line %d of %s has %d columns; the header has "
                             "%d" % (lineno, source, len(rec), len(header)))
        row = [None] * len(cols)
        for h, v in zip(header, rec):
            name, types, nullable = byname[h.upper()]
            if v == "" and not nullable and name.upper() in ID_FIELDS:
                raise ValueError("Line %d of %s, field %s: a value is "
                                 "required" % (lineno, source, name))
            try:
                row[index[h.upper()]] = _convert(v, types, nullable)
            except ValueError as e:
                raise ValueError("Line %d of %s, field %s: %s"
                                 % (lineno, source, name, e))
            if name.upper() in TIMESTAMP_FIELDS and \
                    isinstance(row[index[h.upper()]], int) and \
                    row[index[h.upper()]] > MAX_EPOCH_SECONDS:
                raise ValueError("Line %d of %s, field %s: %s is not in "
                                 "Unix epoch seconds (milliseconds?)"
                                 % (lineno, source, name, v))
        rows.append(row)
    return cols, rows


# The record ID of each dataset type: an INCREMENTAL import replaces the
# records with the same ID (bulk-data-import-step.html).
RECORD_ID = {"Items": "ITEM_ID", "Users": "USER_ID", "Actions": "ACTION_ID"}


def merge_incremental(dataset_type, cols, old_rows, new_rows):
    """An INCREMENTAL import of new_rows into old_rows (both in cols'
    order): (rows, how many of new_rows are new). Items, Users and Actions
    records replace those with the same ID; identical interaction events
    are kept once."""
    ids = RECORD_ID.get(dataset_type)
    if ids is not None:
        i = [c.upper() for c in cols].index(ids)
        merged = {r[i]: r for r in old_rows}
        added = 0
        for r in new_rows:
            added += r[i] not in merged
            merged[r[i]] = r
        return list(merged.values()), added
    seen = {json.dumps(r) for r in old_rows}
    rows = list(old_rows)
    added = 0
    for r in new_rows:
        k = json.dumps(r)
        if k not in seen:
            seen.add(k)
            rows.append(r)
            added += 1
    return rows, added


def column(data, name):
    """Values of one column of dataset data {"columns", "rows"}."""
    try:
        i = [c.upper() for c in data["columns"]].index(name)
    except ValueError:
        return None
    return [r[i] for r in data["rows"]]


def interactions(data, event_type=None, threshold=None):
    """[(user, item, timestamp)] of interaction data, optionally filtered
    by event type (and EVENT_VALUE threshold)."""
    if not data:
        return []
    users = column(data, "USER_ID")
    items = column(data, "ITEM_ID")
    ts = column(data, "TIMESTAMP") or [0] * len(users)
    et = column(data, "EVENT_TYPE")
    ev = column(data, "EVENT_VALUE")
    out = []
    for i, u in enumerate(users):
        if event_type and (et is None or et[i] != event_type):
            continue
        if threshold is not None and ev is not None and \
                ev[i] is not None and ev[i] < threshold:
            continue
        out.append((u, items[i], ts[i] or 0))
    return out


def training_problem(events):
    """The failure reason when events miss AWS's minimum data, or None."""
    n = len(events)
    counts = {}
    for u, _, _ in events:
        counts[u] = counts.get(u, 0) + 1
    users = sum(1 for c in counts.values() if c >= MIN_PER_USER)
    if n < MIN_INTERACTIONS:
        return ("Insufficient data for training: the interactions data has "
                "%d records; at least %d item interaction records are "
                "required." % (n, MIN_INTERACTIONS))
    if users < MIN_USERS:
        return ("Insufficient data for training: %d unique users have at "
                "least %d interactions each; at least %d such users are "
                "required." % (users, MIN_PER_USER, MIN_USERS))
    return None


def train(events, history_cap=50, neighbours=50):
    """A small, real model from interaction events."""
    events = sorted(events, key=lambda e: (e[2], e[0], e[1]))
    pop = {}
    hist = {}
    for u, i, _ in events:
        pop[i] = pop.get(i, 0) + 1
        hist.setdefault(u, []).append(i)
    co = {}
    for items in hist.values():
        recent = list(dict.fromkeys(reversed(items)))[:history_cap]
        for a in recent:
            row = co.setdefault(a, {})
            for b in recent:
                if a != b:
                    row[b] = row.get(b, 0) + 1
    popular = sorted(pop.items(), key=lambda kv: (-kv[1], kv[0]))
    return {"popular": popular[:1000],
            "counts": pop,
            "users": {u: list(dict.fromkeys(reversed(v)))[:history_cap]
                      for u, v in hist.items()},
            "co": {a: sorted(row.items(), key=lambda kv: (-kv[1], kv[0]))
                   [:neighbours] for a, row in co.items()},
            "interactions": len(events)}


def _unit(h, i):
    """A number in [0, 1) from bytes i..i+3 of digest h."""
    return int.from_bytes(h[i:i + 4], "big") / 2.0 ** 32


def metrics(arn, n_interactions, n_items):
    """Deterministic, plausible offline metrics for a solution version."""
    h = hashlib.sha256(("%s|%d" % (arn, n_interactions)).encode()).digest()
    size = min(1.0, n_interactions / 100000.0)
    base = 0.08 + 0.18 * _unit(h, 0) + 0.08 * size
    cov = 0.05 + 0.5 * _unit(h, 4) + (0.1 if n_items < 100 else 0.0)
    m = {
        "coverage": min(cov, 0.99),
        "mean_reciprocal_rank_at_25": base * (0.55 + 0.1 * _unit(h, 8)),
        "normalized_discounted_cumulative_gain_at_5": base * 0.82,
        "normalized_discounted_cumulative_gain_at_10": base * 0.91,
        "normalized_discounted_cumulative_gain_at_25": base,
        "precision_at_5": base * (0.28 + 0.04 * _unit(h, 12)),
        "precision_at_10": base * (0.22 + 0.03 * _unit(h, 16)),
        "precision_at_25": base * (0.14 + 0.02 * _unit(h, 20)),
    }
    return {k: round(v, 4) for k, v in m.items()}


# --- scoring (the runtime's answers) ---------------------------------------

def _normalise(scored):
    total = sum(s for _, s in scored) or 1.0
    return [(i, round(s / total, 7)) for i, s in scored]


def score_user(model, user, history=()):
    """{item: relevance} for a user: co-occurrence with the user's history
    plus a small popularity prior."""
    hist = list(history) + list(model["users"].get(user, []))
    counts = model["counts"]
    top = model["popular"][0][1] if model["popular"] else 1
    scores = {}
    for rank, i in enumerate(dict.fromkeys(hist)):
        w = 1.0 / (1 + rank * 0.1)
        for j, c in model["co"].get(i, []):
            scores[j] = scores.get(j, 0.0) + w * c
    for i, c in model["popular"][:200]:
        scores[i] = scores.get(i, 0.0) + 0.01 * c / top
    for i in list(scores):
        if i not in counts:
            del scores[i]
    return scores


def recommend(model, kind, user=None, item=None, n=25, history=(),
              exclude=(), allowed=None):
    """[(item, score)] best first, for a recipe kind."""
    if kind == "related":
        row = model["co"].get(item, [])
        scored = [(j, float(c)) for j, c in row]
        known = {j for j, _ in scored}
        scored += [(j, 0.001 * c) for j, c in model["popular"]
                   if j not in known and j != item]
    elif kind == "popular":
        scored = [(j, float(c)) for j, c in model["popular"]]
    else:
        s = score_user(model, user, history)
        scored = sorted(s.items(), key=lambda kv: (-kv[1], kv[0]))
    seen = set(exclude)
    out = []
    for j, s in scored:
        if j in seen or (allowed is not None and j not in allowed):
            continue
        seen.add(j)
        out.append((j, s))
        if len(out) >= n:
            break
    return _normalise(out)


def rank(model, user, items, history=()):
    """Rank items for user: [(item, score)] best first."""
    s = score_user(model, user, history)
    counts = model["counts"]
    top = model["popular"][0][1] if model["popular"] else 1
    scored = [(i, s.get(i, 0.0) + 1e-6 * counts.get(i, 0) / top)
              for i in items]
    scored.sort(key=lambda kv: -kv[1])
    return _normalise(scored)


def segment(model, items, n=25):
    """Users most likely to interact with any of items."""
    want = set(items)
    scores = {}
    for u, hist in model["users"].items():
        hits = 0.0
        for pos, i in enumerate(hist):
            if i in want:
                hits += 1.0 / (1 + pos)
            for j, c in model["co"].get(i, [])[:10]:
                if j in want:
                    hits += 0.01 * c
        if hits:
            scores[u] = hits
    best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [u for u, _ in best]
