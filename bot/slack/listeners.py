"""Thin listeners: parse the payload, call the core, render, reply. Registered per Slack feature."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass

from slack_bolt import App, BoltResponse
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
    SHARE_CHANNEL_ACTION,
    SHARE_CHANNEL_BLOCK,
    SHARE_VIEW,
    SHORTCUT_ASK,
)
from .metrics import Metrics
from .outbox import Outbox
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
    outbox: Outbox  # every Web API call goes through it: listeners ack and never wait on Slack

    def ask(self, text: str, event_type: str, addressed: bool = True) -> Answer:
        started = time.perf_counter()
        answer = self.engine.ask(text, addressed=addressed)
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
    register_rate_limit_notice(app, deps)
    register_events(app, deps)
    register_commands(app, deps)
    register_actions(app, deps)
    register_views(app, deps)
    register_shortcuts(app, deps)


# ------------------------------------------------------------------------------------------- helpers


def _post(deps: Deps, client, allow_users: tuple[str, ...] = (), **kwargs) -> str | None:
    """chat.postMessage through the safety gate: None when it was delivered, else Slack's error code (such as
    not_in_channel). A failure is a log line and a metric, never a crash."""
    payload = scrub_message(kwargs, allow_users)
    try:
        client.chat_postMessage(unfurl_links=False, unfurl_media=False, **payload)
        return None
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown"))
    except Exception as exc:  # connection errors, timeouts after the client's own bounded retries
        error = type(exc).__name__
    deps.metrics.slack_errors.labels("chat.postMessage").inc()
    log.warning("chat.postMessage failed", extra={"method": "chat.postMessage", "error": error})
    return error


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
    try:
        response = respond(**scrub_message(kwargs, allow_users))
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


def _ignored(event: dict, context) -> bool:
    """Never answer ourselves, other bots, edits, deletions, joins or any other non-user message."""
    if event.get("bot_id") or event.get("hidden") or event.get("bot_profile"):
        return True
    if event.get("subtype") and event["subtype"] not in USER_SUBTYPES:
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
        deps.outbox.reply(
            _post,
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
        if not is_dm and not deps.settings.channel_listening:
            return  # CHANNEL_LISTENING=off: in channels, only mentions are answered
        if not deps.dedupe.claim(f"event:{body.get('event_id')}"):
            deps.metrics.duplicates.inc()
            return
        answer = deps.ask(text, "message.im" if is_dm else "message.channels", addressed=is_dm)
        if is_dm:
            thread = event.get("thread_ts")
        else:
            # Overheard in a channel: the engine answers only what is plainly a question for the bot.
            if answer.kind not in ANSWER_KINDS:
                return
            thread = event.get("thread_ts") or event["ts"]
        if not deps.dedupe.claim(f"msg:{event['channel']}:{event['ts']}"):
            deps.metrics.duplicates.inc()
            return
        deps.outbox.reply(
            _post,
            deps,
            client,
            channel=event["channel"],
            thread_ts=thread,
            **blocks.answer_message(answer, text),
        )

    @app.event("app_home_opened")
    def on_home(event, client):
        if event.get("tab", "home") != "home":
            return
        deps.outbox.reply(_publish_home, deps, client, event["user"])


def _publish_home(deps: Deps, client, user: str) -> None:
    try:
        client.views_publish(user_id=user, view=blocks.home_view(deps.knowledge))
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
        deps.outbox.view(_open_choice, deps, client, body.get("trigger_id"), metadata, command.get("user_id"))


def _open_choice(deps: Deps, client, trigger_id: str | None, metadata: dict, user: str | None) -> None:
    """The guided-choice modal. When it cannot be built (knowledge Slack cannot render) or Slack refuses to
    open it, the user is told privately instead of seeing nothing."""
    try:
        view = blocks.choice_view(deps.knowledge, metadata)
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
    try:
        client.views_open(trigger_id=trigger_id, view=view)
        return
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
    except Exception as exc:  # connection errors, timeouts
        error = type(exc).__name__
    deps.metrics.slack_errors.labels("views.open").inc()
    log.warning("views.open failed", extra={"method": "views.open", "error": error})
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
    try:
        response = WebhookClient(url, timeout=10).send(**scrub_message(message))
        if delivered(response.status_code, response.body):
            return True
        error = f"http_{response.status_code}" if response.status_code >= 300 else str(response.body)[:100]
    except Exception as exc:
        error = type(exc).__name__
    deps.metrics.slack_errors.labels("response_url").inc()
    log.warning("response_url post failed", extra={"method": "response_url", "error": error})
    return False


# ------------------------------------------------------------------------------------------- actions


def _answer_click(deps: Deps, client, respond, body: dict, message: dict, replace: bool) -> None:
    """A button's answer where the clicked message is: a private (ephemeral) message is answered privately
    through the click's response_url (`replace` swaps the private message for the answer); a public one in
    its thread, and privately whenever that post fails (the bot is not in the channel, a DM between two
    people)."""
    if (body.get("container") or {}).get("is_ephemeral"):
        _respond(deps, respond, response_type="ephemeral", replace_original=replace, **message)
        return
    channel, thread = _where(body)
    if channel and _post(deps, client, channel=channel, thread_ts=thread, **message) is None:
        return
    _respond(deps, respond, response_type="ephemeral", replace_original=False, **message)


def register_actions(app: App, deps: Deps) -> None:
    def answer_in_place(body, client, respond, question: str, event_type: str, replace: bool) -> None:
        answer = deps.ask(question, event_type)
        message = blocks.answer_message(answer, question)
        deps.outbox.reply(_answer_click, deps, client, respond, body, message, replace)

    @app.action(ACTION_COMPARE)
    def on_compare(ack, body, client, respond):
        ack()
        names = " vs ".join(deps.knowledge.services)
        answer_in_place(body, client, respond, names, "block_actions.compare", replace=False)

    @app.action({"action_id": re.compile(rf"^{ACTION_SUGGESTION_PREFIX}\d+$")})
    def on_suggestion(ack, body, action, client, respond):
        ack()
        # the suggestion picked replaces the private "not sure" answer it was offered on
        question = action.get("value") or ""
        answer_in_place(body, client, respond, question, "block_actions.suggestion", replace=True)

    @app.action(ACTION_START_CHOICE)
    def on_start(ack, body, client):
        ack()
        channel, thread = _where(body)
        container = body.get("container") or {}
        if container.get("type") == "view":
            metadata = {"user": body.get("user", {}).get("id")}
        else:
            metadata = {"response_url": body.get("response_url"), "channel": channel}
        user = body.get("user", {}).get("id")
        deps.outbox.view(_open_choice, deps, client, body.get("trigger_id"), metadata, user)

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


def _open_share_picker(deps: Deps, client, trigger_id, picker: dict, user: str) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=blocks.share_picker_view(picker))
        return
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
    except Exception as exc:
        error = type(exc).__name__
    deps.metrics.slack_errors.labels("views.open").inc()
    log.warning("views.open failed", extra={"method": "views.open", "error": error})
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
    try:
        client.views_update(view_id=view_id, view=blocks.share_status_view(text))
        return
    except SlackApiError as exc:
        failure = str(exc.response.get("error", "unknown_error"))
    except Exception as exc:
        failure = type(exc).__name__
    deps.metrics.slack_errors.labels("views.update").inc()
    log.warning("views.update failed", extra={"method": "views.update", "error": failure})
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
    def on_ask_shortcut(ack, shortcut, client, respond):
        ack()
        message = shortcut.get("message") or {}
        text = message.get("text") or ""
        answer = deps.ask(text, "message_action")
        channel = (shortcut.get("channel") or {}).get("id")
        thread = message.get("thread_ts") or message.get("ts")
        deps.outbox.reply(_answer_shortcut, deps, client, respond, channel, thread, answer, text)


def _answer_shortcut(deps: Deps, client, respond, channel, thread, answer: Answer, text: str) -> None:
    if (
        channel
        and _post(deps, client, channel=channel, thread_ts=thread, **blocks.answer_message(answer, text))
        is None
    ):
        return
    # not a member of that channel: answer privately instead of failing silently
    _respond(deps, respond, response_type="ephemeral", **blocks.answer_message(answer, text))
