"""Thin listeners: parse the payload, call the core, render, reply. Registered per Slack feature."""

from __future__ import annotations

import html
import json
import logging
import re
import time
from dataclasses import dataclass, field
from functools import cached_property

from slack_bolt import App, Assistant, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from .. import conversation
from ..answers import Answer, AnswerEngine
from ..conversation import Thread
from ..guide import decide, deciding_questions, looks_like_code, parse_code
from ..knowledge import Knowledge
from ..logs import redact
from ..matcher import ANSWER_KINDS
from ..settings import Settings
from ..text import MAX_INPUT_CHARS, fold, normalise
from . import blocks
from .calls import call_slack
from .dedupe import Deduper
from .ids import (
    ACTION_COMPARE,
    ACTION_DECIDE_PREFIX,
    ACTION_FEEDBACK,
    ACTION_SHARE,
    ACTION_START_CHOICE,
    ACTION_SUGGESTION_PREFIX,
    ACTION_WHY,
    CHOICE_ACTION_ID,
    CHOICE_VIEW,
    COMMAND,
    SHARE_CHANNEL_ACTION,
    SHARE_CHANNEL_BLOCK,
    SHARE_VIEW,
    SHORTCUT_ASK,
    SUGGESTED_PROMPTS,
)
from .metrics import Metrics
from .outbox import Outbox
from .safety import scrub, scrub_message
from .threads import ThreadMemory, read_thread

log = logging.getLogger("container_bot.requests")
unanswered_log = logging.getLogger("container_bot.unanswered")
feedback_log = logging.getLogger("container_bot.feedback")
UNANSWERED_CHARS = 200
PRESET_READ_TIMEOUT = 1.0  # seconds: reading a DM's situation before a modal opens (a trigger lives 3 s)
THINKING = "is looking that up…"
WELCOME = (
    "Hi! I answer questions about Amazon ECS, EKS and ECR: what they are, how they compare, and which one "
    "fits your team. Ask away, and reply here to follow up."
)


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
        return blocks.home_view(self.knowledge)


@dataclass
class Deps:
    loaded: Loaded
    settings: Settings
    dedupe: Deduper
    metrics: Metrics
    outbox: Outbox  # every Web API call goes through it: listeners ack and never wait on Slack
    memory: ThreadMemory | None = None  # the threads the bot answered in, in the dedupe store
    _preset_reader: tuple | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.memory is None:
            self.memory = ThreadMemory(self.dedupe)

    def preset_reader(self, client) -> WebClient:
        """A client that reads a DM's situation before a modal opens: the request client's token and URL, with
        a short timeout (a trigger lives 3 s). Built once, and again only if that token or URL changes."""
        key = (client.token, client.base_url)
        reader = self._preset_reader
        if reader is None or reader[0] != key:
            built = WebClient(token=client.token, base_url=client.base_url, timeout=PRESET_READ_TIMEOUT)
            reader = self._preset_reader = (key, built)
        return reader[1]

    @property
    def knowledge(self) -> Knowledge:
        return self.loaded.knowledge

    @property
    def engine(self) -> AnswerEngine:
        return self.loaded.engine

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
        if thread is not None:
            answer = conversation.ask(loaded.engine, text, thread)
        else:
            answer = loaded.engine.ask(text, addressed=addressed)
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


_MARKUP = re.compile(r"<[@#!][^>]*>")


def loggable(text: str, secrets: tuple[str, ...] = ()) -> str:
    """A question for the log: mentions and special mentions removed, tokens and secrets masked (before
    cutting, so no half of one survives), cut to 200 characters."""
    return " ".join(redact(_MARKUP.sub(" ", text), secrets).split())[:UNANSWERED_CHARS]


def register(app: App, deps: Deps) -> None:
    register_rate_limit_notice(app, deps)
    register_assistant(app, deps)
    register_events(app, deps)
    register_commands(app, deps)
    register_actions(app, deps)
    register_views(app, deps)
    register_shortcuts(app, deps)


# ------------------------------------------------------------------------------------------- helpers


def _send(deps: Deps, client, allow_users: tuple[str, ...] = (), **kwargs) -> tuple[str | None, str | None]:
    """chat.postMessage through the safety gate: (ts of the message, None) when it was delivered, else (None,
    Slack's error code such as not_in_channel). A failure is a log line and a metric, never a crash."""
    payload = scrub_message(kwargs, allow_users)
    ts, error = call_slack(
        deps.metrics,
        log,
        "chat.postMessage",
        lambda: client.chat_postMessage(unfurl_links=False, unfurl_media=False, **payload).get("ts"),
        unknown="unknown",
    )
    if error is not None:
        return None, error
    return (ts if isinstance(ts, str) else ""), None


