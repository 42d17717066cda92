"""Pure Block Kit builders: an Answer (or a step of the guided choice) in, blocks and views out.

Every builder keeps within Slack's limits (50 blocks a message, 150-character headers, 3,000-character
sections, 10 fields of 2,000, 75-character button texts, 2,000-character values, 255-character ids),
truncating with an ellipsis rather than letting Slack reject the message.
"""

from __future__ import annotations

import json
from urllib.parse import urlparse

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextActionsBlock,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    FeedbackButtonObject,
    FeedbackButtonsElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from ..answering.answer import Answer
from ..knowledge.guided_limits import MAX_LABEL, MAX_OPTION_TEXT, MODAL_BLOCKS
from ..knowledge.model import Criterion, Knowledge
from ..understanding.match import Match
from ..understanding.normalise import escape_slack
from .ids import (
    ACTION_COMPARE,
    ACTION_DECIDE_PREFIX,
    ACTION_FEEDBACK,
    ACTION_SHARE,
    ACTION_START_CHOICE,
    ACTION_SUGGESTION_PREFIX,
    ACTION_WHY,
    CHOICE_ACTION_ID,
    CHOICE_VIEW,
    SHARE_CHANNEL_ACTION,
    SHARE_CHANNEL_BLOCK,
    SHARE_VIEW,
)

MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_BUTTON_TEXT = 75
MAX_VALUE = 2000
MAX_FALLBACK_TEXT = 3000
QUESTION_IN_VALUE = 1500
FEEDBACK_QUESTION = 200  # the question a feedback click logs: as the unanswered log, 200 characters
FEEDBACK_VALUES = ("up", "down")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _md(text: str) -> str:
    """Knowledge text as mrkdwn: escaped, so nothing in it can form Slack markup."""
    return escape_slack(text)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, MAX_SECTION)))


def text_section(text: str) -> dict:
    """One mrkdwn section of text we wrote ourselves (it may use Slack formatting), as a dict."""
    return _section(text).to_dict()


def _button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=clip(text, MAX_BUTTON_TEXT), emoji=True),
        action_id=action_id,
        value=clip(value, MAX_VALUE),
        style=style,
    )


def _start_button(choice_code: str) -> ButtonElement:
    """The button that opens the guided choice, with the situation read so far (an answer code) selected."""
    return _button("Start guided choice", ACTION_START_CHOICE, choice_code, style="primary")


def _modal(
    callback_id: str,
    title: str,
    blocks: list,
    *,
    close: str,
    submit: str | None = None,
    metadata: dict | None = None,
) -> dict:
    """A modal view; `metadata` travels to the submission as private_metadata (JSON, within Slack's 3,000
    characters)."""
    return View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text=submit) if submit else None,
        close=PlainTextObject(text=close),
        private_metadata=None
        if metadata is None
        else clip(json.dumps(metadata, separators=(",", ":")), 3000),
        blocks=blocks,
    ).to_dict()


def _source_link(url: str) -> str:
    parsed = urlparse(url)
    label = (parsed.netloc + parsed.path).rstrip("/")
    return f"<{url}|{clip(label, 60)}>"


def fallback_text(answer: Answer) -> str:
    """The plain `text` every message carries (notifications, screen readers, old clients)."""
    return clip(answer.text, MAX_FALLBACK_TEXT)


