"""Button clicks: compare, a 'did you mean' suggestion, an answer to a deciding question, 👍/👎, start the
guided choice, why this answer, share a result."""

from __future__ import annotations

import logging
import re

from slack_bolt import App

from ...answering import conversation
from ...answering.codes import looks_like_code, parse_code
from ...understanding.match import ANSWER_KINDS
from .. import blocks, screens
from ..delivery import Delivery, where
from ..http.payloads import decode_value
from ..ids import (
    ACTION_COMPARE,
    ACTION_DECIDE_PREFIX,
    ACTION_FEEDBACK,
    ACTION_MORE,
    ACTION_SHARE,
    ACTION_START_CHOICE,
    ACTION_SUGGESTION_PREFIX,
    ACTION_WHY,
    CHOICE_ACTION_ID,
)
from ..incoming import identity
from ..runtime import Loaded, Runtime, loggable
from .commands import open_choice

feedback_log = logging.getLogger("container_bot.feedback")
FEEDBACK_THANKS = {
    "up": "Thanks, noted.",
    "down": "Thanks, noted: the maintainers go through answers marked 👎 to teach me a better one.",
}


def read_feedback(runtime: Runtime, raw: str, loaded: Loaded) -> dict | None:
    """A feedback click's value, read as untrusted input: decoded within a depth, then only the fields the log
    takes, each checked."""
    value = decode_value(raw)
    if not isinstance(value, dict) or value.get("v") not in blocks.FEEDBACK_VALUES:
        return None
    kind = value.get("k") if value.get("k") in (*ANSWER_KINDS, "fallback") else "unknown"
    topics = value["t"] if isinstance(value.get("t"), list) else []
    confidence = value.get("c")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
        confidence = None
    question = value["q"] if isinstance(value.get("q"), str) else ""
    return {
        "feedback": value["v"],
        "kind": kind,
        "topics": [t for t in topics if isinstance(t, str) and t in loaded.knowledge.topics][:5],
        "confidence": confidence,
        "question": loggable(question, runtime.settings.secrets),
    }


