"""Atom feeds of recent changes and page history; full-text search of current page text."""
import xml.etree.ElementTree as ET

import pytest

from suite.wiki.models import Revision

ATOM = "{http://www.w3.org/2005/Atom}"


def test_recent_changes_feed_is_valid_atom(wiki, client):
    wiki.save("Alpha", "a", message="made <alpha>")
    resp = client.get("/wiki/recent.atom")
    assert resp.mimetype == "application/atom+xml"
    feed = ET.fromstring(resp.data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}summary").text == "made <alpha>"
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text == "alice"


def test_page_history_feed_lists_its_revisions(wiki, client):
    wiki.save("Alpha", "a")
    wiki.save("Alpha", "b", message="second")
    wiki.save("Beta", "c")
    feed = ET.fromstring(client.get("/wiki/Alpha/history.atom").data)
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert titles == ["Alpha (revision 2)", "Alpha (revision 1)"]


def test_search_finds_current_text(wiki, client):
    wiki.save("Gardening", "Tomatoes need sunshine")
    wiki.save("Cooking", "Pasta needs salt")
    html = client.get("/wiki/search?q=tomatoes").data
    assert b"Gardening" in html and b"Cooking" not in html
    assert b"<mark>" in html


def test_search_forgets_old_text(wiki, client):
    wiki.save("Gardening", "Tomatoes need sunshine")
    wiki.save("Gardening", "Cucumbers need water")
    assert b"Gardening" not in client.get("/wiki/search?q=tomatoes").data.split(b"<h1>")[1]


def test_deleted_pages_leave_search(wiki, alice_client, client):
    wiki.save("Gardening", "Tomatoes need sunshine")
    alice_client.post("/wiki/Gardening/delete", data={})
    assert b"No page matches" in client.get("/wiki/search?q=tomatoes").data


def test_renamed_page_is_found_under_new_title(wiki, alice_client, client):
    wiki.save("Gardening", "Tomatoes need sunshine")
    alice_client.post("/wiki/Gardening/rename", data={"new_title": "Garden"})
    html = client.get("/wiki/search?q=tomatoes").data
    assert b'href="/wiki/Garden"' in html


def test_odd_search_query_never_500(client):
    assert client.get('/wiki/search?q="unbalanced AND (').status_code == 200


@pytest.mark.parametrize("feed", ["/wiki/recent.atom", "/wiki/Alpha/history.atom"])
def test_control_characters_in_edit_summaries_are_dropped_and_feeds_stay_xml(wiki, client, app, feed):
    wiki.save("Alpha", "a", message="fix \x1b[1mbold\x1b[0m\x07 text\x0c")
    with app.app_context():
        assert Revision.get().message == "fix [1mbold[0m text"
    summary = ET.fromstring(client.get(feed).data).find(f"{ATOM}entry/{ATOM}summary")
    assert summary.text == "fix [1mbold[0m text"


def test_feed_stays_xml_for_summaries_saved_before_they_were_cleaned(wiki, client, app):
    wiki.save("Alpha", "a")
    with app.app_context():
        Revision.update(message="old \x1b[31mred\x1b[0m summary").execute()
    feed = ET.fromstring(client.get("/wiki/recent.atom").data)
    assert feed.find(f"{ATOM}entry/{ATOM}summary").text == "old [31mred[0m summary"
