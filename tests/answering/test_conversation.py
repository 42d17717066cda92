"""The conversation core (no Slack): what an answer leaves a reply to lean on, as metadata and back."""

import pytest

from bot.answering import conversation as cv
from bot.understanding.match import Context


def thread_after(engine, *messages):
    thread, answer = None, None
    for text in messages:
        answer = cv.reply(engine, text, thread)
        thread = cv.after(answer, thread)
    return answer, thread


@pytest.mark.parametrize(
    "messages, title, follow_up",
    [
        (["ecs or eks?", "we already run kubernetes on prem"], "Recommendation: Amazon EKS", None),
        (["ecs or eks?", "we already run kubernetes on prem", "why?"], "Why Amazon EKS", "why"),
        (["ecs vs eks", "what about cost?"], "Amazon ECS vs Amazon EKS: cost", "attribute"),
        (["how much does ecs cost", "and eks?"], "Amazon EKS: cost", "topic"),
        (["what is eks?", "and ecs?"], "Amazon ECS (Amazon Elastic Container Service)", "topic"),
        # the choice under way is leaned on through the answers that came since
        (
            ["small team, all in on aws, ecs or eks?", "what about cost?", "and the learning curve?", "why?"],
            "Why Amazon ECS",
            "why",
        ),
        (
            ["small team, all in on aws, ecs or eks?", "what about cost?", "we also need windows containers"],
            "Recommendation: Amazon ECS",
            "situation",
        ),
        # a question of its own stays one
        (["ecs or eks?", "what is fargate?"], "AWS Fargate", None),
    ],
)
def test_replies_lean_on_the_thread(engine, messages, title, follow_up):
    answer, _ = thread_after(engine, *messages)
    assert answer.title == title and answer.match.follow_up == follow_up


def test_a_choice_asked_afresh_in_the_thread_adds_to_the_situation_read(engine):
    """ "we already run kubernetes on prem" names a topic, so it reads as a question of its own; in a thread
    where a situation was read it is still the same team."""
    answer, thread = thread_after(
        engine, "we are a small team all in on aws, ecs or eks?", "we already run kubernetes on prem"
    )
    assert answer.match.follow_up == "situation" and answer.kind == "recommendation"
    assert (
        thread.situation
        == answer.match.situation
        == {
            "aws_invested": "yes",
            "simplicity": "yes",
            "kubernetes": "yes",
            "own_hardware": "yes",
        }
    )


def test_help_and_not_sure_change_nothing_a_reply_leans_on(engine):
    _, thread = thread_after(engine, "ecs or eks?", "we already run kubernetes on prem")
    for text in ("thanks!", "lunch?"):
        answer = cv.reply(engine, text, thread)
        assert answer.kind in ("help", "fallback") and cv.after(answer, thread) is thread


def test_the_payload_travels_and_comes_back_whole(engine, knowledge):
    _, thread = thread_after(engine, "ecs or eks?", "we already run kubernetes on prem", "what about cost?")
    payload = cv.to_payload(thread)
    assert payload == {
        "kind": "comparison",
        "topics": ["ecs", "eks"],
        "attribute": "cost",
        "choice": True,
        "situation": {"kubernetes": "yes", "own_hardware": "yes"},
        "recommendation": "eks",
    }
    assert None not in payload.values()  # Slack's payload values are never null
    assert cv.from_payload(payload, knowledge) == thread
    assert cv.situation_code(knowledge, thread) == "kubernetes=yes own_hardware=yes"


@pytest.mark.parametrize(
    "payload, expected",
    [
        (None, None),
        ([], None),
        ({"kind": "help"}, None),
        ({"kind": "definition", "topics": ["nope"]}, None),
        (
            {"kind": "definition", "topics": ["ecr", "nope"], "attribute": "nope"},
            Context("definition", ("ecr",)),
        ),
        (
            {"kind": "attribute", "topics": ["ecs"], "attribute": "cost", "recommendation": "ecs"},
            Context("attribute", ("ecs",), "cost"),
        ),
    ],
)
def test_untrusted_payloads_keep_only_what_the_knowledge_has(knowledge, payload, expected):
    thread = cv.from_payload(payload, knowledge)
    assert (thread.last if thread else None) == expected
    if thread:
        assert thread.choice is None  # no "choice": no choice under way, whatever else it says


def test_an_untrusted_situation_keeps_only_real_answers(knowledge):
    payload = {
        "kind": "recommendation",
        "situation": {"windows": "yes", "kubernetes": "maybe", "nope": "yes", "gpu": ["yes"]},
        "recommendation": "openshift",
    }
    thread = cv.from_payload(payload, knowledge)
    assert thread.situation == {"windows": "yes"} and thread.choice.recommendation is None


def test_an_untrusted_payload_keeps_at_most_five_topics(knowledge):
    topics = ["nope", *list(knowledge.topics)[:8]]
    thread = cv.from_payload({"kind": "comparison", "topics": topics}, knowledge)
    assert thread.last.topics == tuple(list(knowledge.topics)[:4])  # the first five, of which one is unknown


def test_a_choice_picked_on_a_button_reads_like_a_message_stating_it(engine):
    answer = cv.choice_answer(engine, {"kubernetes": "yes", "nope": "x"})
    assert answer.recommendation == "eks" and answer.match.situation == {"kubernetes": "yes"}
    assert cv.after(answer, None).situation == {"kubernetes": "yes"}
    still_open = cv.choice_answer(engine, {"simplicity": "no"})
    assert still_open.recommendation is None and "It depends" in still_open.title


def test_a_choice_asked_afresh_in_another_language_keeps_its_language_note(engine):
    answer, _ = thread_after(
        engine,
        "we are a small team all in on aws, ecs or eks?",
        "ya usamos kubernetes en nuestros servidores, ¿ecs o eks?",
    )
    assert answer.match.follow_up == "situation" and answer.match.situation.get("kubernetes") == "yes"
    assert answer.match.situation.get("aws_invested") == "yes"
    assert answer.parts[0] == "(You asked in Spanish; I answer in English.)"
