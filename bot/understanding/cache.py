"""What the matcher learned, kept between starts: one file per knowledge checksum.

Training from the examples takes a few hundred milliseconds; a command-line answer, a Lambda cold start or a
container start should not pay that. The file is keyed by the checksum of the knowledge file, its examples
file, the bot's version and the source of the modules that learn (`fingerprint()`), so any edit to either
file, or an install of changed code under the same version, retrains.

Two places are read, in this order:
- the package's own `packaged/` directory, written when the wheel is built (setup.py), so an install of the
  packaged knowledge starts warm with nothing writable at all (AWS Lambda, a read-only container);
- the cache directory: CONTAINER_BOT_CACHE ("off" disables it), default $XDG_CACHE_HOME/container-bot, else
  ~/.cache/container-bot. What is trained for any other knowledge file is saved there, keeping the newest
  KEEP files.

The cache is an optimisation only, and must not become a way in: a file is read only when it and its
directory belong to us, to root or to whoever owns this code (they could change the code itself), and
neither can be written by anyone else; the directory and the file are each opened once, without following a
link, and those handles are checked (`fstat`), so nothing can be swapped between the check and the read. A
file whose checksum does not match what it holds, or that is stale, foreign or truncated, is ignored and
the bot trains again.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import os
import stat
import tempfile
from pathlib import Path

log = logging.getLogger("container_bot.model")
ENV = "CONTAINER_BOT_CACHE"
PACKAGED = Path(__file__).parent / "packaged"
MAGIC = b"cbmodel2"  # the file layout: MAGIC, sha256 of the payload, the payload (marshal)
DIGEST = 32
MAX_BYTES = 16 * 1024 * 1024  # a model is about 1.6 MiB; anything far larger is not one of ours
KEEP = 3  # newest files kept in the cache directory (about 5 MiB)
# the modules whose code decides what is learned from the examples (relative to this package)
LEARNING_MODULES = (
    "normalise.py",
    "phrases.py",
    "features.py",
    "classifiers.py",
    "mining.py",
    "training.py",
    "retrieval.py",
    "../knowledge/examples.py",
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


@functools.cache
def fingerprint() -> str:
    """A digest of the learning modules' source as installed (empty when it cannot be read)."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    try:
        for name in LEARNING_MODULES:
            digest.update((here / name).read_bytes())
    except OSError:  # a zipped or stripped install: the version alone keys the cache
        return ""
    return digest.hexdigest()


def directory() -> Path | None:
    configured = os.environ.get(ENV, "").strip()
    if configured.lower() in ("off", "0", "false", "no"):
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "container-bot"


def _name(key: str, kind: str = "model") -> str | None:
    if not key or not all(c in "0123456789abcdef" for c in key):
        return None
    return f"{kind}-{key[:32]}.bin"


def key_for(checksum: str) -> str:
    """The cache key of what is learned from the knowledge with this checksum by the code installed now."""
    if not checksum:
        return ""
    return hashlib.sha256(f"{checksum}\0{fingerprint()}".encode()).hexdigest()


@functools.cache
def _trusted_owners() -> frozenset[int]:
    """Who may have written a file we read: us, root, and the owner of this code."""
    owners = {0}
    if hasattr(os, "getuid"):
        owners.add(os.getuid())
    try:
        owners.add(os.stat(__file__).st_uid)
    except OSError:
        pass
    return frozenset(owners)


def _trusted(info: os.stat_result) -> bool:
    if not hasattr(os, "getuid"):
        return True  # no owners to speak of (Windows): the other checks still hold
    return info.st_uid in _trusted_owners() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(where: Path, name: str) -> bytes | None:
    """The file's bytes, read through one handle on the directory and one on the file, each checked."""
    try:
        folder = os.open(where, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
    except OSError:
        return None
    try:
        if not _trusted(os.fstat(folder)):
            log.warning("model cache %s is ignored: it may be written by someone else", where)
            return None
        handle = os.open(name, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0), dir_fd=folder)
    except OSError:
        return None
    finally:
        os.close(folder)
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or not _trusted(info) or info.st_size > MAX_BYTES:
            return None
        return stream.read(MAX_BYTES + 1)


def _decode(raw: bytes | None, key: str) -> dict | None:
    """The state a file holds, when its checksum matches and it was saved for this key."""
    if not raw or len(raw) > MAX_BYTES or not raw.startswith(MAGIC):
        return None
    digest, payload = raw[len(MAGIC) : len(MAGIC) + DIGEST], raw[len(MAGIC) + DIGEST :]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        data = marshal.loads(payload)  # plain data only: marshal builds no objects of its own
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("state"), dict):
        return None
    return data["state"]


def encode(key: str, state: dict) -> bytes:
    payload = marshal.dumps({"key": key, "state": state})
    return MAGIC + hashlib.sha256(payload).digest() + payload


def has(key: str) -> bool:
    """A file for this key exists (cheap: it is not read)."""
    name, where = _name(key), directory()
    return name is not None and any((d / name).is_file() for d in (PACKAGED, where) if d is not None)


def load(key: str, kind: str = "model") -> dict | None:
    """What was learned for this key: from the package, else from the cache directory; None to train.
    `kind`: what the file holds (a model, or a validated knowledge snapshot)."""
    name = _name(key, kind)
    if name is None:
        return None
    for where in (PACKAGED, directory()):
        if where is None:
            continue
        state = _decode(_read(where, name), key)
        if state is not None:
            log.info("%s loaded from %s", kind, "the package" if where == PACKAGED else where)
            return state
    return None


def save(key: str, state: dict, where: Path | None = None, kind: str = "model") -> bool:
    """Write atomically (a temporary file renamed into place), into a directory of our own that no one else
    can write, then keep only the newest KEEP files of its kind; False when there is nowhere to write."""
    name, where = _name(key, kind), where or directory()
    if name is None or where is None:
        return False
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder = os.open(where, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
        try:
            info = os.fstat(folder)
        finally:
            os.close(folder)
        if (hasattr(os, "getuid") and info.st_uid != os.getuid()) or not _trusted(info):
            log.warning("%s not saved: %s is not a directory of our own that only we can write", kind, where)
            return False
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".model-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(encode(key, state))
            os.chmod(temporary, 0o600)
            os.replace(temporary, where / name)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return False
    prune(where, keep=name, kind=kind)
    log.info("%s saved in %s", "model trained and" if kind == "model" else kind, where)
    return True


def prune(where: Path, keep: str = "", kind: str = "model") -> None:
    """Keep the newest KEEP files of a kind (always `keep`, the one just written); remove the rest."""
    try:
        files = sorted(
            (p for p in where.glob(f"{kind}-*.bin") if p.is_file() and not p.is_symlink()),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
    except OSError:
        return
    kept = [p for p in files if p.name == keep][:1]
    kept += [p for p in files if p.name != keep][: KEEP - len(kept)]
    for path in files:
        if path not in kept:
            try:
                path.unlink()
            except OSError:
                pass
