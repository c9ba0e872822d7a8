#!/usr/bin/env python3
"""Writes pz(1) from the command and option tables.

The input is what `pz help -json` prints: every command with its summary,
usage, description and option table, the global options and the options
every command takes. Everything a table says comes from there; the
sections no table holds (exit status, environment, files, examples) are
written below, and tests/install/tables_test.sh checks the environment
list against the getenv calls in the sources.

    pz help -json | tools/gen-man.py -o pz.1
    tools/gen-man.py -i tables.json -o pz.1
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pztables import load_tables  # noqa: E402

# Environment variables pz reads, in the order the page lists them.
# (name, meaning); a name ending in <SERVICE> stands for several.
ENVIRONMENT = [
    ("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, "
     "AWS_SECURITY_TOKEN, AWS_CREDENTIAL_EXPIRATION",
     "Static credentials; they come first when both keys are set. "
     "AWS_SECURITY_TOKEN is the session token's older name, read when "
     "AWS_SESSION_TOKEN is not set; AWS_CREDENTIAL_EXPIRATION (RFC 3339) "
     "says when they expire."),
    ("AWS_PROFILE, AWS_DEFAULT_PROFILE",
     "The profile in the shared config and credentials files "
     "(default: default)."),
    ("AWS_REGION, AWS_DEFAULT_REGION",
     "The region, before the profile's region and the spec's."),
    ("AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE",
     "Where the shared config and credentials files are "
     "(default: ~/.aws/config and ~/.aws/credentials)."),
    ("AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME",
     "Web identity credentials: the token file is exchanged for the role's "
     "credentials with STS AssumeRoleWithWebIdentity."),
    ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, "
     "AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN, "
     "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
     "Container credentials (ECS, EKS Pod Identity): where to get them, "
     "and the token to send (or the file holding it)."),
    ("AWS_EC2_METADATA_DISABLED",
     "true: never ask the instance metadata service (IMDSv2)."),
    ("AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_METADATA_SERVICE_TIMEOUT, "
     "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
     "Where the instance metadata service is, how many seconds to wait "
     "for it (1 to 60) and how many times to try (1 to 10)."),
    ("AWS_ENDPOINT_URL",
     "One endpoint for every service, e.g. a simulator."),
    ("AWS_ENDPOINT_URL_<SERVICE>",
     "The endpoint of one service: PERSONALIZE, PERSONALIZE_RUNTIME, "
     "PERSONALIZE_EVENTS, S3, STS or SNS. It wins over AWS_ENDPOINT_URL."),
    ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
     "true: ignore the endpoint variables and the config file's endpoints."),
    ("AWS_MAX_ATTEMPTS, AWS_RETRY_MODE",
     "Retries as in the AWS SDKs: attempts per request (default 3) and "
     "the mode, standard or adaptive."),
    ("PZ_WORKSPACE",
     "A named workspace of the S3 backend: the state and its lock are kept "
     "apart from the default workspace's. The local backend refuses it."),
    ("PZ_LOG",
     "How much to log on standard error: error, warn (the default), info, "
     "debug or trace."),
    ("PZ_TRACE",
     "Comma-separated trace topics; http prints requests and responses "
     "with credentials and signatures redacted."),
    ("PZ_ALLOW_INSECURE_HTTP",
     "1: allow a plain http endpoint outside loopback (credentials would "
     "cross the network unencrypted)."),
    ("NO_COLOR, TERM",
     "NO_COLOR set to anything, or TERM=dumb, turns ANSI colours off, as "
     "-no-color does."),
    ("PZ_POLL_MIN_MS, PZ_POLL_MAX_MS",
     "pz apply's polling bounds while it waits for a resource, in "
     "milliseconds (defaults 1000 and 30000): for simulators."),
    ("PZ_NOW",
     "A test hook: seconds since the epoch that stand in for the clock "
     "where the plan decides by age (pz.retrain.maxAge) and apply records "
     "when it trained or imported, so a test can make a version older "
     "than maxAge without waiting. Not for production use."),
    ("XDG_CACHE_HOME",
     "Where the data check keeps what it found for each object "
     "(pz/data-check/ under it; default ~/.cache)."),
    ("HOME, USER",
     "HOME locates ~/.aws and the cache; USER names who holds a lock."),
]

EXIT_STATUS = [
    ("0", "Success. For pz plan with -detailed-exitcode: no changes."),
    ("1", "An error: the spec has errors, AWS refused, the state is "
     "locked, a usage error. The message on standard error says which."),
    ("2", "pz plan -detailed-exitcode: the plan has changes."),
    ("130, 143", "A second SIGINT or SIGTERM stopped pz at once "
     "(128 + the signal's number), after removing a local state lock it "
     "held. After the first, pz stops waiting, releases the lock and "
     "exits 1."),
]

FILES = [
    ("pz.yaml, pz.yml, pz.json",
     "The spec, looked for in that order in the working directory when "
     "-f is not given."),
    ("pz.state.json",
     "The state of the local backend, beside the spec unless the spec's "
     "pz.backend or -state=PATH says otherwise. It is replaced atomically "
     "(written to a temporary file, synced, renamed)."),
    ("pz.state.json.lock",
     "The state lock of the local backend: who holds it, for which "
     "operation, since when, and its ID for pz force-unlock. With the S3 "
     "backend the lock is the object KEY.lock beside the state."),
    ("pz.state.json.backup",
     "The state before the last write."),
    ("~/.aws/config, ~/.aws/credentials",
     "Profiles, regions, roles, credential_process, endpoints, as for the "
     "AWS CLI."),
    ("share/pz/pz.schema.json",
     "Under the installation prefix (/usr/share/pz with the Debian "
     "package): the spec's JSON Schema, for editors' completion and "
     "checks."),
    ("share/doc/pz/examples/",
     "Example specs: seed/params.json (the AWS sample pipeline's "
     "parameters) and movielens/pz.yaml with its data generator."),
]

EXAMPLES = [
    ("Check a spec, then see what would change and why:",
     ["pz validate -f pz.yaml",
      "pz plan -f pz.yaml -var bucket=my-data -out=pz.plan"]),
    ("The plan as a pull-request comment, or as Terraform's plan JSON "
     "for policy tools:",
     ["pz plan -format=markdown > plan.md",
      "pz plan -json | jq '.resource_changes[].change.actions'"]),
    ("Exit 2 when there are changes, for CI:",
     ["pz plan -detailed-exitcode -refresh=false"]),
    ("Draw the dependency graph:",
     ["pz graph | dot -Tsvg > graph.svg"]),
    ("Inspect and repair the state:",
     ["pz state list",
      "pz state show campaign.main",
      "pz state mv solution.old solution.new",
      "pz import dataset_group.main arn:aws:personalize:eu-west-1:"
      "123456789012:dataset-group/main"]),
    ("Which account and credentials pz would use:",
     ["AWS_PROFILE=prod pz whoami"]),
]


def esc(text):
    """Text for roff: backslashes, minus signs, leading control chars."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text[:1] in (".", "'"):
        text = "\\&" + text
    return text


