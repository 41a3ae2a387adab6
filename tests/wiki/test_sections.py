"""Editing one section of a page, as in MediaWiki: the section's text alone in the editor, saved (and
merged with others' saves) as an edit of the whole page."""
import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.errors import InvalidInput
from suite.wiki.markup import render_page
from suite.wiki.sections import headings, replace_section, section_text

PAGE = """Intro line.

# Install

Get it.

## On Linux

apt install it

```
# not a heading: code
```

Setup
-----

Configure it.

# Use

Run it.
"""


def test_headings_are_read_as_markdown_reads_them():
    assert [(level, words) for _, level, words in headings(PAGE)] == [
        (1, "Install"), (2, "On Linux"), (2, "Setup"), (1, "Use")]


def test_a_fence_is_one_markdown_takes_as_a_fence():
    """A line starting with ``` and words after it is text to Python-Markdown: its heading is a section."""
    source = "# Alpha\n\n``` not a fence\n# Target\n```\n\n~~~ {.py}\n# code\n~~~\n\n```\n# unclosed\n"
    assert [words for _, _, words in headings(source)] == ["Alpha", "Target", "unclosed"]
    assert render_with_section_links(source).count('class="section-edit"') == 3


def test_a_section_holds_its_subsections_up_to_the_next_heading_of_its_level():
    assert section_text(PAGE, 1).startswith("# Install\n") and "## On Linux" in section_text(PAGE, 1)
    assert section_text(PAGE, 1).endswith("Configure it.\n")
    assert section_text(PAGE, 2) == "## On Linux\n\napt install it\n\n```\n# not a heading: code\n```\n"
    assert section_text(PAGE, 4) == "# Use\n\nRun it.\n"


def test_replacing_a_section_changes_it_alone():
    assert replace_section(PAGE, 2, "## On Linux\n\nsnap install it\n") == PAGE.replace("apt install it\n\n```\n"
                                                                                      "# not a heading: code\n```",
                                                                                      "snap install it")
    assert replace_section(PAGE, 3, "Setup\n-----\n\nNothing to do.") == PAGE.replace("Configure it.", "Nothing to do.")
    assert replace_section(PAGE, 4, "") == PAGE[:PAGE.index("# Use") - 1]  # emptied: the section is gone


@pytest.mark.parametrize("number", [0, 5, -1])
def test_a_section_the_page_does_not_have_is_refused(number):
    with pytest.raises(InvalidInput, match="no section"):
        section_text(PAGE, number)


LINES = st.sampled_from(["# A", "## B", "### C", "text", "", "```", "~~~", "T", "===", "---", "    # code", "#tag"])


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=25).map("\n".join))
def test_putting_back_each_sections_own_text_changes_nothing(text):
    for number in range(1, len(headings(text)) + 1):
        assert replace_section(text, number, section_text(text, number)) == text


def section_links(resp):
    return re.findall(r'<a class="section-edit" href="([^"]+)"', resp.get_data(as_text=True))


def test_each_heading_links_to_editing_its_section_for_those_who_may_edit(wiki, alice_client, client):
    wiki.save("Guide", PAGE)
    wiki.save("Guide", PAGE + "\nMore.\n")
    resp = alice_client.get("/wiki/Guide")
    assert section_links(resp) == [f"/wiki/Guide/edit?section={n}" for n in (1, 2, 3, 4)]
    assert "wiki-content sections-editable" in resp.get_data(as_text=True)
    assert "sections-editable" not in client.get("/wiki/Guide").get_data(as_text=True)  # anonymous: hidden
    assert "sections-editable" not in alice_client.get("/wiki/Guide?rev=1").get_data(as_text=True)


def test_a_page_whose_headings_cannot_be_told_apart_has_no_section_links(wiki, alice_client):
    wiki.save("Odd", "# One\n\n<div>\n# inside raw HTML, no heading\n</div>\n\n# Two\n")
    assert section_links(alice_client.get("/wiki/Odd")) == []


def test_editing_a_section_shows_it_alone_and_saves_the_whole_page(wiki, alice_client, app):
    wiki.save("Guide", PAGE)
    form = alice_client.get("/wiki/Guide/edit?section=4").get_data(as_text=True)
    assert "# Use\n\nRun it.\n</textarea>" in form and "# Install" not in form
    assert 'name="section" type="hidden" value="4"' in form and 'value="/* Use */"' in form
    resp = alice_client.post("/wiki/Guide/edit", data={"content": "# Use\r\n\r\nRun it twice.\r\n", "base_revision": 1,
                                                      "section": 4, "message": "/* Use */", "save": "Save"})
    assert resp.status_code == 302
    assert alice_client.get("/wiki/Guide/raw").get_data(as_text=True) == PAGE.replace("Run it.", "Run it twice.")


def test_two_people_editing_two_sections_both_keep_their_edit(wiki, bob_wiki, alice_client):
    wiki.save("Guide", PAGE)
    bob_wiki.client.post("/wiki/Guide/edit", data={"content": "# Install\n\nGet it now.\n", "base_revision": 1,
                                                   "section": 1, "save": "Save"})
    resp = alice_client.post("/wiki/Guide/edit", data={"content": "# Use\n\nRun it often.\n", "base_revision": 1,
                                                      "section": 4, "save": "Save"})
    assert resp.status_code == 302
    text = alice_client.get("/wiki/Guide/raw").get_data(as_text=True)
    assert text.startswith("Intro line.\n\n# Install\n\nGet it now.\n\n# Use") and "Run it often." in text


