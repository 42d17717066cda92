"""An answer is Block Kit with a plain-text fallback and buttons (Compare, Start guided choice, Why this
answer?, and suggestions when unsure); a click on Compare or a suggestion answers in the thread."""

from tests.fakes.slack import block_actions, event_envelope, mention_event, send_event, send_payload
from tests.helpers import ok


def test_answer_is_block_kit_with_buttons_and_a_plain_fallback(bot, fake):
    ok(send_event(bot.events, event_envelope(mention_event("ecs vs eks learning curve"))))
    (call,) = fake.wait_for("chat.postMessage")
    blocks = call.params["blocks"]
    kinds = [b["type"] for b in blocks]
    assert kinds[0] == "header" and "actions" in kinds and "context" in kinds
    fields = [f["text"] for b in blocks if b.get("fields") for f in b["fields"]]
    assert any("lower learning curve" in f for f in fields) and any("steeper" in f for f in fields)
    buttons = [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    # at most three, none primary: nothing here is clearly the one next step
    assert buttons == ["Start guided choice", "Why this answer?"] or len(buttons) <= 3
    assert "Why this answer?" in buttons and "Compare ECS and EKS" not in buttons  # it is the comparison
    assert not [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e.get("style")]
    context = " ".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])
    assert "|What is Amazon" in context and "confidence" not in context
    assert call.params["text"].startswith("Amazon ECS vs Amazon EKS: learning curve")


def test_unsure_answer_offers_clickable_suggestions(bot, fake):
    ok(send_event(bot.events, event_envelope(mention_event("who owns the eks cluster in staging?"))))
    (call,) = fake.wait_for("chat.postMessage")
    actions = [e for b in call.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions[0]["action_id"] == "suggestion_0" and actions[0]["value"] == "What is Amazon EKS?"


def test_did_you_mean_button_answers_the_suggestion_in_thread(bot, fake):
    ok(
        send_payload(
            bot.events,
            block_actions(
                "suggestion_0", "What is Amazon EKS?", fake.response_url(), thread_ts="1710000000.000100"
            ),
        )
    )
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == "1710000000.000100" and "Amazon EKS" in call.params["text"]


def test_compare_button_posts_the_comparison(bot, fake):
    ok(send_payload(bot.events, block_actions("compare_services", "ecs vs eks", fake.response_url())))
    (call,) = fake.wait_for("chat.postMessage")
    assert call.params["text"].startswith("Amazon ECS vs Amazon EKS")