def opt_synopsis(o):
    s = "\\fB\\-%s\\fR" % esc(o["name"])
    if o["metavar"]:
        s += "=\\fI%s\\fR" % esc(o["metavar"])
    return s


def paragraphs(text):
    """Splits a description into paragraphs; a paragraph whose lines are
    indented is a literal block (kept as it is)."""
    out = []
    for block in text.split("\n\n"):
        lines = block.split("\n")
        literal = all(l.startswith("  ") for l in lines if l)
        out.append((literal, lines))
    return out


def emit_text(w, text):
    for literal, lines in paragraphs(text):
        w(".PP")
        if literal:
            w(".RS 2")
            w(".nf")
            for l in lines:
                w(esc(l.strip()))
            w(".fi")
            w(".RE")
        else:
            w(esc(" ".join(l.strip() for l in lines if l.strip())))


def emit_options(w, opts):
    for o in opts:
        w(".TP")
        w(opt_synopsis(o))
        help_text = o["help"]
        if o["kind"] == "list":
            help_text += "" if "repeatable" in help_text else "; repeatable"
        w(esc(help_text))


def command_synopsis(c):
    s = "\\fBpz %s\\fR" % esc(c["name"])
    if c["options"]:
        s += " [\\fIoptions\\fR]"
    if c["usage"]:
        s += " " + esc(c["usage"])
    return s


