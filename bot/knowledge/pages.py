"""The titles of the pages answers cite: the `pages:` map of the knowledge file (URL -> title) and each
claim's `title` for its source. Answers name a page by its title ("Amazon EKS pricing"), never by its URL,
so every page a statement cites needs one (`container-bot check`); titles are read here, never fetched."""

from __future__ import annotations

from typing import Any

from .reader import line_of
from .schema import Checker

URL_PREFIX = "https://"


def pages_of(checker: Checker, raw: Any) -> dict[str, str]:
    """The `pages:` section: each key a page's https URL, each value its title as the page shows it."""
    if not isinstance(raw, dict):
        checker.error(line_of(raw), "pages must be a mapping of a page's URL to its title")
        return {}
    out: dict[str, str] = {}
    for url, title in raw.items():
        line = line_of(raw, url)
        if not isinstance(url, str) or not url.startswith(URL_PREFIX):
            checker.error(line, f"pages: '{url}' is not an https URL")
        elif not isinstance(title, str) or not title.strip():
            checker.error(line, f"pages: {url} needs its page's title")
        else:
            out[url] = " ".join(title.split())
    return out


def untitled(knowledge) -> list[tuple[str, int, str]]:
    """(file, line, message) for every page a statement cites that has no title: answers could not name it."""
    out = []
    seen: set[str] = set()
    for dated in knowledge.dated:
        for url in dated.cites:
            if not url.startswith(URL_PREFIX) or url in seen or knowledge.title_of(url):
                continue
            seen.add(url)
            out.append(
                (
                    dated.file or knowledge.path,
                    dated.line,
                    f"{dated.what} cites {url}, which has no title: add it under `pages:` in the knowledge "
                    "file (the title the page shows) so answers can name it",
                )
            )
    return out
