"""Every page an answer can cite has a title in the knowledge: answers name pages by title, never by URL."""

from dataclasses import replace

from bot.knowledge.pages import untitled


def test_every_cited_page_has_a_title(knowledge):
    assert untitled(knowledge) == []
    cited = {url for dated in knowledge.dated for url in dated.cites if url.startswith("https://")}
    assert cited and all(knowledge.title_of(url) for url in cited)


def test_a_cited_page_without_a_title_is_a_file_line_error(knowledge):
    url = "https://docs.aws.amazon.com/eks/latest/userguide/what-is-eks.html"
    without = replace(knowledge, pages={u: t for u, t in knowledge.pages.items() if u != url})
    problems = untitled(without)
    assert len(problems) == 1
    file, line, message = problems[0]
    assert file.endswith("knowledge.yaml") and line > 0 and url in message and "pages:" in message
