"""The benchmark is not a test, but its quick run is, so it cannot rot."""

import json
import subprocess
import sys

from .conftest import ROOT


def test_quick_benchmark_runs_and_writes_its_table(tmp_path):
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench/run.py"), "--quick", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Accuracy" in result.stdout and "Targets" in result.stdout
    figures = json.loads(out.read_text())
    assert set(figures["accuracy"]) == {"ours", "A: difflib FAQ", "B: rapidfuzz extractOne FAQ"}
    assert figures["scaling"][1]["factor"] == 10
