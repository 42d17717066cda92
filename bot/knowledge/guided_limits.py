"""What Slack can show of the knowledge file's guided choice, checked when the file is loaded.

The guided choice is a Slack modal: an introduction, then one input block of radio buttons per criterion,
and its result carries an answer code (`kubernetes=yes team_k8s=no`) that a button and `/container-choice`
replay. A criterion Slack cannot render makes views.open fail, so the user would see nothing: such a file is
invalid, and `container-bot check` says where (FILE:LINE), as for any other mistake in it. Plain numbers and
no Slack import: the core stays Slack-free, and the Block Kit builders use the same limits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

MODAL_BLOCKS = 100  # blocks a modal holds
INTRO_BLOCKS = 1  # the guided choice's introduction, above the questions
MAX_CRITERIA = MODAL_BLOCKS - INTRO_BLOCKS
MAX_OPTIONS = 10  # radio buttons in one element
MAX_OPTION_TEXT = 75  # characters of an option's text (its label)
MAX_OPTION_VALUE = 150  # characters of an option's value
MAX_BLOCK_ID = 255  # a criterion id is its input block's block_id
MAX_LABEL = 2000  # characters of an input block's label (the question)
MAX_BUTTON_VALUE = 2000  # a button's value: the Share button carries the whole answer code

# An answer code is `id=value` pairs read back lowercased (bot/answering/codes.py builds its _CODE_PAIR from
# these): ids and values that do not already look like this could be shown and chosen, but the result could
# never be replayed or shared.
CODE_ID = re.compile(r"[a-z0-9_]+")
CODE_VALUE = re.compile(r"[a-z0-9_\-]+")


def guided_choice_problems(recommendation: Any, line_of: Callable[..., int]) -> Iterator[tuple[int, str]]:
    """(line, message) for everything in the `recommendation` section's criteria that the guided-choice modal
    cannot show.

    `line_of(container, key)` is the loader's line finder. Shapes and types are the loader's own checks;
    entries it already refused are skipped here."""
    criteria = recommendation.get("criteria") if isinstance(recommendation, dict) else None
    if not isinstance(criteria, list):
        return
    if len(criteria) > MAX_CRITERIA:
        yield (
            line_of(recommendation, "criteria"),
            f"recommendation: {len(criteria)} criteria, but the guided-choice modal holds at most "
            f"{MAX_CRITERIA} questions ({MODAL_BLOCKS} blocks)",
        )
    longest_code = 0
    for item in criteria:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        ident, what = item["id"], f"criterion '{item['id']}'"
        if not CODE_ID.fullmatch(ident):
            yield line_of(item, "id"), f"{what}: an id in an answer code is lowercase letters, digits and '_'"
        elif len(ident) > MAX_BLOCK_ID:
            yield line_of(item, "id"), f"{what}: the id is over {MAX_BLOCK_ID} characters (a block_id)"
        question = item.get("question")
        if isinstance(question, str) and len(question) > MAX_LABEL:
            yield line_of(item, "question"), f"{what}: the question is over {MAX_LABEL} characters"
        options = item.get("options")
        if not isinstance(options, list):
            continue
        if len(options) > MAX_OPTIONS:
            yield (
                line_of(item, "options"),
                f"{what}: {len(options)} options, but Slack shows at most {MAX_OPTIONS} radio buttons",
            )
        widest = 0
        for option in options:
            if not isinstance(option, dict):
                continue
            value, label = option.get("value"), option.get("label")
            if isinstance(value, str):
                widest = max(widest, len(value))
                if len(value) > MAX_OPTION_VALUE:
                    yield (
                        line_of(option, "value"),
                        f"{what}: option value '{value[:20]}…' is over {MAX_OPTION_VALUE} characters",
                    )
                elif not CODE_VALUE.fullmatch(value):
                    yield (
                        line_of(option, "value"),
                        f"{what}: option value '{value}' cannot be replayed in an answer code "
                        "(lowercase letters, digits, '_' and '-')",
                    )
            if isinstance(label, str) and len(label) > MAX_OPTION_TEXT:
                yield (
                    line_of(option, "label"),
                    f"{what}: option label is {len(label)} characters; a radio button shows at most "
                    f"{MAX_OPTION_TEXT}",
                )
        longest_code += len(ident) + 1 + widest + 1
    if longest_code - 1 > MAX_BUTTON_VALUE:
        yield (
            line_of(recommendation, "criteria"),
            f"recommendation: the longest answer code is {longest_code - 1} characters, over the "
            f"{MAX_BUTTON_VALUE} a Share button can carry",
        )
