"""`container-bot review` (and its old name, `unanswered`): the maintainer's to-do list from a log, unanswered
questions and down-voted answers grouped, most frequent first."""

import json
import re
import subprocess
import sys
import unicodedata

import pytest

from tests.fakes.process import installed_command
from tests.fakes.slack import BOT_DM, event_envelope, mention_event, message_event, send_event
from tests.helpers import feedback_element, needs_command, ok, vote

EXE = installed_command()


def test_unanswered_groups_questions_most_asked_first(tmp_path):
    log = tmp_path / "bot.log"
    lines = [
        json.dumps({"message": "unanswered question", "question": "how do i push an image to ecr"}),
        json.dumps({"message": "unanswered question", "question": "how do I push images to ECR?"}),
        "2026-11-29 01:00:00 INFO container_bot.unanswered: unanswered question event_type=message.im "
        'question="how do i push an image to ecr please"',
        json.dumps({"message": "unanswered question", "question": "what is app runner"}),
        json.dumps({"message": "answered", "kind": "definition"}),
        "garbage line",
    ]
    log.write_text("\n".join(lines) + "\n")
    exe = installed_command()
    result = subprocess.run([exe, "unanswered", str(log)], capture_output=True, text=True, timeout=30)
    out = result.stdout.splitlines()
    assert result.returncode == 0 and out[0].startswith("4 unanswered questions in 2 groups;")
    groups = [line.split() for line in out if re.match(r"^\s+\d+  unanswered ", line)]
    assert groups[0][0] == "3" and "push" in groups[0] and groups[1][0] == "1"


