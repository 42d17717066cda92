"""What a signed request may look like. Slack's own shapes are acknowledged (url_verification, event types the
bot does not handle); anything else (malformed, ill-shaped, nested too deep, not UTF-8, the wrong method) is
a 4xx, never a 500, and nothing reaches Slack."""

import hashlib
import hmac
import time
import urllib.request
from urllib.parse import urlencode

import pytest

from tests.fakes.slack import (
    SIGNING_SECRET,
    block_actions,
    event_envelope,
    mention_event,
    message_event,
    post,
    send_event,
    send_payload,
    sign,
    view_submission,
)
from tests.helpers import alive, nothing_sent, ok

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def sign_bytes(raw: bytes, secret: str = SIGNING_SECRET) -> dict:
    """Slack's v0 signature over raw bytes, which need not be UTF-8."""
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


def post_bytes(url: str, raw: bytes, content_type: str, headers: dict) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=raw, method="POST", headers={"Content-Type": content_type, **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


# --------------------------------------------------------------------------------------- Slack's shapes


def test_url_verification_echoes_the_challenge(bot):
    status, body, _ = send_event(
        bot.events, {"token": "x", "challenge": "abc123", "type": "url_verification"}
    )
    assert status == 200 and "abc123" in body


def test_unhandled_event_types_are_acknowledged(bot, fake):
    result = ok(
        send_event(
            bot.events,
            event_envelope(
                {
                    "type": "reaction_added",
                    "user": "U1",
                    "reaction": "eyes",
                    "item": {"type": "message", "channel": "C1", "ts": "1.1"},
                    "event_ts": "1.2",
                }
            ),
        )
    )
    assert result[0] == 200


# ------------------------------------------------------------------------------------- malformed bodies


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('{"no_type": true}', "application/json"),
        ('{"type": "event_callback"}', "application/json"),
        ('{"type": "event_callback", "event": {"text": "no type"}}', "application/json"),
        ("a&b&c", "application/x-www-form-urlencoded"),
        ("payload=%7Bnot%20json", "application/x-www-form-urlencoded"),
        ("payload=%5B%5D", "application/x-www-form-urlencoded"),
        ("user_id=U1&text=hi", "application/x-www-form-urlencoded"),
        ("", "application/x-www-form-urlencoded"),
    ],
)
def test_signed_but_malformed_body_is_a_4xx_never_a_500(bot, fake, body, content_type):
    status, text, _ = post(bot.events, body, content_type, sign(body))
    assert 400 <= status < 500 and "Traceback" not in text
    assert alive(bot.url)
    fake.settle(0.1)
    assert fake.called("chat.postMessage") == []


DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    "body, content_type",
    [
        (DEEP, JSON),
        ('{"type": "event_callback", "event": {"type": "app_mention", "blocks": ' + DEEP + "}}", JSON),
        (urlencode({"payload": DEEP}), FORM),
        (urlencode({"payload": '{"type": "block_actions", "x": ' + "[" * 60 + "]" * 60 + "}"}), FORM),
    ],
    ids=["deep-body", "deep-event", "deep-payload", "60-deep-payload"],
)
def test_deeply_nested_json_is_a_400(bot, fake, body, content_type):
    assert len(body) < 7000
    status, text, _ = post(bot.events, body, content_type, sign(body))
    assert status == 400 and "nested more than 40 levels" in text
    assert alive(bot.url) and nothing_sent(fake)


def test_a_signed_body_that_is_not_utf8_is_a_400_and_an_unsigned_one_a_401(bot, fake):
    raw = b'{"type": "event_callback", "event": {"type": "app_mention", "text": "what is ecs \xff"}}'
    assert post_bytes(bot.events, raw, JSON, sign_bytes(raw)) == (400, "bad request: body is not UTF-8\n")
    assert post_bytes(bot.events, raw, JSON, sign_bytes(raw, "someone-elses-secret"))[0] == 401
    assert nothing_sent(fake)


def test_get_on_the_events_path_is_405(bot):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(bot.events, timeout=5)
    assert info.value.code == 405


# ---------------------------------------------------------------------------------- ill-shaped payloads


def _action(**changes):
    payload = block_actions("why_this_answer", "what is ecs", "http://127.0.0.1:9/response/x")
    payload.update(changes)
    return payload


def _submission(view_changes=None, **changes):
    payload = view_submission({"kubernetes": "yes"}, {"channel": "C0000CHAN"})
    payload["view"].update(view_changes or {})
    payload.update(changes)
    return payload


@pytest.mark.parametrize(
    "payload, problem",
    [
        (_action(actions=[]), "'actions' is empty"),
        (_action(actions=["why_this_answer"]), "'actions' must hold objects"),
        (_action(actions=[{"value": "what is ecs"}]), "'actions[].action_id' is missing"),
        (_action(actions=[{"action_id": "why_this_answer", "value": 42}]), "'actions[].value'"),
        (_action(actions="why_this_answer"), "'actions' must be a list"),
        (_action(user="U0000USER"), "'user' must be an object"),
        (_action(channel="C0000CHAN"), "'channel' must be an object"),
        (_action(message=["not", "a", "message"]), "'message' must be an object"),
        (_submission({"state": "nope"}), "'view.state' must be an object"),
        (_submission({"state": {"values": []}}), "'view.state.values' must be an object"),
        (_submission({"state": {"values": {"kubernetes": "yes"}}}), "'view.state.values' must map"),
        (_submission({"private_metadata": {"channel": "C1"}}), "'view.private_metadata'"),
        (_submission(view="VMODAL001"), "'view' must be an object"),
        ({**_submission(), "view": {"id": "VMODAL001"}}, "'view.callback_id' is missing"),
        ({"type": "message_action", "user": {"id": "U1"}, "message": {}}, "'callback_id' is missing"),
    ],
)
def test_signed_but_ill_shaped_interactivity_is_a_400(bot, fake, payload, problem):
    status, text, _ = send_payload(bot.events, payload)
    assert status == 400 and problem in text, text
    assert alive(bot.url) and nothing_sent(fake)


@pytest.mark.parametrize(
    "envelope, problem",
    [
        (
            event_envelope({"type": "app_mention", "text": "what is ecs", "ts": "1.2"}),
            "'event.channel' is missing",
        ),
        (event_envelope({**mention_event("x"), "text": ["what", "is", "ecs"]}), "'event.text' must be"),
        (event_envelope({**mention_event("x"), "ts": 1710000000.5}), "'event.ts' must be a string"),
        (event_envelope({**message_event("x"), "message": "edited"}), "'event.message' must be an object"),
        (event_envelope({"type": "app_home_opened", "tab": "home"}), "'event.user' is missing"),
        ({**event_envelope(mention_event("x")), "authorizations": "T0000"}, "'authorizations' must be"),
    ],
)
def test_signed_but_ill_shaped_event_is_a_400(bot, fake, envelope, problem):
    status, text, _ = send_event(bot.events, envelope)
    assert status == 400 and problem in text, text
    assert alive(bot.url) and nothing_sent(fake)
