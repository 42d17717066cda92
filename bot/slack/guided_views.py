"""The guided-choice modal, one question at a time: pure builders of its views and readers of its submissions.

Each step is one question (radio buttons with "Not sure", or a checklist of checkboxes, none ticked allowed);
submitting it updates the modal to the next question (`response_action: update`), until no answer left can
change the verdict; then the modal shows the recommendation, and its submit button is "Answer more to be
sure", which shows every question not answered yet in one view. What the choice knows travels from step to
step in the view's private_metadata (`g`), beside where to deliver the result, so any replica serves any
step."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    RadioButtonsElement,
)

from ..answering.answer import Answer
from ..answering.guided import (
    NOT_SURE,
    Progress,
    Step,
    answer,
    from_data,
    live_ticks,
    possible,
    remaining,
    to_data,
)
from ..knowledge.guided_limits import MAX_LABEL, MAX_OPTION_TEXT, MODAL_BLOCKS
from ..knowledge.model import Checklist, Criterion, Knowledge
from .blocks import _modal, answer_blocks, clip, text_section
from .ids import CHOICE_ACTION_ID, CHOICE_VIEW

TITLE = "ECS or EKS?"
UNSURE = "?"  # the "Not sure" radio button's value: no option value reads like this (answer codes cannot)
STEP, MORE, RESULT = "step", "more", "result"
INTRO = "A few questions about your team and platform, then a recommendation with its reasons."


def _carried(metadata: dict, progress: Progress, mode: str, step: str = "") -> dict:
    """Where to deliver the result, and what the choice knows (`g`): progress, mode, the step shown."""
    where = {k: v for k, v in metadata.items() if k != "g"}
    return {**where, "g": {**to_data(progress), "m": mode, "s": step}}


def _option(text: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=clip(text, MAX_OPTION_TEXT)), value=value)


def _radio(criterion: Criterion, values: list[str], block_id: str, optional: bool = False) -> InputBlock:
    options = [_option(o.label, o.value) for v in values if (o := criterion.option(v))]
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=clip(criterion.question, MAX_LABEL)),
        element=RadioButtonsElement(
            action_id=CHOICE_ACTION_ID, options=[*options, _option("Not sure", UNSURE)]
        ),
        optional=optional,
    )


def step_view(knowledge: Knowledge, metadata: dict, progress: Progress, step: Step) -> dict:
    """One question: radio buttons with "Not sure", or a checklist where ticking nothing is an answer."""
    number = len(progress.asked) + 1
    blocks: list = [ContextBlock(elements=[MarkdownTextObject(text=f"Question {number} · {INTRO}")])]
    if isinstance(step, Checklist):
        ticks = live_ticks(knowledge, step, progress)
        element = CheckboxesElement(
            action_id=CHOICE_ACTION_ID, options=[_option(t.label, str(i)) for i, t in enumerate(ticks)]
        )
        label = PlainTextObject(text=clip(step.question, MAX_LABEL))
        blocks.append(InputBlock(block_id=step.id, label=label, element=element, optional=True))
    else:
        blocks.append(_radio(step, [v for v in possible(step, progress) if v != NOT_SURE], step.id))
    carried = _carried(metadata, progress, STEP, step.id)
    return _modal(CHOICE_VIEW, TITLE, blocks, submit="Next", close="Cancel", metadata=carried)


def more_view(knowledge: Knowledge, metadata: dict, progress: Progress) -> dict:
    """ "Answer more to be sure": every question not answered yet, each with every answer and "Not sure"."""
    blocks: list = [text_section("Answer what you can; what you leave counts as *Not sure*.")]
    for criterion in knowledge.criteria:
        if criterion.id not in progress.answers:
            values = [o.value for o in criterion.options]
            blocks.append(_radio(criterion, values, criterion.id, optional=True))
    carried = _carried(metadata, progress, MORE)
    return _modal(
        CHOICE_VIEW, TITLE, blocks[:MODAL_BLOCKS], submit="Recommend", close="Cancel", metadata=carried
    )


def result_view(knowledge: Knowledge, metadata: dict, progress: Progress, result: Answer, more: bool) -> dict:
    """The recommendation, its reasons and answer code; with `more`, its submit button answers more to be
    sure."""
    result.expanded = True
    blocks = answer_blocks(result, with_actions=False)
    if not (more and remaining(knowledge, progress) is not None):
        return _modal(f"{CHOICE_VIEW}_result", TITLE, blocks[:MODAL_BLOCKS], close="Done")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text="No answer left would change this.")]))
    carried = _carried(metadata, progress, RESULT)
    return _modal(
        CHOICE_VIEW,
        TITLE,
        blocks[:MODAL_BLOCKS],
        submit="Answer more to be sure",
        close="Done",
        metadata=carried,
    )


def carried_progress(knowledge: Knowledge, metadata: dict) -> tuple[Progress, str, str] | None:
    """(progress, mode, step shown) from a submission's private_metadata; None when it carries none (a modal
    an earlier version opened) or what it carries does not read."""
    guided = metadata.get("g")
    progress = from_data(knowledge, guided)
    if progress is None or not isinstance(guided, dict) or guided.get("m") not in (STEP, MORE, RESULT):
        return None
    return progress, guided["m"], str(guided.get("s") or "")


def _selected(values: dict, block_id: str) -> dict:
    return (values.get(block_id) or {}).get(CHOICE_ACTION_ID) or {}


def read_step(knowledge: Knowledge, progress: Progress, step_id: str, values: dict) -> Progress | None:
    """The progress after the step shown was submitted; None when that step is not one the knowledge has."""
    checklist = next((c for c in knowledge.checklists if c.id == step_id), None)
    if checklist is not None:
        ticks = live_ticks(knowledge, checklist, progress)
        chosen = {
            o.get("value")
            for o in _selected(values, step_id).get("selected_options") or []
            if isinstance(o, dict)
        }
        return answer(knowledge, progress, checklist, [t for i, t in enumerate(ticks) if str(i) in chosen])
    criterion = knowledge.criterion(step_id)
    if criterion is None:
        return None
    return answer(knowledge, progress, criterion, _value(criterion, values))


def read_more(knowledge: Knowledge, progress: Progress, values: dict) -> Progress:
    """The answers of the "answer more" view; a question left counts as "Not sure"."""
    answers = dict(progress.answers)
    for criterion in knowledge.criteria:
        if criterion.id not in answers:
            answers[criterion.id] = _value(criterion, values)
    return Progress(answers, progress.ruled_out, progress.vetoes_out, progress.asked)


def _value(criterion: Criterion, values: dict) -> str:
    picked = (_selected(values, criterion.id).get("selected_option") or {}).get("value")
    return picked if isinstance(picked, str) and criterion.option(picked) else NOT_SURE
