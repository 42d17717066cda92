"""Style and shape, held by the suite so CI holds them: ruff (check + format, line length 110), mypy clean on
bot/, no module over 450 lines, no import cycle, and no function ranked E or F by radon."""

import ast
import subprocess
import sys

import pytest

from tests.helpers import ROOT

MAX_MODULE_LINES = 450


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["check", "format"])
def test_ruff(args):
    result = run("ruff", *args)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_no_error_in_bot():
    result = run("mypy")  # files and options from pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_function_is_ranked_e_or_f_by_radon():
    result = run("radon", "cc", "--min", "E", "-s", "bot")
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


def modules() -> dict[str, object]:
    out = {}
    for path in (ROOT / "bot").rglob("*.py"):
        name = ".".join(path.with_suffix("").relative_to(ROOT).parts).removesuffix(".__init__")
        out[name] = path
    return out


def test_no_module_is_longer_than_450_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in modules().values()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def imports_of(name: str, path) -> set[str]:
    known = modules()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in known else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in known and m != name}


def test_no_two_modules_of_bot_import_each_other_even_through_others():
    graph = {name: imports_of(name, path) for name, path in modules().items()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []
