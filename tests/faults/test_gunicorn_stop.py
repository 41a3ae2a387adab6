"""gunicorn stops promptly on SIGTERM, also after its workers forked highlight and render children."""
import os
import signal
import subprocess
import sys
import time

import requests

from tests.faults.instance import ROOT, free_port


def test_sigterm_stops_gunicorn_quickly_after_a_paste_was_highlighted(instance):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--graceful-timeout", "30",
                               "--bind", f"127.0.0.1:{port}", "suite:create_app()"], cwd=ROOT,
                              env=dict(instance.env, SUITE_TASKS_IMMEDIATE="1"), start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{url}/healthz", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {instance.tokens['alice']}"}
        for i in range(4):  # on either worker: each forks its highlight child
            resp = requests.post(f"{url}/api/v1/pastes", headers=headers, timeout=10,
                                 json={"content": f"print({i})\n", "lang": "python"})
            assert resp.status_code == 201, resp.text
        children = subprocess.run(["ps", "-o", "pid=", "-g", str(server.pid)], capture_output=True, text=True)
        assert len(children.stdout.split()) > 3  # master, 2 workers, and at least one highlight child

        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(40)
        stopped = time.monotonic() - started
        assert stopped < 10, f"gunicorn took {stopped:.1f} s to stop"
        assert b"Bad file descriptor" not in server.stderr.read()
        time.sleep(0.5)
        left = subprocess.run(["ps", "-o", "pid=", "-g", str(server.pid)], capture_output=True, text=True)
        assert left.stdout.split() == [], "processes of the group outlived gunicorn"
    finally:
        try:
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.wait(10)
