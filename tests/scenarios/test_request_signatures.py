"""Every request must carry Slack's signature over its exact body, made within five minutes with our signing
secret: anything else is a 401 before the app does anything, not even auth.test."""

import json
import time

from tests.fakes.slack import event_envelope, mention_event, post, send_event, sign
from tests.helpers import alive, nothing_sent

JSON = "application/json"


def test_unsigned_request_is_rejected_before_anything_happens(bot, fake):
    body = json.dumps(event_envelope(mention_event("what is ecs")))
    status, text, _ = post(bot.events, body, "application/json")
    assert status == 401
    fake.settle()
    assert fake.calls == []  # not even auth.test


def test_request_signed_with_another_secret_is_rejected(bot, fake):
    status, _, _ = send_event(
        bot.events, event_envelope(mention_event("what is ecs")), secret="someone-elses"
    )
    assert status == 401
    fake.settle()
    assert fake.calls == []


def test_replayed_request_outside_five_minutes_is_rejected(bot, fake):
    body = json.dumps(event_envelope(mention_event("what is ecs")))
    status, _, _ = post(bot.events, body, "application/json", sign(body, timestamp=int(time.time()) - 6 * 60))
    assert status == 401
    fake.settle()
    assert fake.calls == []


def test_a_timestamp_of_thousands_of_digits_is_a_401_not_a_crash(bot, fake):
    body = json.dumps(event_envelope(mention_event("what is ecs")))
    status, text, _ = post(bot.events, body, JSON, {**sign(body), "X-Slack-Request-Timestamp": "9" * 5000})
    assert status == 401 and "Traceback" not in text
    assert alive(bot.url) and nothing_sent(fake)


def test_tampered_body_is_rejected(bot, fake):
    body = json.dumps(event_envelope(mention_event("what is ecs")))
    headers = sign(body)
    status, _, _ = post(bot.events, body.replace("what is ecs", "what is eks"), "application/json", headers)
    assert status == 401
