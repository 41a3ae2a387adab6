"""The app factory: configuration layers, the instance folder and the secret key."""
import os
import subprocess
import sys

import pytest

from suite import create_app
from suite.config import SETTINGS


def test_defaults_put_everything_writable_in_the_instance_folder(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/suite.db"
    assert app.config["MEDIA_PATH"] == str(tmp_path / "media")
    assert os.path.isdir(tmp_path / "media")


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert oct(os.stat(tmp_path / "secret_key").st_mode & 0o777) == "0o600"
    other = create_app({"INSTANCE_PATH": str(tmp_path / "elsewhere")}).config["SECRET_KEY"]
    assert other != first


def _key_after_barrier(args):
    from suite.config import instance_secret_key
    folder, barrier = args
    barrier.wait()
    return instance_secret_key(folder)


def test_processes_starting_together_on_a_new_instance_agree_on_one_secret_key(tmp_path):
    """gunicorn's workers, `run` and `worker` may all be the first to start: one key, or sessions break."""
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    for trial in range(15):
        folder = tmp_path / f"t{trial}"
        folder.mkdir()
        barrier = ctx.Manager().Barrier(6)
        with ctx.Pool(6) as pool:
            keys = pool.map(_key_after_barrier, [(str(folder), barrier)] * 6)
        assert len(set(keys)) == 1 and (folder / "secret_key").read_text() == keys[0]
        assert sorted(os.listdir(folder)) == ["secret_key"]  # no temporary file left


def test_a_damaged_secret_key_file_is_replaced_whole(tmp_path):
    (tmp_path / "secret_key").write_text("short")
    key = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert len(key) >= 32 and (tmp_path / "secret_key").read_text() == key


def test_instance_config_then_environment_then_overrides(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("REGISTRATION = 'closed'\nPASTE_MAX_BYTES = 10\nWIKI_READ = 'users'\n")
    monkeypatch.setenv("SUITE_PASTE_MAX_BYTES", "20")
    monkeypatch.setenv("SUITE_HTTPS", "true")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "WIKI_READ": "anonymous"})
    assert app.config["REGISTRATION"] == "closed"       # instance/config.py
    assert app.config["PASTE_MAX_BYTES"] == 20          # environment beats the file
    assert app.config["HTTPS"] is True and app.config["SESSION_COOKIE_SECURE"]
    assert app.config["WIKI_READ"] == "anonymous"       # overrides beat everything


def test_instance_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SUITE_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app()
    assert app.instance_path == str(tmp_path / "inst")


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("TASK_WORKERS", "4", 4), ("HTTPS", "0", False), ("HTTPS", "yes", True),
    ("HIGHLIGHT_TIMEOUT", "0.5", 0.5)])
def test_environment_values_are_coerced_to_the_settings_type(tmp_path, monkeypatch, name, value, expected):
    monkeypatch.setenv(f"SUITE_{name}", value)
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config[name] == expected


def test_bad_values_fail_fast_with_the_setting_name(tmp_path, monkeypatch):
    monkeypatch.setenv("SUITE_TASK_WORKERS", "many")
    with pytest.raises(ValueError, match="SUITE_TASK_WORKERS"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_upload_limit_sets_max_content_length(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "MAX_UPLOAD_BYTES": 1234})
    assert app.config["MAX_CONTENT_LENGTH"] == 1234


def test_every_setting_is_documented_in_the_readme():
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md")).read()
    missing = [s.name for s in SETTINGS if f"SUITE_{s.name}" not in readme]
    assert missing == []


def test_health_check(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_home_shows_the_three_apps(client):
    html = client.get("/").get_data(as_text=True)
    for title in ("Bookmarks", "Pastes", "Wiki"):
        assert title in html


ARENAS_SCRIPT = r"""
import ctypes, os, re, sys, tempfile, threading
from suite import create_app
create_app({"INSTANCE_PATH": sys.argv[1], "DATABASE_URL": "sqlite:///" + sys.argv[1] + "/s.db"})
start = threading.Barrier(4)
def work():
    start.wait()
    kept = [bytearray(200) for _ in range(20000)]
threads = [threading.Thread(target=work) for _ in range(4)]
[t.start() for t in threads]; [t.join() for t in threads]
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
path = os.path.join(sys.argv[1], "malloc.xml")
out = libc.fopen(path.encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(out)); libc.fclose(ctypes.c_void_p(out))
print(len(re.findall(r'<heap nr="\d+">', open(path).read())))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc arenas")
def test_a_process_keeps_one_malloc_arena_for_its_threads(tmp_path):
    """Threads share the main arena (MALLOC_ARENAS=1) instead of growing one each (glibc's default)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def arenas(setting):
        inst = tmp_path / setting
        inst.mkdir()
        env = dict(os.environ, SUITE_MALLOC_ARENAS=setting, PYTHONPATH=root)
        out = subprocess.run([sys.executable, "-c", ARENAS_SCRIPT, str(inst)], env=env, cwd=root,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr[-2000:]
        return int(out.stdout.split()[-1])
    assert arenas("1") == 1
    assert arenas("0") > 1
