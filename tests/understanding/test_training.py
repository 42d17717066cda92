"""Training the matcher: a new way of asking is an edit to examples.yaml alone, and what was learned is cached
between starts, but never reused by changed code or trusted when corrupt."""

import os
import shutil
from pathlib import Path

from bot.answering.engine import AnswerEngine
from bot.knowledge import load_knowledge
from bot.understanding.policy import Matcher
from tests.helpers import EXAMPLES, copy_knowledge


def test_a_new_phrasing_is_a_data_edit(tmp_path):
    """A made-up way of asking is not understood until examples of it are added to examples.yaml."""
    copy_knowledge(tmp_path)
    examples = EXAMPLES.read_text(encoding="utf-8")
    (tmp_path / "examples.yaml").write_text(examples, encoding="utf-8")
    before = AnswerEngine(load_knowledge(tmp_path / "knowledge.yaml")).ask("zorble eks")
    group = (
        "\n- kind: definition\n  topics: [ecs]\n  say:\n    - zorble ecs\n    - zorble amazon ecs please\n"
        "- kind: definition\n  topics: [ecr]\n  say:\n    - zorble ecr\n    - zorble the ecr thing\n"
        "- kind: definition\n  topics: [fargate]\n  say:\n    - zorble fargate\n"
    )
    (tmp_path / "examples.yaml").write_text(examples + group, encoding="utf-8")
    after = AnswerEngine(load_knowledge(tmp_path / "knowledge.yaml")).ask("zorble eks")
    assert after.kind == "definition" and after.topics == ["eks"]
    assert before.kind != "definition" or before.confidence < after.confidence


def test_training_at_start_is_reused_from_the_cache(tmp_path, monkeypatch, knowledge):
    monkeypatch.setenv("CONTAINER_BOT_CACHE", str(tmp_path))
    first = Matcher(knowledge)
    second = Matcher(knowledge)
    assert first.training_seconds > 0 and second.training_seconds == 0
    question = "we run helm charts on gke today, ecs or eks?"
    assert first.match(question).situation == second.match(question).situation
    # a corrupt or foreign file is ignored and replaced, never trusted
    (cached,) = tmp_path.iterdir()
    cached.write_bytes(b"\x00garbage")
    third = Matcher(knowledge)
    assert third.training_seconds > 0 and third.match(question).kind == "recommendation"


def test_changed_learning_code_under_the_same_version_retrains(tmp_path):
    """An install of new matcher code that keeps the version number must not reuse what old code learned."""
    import subprocess
    import sys

    import bot

    package = Path(bot.__file__).parent
    probe = (
        "from bot.knowledge import load_knowledge; from bot.understanding.cache import key_for; "
        "print(key_for(load_knowledge().checksum))"
    )

    def checksum_with(model_source: str) -> str:
        shutil.rmtree(tmp_path / "bot", ignore_errors=True)
        shutil.copytree(package, tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
        (tmp_path / "bot" / "understanding" / "mining.py").write_text(model_source, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(tmp_path), "CONTAINER_BOT_CACHE": "off"}
        env.pop("KNOWLEDGE_FILE", None)
        result = subprocess.run(
            [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    source = (package / "understanding" / "mining.py").read_text(encoding="utf-8")
    assert checksum_with(source) == checksum_with(source)
    assert checksum_with(source) != checksum_with(source + "\nNAME_MIN_COUNT = 3\n")