class Actions:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def _delivery(self, client, context, respond=None) -> Delivery:
        return Delivery(self.runtime, client, self.runtime.loaded, identity(context), respond)

    def _answer_in_place(self, body, client, respond, context, question: str, event_type: str, replace: bool):
        delivery = self._delivery(client, context, respond)
        answer = self.runtime.ask(question, event_type, loaded=delivery.loaded)
        self.runtime.outbox.post(where(body)[0], delivery.answer_click, body, answer, question, replace)

    def on_compare(self, ack, body, client, respond, context):
        ack()
        names = " vs ".join(self.runtime.knowledge.services)
        self._answer_in_place(body, client, respond, context, names, "block_actions.compare", replace=False)

    def on_more(self, ack, body, action, client, respond, context):
        """The rest of a short answer: a private one is replaced by the whole answer, a public one gets the
        whole answer in its thread."""
        ack()
        delivery = self._delivery(client, context, respond)
        question = action.get("value") or ""
        answer = self.runtime.ask(question, "block_actions.more", loaded=delivery.loaded)
        answer.expanded = True
        private = bool((body.get("container") or {}).get("is_ephemeral"))
        self.runtime.outbox.reply(delivery.answer_click, body, answer, question, private)

    def on_suggestion(self, ack, body, action, client, respond, context):
        ack()
        # the suggestion picked replaces the private "not sure" answer it was offered on
        question = action.get("value") or ""
        self._answer_in_place(body, client, respond, context, question, "block_actions.suggestion", True)

    def on_decide(self, ack, body, action, client, respond, context):
        """An answer to a question that would settle an open recommendation: the situation read so far plus
        that answer (the button's value, an answer code) decides again, in the thread."""
        ack()
        delivery = self._delivery(client, context, respond)
        try:
            answers = parse_code(delivery.loaded.knowledge, action.get("value") or "")
        except ValueError:
            return
        answer = conversation.choice_answer(delivery.loaded.engine, answers)
        self.runtime.metrics.answers.labels(answer.kind).inc()
        question = " ".join(f"{k}={v}" for k, v in answers.items())
        self.runtime.outbox.post(where(body)[0], delivery.answer_click, body, answer, question, False, False)

    def on_feedback(self, ack, body, action, respond, client):
        """👍/👎: acknowledged privately, logged as one structured line (no user, no text beyond the
        question as the unanswered log keeps it) and counted."""
        ack()
        runtime = self.runtime
        fields = read_feedback(runtime, action.get("value") or "", runtime.loaded)
        if fields is None:
            return
        message = body.get("message") or {}
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        ts = message.get("ts") or container.get("message_ts")
        user = (body.get("user") or {}).get("id")
        # one vote each way per person and answer: a double click is not two opinions (kept 24 h, unlogged)
        if not runtime.store.claim(f"feedback:{channel}:{ts}:{user}:{fields['feedback']}", ttl=24 * 3600):
            runtime.metrics.duplicates.inc()
            return
        runtime.metrics.feedback.labels(fields["kind"], fields["feedback"]).inc()
        feedback_log.info("answer feedback", extra={"event_type": "block_actions.feedback", **fields})
        text = FEEDBACK_THANKS[fields["feedback"]]
        delivery = Delivery(runtime, client, runtime.loaded, respond=respond)
        runtime.outbox.reply(
            delivery.respond_with, response_type="ephemeral", replace_original=False, text=text
        )

    def on_start(self, ack, body, action, client):
        ack()
        channel, _ = where(body)
        container = body.get("container") or {}
        if container.get("type") == "view":
            metadata = {"user": body.get("user", {}).get("id")}
        else:
            metadata = {"response_url": body.get("response_url"), "channel": channel}
        # the button carries the situation read so far, as an answer code: the modal opens with it selected
        value = action.get("value") or ""
        try:
            preset = parse_code(self.runtime.knowledge, value) if looks_like_code(value) else None
        except ValueError:
            preset = None
        user = body.get("user", {}).get("id")
        delivery = Delivery(self.runtime, client, self.runtime.loaded)
        self.runtime.outbox.view(open_choice, delivery, body.get("trigger_id"), metadata, user, preset)

    def on_why(self, ack, action, respond, client):
        ack()
        question = action.get("value") or ""
        match = self.runtime.engine.matcher.match(question)
        delivery = Delivery(self.runtime, client, self.runtime.loaded, respond=respond)
        message = screens.why_message(match, question)
        self.runtime.outbox.reply(
            delivery.respond_with, response_type="ephemeral", replace_original=False, **message
        )

    def on_share(self, ack, body, action, respond, client):
        ack()
        runtime = self.runtime
        code = action.get("value") or ""
        try:
            answers = parse_code(runtime.knowledge, code)
        except ValueError:
            return
        user = body.get("user", {}).get("id", "")
        channel, _ = where(body)
        picker = {"code": code, "response_url": body.get("response_url")}
        trigger = body.get("trigger_id")
        delivery = Delivery(runtime, client, runtime.loaded, respond=respond)
        if not channel or channel.startswith("D"):
            # shown in a DM (App Home's Messages tab, a response_url fallback): "here" is that DM; ask where
            runtime.outbox.view(open_share_picker, delivery, trigger, picker, user)
            return
        message = blocks.choice_result_message(runtime.result(answers), shared_by=user)
        runtime.outbox.view(share_here, delivery, trigger, picker, user, message)

    def on_radio(self, ack):
        ack()  # a radio button inside the guided-choice modal: the answer arrives with the submission


def share_here(delivery: Delivery, trigger_id, picker: dict, user: str, message: dict) -> None:
    """In the channel the private result was shown in, through its response_url (which posts even where the
    bot is not a member); when Slack refuses (the URL expired or was used up), ask where instead."""
    if delivery.respond_with(
        allow_users=(user,),
        response_type="in_channel",
        replace_original=False,
        delete_original=False,
        **message,
    ):
        return
    open_share_picker(delivery, trigger_id, picker, user)


def open_share_picker(delivery: Delivery, trigger_id, picker: dict, user: str) -> None:
    view = screens.share_picker_view(picker)
    error = delivery.view_call("views.open", delivery.client.views_open, trigger_id=trigger_id, view=view)
    if error is None:
        return
    text = f"Sorry, I couldn't open the channel picker to share it ({error}). Try *Share in channel* again."
    delivery.runtime.outbox.reply(delivery.tell_privately, picker.get("response_url"), user, text)


def register(app: App, runtime: Runtime) -> None:
    actions = Actions(runtime)
    app.action(ACTION_COMPARE)(actions.on_compare)
    app.action({"action_id": re.compile(rf"^{ACTION_SUGGESTION_PREFIX}\d+$")})(actions.on_suggestion)
    app.action({"action_id": re.compile(rf"^{ACTION_DECIDE_PREFIX}[a-z0-9_\-]+$")})(actions.on_decide)
    app.action(ACTION_FEEDBACK)(actions.on_feedback)
    app.action(ACTION_START_CHOICE)(actions.on_start)
    app.action(ACTION_WHY)(actions.on_why)
    app.action(ACTION_MORE)(actions.on_more)
    app.action(ACTION_SHARE)(actions.on_share)
    app.action(CHOICE_ACTION_ID)(actions.on_radio)
