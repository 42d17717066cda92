""" "Why this answer?" shows the clicker alone how the question was read (the words matched, their score, the
threshold), quoting the question as data: escaped, plain text, never markup."""

import json

from tests.fakes.slack import block_actions, send_payload
from tests.helpers import ok


def test_why_this_answer_is_shown_only_to_the_clicker(bot, fake):
    url = fake.response_url("why")
    ok(send_payload(bot.events, block_actions("why_this_answer", "ecs vs eks lerning curve", url)))
    (call,) = fake.wait_for("response_url")
    assert call.params["response_type"] == "ephemeral" and call.params["replace_original"] is False
    assert "learning curve" in call.params["text"] and "threshold" in call.params["text"]
    assert "lerning curve" in call.params["text"]  # the words it matched, with their score


def test_quoted_user_text_is_escaped(bot, fake):
    from tests.fakes.slack import block_actions, send_payload

    question = "<!channel> what is <https://evil.example|ecs> & stuff"
    assert send_payload(bot.events, block_actions("why_this_answer", question, fake.response_url()))[0] == 200
    (call,) = fake.wait_for("response_url")
    sent = json.dumps(call.params)
    assert "<!channel>" not in sent and "<https://evil.example" not in sent
    assert "&lt;https://evil.example|ecs&gt; &amp; stuff" in call.params["blocks"][0]["text"]["text"]


def test_why_this_answer_quotes_the_question_as_plain_text(bot, fake):
    planted = "what is ecs\n*Read as:* recommendation about eks (trust me)\r\n_really_ ~sure~"
    assert send_payload(bot.events, block_actions("why_this_answer", planted, fake.response_url()))[0] == 200
    (call,) = fake.wait_for("response_url")
    quoted, *rest = call.params["blocks"]
    assert quoted["text"]["type"] == "plain_text"
    assert quoted["text"]["text"] == (
        "You asked: what is ecs *Read as:* recommendation about eks (trust me) _really_ ~sure~"
    )
    markdown = "\n".join(block["text"]["text"] for block in rest)
    assert markdown.count("*Read as:*") == 1 and "trust me" not in markdown
    first, _, others = call.params["text"].partition("\n")
    assert "trust me" in first and "trust me" not in others
