"""With SUITE_REDIS_URL set and Redis down, requests still work: limits fail open, queued work waits for the backlog.

A real redis-server is started on a free port and stopped (SIGTERM) before the requests.
"""
import logging
import shutil
import subprocess
import time

import pytest

from tests.faults.instance import free_port

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


@pytest.fixture
def redis_url():
    """A redis-server of this test: its URL while it runs, stopped at the end."""
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", server
    if server.poll() is None:
        server.terminate()
    server.wait(10)


@pytest.fixture
def app(make_app, redis_url):
    """The suite with its queue and rate limits in that Redis, which is then stopped."""
    url, server = redis_url
    app = make_app(REDIS_URL=url, TASKS_IMMEDIATE=False)
    server.terminate()
    server.wait(10)
    return app


def _warnings(caplog, name):
    return [r for r in caplog.records if r.name == name and r.levelno == logging.WARNING]


def test_api_requests_are_served_unlimited_with_one_warning(app, client, token, caplog):
    headers = {"Authorization": f"Bearer {token}"}
    codes = [client.get("/api/v1/search?q=x", headers=headers).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    warned = _warnings(caplog, "suite.ratelimit")
    assert len(warned) == 1 and "not enforced" in warned[0].getMessage()


def test_an_anonymous_paste_is_saved_and_shown(app, client):
    resp = client.post("/paste/", data={"content": "written while redis was down", "visibility": "public"},
                       headers={"Accept": "text/html"})
    assert resp.status_code in (201, 302, 303), resp.status_code
    assert "written while redis was down" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_a_bookmark_is_saved_and_left_pending_for_the_backlog(app, alice_client, caplog):
    from suite.bookmarks.models import Bookmark
    resp = alice_client.post("/bookmarks/add", data={"url": "https://example.com/while-down", "title": "Down"})
    assert resp.status_code in (302, 303), resp.status_code
    with app.app_context():
        saved = Bookmark.get(Bookmark.url == "https://example.com/while-down")
        assert saved.fetch_status == "pending"  # the per-minute backlog fetches it once the queue works
    warned = _warnings(caplog, "suite.jobs")
    assert len(warned) == 1 and "left to the backlog" in warned[0].getMessage()


def test_a_paste_too_slow_to_highlight_in_the_request_is_saved_and_shown_plain(make_app, redis_url):
    url, server = redis_url
    app = make_app(REDIS_URL=url, TASKS_IMMEDIATE=False, HIGHLIGHT_TIMEOUT=0.001)
    server.terminate()
    server.wait(10)
    client = app.test_client()
    source = "".join(f"def f{i}(x):\n    return x * {i}\n" for i in range(3000))
    resp = client.post("/paste/", data={"content": source, "lang": "python", "visibility": "public"},
                       headers={"Accept": "text/html"})
    assert resp.status_code in (201, 302, 303), resp.status_code
    page = client.get(resp.headers["Location"])  # asks the queue again for the highlighting: not a 500 either
    assert page.status_code == 200 and "def f2999(x):" in page.get_data(as_text=True)
