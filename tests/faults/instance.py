"""A real suite instance on a temporary SQLite file, driven through manage.py subprocesses.

The faults are SQLite-file faults (SIGKILL mid-transaction, the online backup, pages running out),
so these tests use their own SQLite instance on either test database.
"""
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


class Instance:
    """One instance folder: run manage.py commands, start and SIGKILL its server, read its database."""

    def __init__(self, path):
        self.path = Path(path)
        self.db_path = self.path / "suite.db"
        self.env = dict(os.environ, SUITE_INSTANCE_PATH=str(self.path), SUITE_SCREENSHOT_BACKEND="none")
        self.env.pop("SUITE_DATABASE_URL", None)
        self.server = None
        self.url = None

    def manage(self, *args, check=True):
        """Run ``manage.py ARGS`` to the end; returns the CompletedProcess."""
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        if check:
            assert done.returncode == 0, done.stderr[-2000:]
        return done

    def start_manage(self, *args):
        """Start ``manage.py ARGS`` in the background (its own process group)."""
        return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)

    def setup(self, *users):
        """Migrate and create users; returns {name: API token}."""
        self.manage("migrate")
        tokens = {}
        for name in users:
            self.manage("create-user", name, "--password", PASSWORD)
            tokens[name] = self.manage("create-token", name).stdout.strip().splitlines()[-1]
        return tokens

    def start_server(self, worker=False):
        """Serve the instance with waitress (``manage.py run``, its task worker only if asked) and wait until it answers."""
        port = free_port()
        self.server = self.start_manage("run", "--host", "127.0.0.1", "--port", str(port),
                                        *(() if worker else ("--no-worker",)))
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self.url
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("the server did not start: " + self.server.stderr.read().decode()[-2000:])

    def kill(self, process=None):
        """SIGKILL a process (the server by default): no cleanup, no commit, no goodbye."""
        process = process or self.server
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop(self):
        """Stop the server if it runs."""
        if self.server and self.server.poll() is None:
            self.kill()

    def query(self, sql, *params):
        """Rows of ``sql`` read straight from the database file."""
        con = sqlite3.connect(self.db_path, timeout=10)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def integrity(self):
        """``PRAGMA integrity_check`` and ``foreign_key_check`` of the database file."""
        return self.query("PRAGMA integrity_check")[0][0], self.query("PRAGMA foreign_key_check")


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send_html(handler, body):
    """Answer a test site's request with the HTML page ``body`` (bytes)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def start_site(handler_class, host, **attributes):
    """A threaded HTTP server of ``handler_class`` on ``host`` (``attributes`` set on it), serving in a thread."""
    server = ThreadingHTTPServer((host, 0), handler_class)
    server.daemon_threads = True
    for name, value in attributes.items():
        setattr(server, name, value)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
