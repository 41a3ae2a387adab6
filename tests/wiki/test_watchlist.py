"""Watchlists, as in MediaWiki: pages you edit are watched, a button watches or unwatches, and the
watchlist lists the changes to your pages only."""
import re


def watch_button(client, title):
    html = client.get(f"/wiki/{title}").get_data(as_text=True)
    found = re.search(r'name="watch" value="([01])">\s*<button[^>]*>([^<]+)</button>', html)
    return found and (found.group(1), found.group(2).strip())


def test_pages_you_edit_are_watched_and_their_changes_listed(wiki, bob_wiki, alice_client, client):
    wiki.save("Plans", "first")
    bob_wiki.save("Other", "not alice's")
    bob_wiki.save("Plans", "second", message="bob was here")
    assert watch_button(alice_client, "Plans") == ("0", "★ Watching")
    listing = alice_client.get("/wiki/watchlist").get_data(as_text=True)
    assert "bob was here" in listing and 'href="/wiki/Plans"' in listing and 'href="/wiki/Other"' not in listing
    assert watch_button(client, "Plans") is None  # nothing to watch with when signed out
    assert client.get("/wiki/watchlist").status_code in (302, 401)


def test_the_watch_button_adds_and_removes_a_page(wiki, bob_client, bob_wiki):
    wiki.save("Plans", "first")
    assert watch_button(bob_client, "Plans") == ("1", "☆ Watch")
    bob_client.post("/wiki/Plans/watch", data={"watch": "1"})
    bob_client.post("/wiki/Plans/watch", data={"watch": "1"})  # twice: still one entry
    assert watch_button(bob_client, "Plans") == ("0", "★ Watching")
    wiki.save("Plans", "second", message="alice again")
    listing = bob_client.get("/wiki/watchlist").get_data(as_text=True)
    assert "alice again" in listing and "You watch 1 page" in listing
    resp = bob_client.post("/wiki/Plans/watch", data={"watch": "0", "back": "watchlist"})
    assert resp.headers["Location"] == "/wiki/watchlist"
    assert "alice again" not in bob_client.get("/wiki/watchlist").get_data(as_text=True)


def test_a_watched_page_stays_watched_when_renamed(wiki, alice_client):
    wiki.save("Old name", "text")
    alice_client.post("/wiki/Old_name/rename", data={"new_title": "New name"})
    assert watch_button(alice_client, "New_name") == ("0", "★ Watching")
    listing = alice_client.get("/wiki/watchlist").get_data(as_text=True)
    assert 'href="/wiki/New_name"' in listing and "Renamed from Old name to New name" in listing


def test_watching_a_page_that_is_not_there_is_a_404(alice_client):
    assert alice_client.post("/wiki/Nowhere/watch", data={"watch": "1"}).status_code == 404
