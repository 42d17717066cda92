"""How many questions the guided choice asks: over every path of its question tree (each answer, "Not sure"
included, equally likely at each question; and each path counted once), and over the team scenarios of
tests/data/scenarios.yaml (each answering "Not sure" to what it did not say). Prints the figures.

    python bench/guided.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.answering.guided import NOT_SURE, tree, walk  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402


def main() -> None:
    knowledge = load_knowledge()
    table = Path(__file__).parent.parent / "tests" / "data" / "scenarios.yaml"
    rows = yaml.safe_load(table.read_text(encoding="utf-8"))["scenarios"]
    lengths = {r["id"]: len(walk(knowledge, lambda c, r=r: r["answers"].get(c.id, NOT_SURE))) for r in rows}
    longest = max(lengths, key=lengths.__getitem__)
    print(
        f"scenarios: {len(rows)}, average {sum(lengths.values()) / len(rows):.2f} questions, "
        f"longest {lengths[longest]} ({longest}), of {len(knowledge.criteria)}"
    )
    paths, weighted, per_path, deepest = tree(knowledge)
    print(
        f"question tree: {paths} paths; average {weighted:.2f} questions with each answer equally likely, "
        f"{per_path:.2f} over the paths counted once; longest {deepest}"
    )


if __name__ == "__main__":
    main()
