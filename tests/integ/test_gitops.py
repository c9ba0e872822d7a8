"""Git-ops (issue 15, docs/gitops.md) over real temporary repositories,
made with git: pz plan -git-base/-git-head reviews a pull request (the
spec files it touches, the resources it declares differently) and plans
its head against the state; a saved plan records its commit and may be
applied only there, in a clean work tree (git_check, core/gitops.h).

No simulator: plans run with -refresh=false against a state recorded as
an apply of the base would leave it (plan_case -record).

    python3 test_gitops.py PZ_BINARY
"""
import hashlib
import json
import os
import shutil
import subprocess

import harness
from harness import Pz, Sim

ROOT = harness.ROOT
BASE_SPEC = open(os.path.join(ROOT, "tests", "plan", "cases", "no-changes",
                              "spec.yaml")).read()
FILTER = """  - name: no-views   # a new filter, in review
    filterExpression: "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\\"view\\")"
"""
PLAN = ["plan", "-refresh=false", "-data-check=off"]


def tool(name):
    path = os.environ.get(name)
    if not path or not os.path.exists(path):
        raise harness.Skip("%s is not set (run through ctest)" % name)
    return path


class Repo:
    """A work tree made with git in a fresh directory."""

    def __init__(self, pz, name="repo"):
        if not shutil.which("git"):
            raise harness.Skip("git is not installed")
        self.pz = pz
        self.dir = os.path.join(pz.home, name)
        os.makedirs(self.dir)
        self.env = dict(os.environ, HOME=pz.home, GIT_AUTHOR_NAME="t",
                        GIT_AUTHOR_EMAIL="t@example.com",
                        GIT_COMMITTER_NAME="t",
                        GIT_COMMITTER_EMAIL="t@example.com")
        self.git("init", "-q", "-b", "main")

    def git(self, *args):
        p = subprocess.run(["git"] + list(args), cwd=self.dir, env=self.env,
                           capture_output=True, text=True)
        assert p.returncode == 0, (args, p.stderr)
        return p.stdout.strip()

    def write(self, rel, text):
        path = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def commit(self, message):
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def plan(self, *args, env=None):
        return self.pz.run(*(PLAN + list(args)), cwd=self.dir, env=env)


