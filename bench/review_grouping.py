"""How `container-bot review` groups questions: time for 4,000 to 100,000 questions, and how the grouping
compares with comparing every question with every group (what review did before blocking). Prints figures;
never fails. Usage: python bench/review_grouping.py [--sizes 4000,20000,100000] [--exhaustive 4000]

The questions: the blind sets' messages (tests/data), each asked again with typos, extra words and other
punctuation, among random ones that resemble nothing (Latin words, and CJK text). Agreement is counted over
pairs of questions: of the pairs the exhaustive grouping puts together, how many the blocked one does too
(recall), and of the pairs the blocked one puts together, how many the exhaustive one does (precision)."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.review import SIMILAR, Item, _group, _key  # noqa: E402


def real_questions() -> list[str]:
    return [
        " ".join(json.loads(line)["q"].split())
        for name in ("blind.jsonl", "blind2.jsonl")
        for line in (ROOT / "tests/data" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def typo(rng: random.Random, text: str) -> str:
    words = text.split()
    i = rng.randrange(len(words))
    word = words[i]
    if len(word) > 3:
        j = rng.randrange(1, len(word) - 1)
        words[i] = rng.choice([word[:j] + word[j + 1 :], word[:j] + word[j + 1] + word[j] + word[j + 2 :]])
    return " ".join(words)


def questions(n: int, seed: int = 20) -> list[str]:
    """About a third asked again in other words, the rest noise."""
    rng = random.Random(seed)
    real = real_questions()
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(5000)]
    out = []
    for i in range(n):
        kind = i % 6
        if kind in (0, 1):
            q = rng.choice(real)
            variant = rng.choice([str.lower, str.upper, lambda t: t + "?", lambda t: t + " please"])
            q = variant(typo(rng, q) if rng.random() < 0.5 else q)
        elif kind == 2:
            q = "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(rng.randint(6, 20)))
        else:
            q = " ".join(rng.choices(vocabulary, k=rng.randint(3, 10)))
        out.append(q)
    return out


def exhaustive(items: list[Item]) -> list[list[Item]]:
    """Every question compared with every group's first question, the best match at SIMILAR or above."""
    from rapidfuzz import fuzz, process

    keys: list[str] = []
    groups: list[list[Item]] = []
    for item in items:
        key = _key(item.question)
        best = process.extractOne(
            key, keys, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=SIMILAR
        )
        if best is not None:
            groups[best[2]].append(item)
        else:
            keys.append(key)
            groups.append([item])
    return groups


def pairs(groups) -> set[tuple[int, int]]:
    out = set()
    for members in groups:
        ids = sorted(id(m) for m in members)
        out.update(combinations(ids, 2))
    return out


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="4000,20000,100000")
    parser.add_argument("--exhaustive", type=int, default=4000, help="questions to compare both ways")
    args = parser.parse_args()
    figures: dict = {"grouping_seconds": {}}
    for size in (min(int(s), 200_000) for s in args.sizes.split(",")):
        items = [Item("unanswered", q) for q in questions(size)]
        groups, seconds = timed(_group, items)
        figures["grouping_seconds"][size] = {"seconds": round(seconds, 2), "groups": len(groups)}
    size = min(args.exhaustive, 10_000)
    items = [Item("unanswered", q) for q in questions(size)]
    blocked, blocked_seconds = timed(_group, items)
    full, full_seconds = timed(exhaustive, items)
    together_full, together_blocked = pairs(full), pairs(g.members for g in blocked)
    both = len(together_full & together_blocked)
    sizes: dict[int, int] = defaultdict(int)
    for g in blocked:
        sizes[len(g.members)] += 1
    figures["compared_with_exhaustive"] = {
        "questions": size,
        "exhaustive_seconds": round(full_seconds, 2),
        "blocked_seconds": round(blocked_seconds, 2),
        "groups_exhaustive": len(full),
        "groups_blocked": len(blocked),
        "pair_recall": round(both / len(together_full), 3) if together_full else 1.0,
        "pair_precision": round(both / len(together_blocked), 3) if together_blocked else 1.0,
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
