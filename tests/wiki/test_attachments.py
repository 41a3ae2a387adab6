"""Attachments: upload, verify and thumbnail images, refuse bombs and fakes, serve safely."""
import io
import os
import struct
import zlib

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from suite.errors import Conflict
from suite.wiki.attachments import save_attachment
from suite.wiki.models import Attachment, AttachmentVersion
from suite.wiki.pages import get_page
from tests.bookmarks.conftest import at_the_same_moment


def png_bytes(size=(64, 48), color=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def bomb_png(width=100_000, height=100_000):
    """A tiny PNG whose header claims a gigantic image."""
    data = bytearray(png_bytes((1, 1)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def upload(client, name, data, title="Gallery"):
    return client.post(f"/wiki/{title}/attachments", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.fixture
def gallery(wiki):
    wiki.save("Gallery", "![cat](cat.png)")
    return "Gallery"


def test_image_upload_is_verified_thumbnailed_and_embedded(gallery, alice_client, client, app):
    assert upload(alice_client, "cat.png", png_bytes()).status_code == 302
    with app.app_context():
        found = Attachment.get(Attachment.name == "cat.png")
        assert (found.width, found.height, found.is_image) == (64, 48, True)
    resp = client.get("/wiki/Gallery/attachments/cat.png")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert "attachment" not in resp.headers.get("Content-Disposition", "")
    thumb = client.get("/wiki/Gallery/attachments/cat.png?thumb=1")
    assert Image.open(io.BytesIO(thumb.data)).size[0] <= 320
    assert b'src="/wiki/Gallery/attachments/cat.png"' in client.get("/wiki/Gallery").data


def test_decompression_bomb_is_refused(gallery, alice_client, app):
    resp = upload(alice_client, "bomb.png", bomb_png())
    assert resp.status_code == 400
    assert b"megapixels" in resp.data or b"decompression" in resp.data
    with app.app_context():
        assert Attachment.select().count() == 0


def test_fake_image_is_refused(gallery, alice_client):
    resp = upload(alice_client, "fake.png", b"<html><script>alert(1)</script></html>")
    assert resp.status_code == 400
    assert b"not a valid PNG image" in resp.data


def test_image_with_wrong_extension_is_refused(gallery, alice_client):
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "GIF")
    assert upload(alice_client, "really.png", out.getvalue()).status_code == 400


def test_disallowed_type_is_refused(gallery, alice_client):
    resp = upload(alice_client, "run.exe", b"MZ...")
    assert resp.status_code == 400
    assert b"cannot be attached" in resp.data


def test_too_large_file_is_413(make_app):
    from tests.wiki.conftest import WikiActions
    from tests.wiki.test_permissions import signed_in
    app = make_app(ATTACHMENT_MAX_BYTES=1000)
    client = signed_in(app, "writer")
    WikiActions(client).save("Gallery", "x")
    resp = upload(client, "notes.txt", b"x" * 2000)
    assert resp.status_code == 413


@pytest.mark.parametrize(("name", "body"), [
    ("evil.html", b"<script>alert(document.cookie)</script>"),
    ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
])
def test_html_and_svg_are_served_as_sandboxed_downloads(gallery, alice_client, client, name, body):
    assert upload(alice_client, name, body).status_code == 302
    resp = client.get(f"/wiki/Gallery/attachments/{name}")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert resp.mimetype == "application/octet-stream"
    assert "sandbox" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_path_in_filename_is_stripped(gallery, alice_client, app):
    upload(alice_client, "../../etc/passwd.txt", b"hello")
    with app.app_context():
        assert Attachment.get().name == "passwd.txt"


@pytest.mark.parametrize("sent, kept", [("हिन्दी.pdf", "हिन्दी.pdf"), ("ภาษาที่.txt", "ภาษาที่.txt"),
                                        ("cafe\u0301 menu.txt", "caf\u00e9_menu.txt"), ("a<b>?.txt", "a_b_.txt")])
def test_a_file_name_keeps_every_script_its_vowel_signs_and_accents(gallery, alice_client, app, sent, kept):
    assert upload(alice_client, sent, b"%PDF-1.4\n").status_code == 302
    with app.app_context():
        assert Attachment.get().name == kept


def test_a_long_file_name_is_cut_in_its_stem_and_keeps_its_extension(gallery, alice_client, app):
    assert upload(alice_client, "minutes-of-the-meeting-" * 6 + "final.pdf", b"%PDF-1.4\n").status_code == 302
    with app.app_context():
        name = Attachment.get().name
    assert len(name) == 120 and name.endswith(".pdf") and name.startswith("minutes-of-the-meeting")


def test_reupload_replaces_file(gallery, alice_client, client):
    upload(alice_client, "notes.txt", b"one")
    upload(alice_client, "notes.txt", b"two")
    assert client.get("/wiki/Gallery/attachments/notes.txt").data == b"two"


def test_anonymous_upload_is_sent_to_sign_in(gallery, client, app):
    resp = upload(client, "cat.png", png_bytes())
    assert resp.status_code in (302, 400)
    with app.app_context():
        assert Attachment.select().count() == 0


def test_delete_attachment(gallery, alice_client, client):
    upload(alice_client, "notes.txt", b"one")
    assert alice_client.post("/wiki/Gallery/attachments/notes.txt/delete", data={}).status_code == 302
    assert client.get("/wiki/Gallery/attachments/notes.txt").status_code == 404


def test_renaming_a_page_back_over_its_redirect_takes_the_files_attached_there(wiki, alice_client, app):
    wiki.save("Alpha", "alpha text")
    alice_client.post("/wiki/Alpha/rename", data={"new_title": "Beta"})
    assert upload(alice_client, "report.txt", b"quarterly numbers", title="Alpha").status_code == 302
    assert upload(alice_client, "notes.txt", b"the page's own", title="Beta").status_code == 302
    assert alice_client.post("/wiki/Beta/rename", data={"new_title": "Alpha"}).status_code == 302
    assert alice_client.get("/wiki/Alpha/attachments/report.txt").data == b"quarterly numbers"
    assert alice_client.get("/wiki/Alpha/attachments/notes.txt").data == b"the page's own"
    with app.app_context():
        assert Attachment.select().count() == 2


def test_renaming_back_is_refused_when_both_titles_have_a_file_of_the_same_name(wiki, alice_client, app):
    wiki.save("Alpha", "alpha text")
    alice_client.post("/wiki/Alpha/rename", data={"new_title": "Beta"})
    upload(alice_client, "report.txt", b"attached at the redirect", title="Alpha")
    upload(alice_client, "report.txt", b"attached to the page", title="Beta")
    resp = alice_client.post("/wiki/Beta/rename", data={"new_title": "Alpha"})
    assert resp.status_code == 409 and "also has (report.txt)".encode() in resp.data
    assert alice_client.get("/wiki/Alpha/attachments/report.txt").data == b"attached at the redirect"
    assert alice_client.get("/wiki/Beta/attachments/report.txt").data == b"attached to the page"


def files_on_disk(app):
    """The stored files (and thumbnails) under MEDIA_PATH/wiki, and those the rows name."""
    with app.app_context():
        stored = [n for model in (Attachment, AttachmentVersion) for (n,) in model.select(model.stored_name).tuples()]
        named = {n + suffix for n in stored for suffix in ("", ".thumb.png")}
    folder = os.path.join(app.config["MEDIA_PATH"], "wiki")
    return set(os.listdir(folder)) if os.path.isdir(folder) else set(), named


def test_uploads_of_one_name_at_the_same_moment_all_succeed_and_keep_the_others_as_earlier_versions(wiki, app,
                                                                                                   users):
    """On PostgreSQL two uploads at once both found no row (one insert failed: a 500, its file left
    behind) or both replaced one row (the first replacement's file never removed)."""
    people = [users["alice"], users["bob"], users["admin"], users["alice"]]
    for n in range(4):
        wiki.save(f"Gallery {n}", "![cat](cat.png)")
        with app.app_context():
            page, _ = get_page(f"Gallery {n}")
        for wave in range(2):  # first uploads, then replacements
            def upload_cat(i, page=page, color=(n, wave)):
                save_attachment(page, FileStorage(io.BytesIO(png_bytes(color=(*color, i))), "cat.png"), people[i])
            assert at_the_same_moment(app, len(people), upload_cat) == []
    on_disk, named = files_on_disk(app)
    assert on_disk == named and len(on_disk) == 64  # 32 pictures and their thumbnails, each named by a row
    with app.app_context():
        assert Attachment.select().count() == 4 and AttachmentVersion.select().count() == 28


def test_an_upload_to_a_title_renamed_back_meanwhile_is_409_and_leaves_no_file(wiki, alice_client, app, users):
    """The form was opened at the redirect a rename left; the page moved back over it before the file came in."""
    wiki.save("Alpha", "alpha text")
    alice_client.post("/wiki/Alpha/rename", data={"new_title": "Beta"})
    with app.app_context():
        redirect, _ = get_page("Alpha")
    wiki.save("Gamma", "a later page, so SQLite gives no new row the deleted redirect's id")
    assert alice_client.post("/wiki/Beta/rename", data={"new_title": "Alpha"}).status_code == 302
    with app.app_context(), pytest.raises(Conflict, match="moved or renamed while the file was uploading"):
        save_attachment(redirect, FileStorage(io.BytesIO(png_bytes()), "cat.png"), users["alice"])
    assert files_on_disk(app) == (set(), set())


def version_ids(app, name):
    with app.app_context():
        return [v.id for v in AttachmentVersion.select().where(AttachmentVersion.name == name)
                .order_by(AttachmentVersion.id)]


def test_a_replaced_file_is_kept_as_an_earlier_version_and_can_be_put_back(gallery, alice_client, client, app):
    """Replacing a file removed the old one from disk: nothing could bring it back."""
    upload(alice_client, "notes.txt", b"first draft")
    upload(alice_client, "notes.txt", b"second draft")
    [first] = version_ids(app, "notes.txt")
    assert client.get(f"/wiki/Gallery/attachments/notes.txt?version={first}").data == b"first draft"
    listing = client.get("/wiki/Gallery/attachments").get_data(as_text=True)
    assert "1 earlier version" in listing and f"notes.txt?version={first}" in listing and "Put back" not in listing
    resp = alice_client.post("/wiki/Gallery/attachments/notes.txt/restore", data={"version": first})
    assert resp.status_code == 302
    assert client.get("/wiki/Gallery/attachments/notes.txt").data == b"first draft"
    second = version_ids(app, "notes.txt")[-1]  # the file it replaced is an earlier version now
    assert client.get(f"/wiki/Gallery/attachments/notes.txt?version={second}").data == b"second draft"
    on_disk, named = files_on_disk(app)
    assert on_disk <= named and len(on_disk) == 2  # (text files have no thumbnails)


def test_a_deleted_file_stays_listed_and_can_be_put_back(gallery, alice_client, client, app):
    upload(alice_client, "cat.png", png_bytes(color=(5, 6, 7)))
    alice_client.post("/wiki/Gallery/attachments/cat.png/delete", data={})
    assert client.get("/wiki/Gallery/attachments/cat.png").status_code == 404
    listing = alice_client.get("/wiki/Gallery/attachments").get_data(as_text=True)
    assert "Deleted files" in listing and "deleted" in listing and "Put back" in listing
    [kept] = version_ids(app, "cat.png")
    assert alice_client.post("/wiki/Gallery/attachments/cat.png/restore", data={"version": kept}).status_code == 302
    assert client.get("/wiki/Gallery/attachments/cat.png").data == png_bytes(color=(5, 6, 7))
    assert client.get("/wiki/Gallery/attachments/cat.png?thumb=1").status_code == 200


def test_the_same_file_again_changes_nothing(gallery, alice_client, app):
    upload(alice_client, "notes.txt", b"same")
    resp = upload(alice_client, "notes.txt", b"same")
    assert "Nothing changed" in alice_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert version_ids(app, "notes.txt") == [] and len(files_on_disk(app)[0]) == 1


def test_earlier_versions_are_reached_only_through_their_own_page_and_name(gallery, wiki, alice_client, bob_client,
                                                                         admin_client, client, app):
    wiki.save("Other", "x")
    upload(alice_client, "notes.txt", b"one")
    upload(alice_client, "notes.txt", b"two")
    [kept] = version_ids(app, "notes.txt")
    assert client.get(f"/wiki/Other/attachments/notes.txt?version={kept}").status_code == 404
    assert client.get(f"/wiki/Gallery/attachments/other.txt?version={kept}").status_code == 404
    assert client.get("/wiki/Gallery/attachments/notes.txt?version=999999").status_code == 404
    assert client.post("/wiki/Gallery/attachments/notes.txt/restore", data={"version": kept}).status_code == 302
    admin_client.post("/wiki/Gallery/protect", data={"protected": "1"})
    assert bob_client.post("/wiki/Gallery/attachments/notes.txt/restore", data={"version": kept}).status_code == 403
    assert client.get("/wiki/Gallery/attachments/notes.txt").data == b"two"


def test_replaced_file_is_seen_at_once_not_after_an_hour(gallery, alice_client, client):
    """Browsers must ask again each time (no-cache + ETag): the URL stays the same when a file is replaced."""
    upload(alice_client, "cat.png", png_bytes(color=(1, 2, 3)))
    first = client.get("/wiki/Gallery/attachments/cat.png")
    cache = first.headers["Cache-Control"]
    assert "no-cache" in cache and "max-age=3600" not in cache and first.headers.get("ETag")
    assert client.get("/wiki/Gallery/attachments/cat.png",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304  # unchanged: cheap
    upload(alice_client, "cat.png", png_bytes(color=(9, 9, 9)))
    again = client.get("/wiki/Gallery/attachments/cat.png", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.data == png_bytes(color=(9, 9, 9))
    assert "no-cache" in client.get("/wiki/Gallery/attachments/cat.png?thumb=1").headers["Cache-Control"]
