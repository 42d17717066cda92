"""A small version of bench/load.py, so the load script cannot rot and the basics hold under concurrency."""

import pytest

from .conftest import installed_command


@pytest.mark.skipif(installed_command() is None, reason="container-bot is not installed")
def test_fifty_concurrent_events_are_each_acknowledged_and_answered_once():
    from bench.load import run

    figures = run(events=50, concurrency=10, time_limit=60)
    assert figures["errors"] == 0 and figures["acknowledged"] == 50 and figures["over_3s"] == 0
    assert figures["replies"] == 50 and figures["duplicates"] == 0
