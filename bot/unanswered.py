"""`container-bot unanswered LOGFILE`: the questions the bot could not answer, grouped, most asked first."""

from __future__ import annotations

import json
import re
import sys
from typing import TextIO

from .logs import redact, secrets_from_env
from .text import normalise

_TEXT_LINE = re.compile(r"unanswered question\b.*?\bquestion=(\".*\")\s*$")
SIMILAR = 80  # token_set_ratio at or above which two questions count as the same question


def questions_in(lines) -> list[str]:
    found = []
    for line in lines:
        line = line.strip()
        if "unanswered question" not in line:
            continue
        question = None
        if line.startswith("{"):
            try:
                record = json.loads(line)
                question = record.get("question") if record.get("message") == "unanswered question" else None
            except ValueError:
                question = None
        else:
            match = _TEXT_LINE.search(line)
            if match:
                try:
                    question = json.loads(match.group(1))
                except ValueError:
                    question = None
        if isinstance(question, str) and question:
            found.append(question)
    return found


def group(questions: list[str]) -> list[tuple[int, str, list[str]]]:
    """Greedy grouping by similarity of the normalised text: (count, representative, members)."""
    from rapidfuzz import fuzz

    groups: list[tuple[str, list[str]]] = []
    for question in questions:
        key = normalise(question).text
        for representative, members in groups:
            if fuzz.token_set_ratio(key, representative, processor=None, score_cutoff=SIMILAR):
                members.append(question)
                break
        else:
            groups.append((key, [question]))
    ranked = [(len(members), members[0], members) for _, members in groups]
    return sorted(ranked, key=lambda g: (-g[0], g[1]))


def report(path: str, out: TextIO, limit: int = 50, secrets: tuple[str, ...] | None = None) -> int:
    """The report; tokens and secrets in the log (written by an older version, or by anything else) are
    masked in it, as in the log lines this version writes: the configured ones (SLACK_BOT_TOKEN,
    SLACK_SIGNING_SECRET, SLACK_APP_TOKEN when set) and anything shaped like a Slack token or secret."""
    secrets = secrets_from_env() if secrets is None else secrets
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            questions = [redact(q, secrets) for q in questions_in(handle)]
    except OSError as exc:
        print(f"container-bot unanswered: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 1
    groups = group(questions)
    out.write(f"{len(questions)} unanswered questions in {len(groups)} groups\n")
    for count, representative, members in groups[:limit]:
        variants = len(set(members))
        out.write(
            f"{count:5d}  {representative}" + (f"  (+{variants - 1} similar)" if variants > 1 else "") + "\n"
        )
    return 0
