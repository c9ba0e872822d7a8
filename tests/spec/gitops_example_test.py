"""examples/gitops stays runnable: the workflow is valid YAML with the
jobs docs/gitops.md describes (plan on pull requests, apply on pushes to
main, OIDC and no stored key), every pz command it runs and every option
it passes exist in `pz help -json`, and the IAM documents are JSON.

    python3 gitops_example_test.py PZ_BINARY
"""
import json
import os
import re
import shlex
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml is not installed (scripts/install-deps.sh)")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
EX = os.path.join(HERE, "..", "..", "examples", "gitops")


def pz_commands(pz):
    out = subprocess.run([pz, "help", "-json"], capture_output=True,
                         text=True, check=True).stdout
    doc = json.loads(out)
    common = {o["name"] for o in doc["common_options"]}
    return {c["name"]: {o["name"] for o in c["options"]} | common
            for c in doc["commands"]}


def pz_invocations(script):
    """Each pz command line of a shell script, as its words: continued
    lines joined, ${{ }} expressions and $VARS as placeholders."""
    text = re.sub(r"\$\{\{[^}]*\}\}", "X", script.replace("\\\n", " "))
    for line in text.splitlines():
        # Commands start a line or follow |, ;, &&, ||, $( .
        for part in re.split(r"\|\||&&|[|;]|\$\(", line):
            try:
                words = shlex.split(part, comments=True)
            except ValueError:
                words = part.split()
            if words and words[0] == "pz":
                yield words


def check_workflow(path, commands):
    doc = yaml.safe_load(open(path))
    failures = []
    # YAML 1.1 reads the key `on` as true.
    on = doc.get("on", doc.get(True))
    assert "pull_request" in on and "push" in on, on
    assert on["push"]["branches"] == ["main"], on
    jobs = doc["jobs"]
    plan, apply = jobs["plan"], jobs["apply"]
    assert "pull_request" in plan["if"] and "push" in apply["if"]
    for name, job in jobs.items():
        assert job["permissions"]["id-token"] == "write", name
    assert apply["environment"] == "production"
    text = open(path).read()
    for banned in ("aws-access-key-id", "aws-secret-access-key",
                   "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "secrets."):
        assert banned not in text, "stored keys: %s in %s" % (banned, path)
    seen = set()
    for name, job in jobs.items():
        for step in job["steps"]:
            if step.get("uses", "").startswith(
                    "aws-actions/configure-aws-credentials"):
                assert "role-to-assume" in step["with"], step
            for words in pz_invocations(step.get("run", "")):
                cmd = words[1] if len(words) > 1 else "help"
                if cmd not in commands:
                    failures.append("%s: pz %s is not a pz command" %
                                    (name, cmd))
                    continue
                seen.add(cmd)
                for w in words[2:]:
                    if not w.startswith("-") or w == "-":
                        continue
                    opt = w.lstrip("-").split("=", 1)[0]
                    if opt not in commands[cmd]:
                        failures.append("%s: pz %s has no option -%s" %
                                        (name, cmd, opt))
    for need in ("validate", "plan", "show", "apply"):
        if need not in seen:
            failures.append("the workflow never runs pz %s" % need)
    # The comment is found by the markdown plan's marker line.
    assert "head -n 1 plan.md" in text and "startswith($m)" in text
    assert "-git-base=" in text and "-format=markdown" in text
    return failures


def main():
    if len(sys.argv) != 2:
        print("usage: gitops_example_test.py PZ_BINARY")
        return 2
    commands = pz_commands(sys.argv[1])
    failures = check_workflow(os.path.join(EX, "github", "pz.yml"),
                              commands)
    for f in sorted(os.listdir(os.path.join(EX, "aws"))):
        with open(os.path.join(EX, "aws", f)) as fh:
            doc = json.load(fh)
        assert doc["Version"] == "2012-10-17" and doc["Statement"], f
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("examples/gitops: the workflow's pz commands exist")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