def _post(deps: Deps, client, allow_users: tuple[str, ...] = (), **kwargs) -> str | None:
    """chat.postMessage through the safety gate: None when it was delivered, else Slack's error code."""
    return _send(deps, client, allow_users, **kwargs)[1]


def answer_extras(deps: Deps, answer: Answer, question: str, thread: Thread | None, loaded: Loaded) -> dict:
    """What an answer carries besides itself: questions that would settle an open recommendation, the
    situation the guided choice opens with, the 👍/👎 that logs the question."""
    deciding = ()
    if answer.kind == "recommendation" and not answer.recommendation and answer.match is not None:
        deciding = tuple(deciding_questions(loaded.knowledge, thread.situation if thread else {}))
    return {
        "deciding": deciding,
        "choice_code": conversation.situation_code(loaded.knowledge, thread),
        "feedback": loggable(question, deps.settings.secrets),
    }


def _post_answer(
    deps: Deps,
    client,
    channel: str,
    thread_ts: str | None,
    answer: Answer,
    question: str,
    before: Thread | None,
    loaded: Loaded,
) -> str | None:
    """An answer in a conversation, carrying the thread's context as message metadata; the conversation is
    remembered for 24 h once Slack took it. None when delivered, else Slack's error code."""
    thread = conversation.after(answer, before)
    message = blocks.answer_message(answer, question, **answer_extras(deps, answer, question, thread, loaded))
    if thread is not None:
        message["metadata"] = {
            "event_type": conversation.EVENT_TYPE,
            "event_payload": conversation.to_payload(thread),
        }
    ts, error = _send(deps, client, channel=channel, thread_ts=thread_ts, **message)
    if ts:
        deps.memory.answered(channel, thread_ts, ts)  # type: ignore[union-attr]
    return error


def _read_back(
    deps: Deps, client, loaded: Loaded, channel: str, thread_ts: str | None, known: str | None, bot: tuple
) -> Thread | None:
    """The conversation as the bot's latest answer there (`known`, its ts) left it, read back from Slack; None
    when the bot has not answered there (nothing to read) or the read fails. `bot`: (bot_id, bot_user_id)."""
    if not known:
        return None
    return read_thread(client, loaded.knowledge, deps.metrics, channel, thread_ts, known, *bot)


def _answer_in_thread(
    deps: Deps,
    client,
    respond,
    channel: str | None,
    thread_ts: str | None,
    answer: Answer,
    question: str,
    bot: tuple,
    loaded: Loaded,
    read: bool = True,
    **private,
) -> None:
    """An answer in the thread, carrying its context on (`read`: from the bot's latest answer there), and
    privately through `respond` whenever there is no channel or the post fails (the bot is not a member, a DM
    between two people); `private`: more arguments for that private message."""
    if channel:
        known = deps.memory.latest_answer(channel, thread_ts) if read else None  # type: ignore[union-attr]
        before = _read_back(deps, client, loaded, channel, thread_ts, known, bot)
        if _post_answer(deps, client, channel, thread_ts, answer, question, before, loaded) is None:
            return
    message = _private_answer(deps, answer, question, loaded)
    _respond(deps, respond, response_type="ephemeral", **private, **message)


def delivered(status: int, body: str | None) -> bool:
    """Whether a response_url answered that it took the message: a 2xx status is not enough, since Slack
    can answer 200 with `{"ok": false, "error": "expired_url"}`; the body must say ok."""
    if not 200 <= status < 300:
        return False
    text = (body or "").strip()
    if text.startswith("{"):
        try:
            return json.loads(text).get("ok") is True
        except (ValueError, AttributeError):
            return False
    return text.lower() == "ok"


def _respond(deps: Deps, respond, allow_users: tuple[str, ...] = (), **kwargs) -> bool:
    """A message through the click's or command's response_url; True when Slack took it."""
    if respond is None:  # App Home clicks and modal submissions carry no response_url
        return False
    return _through_response_url(deps, respond, scrub_message(kwargs, allow_users))


def _through_response_url(deps: Deps, send, message: dict) -> bool:
    """Send a scrubbed message through a response_url; True when Slack took it, else counted and logged."""
    try:
        response = send(**message)
        if delivered(response.status_code, response.body):
            return True
        error = f"http_{response.status_code}" if response.status_code >= 300 else str(response.body)[:100]
    except Exception as exc:
        error = type(exc).__name__
    deps.metrics.slack_errors.labels("response_url").inc()
    log.warning("response_url post failed", extra={"method": "response_url", "error": error})
    return False


