"""What every listener works with: the knowledge being served, the settings, the store, the metrics and the
outbox, in one object built once per app (it replaces closures over shared state)."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from functools import cached_property

from slack_sdk import WebClient

from ..answering import conversation
from ..answering.answer import Answer
from ..answering.conversation import Thread
from ..answering.decision import decide
from ..answering.engine import AnswerEngine
from ..knowledge.model import Knowledge
from ..logs import redact
from ..settings import Settings
from . import screens
from .health import Health
from .metrics import Metrics
from .outbox import Outbox
from .store import Store
from .thread_store import ThreadContexts
from .threads import ReadBudget, ThreadMemory

log = logging.getLogger("container_bot.requests")
unanswered_log = logging.getLogger("container_bot.unanswered")
UNANSWERED_CHARS = 200
PRESET_READ_TIMEOUT = 1.0  # seconds: reading a DM's situation before a modal opens (a trigger lives 3 s)
READ_TIMEOUT = 3.0  # seconds: reading a thread back before answering there (else it is answered on its own)
MARKUP = re.compile(r"<[@#!][^>]*>")


@dataclass(frozen=True)
class Loaded:
    """The knowledge being served and the engine built from it, swapped whole on a reload: a message is
    answered from one of them, never from half of each."""

    knowledge: Knowledge
    engine: AnswerEngine
    version: int = 1
    loaded_at: float = field(default_factory=time.time)

    @cached_property
    def home_view(self) -> dict:
        """App Home for this knowledge: built when it is first opened, then reused until a reload."""
        return screens.home_view(self.knowledge)


def loggable(text: str, secrets: tuple[str, ...] = ()) -> str:
    """A question for the log: mentions and special mentions removed, tokens and secrets masked (before
    cutting, so no half of one survives), cut to 200 characters."""
    return " ".join(redact(MARKUP.sub(" ", text), secrets).split())[:UNANSWERED_CHARS]


@dataclass
class Runtime:
    loaded: Loaded
    settings: Settings
    store: Store  # what was handled (exactly once) and which threads the bot answered in
    metrics: Metrics
    outbox: Outbox  # every Web API call goes through it: listeners ack and never wait on Slack
    health: Health = field(default_factory=Health)  # what /healthz says: a revoked token, dead links
    contexts: ThreadContexts | None = None  # OAuth mode: thread context from the store, not read back
    memory: ThreadMemory = field(init=False)
    reads: ReadBudget = field(default_factory=ReadBudget, init=False)  # paused after a 429 on a read
    _readers: dict[tuple, WebClient] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.memory = ThreadMemory(self.store)

    def reader(self, client: WebClient, timeout: float = READ_TIMEOUT) -> WebClient:
        """A client that reads a conversation back: the request client's token and URL, a short timeout and no
        retries. A read is optional (a reply is answered on its own without it), so it never sits out a 429's
        Retry-After or a slow Slack on a thread that replies are waiting for. Built once per token, URL and
        timeout."""
        key = (client.token, client.base_url, timeout)
        reader = self._readers.get(key)
        if reader is None:
            if len(self._readers) >= 16:  # a token that changed: the old ones are not needed again
                self._readers.clear()
            reader = WebClient(
                token=client.token,
                base_url=client.base_url,
                timeout=timeout,  # type: ignore[arg-type]  # slack_sdk says int; urllib takes float seconds
                retry_handlers=[],
            )
            self._readers[key] = reader
        return reader

    def preset_reader(self, client: WebClient) -> WebClient:
        """The reader of a DM's situation before a modal opens: a trigger lives 3 s, so a shorter timeout."""
        return self.reader(client, PRESET_READ_TIMEOUT)

    @property
    def knowledge(self) -> Knowledge:
        return self.loaded.knowledge

    @property
    def engine(self) -> AnswerEngine:
        return self.loaded.engine

    def claim(self, body: dict, event: dict) -> bool:
        """Claims the event and the message: False (counted) when either was handled already."""
        if self.store.claim(f"event:{body.get('event_id')}") and self.store.claim(
            f"msg:{event['channel']}:{event['ts']}"
        ):
            return True
        self.metrics.duplicates.inc()
        return False

    def ask(
        self,
        text: str,
        event_type: str,
        addressed: bool = True,
        thread: Thread | None = None,
        loaded: Loaded | None = None,
        overheard: bool | None = None,
    ) -> Answer:
        """The answer, counted and logged. ``thread``: the bot's latest answer in the thread the message
        replies in (the message is then addressed to the bot). ``overheard`` (default: not ``addressed``): no
        one asked the bot, so a message it cannot answer is colleagues talking, not an unanswered question,
        and is neither logged nor counted as one."""
        overheard = not addressed if overheard is None else overheard
        loaded = loaded or self.loaded
        started = time.perf_counter()
        answer = conversation.reply(loaded.engine, text, thread, addressed=addressed)
        elapsed = time.perf_counter() - started
        self.metrics.latency.observe(elapsed)
        self.metrics.answers.labels(answer.kind).inc()
        follow_up = answer.match.follow_up if answer.match else None
        if follow_up:
            self.metrics.follow_ups.labels(follow_up).inc()
        if answer.kind == "fallback" and not overheard:
            self.metrics.fallbacks.inc()
            unanswered_log.info(
                "unanswered question",
                extra={"event_type": event_type, "question": loggable(text, self.settings.secrets)},
            )
        log.info(
            "answered",
            extra={
                "event_type": event_type,
                "kind": answer.kind,
                "confidence": answer.confidence,
                "latency_ms": round(elapsed * 1000, 3),
                **({"outcome": f"follow_up_{follow_up}"} if follow_up else {}),
            },
        )
        return answer

    def result(self, answers: dict[str, str], complete: bool | None = None) -> Answer:
        """The guided choice's recommendation for these answers (complete when all criteria are answered, or
        when the guided choice settled it: what was not answered counts for neither service)."""
        engine = self.engine  # once: its knowledge is the one it was built from, whatever a reload does
        if complete is None:
            complete = all(c.id in answers for c in engine.knowledge.criteria)
        return engine.recommendation(decide(engine.knowledge, answers, complete=complete), guided=True)
