import os
from pathlib import Path

import pytest

from bot.answers import AnswerEngine
from bot.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge.yaml"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Bolt and our settings read SLACK_* implicitly; tests start from a clean slate."""
    for name in list(os.environ):
        if name.startswith("SLACK_") or name in ("KNOWLEDGE_FILE", "REDIS_URL", "ANSWER_THRESHOLD", "PORT"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(knowledge):
    return AnswerEngine(knowledge)


def load_questions(name: str = "questions.tsv"):
    rows = []
    for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, topics, attribute, recommendation, text = line.split("\t")
        rows.append({
            "kind": kind,
            "topics": [] if topics == "-" else sorted(topics.split(",")),
            "attribute": None if attribute == "-" else attribute,
            "recommendation": {"-": "-", "null": None}.get(recommendation, recommendation),
            "text": text,
        })
    return rows
