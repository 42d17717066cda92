"""Slack delivers at least once; each event is answered exactly once. Its retries are dropped, in one process
and across replicas sharing Redis."""

from tests.fakes.slack import event_envelope, mention_event, send_event


def test_slack_retries_of_one_event_get_one_reply(bot, fake):
    envelope = event_envelope(mention_event("ecs or eks?"))
    assert send_event(bot.events, envelope)[0] == 200
    for attempt in (1, 2, 3):
        status, _, seconds = send_event(
            bot.events,
            envelope,
            extra_headers={"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert status == 200 and seconds < 3
    fake.wait_for("chat.postMessage")
    fake.settle()
    assert len(fake.called("chat.postMessage")) == 1
    assert bot.metrics.duplicates._value.get() == 3


def test_two_replicas_sharing_redis_reply_once(fake, redis_url):
    from tests.fakes.process import Served, env_for

    replicas = [Served(env_for(fake, PORT="0", REDIS_URL=redis_url), "--http") for _ in range(2)]
    try:
        ports = [r.wait_line(r"listening on http://[\d.]+:(\d+)").group(1) for r in replicas]
        envelope = event_envelope(mention_event("what is ecr"))
        for port in ports:  # the same event reaches both replicas (a retry landing elsewhere)
            assert send_event(f"http://127.0.0.1:{port}/slack/events", envelope)[0] == 200
        fake.wait_for("chat.postMessage")
        fake.settle(0.8)
        assert len(fake.called("chat.postMessage")) == 1
    finally:
        for replica in replicas:
            replica.stop()
