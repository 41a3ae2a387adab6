"""Netscape bookmark files: reading, importing (web and manage.py), exporting, round trips."""
import io
import json
import os
import re

import pytest

from suite.bookmarks import netscape
from suite.bookmarks.cli import import_command, thumbnails_command
from suite.bookmarks.models import Bookmark, ImportRun
from tests.bookmarks.conftest import add

FIREFOX = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<!-- This is an automatically generated file. -->
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks Menu</H1>
<DL><p>
    <DT><H3 ADD_DATE="1600000000" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks Toolbar</H3>
    <DL><p>
        <DT><A HREF="https://toolbar.example/" ADD_DATE="1600000001">On the toolbar</A>
    </DL><p>
    <DT><H3 ADD_DATE="1600000000">Dev Tools</H3>
    <DL><p>
        <DT><H3>Python</H3>
        <DL><p>
            <DT><A HREF="https://docs.python.org/3/" ADD_DATE="1500000000" TAGS="docs,reference">Python docs</A>
            <DD>The &amp; official documentation
        </DL><p>
        <DT><A HREF="https://git-scm.com/" ADD_DATE="1500000500000" PRIVATE="0" TOREAD="1">Git</A>
    </DL><p>
    <DT><A HREF="javascript:alert(1)">Bookmarklet</A>
    <DT><A HREF="place:sort=8">Recent</A>
</DL><p>
"""


def test_parse_keeps_folders_as_tags_dates_flags_and_descriptions():
    entries = {e.url: e for e in netscape.parse(FIREFOX.encode())}
    py = entries["https://docs.python.org/3/"]
    assert py.title == "Python docs" and py.description == "The & official documentation"
    assert sorted(py.tags) == ["dev-tools", "docs", "python", "reference"]
    assert py.added.year == 2017
    git = entries["https://git-scm.com/"]
    assert (git.private, git.unread, git.tags, git.added.year) == (False, True, ["dev-tools"], 2017)
    assert entries["https://toolbar.example/"].tags == []  # the toolbar is not a topic


LINKDING = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
    <DT><A HREF="https://example.com/ml" ADD_DATE="1700000000" TAGS="machine learning,Deep  Learning, nlp">ML</A>
    <DT><A HREF="https://example.com/pinboard" ADD_DATE="1700000001" TAGS="python web">Pinboard style</A>
    <DT><H3>Machine Learning</H3>
    <DL><p>
        <DT><A HREF="https://example.com/paper" ADD_DATE="1700000002">A paper</A>
    </DL><p>
</DL><p>
"""


def test_comma_separated_tags_keep_their_spaces_as_one_tag_like_a_folder_name(alice_client, app):
    """Firefox and linkding separate TAGS by commas, a tag may hold spaces: "machine learning" is
    one tag, the same "machine-learning" a folder of that name gives. Without a comma (Pinboard),
    spaces separate the tags."""
    entries = {e.url: e for e in netscape.parse(LINKDING.encode())}
    assert entries["https://example.com/ml"].tags == ["machine-learning", "deep-learning", "nlp"]
    assert entries["https://example.com/pinboard"].tags == ["python", "web"]
    assert entries["https://example.com/paper"].tags == ["machine-learning"]
    resp = alice_client.post("/bookmarks/import", data={"file": (io.BytesIO(LINKDING.encode()), "linkding.html")},
                             content_type="multipart/form-data")
    assert resp.status_code == 302
    with app.app_context():
        from suite.bookmarks.bookmarks import tags_of
        ml = Bookmark.get(Bookmark.url == "https://example.com/ml")
        paper = Bookmark.get(Bookmark.url == "https://example.com/paper")
        assert sorted(tags_of(ml)) == ["deep-learning", "machine-learning", "nlp"]
        assert tags_of(paper) == ["machine-learning"]


def test_a_folders_description_is_not_given_to_the_bookmark_above_it(alice_client, app):
    """A <DD> after a folder's <H3> describes the folder; the link before the folder keeps its own
    description (or none), and links inside the folder do not get it either."""
    text = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<DL><p>
    <DT><A HREF="https://example.com/described" ADD_DATE="1700000000">Described</A>
    <DD>My notes on this link
    <DT><A HREF="https://example.com/plain" ADD_DATE="1700000001">Plain one</A>
    <DT><H3 ADD_DATE="1700000003">Papers</H3>
    <DD>Folder about ML papers
    <DL><p>
        <DT><A HREF="https://example.com/paper" ADD_DATE="1700000005">A paper</A>
    </DL><p>
