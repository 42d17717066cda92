"""Messages and views that are not answers: 'Why this answer?', App Home, `/container-choice help`."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from ..knowledge.model import Knowledge
from ..understanding.match import Match
from ..understanding.normalise import escape_slack
from .blocks import MAX_FALLBACK_TEXT, _button, _modal, _section, _start_button, clip
from .ids import ACTION_COMPARE, SHARE_CHANNEL_ACTION, SHARE_CHANNEL_BLOCK, SHARE_VIEW


def why_message(match: Match, question: str) -> dict:
    """The 'Why this answer?' view: what the matcher understood, for the person who clicked.

    The question is quoted as data: one line of plain_text, so no markup or line break in it can pass for
    the lines that follow (a planted "*Read as:*")."""
    asked = "You asked: " + escape_slack(clip(" ".join(question.split()), 500))
    lines = [
        f"*Read as:* {match.kind}"
        + (f" about {', '.join(match.topics)}" if match.topics else "")
        + (f" ({match.attribute})" if match.attribute else ""),
        f"*Confidence:* {match.confidence:.2f} (threshold {match.threshold:.2f}); "
        f"{escape_slack(match.reason)}",
    ]
    if match.situation:
        lines.append("*Situation read:* " + ", ".join(f"{k}={v}" for k, v in match.situation.items()))
    evidence = [
        f"• {h.phrase.kind} “{escape_slack(h.phrase.text)}” matched “{escape_slack(h.matched)}” "
        f"(score {h.score:.2f}{', negated' if h.negated else ''})"
        for h in match.evidence[:25]
    ]
    text = "\n".join(lines) + ("\n*Matched phrasings:*\n" + "\n".join(evidence) if evidence else "")
    quoted = SectionBlock(text=PlainTextObject(text=asked, emoji=False))
    return {
        "text": clip(f"{asked}\n{text.replace('*', '')}", MAX_FALLBACK_TEXT),
        "blocks": [quoted.to_dict(), _section(text).to_dict()],
    }


def home_view(knowledge: Knowledge) -> dict:
    names = ", ".join(t.name for t in knowledge.topics.values() if t.category in ("orchestrator", "registry"))
    examples = [
        "what is ecr again",
        "ecs vs eks learning curve",
        "is ECS built on Kubernetes?",
        "our platform is all kubernetes in our DC, moving to aws - which one?",
        "how much does eks cost",
    ]
    blocks = [
        HeaderBlock(text=PlainTextObject(text="container-bot")),
        _section(
            f"I answer questions about {names}: what they are, how they compare, and which one fits your "
            "team. Mention me in a channel, send me a DM, or run `/container-choice`."
        ),
        _section("*Try asking*\n" + "\n".join(f"• {escape_slack(e)}" for e in examples)),
        _section(
            "*Commands*\n• `/container-choice`: the guided choice\n"
            "• `/container-choice ecs vs eks`: answer a question\n• `/container-choice help`\n"
            "• Message menu → *Ask container-bot*: answer any message in "
            "its thread"
        ),
        DividerBlock(),
        ActionsBlock(
            elements=[
                _start_button("home"),
                _button("Compare ECS and EKS", ACTION_COMPARE, "ecs vs eks"),
            ]
        ),
    ]
    return View(type="home", blocks=blocks).to_dict()


def help_message(knowledge: Knowledge) -> dict:
    """`/container-choice help`, in plain words: the questions are named by what they ask, never by an id."""
    topics = sorted({q.split("(")[0].strip().rstrip("?") for q in (c.question for c in knowledge.criteria)})
    text = (
        "*/container-choice* runs a guided choice between ECS and EKS: a few questions, the deciding one "
        "first, then a recommendation with its reasons, private to you until you share it.\n"
        "• `/container-choice`: start the guided choice\n"
        "• `/container-choice ecs vs eks learning curve`: answer a question directly\n"
        "• `/container-choice` followed by the answer code a result shows: replay that result\n"
        f"It may ask, for example: {_md_list(topics[:3])}."
    )
    return {"text": text.replace("*", ""), "blocks": [_section(text).to_dict()]}


def _md_list(items: list[str]) -> str:
    return "; ".join(escape_slack(i) for i in items)


def share_picker_view(metadata: dict) -> dict:
    """A small modal to pick the channel a guided-choice result is shared in (from a DM, sharing "here" would
    only post into the DM). `metadata` carries the answer code to the submission."""
    picker = ConversationSelectElement(
        action_id=SHARE_CHANNEL_ACTION,
        placeholder=PlainTextObject(text="Pick a channel"),
        filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
    )
    field = InputBlock(
        block_id=SHARE_CHANNEL_BLOCK,
        label=PlainTextObject(text="Share the recommendation in"),
        element=picker,
    )
    return _modal(SHARE_VIEW, "Share the result", [field], submit="Share", close="Cancel", metadata=metadata)


def share_status_view(text: str) -> dict:
    """What the share modal turns into: sharing, shared, or why it could not be shared."""
    return _modal(f"{SHARE_VIEW}_status", "Share the result", [_section(text)], close="Done")
