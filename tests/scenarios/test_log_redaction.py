"""No secret reaches a log line or a report: tokens and the signing secret are masked in every record, in the
text and JSON logs of a running serve, and in `review` over an older log."""

import json
import logging
import os
import subprocess

import pytest

from tests.fakes.process import installed_command
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET, event_envelope, message_event, send_event
from tests.helpers import needs_command

EXE = installed_command()


def test_tokens_never_reach_a_log_line():
    import io

    from bot.logs import setup_logging

    stream = io.StringIO()
    setup_logging("DEBUG", "text", secrets=(SIGNING_SECRET,), stream=stream)
    logger = logging.getLogger("container_bot.test")
    logger.info("token %s and secret %s", BOT_TOKEN, SIGNING_SECRET)
    try:
        raise RuntimeError(f"failed with {BOT_TOKEN}")
    except RuntimeError:
        logger.exception("boom")
    logging.getLogger().handlers.clear()
    assert BOT_TOKEN not in stream.getvalue() and SIGNING_SECRET not in stream.getvalue()
    assert "[redacted]" in stream.getvalue()


TOKENS = ("xoxb-1111-2222-abcdefghijkl", "xapp-1-A0FAKE-3333-deadbeefcafe", "xoxp-4444-5555-6666-fedcba")


def secret_question(padding: int = 0) -> str:
    return (
        "where is the offsite this year "
        + "z" * padding
        + " my tokens are "
        + " ".join(TOKENS)
        + f" and the secret {SIGNING_SECRET} and {'0123456789abcdef' * 2}"
    )


@needs_command
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_secrets_in_an_unanswered_question_never_reach_the_log(fake, log_format):
    from tests.fakes.process import Served, env_for

    served = Served(env_for(fake, PORT="0", LOG_FORMAT=log_format), "--http")
    try:
        port = served.wait_line(r"listening on http://[\d.]+:(\d+)").group(1)
        url = f"http://127.0.0.1:{port}/slack/events"
        for padding in (0, 130):  # the second puts the signing secret across the 200-character cut
            send_event(
                url,
                event_envelope(
                    message_event(secret_question(padding), channel="D0000DM01", channel_type="im")
                ),
            )
            served.wait_line("unanswered question")
    finally:
        served.stop()
    log = "".join(served.log)
    for secret in (*TOKENS, SIGNING_SECRET, SIGNING_SECRET[:12], "0123456789abcdef" * 2):
        assert secret not in log
    assert log.count("[redacted]") >= 5


@needs_command
def test_the_unanswered_report_masks_secrets_an_older_log_holds(tmp_path):
    log = tmp_path / "bot.log"
    question = secret_question()
    log.write_text(
        json.dumps({"message": "unanswered question", "question": question})
        + "\n2026-11-29 01:00:00 INFO container_bot.unanswered: unanswered question "
        + f"event_type=message.im question={json.dumps(question)}\n"
    )
    env = {**os.environ, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    result = subprocess.run(
        [EXE, "unanswered", str(log)], capture_output=True, text=True, timeout=30, env=env
    )
    assert result.returncode == 0 and "2 unanswered questions in 1 group;" in result.stdout
    for secret in (*TOKENS, SIGNING_SECRET, "0123456789abcdef" * 2):
        assert secret not in result.stdout
    assert "where is the offsite" in result.stdout and "[redacted]" in result.stdout
