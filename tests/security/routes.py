"""Every endpoint of the suite, classified for the security walks, and the items they are walked with.

A route missing from ``ROUTES`` fails ``test_every_route_is_classified``: say which kind of
identifier it takes, so the CSRF walk and the access matrix cover it.
"""
import io
from dataclasses import dataclass, field

# endpoint → what its URL identifies:
#   paste / bookmark / wiki / user: an item (or its owner) of that kind, walked by the access matrix
#   own: an identifier only its owner may use (import runs, tokens)
#   list: a listing, feed or search that must never show others' private or unlisted items
#   none: no item (forms, static files, health)
ROUTES = {
    "core.home": "list", "core.healthz": "none", "core.new_wiki_page": "none", "core.search_page": "list",
    "core.profile": "user", "core.follow": "user", "core.unfollow": "user", "static": "none",
    "api.me": "none", "api.openapi_document": "none", "api.search_items": "list",
    "auth.account": "none", "auth.delete_account": "none", "auth.change_password": "none",
    "auth.login": "none", "auth.logout": "none", "auth.register": "none", "auth.create_token": "none",
    "auth.revoke_token": "own", "auth.users": "none", "auth.end_other_sessions": "none",
    "api_bookmarks.list_bookmarks": "list", "api_bookmarks.create_bookmark": "none",
    "api_bookmarks.get_bookmark": "bookmark", "api_bookmarks.update_bookmark": "bookmark",
    "api_bookmarks.delete_bookmark": "bookmark", "api_bookmarks.retry_bookmark": "bookmark",
    "api_bookmarks.list_tags": "list",
    "bookmarks.index": "list", "bookmarks.detail": "bookmark", "bookmarks.delete": "bookmark",
    "bookmarks.edit": "bookmark", "bookmarks.retry": "bookmark", "bookmarks.status": "bookmark",
    "bookmarks.add": "none", "bookmarks.bulk": "none", "bookmarks.export_html": "list",
    "bookmarks.export_json": "list", "bookmarks.import_file": "none", "bookmarks.import_progress": "own",
    "bookmarks.import_status": "own", "bookmarks.settings": "none", "bookmarks.static": "none",
    "bookmarks.tags": "list", "bookmarks.rename_tag": "none", "bookmarks.thumb": "none",
    "bookmarks_public.user_bookmarks": "list", "bookmarks_public.user_feed": "list",
    "bookmarks_public.tag_feed": "list",
    "api_pastes.create_paste": "none", "api_pastes.list_pastes": "list", "api_pastes.get_paste": "paste",
    "api_pastes.delete_paste": "paste", "api_pastes.update_paste": "paste", "api_pastes.raw": "paste",
    "pastebin.index": "none", "pastebin.view": "paste", "pastebin.delete": "paste", "pastebin.diff": "paste",
    "pastebin.download": "paste", "pastebin.edit": "paste", "pastebin.embed": "paste",
    "pastebin.fork": "paste", "pastebin.raw": "paste", "pastebin.mine": "list", "pastebin.recent": "list",
    "pastebin.feed": "list", "pastebin.static": "none",
    "api_wiki.list_pages": "list", "api_wiki.get_page": "wiki", "api_wiki.put_page": "wiki",
    "api_wiki.page_history": "wiki", "api_wiki.delete_page": "wiki", "api_wiki.restore_page": "wiki",
    "api_wiki.move_page": "wiki",
    "wiki.index": "wiki", "wiki.view": "wiki", "wiki.attachments": "wiki", "wiki.attachment": "wiki",
    "wiki.delete_attachment": "wiki", "wiki.restore_attachment": "wiki", "wiki.backlinks": "wiki", "wiki.delete": "wiki", "wiki.diff": "wiki",
    "wiki.edit": "wiki", "wiki.history": "wiki", "wiki.history_feed": "wiki", "wiki.protect": "wiki",
    "wiki.rename": "wiki", "wiki.raw": "wiki", "wiki.watch": "wiki", "wiki.watched": "list", "wiki.restore": "wiki", "wiki.revert": "wiki", "wiki.export": "list",
    "wiki.import_": "none", "wiki.import_progress": "own", "wiki.import_status": "own", "wiki.all_pages": "list", "wiki.recent": "list", "wiki.recent_feed": "list",
    "wiki.search_pages": "list", "wiki.static": "none",
}

