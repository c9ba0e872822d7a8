#!/usr/bin/env python3
"""Write a valid pz spec with about N resources (YAML), for benchmarks.

    gen-spec.py N > big.yaml

Per solution: the solution, its version and a campaign (3 resources);
plus the dataset group, two datasets and their schemas, filters.
"""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
out = ["datasetGroup: {name: bench}", "datasets:"]
for t, fields in (("Interactions", ["USER_ID", "ITEM_ID", "TIMESTAMP"]),
                  ("Items", ["ITEM_ID", "GENRE"])):
    out.append("  %s:" % t)
    out.append("    name: %s-ds" % t.lower())
    out.append("    schema:")
    out.append("      type: record")
    out.append("      name: %s" % t)
    out.append("      namespace: com.amazonaws.personalize.schema")
    out.append("      fields:")
    for f in fields:
        typ = "long" if f == "TIMESTAMP" else "string"
        cat = ", categorical: true" if f == "GENRE" else ""
        out.append("        - {name: %s, type: %s%s}" % (f, typ, cat))
fixed = 5
filters = max(1, (n - fixed) // 31)
sols = (n - fixed - filters) // 3
out.append("solutions:")
for i in range(sols):
    out.append("  s%d:" % i)
    out.append("    name: solution-%d" % i)
    out.append("    recipeArn: arn:aws:personalize:::recipe/aws-user-personalization")
    out.append("    performAutoTraining: false")
    out.append("    solutionConfig: {algorithmHyperParameters: {hidden_dimension: '%d'}}" % (32 + i % 64))
out.append("campaigns:")
for i in range(sols):
    out.append("  s%dCampaign:" % i)
    out.append("    name: campaign-%d" % i)
    out.append("    minProvisionedTPS: %d" % (1 + i % 5))
    out.append("    pz: {solution: s%d}" % i)
out.append("filters:")
for i in range(filters):
    out.append("  - name: filter-%d" % i)
    out.append('    filterExpression: EXCLUDE ItemID WHERE Items.GENRE IN ("g%d")' % i)
print("\n".join(out))
