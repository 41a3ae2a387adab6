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


def test_a_page_called_watchlist_from_before_is_spelled_with_a_capital_and_reached_again(wiki, app, client):
    """Titles from before were stored as typed: a page "watchlist" was then at /wiki/watchlist, now the
    watchlist's address, and its links led there (migration 0034)."""
    from suite.database import migration_runner
    from suite.extensions import db
    from suite.wiki.models import Page
    wiki.save("Watchlist", "Things we keep an eye on.")
    wiki.save("Team/Move", "How we move offices.")
    with app.app_context(), db.connection_context():
        runner = migration_runner()
        runner.down(target="0033_wiki_minor_edits")
        Page.update(title="watchlist").where(Page.key == "watchlist").execute()  # as the old rules kept it
        Page.update(title="Team/move").where(Page.key == "team/move").execute()
        runner.up()
        assert sorted(p.title for p in Page.select()) == ["Team/Move", "Watchlist"]
    assert "Things we keep an eye on." in client.get("/wiki/Watchlist").get_data(as_text=True)
    assert "How we move offices." in client.get("/wiki/Team/Move").get_data(as_text=True)


def test_pages_edited_over_the_api_are_watched_too(client, token, alice_client):
    client.put("/api/v1/wiki/Via_API", json={"content": "x", "base_revision": 0},
               headers={"Authorization": f"Bearer {token}"})
    assert watch_button(alice_client, "Via_API") == ("0", "★ Watching")