def answer_blocks(
    answer: Answer,
    question: str = "",
    with_actions: bool = True,
    *,
    deciding: tuple[Criterion, ...] | list[Criterion] = (),
    choice_code: str = "",
    feedback: str | None = None,
) -> list:
    """`deciding`: questions whose answer would settle an open recommendation, offered as buttons;
    `choice_code`: the situation read so far, which the guided choice opens with; `feedback`: the question
    as the feedback click logs it (mentions and secrets removed), or None for no 👍/👎."""
    blocks: list = [HeaderBlock(text=PlainTextObject(text=clip(answer.title, MAX_HEADER), emoji=True))]
    if answer.parts:
        blocks.append(_section("\n\n".join(_md(p) for p in answer.parts)))
    for name, values in answer.table:
        fields = [
            MarkdownTextObject(text=clip(f"*{_md(h)}*\n{_md(v)}", MAX_FIELD))
            for h, v in zip(answer.table_header, values, strict=True)
        ][:MAX_FIELDS]
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=clip(f"*{_md(name)}*", MAX_SECTION)), fields=fields)
        )
    if answer.differences:
        blocks.append(_section("*Key differences*\n" + "\n".join(f"• {_md(d)}" for d in answer.differences)))
    if answer.summary:
        blocks.append(_section(f"*In short:* {_md(answer.summary)}"))
    if answer.reasons:
        blocks.append(_section("*Why*\n" + "\n".join(f"• {_md(r)}" for r in answer.reasons)))
    if answer.changes:
        blocks.append(_section("*What would change it*\n" + "\n".join(f"• {_md(c)}" for c in answer.changes)))
    if answer.code:
        blocks.append(
            _section(
                f"Answer code: `{_md(answer.code)}` (replay it with `/container-choice {_md(answer.code)}`)"
            )
        )
    context = (
        [
            MarkdownTextObject(
                text=clip(
                    f"{answer.sources_label}: " + " · ".join(_source_link(s) for s in answer.sources),
                    MAX_FIELD,
                )
            )
        ]
        if answer.sources
        else []
    )
    if answer.kind not in ("help",):
        context.append(MarkdownTextObject(text=f"confidence {answer.confidence:.2f}"))
    if context:
        blocks.append(ContextBlock(elements=context))
    if deciding and answer.kind == "recommendation" and not answer.recommendation:
        blocks += deciding_blocks(deciding, answer.code)
    if with_actions:
        blocks += answer_actions(answer, question, choice_code)
    if feedback is not None and answer.kind != "help":
        blocks.append(feedback_block(answer, feedback))
    return blocks[:MAX_BLOCKS]


def deciding_blocks(deciding, code: str) -> list:
    """ "One answer would settle it": each question with a button per answer, whose value is the situation
    read so far plus that answer (an answer code)."""
    blocks: list = [_section("*One answer would settle it:*")]
    for criterion in list(deciding)[:2]:
        blocks.append(_section(_md(criterion.question)))
        buttons = [
            _button(
                option.label,
                f"{ACTION_DECIDE_PREFIX}{criterion.id}_{option.value}",
                " ".join(p for p in (code, f"{criterion.id}={option.value}") if p),
            )
            for option in criterion.options[:5]
        ]
        blocks.append(ActionsBlock(elements=buttons))
    return blocks


def feedback_value(answer: Answer, question: str, vote: str) -> str:
    """What a feedback click carries: the vote, and what the log line needs (kind, topics, confidence, the
    question as logged). Read back as untrusted input."""
    value = {
        "v": vote,
        "k": answer.kind,
        "t": list(answer.topics)[:5],
        "c": round(float(answer.confidence), 2),
        "q": clip(" ".join(question.split()), FEEDBACK_QUESTION),
    }
    return clip(json.dumps(value, separators=(",", ":"), ensure_ascii=False), MAX_VALUE)


def feedback_block(answer: Answer, question: str) -> ContextActionsBlock:
    """👍/👎 under an answer: Block Kit's feedback buttons, in a context actions block."""
    return ContextActionsBlock(
        elements=[
            FeedbackButtonsElement(
                action_id=ACTION_FEEDBACK,
                positive_button=FeedbackButtonObject(
                    text=PlainTextObject(text="👍", emoji=True),
                    accessibility_label="This answer helped",
                    value=feedback_value(answer, question, "up"),
                ),
                negative_button=FeedbackButtonObject(
                    text=PlainTextObject(text="👎", emoji=True),
                    accessibility_label="This answer did not help",
                    value=feedback_value(answer, question, "down"),
                ),
            )
        ]
    )


def answer_actions(answer: Answer, question: str, choice_code: str = "") -> list:
    buttons = []
    for i, suggestion in enumerate(answer.suggestions[:3]):
        buttons.append(_button(f"Did you mean: {suggestion}", f"{ACTION_SUGGESTION_PREFIX}{i}", suggestion))
    if not (answer.kind == "comparison" and answer.topics == ["ecs", "eks"] and not answer.attribute):
        buttons.append(_button("Compare ECS and EKS", ACTION_COMPARE, "ecs vs eks"))
    buttons.append(_start_button(choice_code or "start"))
    if question and answer.kind != "help":
        buttons.append(_button("Why this answer?", ACTION_WHY, clip(question, QUESTION_IN_VALUE)))
    return [ActionsBlock(elements=buttons)] if buttons else []


