"""The guided choice asks the deciding question first and stops once no answer can change the verdict; on
every team scenario it reaches the verdict that answering every question gives.

A scenario's `answers` are what the team said. Answering every question means: those answers, and "Not sure"
(which counts for neither service and vetoes nothing) to every question the team said nothing about; the
verdict is then `decide(answers, complete=True)`, the guided choice's recommendation."""

import yaml

from bot.answering.codes import parse_code
from bot.answering.decision import decide
from bot.answering.guided import NOT_SURE, next_question, settled, verdict, walk
from tests.helpers import ROOT

ROWS = yaml.safe_load((ROOT / "tests" / "data" / "scenarios.yaml").read_text(encoding="utf-8"))["scenarios"]
MEASURED_AVERAGE = 7.7  # over the 103 scenarios (bench/guided.py prints it, with the tree's figures)


def persona(row):
    return lambda criterion: row["answers"].get(criterion.id, NOT_SURE)


def test_every_scenario_reaches_the_verdict_of_answering_every_question(knowledge):
    lengths = []
    for row in ROWS:
        asked = walk(knowledge, persona(row))
        lengths.append(len(asked))
        assert settled(knowledge, asked), row["id"]
        assert verdict(knowledge, asked) == decide(knowledge, row["answers"], complete=True).pick, row["id"]
        if row["pick"] is not None:  # where the team said enough, that is the architect's pick
            assert verdict(knowledge, asked) == row["pick"], row["id"]
    assert sum(lengths) / len(lengths) <= MEASURED_AVERAGE
    assert max(lengths) < len(knowledge.criteria)


def test_the_deciding_question_comes_first(knowledge):
    first = next_question(knowledge, {})
    assert first is not None and any(first.id in v.when for v in knowledge.vetoes)
    # a hard requirement settles it at once, but for a requirement that could conflict with it
    after = {first.id: next(v.when[first.id] for v in knowledge.vetoes if first.id in v.when)}
    second = next_question(knowledge, after)
    assert second is not None and any(second.id in v.when for v in knowledge.vetoes)


def test_old_answer_codes_still_replay(knowledge):
    code = (
        "kubernetes=yes team_k8s=no learn_k8s=no aws_invested=yes simplicity=yes cost=yes windows=no "
        "serverless=no"
    )
    answers = parse_code(knowledge, code)
    assert verdict(knowledge, answers) == decide(knowledge, answers, complete=True).pick == "ecs"
