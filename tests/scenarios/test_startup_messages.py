"""What `serve` says while it starts: no warning of Bolt's about a token given twice, and a SIGHUP that
arrives while it loads and trains neither kills it nor is lost."""

import signal
import time

import pytest

from tests.fakes.process import Served, env_for, installed_command

pytestmark = pytest.mark.skipif(
    installed_command() is None, reason="container-bot is not installed (pip install .)"
)


def test_a_normal_start_logs_no_warning_of_bolt(fake, tmp_path):
    served = Served(env_for(fake, PORT="0", CONTAINER_BOT_CACHE=str(tmp_path)))
    try:
        served.wait_line(r"listening on http://")
    finally:
        assert served.stop() == 0
    log = "".join(served.log)
    assert "will be unused" not in log and "will be ignored" not in log and "WARNING" not in log, log


@pytest.mark.parametrize("after", [0.5, 1.0])
def test_sighup_during_start_up_does_not_kill_serve_and_is_run_after_it(fake, tmp_path, after):
    # an empty cache: the model trains at start, the longest window for a SIGHUP to land in
    served = Served(env_for(fake, PORT="0", CONTAINER_BOT_CACHE=str(tmp_path / "cache")))
    try:
        time.sleep(after)
        served.proc.send_signal(signal.SIGHUP)
        served.wait_line(r"listening on http://", timeout=30)
        deadline = time.monotonic() + 30  # the reload runs on its own thread: before or after that line
        while "knowledge reloaded: version 2" not in "".join(served.log) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "knowledge reloaded: version 2" in "".join(served.log), "".join(served.log)
        assert served.proc.poll() is None
    finally:
        assert served.stop() == 0
