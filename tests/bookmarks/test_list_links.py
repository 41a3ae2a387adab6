"""The list page builds its many links from patterns made once per page, giving exactly url_for's text."""
import pytest
from flask import url_for

from suite.bookmarks.views import UrlPattern
from tests.bookmarks.conftest import add

AWKWARD = ["python", "c++", "a&b", "x=y", "50%", "naïve", "日本", "a/b", "q?", "#hash", "semi;colon", "it's",
           "(p)", "1987654321", "~tilde", "a b"]


@pytest.mark.parametrize("script_root", ["", "/suite"])
def test_patterns_give_url_fors_text(app, script_root):
    with app.test_request_context("/bookmarks/", environ_base={"SCRIPT_NAME": script_root}):
        for endpoint, arg in (("bookmarks.detail", "bookmark_id"), ("bookmarks.edit", "bookmark_id"),
                              ("bookmarks.status", "bookmark_id")):
            pattern = UrlPattern(endpoint, arg)
            for value in (1, 42, 2_099_999_999):
                assert pattern(value) == url_for(endpoint, **{arg: value})
        thumb = UrlPattern("bookmarks.thumb", "name")
        for value in ["0123456789abcdef0123456789abcdef-s.webp", *AWKWARD]:
            assert thumb(value) == url_for("bookmarks.thumb", name=value)
        domain = UrlPattern("bookmarks.index", "domain")
        for value in ["example.com", "xn--bcher-kva.example", "", *AWKWARD]:
            assert domain(value) == url_for("bookmarks.index", domain=value)
        for chosen in ([], ["python"], ["a&b", "日本"], ["1987654321"]):
            for view in ("grid", "list"):
                tag = UrlPattern("bookmarks.index", "tag", tag=list(chosen), view=view)
                for value in AWKWARD:
                    assert tag(value) == url_for("bookmarks.index", tag=[*chosen, value], view=view)


def test_list_page_links_point_where_they_did(alice_client, app):
    add(alice_client, "https://www.example.com/a?b=c", title="Awkward", tags="c++ a&b naïve")
    html = alice_client.get("/bookmarks/?tag=naïve&view=list").get_data(as_text=True)
    with app.test_request_context():
        from suite.bookmarks.models import Bookmark
        b = Bookmark.get()
        expected = [url_for("bookmarks.edit", bookmark_id=b.id), url_for("bookmarks.detail", bookmark_id=b.id),
                    url_for("bookmarks.index", domain="example.com"),
                    url_for("bookmarks.index", tag=["naïve", "c++"], view="list"),
                    url_for("bookmarks.index", tag=["naïve", "naïve"], view="list"),  # its own tags add to the filter
                    url_for("bookmarks.index", tag=["naïve"], view="list")]  # the sidebar's chosen tag stays chosen
    for href in expected:
        assert f'"{href.replace("&", "&amp;")}"' in html
    assert ">example.com</a>" in html
