"""Notes are Markdown: ordinary notes render as Python-Markdown renders them, and no note,
however odd (100,000 characters of brackets, unclosed tags, lists nested thousands deep),
keeps the detail page from answering."""
import random
import threading

import markdown
import nh3
import pytest

from suite.bookmarks.notes import render_notes

ORDINARY = [
    "Read *later*, **really**: [the docs](https://docs.python.org/3/ \"Python\") and <https://example.com>.",
    "![a chart](https://example.com/c.png)\n\nSee [the spec][spec].\n\n[spec]: https://example.com/spec",
    "- one [x](/a)\n- two `a[0]`\n\n1. first\n2. second",
    "```python\nitems[0] = [1, 2]\n```\n\n    indented [code](here)\n\n> quoted [link](/q)",
    "Intervals [0, 1) and [a, b], then [a link](https://e.com/p_(q)) and [ref] alone.",
    "<div>raw *html* block</div>\n\nand <b>inline</b> html, a < b > c.",
]


def python_markdown(text):
    """What notes rendered as before: Python-Markdown as it comes, then the same cleaning."""
    html = markdown.markdown(text, extensions=["fenced_code", "sane_lists"])
    return nh3.clean(html, link_rel="noopener noreferrer nofollow")


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_notes_render_as_python_markdown_renders_them(text):
    assert str(render_notes(text)) == python_markdown(text)


def test_any_short_mix_of_brackets_quotes_and_links_renders_as_before():
    pieces = list("[]()!  a\"'<>*\n`:\\x-1.") + ["http://e.com/", "[a]: /u\n", "![i](/p.png)", "[t](/u \"T\")",
                                                "\n\n", "    ", "```\n", "[^1]"]
    rng = random.Random(7)
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 80)))
        assert str(render_notes(text)) == python_markdown(text), repr(text)


def test_links_and_emphasis_still_render():
    html = str(render_notes("A *note* with [a link](https://example.com/) and ![pic](https://example.com/p.png)"))
    assert "<em>note</em>" in html
    assert '<a href="https://example.com/" rel="noopener noreferrer nofollow">a link</a>' in html
    assert '<img alt="pic" src="https://example.com/p.png">' in html


def _answers(client, path, seconds=60):
    """The response to GET ``path``; fails when none came in ``seconds`` (the worker is left to it)."""
    got = []
    worker = threading.Thread(target=lambda: got.append(client.get(path)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert got, f"GET {path} had not answered after {seconds} s"
    return got[0]


@pytest.mark.parametrize(("notes", "shown"), [
    ("[" * 100_000, "[" * 1000),
    ("![" * 50_000, "![" * 500),
    ("[a](" * 25_000, "[a](" * 250),
    ("[ [a](b) " * 11_000, '<a href="b" rel="noopener noreferrer nofollow">a</a>'),
    ("<a " * 33_000, "&lt;a &lt;a &lt;a"),
    ("  - " * 20_000, "  - " * 100),
], ids=["brackets", "image brackets", "open link targets", "open brackets between links", "unclosed tags",
        "lists nested 20,000 deep"])
def test_the_detail_page_answers_whatever_the_notes(alice_client, notes, shown):
    resp = alice_client.post("/bookmarks/add", data={"url": "https://example.com/", "title": "Odd notes",
                                                      "notes": notes, "is_private": "y"})
    assert resp.status_code == 302
    page = _answers(alice_client, resp.headers["Location"])
    assert page.status_code == 200 and shown in page.get_data(as_text=True)