# What a person writes arrives as a plain message or as one of these subtypes: a message with a file or
# screenshot, a thread reply also sent to the channel, /me. Every other subtype (bot_message, message_changed,
# message_deleted, channel_join, ...) is Slack reporting something, not someone asking.
USER_SUBTYPES = frozenset({"file_share", "thread_broadcast", "me_message"})
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def _ignored(event: dict, context) -> bool:
    """Never answer ourselves, other bots, edits, deletions, joins or any other non-user message."""
    if event.get("bot_id") or event.get("hidden") or event.get("bot_profile"):
        return True
    if event.get("subtype") and event["subtype"] not in USER_SUBTYPES:
        return True
    user = event.get("user")
    return not user or user in (context.get("bot_user_id"), context.get("bot_id"))


def _for_someone_else(text: str, bot_user: str | None) -> bool:
    """A reply that mentions a colleague (and not the bot) is for them, even in the bot's thread."""
    mentioned = set(_USER_MENTION.findall(text or ""))
    return bool(mentioned) and bot_user not in mentioned


def _where(body: dict) -> tuple[str | None, str | None]:
    """(channel, thread_ts) to answer a button click in: the clicked message's thread, or the user's DM."""
    container = body.get("container") or {}
    if container.get("type") == "view":  # App Home or a modal: answer in the DM
        return body.get("user", {}).get("id"), None
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message = body.get("message") or {}
    thread = message.get("thread_ts") or (
        message.get("ts") if not channel or not channel.startswith("D") else None
    )
    return channel, thread


def _identity(context) -> tuple[str | None, str | None]:
    """(bot_id, bot_user_id): whose messages' metadata may be read back."""
    return context.get("bot_id"), context.get("bot_user_id")


def is_choice_prompt(text: str) -> bool:
    """ "Start the guided choice" (the assistant's suggested prompt, or typed): answered with its button."""
    text = text or ""
    # Cheap first: normalise's words come out of its fold of the first MAX_INPUT_CHARS, entities decoded, and
    # only split further (markup and punctuation become spaces), so without "choice" here no word is "choice".
    if "choice" not in fold(html.unescape(text[:MAX_INPUT_CHARS])):
        return False
    words = normalise(text).tokens
    return (
        2 <= len(words) <= 5 and words[-2:] == ("guided", "choice") and words[0] in ("start", "open", "run")
    )


@dataclass(frozen=True)
class Turn:
    """One message to answer in a conversation, and how."""

    channel: str
    thread_ts: str | None  # where the answer goes: the thread, or None for the top of a DM
    text: str
    event_type: str
    known: str | None  # the bot's latest answer in this conversation (remembered), to read back
    bot: tuple[str | None, str | None]  # (bot_id, bot_user_id)
    quiet: bool = False  # not addressed by a mention: help and "not sure" stay unsaid
    set_status: object = None  # the assistant thread's "is looking that up…", when it is one
    set_title: object = None  # the assistant thread's title, set with its first answer


def _converse(deps: Deps, client, turn: Turn) -> None:
    """Answer a message in a conversation: read the bot's latest answer there back from Slack (only when the
    bot answered in it), answer in its light, post with the context for the next reply."""
    loaded = deps.loaded
    if turn.set_status is not None:
        _assistant_call(deps, "assistant.threads.setStatus", turn.set_status, THINKING)
    thread = _read_back(deps, client, loaded, turn.channel, turn.thread_ts, turn.known, turn.bot)
    if is_choice_prompt(turn.text):
        message = blocks.choice_prompt_message(conversation.situation_code(loaded.knowledge, thread))
        _send(deps, client, channel=turn.channel, thread_ts=turn.thread_ts, **message)
        return
    answer = deps.ask(turn.text, turn.event_type, thread=thread, loaded=loaded, overheard=turn.quiet)
    if turn.quiet and answer.kind not in ANSWER_KINDS:
        return  # overheard in the bot's thread, but not a question for it
    if turn.set_title is not None:
        # the answer's title (knowledge text), else the question with its markup and mentions taken out
        title = answer.title if answer.kind in ANSWER_KINDS else " ".join(_MARKUP.sub(" ", turn.text).split())
        _assistant_call(deps, "assistant.threads.setTitle", turn.set_title, blocks.clip(scrub(title), 100))
    _post_answer(deps, client, turn.channel, turn.thread_ts, answer, turn.text, thread, loaded)


def _assistant_call(deps: Deps, method: str, call, argument) -> None:
    """An assistant.threads.* call (Bolt's set_status, set_title, set_suggested_prompts): optional, so a
    failure (a workspace without the assistant view, a missing assistant:write) is a log line, never a lost
    answer."""
    call_slack(deps.metrics, log, method, lambda: call(argument), level=logging.INFO)


# -------------------------------------------------------------------------------------------- events


