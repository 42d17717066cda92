"""Events: mentions, messages (DMs, replies in the bot's threads, questions overheard in channels), App Home,
and Slack's notice that it is rate limiting this app's events."""

from __future__ import annotations

import logging
import time

from slack_bolt import App, BoltResponse
from slack_sdk.errors import SlackApiError

from ...understanding.match import ANSWER_KINDS
from ..calls import call_slack
from ..delivery import Delivery
from ..incoming import for_someone_else, identity, ignored
from ..runtime import Runtime
from ..turns import Turn, converse

log = logging.getLogger("container_bot.requests")


class RateLimitNotice:
    """Slack sends `app_rate_limited` (no inner event, so no listener matches it) when this app would get
    over 30,000 events an hour from one workspace; events are then dropped, mentions and DMs included."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def on_rate_limited(self, body, next):
        if body.get("type") != "app_rate_limited":
            return next()
        self.runtime.metrics.events_rate_limited.inc()
        minute = body.get("minute_rate_limited")
        since = (
            time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(minute)) if isinstance(minute, int) else str(minute)
        )
        log.warning(
            "Slack is rate limiting this app's events from %s since %s (minute_rate_limited=%s) and dropping "
            "some; see docs/operations.md, Event rate limits",
            body.get("team_id"),
            since,
            minute,
            extra={"event_type": "app_rate_limited", "outcome": "events_dropped"},
        )
        return BoltResponse(status=200, body="")


class Events:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def on_mention(self, event, body, context, client):
        runtime = self.runtime
        if ignored(event, context) or not runtime.claim(body, event):
            return
        thread_ts = event.get("thread_ts")
        known = runtime.memory.latest_answer(event["channel"], thread_ts) if thread_ts else None
        turn = Turn(event["channel"], thread_ts or event["ts"], event.get("text") or "", "app_mention", known)
        delivery = Delivery(runtime, client, runtime.loaded, identity(context))
        runtime.outbox.post(turn.channel, converse, delivery, turn)

    def on_message(self, event, body, context, client):
        runtime = self.runtime
        if ignored(event, context):
            return
        text = event.get("text") or ""
        is_dm = event.get("channel_type") == "im"
        bot_user = context.get("bot_user_id")
        if not is_dm and bot_user and f"<@{bot_user}" in text:
            return  # a mention: app_mention answers it, once
        if not is_dm and not runtime.settings.channel_listening:
            return  # CHANNEL_LISTENING=off: in channels, only mentions are answered
        channel, thread_ts = event["channel"], event.get("thread_ts")
        delivery = Delivery(runtime, client, runtime.loaded, identity(context))
        if is_dm:
            if not runtime.claim(body, event):
                return
            known, dm_context = runtime.memory.in_dm(channel, thread_ts)
            turn = Turn(channel, thread_ts, text, "message.im", known, dm_context=dm_context)
            runtime.outbox.post(channel, converse, delivery, turn)
            return
        known = runtime.memory.latest_answer(channel, thread_ts) if thread_ts else None
        if known:
            # A reply in a thread the bot answered in: for the bot unless it names a colleague, and answered
            # in the light of the bot's latest answer there; help and "not sure" stay unsaid.
            if for_someone_else(text, bot_user) or not runtime.claim(body, event):
                return
            turn = Turn(channel, thread_ts, text, "message.thread", known, quiet=True)
            runtime.outbox.post(channel, converse, delivery, turn)
            return
        self._overheard(delivery, body, event, text)

    def _overheard(self, delivery: Delivery, body: dict, event: dict, text: str) -> None:
        """A channel message nobody addressed to the bot: answered only when it plainly asks the bot."""
        runtime = self.runtime
        if not runtime.store.claim(f"event:{body.get('event_id')}"):
            runtime.metrics.duplicates.inc()
            return
        answer = runtime.ask(text, "message.channels", addressed=False, loaded=delivery.loaded)
        if answer.kind not in ANSWER_KINDS:
            return
        channel = event["channel"]
        if not runtime.store.claim(f"msg:{channel}:{event['ts']}"):
            runtime.metrics.duplicates.inc()
            return
        thread = event.get("thread_ts") or event["ts"]
        runtime.outbox.post(channel, delivery.post_answer, channel, thread, answer, text, None)

    def on_home(self, event, client):
        if event.get("tab", "home") != "home":
            return
        self.runtime.outbox.reply(publish_home, self.runtime, client, event["user"])


def publish_home(runtime: Runtime, client, user: str) -> None:
    # only Slack's refusals: anything else reaches the outbox, which logs it with its traceback
    call_slack(
        runtime.metrics,
        log,
        "views.publish",
        lambda: client.views_publish(user_id=user, view=runtime.loaded.home_view),
        unknown=None,
        catch=SlackApiError,
    )


def register_rate_limit_notice(app: App, runtime: Runtime) -> None:
    app.middleware(RateLimitNotice(runtime).on_rate_limited)


def register(app: App, runtime: Runtime) -> None:
    events = Events(runtime)
    app.event("app_mention")(events.on_mention)
    app.event("message")(events.on_message)
    app.event("app_home_opened")(events.on_home)
