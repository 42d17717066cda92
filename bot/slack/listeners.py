"""Thin listeners: parse the payload, call the core, render, reply. Registered per Slack feature."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from ..answers import Answer, AnswerEngine
from ..guide import decide, looks_like_code, parse_code
from ..knowledge import Knowledge
from ..logs import redact
from ..settings import Settings
from . import blocks
from .dedupe import Deduper
from .ids import (
    ACTION_COMPARE,
    ACTION_SHARE,
    ACTION_START_CHOICE,
    ACTION_SUGGESTION_PREFIX,
    ACTION_WHY,
    CHOICE_ACTION_ID,
    CHOICE_VIEW,
    COMMAND,
    SHORTCUT_ASK,
)
from .metrics import Metrics
from .safety import scrub_message

log = logging.getLogger("container_bot.requests")
unanswered_log = logging.getLogger("container_bot.unanswered")
ANSWER_KINDS = ("definition", "comparison", "attribute", "recommendation")
UNANSWERED_CHARS = 200


@dataclass
class Deps:
    knowledge: Knowledge
    engine: AnswerEngine
    settings: Settings
    dedupe: Deduper
    metrics: Metrics

    def ask(self, text: str, event_type: str) -> Answer:
        started = time.perf_counter()
        answer = self.engine.ask(text)
        elapsed = time.perf_counter() - started
        self.metrics.latency.observe(elapsed)
        self.metrics.answers.labels(answer.kind).inc()
        if answer.kind == "fallback":
            self.metrics.fallbacks.inc()
            secrets = (self.settings.bot_token, self.settings.signing_secret, self.settings.app_token)
            unanswered_log.info(
                "unanswered question",
                extra={"event_type": event_type, "question": _loggable(text, secrets)},
            )
        log.info(
            "answered",
            extra={
                "event_type": event_type,
                "kind": answer.kind,
                "confidence": answer.confidence,
                "latency_ms": round(elapsed * 1000, 3),
            },
        )
        return answer


_MARKUP = re.compile(r"<[@#!][^>]*>")


def _loggable(text: str, secrets: tuple[str, ...] = ()) -> str:
    """An unanswered question for the log: mentions and special mentions removed, tokens and secrets masked
    (before cutting, so no half of one survives), cut to 200 characters."""
    return " ".join(redact(_MARKUP.sub(" ", text), secrets).split())[:UNANSWERED_CHARS]


def register(app: App, deps: Deps) -> None:
    register_events(app, deps)
    register_commands(app, deps)
    register_actions(app, deps)
    register_views(app, deps)
    register_shortcuts(app, deps)


# ------------------------------------------------------------------------------------------- helpers


def _post(deps: Deps, client, allow_users: tuple[str, ...] = (), **kwargs) -> bool:
    """chat.postMessage through the safety gate; a failure is a log line and a metric, never a crash."""
    payload = scrub_message(kwargs, allow_users)
    try:
        client.chat_postMessage(unfurl_links=False, unfurl_media=False, **payload)
        return True
    except SlackApiError as exc:
        deps.metrics.slack_errors.labels("chat.postMessage").inc()
        log.warning(
            "chat.postMessage failed",
            extra={"method": "chat.postMessage", "error": exc.response.get("error", "unknown")},
        )
    except Exception as exc:  # connection errors, timeouts after the client's own bounded retries
        deps.metrics.slack_errors.labels("chat.postMessage").inc()
        log.warning(
            "chat.postMessage failed", extra={"method": "chat.postMessage", "error": type(exc).__name__}
        )
    return False


def _respond(deps: Deps, respond, allow_users: tuple[str, ...] = (), **kwargs) -> None:
    try:
        respond(**scrub_message(kwargs, allow_users))
    except Exception as exc:
        deps.metrics.slack_errors.labels("response_url").inc()
        log.warning("response_url post failed", extra={"method": "response_url", "error": type(exc).__name__})


def _ignored(event: dict, context) -> bool:
    """Never answer ourselves, other bots, edits, deletions, joins or any other non-user message."""
    if event.get("bot_id") or event.get("subtype") or event.get("hidden") or event.get("bot_profile"):
        return True
    user = event.get("user")
    return not user or user in (context.get("bot_user_id"), context.get("bot_id"))


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


# -------------------------------------------------------------------------------------------- events


def register_events(app: App, deps: Deps) -> None:
    @app.event("app_mention")
    def on_mention(event, body, context, client):
        if _ignored(event, context):
            return
        if not deps.dedupe.claim(f"event:{body.get('event_id')}") or not deps.dedupe.claim(
            f"msg:{event['channel']}:{event['ts']}"
        ):
            deps.metrics.duplicates.inc()
            return
        text = event.get("text") or ""
        answer = deps.ask(text, "app_mention")
        _post(
            deps,
            client,
            channel=event["channel"],
            thread_ts=event.get("thread_ts") or event["ts"],
            **blocks.answer_message(answer, text),
        )

    @app.event("message")
    def on_message(event, body, context, client):
        if _ignored(event, context):
            return
        text = event.get("text") or ""
        is_dm = event.get("channel_type") == "im"
        bot_user = context.get("bot_user_id")
        if not is_dm and bot_user and f"<@{bot_user}" in text:
            return  # a mention: app_mention answers it, once
        if not deps.dedupe.claim(f"event:{body.get('event_id')}"):
            deps.metrics.duplicates.inc()
            return
        answer = deps.ask(text, "message.im" if is_dm else "message.channels")
        if is_dm:
            thread = event.get("thread_ts")
        else:
            # In channels the bot only speaks when it is clearly asked about its topics.
            if (
                answer.kind not in ANSWER_KINDS
                or answer.confidence < deps.knowledge.settings.channel_threshold
            ):
                return
            thread = event.get("thread_ts") or event["ts"]
        if not deps.dedupe.claim(f"msg:{event['channel']}:{event['ts']}"):
            deps.metrics.duplicates.inc()
            return
        _post(deps, client, channel=event["channel"], thread_ts=thread, **blocks.answer_message(answer, text))

    @app.event("app_home_opened")
    def on_home(event, client):
        if event.get("tab", "home") != "home":
            return
        try:
            client.views_publish(user_id=event["user"], view=blocks.home_view(deps.knowledge))
        except SlackApiError as exc:
            deps.metrics.slack_errors.labels("views.publish").inc()
            log.warning(
                "views.publish failed", extra={"method": "views.publish", "error": exc.response.get("error")}
            )


# ------------------------------------------------------------------------------------------ commands


def _result_answer(deps: Deps, answers: dict[str, str]) -> Answer:
    complete = all(c.id in answers for c in deps.knowledge.criteria)
    return deps.engine.recommendation(decide(deps.knowledge, answers, complete=complete), guided=True)


def register_commands(app: App, deps: Deps) -> None:
    @app.command(COMMAND)
    def on_command(ack, command, body, client):
        text = (command.get("text") or "").strip()
        if text.lower() in ("help", "?", "-h", "--help", "usage"):
            ack(**blocks.help_message(deps.knowledge))
            return
        if looks_like_code(text):
            try:
                answers = parse_code(deps.knowledge, text)
            except ValueError as exc:
                ack(text=f"That answer code does not read: {exc}. Try `/container-choice help`.")
                return
            ack(**scrub_message(blocks.choice_result_message(_result_answer(deps, answers))))
            return
        if text:
            answer = deps.ask(text, "command")
            ack(**scrub_message(blocks.answer_message(answer, text)))
            return
        ack()
        metadata = {"response_url": command.get("response_url"), "channel": command.get("channel_id")}
        _open_choice(deps, client, body.get("trigger_id"), metadata)


def _open_choice(deps: Deps, client, trigger_id: str | None, metadata: dict) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=blocks.choice_view(deps.knowledge, metadata))
    except SlackApiError as exc:
        deps.metrics.slack_errors.labels("views.open").inc()
        log.warning("views.open failed", extra={"method": "views.open", "error": exc.response.get("error")})


# ------------------------------------------------------------------------------------------- actions


def register_actions(app: App, deps: Deps) -> None:
    def answer_in_place(body, client, question: str, event_type: str) -> None:
        channel, thread = _where(body)
        answer = deps.ask(question, event_type)
        if channel:
            _post(deps, client, channel=channel, thread_ts=thread, **blocks.answer_message(answer, question))

    @app.action(ACTION_COMPARE)
    def on_compare(ack, body, client):
        ack()
        names = " vs ".join(deps.knowledge.services)
        answer_in_place(body, client, names, "block_actions.compare")

    @app.action({"action_id": re.compile(rf"^{ACTION_SUGGESTION_PREFIX}\d+$")})
    def on_suggestion(ack, body, action, client):
        ack()
        answer_in_place(body, client, action.get("value") or "", "block_actions.suggestion")

    @app.action(ACTION_START_CHOICE)
    def on_start(ack, body, client):
        ack()
        channel, thread = _where(body)
        container = body.get("container") or {}
        if container.get("type") == "view":
            metadata = {"user": body.get("user", {}).get("id")}
        else:
            metadata = {"response_url": body.get("response_url"), "channel": channel}
        _open_choice(deps, client, body.get("trigger_id"), metadata)

    @app.action(ACTION_WHY)
    def on_why(ack, action, respond):
        ack()
        question = action.get("value") or ""
        match = deps.engine.matcher.match(question)
        _respond(
            deps,
            respond,
            response_type="ephemeral",
            replace_original=False,
            **blocks.why_message(match, question),
        )

    @app.action(ACTION_SHARE)
    def on_share(ack, body, action, respond):
        ack()
        try:
            answers = parse_code(deps.knowledge, action.get("value") or "")
        except ValueError:
            return
        user = body.get("user", {}).get("id", "")
        message = blocks.choice_result_message(_result_answer(deps, answers), shared_by=user)
        _respond(
            deps,
            respond,
            allow_users=(user,),
            response_type="in_channel",
            replace_original=False,
            delete_original=False,
            **message,
        )

    @app.action(CHOICE_ACTION_ID)
    def on_radio(ack):
        ack()  # a radio button inside the guided-choice modal: the answer arrives with the submission


# --------------------------------------------------------------------------------------------- views


def register_views(app: App, deps: Deps) -> None:
    @app.view(CHOICE_VIEW)
    def on_choice_submitted(ack, body, view, client):
        state = (view.get("state") or {}).get("values") or {}
        answers = {}
        for criterion in deps.knowledge.criteria:
            selected = ((state.get(criterion.id) or {}).get(CHOICE_ACTION_ID) or {}).get("selected_option")
            if selected and criterion.option(selected.get("value", "")):
                answers[criterion.id] = selected["value"]
        missing = {c.id: "Please pick an answer." for c in deps.knowledge.criteria if c.id not in answers}
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
        _deliver_result(deps, client, body, view, answer)


def _deliver_result(deps: Deps, client, body: dict, view: dict, answer: Answer) -> None:
    """The result, privately, where the choice was started: its response_url, else the user's DM."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    message = scrub_message(blocks.choice_result_message(answer))
    user = body.get("user", {}).get("id")
    url = metadata.get("response_url")
    if url:
        try:
            response = WebhookClient(url, timeout=10).send(
                response_type="ephemeral", replace_original=False, **message
            )
            if response.status_code < 300:
                return
        except Exception as exc:
            log.warning(
                "response_url post failed", extra={"method": "response_url", "error": type(exc).__name__}
            )
        deps.metrics.slack_errors.labels("response_url").inc()
    if user:
        _post(deps, client, channel=user, **message)


# ----------------------------------------------------------------------------------------- shortcuts


def register_shortcuts(app: App, deps: Deps) -> None:
    @app.shortcut(SHORTCUT_ASK)
    def on_ask_shortcut(ack, shortcut, client, respond):
        ack()
        message = shortcut.get("message") or {}
        text = message.get("text") or ""
        answer = deps.ask(text, "message_action")
        channel = (shortcut.get("channel") or {}).get("id")
        thread = message.get("thread_ts") or message.get("ts")
        if channel and _post(
            deps, client, channel=channel, thread_ts=thread, **blocks.answer_message(answer, text)
        ):
            return
        # not a member of that channel: answer privately instead of failing silently
        _respond(deps, respond, response_type="ephemeral", **blocks.answer_message(answer, text))
