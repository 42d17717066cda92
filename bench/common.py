"""What the benchmarks share with the tests, with no test framework in it: `python bench/run.py` works after a
plain `pip install .` (no pytest), run from the repository checkout."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def installed_command() -> str | None:
    """The installed `container-bot`: on PATH, or next to this Python (a virtualenv that is not activated)."""
    beside = Path(sys.executable).parent / "container-bot"
    return shutil.which("container-bot") or (str(beside) if beside.exists() else None)


def load_questions(name: str = "questions.tsv") -> list[dict]:
    """A labelled question set: kind, topics, attribute, recommendation and the text, one per line."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, topics, attribute, recommendation, text = line.split("\t")
        rows.append(
            {
                "kind": kind,
                "topics": [] if topics == "-" else sorted(topics.split(",")),
                "attribute": None if attribute == "-" else attribute,
                "recommendation": {"-": "-", "null": None}.get(recommendation, recommendation),
                "text": text,
            }
        )
    return rows
