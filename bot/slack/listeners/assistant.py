"""Slack's assistant threads (the "Agents & AI Apps" split view), through Bolt's Assistant middleware.
Optional: without the assistant view in the app's settings these events never come, and DM threads are
answered all the same (Bolt routes every DM thread reply here)."""

from __future__ import annotations

from slack_bolt import App, Assistant

from .. import blocks
from ..delivery import Delivery
from ..ids import SUGGESTED_PROMPTS
from ..incoming import identity, ignored
from ..runtime import Runtime
from ..turns import Turn, assistant_call, converse

WELCOME = (
    "Hi! I answer questions about Amazon ECS, EKS and ECR: what they are, how they compare, and which one "
    "fits your team. Ask away, and reply here to follow up."
)


class AssistantThreads:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def on_thread_started(self, payload, client, set_suggested_prompts):
        thread = payload.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        if not isinstance(channel, str) or not isinstance(thread_ts, str):
            return
        runtime = self.runtime
        runtime.memory.assistant_thread(channel, thread_ts)
        delivery = Delivery(runtime, client, runtime.loaded)
        runtime.outbox.post(channel, start_thread, delivery, channel, thread_ts, set_suggested_prompts)

    def on_context_changed(self):
        # The channel the user is looking at does not change what the bot answers; Bolt's default would
        # rewrite the metadata of the bot's first reply, which carries the conversation's context.
        return

    def on_user_message(self, payload, body, context, client, set_status, set_title):
        runtime = self.runtime
        if ignored(payload, context) or not runtime.claim(body, payload):
            return
        channel, thread_ts = payload["channel"], payload.get("thread_ts")
        assistant_thread = runtime.memory.is_assistant_thread(channel, thread_ts)
        if assistant_thread:  # a conversation of its own, however the DM around it went
            known, dm_context = runtime.memory.latest_answer(channel, thread_ts), False
        else:  # a thread in the DM: under one of the bot's answers there, it carries the DM's context on
            known, dm_context = runtime.memory.in_dm(channel, thread_ts)
        turn = Turn(
            channel,
            thread_ts,
            payload.get("text") or "",
            "assistant_thread.message" if assistant_thread else "message.im",
            known,
            dm_context=dm_context,
            set_status=set_status if assistant_thread else None,
            set_title=set_title if assistant_thread and not known else None,
        )
        delivery = Delivery(runtime, client, runtime.loaded, identity(context))
        runtime.outbox.post(channel, converse, delivery, turn)


def start_thread(delivery: Delivery, channel: str, thread_ts: str, set_suggested_prompts) -> None:
    delivery.send(channel=channel, thread_ts=thread_ts, text=WELCOME, blocks=[blocks.text_section(WELCOME)])
    prompts = [dict(p) for p in SUGGESTED_PROMPTS]
    assistant_call(delivery, "assistant.threads.setSuggestedPrompts", set_suggested_prompts, prompts)


def register(app: App, runtime: Runtime) -> None:
    listeners = AssistantThreads(runtime)
    assistant = Assistant()
    assistant.thread_started(listeners.on_thread_started)
    assistant.thread_context_changed(listeners.on_context_changed)
    assistant.user_message(listeners.on_user_message)
    app.assistant(assistant)
