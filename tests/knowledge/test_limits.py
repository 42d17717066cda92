"""A hostile knowledge file (alias bombs, self-referencing aliases, deep nesting, too many values, huge
numbers, Python tags, 39 MB) is one FILE:LINE error in bounded time and memory, from `check` and from
`serve`; a few honest aliases still load."""

import re
import subprocess
import sys
import time

import pytest

from tests.fakes.process import installed_command
from tests.helpers import KNOWLEDGE, needs_command, write_knowledge

EXE = installed_command()


BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 8)
)


@needs_command
@pytest.mark.parametrize(
    "text, line, message",
    [
        (BOMB, 5, "expands to more than 50,000 values"),
        ("version: 1\ntopics: &t [ecs, *t]\n", 2, "an alias refers to the value that contains it"),
        (
            "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 60)),
            51,
            "nests more than 50",
        ),
        ("version: " + "[" * 60 + "]" * 60 + "\n", 1, "nested more than 50 levels deep"),
        ("filler:\n" + "  - w\n" * 60000, 49999, "more than 50,000 values"),
        ("version: " + "9" * 5000 + "\n", 1, "cannot read this value"),
        ("version: !!python/object:os.system echo\n", 1, "cannot read this value"),
    ],
    ids=["alias-bomb", "self-alias", "alias-chain", "deep", "many-values", "huge-int", "python-tag"],
)
def test_a_hostile_knowledge_file_is_a_file_line_error_not_a_crash(tmp_path, text, line, message):
    path = tmp_path / "knowledge.yaml"
    path.write_text(text)
    started = time.monotonic()
    result = subprocess.run([EXE, "check", str(path)], capture_output=True, text=True, timeout=20)
    assert result.returncode == 1 and time.monotonic() - started < 5
    assert f"{path}:{line}: " in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@needs_command
def test_a_39_mb_knowledge_file_is_refused_in_bounded_time_and_memory(tmp_path):
    path = tmp_path / "knowledge.yaml"
    with open(path, "w") as handle:
        handle.write("filler:\n")
        line = "  - " + "filler words " * 5 + "\n"
        handle.write(line * (39_000_000 // len(line)))
    # a fresh Python whose only child is the check: its children's peak RSS is the check's
    probe = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stderr.write(r.stderr); "
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", probe, EXE, "check", str(path)], capture_output=True, text=True, timeout=30
    )
    code, peak_kb = map(int, result.stdout.split())
    assert code == 1 and time.monotonic() - started < 5 and peak_kb < 100 * 1024
    assert f"{path}:1: the file is larger than 1 MiB" in result.stderr


@needs_command
def test_serve_refuses_an_alias_bomb_in_one_line(fake, tmp_path):
    from tests.fakes.process import env_for, run_serve

    path = tmp_path / "knowledge.yaml"
    path.write_text(BOMB)
    result, seconds = run_serve(env_for(fake, KNOWLEDGE_FILE=str(path)))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and seconds < 10
    assert "KNOWLEDGE_FILE is malformed" in lines[0] and f"{path}:5:" in lines[0]


@needs_command
def test_a_knowledge_file_using_a_few_aliases_still_loads(tmp_path):
    text = KNOWLEDGE.read_text(encoding="utf-8")
    sources = iter(range(3))  # the first `source: seed` line anchors the value, the next two alias it
    text = re.sub(
        r"^(\s+)source: seed$",
        lambda m: m.group(1) + ("source: &seed seed" if next(sources, 9) == 0 else "source: *seed"),
        text,
        count=3,
        flags=re.M,
    )
    assert text.count("*seed") == 2
    path = write_knowledge(tmp_path / "knowledge.yaml", text)
    result = subprocess.run([EXE, "check", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
