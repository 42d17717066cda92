"""Normalising Slack text into the tokens the matcher reads."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Work is capped: longer messages are cut before any processing, so a 40,000-character paste costs the same
# as a 2,000-character one.
MAX_INPUT_CHARS = 2000
MAX_TOKENS = 200

_MENTION = re.compile(r"<[@#!][^>]*>")
_LINK = re.compile(r"<((?:https?|mailto|ftp)[^>|]*)(?:\|([^>]*))?>")
_EMOJI = re.compile(r":([a-z0-9_+\-']+):")
_APOSTROPHE = re.compile(r"['\u2018\u2019\u02bc`]")
_NON_WORD = re.compile(r"[^\w]+")
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\[\]\u2014\u2013]|\s-\s|\n")
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}


@dataclass(frozen=True)
class Normalised:
    """A message as the matcher sees it."""

    text: str
    tokens: tuple[str, ...]
    emoji: tuple[str, ...]
    clauses: tuple[int, ...] = ()  # clause number of each token: negation does not reach across ", . ; ?"


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category == "Mn" or category in _INVISIBLE_CATEGORIES or category == "So":
            # accents, zero-width and bidi marks, control characters, pictographic emoji
            if category in ("Cc",) or ch.isspace():
                kept.append(" ")
            continue
        kept.append(ch)
    return "".join(kept)


def normalise(raw: str) -> Normalised:
    """Slack text -> lowercase words: mentions, channel links, special mentions and emoji codes removed,
    link labels kept, accents and invisible characters dropped, apostrophes joined ("what's" -> "whats")."""
    text = (raw or "")[:MAX_INPUT_CHARS]
    text = _LINK.sub(lambda m: f" {m.group(2) or ''} ", text)
    text = _MENTION.sub(" ", text)
    text = html.unescape(text)
    emoji = tuple(name.replace("_", " ") for name in _EMOJI.findall(text.lower()))
    text = _EMOJI.sub(" ", text.lower())
    if not text.isascii():  # most messages are plain ASCII: skip the per-character Unicode pass
        text = _strip_marks(text).casefold()
    text = _APOSTROPHE.sub("", text)
    tokens: list[str] = []
    clauses: list[int] = []
    for number, clause in enumerate(_CLAUSE_BREAK.split(text)):
        words = _NON_WORD.sub(" ", clause).replace("_", " ").split()
        tokens += words
        clauses += [number] * len(words)
    tokens, clauses = tokens[:MAX_TOKENS], clauses[:MAX_TOKENS]
    if not tokens and emoji:
        # an emoji-only message (":wave:") still says something
        tokens = [word for name in emoji for word in _NON_WORD.sub(" ", name).split()][:MAX_TOKENS]
        clauses = [0] * len(tokens)
    return Normalised(" ".join(tokens), tuple(tokens), emoji, tuple(clauses))


def escape_slack(text: str) -> str:
    """Escape user text so it cannot form Slack markup (mentions, links, special mentions) when quoted."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
