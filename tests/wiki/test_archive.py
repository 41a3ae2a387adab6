"""Export the wiki as a zip and import it back: the round trip keeps pages and history."""
import datetime
import io
import json
import os
import zipfile

import pytest

from suite.wiki.models import Page, Revision
from tests.wiki.test_permissions import signed_in


def import_zip(client, data, name="wiki.zip", follow=True):
    """Upload an export; with tasks inline the import is done when the progress page shows."""
    return client.post("/wiki/import", data={"archive": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=follow)


def records(data):
    """The page records of an export zip, each with its whole history, in order."""
    from suite.wiki.archive import Archive
    found = Archive(io.BytesIO(data))
    return [dict(record, revisions=list(found.revisions(record))) for _label, record in found.records()]


def test_export_is_a_zip_of_markdown_files_with_manifest(wiki, alice_client):
    wiki.save("Home", "Welcome")
    wiki.save("Projects/Launch", "Go [[Home]]")
    wiki.save("Projects/Launch", "Go [[Home]] now", message="second")
    resp = alice_client.get("/wiki/export")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    assert zf.read("pages/Projects/Launch.md").decode() == "Go [[Home]] now\n"
    assert json.loads(zf.read("wiki.json"))["format"] == "suite-wiki"
    launch = next(p for p in records(resp.data) if p["title"] == "Projects/Launch")
    assert [r["message"] for r in launch["revisions"]] == ["", "second"]


def test_round_trip_into_an_empty_wiki_keeps_history_and_links(wiki, alice_client, make_app):
    wiki.save("Home", "Welcome to [[Projects/Launch]]")
    wiki.save("Projects/Launch", "v1")
    wiki.save("Projects/Launch", "v2", message="update")
    data = alice_client.get("/wiki/export").data

    other = make_app()
    admin = signed_in(other, "root", admin=True)
    resp = import_zip(admin, data)
    assert resp.status_code == 200
    assert b"2 page(s) created" in resp.data
    with other.app_context():
        launch = Page.get(Page.key == "projects/launch")
        assert launch.version == 2
        assert [r.content for r in Revision.select().where(Revision.page == launch).order_by(Revision.number)] \
            == ["v1\n", "v2\n"]
    assert b'class="wikilink" href="/wiki/Projects/Launch"' in admin.get("/wiki/Home").data
    assert admin.get("/wiki/Projects/Launch/backlinks").data.count(b"Home") >= 1
    # And exporting again gives the same pages and texts.
    again = zipfile.ZipFile(io.BytesIO(admin.get("/wiki/export").data))
    assert again.read("pages/Projects/Launch.md") == b"v2\n"


def test_import_onto_existing_page_adds_a_revision(wiki, alice_client, admin_client, app):
    wiki.save("Home", "old")
    data = alice_client.get("/wiki/export").data
    wiki.save("Home", "newer")
    import_zip(admin_client, data)
    with app.app_context():
        home = Page.get(Page.key == "home")
        assert home.version == 3
        assert Revision.get(Revision.page == home, Revision.number == 3).content == "old\n"


def test_pages_already_as_in_the_zip_are_counted_as_such(wiki, alice_client, admin_client, app):
    """Importing a wiki's own export said "0 page(s) created, 0 updated, 0 skipped" of 2 pages."""
    wiki.save("Home", "same")
    wiki.save("Other", "same too")
    data = alice_client.get("/wiki/export").data
    resp = import_zip(admin_client, data)
    assert b"0 page(s) created, 0 updated, 0 skipped" in resp.data
    assert b"2 page(s) were already as in the zip." in resp.data
    with app.app_context():
        assert Page.get(Page.key == "home").version == 1


def revisions_of(app, key):
    """(kind, message) of every revision of the page at ``key``, oldest first."""
    with app.app_context():
        page = Page.get(Page.key == key)
        return page.deleted, [(r.kind, r.message) for r in page.revisions.order_by(Revision.number)]


def test_importing_an_export_into_the_same_wiki_keeps_its_deleted_pages_deleted(wiki, alice_client, admin_client,
                                                                                client, app):
    wiki.save("Secret plans", "launch codes zanzibar")
    alice_client.post("/wiki/Secret_plans/delete", data={"message": "private"})
    resp = import_zip(admin_client, alice_client.get("/wiki/export").data)
    assert resp.status_code == 200
    assert client.get("/wiki/Secret_plans").status_code == 404
    assert b"Secret_plans" not in client.get("/search?q=zanzibar").data
    assert revisions_of(app, "secret plans") == (True, [("edit", ""), ("delete", "private")])


def test_a_page_deleted_in_the_export_is_deleted_here_by_a_revision(wiki, alice_client, admin_client, client, app):
    wiki.save("Old idea", "drop this zanzibar")
    alice_client.post("/wiki/Old_idea/delete", data={})
    data = alice_client.get("/wiki/export").data
    alice_client.post("/wiki/Old_idea/restore", data={})
    resp = import_zip(admin_client, data)
    assert resp.status_code == 200 and b"1 updated" in resp.data
    assert client.get("/wiki/Old_idea").status_code == 404
    assert b"Old_idea" not in client.get("/search?q=zanzibar").data
    deleted, kinds = revisions_of(app, "old idea")
    assert deleted and kinds[-1] == ("delete", "Imported (deleted in the export)")


def test_an_import_never_brings_back_a_page_deleted_here(wiki, alice_client, admin_client, client, app):
    wiki.save("Secret plans", "launch codes zanzibar")
    data = alice_client.get("/wiki/export").data
    alice_client.post("/wiki/Secret_plans/delete", data={})
    resp = import_zip(admin_client, data)
    assert resp.status_code == 200
    assert b"1 skipped" in resp.data and b"is deleted in this wiki; restore it first" in resp.data
    assert client.get("/wiki/Secret_plans").status_code == 404
    assert b"Secret_plans" not in client.get("/search?q=zanzibar").data
    assert revisions_of(app, "secret plans")[0] is True


def test_import_is_admin_only(wiki, alice_client):
    assert alice_client.get("/wiki/import").status_code == 403


def test_import_of_non_zip_is_400(admin_client):
    resp = import_zip(admin_client, b"not a zip at all")
    assert resp.status_code == 400
    assert b"not a wiki export" in resp.data


def test_import_skips_bad_titles_with_a_message(admin_client, app):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("wiki.json", json.dumps({"format": "suite-wiki", "version": 1, "pages": [
            {"title": "../etc/passwd", "revisions": [{"content": "x"}]},
            {"title": "Fine", "revisions": [{"content": "ok"}]}]}))
    resp = import_zip(admin_client, buf.getvalue())
    assert b"1 page(s) created" in resp.data and b"../etc/passwd" in resp.data
    with app.app_context():
        assert [p.title for p in Page.select()] == ["Fine"]


def test_cli_export_and_import_round_trip(wiki, app, make_app, tmp_path):
    wiki.save("Home", "from the command line")
    target = tmp_path / "wiki.zip"
    result = app.test_cli_runner().invoke(args=["wiki", "export", str(target)])
    assert result.exit_code == 0 and "exported 1 pages" in result.output
    other = make_app()
    signed_in(other, "root", admin=True)
    result = other.test_cli_runner().invoke(args=["wiki", "import", str(target), "--user", "root"])
    assert result.exit_code == 0 and "created 1, updated 0, skipped 0 pages" in result.output
    with other.app_context():
        assert Page.get(Page.key == "home").version == 1


def test_cli_import_of_bad_file_fails_cleanly(app, users, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"nope")
    result = app.test_cli_runner().invoke(args=["wiki", "import", str(bad), "--user", "alice"])
    assert result.exit_code != 0 and "not a wiki export" in result.output


def test_the_export_streams_every_page_and_its_whole_history_a_few_pages_at_a_time(wiki, alice_client, monkeypatch):
    from suite.wiki import archive
    monkeypatch.setattr(archive, "HISTORY_BATCH", 2)
    titles = ["Zebra", "apple", "Mango/Seed", "Kiwi", "banana"]
    for n, title in enumerate(titles):
        for version in range(n + 1):
            wiki.save(title, f"{title} text {version}", message=f"v{version}")
    resp = alice_client.get("/wiki/export")
    assert resp.is_streamed and resp.headers["Content-Disposition"].startswith("attachment; filename=wiki-")
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    assert zf.testzip() is None  # every member's checksum holds
    found = records(resp.data)
    assert [p["title"] for p in found] == sorted(titles, key=str.lower)
    for n, title in enumerate(titles):
        page = next(p for p in found if p["title"] == title)
        assert [r["message"] for r in page["revisions"]] == [f"v{v}" for v in range(n + 1)]
        assert all(r["author"] == "alice" for r in page["revisions"])
        assert zf.read(f"pages/{title}.md").decode() == f"{title} text {n}\n"


def test_the_export_is_one_view_of_the_wiki_while_pages_are_renamed(wiki, alice_client, app, monkeypatch):
    from suite.extensions import db
    from suite.wiki import archive
    from tests.bookmarks.test_import_export import _in_a_thread
    monkeypatch.setattr(archive, "HISTORY_BATCH", 1)
    for title in ("Beta", "Delta", "Gamma"):
        wiki.save(title, f"{title} text")
    with app.app_context():
        db.connect(reuse_if_open=True)
        chunks = iter(archive.WikiExport())
        data = [next(chunks)]  # Beta is in; Gamma is not read yet
        # Renamed meanwhile to a title the export has passed: read in batches by title, without one
        # view of the wiki the page was in neither batch, and the zip held only the redirect left behind.
        moved = _in_a_thread(lambda: alice_client.post("/wiki/Gamma/rename", data={"new_title": "Alpha"}))
        assert moved.status_code == 302
        data += list(chunks)
        db.close()
    found = records(b"".join(data))
    assert [p["title"] for p in found] == ["Beta", "Delta", "Gamma"]
    assert [r["content"] for r in found[-1]["revisions"]] == ["Gamma text\n"]  # not the redirect left
    export = records(alice_client.get("/wiki/export").data)
    assert [p["title"] for p in export] == ["Alpha", "Beta", "Delta", "Gamma"]


def manifest_zip(pages_=None, *, raw=None, compression=zipfile.ZIP_DEFLATED):
    """A version 1 export zip (before exports had a member per page): only wiki.json, ``pages_``
    as its page list (or ``raw`` bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        zf.writestr("wiki.json", raw if raw is not None else json.dumps(
            {"format": "suite-wiki", "version": 1, "pages": pages_}))
    return bytearray(buf.getvalue())


def page_record(title, content="text", **revision):
    return {"title": title, "revisions": [dict(revision, content=content)]}


def local_header(data):
    """Offset of the first member's local header."""
    return data.find(b"PK\x03\x04")


def encrypted(data):
    """The zip with its member marked encrypted (flag bit 0 in both headers)."""
    data[local_header(data) + 6] |= 1
    data[data.find(b"PK\x01\x02") + 8] |= 1
    return data


def corrupt_deflate(data):
    """The zip with the start of its member's deflate stream overwritten."""
    start = local_header(data)
    name_len, extra_len = (int.from_bytes(data[start + k:start + k + 2], "little") for k in (26, 28))
    body = start + 30 + name_len + extra_len
    data[body:body + 10] = b"\xff" * 10
    return data


def unknown_compression(data):
    """The zip with its member claiming a compression method zipfile cannot read."""
    data[local_header(data) + 8] = 99
    data[data.find(b"PK\x01\x02") + 10] = 99
    return data


@pytest.mark.parametrize("damage", [encrypted, corrupt_deflate, unknown_compression])
def test_unreadable_manifest_is_400_with_a_message(admin_client, app, damage):
    pages_ = [page_record(f"Page {n}", "some text " * 20) for n in range(50)]
    resp = import_zip(admin_client, bytes(damage(manifest_zip(pages_))))
    assert resp.status_code == 400
    assert b"wiki.json in this zip cannot be read" in resp.data
    with app.app_context():
        assert Page.select().count() == 0


@pytest.mark.parametrize(("record", "problem"), [
    (page_record(5), b"has no title"),
    (page_record(["a"]), b"has no title"),
    ({"revisions": [{"content": "x"}]}, b"has no title"),
    ("just a string", b"is not an object"),
])
def test_records_without_a_text_title_are_skipped_with_a_message(admin_client, app, record, problem):
    resp = import_zip(admin_client, bytes(manifest_zip([record, page_record("Fine")])))
    assert resp.status_code == 200
    assert b"1 page(s) created" in resp.data and b"1 skipped" in resp.data and problem in resp.data
    with app.app_context():
        assert [p.title for p in Page.select()] == ["Fine"]


@pytest.mark.parametrize("author", [["alice"], {"name": "alice"}, 5, None])
def test_authors_that_are_not_names_are_imported_as_unknown(admin_client, app, author):
    resp = import_zip(admin_client, bytes(manifest_zip([page_record("Odd", author=author, message={"a": 1})])))
    assert resp.status_code == 200 and b"1 page(s) created" in resp.data
    with app.app_context():
        revision = Revision.get(Revision.page == Page.get(Page.key == "odd"))
        assert revision.author_id is None


@pytest.mark.parametrize(("written", "stored"), [
    ("2026-03-01T12:00:00+02:00", datetime.datetime(2026, 3, 1, 10, 0)),  # another tool's local time: to UTC
    ("2026-03-01T12:00:00Z", datetime.datetime(2026, 3, 1, 12, 0)),      # our own exports
    ("2026-03-01T12:00:00", datetime.datetime(2026, 3, 1, 12, 0))])
def test_revision_times_with_an_offset_are_stored_in_utc(admin_client, app, written, stored):
    """The offset was dropped, so a revision written at 12:00+02:00 was dated two hours late."""
    resp = import_zip(admin_client, bytes(manifest_zip([page_record("Timed", created_at=written)])))
    assert resp.status_code == 200
    with app.app_context():
        assert Revision.get(Revision.page == Page.get(Page.key == "timed")).created_at == stored


def test_oversized_page_is_skipped_and_the_rest_still_imported(make_app):
    app = make_app(WIKI_MAX_PAGE_BYTES=1000)
    admin = signed_in(app, "root", admin=True)
    records = [page_record("Before"), page_record("Huge", "x" * 5000), page_record("After")]
    resp = import_zip(admin, bytes(manifest_zip(records)))
    assert resp.status_code == 200
    assert b"2 page(s) created" in resp.data and b"Huge: The page is" in resp.data
    with app.app_context():
        assert sorted(p.title for p in Page.select()) == ["After", "Before"]


def test_oversized_text_for_an_existing_page_is_skipped_too(make_app):
    app = make_app(WIKI_MAX_PAGE_BYTES=1000)
    admin = signed_in(app, "root", admin=True)
    import_zip(admin, bytes(manifest_zip([page_record("Home", "small")])))
    resp = import_zip(admin, bytes(manifest_zip([page_record("Home", "x" * 5000), page_record("After")])))
    assert resp.status_code == 200 and b"1 page(s) created" in resp.data and b"Home: The page is" in resp.data
    with app.app_context():
        assert Page.get(Page.key == "home").version == 1


def test_an_imported_page_redirecting_to_itself_is_kept_as_a_plain_page(admin_client, app, client):
    records = [page_record("Loop", "#REDIRECT [[loop]]"), page_record("Elsewhere", "#REDIRECT [[Loop]]")]
    resp = import_zip(admin_client, bytes(manifest_zip(records)))
    assert resp.status_code == 200 and b"2 page(s) created" in resp.data
    with app.app_context():
        assert Page.get(Page.key == "loop").redirect_to is None
        assert Page.get(Page.key == "elsewhere").redirect_to == "loop"
    assert client.get("/wiki/Loop").status_code == 200
    assert client.get("/wiki/Elsewhere").headers["Location"].endswith("/wiki/Loop?from=Elsewhere")


def test_a_page_with_text_no_database_holds_is_skipped_and_the_rest_imported(admin_client, app):
    records = [page_record("Before"), page_record("Broken", "x\ud800"), page_record("After", message="m\udfff"),
               page_record("Last")]
    raw = json.dumps({"format": "suite-wiki", "version": 1, "pages": records})  # escapes the lone surrogates
    resp = import_zip(admin_client, bytes(manifest_zip(raw=raw)))
    assert resp.status_code == 200
    assert b"2 page(s) created" in resp.data and b"Broken: holds text that is not valid Unicode" in resp.data
    with app.app_context():
        assert sorted(p.title for p in Page.select()) == ["Before", "Last"]


def test_nul_characters_in_a_revisions_details_import_it_as_unknown_where_postgresql_stopped_the_import(
        admin_client, app):
    """A NUL in an author's name or a revision's kind reached PostgreSQL, which refuses it: "an error on our side"."""
    records = [page_record("Before"), page_record("Author", author="ali\x00ce"), page_record("Kind", kind="ed\x00it"),
               page_record("Message", message="m\x00"), page_record("Time", created_at="2026\x00"),
               page_record("Other kind", kind="approve"), page_record("Last")]
    resp = import_zip(admin_client, bytes(manifest_zip(records)))
    assert resp.status_code == 200 and b"7 page(s) created" in resp.data
    with app.app_context():
        rows = Revision.select(Revision, Page).join(Page)
        assert {(r.page.title, r.kind, r.author_id, "\x00" in r.message) for r in rows if r.page.title != "Before"
                and r.page.title != "Last"} == {(t, "import", None, False) for t in
                                                ("Author", "Kind", "Message", "Time", "Other kind")}


# --- The import runs in the background, with a progress page --------------------------------------

def export_of(make_app, *titles):
    """An export zip of a wiki holding these pages (made in an app of its own)."""
    source = make_app()
    writer = signed_in(source, "writer")
    for title in titles:
        writer.post(f"/wiki/{title}/edit", data={"content": f"{title} text", "base_revision": 0, "save": "Save"})
    return writer.get("/wiki/export").data


def test_the_upload_only_keeps_the_zip_and_queues_the_import(make_app):
    from suite.wiki.importer import run_file, run_import
    from suite.wiki.models import ImportRun
    data = export_of(make_app, "One", "Two", "Three")
    app = make_app(TASKS_IMMEDIATE=False)  # the queue keeps the task: nothing runs it
    admin = signed_in(app, "root", admin=True)
    resp = import_zip(admin, data, follow=False)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/wiki/import/1")
    with app.app_context():
        assert Page.select().count() == 0
        assert ImportRun.get_by_id(1).status == "pending" and ImportRun.get_by_id(1).total == 3
        assert open(run_file(1), "rb").read() == data
    page = admin.get("/wiki/import/1")
    assert page.status_code == 200 and b"0</span> of 3 pages" in page.data and b"pending" in page.data
    with app.app_context():
        run_import(1)  # what the worker does
        assert sorted(p.title for p in Page.select()) == ["One", "Three", "Two"]
        assert not os.path.exists(run_file(1))  # the upload is not kept once imported
    status = admin.get("/wiki/import/1.json").json
    assert status["status"] == "done" and status["processed"] == 3 and status["created"] == 3
    assert b"3 page(s) created, 0 updated, 0 skipped" in admin.get("/wiki/import/1").data


def test_an_import_whose_worker_died_resumes_after_the_last_page_it_saved(make_app):
    from suite.imports import STALLED_AFTER
    from suite.wiki import archive, importer
    from suite.wiki.models import ImportRun
    data = export_of(make_app, "One", "Two", "Three")
    app = make_app(TASKS_IMMEDIATE=False)
    admin = signed_in(app, "root", admin=True)
    import_zip(admin, data, follow=False)
    with app.app_context():
        real = archive.import_page
        calls = []

        def dies_on_the_third(*args):
            calls.append(args[1])
            if len(calls) == 3:
                raise SystemExit("worker killed")  # gone without a word: no status written
            return real(*args)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(archive, "import_page", dies_on_the_third)
            with pytest.raises(SystemExit):
                importer.run_import(1)
        run = ImportRun.get_by_id(1)
        assert (run.status, run.processed, run.created) == ("running", 2, 2)
        ImportRun.update(progressed_at=run.progressed_at - STALLED_AFTER).execute()
        importer.requeue_stalled_imports()  # the minute's task: back to pending, queued again
        assert ImportRun.get_by_id(1).status == "pending"
        importer.run_import(1)
        run = ImportRun.get_by_id(1)
        assert (run.status, run.processed, run.created, run.stalls) == ("done", 3, 3, 1)
        assert [p.version for p in Page.select().order_by(Page.key)] == [1, 1, 1]  # none imported twice


def test_an_import_is_shown_only_to_the_admin_who_started_it(admin_client, app, make_app):
    import_zip(admin_client, bytes(manifest_zip([page_record("Fine")])))
    other_admin = signed_in(app, "root2", admin=True)
    assert other_admin.get("/wiki/import/1").status_code == 404
    assert other_admin.get("/wiki/import/1.json").status_code == 404


def test_skipped_pages_are_listed_on_the_progress_page_when_it_is_done(admin_client):
    resp = import_zip(admin_client, bytes(manifest_zip([page_record("../bad"), page_record("Fine")])))
    assert b"1 page(s) created, 0 updated, 1 skipped" in resp.data
    assert b'<li class="error">../bad: ' in resp.data


# --- A member per page: long histories import back ---------------------------------------------------

def test_a_history_larger_than_the_member_limit_is_split_and_imports_back(wiki, alice_client, make_app, monkeypatch):
    from suite.wiki import archive
    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 4096)
    monkeypatch.setattr(archive, "PART_BYTES", 1024)
    texts = [f"Runbook step {n}\n" + "check the backups " * 19 + "again\n" for n in range(40)]  # ~16 KiB of history
    for text in texts:
        wiki.save("Runbook", text, message="step")
    data = alice_client.get("/wiki/export").data
    zf = zipfile.ZipFile(io.BytesIO(data))
    members = [i for i in zf.infolist() if i.filename.startswith("history/")]
    assert len(members) > 4 and all(i.file_size <= 4096 for i in members)
    assert sum(i.file_size for i in members) > 16_000

    other = make_app()
    admin = signed_in(other, "root", admin=True)
    resp = import_zip(admin, data)
    assert b"1 page(s) created" in resp.data
    with other.app_context():
        runbook = Page.get(Page.key == "runbook")
        assert runbook.version == 40
        assert [r.content for r in runbook.revisions.order_by(Revision.number)] == texts


