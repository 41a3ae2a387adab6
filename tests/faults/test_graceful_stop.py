"""SIGTERM while a task runs: `run` and `worker` let it finish (and give back its claim), within a bounded wait."""
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest
import requests

from tests.faults.instance import send_html, start_site


class _SlowPage(BaseHTTPRequestHandler):
    """``/slow/N``: a page that takes N seconds; ``server.asked`` is set once a fetch started."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.asked.set()
        time.sleep(float(self.path.rsplit("/", 1)[-1]))
        send_html(self, b"<html><head><title>Slow page</title></head><body>slow</body></html>")


@pytest.fixture
def slow_site():
    server = start_site(_SlowPage, "127.0.0.1", asked=threading.Event())
    yield server
    server.shutdown()


def _bookmark_then_sigterm(instance, slow_site, seconds, process):
    """Save a bookmark of a page taking ``seconds``, SIGTERM ``process`` once its fetch started; returns
    how long the process took to exit and its status."""
    resp = requests.post(f"{instance.url}/api/v1/bookmarks", timeout=10,
                         json={"url": f"http://127.0.0.1:{slow_site.server_port}/slow/{seconds}"},
                         headers={"Authorization": f"Bearer {instance.tokens['alice']}"})
    assert resp.status_code == 201, resp.text
    assert slow_site.asked.wait(30), "the task never started"
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    status = process.wait(60)
    return time.monotonic() - started, status


def test_run_lets_a_running_task_finish_on_sigterm(instance, slow_site):
    instance.env.update(SUITE_FETCH_ALLOW_HOSTS="127.0.0.1")
    instance.start_server(worker=True)
    took, status = _bookmark_then_sigterm(instance, slow_site, 3, instance.server)
    assert status == 0
    assert instance.query("SELECT fetch_status, claimed_at FROM bookmark") == [("done", None)]


def test_run_stops_within_the_shutdown_timeout_when_a_task_takes_longer(instance, slow_site):
    instance.env.update(SUITE_FETCH_ALLOW_HOSTS="127.0.0.1", SUITE_FETCH_TIMEOUT="60", SUITE_SHUTDOWN_TIMEOUT="2")
    instance.start_server(worker=True)
    took, status = _bookmark_then_sigterm(instance, slow_site, 40, instance.server)
    assert status == 0 and took < 15, f"took {took:.1f} s to stop"


def test_worker_lets_a_running_task_finish_on_sigterm(instance, slow_site):
    instance.env.update(SUITE_FETCH_ALLOW_HOSTS="127.0.0.1")
    instance.start_server()
    worker = instance.start_manage("worker")
    try:
        took, status = _bookmark_then_sigterm(instance, slow_site, 3, worker)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert status == 0
    assert instance.query("SELECT fetch_status, claimed_at FROM bookmark") == [("done", None)]
