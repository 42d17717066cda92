"""`container-bot review LOGFILE`: the maintainer's to-do list from a `serve` log.

Unanswered questions and answers marked 👎, each grouped by similarity, most frequent first. Each group comes
with a suggested examples.yaml edit: the message to add, and the kind and topic it was probably asking
about, as the engine reads it now (`Match.readings`: the model's kinds with their probabilities).
`container-bot unanswered LOGFILE` is the same report (its older name)."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import TextIO

from .logs import redact, secrets_from_env
from .understanding.match import ANSWER_KINDS
from .understanding.normalise import fold

SIMILAR = 80  # token_set_ratio at or above which two questions count as the same question
LOOKED_AT = 128  # entries of the block index one question looks at, at most (its rarest blocks first)
COMPARED = 6  # groups one question is compared with, at most: those sharing most blocks with it
_WORD = re.compile(r"[^\W_]+")
_NO_SPACES = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # kana, CJK ideographs
MAX_NOTES = 10  # lines skipped, each named on standard error; past that, only how many more
_MESSAGES = {"unanswered question": "unanswered", "answer feedback": "feedback"}
_QUESTION_FIELD = ' question="'  # a text line's last field: the question, JSON-quoted
MAX_LINE = 65_536  # characters; a line this bot writes is under 2,000 (the question is cut to 200)
_FIELD = re.compile(r"\b([a-z_]+)=(\S+)")
# What a terminal acts on or reorders rather than shows: C0 and C1 controls (ESC starts the sequences that
# retitle or clear it; 0x9b is CSI on its own), DEL, bidi marks and overrides, line and paragraph separators.
_SHOWN_ESCAPED = {
    **{c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))},
    **{
        c: f"\\u{c:04x}"
        for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029)
    },
}


@dataclass
class Item:
    """One line of the log the review reads: an unanswered question, or a vote on an answer."""

    category: str  # unanswered | down | up
    question: str
    kind: str = ""
    topics: tuple[str, ...] = ()


@dataclass
class Group:
    category: str
    members: list[Item] = field(default_factory=list)

    @property
    def representative(self) -> str:
        return self.members[0].question

    @property
    def variants(self) -> int:
        return len({m.question for m in self.members})


def capped_lines(handle: TextIO, limit: int = MAX_LINE) -> Iterator[str | None]:
    """The lines of a log, each read in pieces of at most `limit` characters: a longer line is None, passed
    over without ever being held whole, so one 100 MB line costs what a short one does."""
    while line := handle.readline(limit + 1):
        if len(line) <= limit or line.endswith("\n"):
            yield line
            continue
        while line and not line.endswith("\n"):  # the rest of it, a piece at a time
            line = handle.readline(limit)
        yield None


def items_in(lines: Iterable[str | None], skipped: list[tuple[int, str]] | None = None) -> list[Item]:
    """The unanswered questions and votes in a log, text or JSON lines; anything else is passed over. A line
    that looks like one but cannot be read (JSON nested too deep), or is too long to be one of ours (None,
    from capped_lines), is added to `skipped`, as (line number, why), for the report to say so."""
    found = []
    for number, line in enumerate(lines, 1):
        if line is None:
            if skipped is not None:
                skipped.append((number, f"longer than {MAX_LINE} characters"))
            continue
        line = line.strip()
        if "unanswered question" not in line and "answer feedback" not in line:
            continue
        try:
            record = _record(line)
        except RecursionError:  # json's decoder recurses per level: a line nested thousands deep
            if skipped is not None:
                skipped.append((number, "JSON nested too deep"))
            continue
        if record is None:
            continue
        question = record.get("question")
        if not isinstance(question, str) or not question:
            continue
        if record["message"] == "unanswered question":
            found.append(Item("unanswered", question))
            continue
        vote = record.get("feedback")
        if vote not in ("up", "down"):
            continue
        topics = record.get("topics") or ()
        if isinstance(topics, str):
            topics = tuple(t for t in topics.split(",") if t and t != "-")
        kind = record["kind"] if isinstance(record.get("kind"), str) else ""
        found.append(Item(vote, question, kind, tuple(str(t) for t in topics)))
    return found


def _record(line: str) -> dict | None:
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            return None
        return record if isinstance(record, dict) and record.get("message") in _MESSAGES else None
    return _text_record(line)


def _text_record(line: str) -> dict | None:
    """A text line: `... MESSAGE FIELD=VALUE ... question="..."`, the question last. Read with plain string
    searches, each once over the line, so a line built to make a pattern backtrack costs no more than any
    other of its length."""
    found = [(at, message) for message in _MESSAGES if (at := line.find(message)) >= 0]
    if not found:
        return None
    at, message = min(found)
    rest = line[at + len(message) :]
    if rest[:1].isalnum() or rest[:1] == "_":  # "unanswered questions" is another word
        return None
    start = rest.find(_QUESTION_FIELD)
    if start < 0:
        return None
    try:
        question = json.loads(rest[start + len(_QUESTION_FIELD) - 1 :])
    except ValueError:
        return None
    record: dict = dict(_FIELD.findall(rest[:start]))
    record.update(message=message, question=question)
    return record


def _group(items: list[Item]) -> list[Group]:
    """The items grouped by similarity, most frequent first: a question joins the group whose first question
    it matches best at token_set_ratio SIMILAR or above, else starts one.

    Comparing every question with every group is quadratic (4,000 questions took 12-21 s), so a question is
    compared only with the few groups it shares most blocks with (`_blocks`: words, or character pairs of
    CJK text), found through an index of the groups' blocks. 100,000 questions take seconds."""
    groups: list[Group] = []
    for category in dict.fromkeys(item.category for item in items):
        groups += _grouped([item for item in items if item.category == category])
    return sorted(groups, key=lambda g: (-len(g.members), g.category, g.representative))


