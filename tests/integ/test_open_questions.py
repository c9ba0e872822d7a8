"""pz under both answers to the open questions of personalize-rules.md §9.

The rules leave seven questions to a real account; the simulator answers
each either way (tests/sim/README.md, "The open questions' switches") and
pz must work under both. Each test here runs the same apply against both
answers of the question it is about, and asserts on what the simulator
saw: no call refused, and a plan right after the apply has nothing to do.

- 9.1: a changed automatic-training schedule (UpdateSolution) is applied
  once, whether DescribeSolution's solutionConfig shows the new schedule
  or only latestSolutionUpdate does;
- 9.6: a campaign moved to another solution of the spec is moved without
  a refused call, whether UpdateCampaign accepts a version of another
  solution or not; with it, 9.2 and 9.3 (the campaign's status during an
  update, a partial campaignConfig) both ways.

(9.4, 9.5 and 9.7 are in test_dry_apply.py, integ_plan_alt and
integ_state_import_alt; docs/rules-coverage.md has the whole table.)

    python3 test_open_questions.py PZ_BINARY
"""
import re

import harness
from harness import Pz, Sim
from test_apply import (FAST, INTERACTIONS, ROLE, aws, mark, refused,
                        rows_for, upload, writes)

SCHEDULE = """pz:
  roleArn: %s
datasetGroup: {name: sched}
datasets:
  Interactions:
    name: sched-interactions
    schema:
      type: record
      name: Interactions
      namespace: com.amazonaws.personalize.schema
      fields:
        - {name: USER_ID, type: string}
        - {name: ITEM_ID, type: string}
        - {name: TIMESTAMP, type: long}
solutions:
  ups:
    name: sched-ups
    recipeArn: arn:aws:personalize:::recipe/aws-user-personalization
    performAutoTraining: true
    solutionConfig:
      autoTrainingConfig: {schedulingExpression: "rate(@DAYS@ days)"}
""".replace("%s", ROLE)


def apply(pz, *args):
    return pz.run("apply", "-auto-approve", *args, env=FAST, timeout=300)


def no_changes(pz, path):
    r = pz.run("plan", "-f", path, "-detailed-exitcode", env=FAST)
    assert r.rc == 0 and "No changes." in r.out, r


def _schedule_change(pz_bin, answer):
    with Sim(time_scale=0.0005,
             solution_config_after_update=answer) as sim:
        pz = Pz(pz_bin, sim)
        path = pz.write_file("work/pz.yaml",
                             SCHEDULE.replace("@DAYS@", "7"))
        apply(pz, "-f", path).ok()
        no_changes(pz, path)

        pz.write_file("work/pz.yaml", SCHEDULE.replace("@DAYS@", "14"))
        m = mark(sim)
        apply(pz, "-f", path).ok()
        assert writes(sim, m) == ["UpdateSolution"], writes(sim, m)
        assert not refused(sim, m), refused(sim, m)
        # Under "unchanged" DescribeSolution still shows rate(7 days):
        # the schedule the service trains with is latestSolutionUpdate's.
        no_changes(pz, path)
        m = mark(sim)
        apply(pz, "-f", path).ok()
        assert writes(sim, m) == [], writes(sim, m)


def test_q1_schedule_change_solution_config_applied(pz_bin):
    _schedule_change(pz_bin, "applied")


def test_q1_schedule_change_solution_config_unchanged(pz_bin):
    _schedule_change(pz_bin, "unchanged")


TWO = ("""pz:
  dataLocation: s3://two-data/
  roleArn: %s
datasetGroup: {name: two}
datasets:
  Interactions:
    name: two-interactions
""" + harness.INTERACTIONS_SCHEMA_YAML + """solutions:
  a:
    name: two-a
    recipeArn: arn:aws:personalize:::recipe/aws-user-personalization
    performAutoTraining: false
  b:
    name: two-b
    recipeArn: arn:aws:personalize:::recipe/aws-user-personalization
    performAutoTraining: false
campaigns:
  main:
    name: two-main
    minProvisionedTPS: @TPS@
    campaignConfig: {itemExplorationConfig: {explorationWeight: "@W@"}}
    pz: {solution: @SOL@}
""").replace("%s", ROLE)