@pytest.mark.skipif(EXE is None, reason="container-bot is not installed (pip install .)")
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_review_lists_what_to_teach_from_a_serve_log(fake, tmp_path, log_format):
    """A real `serve` writes the log: unanswered questions, votes on answers; `review` groups them, most
    frequent first, each with the examples.yaml edit to make."""
    from tests.fakes.process import Served, env_for

    served = Served(env_for(fake, PORT="0", LOG_FORMAT=log_format), "--http")
    try:
        port = served.wait_line(r"listening on http://[\d.]+:(\d+)").group(1)
        url = f"http://127.0.0.1:{port}/slack/events"
        bot = type("Bot", (), {"events": url})
        unanswered = ["how do i push an image to ecr", "how do I push images to ECR?", "how to push to ecr"]
        for text in [*unanswered, "where is the offsite this year"]:
            ok(send_event(url, event_envelope(message_event(text, channel=BOT_DM, channel_type="im"))))
        ok(send_event(url, event_envelope(mention_event("what about ecs cost"))))
        answers = fake.wait_for("chat.postMessage", count=5)
        # read as a definition: a wrong answer, which two people mark 👎
        (answer,) = [c for c in answers if c.params["text"].startswith("Amazon ECS (")]
        element = feedback_element(answer.params["blocks"])
        vote(bot, fake, element, "negative", user="U0000ANNA")
        vote(bot, fake, element, "negative", user="U0000BORIS")
        vote(bot, fake, element, "positive", user="U0000CARL")
        fake.wait_for("response_url", count=3)
        for _ in range(3):
            served.wait_line("answer feedback")
    finally:
        served.stop()
    log = tmp_path / "bot.log"
    log.write_text("".join(served.log))
    assert "U0000ANNA" not in log.read_text()  # votes are anonymous
    result = subprocess.run([EXE, "review", str(log)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert lines[0] == ("4 unanswered questions in 2 groups; 2 down-voted answers in 1 group; 1 up-vote"), out
    groups = [line.split("  ") for line in lines if line[:7].strip().isdigit()]
    counts = [(line.split()[0], line.split()[1]) for line in lines if line[:7].strip().isdigit()]
    assert counts == [("3", "unanswered"), ("2", "down-voted"), ("1", "unanswered")], out
    assert len(groups) == 3
    first = out.split("\n\n")[1]
    assert "how do i push an image to ecr" in first and "(+2 similar)" in first
    assert "about ecr" in first and "- kind: " in first and "topics: [ecr]" in first
    assert '- "how do i push an image to ecr"' in first
    down = out.split("\n\n")[2]
    assert "what about ecs cost" in down and "answered as a definition" in down
    assert "probably asking for an attribute about ecs" in down and "- kind: attribute" in down
    # the old name still works
    alias = subprocess.run([EXE, "unanswered", str(log)], capture_output=True, text=True, timeout=60)
    assert alias.returncode == 0 and alias.stdout == out


# ------------------------------------------------------------------------ what a log may hold (round 3)


def review(log, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    import time

    started = time.monotonic()
    result = subprocess.run([EXE, "review", str(log)], capture_output=True, text=True, timeout=timeout)
    return result, time.monotonic() - started


def unanswered(question: str) -> str:
    return json.dumps({"message": "unanswered question", "question": question})


@needs_command
def test_review_shows_control_characters_escaped_never_emitted(tmp_path):
    """A question logged from a DM may hold terminal escape sequences (retitle, clear the screen) and bidi
    overrides: the report shows them escaped, in its lines and in the examples.yaml edit."""
    log = tmp_path / "bot.log"
    hostile = "\x1b]0;owned\x07\x1b[2J what is ecs \x9b31m \u202eevil"
    log.write_text(
        "\n".join(
            [
                unanswered(hostile),
                "2026-11-29 01:00:00 INFO container_bot.unanswered: unanswered question "
                f"event_type=message.im question={json.dumps(hostile + ' again', ensure_ascii=False)}",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result, _ = review(log)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    emitted = {c for c in out if c != "\n" and (unicodedata.category(c) == "Cc" or c == "\u202e")}
    assert emitted == set(), emitted
    assert "\\x1b]0;owned\\x07\\x1b[2J what is ecs \\x9b31m \\u202eevil" in out


@needs_command
def test_review_skips_a_deeply_nested_json_line_with_a_note(tmp_path):
    log = tmp_path / "bot.log"
    nested = '{"message": "unanswered question", "question": "x", "extra": ' + "[" * 20000 + "]" * 20000 + "}"
    log.write_text("\n".join([unanswered("how do i push to ecr"), nested]) + "\n", encoding="utf-8")
    result, _ = review(log)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.startswith("1 unanswered question in 1 group;")
    assert f"{log}:2: skipped" in result.stderr


@needs_command
def test_review_reads_a_pathological_text_line_in_linear_time(tmp_path):
    """One 32 KB line built to make a backtracking parser take cubic time (it took 10 s, a 64 KB one 80 s):
    read in linear time, with the lines around it."""
    log = tmp_path / "bot.log"
    pathological = 'unanswered question question="a ' * 1000
    log.write_text(
        "\n".join([unanswered("what is app runner"), pathological, unanswered("what is lambda")]) + "\n"
    )
    result, seconds = review(log)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 unanswered questions in 2 groups;")
    assert seconds < 5, seconds


@needs_command
@pytest.mark.skipif(sys.platform != "linux", reason="measures the child's peak memory with getrusage")
def test_review_caps_long_lines_and_its_memory(tmp_path):
    """A 100 MB line is skipped with a note, read in pieces: the review's peak memory is what it is with a
    small log (it used to hold the line whole, and copies of it: +228 MB)."""
    small, huge = tmp_path / "small.log", tmp_path / "huge.log"
    small.write_text(unanswered("what is app runner") + "\n")
    with open(huge, "w") as handle:
        handle.write(unanswered("what is app runner") + "\n")
        handle.truncate(100 * 1024 * 1024)  # sparse: one 100 MB line of NULs, with no newline
    measure = (
        "import resource, subprocess, sys; "
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "print(r.stderr, file=sys.stderr)"
    )
    peaks = {}
    for log in (small, huge):
        result = subprocess.run(
            [sys.executable, "-c", measure, EXE, "review", str(log)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        code, peak_kb = result.stdout.split()
        assert code == "0", result.stderr
        peaks[log.name] = int(peak_kb) / 1024
    assert peaks["huge.log"] - peaks["small.log"] < 50, peaks
    assert f"{huge}:2: skipped" in result.stderr


@needs_command
def test_review_groups_100000_questions_in_under_10_seconds(tmp_path):
    """Grouping compares a question only with the groups it shares a word (or, in CJK text, a character
    pair) with, so 100,000 questions, nearly all different, group in seconds (4,000 took 12-21 s, 8,000
    47-52 s), and the ones asked again in other words still group together."""
    import random

    rng = random.Random(12)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rng.choices(letters, k=rng.randint(4, 8))) for _ in range(5000)]
    asked = ["how do i rotate ecr credentials in github actions", "can fargate mount an efs volume"]
    lines = []
    for i in range(100_000):
        if i % 1000 == 0:  # asked again, a little differently each time
            base = asked[(i // 1000) % 2]
            lines.append(unanswered(base + rng.choice(["", "?", " please", " again"])))
        elif i % 7 == 0:  # CJK, no spaces
            lines.append(unanswered("".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(12))))
        else:
            lines.append(unanswered(" ".join(rng.choices(vocabulary, k=rng.randint(4, 9)))))
    log = tmp_path / "bot.log"
    log.write_text("\n".join(lines) + "\n")
    result, seconds = review(log)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("100000 unanswered questions in ")
    assert seconds < 10, seconds
    top = [line for line in result.stdout.splitlines() if re.match(r"^\s+\d+  unanswered ", line)][:2]
    assert all(line.split()[0] == "50" for line in top), top  # each asked question, in one group
