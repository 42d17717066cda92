"""A reply never pings a channel, a group or a person, whatever the question held: <!channel>, <!here>,
<!everyone>, <!subteam^…>, <@U…>, a bare @here."""

import json

from tests.fakes.slack import event_envelope, mention_event, send_event


def test_reply_never_pings_the_channel_or_copies_mentions(bot, fake):
    text = "<!channel> <!here> <!everyone> <!subteam^S0001|@ops> what is ecs <@U0000OTHER> @here"
    assert send_event(bot.events, event_envelope(mention_event(text)))[0] == 200
    (call,) = fake.wait_for("chat.postMessage")
    sent = json.dumps(call.params)
    for forbidden in ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U0000OTHER>", "@here"):
        assert forbidden not in sent
    assert "Amazon ECS" in call.params["text"]
