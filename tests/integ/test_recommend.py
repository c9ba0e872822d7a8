"""pz recommend, pz rank and pz metrics against stacks pz apply deploys
in the simulator: the plan golden cases' create-all spec (a
user-personalization campaign and a filter) with a personalized-ranking
campaign, and the demo's MovieLens spec (examples/movielens).

    python3 test_recommend.py PZ_BINARY
"""
import json
import os
import shutil
import subprocess
import tempfile

import harness
from harness import Pz, Sim

import test_dry_apply as dry

CAMPAIGN = "campaign.upsCampaign"


def deploy(pz, sim, spec_text, *args):
    """Writes the spec and applies it; returns (spec path, state path)."""
    spec = pz.write_file(os.path.join("work", "pz.yaml"), spec_text)
    state = os.path.join(os.path.dirname(spec), "pz.state.json")
    pz.run("apply", "-auto-approve", "-f", spec, *args, timeout=600).ok()
    return spec, state


RANKING_SOLUTION = """  ranking:
    name: ranking
    recipeArn: arn:aws:personalize:::recipe/aws-personalized-ranking
    performAutoTraining: false
campaigns:
  rankingCampaign:
    name: ranking
    minProvisionedTPS: 1
    pz: {solution: ranking}
"""


def with_ranking(text):
    """The base spec with a personalized-ranking solution and campaign
    (GetPersonalizedRanking takes only those)."""
    assert "\ncampaigns:\n" in text
    return text.replace("\ncampaigns:\n", "\n" + RANKING_SOLUTION, 1)


def resource(state, address):
    doc = json.load(open(state))
    return next(r for r in doc["resources"] if r["address"] == address)


def new_pz(pz_bin, sim):
    pz = Pz(pz_bin, sim)
    pz.env["PZ_POLL_MIN_MS"] = "20"
    pz.env["PZ_POLL_MAX_MS"] = "200"
    return pz


def runtime_calls(sim, since, op):
    return [c for c in sim.calls(since) if c["operation"] == op]


