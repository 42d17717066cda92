"""How many questions the guided choice asks: over the team scenarios of tests/data/scenarios.yaml (each ticks
what its stated answers make true and answers "Not sure" to the rest), and over every path of its question
tree, weighed two ways: each reply to a question equally likely (each answer and "Not sure"; for a
checklist, every combination of its boxes), and each path counted once. A checklist ("tick all that apply")
is one question. Prints the figures and one longest path.

    python bench/guided.py

"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.answering.guided import respondent, tree, walk  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402


def main() -> None:
    knowledge = load_knowledge()
    table = Path(__file__).parent.parent / "tests" / "data" / "scenarios.yaml"
    rows = yaml.safe_load(table.read_text(encoding="utf-8"))["scenarios"]
    lengths = {r["id"]: len(walk(knowledge, respondent(knowledge, r["answers"])).asked) for r in rows}
    longest = max(lengths, key=lengths.__getitem__)
    print(
        f"scenarios: {len(rows)}, average {sum(lengths.values()) / len(rows):.2f} questions, "
        f"longest {lengths[longest]} ({longest}); {len(knowledge.criteria)} criteria, "
        f"{len(knowledge.checklists)} checklists"
    )
    figures = tree(knowledge)
    print(
        f"question tree: {figures.paths} paths; average {figures.weighted:.2f} questions with each reply "
        f"equally likely, {figures.per_path:.2f} with each path counted once; longest {len(figures.longest)} "
        f"({' > '.join(figures.longest)})"
    )


if __name__ == "__main__":
    main()
