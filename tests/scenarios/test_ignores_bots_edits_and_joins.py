"""Messages no person wrote as a question get no answer: the bot's own, other bots', edits, deletions, joins
and topic changes."""

import pytest

from tests.fakes.slack import BOT_ID, BOT_USER, event_envelope, message_event, send_event
from tests.helpers import ok


@pytest.mark.parametrize(
    "extra",
    [
        {"user": BOT_USER},
        {"bot_id": BOT_ID},
        {"bot_id": "BOTHER0001", "subtype": "bot_message"},
        {"subtype": "message_changed"},
        {"subtype": "message_deleted"},
        {"subtype": "channel_join"},
        {"subtype": "channel_topic"},
        {"subtype": "file_share", "bot_id": "BOTHER0001"},  # a bot sharing a file
    ],
)
def test_never_answers_itself_bots_edits_or_joins(bot, fake, extra):
    event = message_event("what is ecs", channel="D0000DM01", channel_type="im")
    event.update(extra)
    ok(send_event(bot.events, event_envelope(event)))
    fake.settle()
    assert fake.called("chat.postMessage") == []