MARK = "zanzibarquux"  # a word every seeded item carries, so searches find them
NETSCAPE = b"""<!DOCTYPE NETSCAPE-Bookmark-file-1>
<DL><p><DT><A HREF="http://127.0.0.1:9/imported" ADD_DATE="1700000000" PRIVATE="1">Imported one</A></DL>"""


@dataclass
class Seed:
    """alice's items: pastes and bookmarks by visibility, a wiki page with an attachment, an import, a token."""

    token: str
    pastes: dict = field(default_factory=dict)
    bookmarks: dict = field(default_factory=dict)
    wiki_title: str = "Zanzibar Notes"
    attachment: str = "notes.txt"
    import_run: int = 0
    token_id: int = 0

    def args(self, rule, visibility="private"):
        """URL arguments for ``rule`` pointing at alice's item of ``visibility``."""
        values = {"slug": self.pastes[visibility], "other": self.pastes["public"], "number": 1,
                  "bookmark_id": self.bookmarks.get(visibility, self.bookmarks["private"]),
                  "title": self.wiki_title, "name": self.attachment if "attachments" in rule.rule else "alice",
                  "tag": MARK, "run_id": self.import_run, "token_id": self.token_id, "filename": "suite.css"}
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.endpoint}: no test value for URL argument(s) {missing}; add them to Seed.args"
        return {name: values[name] for name in rule.arguments}


def bearer(token):
    """Headers of a token-authenticated request."""
    return {"Authorization": f"Bearer {token}"}


def seed_alice(app, alice_client, token):
    """Create alice's items through the API and forms; returns a ``Seed``."""
    seed = Seed(token=token)
    api = app.test_client()
    for visibility in ("public", "unlisted", "private"):
        resp = api.post("/api/v1/pastes", headers=bearer(token),
                        json={"title": f"{MARK} {visibility} paste", "visibility": visibility,
                              "content": f"{MARK} {visibility}-paste-body\n"})
        assert resp.status_code == 201, resp.json
        seed.pastes[visibility] = resp.json["slug"]
    for visibility in ("public", "private"):
        resp = api.post("/api/v1/bookmarks", headers=bearer(token),
                        json={"url": f"http://127.0.0.1:9/{visibility}-{MARK}", "title": f"{MARK} {visibility} bookmark",
                              "tags": [MARK], "private": visibility == "private"})
        assert resp.status_code == 201, resp.json
        seed.bookmarks[visibility] = resp.json["id"]
    resp = api.put(f"/api/v1/wiki/{seed.wiki_title}", headers=bearer(token),
                   json={"content": f"{MARK} wiki body", "base_revision": 0})
    assert resp.status_code == 201, resp.json
    resp = alice_client.post(f"/wiki/{seed.wiki_title}/attachments",
                             data={"file": (io.BytesIO(b"hello"), seed.attachment)},
                             content_type="multipart/form-data")
    assert resp.status_code in (302, 303), resp.status_code
    resp = alice_client.post("/bookmarks/import", data={"file": (io.BytesIO(NETSCAPE), "b.html")},
                             content_type="multipart/form-data")
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)[:500]
    seed.import_run = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    from suite.auth.models import ApiToken
    with app.app_context():
        seed.token_id = ApiToken.select().order_by(ApiToken.id.desc()).get().id
    return seed


def row_counts(app):
    """{table: rows} of every table: proof that a refused request wrote nothing."""
    from suite.extensions import db
    with app.app_context():
        counts = {t: db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in db.get_tables()}
        db.close()
    return counts


def rules(app, methods):
    """The app's URL rules accepting any of ``methods``."""
    return [r for r in app.url_map.iter_rules() if r.methods & set(methods)]


def path_for(app, endpoint, **args):
    """The path of ``endpoint`` with ``args`` (outside a request)."""
    return app.url_map.bind("localhost").build(endpoint, args)


def api_writes(app, seed):
    """``(method, path)`` of every API write, pointing at alice's public items."""
    from suite.security import UNSAFE
    for rule in rules(app, UNSAFE):
        if rule.rule.startswith("/api/"):
            path = path_for(app, rule.endpoint, **seed.args(rule, "public"))
            yield from ((method, path) for method in sorted(rule.methods & UNSAFE))
