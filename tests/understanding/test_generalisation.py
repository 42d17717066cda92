"""How well the understanding generalises, measured on messages it was not trained on: cross-validation over
the examples, the blind set (written by someone who never read the code, scored once before any tuning and
never tuned on since) and the channel chatter set. These are floors, not targets."""

import json

import pytest

from bot.answering.evaluation import cross_validate, load_labelled, overheard, score_labelled
from tests.helpers import ROOT


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