def _grouped(items: list[Item]) -> list[Group]:
    from rapidfuzz import fuzz, process

    groups: list[Group] = []
    keys: list[str] = []  # each group's first question, as compared
    index: dict[str, list[int]] = {}  # block -> the groups whose first question has it, oldest first
    known: dict[str, int] = {}  # a question compared before -> its group
    for item in items:
        key = _key(item.question)
        at = known.get(key)
        if at is None:
            blocks = _blocks(key)
            candidates = _candidates(blocks, index)
            best = candidates and process.extractOne(
                key,
                [keys[g] for g in candidates],
                scorer=fuzz.token_set_ratio,
                processor=None,
                score_cutoff=SIMILAR,
            )
            if best:
                at = candidates[best[2]]
            else:
                at = len(groups)
                groups.append(Group(item.category))
                keys.append(key)
                for block in blocks:
                    index.setdefault(block, []).append(at)
            known[key] = at
        groups[at].members.append(item)
    return groups


def _key(question: str) -> str:
    """A question as grouping compares it: folded (case, accents), its words only."""
    return " ".join(_WORD.findall(fold(question)))


def _blocks(key: str) -> set[str]:
    """What a question shares with those it may be grouped with: its words, and the character pairs of words
    in scripts written without spaces (CJK). A short question (three words or fewer, where one typo is much of
    it) also has the first four letters of each word, which a typo later in the word keeps."""
    words = key.split()
    if _NO_SPACES.search(key):
        blocks: set[str] = set()
        for word in words:
            if _NO_SPACES.search(word) and len(word) > 2:
                blocks.update(word[i : i + 2] for i in range(len(word) - 1))
            else:
                blocks.add(word)
        return blocks
    blocks = set(words)
    if len(words) <= 3:
        blocks.update(word[:4] + "-" for word in words if len(word) >= 4)
    return blocks


def _candidates(blocks: set[str], index: dict[str, list[int]]) -> list[int]:
    """The groups a question is compared with: the few that share most of its blocks, two at least (one for
    a question of one or two blocks), counted over its rarest blocks first, within a budget."""
    postings = [index[b] for b in blocks if b in index]
    if not postings:
        return []
    postings.sort(key=len)
    looked: list[list[int]] = []
    budget = LOOKED_AT
    for groups in postings:
        if budget <= 0:
            break
        looked.append(groups[:budget])
        budget -= len(looked[-1])
    shared = Counter(chain.from_iterable(looked))
    needed = 2 if len(blocks) > 2 else 1
    if max(shared.values()) < needed:  # most questions: nothing shares enough with them, decided in C
        return []
    return [g for g, n in shared.most_common(COMPARED) if n >= needed]


# ------------------------------------------------------------------------------------------ suggestion


@dataclass
class Suggestion:
    kind: str
    topics: list[str]
    attribute: str | None
    readings: list[tuple[str, float]]
    note: str


def suggest(engine, group: Group) -> Suggestion:
    """What the group's message was probably asking, as the engine reads it now, and the example to add."""
    answer = engine.ask(group.representative)
    match = answer.match
    readings = list(match.readings) if match else []
    found_topics = [h.phrase.target for h in (match.evidence if match else []) if h.phrase.kind == "topic"]
    attributes = [h.phrase.target for h in (match.evidence if match else []) if h.phrase.kind == "attribute"]
    in_scope = [(k, p) for k, p in readings if k in ANSWER_KINDS]
    if group.category == "unanswered":
        kind = in_scope[0][0] if in_scope else "definition"
        topics = list(dict.fromkeys(found_topics))
        top = readings[0] if readings else ("fallback", 1.0)
        note = (
            f"reads as out of scope ({top[0]} {top[1]:.2f}); if the bot should answer it, probably {_a(kind)}"
            if top[0] not in ANSWER_KINDS
            else f"probably {_a(kind)}"
        )
    else:
        answered = Counter(m.kind for m in group.members).most_common(1)[0][0]
        topics = list(Counter(t for m in group.members for t in m.topics)) or list(
            dict.fromkeys(found_topics)
        )
        others = [(k, p) for k, p in in_scope if k != answered and p >= 0.05]
        if others:
            kind = others[0][0]
            note = f"answered as {_a(answered)}; probably asking for {_a(kind)}"
        else:
            kind = answered if answered in ANSWER_KINDS else (in_scope[0][0] if in_scope else "definition")
            note = (
                f"answered as {_a(answered)}, which is how the model reads it too: check that answer's facts "
                "in knowledge.yaml, or add the message so the right reading wins"
            )
    if topics:
        note += " about " + ", ".join(topics[:2])
    return Suggestion(kind, topics, attributes[0] if attributes else None, readings, note)


