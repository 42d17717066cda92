"""The documentation stays usable: a short README whose links stay inside the repository, links in docs/ that
resolve, module paths that exist, and the layering docs/architecture.md describes."""

import ast
import re
from pathlib import Path

import pytest

from tests.helpers import ROOT

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")  # [text](target) and ![alt](target)
AUTOLINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^>\s]+)>", re.IGNORECASE)  # <https://...>
BARE_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
PATH = re.compile(r"(?<![\w/.-])((?:bot|bench|tests)/[\w/]+\.py)\b")


def prose(text: str) -> str:
    """The text outside code: fenced blocks and inline code are examples, not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def links(page: Path) -> list[str]:
    text = prose(page.read_text(encoding="utf-8"))
    return LINK.findall(text) + AUTOLINK.findall(text)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {slug(m.group(1).replace("`", "")) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M)}


def inside_repository(page: Path, target: str) -> Path | None:
    """The file a relative link points at, or None when it leaves the repository."""
    path = (page.parent / target).resolve()
    return path if path == ROOT or ROOT in path.parents else None


def test_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; move the detail into docs/"


def test_readme_links_stay_inside_the_repository():
    text = README.read_text(encoding="utf-8")
    outside = [
        target
        for target in links(README)
        if SCHEME.match(target) or inside_repository(README, target.split("#")[0]) is None
    ]
    outside += BARE_URL.findall(text)  # anywhere, code included: the README sends no one away
    assert outside == []


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_resolve(page):
    broken = []
    for target in links(page):
        if SCHEME.match(target):
            continue  # an external page (docs/ may cite AWS and Slack)
        path_part, _, anchor = target.partition("#")
        path = inside_repository(page, path_part) if path_part else page
        if path is None:
            broken.append(f"{target}: outside the repository")
        elif not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target}: no heading #{anchor} in {path.relative_to(ROOT)}")
    assert broken == []


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_module_paths_exist(page):
    named = set(PATH.findall(page.read_text(encoding="utf-8")))
    assert sorted(p for p in named if not (ROOT / p).is_file()) == []


def test_the_docs_name_the_modules_they_describe():
    """The architecture page names every module of bot/, so a new or moved one is documented."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = [p for p in (ROOT / "bot").rglob("*.py") if p.name != "__init__.py"]
    missing = [
        str(p.relative_to(ROOT))
        for p in modules
        if f"`{p.name}`" not in text
        and f"`{p.relative_to(ROOT)}`" not in text
        and str(p.relative_to(ROOT)) not in text
    ]
    assert missing == []


LAYERS = ("knowledge", "understanding", "answering", "slack")  # bottom to top: imports only go down


def _imports(path: Path) -> list[str]:
    """The bot modules a file imports, as dotted names."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.append(name)
            out += [f"{name}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
    return [n for n in out if n == "bot" or n.startswith("bot.")]


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_imports_only_go_down():
    upward = []
    for rank, layer in enumerate(LAYERS):
        for path in (ROOT / "bot" / layer).rglob("*.py"):
            for module in _imports(path):
                other = _layer(module)
                if other is not None and LAYERS.index(other) > rank:
                    upward.append(f"{path.relative_to(ROOT)} imports {module}")
    for leaf in ("settings.py", "logs.py"):
        upward += [f"bot/{leaf} imports {m}" for m in _imports(ROOT / "bot" / leaf) if m != "bot"]
    assert upward == []
