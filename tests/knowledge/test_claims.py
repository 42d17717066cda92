"""Claims files: one sourced statement each, checked like the knowledge file, every problem as FILE:LINE in
the claims file it is in, and a file that does not load leaves nothing half-loaded."""

import datetime
import textwrap
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError, load_knowledge, stale
from tests.helpers import KNOWLEDGE, copy_knowledge

CLAIM = """\
claims:
  - id: ecs.test.claim
    about: [ecs]
    attribute: cost
    says: >-
      A made-up statement for a test.
    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html
    title: What is Amazon Elastic Container Service?
    as_of: 2026-11-29
    asked: [what is the test claim]
"""


def with_claims(tmp_path: Path, text: str, name: str = "extra.yaml") -> Path:
    """The shipped knowledge with one more claims file, holding `text`."""
    path = copy_knowledge(tmp_path)
    (tmp_path / "claims" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    knowledge = path.read_text(encoding="utf-8")
    path.write_text(knowledge.replace("claims: [", f"claims: [claims/{name}, ", 1), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(path)
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_shipped_claims_load_with_their_files_and_lines(knowledge):
    assert len(knowledge.claims) >= 250
    by_topic = {t: sum(t in c.about for c in knowledge.claims) for t in ("ecs", "eks", "ecr", "fargate")}
    assert all(count >= 40 for count in by_topic.values()), by_topic
    for claim in knowledge.claims:
        assert claim.source == "seed" or claim.source.startswith("https://"), claim.id
        assert claim.as_of and claim.file.endswith(".yaml") and claim.line > 0, claim.id


def test_seed_statements_are_claims_with_source_seed(knowledge):
    seed = [c for c in knowledge.claims if c.source == "seed"]
    assert {("ecs", "learning_curve"), ("eks", "learning_curve"), ("ecs", "orchestration")} <= {
        (c.about[0], c.attribute) for c in seed
    }


def test_a_good_claims_file_adds_its_claims(tmp_path):
    knowledge = load_knowledge(with_claims(tmp_path, CLAIM))
    claim = knowledge.claim_by_id["ecs.test.claim"]
    assert claim.text == "A made-up statement for a test." and claim.asked == ("what is the test claim",)


@pytest.mark.parametrize(
    "change, needle, message",
    [
        ("about: [ecs]", "about: [ecz]", "claim 'ecs.test.claim': unknown topic 'ecz'"),
        ("attribute: cost", "attribute: costs", "claim 'ecs.test.claim': unknown attribute 'costs'"),
        (
            "    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html\n",
            "    source: the AWS docs\n",
            "claim 'ecs.test.claim': 'source' must be 'seed' or an https:// URL",
        ),
        ("    as_of: 2026-11-29\n", "", "claim 'ecs.test.claim': missing required field 'as_of'"),
        ("    as_of: 2026-11-29\n", "    as_of: 29/11/2026\n", "'as_of' must be a date written YYYY-MM-DD"),
        ("id: ecs.test.claim", "id: ECS Test", "an id is lowercase words joined by '.' and '_'"),
    ],
    ids=["unknown topic", "unknown attribute", "no source url", "no as_of", "bad date", "bad id"],
)
def test_a_broken_claim_is_one_problem_at_its_line_in_its_file(tmp_path, change, needle, message):
    text = CLAIM.replace(change, needle if needle else "", 1) if needle else CLAIM.replace(change, "", 1)
    path = with_claims(tmp_path, text)
    (problem,) = problems(path)
    file = str(tmp_path / "claims" / "extra.yaml")
    assert problem.startswith(f"{file}:") and message in problem
    line = int(problem.split(":")[1])
    assert (
        line == (line_of(text, needle.strip()) if needle.strip() else 2) or line == 2
    )  # the field, or its claim


def test_a_duplicate_claim_id_names_where_it_was_first(tmp_path):
    path = with_claims(tmp_path, CLAIM + CLAIM.replace("claims:\n", "", 1))
    (problem,) = problems(path)
    assert "duplicate claim id 'ecs.test.claim' (first defined on line 2)" in problem


def test_a_claim_id_taken_in_another_file_names_that_file_and_line(tmp_path):
    taken = CLAIM.replace("id: ecs.test.claim", "id: ecs.cost")
    (problem,) = problems(with_claims(tmp_path, taken))
    assert "duplicate claim id 'ecs.cost' (first defined at " in problem and "claims/ecs.yaml:" in problem


def test_until_before_since_is_refused(tmp_path):
    text = CLAIM.replace(
        "    as_of: 2026-11-29\n", "    as_of: 2026-11-29\n    since: 2026-01-02\n    until: 2025-01-01\n"
    )
    (problem,) = problems(with_claims(tmp_path, text))
    assert "'until' is not after 'since'" in problem


def test_a_missing_claims_file_is_a_problem_of_the_knowledge_file(tmp_path):
    path = copy_knowledge(tmp_path)
    (tmp_path / "claims" / "ecr.yaml").unlink()
    (problem,) = problems(path)
    assert problem.startswith(f"{path}:") and "cannot read the claims file" in problem


def test_a_claim_past_its_until_is_not_said_and_one_before_its_since_neither(tmp_path):
    from bot.answering.engine import AnswerEngine

    text = CLAIM.replace("    as_of: 2026-11-29\n", "    as_of: 2026-11-29\n    until: 2020-01-01\n")
    text = text.replace("A made-up statement for a test.", "Zorblax quux flimflam is retired.")
    text = text.replace("[what is the test claim]", "[is zorblax quux flimflam on ecs retired?]")
    engine = AnswerEngine(load_knowledge(with_claims(tmp_path, text)))
    answer = engine.ask("is zorblax quux flimflam on ecs retired?")
    assert "Zorblax" not in answer.text
    later = text.replace("    until: 2020-01-01\n", "    since: 2026-01-01\n")
    (tmp_path / "later").mkdir()
    engine = AnswerEngine(load_knowledge(with_claims(tmp_path / "later", later)))
    assert "Zorblax quux flimflam is retired." in engine.ask("is zorblax quux flimflam on ecs retired?").text


def test_check_max_age_lists_old_claims_at_their_line_in_their_file(tmp_path):
    old = CLAIM.replace("as_of: 2026-11-29", "as_of: 2024-01-15")
    knowledge = load_knowledge(with_claims(tmp_path, old))
    (claim,) = [d for d in stale(knowledge, 365, today=datetime.date(2026, 11, 29)) if "test.claim" in d.what]
    assert claim.file == str(tmp_path / "claims" / "extra.yaml") and claim.line == line_of(old, "as_of: 2024")
    assert claim.source.startswith("https://docs.aws.amazon.com/AmazonECS/")


def test_every_url_source_of_a_researched_claim_names_its_page(knowledge):
    untitled = [
        c.id for c in knowledge.claims if c.source.startswith("https://") and not c.headline and not c.title
    ]
    assert untitled == []


def test_the_packaged_claims_are_the_root_ones():
    from bot.knowledge import packaged_path

    packaged = packaged_path().parent / "claims"
    root = KNOWLEDGE.parent / "claims"
    assert sorted(p.name for p in packaged.glob("*.yaml")) == sorted(p.name for p in root.glob("*.yaml"))