def register_rate_limit_notice(app: App, deps: Deps) -> None:
    """Slack sends `app_rate_limited` (no inner event, so no listener matches it) when this app would get over
    30,000 events an hour from one workspace; events are then dropped, mentions and DMs included."""

    @app.middleware
    def on_rate_limited(body, next):
        if body.get("type") != "app_rate_limited":
            return next()
        deps.metrics.events_rate_limited.inc()
        minute = body.get("minute_rate_limited")
        since = (
            time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(minute)) if isinstance(minute, int) else str(minute)
        )
        log.warning(
            "Slack is rate limiting this app's events from %s since %s (minute_rate_limited=%s) and dropping "
            "some; see the README, Event rate limits",
            body.get("team_id"),
            since,
            minute,
            extra={"event_type": "app_rate_limited", "outcome": "events_dropped"},
        )
        return BoltResponse(status=200, body="")


def _first_claim(deps: Deps, body: dict, event: dict) -> bool:
    """Claims the event and the message: False (counted) when either was handled already."""
    if deps.dedupe.claim(f"event:{body.get('event_id')}") and deps.dedupe.claim(
        f"msg:{event['channel']}:{event['ts']}"
    ):
        return True
    deps.metrics.duplicates.inc()
    return False


def register_assistant(app: App, deps: Deps) -> None:
    """Slack's assistant threads (the "Agents & AI Apps" split view), through Bolt's Assistant middleware.
    Optional: without the assistant view in the app's settings these events never come, and DM threads are
    answered all the same (Bolt routes every DM thread reply here)."""
    assistant = Assistant()

    @assistant.thread_started
    def on_thread_started(payload, client, set_suggested_prompts):
        thread = payload.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        if not isinstance(channel, str) or not isinstance(thread_ts, str):
            return
        deps.memory.assistant_thread(channel, thread_ts)  # type: ignore[union-attr]
        deps.outbox.reply(_start_assistant_thread, deps, client, channel, thread_ts, set_suggested_prompts)

    @assistant.thread_context_changed
    def on_context_changed():
        # The channel the user is looking at does not change what the bot answers; Bolt's default would
        # rewrite the metadata of the bot's first reply, which carries the conversation's context.
        return

    @assistant.user_message
    def on_user_message(payload, body, context, client, set_status, set_title):
        if _ignored(payload, context) or not _first_claim(deps, body, payload):
            return
        channel, thread_ts = payload["channel"], payload.get("thread_ts")
        known = deps.memory.latest_answer(channel, thread_ts)  # type: ignore[union-attr]
        assistant_thread = deps.memory.is_assistant_thread(channel, thread_ts)  # type: ignore[union-attr]
        turn = Turn(
            channel,
            thread_ts,
            payload.get("text") or "",
            "assistant_thread.message" if assistant_thread else "message.im",
            known,
            _identity(context),
            set_status=set_status if assistant_thread else None,
            set_title=set_title if assistant_thread and not known else None,
        )
        deps.outbox.reply(_converse, deps, client, turn)

    app.assistant(assistant)


def _start_assistant_thread(deps: Deps, client, channel: str, thread_ts: str, set_suggested_prompts) -> None:
    _send(
        deps,
        client,
        channel=channel,
        thread_ts=thread_ts,
        text=WELCOME,
        blocks=[blocks.text_section(WELCOME)],
    )
    _assistant_call(
        deps,
        "assistant.threads.setSuggestedPrompts",
        set_suggested_prompts,
        [dict(p) for p in SUGGESTED_PROMPTS],
    )


def register_events(app: App, deps: Deps) -> None:
    @app.event("app_mention")
    def on_mention(event, body, context, client):
        if _ignored(event, context) or not _first_claim(deps, body, event):
            return
        thread_ts = event.get("thread_ts")
        known = deps.memory.latest_answer(event["channel"], thread_ts) if thread_ts else None  # type: ignore[union-attr]
        turn = Turn(
            event["channel"],
            thread_ts or event["ts"],
            event.get("text") or "",
            "app_mention",
            known,
            _identity(context),
        )
        deps.outbox.reply(_converse, deps, client, turn)

    @app.event("message")
    def on_message(event, body, context, client):
        if _ignored(event, context):
            return
        text = event.get("text") or ""
        is_dm = event.get("channel_type") == "im"
        bot_user = context.get("bot_user_id")
        if not is_dm and bot_user and f"<@{bot_user}" in text:
            return  # a mention: app_mention answers it, once
        if not is_dm and not deps.settings.channel_listening:
            return  # CHANNEL_LISTENING=off: in channels, only mentions are answered
        channel, thread_ts = event["channel"], event.get("thread_ts")
        if is_dm:
            if not _first_claim(deps, body, event):
                return
            known = deps.memory.latest_answer(channel, thread_ts)  # type: ignore[union-attr]
            turn = Turn(channel, thread_ts, text, "message.im", known, _identity(context))
            deps.outbox.reply(_converse, deps, client, turn)
            return
        known = deps.memory.latest_answer(channel, thread_ts) if thread_ts else None  # type: ignore[union-attr]
        if known:
            # A reply in a thread the bot answered in: for the bot unless it names a colleague, and answered
            # in the light of the bot's latest answer there; help and "not sure" stay unsaid.
            if _for_someone_else(text, bot_user) or not _first_claim(deps, body, event):
                return
            turn = Turn(channel, thread_ts, text, "message.thread", known, _identity(context), quiet=True)
            deps.outbox.reply(_converse, deps, client, turn)
            return
        if not deps.dedupe.claim(f"event:{body.get('event_id')}"):
            deps.metrics.duplicates.inc()
            return
        loaded = deps.loaded
        answer = deps.ask(text, "message.channels", addressed=False, loaded=loaded)
        # Overheard in a channel: the engine answers only what is plainly a question for the bot.
        if answer.kind not in ANSWER_KINDS:
            return
        if not deps.dedupe.claim(f"msg:{channel}:{event['ts']}"):
            deps.metrics.duplicates.inc()
            return
        deps.outbox.reply(
            _post_answer, deps, client, channel, thread_ts or event["ts"], answer, text, None, loaded
        )

    @app.event("app_home_opened")
    def on_home(event, client):
        if event.get("tab", "home") != "home":
            return
        deps.outbox.reply(_publish_home, deps, client, event["user"])