</DL><p>
"""
    entries = {e.url: e for e in netscape.parse(text.encode())}
    assert entries["https://example.com/described"].description == "My notes on this link"
    assert entries["https://example.com/plain"].description == ""
    assert entries["https://example.com/paper"].description == ""
    resp = alice_client.post("/bookmarks/import", data={"file": (io.BytesIO(text.encode()), "folders.html")},
                             content_type="multipart/form-data")
    assert resp.status_code == 302
    with app.app_context():
        assert Bookmark.get(Bookmark.url == "https://example.com/plain").description == ""
        assert Bookmark.get(Bookmark.url == "https://example.com/described").description == "My notes on this link"


def _in_a_thread(work, seconds=20):
    """``work()``'s result, or a failure when it has not returned in time (it is left running)."""
    import threading
    result = []
    worker = threading.Thread(target=lambda: result.append(work()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, f"still running after {seconds} s"
    return result[0]


def test_dates_that_are_no_number_of_seconds_import_without_a_date(alice_client, app):
    odd = ["inf", "-inf", "Infinity", "1e400", "nan", "soon"]
    rows = "".join(f'<DT><A HREF="https://example.com/{i}" ADD_DATE="{v}">Odd {v}</A>\n' for i, v in enumerate(odd))
    data = f"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n{rows}</DL><p>\n".encode()
    resp = _in_a_thread(lambda: alice_client.post("/bookmarks/import", data={"file": (io.BytesIO(data), "b.html")},
                                                  content_type="multipart/form-data"))
    assert resp.status_code == 302
    with app.app_context():
        years = {b.title: b.created_at.year for b in Bookmark.select()}
    assert sorted(years) == sorted(f"Odd {v}" for v in odd)
    assert len(set(years.values())) == 1  # all saved today


@pytest.mark.parametrize(("data", "message"), [
    (b"hello, this is plain text", b"not a Netscape bookmark file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", b"looks binary"),
    (b'{"bookmarks": []}', b"not a Netscape bookmark file"),
    (FIREFOX.encode()[:700], b"incomplete (truncated?)"),
])
def test_bad_files_get_a_clear_400(alice_client, app, data, message):
    resp = alice_client.post("/bookmarks/import", data={"file": (io.BytesIO(data), "b.html")},
                             content_type="multipart/form-data")
    assert resp.status_code == 400 and message in resp.data
    _is_the_import_form_saying(resp, message)
    with app.app_context():
        assert Bookmark.select().count() == 0


def _is_the_import_form_saying(resp, message):
    """The import page came back (a way to try another file), with ``message`` under its file field."""
    html = resp.get_data(as_text=True)
    assert '<form method="post" class="card" action="/bookmarks/import"' in html
    file_field = re.search(r'<div class="field has-error">\s*<label for="file">.*?</div>', html, re.S)
    assert file_field and 'type="file"' in file_field.group(0)
    assert re.search(r'<small class="error" role="alert"[^>]*>[^<]*' + re.escape(message.decode()), file_field.group(0))


def test_the_upload_answers_without_parsing_the_file_which_the_task_parses_once(make_app, monkeypatch):
    """A 13 MB file held the upload request 6-12 s for a parse that only counted the links,
    and the task parsed it all again."""
    from suite.bookmarks.tasks import import_task
    parses = []
    real = netscape.well_formed
    monkeypatch.setattr(netscape, "well_formed", lambda text: parses.append(1) or real(text))
    from suite.auth.accounts import create_user
    from tests.conftest import PASSWORD, sign_in
    app = make_app(TASKS_IMMEDIATE=False)
    with app.app_context():
        user = create_user("alice", PASSWORD)
    client = app.test_client()
    sign_in(client, user)
    resp = client.post("/bookmarks/import", data={"file": (io.BytesIO(FIREFOX.encode()), "b.html")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302 and parses == []
    with app.app_context():
        assert ImportRun.get().total == len(netscape.LINK.findall(FIREFOX))
        import_task.call_local(ImportRun.get().id)
        run = ImportRun.get()
    assert parses == [1] and run.status == "done" and run.processed == run.total > 0


def test_a_file_of_unclosed_tags_is_read_in_linear_time_with_its_links():
    # HTMLParser alone (Python before 3.11.13, CVE-2025-6069) would take hours on this 1.2 MB upload.
    text = ("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n<DT><A HREF=\"https://a.example/\">Kept</A>\n"
            + "<a b='" * 200_000 + "\n</DL><p>\n")
    assert "<a b=" not in netscape.well_formed(text)
    assert [(e.url, e.title) for e in netscape.parse(text)] == [("https://a.example/", "Kept")]


def test_links_of_other_schemes_are_still_read_to_be_counted_as_skipped():
    text = ('<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n<DT><A HREF="javascript:go()">Bookmarklet</A>\n'
            '<DT><A HREF="place:sort=8">Smart folder</A>\n<DT><A HREF="https://a.example/">Web</A>\n</DL><p>\n')
    assert [e.url for e in netscape.parse(text)] == ["javascript:go()", "place:sort=8", "https://a.example/"]


def test_fifty_megabyte_file_is_413_with_the_limit(alice_client):
    data = b"<!DOCTYPE NETSCAPE-Bookmark-file-1>" + b" " * (50 * 1024 * 1024)
    resp = alice_client.post("/bookmarks/import", data={"file": (io.BytesIO(data), "big.html")},
                             content_type="multipart/form-data")
    assert resp.status_code == 413 and b"the limit is 16 MiB" in resp.data


def test_upload_without_a_file_is_400(alice_client):
    resp = alice_client.post("/bookmarks/import", data={}, content_type="multipart/form-data")
    assert resp.status_code == 400 and b"Choose a bookmark file" in resp.data
    _is_the_import_form_saying(resp, b"Choose a bookmark file (HTML) to import.")


def test_web_import_shows_progress_and_skips_duplicates(alice_client, app):
    add(alice_client, "https://git-scm.com/", title="Mine already")
    resp = alice_client.post("/bookmarks/import", data={"file": (io.BytesIO(FIREFOX.encode()), "ff.html")},
                             content_type="multipart/form-data")
    assert resp.status_code == 302
    progress = alice_client.get(resp.headers["Location"])
    assert b"ff.html" in progress.data and b"data-import-status" in progress.data
    status = alice_client.get(resp.headers["Location"] + ".json").get_json()
    assert status["status"] == "done" and status["created"] == 2 and status["duplicates"] == 1
    assert "skipped" in status["message"]
    with app.app_context():
        assert Bookmark.get(Bookmark.url == "https://git-scm.com/").title == "Mine already"
        assert Bookmark.get(Bookmark.url == "https://docs.python.org/3/").fetch_status == "pending"


def test_an_upload_waiting_for_its_import_goes_when_the_account_is_deleted(make_app):
    from suite.auth.accounts import create_user, delete_account
    from suite.bookmarks.importer import imports_dir
    from suite.jobs import huey
    from tests.conftest import PASSWORD
    app = make_app(TASKS_IMMEDIATE=False)  # the worker is busy: the file waits in the instance
    with app.app_context():
        user = create_user("alice", PASSWORD)
    client = app.test_client()
    from tests.conftest import sign_in
    sign_in(client, user)
    resp = client.post("/bookmarks/import", data={"file": (io.BytesIO(FIREFOX.encode()), "ff.html")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    with app.app_context():
        assert len(os.listdir(imports_dir())) == 1
        delete_account(user, PASSWORD)
    huey.execute(huey.dequeue())  # the import task runs for a run that is gone
    with app.app_context():
        assert os.listdir(imports_dir()) == []  # nobody's bookmark file is kept
        assert Bookmark.select().count() == 0


def _upload_with_a_busy_worker(make_app):
    from suite.auth.accounts import create_user
    from tests.conftest import PASSWORD, sign_in
    app = make_app(TASKS_IMMEDIATE=False)  # tasks wait in the queue until the test runs them
    with app.app_context():
        user = create_user("alice", PASSWORD)
    client = sign_in(app.test_client(), user)
    resp = client.post("/bookmarks/import", data={"file": (io.BytesIO(FIREFOX.encode()), "ff.html")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    return app, client, resp.headers["Location"]


def test_an_import_the_queue_lost_is_queued_again_by_the_backlog(make_app):
    """Queued after the upload's commit, a task is lost when the queue is out of reach (or a Redis
    without persistence restarts): ten minutes on, the minute's backlog queues it again."""
    import datetime

    from suite.bookmarks.importer import requeue_stalled_imports
    from suite.jobs import huey
    app, client, progress = _upload_with_a_busy_worker(make_app)
    huey.flush()  # the queue lost it
    with app.app_context():
        assert requeue_stalled_imports() == 0  # a fresh upload may still be waiting its turn
        run = ImportRun.get()
        ImportRun.update(created_at=run.created_at - datetime.timedelta(minutes=11)).execute()
        assert requeue_stalled_imports() == 1
    huey.execute(huey.dequeue())
    status = client.get(progress + ".json").get_json()
    assert status["status"] == "done" and status["created"] == 3


def test_an_import_queued_twice_is_imported_once(make_app):
    from suite.bookmarks.tasks import import_task
    from suite.jobs import huey
    app, client, progress = _upload_with_a_busy_worker(make_app)
    with app.app_context():
        import_task(ImportRun.get().id)  # the backlog queued it again while the first still waited
        huey.execute(huey.dequeue())
        huey.execute(huey.dequeue())
    status = client.get(progress + ".json").get_json()
    assert status["status"] == "done" and (status["created"], status["duplicates"]) == (3, 0)


class WorkerKilled(BaseException):
    """What an import sees of SIGKILL or the OOM killer: nothing after it runs (no except clause)."""


def _kill_the_import(app, monkeypatch, *, after):
    """Run the queued import with batches of two links; its worker dies after indexing ``after`` links."""
    from suite.bookmarks import importer
    from suite.jobs import huey
    real, indexed = importer.index_bookmark, []

    def dying(bookmark, tags):
        if len(indexed) == after:
            raise WorkerKilled()
        indexed.append(bookmark.url)
        real(bookmark, tags)
    monkeypatch.setattr(importer, "BATCH", 2)
    monkeypatch.setattr(importer, "index_bookmark", dying)
    huey.dequeue()  # the worker took the task off the queue
    with app.app_context(), pytest.raises(WorkerKilled):
        importer.run_import(ImportRun.get().id)
    monkeypatch.setattr(importer, "index_bookmark", real)


def _ten_minutes_on(app):
    """The run's upload and last batch lie eleven minutes back; the minute's backlog runs."""
    import datetime

    from suite.bookmarks.importer import requeue_stalled_imports
    with app.app_context():
        run = ImportRun.get()
        ago = datetime.timedelta(minutes=11)
        ImportRun.update(created_at=run.created_at - ago, progressed_at=run.progressed_at - ago).execute()
        return requeue_stalled_imports()


def test_an_import_whose_worker_died_resumes_after_its_last_saved_batch(make_app, monkeypatch):
    """A worker killed mid-file (SIGKILL, the OOM killer, a container restart) left the run "running"
    for good, its file kept. Ten minutes without a batch, the minute's backlog sets it back to
    pending and queues it: it goes on after the last batch saved, and its file goes when it ends."""
    from suite.bookmarks.importer import imports_dir, requeue_stalled_imports
    from suite.jobs import huey
    app, client, progress = _upload_with_a_busy_worker(make_app)
    _kill_the_import(app, monkeypatch, after=2)  # in the second batch of two
    status = client.get(progress + ".json").get_json()
    assert (status["status"], status["processed"], status["created"]) == ("running", 2, 2)
    with app.app_context():
        assert requeue_stalled_imports() == 0  # a batch a moment ago: its worker may be at the next one
        assert ImportRun.get().status == "running"
    assert _ten_minutes_on(app) == 1
    huey.execute(huey.dequeue())
    status = client.get(progress + ".json").get_json()
    assert (status["status"], status["processed"], status["created"], status["duplicates"]) == ("done", 5, 3, 0)
    assert status["message"] == "3 imported, 0 already saved, 2 skipped (not http/https)."
    with app.app_context():
        assert Bookmark.select().count() == 3 and os.listdir(imports_dir()) == []


def test_an_import_that_kills_its_worker_each_time_fails_after_three_tries(make_app, monkeypatch):
    from suite.bookmarks.importer import MAX_STALLS, imports_dir
    app, client, progress = _upload_with_a_busy_worker(make_app)
    for attempt in range(MAX_STALLS):
        _kill_the_import(app, monkeypatch, after=2 if attempt == 0 else 0)
        _ten_minutes_on(app)
    status = client.get(progress + ".json").get_json()
    assert status["status"] == "failed" and "2 bookmarks were imported" in status["message"]
    assert "Upload the file again" in status["message"]
    with app.app_context():
        assert os.listdir(imports_dir()) == []


def test_a_link_saved_while_its_file_is_imported_counts_as_already_saved(app, users, monkeypatch):
    """Saved (the API, the bookmarklet, another import) after the batch looked for saved links, it
    failed the insert on PostgreSQL (unique url_hash) and stopped the import halfway. It is now
    skipped as already saved and keeps its own tags and search entry."""
    from suite.bookmarks import importer
    from suite.bookmarks.bookmarks import add_bookmark, tags_of
    from suite.search.models import SearchDoc
    real = importer._save_batch

    def meanwhile(user, rows, *args):
        add_bookmark(user, "https://git-scm.com/", tags="mine", enqueue=False)
        return real(user, rows, *args)
    monkeypatch.setattr(importer, "_save_batch", meanwhile)
    with app.app_context():
        assert importer.import_entries(users["alice"], netscape.parse(FIREFOX.encode())) == (2, 1, 2)
        git = Bookmark.get(Bookmark.url == "https://git-scm.com/")
        assert tags_of(git) == ["mine"]
        [doc] = SearchDoc.select().where(SearchDoc.kind == "bookmark", SearchDoc.item_id == str(git.id))
        assert doc.tags.split() == ["mine"]


def test_two_imports_of_one_account_at_the_same_moment_save_each_link_once(app, users):
    """The form sent twice, or Firefox's and Chrome's exports (the same links in another order)
    uploaded together: on PostgreSQL one import stopped halfway with a unique violation."""
    from suite.auth.models import User
    from suite.bookmarks.importer import import_entries
    from tests.bookmarks.conftest import at_the_same_moment
    common = [netscape.Entry(url=f"https://shared.example/{i}", tags=[f"t{i % 7}"]) for i in range(700)]
    files = [common + [netscape.Entry(url=f"https://firefox.example/{i}") for i in range(100)],
             common[::-1] + [netscape.Entry(url=f"https://chrome.example/{i}") for i in range(100)]]
    results = []
    errors = at_the_same_moment(app, 2, lambda i: results.append(
        import_entries(User.get_by_id(users["alice"].id), files[i], private_default=False)))
    assert errors == []
    assert sum(created for created, _d, _i in results) == 900
    assert sum(duplicates for _c, duplicates, _i in results) == 700
    with app.app_context():
        assert Bookmark.select().count() == 900


def test_running_import_page_refreshes_without_javascript(alice_client, app, users):
    with app.app_context():
        run = ImportRun.create(owner=users["alice"].id, total=10, status="running")
    html = alice_client.get(f"/bookmarks/import/{run.id}").data
    assert b'<noscript><meta http-equiv="refresh"' in html


def test_someone_elses_import_is_404(bob_client, app, users):
    with app.app_context():
        run = ImportRun.create(owner=users["alice"].id, total=1)
    assert bob_client.get(f"/bookmarks/import/{run.id}.json").status_code == 404


def test_export_html_round_trips(alice_client, app, users):
    add(alice_client, "https://example.com/a", title="A & B", description="desc <1>", tags="x y", unread="y")
    add(alice_client, "https://example.com/b", title="Public one", is_private="")
    exported = alice_client.get("/bookmarks/export.html")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    entries = {e.url: e for e in netscape.parse(exported.data)}
    a = entries["https://example.com/a"]
    assert (a.title, a.description, sorted(a.tags), a.private, a.unread) == ("A & B", "desc <1>", ["x", "y"], True, True)
    assert entries["https://example.com/b"].private is False
    # and back into another account, unchanged
    from suite.auth.accounts import create_user
    from suite.bookmarks.importer import import_entries
    with app.app_context():
        carol = create_user("carol", "correct horse battery")
        assert import_entries(carol, list(entries.values())) == (2, 0, 0)
        again = Bookmark.get(Bookmark.owner == carol.id, Bookmark.url == "https://example.com/a")
        assert (again.title, again.tag_names, again.unread) == ("A & B", ["x", "y"], True)


def test_notes_round_trip_in_the_format_linkding_writes(alice_client, app, users):
    """Notes were in no export the suite could import back: moving to another instance lost them."""
    notes = "My reading notes:\n\n- point <one> & two\n- [link](https://example.com/x)"
    add(alice_client, "https://example.com/n", title="Noted", description="A description", notes=notes)
    exported = alice_client.get("/bookmarks/export.html").get_data(as_text=True)
    assert "<DD>A description[linkding-notes]My reading notes:" in exported and "&lt;one&gt; &amp; two" in exported
    from suite.auth.accounts import create_user
    from suite.bookmarks.importer import import_entries
    with app.app_context():
        carol = create_user("carol", "correct horse battery")
        import_entries(carol, netscape.parse(exported.encode()))
        again = Bookmark.get(Bookmark.owner == carol.id)
        assert (again.description, again.notes) == ("A description", notes)


def test_linkding_notes_come_in_as_notes_not_as_description_text():
    data = b"""<!DOCTYPE NETSCAPE-Bookmark-file-1>
<DL><p><DT><A HREF="https://example.com/l" ADD_DATE="1700000000" TAGS="a">Linkding</A>
<DD>What it is[linkding-notes]Line one
Line two &amp; more[/linkding-notes]
<DT><A HREF="https://example.com/m">Only notes</A>
<DD>[linkding-notes]Just notes[/linkding-notes]
</DL>"""
    first, second = netscape.parse(data)
    assert (first.description, first.notes) == ("What it is", "Line one\nLine two & more")
    assert (second.description, second.notes) == ("", "Just notes")


def test_an_untitled_bookmark_round_trips_untitled_so_the_fetch_can_name_it(open_app, open_client, site):
    from suite.auth.accounts import create_user
    from suite.auth.models import User
    from suite.bookmarks.bookmarks import add_bookmark
    from suite.bookmarks.importer import import_entries
    from suite.bookmarks.tasks import process_backlog
    url = f"{site.url}/plain"
    with open_app.app_context():
        add_bookmark(User.by_name("alice"), url, enqueue=False)  # not fetched yet: no title
    exported = open_client.get("/bookmarks/export.html").data
    assert f'">{url}</A>'.encode() in exported  # a browser opening the file shows the address
    entries = netscape.parse(exported)
    assert [(e.url, e.title) for e in entries] == [(url, "")]
    with open_app.app_context():
        carol = create_user("carol", "correct horse battery")
        import_entries(carol, entries)
        process_backlog(min_age=0)
        assert Bookmark.get(Bookmark.owner == carol.id).title == "Plain page"  # the page's own title


def test_export_json(alice_client):
    add(alice_client, "https://example.com/a", title="A", tags="t")
    data = json.loads(alice_client.get("/bookmarks/export.json").data)
    assert data["bookmarks"][0]["url"] == "https://example.com/a" and data["bookmarks"][0]["tags"] == ["t"]


@pytest.fixture
def many(app, alice_client, bob_client, monkeypatch):
    """Alice's 7 bookmarks (three added in the same microsecond) read 3 at a time; one of Bob's."""
    from suite.bookmarks import bookmarks as svc
    monkeypatch.setattr(svc, "EXPORT_BATCH", 3)
    for n in range(7):
        add(alice_client, f"https://example.com/{n}", title=f"Number {n}", tags=f"n{n} all")
    add(bob_client, "https://example.com/bobs", title="Not Alice's")
    with app.app_context():
        ids = [b.id for b in Bookmark.select().order_by(Bookmark.id)]
        same = Bookmark.get_by_id(ids[1]).created_at
        Bookmark.update(created_at=same).where(Bookmark.id.in_(ids[1:4])).execute()
        Bookmark.update(created_at=same.replace(year=same.year - 1, microsecond=0)).where(Bookmark.id == ids[5]).execute()
        return [b.url for b in Bookmark.select().where(Bookmark.id.in_(ids[:7]))
                .order_by(Bookmark.created_at, Bookmark.id)]


def test_an_export_streams_every_bookmark_in_batches_oldest_first(alice_client, many):
    resp = alice_client.get("/bookmarks/export.json")
    assert resp.is_streamed and resp.status_code == 200
    exported = json.loads(resp.data)["bookmarks"]
    assert [b["url"] for b in exported] == many  # the year-older one first, the three alike in id order
    assert all(sorted(b["tags"]) == ["all", b["title"].replace("Number ", "n")] for b in exported)
    html = alice_client.get("/bookmarks/export.html")
    assert html.is_streamed
    assert [e.url for e in netscape.parse(html.data)] == many


def _big_file(n):
    rows = "\n".join(f'<DT><A HREF="https://site{i % 50}.example/page/{i}" ADD_DATE="{1500000000 + i}" '
                     f'TAGS="t{i % 7},bulk">Page {i}</A>' for i in range(n))
    return f"{netscape.DOCTYPE}\n<TITLE>Bookmarks</TITLE>\n<DL><p>\n{rows}\n</DL><p>\n"


def test_cli_import_with_progress_bar(app, runner, users, tmp_path):
    path = tmp_path / "big.html"
    path.write_text(_big_file(1200))
    result = runner.invoke(import_command, [str(path), "--user", "alice"])
    assert result.exit_code == 0, result.output
    assert "1200 imported" in result.output and "Importing" in result.output
    with app.app_context():
        assert Bookmark.select().count() == 1200
        assert Bookmark.get(Bookmark.url == "https://site3.example/page/3").tag_names == ["bulk", "t3"]


def test_cli_import_refuses_bad_file_and_unknown_user(runner, users, tmp_path):
    path = tmp_path / "x.html"
    path.write_text("nope")
    assert "not a Netscape bookmark file" in runner.invoke(import_command, [str(path), "--user", "alice"]).output
    assert "no user named" in runner.invoke(import_command, [str(path), "--user", "zed"]).output


def test_cli_thumbnails_missing_for_one_user(make_app, site):
    app = make_app(FETCH_ALLOW_HOSTS="127.0.0.1")
    from suite.auth.accounts import create_user
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        alice = create_user("alice", "correct horse battery")
        add_bookmark(alice, f"{site.url}/article", enqueue=False)
        add_bookmark(alice, f"{site.url}/plain", enqueue=False)
    result = app.test_cli_runner().invoke(thumbnails_command, ["--missing", "--user", "alice"])
    assert result.exit_code == 0, result.output
    assert "made 2 thumbnails: 1 card, 1 og:image" in result.output
    with app.app_context():
        assert all(b.thumb_small for b in Bookmark.select())
    again = app.test_cli_runner().invoke(thumbnails_command, ["--missing"])
    assert "made 0 thumbnails" in again.output


def test_an_export_is_one_view_of_the_bookmarks_while_they_change(alice_client, app, many):
    from suite.bookmarks import bookmarks as svc
    from suite.extensions import db
    with app.app_context():
        db.connect(reuse_if_open=True)
        alice = Bookmark.get(Bookmark.url == many[0]).owner_id
        rows = svc.each_bookmark(alice)
        seen = [next(rows).url]
        last = Bookmark.get(Bookmark.url == many[-1]).id
        deleted = _in_a_thread(lambda: alice_client.post(f"/bookmarks/{last}/delete", data={}))
        assert deleted.status_code == 302
        added = _in_a_thread(lambda: add(alice_client, "https://example.com/later", title="Later"))
        assert added.status_code == 302
        seen += [b.url for b in rows]
        rows.close()
        db.close()
    assert seen == many  # as they were when the export began: the deleted one in, the later one out
