"""A web process imports only what serving needs: heavy optional modules load on first use.

Each check runs in a fresh interpreter, since this test process has imported everything.
"""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def modules_after(tmp_path, code="", **env):
    """Top-level module names loaded after ``create_app()`` (then ``code``) in a new interpreter."""
    script = ("import json, sys\nfrom suite import create_app\napp = create_app()\n" + code +
              "\nprint(json.dumps(sorted({m.split('.')[0] for m, v in sys.modules.items() if v})))")
    env = dict(os.environ, SUITE_INSTANCE_PATH=str(tmp_path), PYTHONPATH=ROOT, **env)
    env.pop("SUITE_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_a_web_process_does_not_import_redis_or_asyncio_without_a_redis_url(tmp_path):
    loaded = modules_after(tmp_path)
    assert "huey" in loaded
    assert "redis" not in loaded


def test_a_redis_url_gives_huey_a_working_redis_storage(tmp_path):
    pytest.importorskip("redis")
    code = ("from suite import jobs\n"
            "storage = jobs.huey.storage\n"
            "assert type(storage).__name__ == 'RedisStorage', type(storage)\n"
            "assert storage.conn.connection_pool.connection_kwargs['port'] == 6399\n")
    loaded = modules_after(tmp_path, code, SUITE_REDIS_URL="redis://127.0.0.1:6399/0")
    assert "redis" in loaded


def test_pillow_loads_only_when_a_picture_is_drawn_or_decoded(tmp_path):
    assert "PIL" not in modules_after(tmp_path)
    code = ("from suite.bookmarks import thumbnails\n"
            "thumbnails.draw_card('example.org', 'A title')\n")
    assert "PIL" in modules_after(tmp_path, code)
