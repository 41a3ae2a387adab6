"""The task worker SIGKILLed while Chromium takes a screenshot: the bookmark is picked up again and finishes."""
import os
import signal
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest
import requests

from tests.conftest import chromium_path
from tests.faults.instance import send_html, start_site

pytestmark = pytest.mark.browser


class _SlowSite(BaseHTTPRequestHandler):
    """A page whose picture takes long: Chromium asking for it means a screenshot is under way."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/slow.png":
            self.server.browser_waiting.set()
            time.sleep(8)
            return
        send_html(self, b'<html><head><title>Slow picture</title></head><body><h1>Hello</h1>'
                        b'<img src="/slow.png"></body></html>')


@pytest.fixture
def slow_site():
    server = start_site(_SlowSite, "127.0.0.2", browser_waiting=threading.Event())
    yield server
    server.shutdown()


def test_worker_killed_during_screenshot_is_retried_and_finishes(instance, slow_site, make_app):
    if chromium_path() is None:
        pytest.skip("needs Chromium")
    instance.env.update(SUITE_SCREENSHOT_BACKEND="playwright", SUITE_CHROMIUM_PATH=chromium_path(),
                        SUITE_FETCH_ALLOW_HOSTS="127.0.0.2", SUITE_SCREENSHOT_TIMEOUT="20")
    url = instance.start_server()
    worker = instance.start_manage("worker")
    try:
        resp = requests.post(f"{url}/api/v1/bookmarks", timeout=10, json={"url": f"http://127.0.0.2:{slow_site.server_port}/"},
                             headers={"Authorization": f"Bearer {instance.tokens['alice']}"})
        assert resp.status_code == 201
        assert slow_site.browser_waiting.wait(40), "the worker never started the screenshot"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its Chromium, mid-screenshot
        worker.wait(10)
    state = instance.query("SELECT fetch_status, thumb_status, claimed_at IS NOT NULL FROM bookmark")
    assert state == [("done", "pending", 1)]  # still claimed by the dead worker

    # Its claim runs out after the lease (minutes; here moved back an hour), and the worker's next
    # backlog round (every minute; here called without the settle delay) finishes it.
    with sqlite3.connect(instance.db_path, timeout=10) as con:
        con.execute("UPDATE bookmark SET claimed_at = datetime(claimed_at, '-1 hour')")
    app = make_app(DATABASE_URL=f"sqlite:///{instance.db_path}", MEDIA_PATH=str(instance.path / "media"))
    from suite.bookmarks.tasks import process_backlog
    with app.app_context():
        from suite.extensions import db
        with db.connection_context():
            assert process_backlog(min_age=0) == 1
    assert instance.query("SELECT thumb_status FROM bookmark") == [("done",)]
