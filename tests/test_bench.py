"""The benchmarks are not tests, but their quick runs are, so they cannot rot: bench/run.py --quick without
pytest, and a small bench/load.py run."""

import json
import subprocess
import sys

import pytest

from tests.fakes.process import installed_command
from tests.helpers import ROOT

# `pip install .` brings no pytest: run the benchmark with pytest made unimportable, as it is there.
WITHOUT_PYTEST = (
    "import runpy, sys; sys.modules['pytest'] = None; sys.argv = sys.argv[1:]; "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)


def test_quick_benchmark_runs_without_pytest_and_writes_its_table(tmp_path):
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_PYTEST, str(ROOT / "bench/run.py"), "--quick", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # not the checkout: the script finds its own way to the package and the data
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Accuracy" in result.stdout and "Targets" in result.stdout
    figures = json.loads(out.read_text())
    assert set(figures["accuracy"]) == {"ours", "A: difflib FAQ", "B: rapidfuzz extractOne FAQ"}
    assert figures["scaling"][1]["factor"] == 10
    assert figures["memory"]["replies"] == figures["memory"]["requests"]  # the load part ran too


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
