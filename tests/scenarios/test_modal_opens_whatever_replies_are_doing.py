"""The guided choice opens within 3 s (a trigger_id lives 3 s) whatever replies are doing: Slack answers every
chat.postMessage with 429, 2,100 DMs fill the reply lane past its limit (2,000 waiting), and /container-choice
still opens its modal, because the view lane has a limit of its own."""

from concurrent.futures import ThreadPoolExecutor

from tests.fakes.slack import command_form, event_envelope, message_event, send_event, send_form
from tests.helpers import ok, scrape

DMS = 2100  # past the reply lane's 2,000 however many of them Slack's 429s let finish meanwhile
BOUND = 3.0


def test_the_modal_opens_while_replies_fill_their_lane(bot, fake):
    fake.fail(
        "chat.postMessage",
        times=100_000,
        status=429,
        body={"ok": False, "error": "ratelimited"},
        headers={"Retry-After": "2"},
    )

    def dm(i: int):
        # each from another person: one waiting reply in each DM
        event = message_event("what is ecs?", channel=f"D{i:08d}", channel_type="im", user=f"U{i:08d}")
        return send_event(bot.events, event_envelope(event))

    try:
        with ThreadPoolExecutor(8) as pool:
            for result in pool.map(dm, range(DMS)):
                ok(result)
        assert scrape(bot)['container_bot_outbox_dropped_total{lane="reply"}'] >= 1  # the reply lane is full
        ok(send_form(bot.events, command_form("", fake.response_url("cmd"))))
        (opened,) = fake.wait_for("views.open", timeout=BOUND)
        assert opened.params["trigger_id"] == "1337.42.fake-trigger"
    finally:
        bot.app.container_bot.outbox.drain(0)  # the replies still waiting are this test's, not the next one's