def answer_message(answer: Answer, question: str = "", with_actions: bool = True, **extras) -> dict:
    """chat.postMessage / respond() keyword arguments for an answer; `extras` as answer_blocks takes them."""
    return {
        "text": fallback_text(answer),
        "blocks": [b.to_dict() for b in answer_blocks(answer, question, with_actions, **extras)],
    }


def choice_prompt_message(choice_code: str = "") -> dict:
    """The answer to "Start the guided choice" typed or picked as a suggested prompt: a modal opens only on a
    click, so the button that opens it (with the situation read so far)."""
    text = (
        "The guided choice asks a few questions about your team and platform, then recommends ECS or EKS "
        "with its reasons." + (" It starts with what you told me so far." if choice_code else "")
    )
    button = _start_button(choice_code or "start")
    return {"text": text, "blocks": [_section(text).to_dict(), ActionsBlock(elements=[button]).to_dict()]}


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


# ------------------------------------------------------------------------------------ guided choice


def choice_view(knowledge: Knowledge, metadata: dict, preset: dict[str, str] | None = None) -> dict:
    """The guided-choice modal: every criterion as a question with one radio button per answer.

    Stateless: where to deliver the result travels in private_metadata, the answers in the submission."""
    blocks: list = [
        _section(
            "A few questions about your team and platform, then a recommendation with its "
            "reasons. Your answers are not stored."
        )
    ]
    for criterion in knowledge.criteria:
        options = [
            Option(text=PlainTextObject(text=clip(o.label, MAX_OPTION_TEXT)), value=o.value)
            for o in criterion.options
        ]
        initial = next(
            (
                o
                for o, src in zip(options, criterion.options, strict=True)
                if (preset or {}).get(criterion.id) == src.value
            ),
            None,
        )
        blocks.append(
            InputBlock(
                block_id=criterion.id,
                label=PlainTextObject(text=clip(criterion.question, MAX_LABEL)),
                element=RadioButtonsElement(
                    action_id=CHOICE_ACTION_ID, options=options, initial_option=initial
                ),
            )
        )
    return _modal(
        CHOICE_VIEW,
        "ECS or EKS?",
        blocks[:MODAL_BLOCKS],
        submit="Recommend",
        close="Cancel",
        metadata=metadata,
    )


def choice_result_view(answer: Answer) -> dict:
    """What the modal turns into after submission."""
    blocks = answer_blocks(answer, with_actions=False)
    return _modal(f"{CHOICE_VIEW}_result", "ECS or EKS?", blocks[:100], close="Done")


def choice_result_message(answer: Answer, shared_by: str | None = None) -> dict:
    """The guided choice's result as a message: private first, with a button to share it."""
    blocks = answer_blocks(answer, with_actions=False)
    if shared_by:
        blocks.insert(
            1, ContextBlock(elements=[MarkdownTextObject(text=f"Guided choice shared by <@{shared_by}>")])
        )
    else:
        blocks.append(
            ActionsBlock(elements=[_button("Share in channel", ACTION_SHARE, answer.code, style="primary")])
        )
    return {"text": fallback_text(answer), "blocks": [b.to_dict() for b in blocks[:MAX_BLOCKS]]}


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
    text = (
        "*/container-choice* runs a guided choice between ECS and EKS: a few questions, "
        "then a recommendation "
        "with its reasons, private to you until you share it.\n"
        "• `/container-choice`: start the guided choice\n"
        "• `/container-choice ecs vs eks learning curve`: answer a question directly\n"
        "• `/container-choice kubernetes=yes team_k8s=no`: replay a result from its answer code\n"
        f"Criteria: {', '.join(c.id for c in knowledge.criteria)}."
    )
    return {"text": text.replace("*", ""), "blocks": [_section(text).to_dict()]}
