"""The message shortcut "Ask container-bot": answers the message it was used on."""

from __future__ import annotations

from slack_bolt import App

from ..delivery import Delivery
from ..ids import SHORTCUT_ASK
from ..incoming import identity
from ..runtime import Runtime


class Shortcuts:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def on_ask(self, ack, shortcut, client, respond, context):
        ack()
        runtime = self.runtime
        message = shortcut.get("message") or {}
        text = message.get("text") or ""
        delivery = Delivery(runtime, client, runtime.loaded, identity(context), respond)
        answer = runtime.ask(text, "message_action", loaded=delivery.loaded)
        # posted in someone else's thread: it says who asked, so the answer is not taken for the author's
        answer.asked_by = (shortcut.get("user") or {}).get("id") or ""
        channel = (shortcut.get("channel") or {}).get("id")
        thread = message.get("thread_ts") or message.get("ts")
        # in its thread; where the bot is not a member, privately instead of failing silently
        runtime.outbox.post(channel, delivery.answer_in_thread, channel, thread, answer, text)


def register(app: App, runtime: Runtime) -> None:
    app.shortcut(SHORTCUT_ASK)(Shortcuts(runtime).on_ask)
