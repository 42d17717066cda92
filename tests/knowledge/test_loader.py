"""Loading knowledge.yaml: every kind of mistake is one FILE:LINE line, and nothing is half-loaded."""

import filecmp
import textwrap

import pytest

from bot.knowledge import KnowledgeError, load_knowledge, packaged_path, parse_knowledge
from tests.helpers import KNOWLEDGE, write_knowledge

GOOD = KNOWLEDGE.read_text(encoding="utf-8")


def problems_of(text: str) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        parse_knowledge(text, "k.yaml")
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_shipped_file_loads_whole(knowledge):
    assert {"ecs", "eks", "ecr", "fargate", "kubernetes"} <= set(knowledge.topics)
    assert knowledge.services == ("ecs", "eks")
    assert {
        "service_type",
        "orchestration",
        "management",
        "control_plane",
        "learning_curve",
        "use_case",
        "flexibility",
        "integration",
    } <= set(knowledge.attributes)


def test_packaged_copy_is_the_root_file():
    assert filecmp.cmp(packaged_path(), KNOWLEDGE, shallow=False)


def test_yaml_syntax_error_names_the_line():
    broken = GOOD.replace("  - id: eks\n", "  - id: eks\n    name: [unclosed\n", 1)
    (problem,) = problems_of(broken)
    assert problem.startswith("k.yaml:") and "YAML syntax error" in problem
    assert int(problem.split(":")[1]) >= line_of(broken, "name: [unclosed")


def test_unknown_key():
    broken = GOOD.replace("    category: registry\n", "    category: registry\n    colour: blue\n", 1)
    assert problems_of(broken) == [
        f"k.yaml:{line_of(broken, 'colour: blue')}: unknown key 'colour' in topic 'ecr' "
        "(allowed: id, name, full_name, category, aliases, definition, source, as_of, link, "
        "implies, also)"
    ]


def test_missing_required_field():
    broken = GOOD.replace("    full_name: Amazon Elastic Container Registry\n", "", 1)
    (problem,) = problems_of(broken)
    assert (
        problem == f"k.yaml:{line_of(broken, '- id: ecr')}: topic 'ecr': missing required field 'full_name'"
    )


def test_wrong_type():
    broken = GOOD.replace("aliases: [fargate, aws fargate, fargate launch type]", "aliases: fargate", 1)
    (problem,) = problems_of(broken)
    assert (
        problem == f"k.yaml:{line_of(broken, 'aliases: fargate')}: topic 'fargate': "
        "'aliases' must be a list of strings, got a string"
    )


def test_duplicate_id():
    broken = GOOD.replace("  - id: eks_anywhere\n", "  - id: ecs_anywhere\n", 1)
    problem = problems_of(broken)[0]
    first = line_of(broken, "- id: ecs_anywhere")
    second = next(
        i for i, line in enumerate(broken.splitlines(), 1) if "- id: ecs_anywhere" in line and i != first
    )
    assert problem == f"k.yaml:{second}: duplicate topic id 'ecs_anywhere' (first defined on line {first})"


def test_duplicate_mapping_key():
    broken = GOOD.replace("    category: compute\n", "    category: compute\n    category: concept\n", 1)
    assert problems_of(broken) == [f"k.yaml:{line_of(broken, 'category: concept')}: duplicate key 'category'"]


def test_reference_to_unknown_topic():
    broken = GOOD.replace("  - topics: [ecr, ecs]\n", "  - topics: [ecr, ecz]\n", 1)
    assert problems_of(broken) == [
        f"k.yaml:{line_of(broken, 'topics: [ecr, ecz]')}: comparison: unknown topic 'ecz'"
    ]


def test_empty_text():
    broken = GOOD.replace("    name: AWS Fargate\n", "    name: '  '\n", 1)
    assert problems_of(broken) == [
        f"k.yaml:{line_of(broken, chr(39) + '  ' + chr(39))}: topic 'fargate': 'name' is empty"
    ]


def test_alias_claimed_by_two_topics():
    broken = GOOD.replace("aliases: [fargate, aws fargate,", "aliases: [fargate, ecr, aws fargate,", 1)
    assert any("alias 'ecr' already belongs to topic 'ecr'" in p for p in problems_of(broken))


def test_all_problems_reported_at_once():
    broken = GOOD.replace("    category: registry\n", "    category: registry\n    colour: blue\n", 1)
    broken = broken.replace("  - topics: [ecr, ecs]\n", "  - topics: [ecr, ecz]\n", 1)
    assert len(problems_of(broken)) == 2


def test_unreadable_file_is_one_line(tmp_path):
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path / "missing.yaml")
    assert str(info.value).endswith("cannot read the knowledge file: No such file or directory")


