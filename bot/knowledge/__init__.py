"""The knowledge: the data files the bot answers from, read into typed, immutable data.

`knowledge.yaml` holds the facts, the phrases that name them and the recommendation's criteria; the examples
file it names holds labelled messages the matcher learns from. Both are read within fixed limits, validated
with every problem reported as FILE:LINE, and loaded whole or not at all. Nothing here knows of matching or
of Slack: this is the bottom layer.
"""

from .claims import Claim
from .freshness import Dated, stale
from .loader import default_path, load_knowledge, packaged_path, parse_knowledge
from .model import (
    Attribute,
    Checklist,
    Comparison,
    Criterion,
    Difference,
    Exclusion,
    Intent,
    Knowledge,
    MatchSettings,
    Option,
    Tick,
    Topic,
    Veto,
)
from .problems import KnowledgeError, Problem

__all__ = [
    "Claim",
    "Attribute",
    "Checklist",
    "Comparison",
    "Criterion",
    "Dated",
    "Difference",
    "Exclusion",
    "Intent",
    "Knowledge",
    "KnowledgeError",
    "MatchSettings",
    "Option",
    "Problem",
    "Tick",
    "Topic",
    "Veto",
    "default_path",
    "load_knowledge",
    "packaged_path",
    "parse_knowledge",
    "stale",
]
