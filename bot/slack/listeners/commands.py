"""The slash command `/container-choice`: help, a replayed answer code, a question answered privately, or
the guided-choice modal."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

from slack_bolt import App

from ...answering.codes import looks_like_code, parse_code
from ...answering.guided import Progress
from .. import blocks, screens
from ..delivery import Delivery
from ..ids import COMMAND
from ..incoming import identity
from ..runtime import Runtime
from ..safety import scrub_message
from .views import deliver_result, first_view

log = logging.getLogger("container_bot.requests")


class Commands:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def on_command(self, ack, command, body, client, context):
        runtime = self.runtime
        text = (command.get("text") or "").strip()
        loaded = runtime.loaded
        if text.lower() in ("help", "?", "-h", "--help", "usage"):
            ack(**screens.help_message(loaded.knowledge))
            return
        if looks_like_code(text):
            try:
                answers = parse_code(loaded.knowledge, text)
            except ValueError as exc:
                ack(text=f"That answer code does not read: {exc}. Try `/container-choice help`.")
                return
            ack(**scrub_message(blocks.choice_result_message(runtime.result(answers))))
            return
        delivery = Delivery(runtime, client, loaded, identity(context))
        preset = None
        if text:
            answer = runtime.ask(text, "command", loaded=loaded)
            if answer.match is None or not answer.match.starts_choice:
                ack(**scrub_message(delivery.private_answer(answer, text)))
                return
            # "/container-choice walk me through it": the modal, with what the text already said selected
            preset = dict(answer.match.situation)
        ack()
        channel = command.get("channel_id")
        metadata = {"response_url": command.get("response_url"), "channel": channel}
        # Slack runs no slash command inside a thread; in the DM with the bot, the DM is the conversation,
        # and the modal opens with the situation read there so far.
        known = None
        if isinstance(channel, str) and channel.startswith("D"):
            known = runtime.memory.latest_answer(channel, None)
        source = (channel, known) if known else None
        user = command.get("user_id")
        runtime.outbox.view(open_choice, delivery, body.get("trigger_id"), metadata, user, preset, source)


def open_choice(
    delivery: Delivery,
    trigger_id: str | None,
    metadata: dict,
    user: str | None,
    preset: dict[str, str] | None = None,
    source: tuple | None = None,
) -> None:
    """The guided-choice modal at its deciding question, the answers already read (`preset`, or the situation
    the bot's latest answer in `source`, a DM, carries) taken as given. When it cannot be built (knowledge
    Slack cannot render) or Slack refuses to open it, the user is told privately instead of seeing nothing."""
    runtime = delivery.runtime
    delivery = replace(delivery, loaded=runtime.loaded)  # the knowledge served now
    if source is not None and not preset:
        channel, known = source
        reader = runtime.preset_reader(delivery.client)
        thread = delivery.read_back(channel, None, known, client=reader)
        preset = thread.situation if thread else None
    try:
        view, settled = first_view(runtime, metadata, Progress(answers=dict(preset or {})))
    except Exception as exc:  # `container-bot check` refuses such files; this is the last line of defence
        runtime.metrics.slack_errors.labels("block_kit").inc()
        log.error(
            "guided choice cannot be built", extra={"method": "views.open", "error": type(exc).__name__}
        )
        why = "a question in the knowledge file cannot be shown in Slack (`container-bot check` finds it)"
        runtime.outbox.reply(delivery.tell_privately, metadata.get("response_url"), user, cannot_open(why))
        return
    error = delivery.view_call("views.open", delivery.client.views_open, trigger_id=trigger_id, view=view)
    if error is None:
        if settled is not None:  # what was read already settles it: the result where the choice started, too
            shown = {"private_metadata": json.dumps(metadata)}
            runtime.outbox.reply(deliver_result, delivery, {"user": {"id": user}}, shown, settled)
        return
    why = f"Slack did not open it ({error})"
    runtime.outbox.reply(delivery.tell_privately, metadata.get("response_url"), user, cannot_open(why))


def cannot_open(why: str) -> str:
    return (
        f"Sorry, I couldn't open the guided choice: {why}. You can still ask me directly, "
        "for example `/container-choice ecs vs eks`, or try again in a moment."
    )


def register(app: App, runtime: Runtime) -> None:
    app.command(COMMAND)(Commands(runtime).on_command)
