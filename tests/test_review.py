"""`container-bot review` (and its old name, `unanswered`): the maintainer's to-do list from a log, unanswered
questions and down-voted answers grouped, most frequent first."""

import json
import re
import subprocess

from tests.fakes.process import installed_command


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