def base_repo(pz):
    """main: the base spec, applied (the state beside it, untracked)."""
    repo = Repo(pz)
    repo.write("pz.yaml", BASE_SPEC)
    # What pz writes beside the spec is no part of the repository.
    repo.write(".gitignore", "pz.state.json*\n*.pzplan\n")
    base = repo.commit("base")
    p = subprocess.run([tool("PZ_PLAN_CASE"), "pz.yaml", "-", "-", "text",
                        "-record", "pz.state.json"], cwd=repo.dir,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return repo, base


def changed(plan_json):
    return sorted((rc["address"], "/".join(rc["change"]["actions"]))
                  for rc in plan_json["resource_changes"]
                  if rc["change"]["actions"] != ["no-op"])


def test_pr_adding_a_filter_shows_exactly_that_resource(pz_bin):
    pz = Pz(pz_bin)
    repo, base = base_repo(pz)
    r = repo.plan("-detailed-exitcode")
    assert r.rc == 0 and "No changes." in r.out, r
    repo.git("checkout", "-q", "-b", "pr")
    repo.write("pz.yaml", BASE_SPEC + FILTER)
    head = repo.commit("add a filter")

    j = repo.plan("-git-base=main", "-json").ok().json()
    assert j["git"]["base"] == base and j["git"]["head"] == head, j["git"]
    assert j["git"]["dirty"] is False
    assert j["git"]["base_ref"] == "main"
    assert j["git"]["files"] == [{"path": "pz.yaml", "status": "modified",
                                  "spec": True}], j["git"]
    assert j["git"]["resources"] == [{"address": "filter.no-views",
                                      "change": "added", "members": []}]
    assert changed(j) == [("filter.no-views", "create")], changed(j)

    t = repo.plan("-git-base=main").ok().out
    assert "from commit %s" % head[:12] in t, t
    assert "Compared with the base, commit %s (main)" % base[:12] in t, t
    assert "  + filter.no-views added\n" in t, t
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in t, t

    md = repo.plan("-git-base=main", "-format=markdown").ok().out
    assert md.splitlines()[0] == "<!-- pz-plan: pz.yaml -->", md
    assert "| `filter.no-views` | added |" in md, md
    assert "commit `%s`" % head in md and "plan digest `sha256:" in md, md
    assert "state serial 1, lineage `" in md, md
    # The digest in the comment is the saved plan's, byte for byte.
    saved = os.path.join(pz.home, "pr.pzplan")
    md = repo.plan("-git-base=main", "-format=markdown",
                   "-out=" + saved).ok().out
    digest = hashlib.sha256(open(saved, "rb").read()).hexdigest()
    assert "plan digest `sha256:%s`" % digest in md, (digest, md)
    # A workspace names the comment instead of the spec.
    md = repo.plan("-git-base=main", "-format=markdown",
                   "-state=pz.state.json",
                   env={"PZ_WORKSPACE": "staging"}).ok().out
    assert md.startswith("<!-- pz-plan: staging -->\n"), md

    # The same review from a checkout of main: the head read from git.
    repo.git("checkout", "-q", "main")
    j2 = repo.plan("-git-base=main", "-git-head=pr", "-json").ok().json()
    assert j2["git"]["head"] == head and j2["git"]["head_ref"] == "pr"
    assert j2["git"]["resources"] == j["git"]["resources"]
    assert changed(j2) == [("filter.no-views", "create")]


def reorder(text):
    """The same spec with comments added and the campaign's keys in
    another order, as a person reformatting it would."""
    out = "# the recommendation stack\n" + text.replace(
        "    name: ups\n    minProvisionedTPS: 1\n",
        "    minProvisionedTPS: 1   # one TPS is enough here\n    name: ups\n")
    assert out != text and "minProvisionedTPS: 1   #" in out
    return out


def test_comments_and_key_order_only_is_no_change(pz_bin):
    pz = Pz(pz_bin)
    repo, base = base_repo(pz)
    repo.git("checkout", "-q", "-b", "pr")
    repo.write("pz.yaml", reorder(BASE_SPEC))
    repo.commit("reformat")
    r = repo.plan("-git-base=main", "-json", "-detailed-exitcode")
    assert r.rc == 0, r
    j = r.json()
    assert j["git"]["files"] == [{"path": "pz.yaml", "status": "modified",
                                  "spec": True}]
    assert j["git"]["resources"] == [], j["git"]
    assert changed(j) == []
    t = repo.plan("-git-base=main").ok().out
    assert "the change declares no resource differently" in t, t
    assert "No changes." in t, t
    md = repo.plan("-git-base=main", "-format=markdown").ok().out
    assert "### pz plan: no changes" in md and \
        "It declares no resource differently." in md, md


def test_renamed_and_deleted_spec_files(pz_bin):
    pz = Pz(pz_bin)
    repo, base = base_repo(pz)
    repo.write("other.yaml", BASE_SPEC.replace("name: demo\n",
                                               "name: other\n"))
    repo.write("README.md", "not a spec\n")
    base = repo.commit("a second spec")
    repo.git("checkout", "-q", "-b", "pr")
    # Renamed, with one member changed; the other spec deleted.
    repo.git("mv", "pz.yaml", "prod.yaml")
    repo.write("prod.yaml", BASE_SPEC.replace("minProvisionedTPS: 1",
                                              "minProvisionedTPS: 2"))
    repo.git("rm", "-q", "other.yaml")
    repo.write("README.md", "still not a spec\n")
    repo.commit("rename, change, delete")
    j = repo.plan("-f", "prod.yaml", "-state=pz.state.json",
                  "-git-base=main", "-json").ok().json()
    assert j["git"]["spec_path"] == "prod.yaml"
    assert j["git"]["files"] == [
        {"path": "other.yaml", "status": "deleted", "spec": False},
        {"path": "prod.yaml", "old_path": "pz.yaml", "status": "renamed",
         "spec": True}], j["git"]["files"]
    assert j["git"]["resources"] == [{
        "address": "campaign.upsCampaign", "change": "changed",
        "members": ["minProvisionedTPS"]}], j["git"]
    assert changed(j) == [("campaign.upsCampaign", "update")], changed(j)
    t = repo.plan("-f", "prod.yaml", "-state=pz.state.json",
                  "-git-base=main").ok().out
    assert "renamed  prod.yaml (was pz.yaml)  <- the spec" in t, t
    assert "deleted  other.yaml" in t, t
    assert "~ campaign.upsCampaign changed: minProvisionedTPS" in t, t

    # The spec itself deleted: said plainly, with what to do instead.
    r = repo.plan("-f", "other.yaml", "-git-base=main").fails(1)
    assert "the change deletes the spec 'other.yaml'" in r.err, r
    assert "pz plan -destroy" in r.err, r
    # A spec new in the change: every resource it declares is added.
    repo.git("checkout", "-q", "-b", "pr2", "main")
    repo.write("new.yaml", BASE_SPEC.replace("name: demo\n",
                                             "name: fresh\n"))
    repo.commit("a new spec")
    j = repo.plan("-f", "new.yaml", "-state=new.state.json",
                  "-git-base=main", "-json").ok().json()
    assert j["git"]["files"] == [{"path": "new.yaml", "status": "added",
                                  "spec": True}], j["git"]
    assert "the base has no spec at 'new.yaml'" in j["git"]["note"], j
    assert len(j["git"]["resources"]) == 7 and all(
        r["change"] == "added" for r in j["git"]["resources"]), j["git"]
    assert "filter.no-clicks" in [r["address"]
                                  for r in j["git"]["resources"]]


def test_missing_ref_and_no_repository(pz_bin):
    pz = Pz(pz_bin)
    repo, base = base_repo(pz)
    r = repo.plan("-git-base=no-such-branch").fails(1)
    assert "pz: -git-base: the ref 'no-such-branch' names no commit" in \
        r.err, r
    r = repo.plan("-git-base=main", "-git-head=v9.9").fails(1)
    assert "pz: -git-head: the ref 'v9.9' names no commit" in r.err, r
    assert r.out == "", r

    plain = os.path.join(pz.home, "plain")
    os.makedirs(plain)
    shutil.copy(os.path.join(repo.dir, "pz.yaml"), plain)
    r = pz.run(*(PLAN + ["-git-base=main"]), cwd=plain).fails(1)
    assert "pz: -git-base: '.' is not in a git repository" in r.err, r
    # Without the flags a spec outside git plans as ever, of no commit.
    r = pz.run(*(PLAN + ["-json"]), cwd=plain).ok()
    assert "git" not in r.json(), r
    assert "Git:" not in pz.run(*PLAN, cwd=plain).ok().out


def test_dirty_work_tree_is_said_plainly(pz_bin):
    pz = Pz(pz_bin)
    repo, base = base_repo(pz)
    repo.write("pz.yaml", BASE_SPEC + FILTER)
    j = repo.plan("-git-base=main", "-json").ok().json()
    assert j["git"]["dirty"] is True and j["git"]["head"] == base
    assert j["git"]["resources"][0]["address"] == "filter.no-views"
    t = repo.plan("-git-base=main").ok().out
    assert "plus uncommitted changes" in t, t
    assert "Warning: the work tree has uncommitted changes" in t, t
    md = repo.plan("-git-base=main", "-format=markdown").ok().out
    assert "uncommitted changes on `%s`" % base[:12] in md, md


def check(plan, spec, *state_commit):
    p = subprocess.run([tool("PZ_GIT_CHECK"), plan, spec] +
                       list(state_commit), capture_output=True, text=True)
    print("git_check:", p.returncode, p.stdout, p.stderr)
    return p.returncode, p.stdout


def test_saved_plan_applies_only_at_its_commit(pz_bin):
    pz = Pz(pz_bin)
    repo, base = base_repo(pz)
    repo.write("pz.yaml", BASE_SPEC + FILTER)
    a = repo.commit("add a filter")
    out = os.path.join(pz.home, "pr.pzplan")
    repo.plan("-out=" + out).ok()
    saved = json.load(open(out))
    assert saved["pz_plan_format"] == 4 and saved["git"]["head"] == a
    spec = os.path.join(repo.dir, "pz.yaml")
    assert check(out, spec) == (0, "ok %s\n" % a)
    # pz show of the saved plan names its commit.
    r = pz.run("show", out, cwd=repo.dir).ok()
    assert "from commit %s" % a[:12] in r.out, r

    # Another commit checked out: refused, naming both.
    repo.write("pz.yaml", BASE_SPEC + FILTER.replace("no-views", "none"))
    b = repo.commit("another change")
    rc, msg = check(out, spec)
    assert rc == 1 and "made at commit %s, but commit %s is checked out" % (
        a, b) in msg, msg

    # Its own commit with an uncommitted edit: refused, naming the file.
    repo.git("checkout", "-q", a)
    repo.write("pz.yaml", BASE_SPEC)
    rc, msg = check(out, spec)
    assert rc == 1 and "the work tree differs from it" in msg, msg
    assert "'pz.yaml'" in msg and a in msg, msg
    # Untracked files (a state, a plan beside the spec) are no change.
    repo.git("checkout", "-q", "--", "pz.yaml")
    repo.write("notes.txt", "an untracked file\n")
    assert check(out, spec) == (0, "ok %s\n" % a)

    # Applying a commit older than the state's warns.
    rc, msg = check(out, spec, b)
    assert rc == 0 and "warning: commit %s is older than commit %s" % (
        a, b) in msg, msg
    rc, msg = check(out, spec, base)
    assert rc == 0 and "warning" not in msg, msg


def test_saved_plan_formats(pz_bin):
    pz = Pz(pz_bin)
    repo, base = base_repo(pz)
    out = os.path.join(pz.home, "p.pzplan")
    repo.plan("-out=" + out).ok()
    spec = os.path.join(repo.dir, "pz.yaml")
    doc = json.load(open(out))
    # A format 3 or later plan whose commit was cut out is refused, not
    # unchecked.
    cut = dict(doc)
    del cut["git"]
    json.dump(cut, open(out, "w"))
    rc, msg = check(out, spec)
    assert rc == 2 and "lacks the git commit it was made at" in msg, msg
    bad = dict(doc, git=dict(doc["git"], head="HEAD"))
    json.dump(bad, open(out, "w"))
    rc, msg = check(out, spec)
    assert rc == 2 and "git member is malformed" in msg, msg
    # Format 2 (before git) still loads: it records no commit.
    old = dict(cut, pz_plan_format=2)
    json.dump(old, open(out, "w"))
    assert check(out, spec) == (0, "ok -\n")
    new = dict(doc, pz_plan_format=5)
    json.dump(new, open(out, "w"))
    rc, msg = check(out, spec)
    assert rc == 2 and "format 5, which this pz (formats 2 to 4)" in msg, msg
    # Made from a dirty tree: applies at its commit, records none.
    repo.write("pz.yaml", BASE_SPEC + FILTER)
    repo.plan("-out=" + out).ok()
    assert json.load(open(out))["git"]["dirty"] is True
    assert check(out, spec) == (0, "ok -\n")


SIM_SPEC = """pz:
  region: us-east-1
datasetGroup:
  name: gitops-demo
tags:
  team: recs
"""
FAST = {"PZ_POLL_MIN_MS": "20", "PZ_POLL_MAX_MS": "100"}


def test_apply_on_merge_records_the_commit(pz_bin):
    """pz apply PLANFILE against the simulator: refused at another commit
    and after an uncommitted edit, naming both; applied at its own
    commit, which the state records and pz show prints; an apply from
    an older commit than the state's warns."""
    with Sim(time_scale=0.001) as sim:
        pz = Pz(pz_bin, sim)
        pz.env.update(FAST)
        repo = Repo(pz)
        repo.write("pz.yaml", SIM_SPEC)
        repo.write(".gitignore", "pz.state.json*\n*.pzplan\n")
        a = repo.commit("a dataset group")
        plan = os.path.join(repo.dir, "a.pzplan")
        repo.pz.run("plan", "-out=" + plan, cwd=repo.dir).ok()

        # A comment-only commit: the spec's digest is the same, the
        # commit is not.
        repo.write("pz.yaml", "# reviewed\n" + SIM_SPEC)
        b = repo.commit("a comment")
        r = pz.run("apply", plan, cwd=repo.dir).fails(1)
        assert "the saved plan was made at commit %s, but commit %s is " \
            "checked out" % (a, b) in r.err, r
        assert not [o for o in sim.ops() if o.startswith("Create")]

        repo.git("checkout", "-q", a)
        repo.write("pz.yaml", "# an edit nobody reviewed\n" + SIM_SPEC)
        r = pz.run("apply", plan, cwd=repo.dir).fails(1)
        assert "made at commit %s, but the work tree differs from it" % a \
            in r.err and "'pz.yaml'" in r.err, r
        assert not [o for o in sim.ops() if o.startswith("Create")]

        repo.git("checkout", "-q", "--", "pz.yaml")
        r = pz.run("apply", plan, cwd=repo.dir).ok()
        assert "Apply complete!" in r.out, r
        state = json.load(open(os.path.join(repo.dir, "pz.state.json")))
        assert state["git_commit"] == a, state
        r = pz.run("show", cwd=repo.dir).ok()
        assert "Last applied from git commit %s" % a in r.out, r
        assert pz.run("show", "-json", cwd=repo.dir).ok().json()[
            "git_commit"] == a

        # A newer commit applies and is recorded; going back to the
        # older one warns before it changes anything.
        repo.git("checkout", "-q", "main")
        repo.write("pz.yaml", SIM_SPEC.replace("team: recs", "team: ml"))
        c = repo.commit("retag")
        r = pz.run("apply", "-auto-approve", cwd=repo.dir).ok()
        state = json.load(open(os.path.join(repo.dir, "pz.state.json")))
        assert state["git_commit"] == c, state
        repo.git("checkout", "-q", a)
        r = pz.run("apply", "-auto-approve", cwd=repo.dir).ok()
        assert "pz: warning: commit %s is older than commit %s, which the " \
            "state says was applied last" % (a, c) in r.err, r
        # Uncommitted edits apply (the plan is of them) but record no
        # commit: the state never claims a commit it does not hold.
        repo.write("pz.yaml", SIM_SPEC.replace("team: recs", "team: ops"))
        pz.run("apply", "-auto-approve", cwd=repo.dir).ok()
        state = json.load(open(os.path.join(repo.dir, "pz.state.json")))
        assert state["git_commit"] is None, state


if __name__ == "__main__":
    harness.run_main()
