"""The renderer: Markdown extensions, wikilinks, pluggable [[kind:...]] embeds, sanitizing."""
from urllib.parse import unquote

import pytest

from suite.wiki.markup import render_page


def resolve(title):
    """Pages called Exists exist; everything else is missing."""
    path = "/wiki/" + title.replace(" ", "_")
    return (path, True) if title == "Exists" else (path + "/edit", False)


def html_of(source):
    return render_page(source, resolve).html


def test_render_page_returns_html_and_links():
    rendered = render_page("[[Exists]] [[Other page|x]] [[exists]]", resolve)
    assert 'class="wikilink"' in rendered.html and 'class="wikilink missing"' in rendered.html
    assert rendered.links == ["Exists", "Other page", "exists"]


def test_wikilink_with_section_links_to_the_id_its_heading_gets():
    assert 'href="/wiki/Exists#install"' in html_of("[[Exists#Install]]")
    assert 'href="/wiki/Exists#getting-started"' in html_of("[[Exists#Getting Started]]")
    assert '<h2 id="getting-started">' in html_of("## Getting Started")


@pytest.mark.parametrize("heading, encoded", [
    ("Установка", "%D1%83%D1%81%D1%82%D0%B0%D0%BD%D0%BE%D0%B2%D0%BA%D0%B0"),
    ("安装", "%E5%AE%89%E8%A3%85"),
    ("Café au lait", "caf%C3%A9-au-lait"),
])
def test_non_latin_headings_keep_their_letters_and_section_links_reach_them(heading, encoded):
    """A heading's id keeps its letters (not _1, _2); [[Page#Heading]] links there, percent-encoded."""
    heading_id = unquote(encoded)
    assert f'<h2 id="{heading_id}">' in html_of(f"## {heading}\n\ntext")
    assert f'href="/wiki/Exists#{encoded}"' in html_of(f"[[Exists#{heading}]]")


def test_invalid_wikilink_target_stays_text():
    assert "[[../etc]]" in html_of("[[../etc]]")


@pytest.mark.parametrize("source, title", [
    ("[[/Child]]", "Team/Docs/Child"),              # a subpage of this page, as in MediaWiki
    ("[[/Child/Grandchild]]", "Team/Docs/Child/Grandchild"),
    ("[[../Sibling]]", "Team/Sibling"),             # one of its parent's
    ("[[../../Top]]", "Team/Top"),                   # from Team/Docs/Intro below: one more step up
    ("[[..]]", "Team"),                             # the parent itself
    ("[[/Child|the child]]", "Team/Docs/Child"),
    ("[[/Child#Setup]]", "Team/Docs/Child"),
])
def test_relative_wikilinks_start_from_the_page_they_are_on(source, title):
    rendered = render_page(source, resolve, page_title="Team/Docs/Intro" if "../.." in source else "Team/Docs")
    assert rendered.links == [title]
    assert f'href="/wiki/{title}/edit"' in rendered.html


def test_a_relative_wikilink_reads_as_written_or_without_its_slashes():
    assert ">/Child</a>" in render_page("[[/Child]]", resolve, page_title="Docs").html
    assert ">Child</a>" in render_page("[[/Child/]]", resolve, page_title="Docs").html  # MediaWiki's short form


@pytest.mark.parametrize("source, page", [("[[../Above]]", "Docs"), ("[[../../Far/Above]]", "Team/Docs")])
def test_a_relative_wikilink_climbing_above_the_top_page_stays_text(source, page):
    rendered = render_page(source, resolve, page_title=page)
    assert rendered.links == [] and source in rendered.html


def test_a_section_link_goes_to_a_heading_of_the_same_page():
    rendered = render_page("## Getting Started\n\nSee [[#Getting Started]] or [[#Getting Started|above]].",
                           resolve, page_title="Docs")
    assert rendered.html.count('<a class="wikilink" href="#getting-started">') == 2
    assert ">above</a>" in rendered.html and rendered.links == []


def test_unknown_prefix_stays_plain_text():
    assert "[[paste:abc123]]" in html_of("[[paste:abc123]]")


def test_embed_callback_renders_known_prefixes_sanitized():
    def embed(prefix, argument):
        return f'<span class="embed">{argument}<script>x</script></span>' if prefix == "demo" else None
    html = render_page("[[demo:42]] [[other:1]]", resolve, embed=embed).html
    assert '<span class="embed">42</span>' in html  # and still sanitized
    assert "[[other:1]]" in html


def test_tables_with_alignment_use_attributes_not_styles():
    html = html_of("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert '<th align="left">a</th>' in html and "style=" not in html


def test_fenced_code_is_highlighted_with_classes():
    html = html_of("```python\ndef f():\n    return 1\n```\n")
    assert '<div class="highlight">' in html and '<span class="k">def</span>' in html
    assert "style=" not in html


def test_toc_marker_and_side_toc():
    rendered = render_page("[TOC]\n\n# One\n\n## Two\n", resolve)
    assert '<div class="toc">' in rendered.html
    assert 'href="#two"' in rendered.toc


def test_footnotes():
    html = html_of("Text[^n]\n\n[^n]: The note.\n")
    assert 'class="footnote-ref"' in html and "The note." in html


def test_admonition():
    html = html_of('!!! warning "Mind the gap"\n    Careful.\n')
    assert '<div class="admonition warning">' in html and "Mind the gap" in html


@pytest.mark.parametrize(("source", "checked"), [("- [ ] todo\n", False), ("- [x] done\n", True)])
def test_task_lists(source, checked):
    html = html_of(source)
    assert '<li class="task"><input' in html and 'type="checkbox"' in html
    assert ("checked" in html) is checked


def test_bare_image_name_points_to_attachment():
    html = render_page("![cat](cat.png) ![ext](https://example.com/x.png)", resolve,
                       lambda name: "/wiki/P/attachments/" + name).html
    assert 'src="/wiki/P/attachments/cat.png"' in html
    assert 'src="https://example.com/x.png"' in html


def test_raw_link_with_target_blank_keeps_no_opener_hole():
    html = html_of('<a href="https://evil.example" target="_blank">x</a>')
    assert "target=" not in html and 'rel="nofollow noopener"' in html
