"""JSON that Slack hands back inside a signed payload (a 👍/👎 button's value, a modal's private_metadata) is
read as untrusted: nested deeper than any value the bot writes, it is ignored at once, with no traceback and
no reply. (The body around it is depth-checked at the door; these strings are decoded later, by the
listeners. A feedback value nested 5,000 deep used to raise RecursionError after ack(), and Bolt then waited
out its 3 s timeout.)"""

import json
import logging

import pytest

from tests.fakes.slack import block_actions, send_payload, share_submission, view_submission
from tests.helpers import SMALL_AWS_TEAM

BOUND = 1.0  # seconds: the "well under 1 s", over HTTP


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


NESTED_VALUES = {
    "a list 5,000 deep": nested(5000),
    "a vote whose question is 1,400 deep (fits Slack's 3,000 characters)": (
        '{"v": "up", "k": "definition", "q": ' + nested(1400) + "}"
    ),
}


def no_traceback(caplog) -> bool:
    return not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize("value", NESTED_VALUES.values(), ids=NESTED_VALUES.keys())
def test_a_deeply_nested_vote_is_ignored_at_once(bot, fake, caplog, value):
    caplog.set_level(logging.INFO)
    payload = block_actions("answer_feedback", value, fake.response_url(), action_type="feedback_buttons")
    status, _, seconds = send_payload(bot.events, payload)
    assert status == 200 and seconds < BOUND, (status, seconds)
    fake.settle(0.3)
    assert fake.called("response_url") == [] and "answer feedback" not in caplog.text
    assert no_traceback(caplog), caplog.text


def test_a_share_modal_whose_metadata_is_deeply_nested_asks_again(bot, fake, caplog):
    caplog.set_level(logging.INFO)
    payload = share_submission("C0000SHARE", {})
    payload["view"]["private_metadata"] = '{"code": ' + nested(1400) + "}"
    status, body, seconds = send_payload(bot.events, payload)
    assert status == 200 and seconds < BOUND, (status, seconds)
    assert json.loads(body)["response_action"] == "errors"  # "this result no longer reads"
    fake.settle(0.3)
    assert fake.called("chat.postMessage") == [] and no_traceback(caplog), caplog.text


def test_a_guided_choice_whose_metadata_is_deeply_nested_lands_in_the_dm(bot, fake, caplog):
    caplog.set_level(logging.INFO)
    payload = view_submission(SMALL_AWS_TEAM, {})
    payload["view"]["private_metadata"] = '{"response_url": ' + nested(1400) + "}"
    status, body, seconds = send_payload(bot.events, payload)
    assert status == 200 and seconds < BOUND, (status, seconds)
    assert json.loads(body)["response_action"] == "update"
    (posted,) = fake.wait_for("chat.postMessage")
    assert posted.params["channel"] == "U0000USER"  # no response_url to read: the result goes to the DM
    assert no_traceback(caplog), caplog.text
