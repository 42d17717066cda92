"""The mobile check: every kind of answer, for 30 questions people ask, fits a phone's first screen: about 700
visible characters, at most three buttons besides 👍/👎, sources named by title, and a fallback text that is
a complete short version (first sentences and first source, never cut mid-word)."""

import re

import pytest

from bot.answering.decision import deciding_questions
from bot.slack import blocks as b

QUESTIONS = [
    "ecs vs eks",
    "what is ecr",
    "what is ecs",
    "what is eks again",
    "what is fargate",
    "ecs vs eks learning curve",
    "ecs vs eks cost",
    "ecr vs ecs",
    "eks vs kubernetes",
    "ecs anywhere vs eks anywhere",
    "ecs vs eks vs ecr",
    "how much does eks cost",
    "biggest layer i can push to ecr",
    "can ecs run windows containers?",
    "does eks fargate support daemonsets",
    "eks extended support price",
    "ecs or eks?",
    "small team, all in on aws, ecs or eks?",
    "our platform is all kubernetes in our DC, moving to aws - which one?",
    "we need helm charts and windows containers without servers, which one?",
    "vendor only ships a helm chart, ecs or eks?",
    "we are on gke and the team knows kubernetes well, which one?",
    "hi",
    "thanks!",
    "help",
    "lunch?",
    "who owns the eks cluster in staging?",
    "ECRとは何ですか",
    "¿Qué es Amazon ECR y para qué sirve?",
    "does ecs support teleporting containers between planets?",
]
BUDGET = 700
LINK = re.compile(r"<([^|>]+)\|([^>]+)>")


def visible(message: dict) -> str:
    """What a reader sees: header, sections, fields, context and button texts, links as their labels."""
    seen = []
    for block in message["blocks"]:
        text = block.get("text")
        if isinstance(text, dict):
            seen.append(text["text"])
        seen += [f["text"] for f in block.get("fields") or []]
        for element in block.get("elements") or []:
            if element.get("type") in ("mrkdwn", "plain_text"):
                seen.append(element["text"])
            elif element.get("type") == "button":
                seen.append(element["text"]["text"])
    return LINK.sub(r"\2", "\n".join(seen)).replace("*", "")


def buttons(message: dict) -> list[dict]:
    return [e for block in message["blocks"] if block["type"] == "actions" for e in block["elements"]]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_answer_fits_a_phone(engine, knowledge, question):
    answer = engine.ask(question)
    deciding = deciding_questions(knowledge, answer.match.situation if answer.match else {})
    message = b.answer_message(answer, question, deciding=deciding, feedback=question)
    shown = visible(message)
    assert len(shown) <= BUDGET, (len(shown), shown)
    assert len(buttons(message)) <= 3
    assert sum(e.get("style") == "primary" for e in buttons(message)) <= 1
    texts = [e["text"]["text"] for e in buttons(message)]
    assert len(texts) == len(set(texts)) and not (
        "Compare ECS and EKS" in texts and "Did you mean: Compare ECS and EKS" in texts
    )
    assert "confidence" not in shown and not re.search(r"(?<!\$)\b[01]\.\d\d\b", shown)
    assert "terminal" not in shown and "container-bot choose" not in shown
    context = " ".join(
        e["text"] for block in message["blocks"] if block["type"] == "context" for e in block["elements"]
    )
    links = LINK.findall(context)
    assert all(not label.startswith(("http", "docs.aws")) for _, label in links)
    assert len(links) <= 3 and (not answer.sources or links)
    fallback = message["text"]
    assert fallback.startswith(answer.title)
    if answer.sources:
        assert answer.sources[0] in fallback and "Source: " in fallback
    body = fallback.split("\nSource: ")[0]
    assert not body.endswith("…") or body[:-1] == body[:-1].rstrip()  # an ellipsis follows a whole word


def test_ecs_vs_eks_is_short_and_the_full_comparison_is_one_click_away(engine):
    answer = engine.ask("ecs vs eks")
    message = b.answer_message(answer, "ecs vs eks")
    assert len(visible(message)) <= BUDGET
    (more,) = [e for e in buttons(message) if e["action_id"] == "show_more"]
    assert more["text"]["text"] == "Full comparison" and more["value"] == "ecs vs eks"
    answer.expanded = True
    full = visible(b.answer_message(answer, "ecs vs eks"))
    assert "Key differences" in full and len(full) > 2 * BUDGET


def test_an_attribute_comparison_stays_one_row(engine):
    answer = engine.ask("ecs vs eks learning curve")
    message = b.answer_message(answer, "ecs vs eks learning curve")
    rows = [block for block in message["blocks"] if block.get("fields")]
    assert len(rows) == 1
