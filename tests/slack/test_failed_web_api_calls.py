"""A Web API call that fails is counted under its method and logged, never raised: each caller's label, line
and return as they were before they shared one helper."""

import logging
from types import SimpleNamespace

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.delivery import Delivery
from bot.slack.listeners.events import publish_home
from bot.slack.metrics import Metrics
from bot.slack.outbox import Outbox
from bot.slack.runtime import Loaded
from bot.slack.threads import read_thread
from bot.slack.turns import assistant_call


def refused(error=None):
    def call(*args, **kwargs):
        raise SlackApiError("refused", {"ok": False, **({"error": error} if error else {})})

    return call


def broken(*args, **kwargs):
    raise ConnectionResetError("gone")


def deps():
    metrics = Metrics()
    return SimpleNamespace(metrics=metrics, outbox=Outbox(metrics))


def errors(d, method):
    return d.metrics.slack_errors.labels(method)._value.get()


def only_record(caplog):
    (record,) = [r for r in caplog.records if r.name == "container_bot.requests"]
    return record


def test_a_refused_post_is_slacks_code_and_a_dropped_one_the_exception(caplog):
    d = deps()
    caplog.set_level(logging.INFO)
    client = SimpleNamespace(chat_postMessage=refused("not_in_channel"))
    assert Delivery(d, client, None).send(channel="C1", text="hi") == (None, "not_in_channel")
    record = only_record(caplog)
    assert (record.levelname, record.getMessage(), record.method, record.error) == (
        "WARNING",
        "chat.postMessage failed",
        "chat.postMessage",
        "not_in_channel",
    )
    assert Delivery(d, SimpleNamespace(chat_postMessage=refused()), None).send(channel="C1", text="hi") == (
        None,
        "unknown",
    )
    assert Delivery(d, SimpleNamespace(chat_postMessage=broken), None).send(channel="C1", text="hi") == (
        None,
        "ConnectionResetError",
    )
    assert errors(d, "chat.postMessage") == 3


def test_a_delivered_post_is_its_ts():
    d = deps()
    client = SimpleNamespace(chat_postMessage=lambda **kwargs: {"ok": True, "ts": "1.2"})
    assert Delivery(d, client, None).send(channel="C1", text="hi") == ("1.2", None)
    client = SimpleNamespace(chat_postMessage=lambda **kwargs: {"ok": True})
    assert Delivery(d, client, None).send(channel="C1", text="hi") == ("", None)
    assert errors(d, "chat.postMessage") == 0


def test_an_assistant_call_that_fails_is_an_info_line(caplog):
    d = deps()
    caplog.set_level(logging.INFO)
    assistant_call(Delivery(d, None, None), "assistant.threads.setStatus", refused(), "thinking")
    record = only_record(caplog)
    assert (record.levelname, record.getMessage(), record.error) == (
        "INFO",
        "assistant.threads.setStatus failed",
        "unknown_error",
    )
    assistant_call(Delivery(d, None, None), "assistant.threads.setTitle", broken, "title")
    assert errors(d, "assistant.threads.setStatus") == errors(d, "assistant.threads.setTitle") == 1


def test_a_modal_that_does_not_open_is_its_error(caplog):
    d = deps()
    assert Delivery(d, None, None).view_call("views.open", refused("expired_trigger_id"), trigger_id="t") == (
        "expired_trigger_id"
    )
    assert Delivery(d, None, None).view_call("views.update", broken, view_id="V1") == "ConnectionResetError"
    assert (
        Delivery(d, None, None).view_call("views.update", lambda **kwargs: {"ok": True}, view_id="V1") is None
    )
    assert "views.open failed" in caplog.text and "views.update failed" in caplog.text
    assert errors(d, "views.open") == errors(d, "views.update") == 1


def test_home_counts_only_slacks_refusals(knowledge, caplog):
    d = SimpleNamespace(metrics=Metrics(), loaded=Loaded(knowledge, None))
    publish_home(d, SimpleNamespace(views_publish=refused("not_enabled")), "U1")
    publish_home(d, SimpleNamespace(views_publish=refused()), "U1")
    assert [(r.getMessage(), r.error) for r in caplog.records] == [
        ("views.publish failed", "not_enabled"),
        ("views.publish failed", None),
    ]
    with pytest.raises(ConnectionResetError):  # left to the outbox, which logs it with its traceback
        publish_home(d, SimpleNamespace(views_publish=broken), "U1")
    assert errors(d, "views.publish") == 2


def test_a_thread_that_cannot_be_read_is_answered_on_its_own(knowledge, caplog):
    metrics = Metrics()
    client = SimpleNamespace(conversations_replies=refused("ratelimited"), conversations_history=broken)
    assert read_thread(client, knowledge, metrics, "C1", "1.0", "1.1", "B1", "U1") is None
    assert read_thread(client, knowledge, metrics, "D1", None, "1.1", "B1", "U1") is None
    assert [(r.name, r.getMessage(), r.error) for r in caplog.records] == [
        (
            "container_bot.threads",
            "conversations.replies failed; answering without the thread",
            "ratelimited",
        ),
        (
            "container_bot.threads",
            "conversations.history failed; answering without the thread",
            "ConnectionResetError",
        ),
    ]
    assert metrics.slack_errors.labels("conversations.replies")._value.get() == 1
    assert metrics.slack_errors.labels("conversations.history")._value.get() == 1
    assert metrics.thread_reads.labels("error")._value.get() == 2