def _publish_home(deps: Deps, client, user: str) -> None:
    # only Slack's refusals: anything else reaches the outbox, which logs it with its traceback
    call_slack(
        deps.metrics,
        log,
        "views.publish",
        lambda: client.views_publish(user_id=user, view=deps.loaded.home_view),
        unknown=None,
        catch=SlackApiError,
    )


# ------------------------------------------------------------------------------------------ commands


def _result_answer(deps: Deps, answers: dict[str, str]) -> Answer:
    engine = deps.engine  # once: its knowledge is the one it was built from, whatever a reload does meanwhile
    complete = all(c.id in answers for c in engine.knowledge.criteria)
    return engine.recommendation(decide(engine.knowledge, answers, complete=complete), guided=True)


def _private_answer(deps: Deps, answer: Answer, question: str, loaded: Loaded) -> dict:
    """An answer only the asker sees (a command's, a click's on a private message): no metadata, since no
    one can reply to it, but the same buttons and 👍/👎."""
    thread = conversation.after(answer, None)
    return blocks.answer_message(answer, question, **answer_extras(deps, answer, question, thread, loaded))


def register_commands(app: App, deps: Deps) -> None:
    @app.command(COMMAND)
    def on_command(ack, command, body, client, context):
        text = (command.get("text") or "").strip()
        loaded = deps.loaded
        if text.lower() in ("help", "?", "-h", "--help", "usage"):
            ack(**blocks.help_message(loaded.knowledge))
            return
        if looks_like_code(text):
            try:
                answers = parse_code(loaded.knowledge, text)
            except ValueError as exc:
                ack(text=f"That answer code does not read: {exc}. Try `/container-choice help`.")
                return
            ack(**scrub_message(blocks.choice_result_message(_result_answer(deps, answers))))
            return
        if text:
            answer = deps.ask(text, "command", loaded=loaded)
            ack(**scrub_message(_private_answer(deps, answer, text, loaded)))
            return
        ack()
        channel = command.get("channel_id")
        metadata = {"response_url": command.get("response_url"), "channel": channel}
        # Slack runs no slash command inside a thread; in the DM with the bot, the DM is the conversation,
        # and the modal opens with the situation read there so far.
        known = None
        if isinstance(channel, str) and channel.startswith("D"):
            known = deps.memory.latest_answer(channel, None)  # type: ignore[union-attr]
        source = (channel, known, _identity(context)) if known else None
        deps.outbox.view(
            _open_choice, deps, client, body.get("trigger_id"), metadata, command.get("user_id"), None, source
        )


def _open_choice(
    deps: Deps,
    client,
    trigger_id: str | None,
    metadata: dict,
    user: str | None,
    preset: dict[str, str] | None = None,
    source: tuple | None = None,
) -> None:
    """The guided-choice modal, with the answers already read selected (`preset`, or the situation the bot's
    latest answer in `source`, a DM, carries). When it cannot be built (knowledge Slack cannot render) or
    Slack refuses to open it, the user is told privately instead of seeing nothing."""
    loaded = deps.loaded
    if source is not None and not preset:
        channel, known, bot = source
        thread = _read_back(deps, deps.preset_reader(client), loaded, channel, None, known, bot)
        preset = thread.situation if thread else None
    try:
        view = blocks.choice_view(loaded.knowledge, metadata, preset)
    except Exception as exc:  # `container-bot check` refuses such files; this is the last line of defence
        deps.metrics.slack_errors.labels("block_kit").inc()
        log.error(
            "guided choice cannot be built", extra={"method": "views.open", "error": type(exc).__name__}
        )
        why = "a question in the knowledge file cannot be shown in Slack (`container-bot check` finds it)"
        deps.outbox.reply(
            _tell_privately, deps, client, metadata.get("response_url"), user, _cannot_open(why)
        )
        return
    error = _view_call(deps, "views.open", client.views_open, trigger_id=trigger_id, view=view)
    if error is None:
        return
    why = f"Slack did not open it ({error})"
    deps.outbox.reply(_tell_privately, deps, client, metadata.get("response_url"), user, _cannot_open(why))


