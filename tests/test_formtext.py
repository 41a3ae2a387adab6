"""Form text that is not UTF-8 gets a 400 naming the field, where it was stored changed (or dropped)."""
import pytest

from suite.pastebin.models import Paste
from tests.pastebin.conftest import slug_of

CURL = {"Accept": "*/*", "User-Agent": "curl/8.5.0"}


def multipart(*parts):
    """A multipart body as curl sends it; each part (name, bytes, content type or None)."""
    body = b""
    for name, data, ctype in parts:
        body += b'--XyZ\r\nContent-Disposition: form-data; name="' + name + b'"\r\n'
        body += (b"Content-Type: " + ctype + b"\r\n" if ctype else b"") + b"\r\n" + data + b"\r\n"
    return body + b"--XyZ--\r\n"


def post_multipart(client, *parts):
    return client.post("/paste/", data=multipart(*parts), content_type="multipart/form-data; boundary=XyZ",
                       headers=CURL, csrf=False)


def test_latin1_text_piped_to_curl_is_refused_not_stored_with_replacement_marks(client, app):
    """curl -F 'content=<-' URL < latin1.txt answered 201 and stored "caf\ufffd au lait"."""
    resp = post_multipart(client, (b"content", b"caf\xe9 au lait\n", None))
    assert resp.status_code == 400
    assert "'content' is not UTF-8" in resp.get_data(as_text=True)
    with app.app_context():
        assert Paste.select().count() == 0


def test_utf8_text_and_a_part_that_names_latin1_are_read_right(client, app):
    resp = post_multipart(client, (b"content", "café au lait\n".encode(), None),
                          (b"f:1", b"cr\xe8me br\xfbl\xe9e\n", b"text/plain; charset=iso-8859-1"))
    assert resp.status_code == 201
    with app.app_context():
        files = Paste.get(Paste.slug == slug_of(resp)).files
        assert [f.content for f in files] == ["café au lait\n", "crème brûlée\n"]


@pytest.mark.parametrize("body", [b"content=caf%E9", b"content=caf\xe9"], ids=["escaped", "raw"])
def test_a_urlencoded_body_that_is_not_utf8_is_refused(client, app, body):
    """Escaped, the byte was stored as the three characters %E9; raw, Werkzeug dropped the whole form."""
    resp = client.post("/paste/", data=body, content_type="application/x-www-form-urlencoded", headers=CURL,
                       csrf=False)
    assert resp.status_code == 400 and "'content' is not UTF-8" in resp.get_data(as_text=True)


def test_a_signed_in_form_that_is_not_utf8_changes_nothing(alice_client, app):
    """Every form of the suite, not only the pastebin's: the wiki page keeps its text."""
    assert alice_client.post("/wiki/Home/edit", data={"content": "Kept.", "base_revision": "0"}).status_code == 302
    token = alice_client.csrf_token().encode()
    for content in (b"Caf%E9", b"Caf%C3%A9"):
        resp = alice_client.post("/wiki/Home/edit", data=b"content=" + content + b"&base_revision=1&csrf_token=" + token,
                                 content_type="application/x-www-form-urlencoded")
        if content == b"Caf%E9":
            assert resp.status_code == 400 and "Kept." in alice_client.get("/wiki/Home").get_data(as_text=True)
    assert resp.status_code == 302 and "Café" in alice_client.get("/wiki/Home").get_data(as_text=True)


def test_curl_gets_the_refusal_as_one_line_and_a_browser_as_a_page(client):
    resp = post_multipart(client, (b"content", b"caf\xe9\n", None))
    assert resp.mimetype == "text/plain" and resp.get_data(as_text=True).count("\n") == 1
    resp = client.post("/paste/", data=multipart((b"content", b"caf\xe9\n", None)),
                       content_type="multipart/form-data; boundary=XyZ", headers={"Accept": "text/html"}, csrf=False)
    assert resp.status_code == 400 and resp.mimetype == "text/html"
