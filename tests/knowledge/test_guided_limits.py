"""Knowledge that Slack cannot render is invalid: the loader and `check` name FILE:LINE for every
guided-choice criterion the modal could not show. (Where a modal is opened anyway and fails, the user is
told: test_guided_choice_modal.py.)"""

import copy
import subprocess

import pytest
import yaml

from bot.knowledge import KnowledgeError, parse_knowledge
from bot.knowledge.guided_limits import MAX_CRITERIA, MAX_OPTION_TEXT, MAX_OPTION_VALUE, MAX_OPTIONS
from tests.fakes.process import installed_command
from tests.helpers import KNOWLEDGE

GOOD = yaml.safe_load(KNOWLEDGE.read_text(encoding="utf-8"))


def option(value: str, label: str = "Maybe") -> dict:
    return {
        "value": value,
        "label": label,
        "weights": {"ecs": 1},
        "reason": "A reason.",
        "condition": "a condition",
    }


def criterion(ident: str, values=("yes", "no")) -> dict:
    return {"id": ident, "question": f"{ident}?", "options": [option(v) for v in values]}


def criteria_of(data: dict) -> list:
    return data["recommendation"]["criteria"]


def with_more_options(data):
    criteria_of(data)[0]["options"] += [option(f"extra{i}") for i in range(MAX_OPTIONS - 1)]


def with_long_value(data):
    criteria_of(data)[0]["options"].append(option("v" * (MAX_OPTION_VALUE + 1)))


def with_long_label(data):
    criteria_of(data)[0]["options"].append(option("later", "x" * (MAX_OPTION_TEXT + 1)))


def with_capital_id(data):
    criteria_of(data).append(criterion("Team_Size"))


def with_spaced_value(data):
    criteria_of(data)[0]["options"].append(option("not sure"))


def with_uppercase_value(data):
    criteria_of(data)[0]["options"].append(option("Maybe"))


def with_too_many_criteria(data):
    criteria_of(data).extend(criterion(f"extra_{i}") for i in range(MAX_CRITERIA))


def with_too_long_a_code(data):
    criteria_of(data).extend(criterion(f"c{i}", ("a" * 70, "b" * 70)) for i in range(30))


CASES = [
    (with_more_options, "'kubernetes': 11 options, but Slack shows at most 10 radio buttons", "options:"),
    (with_long_value, "option value 'vvvvvvvvvvvvvvvvvvvv…' is over 150 characters", "value: vvvv"),
    (with_long_label, "option label is 76 characters; a radio button shows at most 75", "label: xxxx"),
    (
        with_capital_id,
        "'Team_Size': an id in an answer code is lowercase letters, digits and '_'",
        "id: Team_Size",
    ),
    (with_spaced_value, "option value 'not sure' cannot be replayed in an answer code", "value: not sure"),
    (with_uppercase_value, "option value 'Maybe' cannot be replayed in an answer code", "value: Maybe"),
    (
        with_too_many_criteria,
        "criteria, but the guided-choice modal holds at most 99 questions",
        "  criteria:",
    ),
    (with_too_long_a_code, "the longest answer code is", "  criteria:"),
]


def dumped(mutate) -> str:
    data = copy.deepcopy(GOOD)
    mutate(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)


@pytest.mark.parametrize("mutate, message, at", CASES, ids=[c[0].__name__ for c in CASES])
def test_knowledge_slack_cannot_render_is_refused_with_its_line(mutate, message, at):
    text = dumped(mutate)
    with pytest.raises(KnowledgeError) as info:
        parse_knowledge(text, "k.yaml")
    problems = [str(p) for p in info.value.problems]
    found = [p for p in problems if message in p]
    assert found, problems
    line = int(found[0].split(":")[1])
    first = next(i for i, row in enumerate(text.splitlines(), 1) if at in row)
    assert line == first, (found, first)  # the offending entry's line; `criteria:` for all of them


def test_check_refuses_it_with_file_and_line(tmp_path):
    bad = tmp_path / "knowledge.yaml"
    bad.write_text(dumped(with_more_options), encoding="utf-8")
    result = subprocess.run(
        [installed_command(), "check", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    (line,) = [row for row in result.stderr.splitlines() if "radio buttons" in row]
    assert line.startswith(f"{bad}:") and int(line.split(":")[1]) > 1
