"""Normalising Slack text into the tokens the matcher reads, and finding the sentence that asks."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlparse

# Work is capped: longer messages are cut before any processing, so a 40,000-character paste costs the same
# as a 2,000-character one.
MAX_INPUT_CHARS = 2000
MAX_TOKENS = 200

# How much a word counts, by where it stands: the sentence that asks, the context around it, a quote.
ASK_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.5
QUOTE_WEIGHT = 0.3
PLEA_WORDS = 3  # an asking sentence this short leans on the one before it

_MENTION = re.compile(r"<[@#!][^>]*>")
_LINK = re.compile(r"<((?:https?|mailto|ftp)[^>|]*)(?:\|([^>]*))?>")
_BARE_URL = re.compile(r"\bhttps?://[^\s>]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_EMOJI = re.compile(r":([a-z0-9_+\-']+):")
_APOSTROPHE = re.compile(r"['\u2018\u2019\u02bc`]")
_NON_WORD = re.compile(r"[^\w]+")
# A sentence ends at . ! ? (and their CJK forms) followed by space or the end, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])|\n+")
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\[\]\u2014\u2013。、，！？：；]|\s-\s|\s/\s")
_QUESTION_MARK = re.compile(r"[?？]")
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x9FFF), (0xAC00, 0xD7AF))  # kana, CJK ideographs, hangul
_KANA_MARKS = frozenset("\u3099\u309a")
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}


_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]")  # hiragana, katakana (and half-width)
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def cjk_language(text: str) -> str:
    """Which CJK language a message is written in, from its letters: any kana means Japanese (Japanese mixes
    kanji with kana; Chinese has no kana), else hangul Korean, else Chinese; '' when there are none."""
    if not _has_cjk(text):
        return ""
    return "ja" if _KANA.search(text) else "ko" if _HANGUL.search(text) else "zh"


def _has_cjk(text: str) -> bool:
    """Written (partly) in Chinese, Japanese or Korean script. Most messages are ASCII and never pay for the
    pattern, whose compilation (milliseconds, for three Unicode ranges) waits for the first that is not."""
    return not text.isascii() and _cjk_pattern().search(text) is not None


@functools.cache
def _cjk_pattern() -> re.Pattern:
    return re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES) + "]")


@functools.cache
def _script_boundary() -> re.Pattern:
    """Where Latin letters meet CJK ones ("ecs랑"): compiled the first time a CJK message comes."""
    cjk = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
    return re.compile(rf"(?<=[a-z0-9])(?=[{cjk}])|(?<=[{cjk}])(?=[a-z0-9])")


@dataclass(frozen=True)
class Normalised:
    """A message as the matcher sees it."""

    text: str
    tokens: tuple[str, ...]
    emoji: tuple[str, ...]
    clauses: tuple[int, ...] = ()  # clause number of each token: negation does not reach across ", . ; ?"
    weights: tuple[float, ...] = ()  # how much each token counts: the asking sentence above its context
    question: bool = False  # the message has a question mark
    script: str = ""  # "cjk" when the message is written in Chinese, Japanese or Korean script
    rewritten: tuple[str, ...] = ()  # the languages of the phrases rewritten in English, one per phrase
    sentences: tuple[int, ...] = ()  # sentence number of each token
    writing: str = ""  # "ja", "ko" or "zh": the CJK language the raw message is written in (kana: Japanese)

    def subset(self, keep: list[int]) -> Normalised:
        """The message with only the tokens at these positions."""
        pick = lambda seq: tuple(seq[i] for i in keep) if seq else seq  # noqa: E731
        tokens = pick(self.tokens)
        return Normalised(
            " ".join(tokens),
            tokens,
            self.emoji,
            pick(self.clauses),
            pick(self.weights),
            self.question,
            self.script,
            self.rewritten,
            pick(self.sentences),
            self.writing,
        )


class Rewriter:
    """Phrases of other languages rewritten as the English words the matcher knows.

    Phrases of words are looked up word by word (the longest first), so the cost does not grow with the
    lexicon; phrases in scripts written without spaces (Chinese, Japanese, Korean) match anywhere, and only
    messages in those scripts pay for that search. Built once from the examples file's language lexicon."""

    def __init__(self, phrases: dict[str, str], languages: dict[str, str] | None = None):
        """phrases: phrase -> English words; languages: phrase -> the code of its language."""
        self.words: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.languages: dict[tuple[str, ...] | str, str] = {}
        cjk: dict[str, str] = {}
        for key, english in phrases.items():
            folded = fold(key)
            language = (languages or {}).get(key, "")
            if _has_cjk(folded):
                cjk[folded] = english
                entry: tuple[str, ...] | str = folded
            elif words := tuple(_NON_WORD.sub(" ", folded).split()):
                self.words[words] = tuple(english.lower().split())
                entry = words
            else:
                continue
            # a phrase several languages share ("entre") names them all: "es|fr|pt"
            known = self.languages.get(entry, "")
            self.languages[entry] = "|".join(sorted({*known.split("|"), language} - {""}))
        self.longest = max((len(w) for w in self.words), default=0)
        self.firsts = frozenset(w[0] for w in self.words)
        self.cjk = cjk
        self._cjk_pattern: re.Pattern | None = None  # compiled when a message in those scripts first comes

    def state(self) -> dict:
        """Plain data to rebuild the rewriter from without folding every phrase again."""
        return {
            "words": [[list(k), list(v), self.languages.get(k, "")] for k, v in self.words.items()],
            "cjk": [[k, v, self.languages.get(k, "")] for k, v in self.cjk.items()],
        }

    @classmethod
    def restore(cls, state: dict) -> Rewriter:
        rewriter = cls({})
        for key, english, language in state["words"]:
            rewriter.words[tuple(key)] = tuple(english)
            rewriter.languages[tuple(key)] = language
        for key, english, language in state["cjk"]:
            rewriter.cjk[key] = english
            rewriter.languages[key] = language
        rewriter.longest = max((len(w) for w in rewriter.words), default=0)
        rewriter.firsts = frozenset(w[0] for w in rewriter.words)
        return rewriter

    def _cjk(self) -> re.Pattern:
        # compiling the alternation of every phrase costs milliseconds a one-shot `ask` in English need not
        # pay; two threads compiling it at once build the same pattern
        if self._cjk_pattern is None:
            self._cjk_pattern = re.compile(
                "|".join(re.escape(k) for k in sorted(self.cjk, key=len, reverse=True))
            )
        return self._cjk_pattern

    def spaced(self, text: str) -> tuple[str, list[str]]:
        """Chinese, Japanese and Korean phrases rewritten in a folded sentence; (text, their languages)."""
        if not self.cjk or not _has_cjk(text):
            return text, []
        found: list[str] = []

        def swap(m: re.Match) -> str:
            found.append(self.languages.get(m.group(0), ""))
            return f" {self.cjk[m.group(0)]} "

        return self._cjk().sub(swap, text), found

    def words_of(self, words: list[str]) -> tuple[list[str], list[str]]:
        """Phrases of words rewritten in a clause; (words, the languages of the phrases rewritten)."""
        if not self.words:
            return words, []
        firsts = self.firsts
        if not any(w in firsts for w in words):
            return words, []
        out: list[str] = []
        found: list[str] = []
        i = 0
        while i < len(words):
            if words[i] not in firsts:
                out.append(words[i])
                i += 1
                continue
            for size in range(min(self.longest, len(words) - i), 0, -1):
                key = tuple(words[i : i + size])
                english = self.words.get(key)
                if english is not None:
                    out += english
                    found.append(self.languages.get(key, ""))
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out, found


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if ch in _KANA_MARKS:
            kept.append(ch)  # the voicing marks of Japanese kana are part of the letter, not an accent
            continue
        if category == "Mn" or category in _INVISIBLE_CATEGORIES or category == "So":
            # accents, zero-width and bidi marks, control characters, pictographic emoji
            if category in ("Cc",) or ch.isspace():
                kept.append(" ")
            continue
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


