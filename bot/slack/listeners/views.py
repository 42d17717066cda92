"""Modal submissions: the guided choice's answers, and the channel a result is shared in."""

from __future__ import annotations

import logging
import re

from slack_bolt import App

from ...answering.answer import Answer
from ...answering.codes import parse_code
from ...answering.guided import Progress, next_step
from .. import blocks, guided_views, screens
from ..delivery import Delivery
from ..http.payloads import decode_value
from ..ids import CHOICE_ACTION_ID, CHOICE_VIEW, SHARE_CHANNEL_ACTION, SHARE_CHANNEL_BLOCK, SHARE_VIEW
from ..runtime import Runtime

log = logging.getLogger("container_bot.requests")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")


class Views:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def on_share_submitted(self, ack, body, view, client, context):
        runtime = self.runtime
        state = (view.get("state") or {}).get("values") or {}
        picked = ((state.get(SHARE_CHANNEL_BLOCK) or {}).get(SHARE_CHANNEL_ACTION) or {}).get(
            "selected_conversation"
        )
        if not isinstance(picked, str) or not _CHANNEL_ID.match(picked):
            ack(response_action="errors", errors={SHARE_CHANNEL_BLOCK: "Pick a channel to share in."})
            return
        metadata = decode_value(view.get("private_metadata") or "{}")
        try:
            if not isinstance(metadata, dict):
                raise ValueError("not the metadata the share modal was opened with")
            answers = parse_code(runtime.knowledge, str(metadata.get("code") or ""))
        except ValueError:
            ack(
                response_action="errors",
                errors={SHARE_CHANNEL_BLOCK: "This result no longer reads; run the guided choice again."},
            )
            return
        user = body.get("user", {}).get("id", "")
        ack(response_action="update", view=screens.share_status_view(f"Sharing in <#{picked}>…"))
        message = blocks.choice_result_message(runtime.result(answers), shared_by=user)
        bot = context.get("bot_user_id") or ""
        delivery = Delivery(runtime, client, runtime.loaded)
        runtime.outbox.post(picked, share_to, delivery, view.get("id"), picked, user, bot, message)

    def on_choice_submitted(self, ack, body, view, client):
        """A step of the guided choice: the modal updates to the next question, or to the recommendation once
        no answer left can change it (delivered privately too); "Answer more to be sure" shows the rest."""
        runtime = self.runtime
        knowledge = runtime.knowledge
        values = (view.get("state") or {}).get("values") or {}
        metadata = decode_value(view.get("private_metadata") or "{}")
        metadata = metadata if isinstance(metadata, dict) else {}
        carried = guided_views.carried_progress(knowledge, metadata)
        if carried is None and isinstance(
            metadata.get("g"), dict
        ):  # a step that no longer reads: start again
            ack(response_action="update", view=first_view(runtime, metadata, Progress())[0])
            return
        if carried is None:
            self._submitted_whole(ack, body, view, client, values)  # a modal an earlier version opened
            return
        progress, mode, step_id = carried
        if mode == guided_views.RESULT:
            ack(response_action="update", view=guided_views.more_view(knowledge, metadata, progress))
            return
        after = (
            guided_views.read_more(knowledge, progress, values)
            if mode == guided_views.MORE
            else guided_views.read_step(knowledge, progress, step_id, values)
        )
        if after is None:
            ack(response_action="update", view=first_view(runtime, metadata, Progress())[0])
            return
        step = next_step(knowledge, after) if mode == guided_views.STEP else None
        if step is not None:
            ack(response_action="update", view=guided_views.step_view(knowledge, metadata, after, step))
            return
        result = runtime.result(after.given(), complete=True)
        more = mode == guided_views.STEP
        ack(response_action="update", view=guided_views.result_view(knowledge, metadata, after, result, more))
        self._delivered(body, view, client, result)

    def _submitted_whole(self, ack, body, view, client, values):
        """Every question at once (the form an earlier version opened): each must be answered."""
        runtime = self.runtime
        answers = {}
        knowledge = runtime.knowledge
        for criterion in knowledge.criteria:
            selected = ((values.get(criterion.id) or {}).get(CHOICE_ACTION_ID) or {}).get("selected_option")
            if selected and criterion.option(selected.get("value", "")):
                answers[criterion.id] = selected["value"]
        missing = {c.id: "Please pick an answer." for c in knowledge.criteria if c.id not in answers}
        if missing:
            ack(response_action="errors", errors=missing)
            return
        answer = runtime.result(answers)
        ack(response_action="update", view=blocks.choice_result_view(answer))
        self._delivered(body, view, client, answer)

    def _delivered(self, body, view, client, answer: Answer) -> None:
        log.info(
            "guided choice",
            extra={
                "event_type": "view_submission",
                "kind": "recommendation",
                "confidence": 1.0,
                "outcome": answer.recommendation,
            },
        )
        runtime = self.runtime
        runtime.outbox.reply(deliver_result, Delivery(runtime, client, runtime.loaded), body, view, answer)


def first_view(runtime: Runtime, metadata: dict, progress: Progress) -> tuple[dict, Answer | None]:
    """The guided choice's first view: its deciding question, or, when what is known already settles it, the
    recommendation (returned too, to deliver)."""
    knowledge = runtime.knowledge
    step = next_step(knowledge, progress)
    if step is not None:
        return guided_views.step_view(knowledge, metadata, progress, step), None
    result = runtime.result(progress.given(), complete=True)
    return guided_views.result_view(knowledge, metadata, progress, result, more=True), result


def deliver_result(delivery: Delivery, body: dict, view: dict, answer: Answer) -> None:
    """The result, privately, where the choice was started: its response_url, else the user's DM."""
    metadata = decode_value(view.get("private_metadata") or "{}")
    if not isinstance(metadata, dict):
        metadata = {}
    message = blocks.choice_result_message(answer)
    user = body.get("user", {}).get("id")
    url = metadata.get("response_url")
    if url and delivery.to_response_url(url, response_type="ephemeral", replace_original=False, **message):
        return
    if user:
        delivery.post(channel=user, **message)


def share_to(delivery: Delivery, view_id: str, channel: str, user: str, bot: str, message: dict) -> None:
    """Post the shared result in the picked channel, then turn the share modal into what happened."""
    error = delivery.post(allow_users=(user,), channel=channel, **message)
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
    view = screens.share_status_view(text)
    views_update = delivery.client.views_update
    if delivery.view_call("views.update", views_update, view_id=view_id, view=view) is None:
        return
    if error is not None:  # the modal is gone (closed meanwhile): say it in the DM instead
        delivery.tell_privately(None, user, text)


def register(app: App, runtime: Runtime) -> None:
    views = Views(runtime)
    app.view(SHARE_VIEW)(views.on_share_submitted)
    app.view(CHOICE_VIEW)(views.on_choice_submitted)
