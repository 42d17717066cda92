"""Reading Slack's Retry-After header: bounded, with a default where it is missing or unreadable."""

import pytest

from bot.slack.client import RETRY_AFTER_DEFAULT, RETRY_AFTER_MAX, retry_after_seconds


@pytest.mark.parametrize(
    "headers, seconds",
    [
        ({"Retry-After": ["3"]}, 3),
        ({"retry-after": "0"}, 0),
        ({"Retry-After": ["100000"]}, RETRY_AFTER_MAX),
        ({"Retry-After": ["-1"]}, RETRY_AFTER_DEFAULT),
        ({"Retry-After": ["Wed, 21 Oct 2015 07:28:00 GMT"]}, RETRY_AFTER_DEFAULT),
        ({}, RETRY_AFTER_DEFAULT),
    ],
)
def test_retry_after_is_bounded(headers, seconds):
    assert retry_after_seconds(headers) == seconds
