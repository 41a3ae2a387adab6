"""Each bookmark's background work is done once: a worker claims the bookmark before fetching it.

A saved, edited or retried bookmark has its own queued task, the per-minute backlog run picks
up pending bookmarks too, and backlog runs overlap when one takes longer than its minute.
The test site counts how often each page is fetched.
"""
import datetime
import uuid

import pytest

from suite.auth.models import utcnow
from suite.bookmarks.models import Bookmark
from suite.bookmarks.tasks import process_backlog
from tests.bookmarks.conftest import at_the_same_moment


@pytest.fixture
def queued_app(make_app):
    """Tasks are queued, not run inline: the test runs them."""
    return make_app(FETCH_ALLOW_HOSTS="127.0.0.1", TASKS_IMMEDIATE=False)


def _counted_urls(site, n):
    run = uuid.uuid4().hex[:8]
    return [f"{site.url}/counted?{run}-{i}" for i in range(n)]


def _fetches(site, urls):
    """How often each URL was fetched."""
    return [sum(1 for hit in site.server.hits if url.endswith(hit)) for url in urls]


def _save(app, urls, *, settled=True, **values):
    """alice's bookmarks of ``urls``, no task queued; ``settled``: last changed long ago."""
    from suite.auth.accounts import create_user
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        user = create_user("alice", "correct horse battery")
        ids = [add_bookmark(user, url, enqueue=False)[0].id for url in urls]
        if settled:
            values["updated_at"] = utcnow() - datetime.timedelta(days=3)
        if values:
            Bookmark.update(values).execute()
    return user, ids


def test_overlapping_backlog_runs_fetch_each_bookmark_once(queued_app, site):
    urls = _counted_urls(site, 3)
    _save(queued_app, urls)
    errors = at_the_same_moment(queued_app, 2, lambda i: process_backlog())
    assert errors == []
    assert _fetches(site, urls) == [1, 1, 1]
    with queued_app.app_context():
        assert [(b.fetch_status, b.claimed_at) for b in Bookmark.select()] == [("done", None)] * 3


def _signed_in(app, user):
    client = app.test_client()
    from tests.conftest import sign_in
    sign_in(client, user)
    return client


def test_a_retried_bookmark_is_fetched_once_by_the_backlog_or_its_task(queued_app, site):
    from suite.jobs import huey
    [url] = _counted_urls(site, 1)
    user, [bid] = _save(queued_app, [url], fetch_status="done", thumb_status="done")
    assert _signed_in(queued_app, user).post(f"/bookmarks/{bid}/retry", data={}).status_code == 302
    with queued_app.app_context():
        process_backlog()  # its updated_at is old: the backlog takes it before the queued task runs
    huey.execute(huey.dequeue())
    assert _fetches(site, [url]) == [1]


def test_retry_clicks_while_the_fetch_is_pending_queue_it_once(queued_app, site):
    from suite.jobs import huey
    from tests.bookmarks.conftest import add
    user, _ = _save(queued_app, [])
    client = _signed_in(queued_app, user)
    add(client, f"{site.url}/plain?{uuid.uuid4().hex}")
    huey.execute(huey.dequeue())
    with queued_app.app_context():
        bid = Bookmark.get().id
    for _ in range(3):
        assert client.post(f"/bookmarks/{bid}/retry", data={}).status_code == 302
    assert huey.pending_count() == 1
    assert "The page is already being fetched." in client.get(f"/bookmarks/{bid}").get_data(as_text=True)


def test_a_claim_held_by_a_live_worker_is_left_alone_and_a_dead_workers_is_taken_over(queued_app, site):
    from suite.bookmarks import crawl
    urls = _counted_urls(site, 2)
    with queued_app.test_request_context():
        lease = crawl.claim_lease()
    now = utcnow()
    _, (live, dead) = _save(queued_app, urls)
    with queued_app.app_context():
        Bookmark.update(claimed_at=now).where(Bookmark.id == live).execute()
        Bookmark.update(claimed_at=now - lease - datetime.timedelta(minutes=1)).where(Bookmark.id == dead).execute()
        assert process_backlog() == 1
    assert _fetches(site, urls) == [0, 1]
