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
    FeedbackButtonObject,
    FeedbackButtonsElement,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from ..answering.answer import Answer
from ..answering.brief import brief, cut
from ..answering.builders import GUIDED_CHOICE_POINTER
from ..knowledge.model import Criterion
from ..understanding.normalise import escape_slack
from .ids import (
    ACTION_COMPARE,
    ACTION_DECIDE_PREFIX,
    ACTION_FEEDBACK,
    ACTION_MORE,
    ACTION_SHARE,
    ACTION_START_CHOICE,
    ACTION_SUGGESTION_PREFIX,
    ACTION_WHY,
    CHOICE_VIEW,
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


def _start_button(choice_code: str, primary: bool = False) -> ButtonElement:
    """The button that opens the guided choice, with the situation read so far (an answer code) selected;
    primary only where it is clearly the next step."""
    return _button(
        "Start guided choice", ACTION_START_CHOICE, choice_code, style="primary" if primary else None
    )


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


SOURCES_SHOWN = 3  # pages named in an answer's sources line; the rest are counted ("+9 more")
SLACK_POINTER = "For a guided choice, run /container-choice or click *Start guided choice*."


def sources_line(answer: Answer) -> str:
    """Up to three pages by title, as links, then "+N more", and the day they were checked, once."""
    shown = [f"<{url}|{_md(clip(answer.titles.get(url) or _host(url), 60))}>" for url in answer.sources]
    line = " · ".join(shown[:SOURCES_SHOWN])
    if len(shown) > SOURCES_SHOWN:
        line += f" +{len(shown) - SOURCES_SHOWN} more"
    return line + (f" · checked {answer.checked}" if answer.checked else "")


def _host(url: str) -> str:
    return urlparse(url).netloc


def fallback_text(answer: Answer) -> str:
    """The plain `text` every message carries (notifications, screen readers, old clients): a complete short
    version, its first sentences and its first source, cut at a sentence boundary, never mid-word."""
    if answer.expanded:  # the whole answer was asked for (a guided choice's result, "Show more")
        return cut_lines([_slack_part(line) for line in answer.text.splitlines()], MAX_FALLBACK_TEXT)
    short = brief(answer)
    lines = [answer.title, *(_slack_part(line) for line in short.lines)]
    lines += [f"{name}: " + " | ".join(cells) for name, cells in short.rows]
    if answer.suggestions:
        lines.append("Did you mean: " + " / ".join(answer.suggestions))
    source = ""
    if answer.sources:
        first = answer.sources[0]
        source = f"\nSource: {answer.titles.get(first) or _host(first)} {first}"
    room = MAX_FALLBACK_TEXT - len(source)
    return cut_lines(lines, room) + source


def cut_lines(lines: list[str], limit: int) -> str:
    """Whole lines while they fit, then the next one cut at a sentence boundary (never mid-word)."""
    out: list[str] = []
    for line in lines:
        room = limit - sum(len(x) + 1 for x in out)
        if len(line) <= room:
            out.append(line)
            continue
        if room > 40:
            out.append(cut(line, room))
        break
    return "\n".join(out)


def _slack_part(text: str) -> str:
    """A part of an answer as Slack says it: in Slack, the guided choice is a command and a button."""
    return SLACK_POINTER if text == GUIDED_CHOICE_POINTER else text


def _body(answer: Answer) -> list:
    """The whole answer (after "Show more", the guided choice's result)."""
    blocks: list = []
    if answer.parts:
        parts = [_slack_part(p) for p in answer.parts]
        blocks.append(_section("\n\n".join(p if p == SLACK_POINTER else _md(p) for p in parts)))
    for name, values in answer.table:
        blocks.append(_row(answer, name, values))
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
    return blocks


def _row(answer: Answer, name: str, values) -> SectionBlock:
    fields = [
        MarkdownTextObject(text=clip(f"*{_md(h)}*\n{_md(v)}", MAX_FIELD))
        for h, v in zip(answer.table_header, values, strict=False)
    ][:MAX_FIELDS]
    return SectionBlock(text=MarkdownTextObject(text=clip(f"*{_md(name)}*", MAX_SECTION)), fields=fields)


def _short(answer: Answer) -> tuple[list, bool]:
    """The answer short first: what was asked, the reasons that decided it, the rows that differ most; and
    whether there is more to show."""
    short = brief(answer)
    blocks: list = []
    if short.lines:
        lines = [_slack_part(line) for line in short.lines]
        blocks.append(_section("\n\n".join(x if x == SLACK_POINTER else _md(x) for x in lines)))
    blocks += [_row(answer, name, cells) for name, cells in short.rows]
    return blocks, short.more


def answer_blocks(
    answer: Answer,
    question: str = "",
    with_actions: bool = True,
    *,
    deciding: tuple[Criterion, ...] | list[Criterion] = (),
    choice_code: str = "",
    feedback: str | None = None,
) -> list:
    """`deciding`: questions whose answer would settle an open recommendation (the first one that has two
    answers is offered as buttons); `choice_code`: the situation read so far, which the guided choice opens
    with; `feedback`: the question as the feedback click logs it (mentions and secrets removed), or None for
    no 👍/👎. Short first, unless the answer is `expanded` ("Show more" was clicked)."""
    blocks: list = [HeaderBlock(text=PlainTextObject(text=clip(answer.title, MAX_HEADER), emoji=True))]
    if answer.asked_by:
        blocks.append(_context(f"<@{answer.asked_by}> asked about this message:"))
    body, more = (_body(answer), False) if answer.expanded else _short(answer)
    blocks += body
    if answer.sources:
        blocks.append(_context(sources_line(answer)))
    step = _deciding(answer, deciding) if not answer.expanded else None
    if step is not None:
        blocks += deciding_blocks([step], answer.code)
    if with_actions:
        blocks += answer_actions(answer, question, choice_code, more, taken=len(step.options) if step else 0)
    if feedback is not None and answer.kind != "help":
        blocks.append(feedback_block(answer, feedback))
    return blocks[:MAX_BLOCKS]


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, MAX_FIELD))])


