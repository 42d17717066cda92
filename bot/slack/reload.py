"""Knowledge reload without a restart: on SIGHUP, and when KNOWLEDGE_FILE changes (KNOWLEDGE_RELOAD_SECONDS).

The new file is read, fully validated (the examples file too) and its matcher trained on a thread of its
own while the old one keeps answering; only then is it swapped in, as one reference (`Runtime.loaded`), so a
message is answered wholly from the old knowledge or wholly from the new. A file that does not load leaves
the old one serving and is one log line with FILE:LINE.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import threading
import time
from pathlib import Path

from ..answering.engine import AnswerEngine
from ..knowledge import KnowledgeError, default_path, load_knowledge
from ..knowledge.reader import MAX_EXAMPLES_BYTES, MAX_FILE_BYTES
from .runtime import Loaded, Runtime

# (the knowledge file's digest, the examples file, that file's digest, each claims file's digest)
Fingerprint = tuple[str, str, str, tuple[str, ...]]

log = logging.getLogger("container_bot.knowledge")


def describe(loaded: Loaded) -> dict:
    """What /healthz shows of the knowledge being served."""
    return {
        "version": loaded.version,
        "checksum": loaded.knowledge.checksum,
        "file": loaded.knowledge.path,
        "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(loaded.loaded_at)),
    }


def publish(runtime: Runtime) -> None:
    """The knowledge being served, in /metrics (container_bot_knowledge_info)."""
    runtime.metrics.knowledge.info(
        {"version": str(runtime.loaded.version), "checksum": runtime.loaded.knowledge.checksum}
    )


class Reloader:
    def __init__(self, runtime: Runtime, path: str | None):
        self.runtime = runtime
        self.path = Path(path) if path else default_path()
        self._lock = threading.Lock()  # one reload at a time; a second request waits and then reloads again
        self._seen = self.fingerprint()
        publish(runtime)

    def fingerprint(self) -> Fingerprint:
        """What a change check compares: the knowledge file, and the examples and claims files the served
        knowledge names, each within the loader's limits (`digest`)."""
        knowledge = self.runtime.loaded.knowledge
        examples = knowledge.examples_file
        examples_digest = digest(Path(examples), MAX_EXAMPLES_BYTES) if examples else ""
        claims = tuple(digest(Path(p), MAX_FILE_BYTES) for p in knowledge.claims_files)
        return digest(self.path, MAX_FILE_BYTES), examples, examples_digest, claims

    def reload(self, reason: str) -> bool:
        """Load, validate and build the file, then swap it in; True when it was swapped.

        What is recorded as seen is what was loaded, taken before loading it: the knowledge file as it was
        just before the loader read it, and the examples file as the loader read it. A write that lands while
        the new knowledge trains is then a change at the next check, and loaded; it is never recorded as seen
        by a look at the files after the swap."""
        with self._lock:
            before = self._seen = self.fingerprint()
            started = time.perf_counter()
            old = self.runtime.loaded
            try:
                knowledge = load_knowledge(self.path, full=True)
                log.info("knowledge read from %s: training the matcher", knowledge.path)
                engine = AnswerEngine(knowledge, self.runtime.settings.threshold)
            except KnowledgeError as exc:
                first = exc.problems[0]
                more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
                self.runtime.metrics.knowledge_reloads.labels("invalid").inc()
                log.error(
                    "knowledge not reloaded, still serving version %d: %s%s",
                    old.version,
                    first,
                    more,
                    extra={"event_type": f"reload.{reason}", "outcome": "invalid"},
                )
                return False
            except Exception as exc:  # a file that validates but breaks the build: the old one keeps serving
                self.runtime.metrics.knowledge_reloads.labels("invalid").inc()
                log.error(
                    "knowledge not reloaded, still serving version %d: %s:0: %s",
                    old.version,
                    self.path,
                    type(exc).__name__,
                    extra={"event_type": f"reload.{reason}", "outcome": "invalid"},
                )
                return False
            loaded = Loaded(knowledge, engine, old.version + 1)
            self.runtime.loaded = loaded  # the swap: one reference, read once per message
            examples = knowledge.examples_file  # maybe another file than before: recorded as it was read
            read = hashlib.sha256(knowledge.examples_text.encode("utf-8")).hexdigest() if examples else ""
            claims = before[3]  # as they were just before loading, like the knowledge file
            if knowledge.claims_files != old.knowledge.claims_files:  # another list of files: as they are now
                claims = tuple(digest(Path(p), MAX_FILE_BYTES) for p in knowledge.claims_files)
            self._seen = (before[0], examples, read, claims)
            publish(self.runtime)
            self.runtime.metrics.knowledge_reloads.labels("ok").inc()
            log.info(
                "knowledge reloaded: version %d from %s in %.2fs",
                loaded.version,
                knowledge.path,
                time.perf_counter() - started,
                extra={
                    "event_type": f"reload.{reason}",
                    "outcome": "reloaded",
                    "version": loaded.version,
                    "checksum": knowledge.checksum,
                },
            )
            return True

    def reload_in_background(self, reason: str) -> None:
        """From a signal handler: the work happens on a thread, never inside the handler."""
        threading.Thread(target=self.reload, args=(reason,), daemon=True, name="reload").start()

    def watch(self, every: float) -> threading.Event:
        """Check the files every `every` seconds and reload when they changed. A change that does not load is
        reported once, not at every check; the returned event stops the watch."""
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(every):
                try:
                    current = self.fingerprint()
                    if current != self._seen:
                        self.reload("file_changed")
                except Exception:  # the watch must outlive any one check
                    log.exception("knowledge change check failed")

        threading.Thread(target=run, daemon=True, name="knowledge-watch").start()
        return stop


def digest(path: Path, limit: int) -> str:
    """The file's bytes, hashed, when it is a regular file of at most `limit` bytes (the most the loader
    reads); else what stat says of it, without reading it. Stat first: a 300 MB file costs a stat, not 300 MB
    of memory and a read at every check."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return f"unread: {info.st_mode:o} {info.st_size} {info.st_mtime_ns} {info.st_ino}"
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        return f"unreadable: {exc.errno}"
    if len(data) > limit:  # grew since the stat: read no further
        return f"unread: over {limit} {info.st_mtime_ns} {info.st_ino}"
    return hashlib.sha256(data).hexdigest()
