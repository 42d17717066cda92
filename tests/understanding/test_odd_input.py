"""Odd input (empty, emoji, control and invisible characters, other scripts, 40,000 characters) gets help or
an honest fallback, fast; past the input cap nothing is read."""

import time

import pytest

from bot.understanding.normalise import MAX_INPUT_CHARS


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("", {"help"}),
        ("   \n\t  ", {"help"}),
        (":tada: :rocket:", {"help", "fallback"}),
        ("🚀🔥", {"help"}),
        ("\x00\x07what is ecs\x1b", {"definition"}),
        ("\u202eecs vs eks\u202c", {"comparison"}),
        ("e\u200bcs vs e\u200dks", {"comparison"}),
        ("что такое ECS?", {"fallback", "definition"}),
        ("ECSとEKSの違いは？", {"comparison"}),  # Japanese is read: "the difference between ECS and EKS?"
        ("ecs " * 20000, {"fallback", "definition", "recommendation", "comparison"}),
        ("a" * 40000, {"fallback"}),
    ],
)
def test_odd_input_gets_help_or_fallback_fast(engine, text, kinds):
    start = time.perf_counter()
    answer = engine.ask(text)
    assert answer.kind in kinds and time.perf_counter() - start < 0.5
    assert answer.to_json()["text"]


def test_work_is_capped_for_long_input(engine):
    long_tail = "what is ecs " + "x" * (MAX_INPUT_CHARS * 10) + " vs eks"
    assert engine.ask(long_tail).kind == "definition"  # everything past the cap is never read