def _cannot_open(why: str) -> str:
    return (
        f"Sorry, I couldn't open the guided choice: {why}. You can still ask me directly, "
        "for example `/container-choice ecs vs eks`, or try again in a moment."
    )


def _tell_privately(deps: Deps, client, response_url: str | None, user: str | None, text: str) -> None:
    """A note only the user sees: through the response_url when there is one, else in their DM."""
    message = {"text": text, "blocks": [blocks.text_section(text)]}
    if response_url and _to_response_url(deps, response_url, response_type="ephemeral", **message):
        return
    if user:
        _post(deps, client, channel=user, **message)


def _to_response_url(deps: Deps, url: str, **message) -> bool:
    """A message through a response_url kept for later (a modal's metadata); True when Slack took it."""
    return _through_response_url(deps, WebhookClient(url, timeout=10).send, scrub_message(message))


# ------------------------------------------------------------------------------------------- actions


def _answer_click(
    deps: Deps,
    client,
    respond,
    body: dict,
    answer: Answer,
    question: str,
    replace: bool,
    bot: tuple,
    loaded: Loaded,
    read: bool = True,
) -> None:
    """A button's answer where the clicked message is: a private (ephemeral) message is answered privately
    through the click's response_url (`replace` swaps the private message for the answer); a public one in
    its thread, carrying the thread's context on (`read`: from the bot's latest answer there), and privately
    whenever that post fails (the bot is not in the channel, a DM between two people)."""
    if (body.get("container") or {}).get("is_ephemeral"):
        message = _private_answer(deps, answer, question, loaded)
        _respond(deps, respond, response_type="ephemeral", replace_original=replace, **message)
        return
    channel, thread_ts = _where(body)
    _answer_in_thread(
        deps, client, respond, channel, thread_ts, answer, question, bot, loaded, read, replace_original=False
    )


FEEDBACK_THANKS = {
    "up": "Thanks, noted.",
    "down": "Thanks, noted: the maintainers go through answers marked 👎 to teach me a better one.",
}


def _feedback(deps: Deps, raw: str, loaded: Loaded) -> dict | None:
    """A feedback click's value, read as untrusted input: only the fields the log takes, each checked."""
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(value, dict) or value.get("v") not in blocks.FEEDBACK_VALUES:
        return None
    kind = value.get("k") if value.get("k") in (*ANSWER_KINDS, "fallback") else "unknown"
    topics = value.get("t") if isinstance(value.get("t"), list) else []
    confidence = value.get("c")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
        confidence = None
    question = value.get("q") if isinstance(value.get("q"), str) else ""
    return {
        "feedback": value["v"],
        "kind": kind,
        "topics": [t for t in topics if isinstance(t, str) and t in loaded.knowledge.topics][:5],
        "confidence": confidence,
        "question": loggable(question, deps.settings.secrets),
    }


