#!/usr/bin/env python3
"""Write schemas/pz.schema.json, the JSON Schema of the spec for editors
(yaml-language-server, VS Code), from the same facts pz validates with.

    tools/gen-jsonschema.py > schemas/pz.schema.json

The schema is an editor's aid: it knows every key, type, enum, length and
pattern; checks that need the whole spec (references, Avro rules, filter
expressions, cycles) stay in `pz validate`. tests/spec/jsonschema_test.py
checks that the committed file is current and that it never rejects a
spec pz accepts.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import factslib  # noqa: E402

# Unicode classes of the model's patterns, as ranges both ECMAScript (the
# editors) and Python's re understand.
UNICODE = {"L": "A-Za-z\\u00aa-\\uffff", "Z": " \\u00a0\\u2000-\\u200a\\u2028"
           "\\u2029\\u202f\\u205f\\u3000", "N": "0-9\\u00b2\\u00b3\\u00b9"
           "\\u0660-\\u0669\\u06f0-\\u06f9"}


def ecma_pattern(pat):
    p = pat
    for k, v in UNICODE.items():
        p = p.replace("\\p{%s}" % k, v)
    if p.startswith("^"):
        p = p[1:]
    if p.endswith("$") and not p.endswith("\\$"):
        p = p[:-1]
    # pz matches the whole value; a value with ${env:..} or ${var:..} is
    # checked by pz after interpolation, so the editor lets it be.
    return "^(?:%s)$|\\$\\{" % p


def shape_schema(name, s, facts):
    t = s["type"]
    out = {}
    if t == "structure":
        out["type"] = "object"
        props = {}
        for mn, m in s["members"].items():
            ref = {"$ref": "#/definitions/" + m["shape"]}
            if m.get("doc"):
                ref = {"allOf": [ref], "description": m["doc"]}
            props[mn] = ref
        out["properties"] = props
        if s.get("required"):
            out["required"] = list(s["required"])
        out["additionalProperties"] = False
        if s.get("oneOf"):
            out["minProperties"] = 1
            out["maxProperties"] = 1
    elif t == "list":
        out["type"] = "array"
        out["items"] = {"$ref": "#/definitions/" + s["member"]}
        if "min" in s:
            out["minItems"] = int(s["min"])
        if "max" in s:
            out["maxItems"] = int(s["max"])
    elif t == "map":
        out["type"] = "object"
        out["additionalProperties"] = {"$ref": "#/definitions/" + s["value"]}
        key = facts["shapes"][s["key"]]
        names = {}
        if "pattern" in key:
            names["pattern"] = ecma_pattern(key["pattern"])
        if "max" in key:
            names["maxLength"] = int(key["max"])
        if names:
            out["propertyNames"] = names
        if "min" in s:
            out["minProperties"] = int(s["min"])
        if "max" in s:
            out["maxProperties"] = int(s["max"])
    elif t in ("string", "timestamp", "blob"):
        # pz passes numbers and booleans where a string is expected, as
        # YAML users expect; patterns then apply to strings only.
        out["type"] = ["string", "number", "boolean"]
        if "min" in s:
            out["minLength"] = int(s["min"])
        if "max" in s:
            out["maxLength"] = int(s["max"])
        if "pattern" in s:
            out["pattern"] = ecma_pattern(s["pattern"])
        if "enum" in s:
            out = {"type": "string", "enum": list(s["enum"])}
    elif t in ("integer", "long"):
        out["type"] = "integer"
    elif t in ("double", "float"):
        out["type"] = "number"
    elif t == "boolean":
        out["type"] = "boolean"
    elif t == "json":
        out["type"] = ["object", "string"]
    elif t == "tags":
        out["oneOf"] = [
            {"type": "object",
             "additionalProperties": {"$ref": "#/definitions/TagValue"},
             "propertyNames": {"$ref": "#/definitions/TagKey"},
             "maxProperties": 200},
            {"$ref": "#/definitions/Tags"},
        ]
    else:
        raise SystemExit("unknown shape type %s in %s" % (t, name))
    if t in ("integer", "long", "double", "float"):
        if "min" in s:
            out["minimum"] = s["min"]
        if "max" in s:
            out["maximum"] = s["max"]
    if s.get("doc"):
        out["description"] = s["doc"]
    return out


def main():
    root = os.path.join(HERE, "..", "schemas")
    facts = factslib.load(os.path.join(root, "personalize-facts.json"),
                          os.path.join(root, "pz-spec.json"))
    defs = {}
    for name in sorted(facts["shapes"]):
        defs[name] = shape_schema(name, facts["shapes"][name], facts)
    props = {}
    for key, sec in facts["sections"].items():
        entry = {"$ref": "#/definitions/" + sec["shape"]}
        form = sec["form"]
        if form in ("single", "tags", "settings"):
            props[key] = entry
        else:
            as_map = {"type": "object", "additionalProperties": entry}
            if sec.get("keys"):
                as_map["propertyNames"] = {"enum": sec["keys"]}
            else:
                as_map["propertyNames"] = {"pattern": "^[A-Za-z0-9_-]+$"}
            if form == "map":
                props[key] = as_map
            else:
                props[key] = {"oneOf": [as_map, {"type": "array",
                                                 "items": entry}]}
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://pz.invalid/schemas/pz.schema.json",
        "title": "pz spec",
        "description": "A pz spec: the Amazon Personalize resources that "
                       "should exist. Generated by tools/gen-jsonschema.py "
                       "from " + facts["source"] + "; do not edit.",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
        "definitions": defs,
    }
    json.dump(schema, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