def fold(text: str) -> str:
    """Lowercase, accents and invisible marks dropped, apostrophes joined: the form phrases compare in."""
    text = text.lower()
    if not text.isascii():
        text = _strip_marks(text).casefold()
    return _APOSTROPHE.sub("", text)


def _url_words(url: str) -> str:
    """The words of a link's path ("AmazonECR/latest/userguide" -> "amazon ecr latest userguide")."""
    path = urlparse(url).path
    return " ".join(_CAMEL.sub(" ", _NON_WORD.sub(" ", path).replace("_", " ")).split())


def _slack_to_plain(raw: str) -> tuple[str, tuple[str, ...], list[str]]:
    """Slack markup removed: links keep their label, mentions and channel links go, entities are decoded.
    Returns the text, the emoji names and the words of bare links (read as context, like a quote)."""
    text = (raw or "")[:MAX_INPUT_CHARS]
    links: list[str] = []

    def bare(url: str) -> str:
        links.append(_url_words(url))
        return " "

    text = _LINK.sub(lambda m: f" {m.group(2)} " if m.group(2) else bare(m.group(1)), text)
    text = _MENTION.sub(" ", text)
    text = html.unescape(text)
    text = _BARE_URL.sub(lambda m: bare(m.group(0)), text)
    emoji = tuple(name.replace("_", " ") for name in _EMOJI.findall(text.lower()))
    text = _EMOJI.sub(" ", text)
    return text, emoji, [w for w in links if w]


