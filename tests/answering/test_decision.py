"""Hard requirements decide before the weights, and say so; conflicting ones give no pick."""

import dataclasses

from bot.answering.decision import decide
from bot.answering.engine import AnswerEngine

# Everything that leans towards ECS, plus one need only EKS meets (the "9 to 3 for ECS" case).
SIMPLE_TEAM_WITH_AN_OPERATOR = {
    "k8s_ecosystem": "yes",
    "kubernetes": "no",
    "team_k8s": "no",
    "learn_k8s": "no",
    "aws_invested": "yes",
    "simplicity": "yes",
    "cost": "yes",
    "avoid_upgrades": "yes",
}


def test_a_veto_beats_the_weights(knowledge):
    without_vetoes = dataclasses.replace(knowledge, vetoes=())
    assert decide(without_vetoes, SIMPLE_TEAM_WITH_AN_OPERATOR).pick == "ecs"  # what the weights alone say
    decision = decide(knowledge, SIMPLE_TEAM_WITH_AN_OPERATOR, complete=True)
    assert decision.pick == "eks"
    assert decision.scores["ecs"] > decision.scores["eks"]
    assert decision.vetoes and "Helm charts, operators, CRDs" in decision.vetoes[0]


def test_the_answer_states_the_hard_requirement_plainly(knowledge):
    answer = AnswerEngine(knowledge).recommendation(decide(knowledge, SIMPLE_TEAM_WITH_AN_OPERATOR))
    assert answer.recommendation == "eks"
    assert answer.parts[0].startswith(
        "This decides it: You must run software that exists only for Kubernetes"
    )
    assert "This decides it:" in answer.text
    # only dropping the hard requirement could change it, not the soft preferences
    assert answer.changes == ["ECS would fit better if you don't need Kubernetes-only software"]


def test_a_veto_needs_every_answer_of_its_condition(knowledge):
    assert decide(knowledge, {"windows": "yes"}).vetoes == []
    assert decide(knowledge, {"serverless": "yes"}).vetoes == []
    assert decide(knowledge, {"windows": "yes", "serverless": "yes"}).pick == "ecs"
    assert decide(knowledge, {"windows": "yes", "serverless": "no"}).vetoes == []


def test_conflicting_vetoes_give_no_pick_even_in_the_guided_choice(knowledge):
    answers = {c.id: "no" for c in knowledge.criteria}
    answers.update({"multi_cloud": "yes", "windows": "yes", "serverless": "yes"})
    decision = decide(knowledge, answers, complete=True)
    assert decision.pick is None and len(decision.conflict) == 2
    answer = AnswerEngine(knowledge).recommendation(decision, guided=True)
    assert answer.recommendation is None and answer.title.startswith("No single service meets")
    assert "other clouds" in answer.text and "Windows containers" in answer.text
    assert answer.code.startswith("kubernetes=no")


def test_a_daemon_need_is_not_a_veto(knowledge):
    # both run an agent on every AWS-managed node (EKS Auto Mode, ECS Managed Daemons), neither on Fargate
    decision = decide(knowledge, {"daemons": "yes", "serverless": "yes"})
    assert decision.vetoes == [] and decision.pick is None
    assert "Managed Daemons" in knowledge.criterion("daemons").option("yes").reason


def test_own_hardware_and_gpus_weigh_nothing(knowledge):
    for criterion_id in ("own_hardware", "gpu", "daemons"):
        assert knowledge.criterion(criterion_id).option("yes").weights == {}


def test_the_questions_that_would_decide_an_open_recommendation(knowledge):
    from bot.answering.decision import deciding_questions

    asked = deciding_questions(knowledge, {})
    assert [c.id for c in asked] == ["kubernetes", "k8s_ecosystem"]  # the weightiest that settle it alone
    for criterion in asked:
        assert any(decide(knowledge, {criterion.id: o.value}).pick for o in criterion.options)
    assert deciding_questions(knowledge, {"k8s_ecosystem": "yes"}) == []  # already decided: nothing to ask
