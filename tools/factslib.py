"""Shared by tools/facts2c.py and tools/gen-jsonschema.py: loads the two
facts files and derives the shape of each spec section's entries."""
import json


def load(facts_path, spec_path):
    facts = json.load(open(facts_path))
    spec = json.load(open(spec_path))
    shapes = dict(facts.get("shapes", {}))
    for name, s in spec.get("shapes", {}).items():
        if name in shapes:
            raise SystemExit("pz-spec.json redefines model shape " + name)
        shapes[name] = s
    ops = facts.get("operations", {})
    sections = spec.get("sections", {})
    for key, sec in sections.items():
        if sec.get("create"):
            sec["shape"] = derive_entry_shape(key, sec, shapes, ops)
    check(shapes)
    return {"source": facts.get("source", "?"), "shapes": shapes,
            "operations": ops, "sections": sections}


def derive_entry_shape(key, sec, shapes, ops):
    """The entry shape: the create request minus what pz supplies, plus
    the section's spec-only members; members pz can default from its
    settings are not required."""
    create = shapes[ops[sec["create"]]["input"]]
    supplied = set(sec.get("supplied", []))
    defaults = sec.get("defaults", {})
    members = {}
    for mn, mv in create["members"].items():
        if mn in supplied:
            continue
        m = dict(mv)
        if mn in defaults:
            m["default_from"] = defaults[mn]
        members[mn] = m
    for mn, shape in sec.get("extra", {}).items():
        members[mn] = {"shape": shape}
    required = [r for r in create.get("required", [])
                if r not in supplied and r not in defaults]
    name = "Spec_" + key
    shapes[name] = {"type": "structure", "members": members,
                    "required": sorted(required)}
    return name


def check(shapes):
    for name, s in shapes.items():
        refs = []
        if s["type"] == "structure":
            refs = [m["shape"] for m in s["members"].values()]
            for r in s.get("required", []):
                if r not in s["members"]:
                    raise SystemExit("%s requires unknown member %s" % (name, r))
        elif s["type"] == "list":
            refs = [s["member"]]
        elif s["type"] == "map":
            refs = [s["key"], s["value"]]
        for r in refs:
            if r not in shapes:
                raise SystemExit("%s refers to unknown shape %s" % (name, r))
