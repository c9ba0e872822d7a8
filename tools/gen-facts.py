#!/usr/bin/env python3
"""Extract the attribute facts pz needs from the Amazon Personalize API model.

    tools/gen-facts.py [MODEL_JSON] > schemas/personalize-facts.json

MODEL_JSON defaults to ../shared/aws/personalize-service-2.json (the newest
model), falling back to Debian's python3-botocore copy. The output keeps,
for the operations pz calls to create and update resources, the shapes they
reach: type, required members, length and value bounds, patterns (with a
POSIX ERE translation the C validator uses), enums, sensitivity and the
first sentence of each member's documentation (for editors). It also
derives which create-request members can be changed in place through the
matching Update operation; every other member forces replacement.

tests/unit checks that the committed file equals a fresh extraction when a
model is available, so a newer model shows up as a test failure, not drift.
"""
import html
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CANDIDATES = [
    os.path.join(HERE, "..", "..", "shared", "aws", "personalize-service-2.json"),
    "/usr/lib/python3/dist-packages/botocore/data/personalize/2018-05-22/service-2.json",
]

# Create operation -> the Update operation that changes it in place, and how
# the update request's members map onto the create request's.
UPDATES = {
    "CreateCampaign": ("UpdateCampaign", {}),
    "CreateSolution": ("UpdateSolution",
                       {"solutionUpdateConfig": "solutionConfig"}),
    "CreateDataset": ("UpdateDataset", {}),
    "CreateRecommender": ("UpdateRecommender", {}),
    "CreateMetricAttribution": ("UpdateMetricAttribution",
                                {"addMetrics": "metrics",
                                 "removeMetrics": "metrics"}),
}

OPERATIONS = [
    "CreateDatasetGroup", "CreateSchema", "CreateDataset",
    "CreateDatasetImportJob", "CreateSolution", "CreateSolutionVersion",
    "CreateCampaign", "CreateEventTracker", "CreateFilter",
    "CreateRecommender", "CreateBatchInferenceJob", "CreateBatchSegmentJob",
    "CreateMetricAttribution",
    "UpdateCampaign", "UpdateSolution", "UpdateDataset", "UpdateRecommender",
    "UpdateMetricAttribution",
]

# Unicode classes in the model's (Java) patterns, as POSIX bracket items.
# pz validates bytes, so these accept ASCII letters/digits/space plus any
# non-ASCII byte (UTF-8 continuation bytes included): permissive where the
# translation cannot be exact, never stricter than the service.
UNICODE_CLASSES = {"L": "[:alpha:]\x80-\xff", "Z": " \x80-\xff",
                   "N": "[:digit:]\x80-\xff"}


def bracket_items(p, i):
    """Parse a Java bracket expression body starting after '['.

    Returns (items, negated, index after ']'). Items are POSIX pieces:
    ranges "a-z", classes "[:alpha:]", single characters; a literal '-'
    or ']' is returned as itself so the caller can place it legally.
    """
    items = []
    negated = p[i] == "^"
    if negated:
        i += 1
    while p[i] != "]":
        c = p[i]
        if c == "\\":
            n = p[i + 1]
            if n == "p":
                j = p.index("}", i)
                items.append(UNICODE_CLASSES[p[i + 3:j]])
                i = j + 1
                continue
            if n in "dws":
                items.append({"d": "0-9", "w": "[:alnum:]_",
                              "s": "[:space:]"}[n])
                i += 2
                continue
            c = n
            i += 2
        else:
            i += 1
        if p[i] == "-" and p[i + 1] != "]":
            hi = p[i + 1]
            if hi == "\\":
                hi = p[i + 2]
                i += 1
            items.append(c + "-" + hi)
            i += 2
        else:
            items.append(c)
    return items, negated, i + 1