def _deciding(answer: Answer, deciding) -> Criterion | None:
    """The one question offered under an open recommendation: the weightiest that has two answers, so its
    buttons and the guided choice's stay within three."""
    if answer.kind != "recommendation" or answer.recommendation:
        return None
    return next((c for c in deciding if len(c.options) == 2), None)


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


COMPARE_QUESTION = "ecs vs eks"
MAX_BUTTONS = 3  # on an answer, besides 👍/👎: a phone shows them without scrolling


def answer_actions(
    answer: Answer, question: str, choice_code: str = "", more: bool = False, taken: int = 0
) -> list:
    """At most three buttons, the likeliest next step first, none doing what another does. "Start guided
    choice" is primary only under a recommendation that depends on the situation: there it is clearly next."""
    buttons = [
        _button(f"Did you mean: {s}", f"{ACTION_SUGGESTION_PREFIX}{i}", s)
        for i, s in enumerate(answer.suggestions[:MAX_BUTTONS])
    ]
    open_choice = answer.kind == "recommendation" and not answer.recommendation
    if open_choice:
        buttons.append(_start_button(choice_code or "start", primary=True))
    if more and question:
        label = "Full comparison" if answer.kind == "comparison" else "Show more"
        buttons.append(_button(label, ACTION_MORE, clip(question, QUESTION_IN_VALUE)))
    suggested = {s.lower() for s in answer.suggestions}
    compared = answer.kind == "comparison" and set(answer.topics) == {"ecs", "eks"}
    if not compared and not suggested & {"compare ecs and eks", COMPARE_QUESTION}:
        buttons.append(_button("Compare ECS and EKS", ACTION_COMPARE, COMPARE_QUESTION))
    if not open_choice and answer.kind in ("recommendation", "comparison", "help"):
        buttons.append(_start_button(choice_code or "start"))
    if question and answer.kind != "help":
        buttons.append(_button("Why this answer?", ACTION_WHY, clip(question, QUESTION_IN_VALUE)))
    buttons = buttons[: max(MAX_BUTTONS - taken, 1 if open_choice else 0)]
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


# ------------------------------------------------------------------------------------ guided choice


def choice_result_view(answer: Answer) -> dict:
    """What the modal turns into after submission: the whole result, its reasons and answer code."""
    answer.expanded = True
    blocks = answer_blocks(answer, with_actions=False)
    return _modal(f"{CHOICE_VIEW}_result", "ECS or EKS?", blocks[:100], close="Done")


def choice_result_message(answer: Answer, shared_by: str | None = None) -> dict:
    """The guided choice's result as a message: private first, with a button to share it."""
    answer.expanded = True
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
