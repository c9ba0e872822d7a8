#!/usr/bin/env python3
"""Keeps schemas/pz.schema.json equal to what pz validates.

1. The committed schema is what tools/gen-jsonschema.py makes now.
2. Every spec pz accepts (examples, valid golden cases) the schema accepts.
3. Every golden case pz rejects for a reason a JSON Schema can express
   (unknown key, missing member, wrong type, enum, length, pattern,
   bounds) the schema rejects too. Cases pz rejects for reasons only the
   whole spec shows (references, Avro rules, cycles) are not required to
   fail the schema.

    jsonschema_test.py PZ_BINARY
Exit 77 (skipped) when python3-jsonschema or python3-yaml is missing.
"""
import glob
import json
import os
import subprocess
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:
    print("skipped: %s (apt-get install python3-jsonschema python3-yaml)" % e)
    sys.exit(77)

class CoreLoader(yaml.SafeLoader):
    """YAML 1.2 core schema booleans, as pz and yaml-language-server read
    them: only true/false, so 'yes' stays a string."""


CoreLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
EXPRESSIBLE = ("unknown key", "missing the required key", "must be a",
               "must be true or false", "is not one of", "characters long",
               "must not be empty", "is not valid:", "must be at least",
               "must be at most", "takes exactly one of", "unknown section",
               "has no value", "is set by pz", "is not a dataset type",
               "is not a valid key")


def main():
    pz = sys.argv[1]
    fresh = subprocess.run([sys.executable,
                            os.path.join(ROOT, "tools", "gen-jsonschema.py")],
                           check=True, capture_output=True, text=True).stdout
    path = os.path.join(ROOT, "schemas", "pz.schema.json")
    if fresh != open(path).read():
        print("FAIL: schemas/pz.schema.json is stale: run "
              "tools/gen-jsonschema.py > schemas/pz.schema.json")
        return 1
    schema = json.loads(fresh)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)

    files = sorted(glob.glob(os.path.join(HERE, "cases", "*.yaml")) +
                   glob.glob(os.path.join(HERE, "cases", "*.json")))
    files += [os.path.join(ROOT, "examples", "seed", "params.json"),
              os.path.join(ROOT, "examples", "movielens", "pz.yaml")]
    failures = 0
    checked = rejected = 0
    for f in files:
        try:
            with open(f) as fh:
                doc = json.load(fh) if f.endswith(".json") else \
                    yaml.load(fh, Loader=CoreLoader)
        except (ValueError, yaml.YAMLError):
            continue  # a syntax case: not a schema question
        res = subprocess.run([pz, "validate", "-f", f], capture_output=True,
                             text=True, env=dict(os.environ, NO_COLOR="1"))
        errors = [l for l in res.stderr.splitlines() if ": error: " in l]
        schema_errors = list(validator.iter_errors(doc))
        checked += 1
        name = os.path.relpath(f, ROOT)
        if res.returncode == 0 and schema_errors:
            print("FAIL: pz accepts %s but the schema rejects it: %s" %
                  (name, schema_errors[0].message))
            failures += 1
        elif res.returncode != 0 and not schema_errors:
            if any(any(k in e for k in EXPRESSIBLE) for e in errors) and \
                    "${" not in open(f).read():
                print("FAIL: pz rejects %s (%s) but the schema accepts it" %
                      (name, errors[0]))
                failures += 1
        elif schema_errors:
            rejected += 1
    print("checked %d specs against the schema; %d rejected by both" %
          (checked, rejected))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