def posix_ere(pat):
    """Translate a model pattern to an anchored POSIX ERE (full match)."""
    p = pat
    if p.startswith("^"):
        p = p[1:]
    if p.endswith("$") and not p.endswith("\\$"):
        p = p[:-1]
    out = []
    i = 0
    while i < len(p):
        c = p[i]
        if c == "[":
            items, negated, i = bracket_items(p, i + 1)
            # In POSIX a literal ']' must come first and '-' last.
            close = "]" in items
            dash = "-" in items
            body = "".join(x for x in items if x not in ("]", "-"))
            out.append("[" + ("^" if negated else "") + ("]" if close else "")
                       + body + ("-" if dash else "") + "]")
            continue
        if c == "\\" and i + 1 < len(p):
            n = p[i + 1]
            if n == "d":
                out.append("[0-9]")
            elif n == "w":
                out.append("[[:alnum:]_]")
            elif n == "s":
                out.append("[[:space:]]")
            elif n == "p" and p[i + 2] == "{":
                j = p.index("}", i)
                out.append("[" + UNICODE_CLASSES[p[i + 3:j]] + "]")
                i = j + 1
                continue
            else:
                out.append("\\" + n)
            i += 2
            continue
        if c == "(" and p[i + 1:i + 3] == "?:":
            out.append("(")
            i += 3
            continue
        out.append(c)
        i += 1
    return "^(" + "".join(out) + ")$"


def summary(doc):
    if not doc:
        return None
    text = re.sub(r"<[^>]+>", " ", doc)
    text = html.unescape(re.sub(r"\s+", " ", text)).strip()
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    s = m.group(1) if m else text
    return s[:200]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else next(
        (c for c in CANDIDATES if os.path.exists(c)), None)
    if not path:
        sys.exit("gen-facts: no Personalize model found")
    model = json.load(open(path))
    shapes = model["shapes"]
    keep = {}

    def visit(name):
        if name in keep:
            return
        s = shapes[name]
        t = s["type"]
        f = {"type": t}
        for k in ("min", "max", "pattern", "enum", "sensitive"):
            if k in s:
                f[k] = s[k]
        if "pattern" in s:
            f["posix"] = posix_ere(s["pattern"])
        keep[name] = f
        if t == "structure":
            f["required"] = sorted(s.get("required", []))
            f["members"] = {}
            for mn, mv in s["members"].items():
                m = {"shape": mv["shape"]}
                d = summary(mv.get("documentation"))
                if d:
                    m["doc"] = d
                f["members"][mn] = m
                visit(mv["shape"])
        elif t == "list":
            f["member"] = s["member"]["shape"]
            visit(s["member"]["shape"])
        elif t == "map":
            f["key"] = s["key"]["shape"]
            f["value"] = s["value"]["shape"]
            visit(s["key"]["shape"])
            visit(s["value"]["shape"])

    ops = {}
    for op in OPERATIONS:
        inp = model["operations"][op]["input"]["shape"]
        visit(inp)
        ops[op] = {"input": inp}
    for create, (update, rename) in UPDATES.items():
        cin = shapes[model["operations"][create]["input"]["shape"]]
        uin = shapes[model["operations"][update]["input"]["shape"]]
        paths = set()
        for um, uv in uin["members"].items():
            target = rename.get(um, um)
            if target not in cin["members"]:
                continue  # the resource's own ARN
            ushape = shapes[uv["shape"]]
            cshape = shapes[cin["members"][target]["shape"]]
            if target != um and ushape["type"] == "structure" and \
                    cshape["type"] == "structure":
                for sub in ushape["members"]:
                    if sub in cshape["members"]:
                        paths.add(target + "." + sub)
            else:
                paths.add(target)
        ops[create]["update"] = update
        ops[create]["updatable"] = sorted(paths)
    meta = model["metadata"]
    out = {
        "source": "Amazon Personalize API model %s (%s)" % (
            meta["apiVersion"], meta["uid"]),
        "generator": "tools/gen-facts.py",
        "operations": ops,
        "shapes": dict(sorted(keep.items())),
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=False, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
