"""Stopping `manage.py run` the way service managers do, and putting a backup back with `manage.py restore`."""
import os
import re
import signal
import subprocess
import sys
import time

import requests

from tests.faults.instance import ROOT


def _paste(url, token, text):
    resp = requests.post(f"{url}/api/v1/pastes", headers={"Authorization": f"Bearer {token}"}, timeout=10,
                         json={"content": text * 300, "visibility": "public"})
    assert resp.status_code == 201, resp.text
    return resp.json()["slug"]


def _terminate(instance):
    """SIGTERM, as `systemctl stop` and `docker stop` send it; returns the exit status."""
    os.kill(instance.server.pid, signal.SIGTERM)
    return instance.server.wait(30)


def test_sigterm_stops_run_cleanly_and_leaves_the_database_as_one_file(instance):
    url = instance.start_server()
    for i in range(20):
        _paste(url, instance.tokens["alice"], f"line {i}\n")
    assert os.path.getsize(f"{instance.db_path}-wal") > 0  # the writes are in the write-ahead log
    assert _terminate(instance) == 0
    assert not os.path.exists(f"{instance.db_path}-wal")  # checkpointed into suite.db when the pool closed
    assert instance.integrity() == ("ok", [])
    assert instance.query("SELECT count(*) FROM paste") == [(20,)]


def _backup_between_writes(instance, backup, before, after):
    """Serve, write ``before`` pastes, back up to ``backup``, write ``after`` more; returns both lists of slugs."""
    url = instance.start_server()
    token = instance.tokens["alice"]
    written = [_paste(url, token, f"before {i}\n") for i in range(before)]
    instance.manage("backup", str(backup))
    return written, [_paste(url, token, f"after {i}\n") for i in range(after)]


def test_restore_refuses_while_the_server_runs_then_puts_the_backup_back(instance, tmp_path):
    backup = tmp_path / "backup.db"
    before, after = _backup_between_writes(instance, backup, 10, 10)

    refused = instance.manage("restore", str(backup), "--force", check=False)
    assert refused.returncode != 0 and "stop them first" in refused.stderr, refused.stderr
    assert instance.query("SELECT count(*) FROM paste") == [(20,)]  # untouched

    assert _terminate(instance) == 0
    done = instance.manage("restore", str(backup), "--force")
    assert "restored" in done.stdout
    assert instance.integrity() == ("ok", [])
    assert {slug for (slug,) in instance.query("SELECT slug FROM paste")} == set(before)

    url = instance.start_server()
    assert all(requests.get(f"{url}/paste/{s}/raw", timeout=10).status_code == 200 for s in before)
    assert all(requests.get(f"{url}/paste/{s}/raw", timeout=10).status_code == 404 for s in after)
    _paste(url, instance.tokens["alice"], "written after the restore\n")


def test_restore_after_a_crash_is_not_undone_by_the_left_over_write_ahead_log(instance, tmp_path):
    backup = tmp_path / "backup.db"
    before, _after = _backup_between_writes(instance, backup, 5, 30)
    instance.kill()  # SIGKILL: the -wal file stays behind
    assert os.path.getsize(f"{instance.db_path}-wal") > 0
    instance.manage("restore", str(backup), "--force")
    assert instance.integrity() == ("ok", [])
    assert not os.path.exists(f"{instance.db_path}-wal")
    assert {slug for (slug,) in instance.query("SELECT slug FROM paste")} == set(before)


def test_restore_refuses_a_damaged_or_foreign_file_and_asks_without_force(instance, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    out = instance.manage("restore", str(junk), "--force", check=False)
    assert out.returncode != 0 and "nothing was restored" in out.stderr and "Traceback" not in out.stderr
    backup = tmp_path / "backup.db"
    instance.manage("backup", str(backup))
    asked = subprocess.run([sys.executable, "manage.py", "restore", str(backup)], cwd=ROOT, env=instance.env,
                           input="n\n", capture_output=True, text=True, timeout=60)
    assert asked.returncode != 0 and "Replace" in asked.stdout
    assert instance.query("SELECT count(*) FROM user") == [(1,)]


def test_a_second_run_on_a_port_in_use_fails_before_claiming_to_run_or_starting_tasks(instance):
    url = instance.start_server()
    port = url.rsplit(":", 1)[1]
    second = instance.manage("run", "--host", "127.0.0.1", "--port", port, check=False)
    assert second.returncode == 1 and "cannot serve on 127.0.0.1" in second.stderr
    assert "running at" not in second.stdout
    assert "consumer" not in second.stderr.lower()  # no task worker started on the shared queue


def test_the_task_worker_logs_with_time_level_and_logger(instance):
    worker = instance.start_manage("worker")
    try:
        time.sleep(3)  # huey's start-up lines are written at once
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    lines = worker.stderr.read().decode().splitlines()
    started = [line for line in lines if "consumer" in line.lower()]
    assert started and re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO huey", started[0]), lines[:5]
