"""Background work: the dead-link check (bounded, per host) and the backlog of imported bookmarks."""
import time

from suite.bookmarks.models import Bookmark
from suite.bookmarks.tasks import check_links, process_backlog
from tests.bookmarks.conftest import dripped


def _user_with(app, urls):
    from suite.auth.accounts import create_user
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        user = create_user("alice", "correct horse battery")
        for url in urls:
            add_bookmark(user, url, enqueue=False)
        Bookmark.update(fetch_status="done").execute()
    return user


def test_dead_link_check_marks_broken_and_filter_shows_them(open_app, site):
    user = _user_with(open_app, [f"{site.url}/article", f"{site.url}/gone", "http://no-such-host.invalid/"])
    with open_app.app_context():
        assert check_links(spacing=0) == 3
        broken = {b.url: b.check_error for b in Bookmark.select().where(Bookmark.is_broken == True)}  # noqa: E712
    assert set(broken) == {f"{site.url}/gone", "http://no-such-host.invalid/"}
    assert broken[f"{site.url}/gone"] == "HTTP 404"
    client = open_app.test_client()
    from tests.conftest import sign_in
    sign_in(client, user)
    html = client.get("/bookmarks/?broken=1&view=list").get_data(as_text=True)
    assert "/gone" in html and "/article" not in html


def test_dead_link_check_is_bounded_per_run_and_per_host(open_app, site):
    _user_with(open_app, [f"{site.url}/article?{i}" for i in range(6)] + [f"http://127.0.0.2:{site.spy.server_port}/x"])
    with open_app.app_context():
        assert check_links(limit=10, per_host=2, spacing=0) == 3
        assert Bookmark.select().where(Bookmark.checked_at.is_null(False)).count() == 3
        assert check_links(limit=1, per_host=2, spacing=0) == 1


def test_dead_link_check_spaces_requests_to_one_host(open_app, site):
    _user_with(open_app, [f"{site.url}/article?{i}" for i in range(3)])
    with open_app.app_context():
        started = time.monotonic()
        check_links(limit=3, per_host=3, spacing=0.3)
        assert time.monotonic() - started >= 0.6


def test_backlog_fetches_pending_bookmarks_in_bounded_batches(open_app, site):
    _user_with(open_app, [])
    from suite.auth.models import User
    from suite.bookmarks.bookmarks import add_bookmark
    with open_app.app_context():
        user = User.get()
        for i in range(3):
            add_bookmark(user, f"{site.url}/plain?{i}", enqueue=False)
        assert process_backlog(limit=2) == 0  # just saved: their own tasks are queued
        assert process_backlog(limit=2, min_age=0) == 2
        assert Bookmark.select().where(Bookmark.fetch_status == "pending").count() == 1
        assert process_backlog(limit=2, min_age=0) == 1
        assert all(b.thumb_small for b in Bookmark.select())


def _settled_pending(app, site, n):
    """``n`` pending bookmarks saved long ago (an import's): the backlog's work."""
    import datetime

    from suite.auth.models import utcnow
    _user_with(app, [f"{site.url}/plain?{i}" for i in range(n)])
    with app.app_context():
        Bookmark.update(fetch_status="pending", updated_at=utcnow() - datetime.timedelta(days=1)).execute()


def _pending(app):
    with app.app_context():
        return Bookmark.select().where(Bookmark.fetch_status == "pending").count()


def test_a_backlog_run_while_another_works_ends_at_once(open_app, site):
    """Queued every minute, backlog runs piled up behind one that took longer (50 pages with their
    pictures take minutes) and held every task thread: a bookmark just saved waited for them all.
    While a run works, in any process, the next ones end at once."""
    from suite import leases
    from suite.bookmarks.tasks import BACKLOG_LEASE, backlog_task
    _settled_pending(open_app, site, 2)
    with open_app.app_context():
        token = leases.take(BACKLOG_LEASE, 60)  # another worker's run
        assert backlog_task.call_local() == 0
    assert _pending(open_app) == 2
    with open_app.app_context():
        leases.give_back(BACKLOG_LEASE, token)
        assert backlog_task.call_local() == 2
        assert backlog_task.call_local() == 0  # the lease was given back: the next run works too
    assert _pending(open_app) == 0


def test_a_backlog_run_starts_no_bookmark_after_its_time_budget(open_app, site, monkeypatch):
    """So it leaves its task thread within its minute; the rest waits for the next run."""
    from suite.bookmarks import crawl
    monkeypatch.setattr(crawl, "process", lambda bookmark_id: time.sleep(0.4))
    _settled_pending(open_app, site, 6)
    with open_app.app_context():
        assert process_backlog(budget=1.0) == 3  # started at 0, 0.4 and 0.8 s


