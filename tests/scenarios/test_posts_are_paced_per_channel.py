"""Posts are paced per channel, as Slack asks of chat.postMessage: about one a second in a channel once a
short burst is spent, with a short queue per channel; every mention is still acknowledged at once, and a
reply in another channel is not slowed. (20 mentions in one channel used to make 20 posts in 77 ms.)"""

import time
from concurrent.futures import ThreadPoolExecutor

from bot.slack.pacing import BURST, MAX_WAITING
from tests.fakes.slack import event_envelope, mention_event, send_event
from tests.helpers import scrape

BUSY, CALM = "C0000BUSY", "C0000CALM"
ACK_BOUND = 1.5  # seconds: acks stay immediate (as tests/scenarios/test_acks_never_wait_for_replies.py)


def mentions(bot, channel: str, count: int) -> list[tuple[int, float]]:
    envelopes = [event_envelope(mention_event("what is ecr", channel=channel)) for _ in range(count)]
    with ThreadPoolExecutor(8) as pool:
        return [
            (status, seconds)
            for status, _, seconds in pool.map(lambda e: send_event(bot.events, e), envelopes)
        ]


def posts_in(fake, channel: str) -> list[float]:
    return sorted(c.at for c in fake.called("chat.postMessage") if c.params["channel"] == channel)


def test_posts_in_one_channel_are_paced_and_other_channels_are_not_slowed(bot, fake):
    count = BURST + 4
    acks = mentions(bot, BUSY, count)
    assert all(status == 200 and seconds < ACK_BOUND for status, seconds in acks), acks
    fake.wait_for("chat.postMessage", count=BURST)
    calm_sent = time.monotonic()
    (calm_ack,) = mentions(bot, CALM, 1)
    assert calm_ack[0] == 200 and calm_ack[1] < ACK_BOUND
    fake.wait_for("chat.postMessage", count=count + 1, timeout=count + 5)
    busy, (calm,) = posts_in(fake, BUSY), posts_in(fake, CALM)
    assert len(busy) == count
    # the burst at once, then about one a second
    assert busy[BURST - 1] - busy[0] < 1.0
    gaps = [later - earlier for earlier, later in zip(busy[BURST - 1 :], busy[BURST:], strict=False)]
    assert all(gap >= 0.8 for gap in gaps), gaps
    # the other channel's answer went out at once, while the busy one was still waiting its turn
    assert calm - calm_sent < 1.0 and calm < busy[-1]


def test_a_flooded_channel_keeps_a_short_queue(bot, fake):
    flood = 30
    try:
        acks = mentions(bot, BUSY, flood)
        assert all(status == 200 and seconds < ACK_BOUND for status, seconds in acks), acks
        # the burst, one waiting for its token, and MAX_WAITING behind it: the rest are dropped at once
        kept = BURST + 1 + MAX_WAITING
        dropped = scrape(bot)['container_bot_outbox_dropped_total{lane="channel"}']
        assert dropped >= flood - kept
        fake.settle(0.5)
        assert len(posts_in(fake, BUSY)) <= BURST + 1
    finally:
        bot.app.container_bot.outbox.drain(0)