def register_actions(app: App, deps: Deps) -> None:
    def answer_in_place(
        body, client, respond, context, question: str, event_type: str, replace: bool
    ) -> None:
        loaded = deps.loaded
        answer = deps.ask(question, event_type, loaded=loaded)
        deps.outbox.reply(
            _answer_click, deps, client, respond, body, answer, question, replace, _identity(context), loaded
        )

    @app.action(ACTION_COMPARE)
    def on_compare(ack, body, client, respond, context):
        ack()
        names = " vs ".join(deps.knowledge.services)
        answer_in_place(body, client, respond, context, names, "block_actions.compare", replace=False)

    @app.action({"action_id": re.compile(rf"^{ACTION_SUGGESTION_PREFIX}\d+$")})
    def on_suggestion(ack, body, action, client, respond, context):
        ack()
        # the suggestion picked replaces the private "not sure" answer it was offered on
        question = action.get("value") or ""
        answer_in_place(body, client, respond, context, question, "block_actions.suggestion", replace=True)

    @app.action({"action_id": re.compile(rf"^{ACTION_DECIDE_PREFIX}[a-z0-9_\-]+$")})
    def on_decide(ack, body, action, client, respond, context):
        """An answer to a question that would settle an open recommendation: the situation read so far plus
        that answer (the button's value, an answer code) decides again, in the thread."""
        ack()
        loaded = deps.loaded
        try:
            answers = parse_code(loaded.knowledge, action.get("value") or "")
        except ValueError:
            return
        answer = conversation.choice_answer(loaded.engine, answers)
        deps.metrics.answers.labels(answer.kind).inc()
        question = " ".join(f"{k}={v}" for k, v in answers.items())
        deps.outbox.reply(
            _answer_click,
            deps,
            client,
            respond,
            body,
            answer,
            question,
            False,
            _identity(context),
            loaded,
            False,
        )

    @app.action(ACTION_FEEDBACK)
    def on_feedback(ack, body, action, respond):
        """👍/👎: acknowledged privately, logged as one structured line (no user, no text beyond the
        question as the unanswered log keeps it) and counted."""
        ack()
        loaded = deps.loaded
        fields = _feedback(deps, action.get("value") or "", loaded)
        if fields is None:
            return
        message = body.get("message") or {}
        container = body.get("container") or {}
        where = (body.get("channel") or {}).get("id") or container.get("channel_id")
        ts = message.get("ts") or container.get("message_ts")
        user = (body.get("user") or {}).get("id")
        # one vote each way per person and answer: a double click is not two opinions (kept 24 h, unlogged)
        if not deps.dedupe.claim(f"feedback:{where}:{ts}:{user}:{fields['feedback']}", ttl=24 * 3600):
            deps.metrics.duplicates.inc()
            return
        deps.metrics.feedback.labels(fields["kind"], fields["feedback"]).inc()
        feedback_log.info("answer feedback", extra={"event_type": "block_actions.feedback", **fields})
        text = FEEDBACK_THANKS[fields["feedback"]]
        deps.outbox.reply(
            _respond, deps, respond, response_type="ephemeral", replace_original=False, text=text
        )

    @app.action(ACTION_START_CHOICE)
    def on_start(ack, body, action, client):
        ack()
        channel, thread = _where(body)
        container = body.get("container") or {}
        if container.get("type") == "view":
            metadata = {"user": body.get("user", {}).get("id")}
        else:
            metadata = {"response_url": body.get("response_url"), "channel": channel}
        # the button carries the situation read so far, as an answer code: the modal opens with it selected
        value = action.get("value") or ""
        try:
            preset = parse_code(deps.knowledge, value) if looks_like_code(value) else None
        except ValueError:
            preset = None
        user = body.get("user", {}).get("id")
        deps.outbox.view(_open_choice, deps, client, body.get("trigger_id"), metadata, user, preset)

    @app.action(ACTION_WHY)
    def on_why(ack, action, respond):
        ack()
        question = action.get("value") or ""
        match = deps.engine.matcher.match(question)
        deps.outbox.reply(
            _respond,
            deps,
            respond,
            response_type="ephemeral",
            replace_original=False,
            **blocks.why_message(match, question),
        )

    @app.action(ACTION_SHARE)
    def on_share(ack, body, action, respond, client):
        ack()
        code = action.get("value") or ""
        try:
            answers = parse_code(deps.knowledge, code)
        except ValueError:
            return
        user = body.get("user", {}).get("id", "")
        channel, _ = _where(body)
        picker = {"code": code, "response_url": body.get("response_url")}
        trigger = body.get("trigger_id")
        if not channel or channel.startswith("D"):
            # shown in a DM (App Home's Messages tab, a response_url fallback): "here" is that DM; ask where
            deps.outbox.view(_open_share_picker, deps, client, trigger, picker, user)
            return
        message = blocks.choice_result_message(_result_answer(deps, answers), shared_by=user)
        deps.outbox.view(_share_here, deps, client, respond, trigger, picker, user, message)

    @app.action(CHOICE_ACTION_ID)
    def on_radio(ack):
        ack()  # a radio button inside the guided-choice modal: the answer arrives with the submission


def _share_here(deps: Deps, client, respond, trigger_id, picker: dict, user: str, message: dict) -> None:
    """In the channel the private result was shown in, through its response_url (which posts even where the
    bot is not a member); when Slack refuses (the URL expired or was used up), ask where instead."""
    if _respond(
        deps,
        respond,
        allow_users=(user,),
        response_type="in_channel",
        replace_original=False,
        delete_original=False,
        **message,
    ):
        return
    _open_share_picker(deps, client, trigger_id, picker, user)


def _view_call(deps: Deps, method: str, call, **kwargs) -> str | None:
    """Open or update a modal; the Slack error (counted and logged) when that fails, None when it worked."""
    return call_slack(deps.metrics, log, method, lambda: call(**kwargs))[1]


def _open_share_picker(deps: Deps, client, trigger_id, picker: dict, user: str) -> None:
    view = blocks.share_picker_view(picker)
    error = _view_call(deps, "views.open", client.views_open, trigger_id=trigger_id, view=view)
    if error is None:
        return
    text = f"Sorry, I couldn't open the channel picker to share it ({error}). Try *Share in channel* again."
    deps.outbox.reply(_tell_privately, deps, client, picker.get("response_url"), user, text)