def two(pz, sol, tps=1, weight="0.3"):
    return pz.write_file("work/pz.yaml", TWO.replace("@SOL@", sol)
                         .replace("@TPS@", str(tps))
                         .replace("@W@", weight))


def campaign(sim):
    return [r for r in sim.state()["resources"]
            if r["type"] == "campaign"]


def _other_solution(pz_bin, **answers):
    with Sim(time_scale=0.0005, **answers) as sim:
        pz = Pz(pz_bin, sim)
        aws(sim, "s3", "mb", "s3://two-data")
        upload(sim, "two-data/Interactions/a.csv",
               rows_for(INTERACTIONS, 1500, 3))
        path = two(pz, "a")
        apply(pz, "-f", path).ok()
        no_changes(pz, path)
        (c,) = campaign(sim)
        assert ":solution/two-a/" in c["servedVersionArn"], c

        # 9.2 and 9.3: TPS and one member of campaignConfig, in place.
        two(pz, "a", tps=2, weight="0.5")
        m = mark(sim)
        apply(pz, "-f", path).ok()
        assert writes(sim, m) == ["UpdateCampaign"], writes(sim, m)
        no_changes(pz, path)

        # 9.6: the campaign moves to solution b's version.
        two(pz, "b", tps=2, weight="0.5")
        m = mark(sim)
        r = apply(pz, "-f", path).ok()
        assert not refused(sim, m), (refused(sim, m), r)
        (c,) = campaign(sim)
        assert c["status"] == "ACTIVE", c
        assert ":solution/two-b/" in c["servedVersionArn"], c
        assert re.search(r"Apply complete!", r.out), r
        no_changes(pz, path)

        # 9.3: a member inside campaignConfig taken out of the spec. The
        # update sends campaignConfig without it, and whether the
        # service keeps it is the open question: the plan says so, and
        # does not say that the service keeps it, under either answer.
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace('"0.5"}}',
                                 '"0.5", explorationItemAgeCutOff: "30"}}'))
        apply(pz, "-f", path).ok()
        with open(path, "w") as f:
            f.write(text)
        r = pz.run("plan", "-f", path, "-detailed-exitcode")
        assert r.rc == 2, r
        assert "campaign.main: campaignConfig.itemExplorationConfig." \
            "explorationItemAgeCutOff is no longer in the spec, and this " \
            "plan updates the resource, sending campaignConfig without " \
            "it: whether the service then keeps it (\"30\") or resets it " \
            "is not settled" in r.err, r.err
        assert "service keeps it" not in r.err, r.err
        apply(pz, "-f", path).ok()
        no_changes(pz, path)

        # 9.3 either way: campaignConfig taken out of the spec stays in
        # the service as it was, and the plan says so.
        with open(path, "w") as f:
            f.write(re.sub(r"    campaignConfig: .*\n", "", text))
        r = pz.run("plan", "-f", path, "-detailed-exitcode")
        assert r.rc == 0, r
        assert "warning: campaign.main: campaignConfig is no longer in " \
            "the spec, but the service keeps it " \
            "({\"itemExplorationConfig\":{\"explorationWeight\":\"0.5\"}})" \
            in r.err, r.err
        if answers["campaign_other_solution"] == "refuse":
            # A campaign replaced (moved back to a) starts from the
            # defaults: nothing is kept, nothing to warn of.
            with open(path, "w") as f:
                f.write(re.sub(r"    campaignConfig: .*\n", "", text)
                        .replace("pz: {solution: b}", "pz: {solution: a}"))
            r = pz.run("plan", "-f", path, "-detailed-exitcode")
            assert r.rc == 2, r
            assert "campaign.main must be replaced" in r.out, r
            assert "no longer in the spec" not in r.err, r.err


def test_q6_campaign_to_another_solution_refused(pz_bin):
    _other_solution(pz_bin, campaign_other_solution="refuse",
                    update_status="active", campaign_config_update="replace")


def test_q6_campaign_to_another_solution_allowed(pz_bin):
    _other_solution(pz_bin, campaign_other_solution="allow",
                    update_status="updating", campaign_config_update="merge")


if __name__ == "__main__":
    harness.run_main()
