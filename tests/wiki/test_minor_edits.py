"""Minor edits, as in MediaWiki: marked by their author, shown with an "m", hidden on request."""
from suite.wiki.models import Revision


def test_a_minor_edit_is_marked_and_can_be_hidden_from_recent_changes(wiki, alice_client, client):
    wiki.save("Plans", "first draft", message="the plan")
    wiki.save("Plans", "first draft.", message="a full stop", minor="y")
    recent = client.get("/wiki/recent").get_data(as_text=True)
    assert recent.count('title="minor edit">m</abbr>') == 1 and "a full stop" in recent
    hidden = client.get("/wiki/recent?hide=minor").get_data(as_text=True)
    assert "a full stop" not in hidden and "the plan" in hidden and "Show minor edits" in hidden
    assert "a full stop" not in alice_client.get("/wiki/watchlist?hide=minor").get_data(as_text=True)
    assert 'title="minor edit">m</abbr>' in client.get("/wiki/Plans/history").get_data(as_text=True)


def test_a_new_page_is_never_a_minor_edit_and_its_form_does_not_offer_it(wiki, alice_client, app):
    assert "This is a minor edit" not in alice_client.get("/wiki/Fresh/edit").get_data(as_text=True)
    wiki.save("Fresh", "hello", minor="y")
    assert "This is a minor edit" in alice_client.get("/wiki/Fresh/edit").get_data(as_text=True)
    with app.app_context():
        assert [r.minor for r in Revision.select()] == [False]


def test_links_updated_by_a_rename_are_minor_edits(wiki, alice_client, app):
    wiki.save("Old", "x")
    wiki.save("Index", "See [[Old]].")
    alice_client.post("/wiki/Old/rename", data={"new_title": "New", "rewrite": "y"})
    with app.app_context():
        rewritten = Revision.get(Revision.message.startswith("Link updated"))
        assert rewritten.minor and not Revision.get(Revision.message.startswith("Renamed from")).minor


def test_the_api_saves_a_minor_edit(client, token):
    headers = {"Authorization": f"Bearer {token}"}
    client.put("/api/v1/wiki/Doc", json={"content": "one", "base_revision": 0}, headers=headers)
    client.put("/api/v1/wiki/Doc", json={"content": "one.", "base_revision": 1, "minor": True}, headers=headers)
    assert 'title="minor edit">m</abbr>' in client.get("/wiki/Doc/history").get_data(as_text=True)
