"""Fact questions are answered with the claims that say it: found by what they say, read with the topics and
attribute understood, never a neighbouring fact, never a pick, how-to declined with the page named."""

import pytest

from bot.understanding.claims_cv import cross_validate_claims


def claims_of(answer) -> list[str]:
    return answer.match.claims if answer.match else []


@pytest.mark.parametrize(
    "question, says",
    [
        ("what's the max memory for a fargate task", "120 GB"),
        ("can fargate run gpu workloads?", "GPU"),
        ("what does eks extended support cost?", "$0.60"),
        ("how long does an ecr login token last?", "12 hours"),
        ("how many containers can one ecs task definition have?", "10"),
        ("can ecr tags be immutable except for latest?", "IMMUTABLE_WITH_EXCLUSION"),
    ],
)
def test_a_fact_question_gets_the_fact_with_its_number(engine, question, says):
    answer = engine.ask(question)
    assert answer.kind == "attribute" and says in answer.parts[0], answer.text
    assert answer.sources and all(s.startswith("https://") for s in answer.sources)


@pytest.mark.parametrize(
    "question",
    [
        "app mesh is being retired, what do we use on ecs for service-to-service traffic now?",
        "which of ecs and eks can run windows containers on fargate?",
        "windows containers on fargate: is that ecs, eks or both?",
        "graviton on fargate, does that work with ecs and eks both?",
    ],
)
def test_a_fact_question_is_never_answered_with_a_pick(engine, question):
    answer = engine.ask(question)
    assert answer.kind != "recommendation" and answer.recommendation is None, answer.text


def test_app_mesh_retired_points_to_service_connect(engine):
    answer = engine.ask(
        "app mesh is being retired, what do we use on ecs for service-to-service traffic now?"
    )
    assert "Service Connect" in answer.text


def test_a_fact_asked_across_services_says_which(engine):
    answer = engine.ask("which of ecs and eks can run windows containers on fargate?")
    assert "Only ECS" in answer.text or "only for Amazon ECS" in answer.text, answer.text


def test_a_fargate_question_finds_a_claim_stored_with_eks(engine, knowledge):
    answer = engine.ask("can fargate pods use pod identity?")
    first = knowledge.claim_by_id[claims_of(answer)[0]]
    assert "eks" in first.about and "Pod Identity" in first.text


def test_a_generic_question_is_answered_with_the_topics_summary(engine, knowledge):
    answer = engine.ask("can ecr scan images?")
    assert claims_of(answer) == [knowledge.topics["ecr"].facts["scanning"].id]


def test_a_cue_the_summary_never_mentions_asks_for_the_detail(engine, knowledge):
    # "ipv6" names networking, but EKS's networking summary is about service-to-service traffic
    answer = engine.ask("does eks support ipv6?")
    assert claims_of(answer)[0] != knowledge.topics["eks"].facts["networking"].id
    assert "IPv6" in answer.text


def test_a_question_naming_a_second_attribute_is_not_generic(engine):
    assert "$0.60" in engine.ask("what does eks extended support cost?").text


def test_how_to_stays_declined_and_names_the_page_that_covers_it(engine):
    answer = engine.ask("how do i give my eks pods access to s3?")
    assert answer.kind == "fallback"
    (page,) = [part for part in answer.parts if part.startswith("The AWS page that covers it:")]
    assert "https://docs.aws.amazon.com/eks/" in page and answer.sources


def test_a_statement_that_asks_nothing_is_not_answered_with_a_fact(engine):
    answer = engine.ask("pods on our eks cluster can't resolve dns since the coredns addon update")
    assert answer.kind == "fallback"


def test_a_question_about_another_meaning_gets_no_fact(engine):
    assert engine.ask("in bevy, how does the ecs handle component queries with filters?").kind == "fallback"


def test_finding_claims_holds_a_floor_by_cross_validation(engine):
    """Each question a claim lists, held out of the index, finds its claim among those an answer shows."""
    scores = cross_validate_claims(engine.matcher, folds=5)
    assert scores["questions"] >= 800
    assert scores["shown"] >= 0.6 and scores["top1"] >= 0.35, scores