def test_recommend_rank_and_errors(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz = new_pz(pz_bin, sim)
        dry.put_data(sim)
        spec, state = deploy(pz, sim, with_ranking(open(dry.BASE).read()))
        camp = resource(state, CAMPAIGN)["arn"]
        filt = resource(state, "filter.no-clicks")["arn"]
        wd = os.path.dirname(spec)

        # Text: a table of 5 items, best first, with scores.
        mark = sim.calls()[-1]["seq"]
        r = pz.run("recommend", "upsCampaign", "-user", "u1", "-n", "5",
                   cwd=wd).ok()
        calls = runtime_calls(sim, mark, "GetRecommendations")
        assert len(calls) == 1 and calls[0]["status"] == 200, calls
        assert calls[0]["service"] == "personalize-runtime" or \
            calls[0]["service"].startswith("personalize"), calls[0]
        assert calls[0]["params"] == {"campaignArn": camp, "userId": "u1",
                                      "numResults": 5}, calls[0]["params"]
        lines = r.out.splitlines()
        assert lines[0].startswith("Recommendations from %s" % CAMPAIGN), \
            r.out
        rows = [l.split() for l in lines if l[:6].strip().isdigit()]
        assert [x[0] for x in rows] == ["1", "2", "3", "4", "5"], r.out

        # The same answer as JSON, as the service gave it.
        j = pz.run("recommend", CAMPAIGN, "-user=u1", "-n=5", "-json",
                   cwd=wd).ok().json()
        assert j["address"] == CAMPAIGN and j["campaignArn"] == camp, j
        assert j["operation"] == "GetRecommendations"
        assert [i["itemId"] for i in j["items"]] == [x[1] for x in rows]
        assert ["%.7f" % i["score"] for i in j["items"]] == \
            [x[2] for x in rows], (j, rows)
        scores = [i["score"] for i in j["items"]]
        assert scores == sorted(scores, reverse=True), scores

        # A filter named as the spec names it goes as its ARN.
        mark = sim.calls()[-1]["seq"]
        pz.run("recommend", "upsCampaign", "-user", "u1", "-filter",
               "no-clicks", cwd=wd).ok()
        calls = runtime_calls(sim, mark, "GetRecommendations")
        assert calls[0]["params"] == {"campaignArn": camp, "userId": "u1",
                                      "filterArn": filt}, calls[0]

        # Ranking: every item given comes back once, scored.
        rank = resource(state, "campaign.rankingCampaign")["arn"]
        mark = sim.calls()[-1]["seq"]
        j = pz.run("rank", "rankingCampaign", "-user", "u2", "i1", "i2", "i3",
                   "i39", "-json", cwd=wd).ok().json()
        assert sorted(i["itemId"] for i in j["items"]) == \
            ["i1", "i2", "i3", "i39"], j
        calls = runtime_calls(sim, mark, "GetPersonalizedRanking")
        assert calls[0]["params"] == {
            "campaignArn": rank, "userId": "u2",
            "inputList": ["i1", "i2", "i3", "i39"]}, calls[0]
        r = pz.run("rank", "campaign.rankingCampaign", "-user", "u2", "i1",
                   "i2", cwd=wd).ok()
        assert r.out.startswith("Ranking from campaign.rankingCampaign"), \
            r.out
        order = [l.split()[1] for l in r.out.splitlines()
                 if l[:6].strip().isdigit()]
        assert sorted(order) == ["i1", "i2"], r.out

        # Mistakes are refused before any call, saying what to do.
        mark = sim.calls()[-1]["seq"]
        r = pz.run("recommend", "nope", "-user", "u1", cwd=wd).fails()
        assert "nope is not deployed" in r.err and CAMPAIGN in r.err, r.err
        r = pz.run("recommend", "upsCampaign", cwd=wd).fails()
        assert "-user ID or -item ID" in r.err, r.err
        r = pz.run("recommend", "upsCampaign", "-user", "u1", "-n", "0",
                   cwd=wd).fails()
        assert "-n takes 1 to 500" in r.err, r.err
        r = pz.run("recommend", "upsCampaign", "-user", "u1", "-filter",
                   "nofilter", cwd=wd).fails()
        assert "no filter 'nofilter'" in r.err and "no-clicks" in r.err, \
            r.err
        r = pz.run("recommend", "solution.ups", "-user", "u1",
                   cwd=wd).fails()
        assert "not a campaign or a recommender" in r.err, r.err
        assert not [c for c in sim.calls(mark)
                    if c["service"] != "s3"], sim.calls(mark)

        r = pz.run("recommend", camp, "-user", "u1", "-item", "i1",
                   cwd=wd).fails()
        assert "(one of them)" in r.err, r.err
        assert not [c for c in sim.calls(mark)
                    if c["service"] != "s3"], sim.calls(mark)

        # The service's refusal is reported with its code and the
        # address asked for.
        r = pz.run("recommend", "upsCampaign", "-user", "u1",
                   "-filter", filt.replace("no-clicks", "gone"),
                   cwd=wd).fails()
        assert r.err.startswith("pz: campaign.upsCampaign: "
                                "personalize-runtime GetRecommendations: "
                                "ResourceNotFoundException"), r.err


def test_metrics_side_by_side(pz_bin):
    with Sim(time_scale=0.0005) as sim:
        pz = new_pz(pz_bin, sim)
        dry.put_data(sim)
        text = open(dry.BASE).read()
        spec, state = deploy(pz, sim, text)
        wd = os.path.dirname(spec)
        v1 = resource(state, "solution_version.ups")["arn"]
        sol = resource(state, "solution.ups")["arn"]

        j = pz.run("metrics", "-json", cwd=wd).ok().json()
        assert [s["address"] for s in j["solutions"]] == ["solution.ups"]
        vs = j["solutions"][0]["versions"]
        assert [v["solutionVersionArn"] for v in vs] == [v1], vs
        want = harness.aws_cli(sim, "personalize", "get-solution-metrics",
                               "--solution-version-arn", v1, parse=True)
        assert vs[0]["metrics"] == want["metrics"], (vs, want)
        assert vs[0]["servedBy"] == [CAMPAIGN], vs

        # A second version, whose ndcg the test chooses.
        sim.control("POST", "/__sim/metrics", {
            "solutionArn": sol,
            "metrics": {"normalized_discounted_cumulative_gain_at_25":
                        0.5}})
        sim.control("POST", "/__sim/metrics", {
            "solutionVersionArn": v1,
            "metrics": {"normalized_discounted_cumulative_gain_at_25":
                        0.25}})
        dry.more_data(sim)
        deploy(pz, sim, text)
        v2 = resource(state, "solution_version.ups")["arn"]
        assert v2 != v1
        mark = sim.calls()[-1]["seq"]
        r = pz.run("metrics", "ups", cwd=wd).ok()
        ops = [c["operation"] for c in sim.calls(mark)
               if c["service"] != "s3"]
        assert ops == ["ListSolutionVersions", "GetSolutionMetrics",
                       "GetSolutionMetrics"], ops
        lines = r.out.splitlines()
        assert lines[0] == "solution.ups (%s)" % sol, r.out
        head = next(l for l in lines if l.strip().startswith("version"))
        assert head.split() == ["version", v1.rsplit("/", 1)[1],
                                v2.rsplit("/", 1)[1], "change"], r.out
        ndcg = next(l for l in lines if l.strip().startswith(
            "normalized_discounted_cumulative_gain_at_25"))
        assert ndcg.split()[1:] == ["0.2500", "0.5000", "+0.2500"], r.out
        for name in ("coverage", "precision_at_5", "status", "created",
                     "served by"):
            assert any(l.strip().startswith(name) for l in lines), r.out

        # -last keeps the newest; an unknown solution is refused.
        j = pz.run("metrics", "solution.ups", "-last=1", "-json",
                   cwd=wd).ok().json()
        assert [v["solutionVersionArn"]
                for v in j["solutions"][0]["versions"]] == [v2], j
        r = pz.run("metrics", "nope", cwd=wd).fails()
        assert "no solution 'nope'" in r.err, r.err


def test_movielens_demo_campaign(pz_bin):
    """The demo's spec and data: pz recommend for one MovieLens user
    gives what the service gives."""
    with Sim(time_scale=0.001) as sim:
        pz = new_pz(pz_bin, sim)
        root = harness.ROOT
        d = tempfile.mkdtemp(prefix="pz-movielens-")
        try:
            for args in (["gen-data.py", os.path.join(d, "data"), "--jobs",
                          os.path.join(d, "jobs")],
                         ["upload.py", os.path.join(d, "data"),
                          "s3://pz-demo-data/movielens/",
                          "--create-bucket"],
                         ["upload.py", os.path.join(d, "jobs"),
                          "s3://pz-demo-data/"]):
                p = subprocess.run(
                    [harness.PYTHON, os.path.join(root, "examples",
                                                  "movielens", args[0])]
                    + args[1:], env=pz.env, capture_output=True, text=True,
                    timeout=300)
                if p.returncode and "botocore" in p.stderr:
                    raise harness.Skip("upload.py needs python3-botocore")
                assert p.returncode == 0, p.stderr
        finally:
            shutil.rmtree(d)
        text = open(os.path.join(root, "examples", "movielens",
                                 "pz.yaml")).read()
        spec, state = deploy(pz, sim, text, "-var",
                             "webhook=%s/__sim/webhook/demo" % sim.url)
        wd = os.path.dirname(spec)
        camp = resource(state, "campaign.userPersonalizationCampaign")["arn"]
        r = pz.run("recommend", "userPersonalizationCampaign", "-user", "1",
                   "-n", "10", "-json", "-var",
                   "webhook=%s/__sim/webhook/demo" % sim.url, cwd=wd).ok()
        got = r.json()
        want = harness.aws_cli(sim, "personalize-runtime",
                               "get-recommendations", "--campaign-arn",
                               camp, "--user-id", "1", "--num-results",
                               "10", parse=True)
        assert [(i["itemId"], i["score"]) for i in got["items"]] == \
            [(i["itemId"], i["score"]) for i in want["itemList"]], (got,
                                                                   want)
        assert len(got["items"]) == 10, got
        # The filter of the spec, by name: items the user watched are out.
        r = pz.run("recommend", "userPersonalizationCampaign", "-user", "1",
                   "-filter", "unwatched", "-var",
                   "webhook=%s/__sim/webhook/demo" % sim.url, cwd=wd).ok()
        assert r.out.startswith("Recommendations from "
                                "campaign.userPersonalizationCampaign"), \
            r.out
        # Related items from the SIMS campaign.
        r = pz.run("recommend", "simsCampaign", "-item", "1", "-n", "3",
                   "-var", "webhook=%s/__sim/webhook/demo" % sim.url,
                   cwd=wd).ok()
        assert len([l for l in r.out.splitlines()
                    if l[:6].strip().isdigit()]) == 3, r.out


if __name__ == "__main__":
    harness.run_main()

