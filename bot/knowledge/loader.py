"""Loading and validating knowledge.yaml into typed, immutable data.

Validation walks the YAML node tree, so every problem is reported as ``FILE:LINE: what is wrong``, and all
problems are collected before anything is returned: a file either loads whole or not at all.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from .. import __version__
from .checklists import checklists
from .claims import claims_files, parse_claims
from .guided_limits import guided_choice_problems
from .model import Knowledge, with_headlines
from .pages import pages_of
from .problems import KnowledgeError, Problem
from .reader import (
    MAX_EXAMPLES_BYTES,
    MAX_FILE_BYTES,
    TOO_LARGE,
    List,
    Map,
    Unreadable,
    compose,
    line_of,
    read_capped,
)
from .recommendation import recommendation
from .schema import Checker, declared
from .sections import attributes_of, comparisons_of, exclusions_of, intents_of, settings_of, topics_of


def parse_knowledge(text: str, file: str, full: bool = False) -> Knowledge:
    """Parse and validate knowledge text; raise KnowledgeError listing every problem. With ``full`` the
    examples file is validated now too; otherwise it is read when a model is trained from it (a model cached
    from these very files needs no examples at all)."""
    checker = Checker(file)
    data = compose(text, file, checker.problems)
    if data is None:
        raise KnowledgeError(checker.problems)
    top_required = {
        "version": "int",
        "topics": "list",
        "attributes": "list",
        "intents": "list",
        "filler": "strlist",
        "recommendation": "map",
    }
    top_optional = {
        "settings": "map",
        "comparisons": "list",
        "exclusions": "list",
        "examples": "str",
        "claims": "strlist",
        "pages": "map",
    }
    if not checker.record(data, 1, "the knowledge file", top_required, top_optional):
        raise KnowledgeError(checker.problems)
    if data["version"] != 1:
        checker.error(
            line_of(data, "version"), f"unsupported version {data['version']} (this bot reads version 1)"
        )

    settings = settings_of(checker, data.get("settings", Map()))
    # References are checked against every id the file declares, so one broken entry is one problem,
    # not a cascade of "unknown topic" lines wherever it is mentioned.
    topic_ids = declared(data["topics"])
    attribute_ids = declared(data["attributes"])
    attributes = attributes_of(checker, data["attributes"])
    topics = topics_of(checker, data["topics"], attribute_ids)
    comparisons = comparisons_of(checker, data.get("comparisons", List()), topic_ids, attribute_ids)
    intents = intents_of(checker, data["intents"])
    exclusions = exclusions_of(checker, data.get("exclusions", List()), topic_ids)
    domain_cues, criteria, default, vetoes, requirement_cues = recommendation(
        checker, data["recommendation"], topic_ids
    )
    for line, message in guided_choice_problems(data["recommendation"], line_of):
        checker.error(line, message)  # what Slack's guided-choice modal cannot show is invalid too
    asked_together = checklists(checker, data["recommendation"], criteria, vetoes)
    pages = pages_of(checker, data["pages"]) if "pages" in data else {}
    files = claims_files(checker, data, file)
    claims, claim_checkers = parse_claims(files, topic_ids, attribute_ids, checker.problems)
    topics = with_headlines(topics, claims)
    examples_file, examples_text = "", ""
    if "examples" in data and not checker.problems:
        examples_file, examples_text = _examples_text(checker, data, file)
    if checker.problems:
        raise KnowledgeError(checker.problems)
    # the claims files by their names relative to the knowledge file, never where it happens to be installed:
    # the model trained while the wheel is built must be found again wherever the wheel is unpacked
    here = os.path.dirname(os.path.abspath(file))
    named = (f"{os.path.relpath(os.path.abspath(p), here)}\0{t}" for p, t in files)
    parts = (__version__, text, examples_file and examples_text, *named)
    checksum = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
    lines = _phrase_lines(data)
    knowledge = Knowledge(
        path=file,
        settings=settings,
        topics=topics,
        attributes=attributes,
        comparisons=comparisons,
        intents=intents,
        exclusions=exclusions,
        filler=frozenset(w.lower() for w in data["filler"]),
        domain_cues=domain_cues,
        criteria=criteria,
        default_pick=default[0],
        default_reason=default[1],
        lines=lines,
        vetoes=vetoes,
        requirement_cues=requirement_cues,
        dated=tuple(checker.dated) + tuple(d for c in claim_checkers for d in c.dated),
        claims=claims,
        claims_files=tuple(path for path, _ in files),
        pages=pages,
        checklists=asked_together,
        checksum=checksum,
        examples_file=examples_file,
        examples_text=examples_text,
    )
    if examples_file and full:
        knowledge.examples  # noqa: B018  validated now (KnowledgeError), and kept for the matcher to train on
    return knowledge


def _examples_text(checker: Checker, data: Any, file: str) -> tuple[str, str]:
    """(path, text) of the examples file the knowledge names, relative to the knowledge file."""
    target = Path(file).parent / data["examples"]
    try:
        text = read_capped(target, MAX_EXAMPLES_BYTES)
    except Unreadable as exc:
        checker.error(line_of(data, "examples"), f"cannot read the examples file {target}: {exc}")
        return "", ""
    if text is None:
        checker.error(line_of(data, "examples"), f"the examples file {target} is larger than 8 MiB")
        return "", ""
    return str(target), text


def _phrase_lines(data: Any) -> dict[tuple[str, str], int]:
    """(kind, 'entry: phrase') -> line, so `check` can point at a confusable phrasing."""
    lines: dict[tuple[str, str], int] = {}

    def add(kind: str, entry: str, items: Any) -> None:
        for i, phrase in enumerate(items):
            lines[(kind, f"{entry}: {' '.join(str(phrase).split())}")] = line_of(items, i)

    for topic in data["topics"]:
        add("topic", topic["id"], topic["aliases"])
    for attr in data["attributes"]:
        add("attribute", attr["id"], attr["cues"])
        add("attribute", attr["id"], attr.get("weak_cues", []))
    for intent in data["intents"]:
        add("intent", intent["id"], intent["cues"])
    for criterion in data["recommendation"]["criteria"]:
        for option in criterion["options"]:
            add("criterion", f"{criterion['id']}={option['value']}", option.get("cues", []))
    return lines


# --------------------------------------------------------------------------------------------- locating


def packaged_path() -> Path:
    # next to this module in the installed package (a plain path: cheaper at start than importlib.resources)
    return Path(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) / "knowledge.yaml"


def default_path() -> Path:
    """KNOWLEDGE_FILE if set, else the knowledge file shipped inside the package."""
    env = os.environ.get("KNOWLEDGE_FILE")
    return Path(env) if env else packaged_path()


def load_knowledge(path: str | os.PathLike[str] | None = None, full: bool = False) -> Knowledge:
    target = Path(path) if path is not None else default_path()
    try:
        text = read_capped(target, MAX_FILE_BYTES)  # a 39 MB file costs what a 1 MiB one does
    except Unreadable as exc:
        raise KnowledgeError([Problem(str(target), 0, f"cannot read the knowledge file: {exc}")]) from None
    if text is None:
        raise KnowledgeError([Problem(str(target), 1, TOO_LARGE)])
    return parse_knowledge(text, str(target), full)