def test_saving_answers_at_once_and_queues_the_fetch(make_app, site):
    from suite.auth.accounts import create_user
    from suite.jobs import huey
    from tests.bookmarks.conftest import add
    app = make_app(TASKS_IMMEDIATE=False, FETCH_ALLOW_HOSTS="127.0.0.1")
    with app.app_context():
        user = create_user("alice", "correct horse battery")
    client = app.test_client()
    from tests.conftest import sign_in
    sign_in(client, user)
    assert add(client, f"{site.url}/article").status_code == 302
    with app.app_context():
        assert Bookmark.get().status == "pending"
    assert huey.pending_count() == 1
    huey.execute(huey.dequeue())
    with app.app_context():
        b = Bookmark.get()
        assert (b.status, b.title, b.thumb_source) == ("done", "A Tale of Two Pages", "og:image")


def test_dead_link_check_leaves_refused_addresses_unbroken(make_app):
    app = make_app()  # no FETCH_ALLOW_HOSTS: private addresses are refused, never requested
    _user_with(app, ["http://10.1.2.3/intranet", "http://127.0.0.1:9/admin"])
    with app.app_context():
        assert check_links(spacing=0) == 2
        checked = list(Bookmark.select())
    assert [b.is_broken for b in checked] == [False, False]
    assert all(b.checked_at and b.check_error for b in checked)  # why it was not checked, on the detail page


def test_dead_link_check_keeps_a_broken_mark_it_could_not_recheck(make_app):
    app = make_app()
    _user_with(app, ["http://10.1.2.3/intranet"])
    with app.app_context():
        Bookmark.update(is_broken=True).execute()
        check_links(spacing=0)
        assert Bookmark.get().is_broken


def test_dead_link_check_takes_busy_answers_and_timeouts_as_unknown(make_app, site):
    """429, 503 and no answer in time say "not now", not "gone": the reason is recorded and the
    broken mark stays as it was, unbroken or broken. A 404 still marks a bookmark broken."""
    app = make_app(FETCH_ALLOW_HOSTS="127.0.0.1", FETCH_TIMEOUT=1.0)  # /slow answers after 3 s
    unknown = [f"{site.url}/busy", f"{site.url}/unavailable", f"{site.url}/slow"]
    _user_with(app, [*unknown, f"{site.url}/gone"])
    with app.app_context():
        assert check_links(per_host=4, spacing=0) == 4
        checked = {b.url: b for b in Bookmark.select()}
        assert [checked[url].is_broken for url in unknown] == [False, False, False]
        assert checked[f"{site.url}/busy"].check_error == "HTTP 429: the site is busy; checked again later"
        assert checked[f"{site.url}/unavailable"].check_error == "HTTP 503: the site is busy; checked again later"
        assert checked[f"{site.url}/slow"].check_error == "127.0.0.1 did not answer within 1 s."
        assert checked[f"{site.url}/gone"].is_broken
        Bookmark.update(is_broken=True).execute()  # found broken before: a busy answer does not mend it
        assert check_links(per_host=4, spacing=0) == 4
        assert all(b.is_broken for b in Bookmark.select())


def test_a_bookmark_whose_page_drips_fails_at_the_fetch_deadline(make_app, site):
    """The fetch task gives a page DEADLINE_FACTOR × FETCH_TIMEOUT in all, then records why it stopped."""
    app = make_app(FETCH_ALLOW_HOSTS="127.0.0.1", FETCH_TIMEOUT=0.5)  # deadline 1.5 s; a byte every 0.1 s
    _user_with(app, [])
    from suite.auth.models import User
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        add_bookmark(User.get(), f"{site.url}/drip?task")  # the task runs inline here
        bookmark = Bookmark.get()
    assert bookmark.fetch_status == "failed"
    assert bookmark.fetch_error == "The page took longer than 1.5 s to arrive from 127.0.0.1; the fetch was stopped."
    assert dripped(site, "/drip?task") == "cut"


def test_the_dead_link_check_gives_up_on_dripping_headers_at_the_deadline(make_app, site):
    app = make_app(FETCH_ALLOW_HOSTS="127.0.0.1", FETCH_TIMEOUT=0.5)
    _user_with(app, [f"{site.url}/drip-headers?check"])
    with app.app_context():
        check_links(spacing=0)
        bookmark = Bookmark.get()
    assert "took longer than 1.5 s to arrive" in bookmark.check_error
    assert not bookmark.is_broken  # no answer in time is unknown, not a dead link
    assert dripped(site, "/drip-headers?check") == "cut"
