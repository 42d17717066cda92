"""What the matcher learned, kept between starts: one file per knowledge checksum.

Training from the examples takes a few hundred milliseconds; a command-line answer should not pay that on
every start. The file is keyed by the checksum of the knowledge file, its examples file, the bot's version
and the source of the modules that learn (`fingerprint()`), so any edit to either file, or an install of
changed code under the same version, retrains. The cache is an optimisation only: an unreadable, stale,
foreign or corrupt file is ignored, and where no cache directory can be written (a read-only container)
the bot simply trains at every start.

CONTAINER_BOT_CACHE names the directory; "off" disables the cache. Default: $XDG_CACHE_HOME/container-bot,
else ~/.cache/container-bot.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import stat
import tempfile
from pathlib import Path

ENV = "CONTAINER_BOT_CACHE"
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


def _path(key: str) -> Path | None:
    where = directory()
    if where is None or not key or not all(c in "0123456789abcdef" for c in key):
        return None
    return where / f"model-{key[:32]}.bin"


def key_for(checksum: str) -> str:
    """The cache key of what is learned from the knowledge with this checksum by the code installed now."""
    if not checksum:
        return ""
    return hashlib.sha256(f"{checksum}\0{fingerprint()}".encode()).hexdigest()


def has(key: str) -> bool:
    """A file for this key exists (cheap: it is not read)."""
    path = _path(key)
    return path is not None and path.is_file()


def load(key: str) -> dict | None:
    path = _path(key)
    if path is None:
        return None
    try:
        info = path.stat()
        # only a file of our own that nobody else can write: the cache must not become a way in
        if (hasattr(os, "getuid") and info.st_uid != os.getuid()) or info.st_mode & (
            stat.S_IWGRP | stat.S_IWOTH
        ):
            return None
        data = marshal.loads(path.read_bytes())  # plain data only: marshal builds no objects of its own
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("state"), dict):
        return None
    return data["state"]


def save(key: str, state: dict) -> bool:
    """Write atomically (a temporary file renamed into place); False when there is nowhere to write."""
    path = _path(key)
    if path is None:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".model-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(marshal.dumps({"key": key, "state": state}))
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return False
    return True