_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")


def _share_to(deps: Deps, client, view_id: str, channel: str, user: str, bot: str, message: dict) -> None:
    """Post the shared result in the picked channel, then turn the share modal into what happened."""
    error = _post(deps, client, allow_users=(user,), channel=channel, **message)
    if error is None:
        text = f"Shared in <#{channel}>."
    elif error in ("not_in_channel", "channel_not_found"):  # channel_not_found: a private channel
        me = f"<@{bot}>" if bot else "me"
        text = (
            f"I'm not a member of <#{channel}>, so I can't post there. Add me first: in <#{channel}>, type "
            f"`/invite` and pick {me} (or mention {me} there and choose *Invite*), then share again."
        )
    else:
        text = f"Slack did not take the post ({error}). Try again in a moment."
    view = blocks.share_status_view(text)
    if _view_call(deps, "views.update", client.views_update, view_id=view_id, view=view) is None:
        return
    if error is not None:  # the modal is gone (closed meanwhile): say it in the DM instead
        _tell_privately(deps, client, None, user, text)


# --------------------------------------------------------------------------------------------- views


def register_views(app: App, deps: Deps) -> None:
    @app.view(SHARE_VIEW)
    def on_share_submitted(ack, body, view, client, context):
        state = (view.get("state") or {}).get("values") or {}
        picked = ((state.get(SHARE_CHANNEL_BLOCK) or {}).get(SHARE_CHANNEL_ACTION) or {}).get(
            "selected_conversation"
        )
        if not isinstance(picked, str) or not _CHANNEL_ID.match(picked):
            ack(response_action="errors", errors={SHARE_CHANNEL_BLOCK: "Pick a channel to share in."})
            return
        try:
            metadata = json.loads(view.get("private_metadata") or "{}")
            answers = parse_code(deps.knowledge, str(metadata.get("code") or ""))
        except (ValueError, AttributeError):
            ack(
                response_action="errors",
                errors={SHARE_CHANNEL_BLOCK: "This result no longer reads; run the guided choice again."},
            )
            return
        user = body.get("user", {}).get("id", "")
        ack(response_action="update", view=blocks.share_status_view(f"Sharing in <#{picked}>…"))
        message = blocks.choice_result_message(_result_answer(deps, answers), shared_by=user)
        bot = context.get("bot_user_id") or ""
        deps.outbox.reply(_share_to, deps, client, view.get("id"), picked, user, bot, message)

    @app.view(CHOICE_VIEW)
    def on_choice_submitted(ack, body, view, client):
        state = (view.get("state") or {}).get("values") or {}
        answers = {}
        knowledge = deps.knowledge
        for criterion in knowledge.criteria:
            selected = ((state.get(criterion.id) or {}).get(CHOICE_ACTION_ID) or {}).get("selected_option")
            if selected and criterion.option(selected.get("value", "")):
                answers[criterion.id] = selected["value"]
        missing = {c.id: "Please pick an answer." for c in knowledge.criteria if c.id not in answers}
        if missing:
            ack(response_action="errors", errors=missing)
            return
        answer = _result_answer(deps, answers)
        log.info(
            "guided choice",
            extra={
                "event_type": "view_submission",
                "kind": "recommendation",
                "confidence": 1.0,
                "outcome": answer.recommendation,
            },
        )
        ack(response_action="update", view=blocks.choice_result_view(answer))
        deps.outbox.reply(_deliver_result, deps, client, body, view, answer)


def _deliver_result(deps: Deps, client, body: dict, view: dict, answer: Answer) -> None:
    """The result, privately, where the choice was started: its response_url, else the user's DM."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    message = blocks.choice_result_message(answer)
    user = body.get("user", {}).get("id")
    url = metadata.get("response_url")
    if url and _to_response_url(deps, url, response_type="ephemeral", replace_original=False, **message):
        return
    if user:
        _post(deps, client, channel=user, **message)


# ----------------------------------------------------------------------------------------- shortcuts


def register_shortcuts(app: App, deps: Deps) -> None:
    @app.shortcut(SHORTCUT_ASK)
    def on_ask_shortcut(ack, shortcut, client, respond, context):
        ack()
        message = shortcut.get("message") or {}
        text = message.get("text") or ""
        loaded = deps.loaded
        answer = deps.ask(text, "message_action", loaded=loaded)
        channel = (shortcut.get("channel") or {}).get("id")
        thread = message.get("thread_ts") or message.get("ts")
        # in its thread; where the bot is not a member, privately instead of failing silently
        deps.outbox.reply(
            _answer_in_thread,
            deps,
            client,
            respond,
            channel,
            thread,
            answer,
            text,
            _identity(context),
            loaded,
        )
