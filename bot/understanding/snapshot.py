"""The knowledge, validated once, kept between starts: a command-line answer reads one file instead of
parsing and validating seven YAML files every time.

A snapshot is keyed by the knowledge file's text, the bot's version and the source of the modules that read
and validate knowledge (`bot/knowledge/*.py`), and holds the digest of every file it was built from (the
claims files, the examples file): when any of them changed, or the snapshot is unreadable, the files are
parsed and validated as usual. It is plain data (`marshal`, through the same checked cache as the model):
the dataclasses of the knowledge are written as their fields and rebuilt by their own constructors, from a
fixed list of classes. `container-bot check` never uses it: it validates the files themselves.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from .. import __version__
from ..knowledge import KnowledgeError, claims, freshness, load_knowledge, model
from ..knowledge.loader import default_path
from ..knowledge.model import Knowledge
from ..knowledge.reader import MAX_EXAMPLES_BYTES, MAX_FILE_BYTES, Unreadable, read_capped
from . import cache

FORMAT = 1
KIND = "knowledge"
# the only classes a snapshot may name: the dataclasses the knowledge modules define
_CLASSES = {
    name: cls
    for module in (model, claims, freshness)
    for name, cls in vars(module).items()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__
}
log = logging.getLogger("container_bot.model")


@functools.cache
def _code() -> str:
    """A digest of the modules that read and validate knowledge, as installed."""
    digest = hashlib.sha256(__version__.encode())
    folder = Path(__file__).parent.parent / "knowledge"
    try:
        for module in sorted(folder.glob("*.py")):
            digest.update(module.name.encode() + b"\0" + module.read_bytes())
    except OSError:
        return ""
    return digest.hexdigest()


def _key(text: str) -> str:
    code = _code()
    return hashlib.sha256(f"{FORMAT}\0{code}\0{text}".encode()).hexdigest() if code else ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load(path: str | os.PathLike[str] | None = None) -> Knowledge:
    """The knowledge at `path` (KNOWLEDGE_FILE, else the packaged file): from its snapshot when every file
    it was built from is unchanged, else parsed and validated (and a snapshot kept for the next start)."""
    target = Path(path) if path is not None else default_path()
    try:
        text = read_capped(target, MAX_FILE_BYTES)
    except Unreadable:
        text = None
    key = _key(text) if text is not None else ""
    if key:
        found = _restore(cache.load(key, KIND), target)
        if found is not None:
            return found
    knowledge = load_knowledge(target)  # raises KnowledgeError, FILE:LINE, as ever
    if key:
        cache.save(key, _state(knowledge, target), kind=KIND)
    return knowledge


def _state(knowledge: Knowledge, target: Path) -> dict:
    here = os.path.dirname(os.path.abspath(target))
    files = {os.path.relpath(path, here): _digest(_read(Path(path))) for path in knowledge.claims_files}
    if knowledge.examples_file:
        files[os.path.relpath(knowledge.examples_file, here)] = _digest(knowledge.examples_text)
    return {"files": files, "knowledge": _encode(knowledge, here + os.sep)}


def _restore(state: dict | None, target: Path) -> Knowledge | None:
    if state is None:
        return None
    here = os.path.dirname(os.path.abspath(target))
    try:
        for name, digest in state["files"].items():
            if _digest(_read(Path(here) / name)) != digest:
                return None  # a claims or examples file changed since: parse it all again
        knowledge = _decode(state["knowledge"], here + os.sep)
    except (KeyError, TypeError, ValueError, OSError, KnowledgeError):
        return None
    if not isinstance(knowledge, Knowledge):
        return None
    log.info("knowledge loaded from its snapshot")
    return dataclasses.replace(knowledge, path=str(target))


def _read(path: Path) -> str:
    text = read_capped(path, MAX_EXAMPLES_BYTES)
    if text is None:
        raise OSError(f"{path} is too large")
    return text


def _encode(value: Any, here: str) -> Any:
    """Plain data for marshal: a dataclass as its class name and fields, containers tagged, the knowledge
    file's folder taken out of every path (the snapshot holds wherever the files are found again)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [f.name for f in dataclasses.fields(value) if f.init]
        return ("D", type(value).__name__, tuple((n, _encode(getattr(value, n), here)) for n in fields))
    if isinstance(value, str):
        return ("P", value[len(here) :]) if value.startswith(here) else value
    if isinstance(value, tuple):
        return ("T", tuple(_encode(v, here) for v in value))
    if isinstance(value, list):
        return ("L", tuple(_encode(v, here) for v in value))
    if isinstance(value, frozenset):
        return ("F", tuple(_encode(v, here) for v in value))
    if isinstance(value, dict):
        return ("M", tuple((_encode(k, here), _encode(v, here)) for k, v in value.items()))
    if isinstance(value, datetime.date):
        return ("d", value.isoformat())
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__} in a snapshot")


def _decode(value: Any, here: str) -> Any:
    if not isinstance(value, tuple):
        return value
    tag, body = value[0], value[-1]
    if tag == "D":
        cls = _CLASSES[value[1]]
        return cls(**{name: _decode(v, here) for name, v in body})
    if tag == "P":
        return here + body
    if tag == "T":
        return tuple(_decode(v, here) for v in body)
    if tag == "L":
        return [_decode(v, here) for v in body]
    if tag == "F":
        return frozenset(_decode(v, here) for v in body)
    if tag == "M":
        return {_decode(k, here): _decode(v, here) for k, v in body}
    if tag == "d":
        return datetime.date.fromisoformat(body)
    raise ValueError(f"unknown tag {tag!r}")