def test_a_section_edit_that_overlaps_another_shows_the_whole_page_to_resolve(wiki, bob_wiki, alice_client):
    wiki.save("Guide", PAGE)
    bob_wiki.save("Guide", PAGE.replace("Run it.", "Run it (bob)."), base=1)
    resp = alice_client.post("/wiki/Guide/edit", data={"content": "# Use\n\nRun it (alice).\n", "base_revision": 1,
                                                      "section": 4, "save": "Save"})
    assert resp.status_code == 409
    page = html.unescape(resp.get_data(as_text=True))
    editor = re.search(r'<textarea[^>]*name="content"[^>]*>\r?\n?(.*?)</textarea>', page, re.S).group(1)
    assert editor.startswith("Intro line.") and "<<<<<<< your text\nRun it (alice)." in editor
    assert 'name="section" type="hidden" value=""' in page  # saving again saves the whole page


def test_a_section_that_is_not_there_is_a_404_or_a_400(wiki, alice_client):
    wiki.save("Guide", PAGE)
    assert alice_client.get("/wiki/Guide/edit?section=9").status_code == 404
    resp = alice_client.post("/wiki/Guide/edit", data={"content": "# Nine\n", "base_revision": 1, "section": 9,
                                                      "save": "Save"})
    assert resp.status_code == 400 and "no section 9" in resp.get_data(as_text=True)
    assert alice_client.get("/wiki/Guide/raw").get_data(as_text=True) == PAGE  # nothing lost


def render_with_section_links(source):
    return render_page(source, lambda title: ("/wiki/" + title, True), page_title="Guide",
                       edit_url=lambda number: f"/wiki/Guide/edit?section={number}").html


def test_headings_with_formatting_and_links_get_their_section_links():
    shown = render_with_section_links("## *Install* [[Setup|now]] `pip`\n\ntext\n\n### Then &amp; after\n")
    assert shown.count('class="section-edit"') == 2


BLOCKS = LINES | st.sampled_from(["> # quoted", "- # listed", "<div>", "</div>", "!!! note", "    body", "***",
                                  "1. x", "[TOC]", "  # two", "\t# tab", "Term", ": def"])
LINKED = re.compile(r'<h([1-6]) id="[^"]*">((?:(?!</h).)*?)<a class="headerlink"[^>]*>¶</a>'
                    r'<a class="section-edit" href="/wiki/Guide/edit\?section=(\d+)"')


@settings(max_examples=300, deadline=None)
@given(st.lists(BLOCKS, min_size=1, max_size=14).map("\n".join))
def test_a_section_link_always_edits_the_section_its_heading_starts(source):
    linked = [(int(level), html.unescape(re.sub("<[^>]+>", "", words)).strip(), int(number))
              for level, words, number in LINKED.findall(render_with_section_links(source))]
    if linked:  # (a page read otherwise than sections.headings reads it shows none)
        assert [(level, re.sub("<[^>]+>", "", words).strip(), number)
                for number, (_, level, words) in enumerate(headings(source), 1)] == linked


def test_a_section_saved_after_its_page_was_renamed_goes_to_the_page_it_came_from(wiki, alice_client, bob_wiki,
                                                                                 bob_client):
    """The section was spliced into the revision of whatever page now had the old title (here bob's own
    page, left where a redirect was) and that text was saved over the renamed page."""
    wiki.save("Doc", "# Intro\n\nguide intro\n\n# Usage\n\nguide usage\n")
    form = alice_client.get("/wiki/Doc/edit?section=2").get_data(as_text=True)
    hidden = dict(re.findall(r'name="(base_revision|page_id|base_hash)" type="hidden" value="(\w*)"', form))
    bob_client.post("/wiki/Doc/rename", data={"new_title": "Guide"})
    bob_wiki.save("Doc", "# Secret\n\nbob's own page\n")
    bob_wiki.save("Doc", "# Secret\n\nbob's own page\n\n# More\n\nstill his\n")
    resp = alice_client.post("/wiki/Doc/edit", data={**hidden, "section": 2, "save": "Save",
                                                    "content": "# Usage\n\nguide usage, edited\n"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/wiki/Guide"
    assert alice_client.get("/wiki/Guide/raw").get_data(as_text=True) == (
        "# Intro\n\nguide intro\n\n# Usage\n\nguide usage, edited\n")
    assert "still his" in alice_client.get("/wiki/Doc/raw").get_data(as_text=True)


def test_the_apis_html_has_no_section_edit_links(wiki, client):
    wiki.save("Guide", PAGE)
    assert 'class="section-edit"' in client.get("/wiki/Guide").get_data(as_text=True)  # hidden by the stylesheet
    html = client.get("/api/v1/wiki/Guide").json["html"]
    assert "<h1" in html and "section-edit" not in html
