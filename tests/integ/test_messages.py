"""One message form, everywhere (issue 17, docs/cli.md "Errors"): every
line a failing command prints on stderr is `pz: <what>` (or the usage
line after a usage error), never prefixed with the command's own name
(`pz: plan: ...`); lock messages quote the state's location; an option
given twice with two values is an error, not "the last wins". No
simulator: every case fails before any AWS call.

    python3 test_messages.py PZ_BINARY [TEST...]
"""

import json
import os
import re
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Pz  # noqa: E402
from state_helpers import campaign, state_doc, write_spec  # noqa: E402

COMMANDS = ("validate|plan|apply|destroy|graph|show|state|import|"
            "force-unlock|data|recommend|rank|metrics|version|whoami|help")
# "pz: plan: ...", "pz: state rm: ...", "pz: data stats: ...".
COMMAND_PREFIX = re.compile(r"^pz: (%s)( [a-z-]+)?: " % COMMANDS)


def _one_form(r):
    """r failed, and said so in the one form."""
    assert r.rc == 1, r
    assert r.err.strip(), r
    for line in r.err.splitlines():
        assert line.startswith("pz: ") or line.startswith("usage: pz "), \
            (line, r)
        assert not COMMAND_PREFIX.match(line), (line, r)


def _project(pz):
    proj = os.path.join(pz.home, "proj-%s" % uuid.uuid4().hex[:8])
    write_spec(proj)
    state = os.path.join(proj, "pz.state.json")
    with open(state, "w") as f:
        f.write(state_doc([campaign("c1")]))
    return proj, state


def test_errors_have_one_prefix(pz_bin):
    pz = Pz(pz_bin, None, keys=False)
    proj, _ = _project(pz)
    cases = [
        (("plan", "-bogus"), "unknown option '-bogus'"),
        (("plan", "-lock-timout=1s"), "did you mean -lock-timeout?"),
        (("validate", "-json=maybe"), "-json takes true or false"),
        (("plan", "-parallelism=x"), "-parallelism takes a whole number"),
        (("plan", "-f"), "-f needs a value (-f=FILE)"),
        (("graph", "extra"), "unexpected argument 'extra'"),
        (("import", "campaign.c1"), "missing argument"),
        (("state", "rm"), "missing argument"),
        (("state", "mv", "a", "b", "c"), "too many arguments"),
        (("state", "list", "-force"),
         "-force does not apply to pz state list"),
        (("state", "bogus"), "'bogus' is not a state command"),
        (("data", "bogus"), "'bogus' is not a data command"),
        (("help", "-json", "plan"), "-json prints every command"),
        (("recommend", "c1"), "give -user ID or -item ID"),
        (("rank", "c1", "i1"), "give -user ID"),
        (("metrics", "-last=-1"), "-last takes a positive number"),
        (("state", "list", "-state=/nonexistent/st.json"),
         "no state at '/nonexistent/st.json'"),
    ]
    for args, want in cases:
        r = pz.run(*args, cwd=proj)
        _one_form(r)
        assert want in r.err, (want, r)


def test_lock_messages_quote_the_state(pz_bin):
    pz = Pz(pz_bin, None, keys=False)
    proj, state = _project(pz)
    lock_id = str(uuid.uuid4())
    loc = "./pz.state.json"  # beside the spec, as pz names it
    # Not locked: force-unlock says so, the location quoted.
    r = pz.run("force-unlock", lock_id, cwd=proj)
    _one_form(r)
    assert "the state '%s' is not locked" % loc in r.err, r
    # Locked by another run: every command that takes the lock says so
    # the same way.
    with open(state + ".lock", "w") as f:
        f.write(json.dumps({"ID": lock_id, "Operation": "apply",
                            "Who": "someone@elsewhere", "Version": "test",
                            "Created": "2026-01-01T00:00:00Z",
                            "Path": state}))
    for args in (("state", "rm", "campaign.c1"),
                 ("state", "mv", "campaign.c1", "campaign.c2"),
                 ("plan", "-refresh=false")):
        r = pz.run(*args, cwd=proj)
        _one_form(r)
        assert "the state '%s' is locked by %s" % (loc, lock_id) in \
            r.err, (args, r)
    r = pz.run("force-unlock", lock_id, cwd=proj).ok()
    assert "Removed the lock on '%s'" % loc in r.out, r


def test_conflicting_flags_are_errors(pz_bin):
    pz = Pz(pz_bin, None, keys=False)
    proj, state = _project(pz)
    for args, want in (
            (("plan", "-refresh=false", "-format=json", "-format=markdown"),
             "-format is given twice, as 'json' and as 'markdown'"),
            (("plan", "-json", "-format=markdown"),
             "-json and -format=markdown ask for two outputs"),
            (("plan", "-refresh=false", "-refresh=true"),
             "-refresh is given twice, as 'false' and as 'true'"),
            (("plan", "-refresh=false", "-parallelism=5",
              "-parallelism=6"),
             "-parallelism is given twice, as '5' and as '6'"),
            (("show", "-state=" + state, "-state=/other.json"),
             "-state is given twice"),
    ):
        r = pz.run(*args, cwd=proj)
        _one_form(r)
        assert want in r.err, (want, r)
        assert r.out == "", r
    # The same flag with the same value, and -no-color twice, are fine.
    r = pz.run("show", "-json", "-json", "-no-color", "-no-color",
               "-state=" + state, "-state=" + state, cwd=proj).ok()
    assert json.loads(r.out)["values"]["root_module"]["resources"], r
    pz.run("-no-color", "state", "list", "-no-color", cwd=proj).ok()


if __name__ == "__main__":
    harness.run_main()