def test_a_new_topic_is_an_edit_to_yaml_alone(tmp_path):
    extra = textwrap.dedent("""\
      - id: app_runner
        name: AWS App Runner
        full_name: AWS App Runner
        category: compute
        aliases: [app runner, apprunner]
        definition: A fully managed service that runs web applications and APIs from code or an image.
        source: "https://docs.aws.amazon.com/apprunner/latest/dg/what-is-apprunner.html"
        as_of: 2026-11-29
    """)
    text = GOOD.replace("\nattributes:\n", "\n" + textwrap.indent(extra, "  ") + "\nattributes:\n", 1)
    path = write_knowledge(tmp_path / "k.yaml", text)
    from bot.answering.engine import AnswerEngine

    answer = AnswerEngine(load_knowledge(path)).ask("what is app runner?")
    assert answer.kind == "definition" and answer.topics == ["app_runner"]


# ------------------------------------------------------------------------------------- dates and vetoes


def test_every_sourced_statement_carries_the_day_it_was_checked(knowledge):
    topics = knowledge.topics.values()
    assert all(t.as_of for t in topics) and all(c.as_of for c in knowledge.claims)
    comparisons = knowledge.comparisons.values()
    assert all(c.as_of for c in comparisons) and all(d.as_of for c in comparisons for d in c.differences)
    statements = len(knowledge.topics) + len(knowledge.claims)
    statements += len(knowledge.comparisons) + sum(len(c.differences) for c in comparisons)
    assert len(knowledge.dated) == statements


def test_as_of_must_be_a_date():
    broken = GOOD.replace("    as_of: 2026-11-29\n", "    as_of: last week\n", 1)
    (problem,) = problems_of(broken)
    assert problem == (
        f"k.yaml:{line_of(broken, 'as_of: last week')}: topic 'ecs': 'as_of' must be a date written "
        "YYYY-MM-DD (the day the source was checked), got a string"
    )


def test_as_of_cannot_be_in_the_future():
    broken = GOOD.replace("    as_of: 2026-11-29\n", "    as_of: 2999-01-01\n", 1)
    (problem,) = problems_of(broken)
    assert problem.startswith(f"k.yaml:{line_of(broken, '2999-01-01')}:") and "in the future" in problem


VETO_HEADER = '  vetoes:\n    - id: kubernetes_only_software\n      when: {k8s_ecosystem: "yes"}\n'


def test_veto_naming_an_unknown_criterion():
    broken = GOOD.replace(VETO_HEADER, VETO_HEADER.replace("k8s_ecosystem", "helm"), 1)
    assert problems_of(broken) == [
        f"k.yaml:{line_of(broken, 'when: {helm:')}: veto 'kubernetes_only_software': unknown criterion 'helm'"
    ]


def test_veto_with_a_value_the_criterion_does_not_take():
    broken = GOOD.replace(VETO_HEADER, VETO_HEADER.replace('"yes"', "maybe"), 1)
    assert problems_of(broken) == [
        f"k.yaml:{line_of(broken, 'when: {k8s_ecosystem: maybe}')}: veto 'kubernetes_only_software': "
        "k8s_ecosystem takes yes/uses/no, not 'maybe'"
    ]


def test_veto_picking_something_that_is_not_a_service():
    broken = GOOD.replace(VETO_HEADER + "      pick: eks\n", VETO_HEADER + "      pick: ecr\n", 1)
    (problem,) = problems_of(broken)
    assert problem == (
        f"k.yaml:{line_of(broken, 'pick: ecr')}: veto 'kubernetes_only_software': pick 'ecr' is not a "
        "service the criteria weigh (ecs, eks)"
    )


def test_veto_without_a_reason():
    start = GOOD.index(VETO_HEADER)
    reason = GOOD.index("      reason:", start)
    end = GOOD.index(
        "    - id: kubernetes_itself", start
    )  # only the reason goes: the checklists name the rest
    broken = GOOD[:reason] + GOOD[end:]
    assert problems_of(broken) == [
        f"k.yaml:{line_of(broken, '- id: kubernetes_only_software')}: "
        "veto 'kubernetes_only_software': missing required field 'reason'"
    ]


def test_settings_margin_is_gone_and_refused_by_name():
    """`margin` was validated and documented but read by nothing: it is no longer a setting."""
    broken = GOOD.replace("  decide_margin: 2", "  margin: 0.05\n  decide_margin: 2", 1)
    (problem,) = problems_of(broken)
    assert problem.startswith(f"k.yaml:{line_of(broken, 'margin: 0.05')}: unknown key 'margin' in settings")


def test_checklist_boxes_name_what_the_file_has_and_fit_a_checkbox():
    good = "{veto: kubernetes_only_software, label:"
    assert good in GOOD
    broken = GOOD.replace(good, "{veto: helm_only, label:")
    broken = broken.replace('label: "Our team already knows Kubernetes"', f'label: "{"x" * 80}"')
    broken = broken.replace("answer: kubernetes=yes,", "answer: kubernetes=maybe,")
    problems = problems_of(broken)
    assert len(problems) == 3
    assert "checklist 'hard_requirements': unknown veto 'helm_only'" in problems[0]
    assert "'kubernetes=maybe' is not criterion=value (kubernetes takes yes/no)" in problems[1]
    assert "tick label is 80 characters; a checkbox shows 75" in problems[2]
