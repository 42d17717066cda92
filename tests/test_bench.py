"""The benchmark is not a test, but its quick run is, so it cannot rot."""

import json
import subprocess
import sys

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
