"""The model the wheel ships: trained from the packaged knowledge while the wheel is built (setup.py), into
the package's `packaged/` directory, where `cache.load` finds it before any cache directory; and the
snapshot of the validated knowledge beside it."""

from __future__ import annotations

import os
from pathlib import Path

from ..knowledge import load_knowledge
from . import cache, snapshot
from .training import Learned


def build(target: str) -> str:
    """Train from the packaged knowledge into `target`; the name of the file written."""
    where = Path(target)
    os.environ[cache.ENV] = str(where)  # Learned saves what it trains into the cache directory: this one
    knowledge = load_knowledge(None)
    key = cache.key_for(knowledge.checksum)
    Learned(knowledge)
    snapshot.load(None)  # and the validated knowledge, so that a start reads no YAML either
    name = f"model-{key[:32]}.bin"
    if not (where / name).is_file():
        raise SystemExit(f"container-bot: the packaged model was not written to {where}")
    shipped = {name, *(p.name for p in where.glob(f"{snapshot.KIND}-*.bin"))}
    for path in where.iterdir():
        if path.name not in shipped:
            path.unlink()  # a model of an earlier build left in a reused build tree would ship for nothing
            continue
        path.chmod(0o644)  # read by whoever runs the installed package, written by no one
    return str(where / name)