def v2_zip(members):
    """A version 2 export zip with these members (name: text)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("wiki.json", json.dumps({"format": "suite-wiki", "version": 2}))
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_a_member_over_the_limit_skips_its_page_and_the_others_come_in(admin_client, app, monkeypatch):
    from suite.wiki import archive
    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 2000)
    huge = json.dumps(page_record("Huge", "x" * 5000))
    resp = import_zip(admin_client, v2_zip({"history/1.json": huge, "history/2.json": json.dumps(page_record("Fine")),
                                            "history/10.json": json.dumps(page_record("Last"))}))
    assert b"2 page(s) created, 0 updated, 1 skipped" in resp.data
    assert b"history/1.json unpacks to more than the import limit" in resp.data
    with app.app_context():
        assert sorted(p.title for p in Page.select()) == ["Fine", "Last"]


def test_a_zip_unpacking_to_more_than_the_total_limit_is_refused_at_upload(admin_client, app, monkeypatch):
    from suite.wiki import archive
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 100_000)
    bomb = v2_zip({"history/1.json": json.dumps(page_record("Bomb", "0" * 200_000))})
    assert len(bomb) < 2000
    resp = import_zip(admin_client, bomb)
    assert resp.status_code == 413 and b"unpacks to more than the import limit" in resp.data
    with app.app_context():
        assert Page.select().count() == 0


# --- Attachments travel with their pages -------------------------------------------------------------

def test_attachments_are_exported_and_recreated_on_import(wiki, alice_client, make_app):
    from tests.wiki.test_attachments import png_bytes, upload
    wiki.save("Diagram", "![arch](arch.png) [spec](spec.pdf)")
    picture = png_bytes()
    assert upload(alice_client, "arch.png", picture, "Diagram").status_code == 302
    assert upload(alice_client, "spec.pdf", b"%PDF-1.4\n%fake\n", "Diagram").status_code == 302
    resp = alice_client.get("/wiki/export")
    assert resp.is_streamed
    data = resp.data
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.read("files/1/arch.png") == picture and zf.read("files/1/spec.pdf") == b"%PDF-1.4\n%fake\n"

    other = make_app()
    admin = signed_in(other, "root", admin=True)
    resp = import_zip(admin, data)
    assert b"1 page(s) created, 0 updated, 0 skipped, 2 file(s) attached" in resp.data
    image = admin.get("/wiki/Diagram/attachments/arch.png")
    assert image.status_code == 200 and image.data == picture
    assert admin.get("/wiki/Diagram/attachments/arch.png?thumb=1").status_code == 200
    again = import_zip(admin, data)  # the same files again: nothing doubled, nothing reported
    assert b"0 file(s) attached" in again.data and b'class="error"' not in again.data


def test_attached_files_go_through_the_attachment_checks(admin_client, app):
    from tests.wiki.test_attachments import bomb_png
    record = dict(page_record("Gallery"), attachments=[
        {"name": "fake.png", "file": "files/1/fake.png"}, {"name": "bomb.png", "file": "files/1/bomb.png"},
        {"name": "tool.exe", "file": "files/1/tool.exe"}, {"name": "gone.pdf", "file": "files/1/gone.pdf"},
        {"name": "notes.txt", "file": "files/1/notes.txt"}])
    resp = import_zip(admin_client, v2_zip({"history/1.json": json.dumps(record), "files/1/fake.png": "not a png",
                                            "files/1/bomb.png": bomb_png(),
                                            "files/1/tool.exe": "MZ", "files/1/notes.txt": "fine"}))
    text = resp.get_data(as_text=True)
    assert "1 page(s) created, 0 updated, 0 skipped, 1 file(s) attached" in text
    assert "Gallery/fake.png: The file is not a valid PNG image." in text
    assert "Gallery/bomb.png: The image is" in text
    assert "Gallery/tool.exe: Files of type .exe cannot be attached" in text
    assert "Gallery/gone.pdf: files/1/gone.pdf is missing from the zip." in text
    with app.app_context():
        from suite.wiki.models import Attachment
        assert [a.name for a in Attachment.select()] == ["notes.txt"]


def test_a_file_this_wiki_has_under_the_same_name_is_kept(wiki, alice_client, admin_client, app):
    from tests.wiki.test_attachments import upload
    wiki.save("Notes", "see notes.txt")
    upload(alice_client, "notes.txt", b"from the export", "Notes")
    data = alice_client.get("/wiki/export").data
    upload(alice_client, "notes.txt", b"changed here", "Notes")
    resp = import_zip(admin_client, data)
    assert b"Notes/notes.txt: differs from the file of that name here, which is kept" in resp.data
    assert alice_client.get("/wiki/Notes/attachments/notes.txt").data == b"changed here"


def test_an_old_single_manifest_export_larger_than_the_member_limit_still_imports(admin_client, app, monkeypatch):
    from suite.wiki import archive
    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 2000)
    monkeypatch.setattr(archive, "PEEK_BYTES", 1000)  # the upload request leaves it to the task
    history = [{"content": f"version {n} " + "words " * 40} for n in range(20)]
    old = bytes(manifest_zip([{"title": "Runbook", "revisions": history}, page_record("Fine")]))
    resp = import_zip(admin_client, old)
    assert b"2</span> of 2 pages" in resp.data and b"2 page(s) created" in resp.data
    with app.app_context():
        assert Page.get(Page.key == "runbook").version == 20