def render(t):
    lines = []
    w = lines.append
    w('.\\" Generated by tools/gen-man.py from `pz help -json`; do not edit.')
    w('.TH PZ 1 "" "pz %s" "pz manual"' % esc(t["version"]))
    w(".nh")
    w(".ad l")
    w(".SH NAME")
    w("pz \\- plan and apply Amazon Personalize resources from one spec")
    w(".SH SYNOPSIS")
    w(".B pz")
    w("[\\fB\\-chdir\\fR=\\fIDIR\\fR] [\\fB\\-no\\-color\\fR] \\fICOMMAND\\fR"
      " [\\fIoptions\\fR] [\\fIargs\\fR]")
    w(".br")
    w(".B pz")
    w("\\fB\\-version\\fR | \\fB\\-help\\fR")
    w(".SH DESCRIPTION")
    w("pz reads one YAML or JSON spec saying which Amazon Personalize "
      "resources should exist (dataset groups, schemas, datasets, imports, "
      "solutions, campaigns, event trackers, filters, recommenders, batch "
      "jobs, metric attributions), checks it, shows the dependency graph, "
      "reads what exists and plans the change, with the state kept locally "
      "or in S3.")
    w(".PP")
    w("Flags follow Terraform: \\fB\\-flag\\fR, \\fB\\-\\-flag\\fR, "
      "\\fB\\-flag\\fR=\\fIvalue\\fR and \\fB\\-flag\\fR \\fIvalue\\fR all "
      "work; a boolean flag alone means true, and \\fB\\-flag=false\\fR "
      "turns it off. Data goes to standard output, messages and logs to "
      "standard error.")
    w(".SH GLOBAL OPTIONS")
    w("These come before the command.")
    emit_options(w, t["global_options"])
    w(".SH COMMANDS")
    w("Every command also takes:")
    emit_options(w, t["common_options"])
    for c in t["commands"]:
        w(".SS %s" % command_synopsis(c))
        w(esc(c["summary"]) + ".")
        if c["description"]:
            emit_text(w, c["description"])
        if c["options"]:
            w(".PP")
            w("Options:")
            emit_options(w, c["options"])
    w(".SH EXIT STATUS")
    for code, text in EXIT_STATUS:
        w(".TP")
        w("\\fB%s\\fR" % esc(code))
        w(esc(text))
    w(".SH ENVIRONMENT")
    for name, text in ENVIRONMENT:
        w(".TP")
        w(", ".join("\\fB%s\\fR" % esc(n) for n in name.split(", ")))
        w(esc(text))
    w(".PP")
    w("In a spec, \\fB${env:\\fR\\fINAME\\fR\\fB}\\fR reads any environment "
      "variable; its value is sensitive and shown as (sensitive).")
    w(".SH FILES")
    for name, text in FILES:
        w(".TP")
        w(", ".join("\\fI%s\\fR" % esc(n) for n in name.split(", ")))
        w(esc(text))
    w(".SH EXAMPLES")
    for text, cmds in EXAMPLES:
        w(".PP")
        w(esc(text))
        w(".PP")
        w(".RS 4")
        w(".nf")
        for cmd in cmds:
            w(esc(cmd))
        w(".fi")
        w(".RE")
    w(".SH SEE ALSO")
    w("\\fBdot\\fR(1), \\fBaws\\fR(1); the documentation under "
      "\\fI/usr/share/doc/pz\\fR, and the spec's JSON Schema "
      "\\fIpz.schema.json\\fR.")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-i", "--input", help="tables JSON (default: stdin)")
    ap.add_argument("--pz", help="run this pz binary's help -json instead")
    ap.add_argument("-o", "--output", help="the page (default: stdout)")
    a = ap.parse_args()
    page = render(load_tables(a.input, a.pz, "gen-man.py"))
    if a.output:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(page)
    else:
        sys.stdout.write(page)


if __name__ == "__main__":
    main()