def _lines(text: str) -> list[tuple[str, bool]]:
    """(line, is a quote). A message that is nothing but a quote is read as the message itself."""
    lines = []
    for line in text.split("\n"):
        stripped = line.lstrip()
        quoted = stripped.startswith(">")
        lines.append((stripped.lstrip(">").strip() if quoted else line, quoted))
    if all(q for _, q in lines):
        lines = [(line, False) for line, _ in lines]
    return lines


def _sentences(lines: list[tuple[str, bool]]) -> list[tuple[str, float]]:
    """Sentences with their weight: those that ask count fully, the context around them and quotes less."""
    sentences: list[tuple[str, bool]] = []
    for line, quoted in lines:
        for sentence in _SENTENCE_END.split(line):
            if sentence.strip():
                sentences.append((sentence, quoted))
    own = [i for i, (_, quoted) in enumerate(sentences) if not quoted]
    asking = {i for i in own if _QUESTION_MARK.search(sentences[i][0])}
    if not asking and own:
        asking = {own[-1]}  # no question mark: the last sentence of one's own is the one that asks
        # and so is an opening that asks ("explain ecs. i keep seeing it in terraform")
        asking.add(own[0])
    for i in sorted(asking):
        # a bare plea ("help me out?", "thoughts?", "anyone?") asks what the sentence before it says
        earlier = [j for j in own if j < i]
        if earlier and len(_NON_WORD.sub(" ", sentences[i][0]).split()) <= PLEA_WORDS:
            asking.add(earlier[-1])
    out = []
    for i, (sentence, quoted) in enumerate(sentences):
        weight = QUOTE_WEIGHT if quoted else ASK_WEIGHT if i in asking else CONTEXT_WEIGHT
        out.append((sentence, weight))
    return out


def normalise(raw: str, rewrite: Rewriter | None = None) -> Normalised:
    """Slack text -> lowercase words: mentions, channel links, special mentions and emoji codes removed,
    link labels kept, accents and invisible characters dropped, apostrophes joined ("what's" -> "whats"),
    phrases of other languages rewritten in English when a rewriter is given. Each word carries the weight
    of its sentence (asking, context or quote) and its clause number."""
    text, emoji, links = _slack_to_plain(raw)
    writing = cjk_language(text)
    script = "cjk" if writing else ""
    tokens: list[str] = []
    clauses: list[int] = []
    weights: list[float] = []
    sentences: list[int] = []
    clause = 0
    question = False
    rewritten: list[str] = []
    lines = _lines(text) + [(words, True) for words in links]
    for number, (sentence, weight) in enumerate(_sentences(lines)):
        question = question or bool(_QUESTION_MARK.search(sentence))
        sentence = fold(sentence)
        if script:
            sentence = _script_boundary().sub(" ", sentence)  # "ecs랑" -> "ecs 랑"
        if rewrite is not None and script:
            sentence, found = rewrite.spaced(sentence)
            rewritten += found
        for part in _CLAUSE_BREAK.split(sentence):
            words = _NON_WORD.sub(" ", part).replace("_", " ").split()
            if rewrite is not None and words:
                words, found = rewrite.words_of(words)
                rewritten += found
            if words:
                tokens += words
                clauses += [clause] * len(words)
                weights += [weight] * len(words)
                sentences += [number] * len(words)
                clause += 1
    tokens, clauses, weights = tokens[:MAX_TOKENS], clauses[:MAX_TOKENS], weights[:MAX_TOKENS]
    sentences = sentences[:MAX_TOKENS]
    if not tokens and emoji:
        # an emoji-only message (":wave:") still says something
        tokens = [word for name in emoji for word in _NON_WORD.sub(" ", name).split()][:MAX_TOKENS]
        clauses = [0] * len(tokens)
        weights = [ASK_WEIGHT] * len(tokens)
        sentences = [0] * len(tokens)
    return Normalised(
        " ".join(tokens),
        tuple(tokens),
        emoji,
        tuple(clauses),
        tuple(weights),
        question,
        script,
        tuple(rewritten),
        tuple(sentences),
        writing,
    )


def escape_slack(text: str) -> str:
    """Escape user text so it cannot form Slack markup (mentions, links, special mentions) when quoted."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
