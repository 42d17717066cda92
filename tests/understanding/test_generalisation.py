"""How well the understanding generalises, measured on messages it was not trained on: cross-validation over
the examples, the blind set (written by someone who never read the code, scored once before any tuning and
never tuned on since) and the channel chatter set. These are floors, not targets."""

import json
import os
import shutil
from pathlib import Path

import pytest

from bot.answering.engine import AnswerEngine
from bot.answering.evaluation import cross_validate, load_labelled, overheard, score_labelled
from bot.knowledge import load_knowledge
from bot.understanding.policy import Matcher
from tests.helpers import EXAMPLES, KNOWLEDGE, ROOT


@pytest.fixture(scope="module")
def folds(knowledge):
    return cross_validate(knowledge, folds=5)


def test_cross_validated_accuracy_holds_a_floor(folds):
    rates = folds.table()
    assert folds.total["item"] >= 3000
    assert rates["kind"] >= 0.82
    assert rates["item"] >= 0.77
    assert rates["pick"] >= 0.82
    assert rates["declined"] >= 0.88
    assert rates["not_sure_in_scope"] <= 0.1


def test_blind_set_holds_a_floor(engine):
    scores = score_labelled(engine, load_labelled(ROOT / "tests/data/blind.jsonl"))
    assert scores["items"] >= 150
    assert scores["right"] >= 0.84
    assert scores["picks_right"] >= 0.82
    assert scores["declined"] >= 0.9
    assert scores["in_scope_not_sure"] <= 0.05


def test_overheard_chatter_is_left_alone(engine):
    rows = [json.loads(line) for line in (ROOT / "tests/data/channel.jsonl").read_text().splitlines() if line]
    rates = overheard(engine, rows)
    assert rates["chatter_answered"] <= 0.02
    assert rates["questions_answered"] >= 0.7


def test_a_new_phrasing_is_a_data_edit(tmp_path):
    """A made-up way of asking is not understood until examples of it are added to examples.yaml."""
    shutil.copy(KNOWLEDGE, tmp_path / "knowledge.yaml")
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


def test_check_reports_a_bad_example_with_file_and_line(tmp_path):
    from tests.fakes.process import run_cli

    shutil.copy(KNOWLEDGE, tmp_path / "knowledge.yaml")
    bad = EXAMPLES.read_text(encoding="utf-8") + "\n- kind: definiton\n  say: [what is ecs]\n"
    (tmp_path / "examples.yaml").write_text(bad, encoding="utf-8")
    line = len(bad.splitlines()) - 1
    result = run_cli("check", str(tmp_path / "knowledge.yaml"))
    assert result.returncode == 1
    assert f"{tmp_path / 'examples.yaml'}:{line}: example group: unknown kind 'definiton'" in result.stderr


def test_the_examples_file_has_limits_of_its_own(tmp_path):
    """Larger than a knowledge file may be (1 MiB) but within the examples' 8 MiB: checked, not refused;
    a group with `pick: null` keeps the lines of its problems."""
    from tests.fakes.process import run_cli

    shutil.copy(KNOWLEDGE, tmp_path / "knowledge.yaml")
    examples = EXAMPLES.read_text(encoding="utf-8") + "# " + "padding " * 150_000 + "\n"
    (tmp_path / "examples.yaml").write_text(examples, encoding="utf-8")
    assert (tmp_path / "examples.yaml").stat().st_size > 1024 * 1024
    result = run_cli("check", str(tmp_path / "knowledge.yaml"))
    assert result.returncode == 0, result.stderr
    bad = (
        "- kind: recommendation\n  topics: [ecs, eks]\n  pick: null\n"
        "  situation: {nonsense: 'yes'}\n  say: [zzz]\n"
    )
    (tmp_path / "examples.yaml").write_text(examples + bad, encoding="utf-8")
    line = len(examples.splitlines()) + 4
    result = run_cli("check", str(tmp_path / "knowledge.yaml"))
    assert f"examples.yaml:{line}: example group: unknown criterion 'nonsense'" in result.stderr


def test_check_refuses_an_example_whose_pick_the_criteria_contradict(tmp_path):
    from tests.fakes.process import run_cli

    shutil.copy(KNOWLEDGE, tmp_path / "knowledge.yaml")
    bad = EXAMPLES.read_text(encoding="utf-8") + (
        "\n- kind: recommendation\n  topics: [ecs, eks]\n  situation: {k8s_ecosystem: 'yes'}\n  pick: ecs\n"
        "  say: [our vendor ships only a helm chart, ecs please]\n"
    )
    (tmp_path / "examples.yaml").write_text(bad, encoding="utf-8")
    result = run_cli("check", str(tmp_path / "knowledge.yaml"))
    assert result.returncode == 1
    assert f"{tmp_path / 'examples.yaml'}:{len(bad.splitlines())}: example 'our vendor ships" in result.stderr
    assert "decides eks" in result.stderr
