"""ruff (check + format) at line length 110, as ../shared/STYLE.md asks; part of the suite so CI holds it."""

import shutil
import subprocess

import pytest

from tests.helpers import ROOT

RUFF = shutil.which("ruff")


@pytest.mark.skipif(RUFF is None, reason="ruff not installed (pip install '.[test]')")
@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["check", "format"])
def test_ruff(args):
    result = subprocess.run([RUFF, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
