"""A small version of bench/load.py, so the load script cannot rot and the basics hold under concurrency.
It runs as a user runs it, a script of its own: nothing under tests/ imports bench/."""

import json
import subprocess
import sys

import pytest

from tests.fakes.process import installed_command
from tests.helpers import ROOT


@pytest.mark.skipif(installed_command() is None, reason="container-bot is not installed")
def test_fifty_concurrent_events_are_each_acknowledged_and_answered_once():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench/load.py"), "--events", "50", "--concurrency", "10"]
        + ["--time-limit", "60"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    assert figures["errors"] == 0 and figures["acknowledged"] == 50 and figures["over_3s"] == 0
    assert figures["replies"] == 50 and figures["duplicates"] == 0