def shown(text: str) -> str:
    """Text from the log as the report prints it: every control character escaped (\\x1b, \\u202e), never
    emitted, so a logged question cannot retitle, clear or reorder the maintainer's terminal. The escapes are
    also valid inside a YAML double-quoted string, so the examples.yaml edit can be pasted as it is."""
    return text.translate(_SHOWN_ESCAPED)


def _a(kind: str) -> str:
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def example_yaml(suggestion: Suggestion, message: str) -> list[str]:
    """The examples.yaml group to add, as lines (valid for `container-bot check` once placeholders are
    filled)."""
    lines = [f"- kind: {suggestion.kind}"]
    topics = suggestion.topics
    if suggestion.kind in ("definition", "attribute"):
        lines.append(f"  topics: [{topics[0]}]" if topics else "  topics: [TOPIC]  # the topic it asks about")
    elif suggestion.kind == "comparison":
        pair = ", ".join(topics[:3]) if len(topics) >= 2 else "TOPIC, TOPIC"
        lines.append(f"  topics: [{pair}]")
    if suggestion.kind == "attribute":
        lines.append(
            f"  attribute: {suggestion.attribute}"
            if suggestion.attribute
            else "  attribute: ATTRIBUTE  # the fact it asks about (an attribute id of knowledge.yaml)"
        )
    lines += ["  say:", f"    - {shown(json.dumps(message, ensure_ascii=False))}"]
    return lines


# -------------------------------------------------------------------------------------------- report


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def report(
    path: str,
    out: TextIO,
    limit: int = 50,
    secrets: tuple[str, ...] | None = None,
    engine=None,
    command: str = "review",
) -> int:
    """The report; tokens and secrets in the log (written by an older version, or by anything else) are
    masked in it, as in the log lines this version writes: the configured ones (SLACK_BOT_TOKEN,
    SLACK_SIGNING_SECRET, SLACK_APP_TOKEN when set) and anything shaped like a Slack token or secret.
    Without `engine`, no suggestions (the groups alone)."""
    secrets = secrets_from_env() if secrets is None else secrets
    skipped: list[tuple[int, str]] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            items = items_in(capped_lines(handle), skipped)
    except OSError as exc:
        print(f"container-bot {command}: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 1
    for number, why in skipped[:MAX_NOTES]:
        print(f"container-bot {command}: {path}:{number}: skipped: {why}", file=sys.stderr)
    if len(skipped) > MAX_NOTES:
        more = len(skipped) - MAX_NOTES
        print(f"container-bot {command}: {path}: {more} more lines skipped", file=sys.stderr)
    for item in items:
        item.question = redact(item.question, secrets)
    unanswered = _group([i for i in items if i.category == "unanswered"])
    down = _group([i for i in items if i.category == "down"])
    ups = sum(1 for i in items if i.category == "up")
    count_down = sum(len(g.members) for g in down)
    count_unanswered = sum(len(g.members) for g in unanswered)
    out.write(
        f"{_plural(count_unanswered, 'unanswered question', 'unanswered questions')} in "
        f"{_plural(len(unanswered), 'group', 'groups')}; "
        f"{_plural(count_down, 'down-voted answer', 'down-voted answers')} in "
        f"{_plural(len(down), 'group', 'groups')}; {_plural(ups, 'up-vote', 'up-votes')}\n"
    )
    groups = sorted(unanswered + down, key=lambda g: (-len(g.members), g.category != "down"))
    for group in groups[:limit]:
        label = "unanswered" if group.category == "unanswered" else "down-voted"
        similar = f"  (+{group.variants - 1} similar)" if group.variants > 1 else ""
        out.write(f"\n{len(group.members):5d}  {label:10}  {shown(group.representative)}{similar}\n")
        if engine is None:
            continue
        suggestion = suggest(engine, group)
        readings = ", ".join(f"{k} {p:.2f}" for k, p in suggestion.readings[:3])
        out.write(f"       {suggestion.note} (readings: {readings})\n")
        out.write("       add to examples.yaml:\n")
        for line in example_yaml(suggestion, group.representative):
            out.write(f"         {line}\n")
    return 0
