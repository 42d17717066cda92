"""The guided choice remembers the conversation: the modal opens with the situation the bot has read, and an
open recommendation offers the one or two questions that would settle it, as buttons."""

import json

from bot.answering.decision import deciding_questions
from tests.fakes.slack import (
    BOT_DM,
    block_actions,
    command_form,
    send_event,
    send_form,
    send_payload,
)
from tests.helpers import Chat, ok, payload_of


def preset_of(view: dict) -> dict[str, str]:
    """The answers the guided choice opened with (taken as given: it asks only what they leave open)."""
    return json.loads(view["private_metadata"])["g"]["a"]


def buttons_of(reply: dict) -> list[dict]:
    return [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]


def chat_with(bot, fake) -> Chat:
    return Chat(fake, lambda envelope: ok(send_event(bot.events, envelope)))


def click(bot, fake, element: dict, reply: dict, **where):
    payload = block_actions(
        element["action_id"],
        element["value"],
        fake.response_url("click"),
        channel=where.get("channel", "C0000CHAN"),
        message_ts=where.get("ts", "1710000000.000001"),
        thread_ts=reply.get("thread_ts"),
        ephemeral=where.get("ephemeral", False),
    )
    ok(send_payload(bot.events, payload))


def test_start_button_in_a_thread_opens_the_modal_with_what_was_read(bot, fake):
    chat = chat_with(bot, fake)
    chat.say("ecs or eks?", mention=True)
    reply = chat.say("small team, all in on aws", thread_ts=chat.last_event["ts"])
    (start,) = [e for e in buttons_of(reply) if e["action_id"] == "start_guided_choice"]
    click(bot, fake, start, reply)
    (opened,) = fake.wait_for("views.open")
    assert preset_of(opened.params["view"]) == {"aws_invested": "yes", "simplicity": "yes"}


def test_a_forged_start_value_opens_the_modal_empty(bot, fake):
    for value in ("kubernetes=maybe", "<!channel> hi", "aws_invested=yes=no"):
        ok(send_payload(bot.events, block_actions("start_guided_choice", value, fake.response_url())))
    opened = fake.wait_for("views.open", count=3)
    assert len(opened) == 3 and all(preset_of(o.params["view"]) == {} for o in opened)


def test_an_open_recommendation_offers_the_questions_that_would_settle_it(bot, fake, knowledge):
    chat = chat_with(bot, fake)
    first = chat.say("ecs or eks?", mention=True)
    root = chat.last_event["ts"]
    # the weightiest question that has two answers, so that its buttons and the guided choice's are three
    question = next(q for q in deciding_questions(knowledge, {}) if len(q.options) == 2)
    sections = [b["text"]["text"] for b in first["blocks"] if b["type"] == "section"]
    assert "*One answer would settle it:*" in sections and question.question in sections
    decide = {e["action_id"]: e for e in buttons_of(first) if e["action_id"].startswith("decide_")}
    assert set(decide) == {f"decide_{question.id}_{o.value}" for o in question.options}
    assert len(buttons_of(first)) == 3 and buttons_of(first)[-1]["style"] == "primary"
    # a click answers the question: the bot decides again, in the thread, and the thread goes on from there
    click(bot, fake, decide["decide_kubernetes_yes"], first)
    posts = fake.wait_for("chat.postMessage", count=2)
    decided = posts[1].params
    assert decided["thread_ts"] == root and decided["text"].startswith("Recommendation: Amazon EKS")
    assert payload_of(decided)["situation"] == {"kubernetes": "yes"}
    assert not [e for e in buttons_of(decided) if e["action_id"].startswith("decide_")]  # settled
    why = chat.say("why?", thread_ts=root)
    assert why["text"].startswith("Why Amazon EKS")


def test_the_deciding_buttons_carry_the_situation_read_so_far(bot, fake, knowledge):
    chat = chat_with(bot, fake)
    chat.say("ecs or eks?", mention=True)
    root = chat.last_event["ts"]
    chat.say("we already run kubernetes on prem", thread_ts=root)
    reply = chat.say("we also need windows containers", thread_ts=root)
    assert reply["text"].startswith("ECS or EKS? It depends")  # two needs that pull apart
    situation = payload_of(reply)["situation"]
    code = " ".join(f"{c.id}={situation[c.id]}" for c in knowledge.criteria if c.id in situation)
    decide = [e for e in buttons_of(reply) if e["action_id"].startswith("decide_")]
    assert all(e["value"].startswith(code + " ") for e in decide)
    (start,) = [e for e in buttons_of(reply) if e["action_id"] == "start_guided_choice"]
    assert start["value"] == code and start["style"] == "primary"
    if not decide:  # the questions that would settle it have three answers or more: the guided choice asks
        return
    click(bot, fake, decide[0], reply)
    posts = fake.wait_for("chat.postMessage", count=4)
    after = payload_of(posts[3].params)["situation"]
    assert situation.items() <= after.items() and len(after) == len(situation) + 1


def test_a_deciding_click_on_a_private_answer_is_answered_privately(bot, fake):
    status, body, _ = send_form(bot.events, command_form("ecs or eks?", fake.response_url("cmd")))
    answer = json.loads(body)
    (button,) = [e for e in buttons_of(answer) if e["action_id"] == "decide_kubernetes_no"]
    click(bot, fake, button, {}, ephemeral=True)
    (private,) = fake.wait_for("response_url")
    assert private.params["response_type"] == "ephemeral"
    assert private.params["text"].startswith(("Recommendation", "ECS or EKS"))
    fake.settle(0.2)
    assert fake.called("chat.postMessage") == []


def test_container_choice_in_the_dm_opens_with_what_the_dm_told(bot, fake):
    """Slack runs no slash command inside a thread; in the DM with the bot, the DM is the conversation."""
    chat = chat_with(bot, fake)
    chat.say("we run windows containers, no servers to manage please", channel=BOT_DM, channel_type="im")
    form = command_form("", fake.response_url("cmd"))
    form["channel_id"] = BOT_DM
    status, _, seconds = send_form(bot.events, form)
    assert status == 200 and seconds < 3
    (opened,) = fake.wait_for("views.open")
    assert preset_of(opened.params["view"]) == {"windows": "yes", "serverless": "yes"}
    assert fake.called("conversations.history") == []  # remembered: no read before the modal opens
    # in a channel, nothing is read: the modal opens empty, as before
    status, _, _ = send_form(bot.events, command_form("", fake.response_url("cmd2")))
    opened = fake.wait_for("views.open", count=2)
    assert preset_of(opened[1].params["view"]) == {}


def test_asking_to_be_walked_through_it_answers_with_the_guided_choice_button(bot, fake):
    chat = chat_with(bot, fake)
    reply = chat.say("can you walk me through choosing? we're a small team, all in on aws", mention=True)
    assert reply["text"].startswith("The guided choice asks a few questions")
    (start,) = buttons_of(reply)
    assert start["action_id"] == "start_guided_choice"
    click(bot, fake, start, reply)
    (opened,) = fake.wait_for("views.open")
    assert preset_of(opened.params["view"]) == {"aws_invested": "yes", "simplicity": "yes"}


def test_the_command_asked_to_walk_through_it_opens_the_modal_with_what_it_said(bot, fake):
    ok(
        send_form(
            bot.events,
            command_form("take me through the decision, we run windows containers", fake.response_url()),
        )
    )
    (opened,) = fake.wait_for("views.open")
    assert preset_of(opened.params["view"]) == {"windows": "yes"}
