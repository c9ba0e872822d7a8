#!/usr/bin/env python3
"""schemas/personalize-facts.json equals a fresh extraction from the API
model (tools/gen-facts.py). The model is reference data outside the
project: PZ_AWS_MODEL or ../shared/aws/personalize-service-2.json beside
the checkout. Without it the test is skipped (exit 77) and says so.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
model = os.environ.get("PZ_AWS_MODEL") or os.path.join(
    ROOT, "..", "shared", "aws", "personalize-service-2.json")
if not os.path.exists(model):
    print("skipped: no API model at %s (set PZ_AWS_MODEL)" % model)
    sys.exit(77)
fresh = subprocess.run([sys.executable, os.path.join(ROOT, "tools",
                                                     "gen-facts.py"), model],
                       check=True, capture_output=True, text=True).stdout
if fresh != open(os.path.join(ROOT, "schemas",
                              "personalize-facts.json")).read():
    print("FAIL: schemas/personalize-facts.json differs from %s: run "
          "tools/gen-facts.py %s > schemas/personalize-facts.json and "
          "review the diff" % (model, model))
    sys.exit(1)
print("facts match %s" % model)
