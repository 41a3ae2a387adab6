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
    """Names of the modules loaded after ``create_app()`` (then ``code``) in a new interpreter."""
    script = ("import json, sys\nfrom suite import create_app\napp = create_app()\n" + code +
              "\nprint(json.dumps(sorted(m for m, v in sys.modules.items() if v)))")
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
    assert "asyncio" not in loaded and "limits" not in loaded


def test_markdown_for_bookmark_notes_loads_on_first_use(tmp_path):
    assert "markdown" not in modules_after(tmp_path)
    code = ("from suite.bookmarks.bookmarks import render_notes\n"
            "assert '<em>x</em>' in render_notes('*x*')\n")
    assert "markdown" in modules_after(tmp_path, code)


def test_a_redis_url_gives_huey_a_working_redis_storage(tmp_path):
    pytest.importorskip("redis")
    code = ("from suite import jobs\n"
            "storage = jobs.huey.storage\n"
            "assert type(storage).__name__ == 'RedisStorage', type(storage)\n"
            "assert storage.conn.connection_pool.connection_kwargs['port'] == 6399\n")
    assert "redis" in modules_after(tmp_path, code, SUITE_REDIS_URL="redis://127.0.0.1:6399/0")


def test_pillow_loads_only_when_a_picture_is_drawn_or_decoded(tmp_path):
    assert "PIL" not in modules_after(tmp_path)
    code = "from suite.bookmarks import thumbnails\nthumbnails.draw_card('example.org', 'A title')\n"
    assert "PIL" in modules_after(tmp_path, code)


def test_wiki_markdown_loads_on_the_first_render(tmp_path):
    code = ("from suite.wiki.markup import render_page\n"
            "html = render_page('# Hi [[There]]', lambda title: ('/wiki/' + title, False)).html\n"
            "assert 'wikilink missing' in html, html\n")
    loaded = modules_after(tmp_path, code)
    assert {"markdown", "nh3", "suite.wiki.mdext"} <= loaded


def test_pygments_lexers_load_on_first_lookup_and_are_never_compiled_in_the_web_process(tmp_path):
    assert "pygments.lexers" not in modules_after(tmp_path)
    code = ("from suite.pastebin import highlight\n"
            "from pygments.lexers.python import PythonLexer\n"
            "assert highlight.language_name('python') == 'Python'\n"
            "assert highlight.normalize_language('Python') == 'python'\n"
            "assert highlight.language_for_filename('x.py') == 'python'\n"
            "assert highlight.language_for_filename('x.unknown-extension') is None\n"
            "assert '_tokens' not in PythonLexer.__dict__  # its regexes were not compiled here\n")
    assert "pygments.lexers" in modules_after(tmp_path, code)


def test_queueing_a_bookmark_fetch_does_not_load_the_fetching_code(tmp_path):
    """A web worker only queues the task; requests and the browser code load in the task worker."""
    code = ("from suite.auth.accounts import create_user\n"
            "from suite.bookmarks.bookmarks import add_bookmark\n"
            "from suite.database import migrate\n"
            "with app.app_context():\n"
            "    migrate()\n"
            "    add_bookmark(create_user('alice', 'correct horse battery'), 'https://example.org/a')\n"
            "assert 'suite.bookmarks.tasks' in sys.modules\n")
    loaded = modules_after(tmp_path, code, SUITE_TASKS_IMMEDIATE="0")
    assert "suite.bookmarks.crawl" not in loaded and "requests" not in loaded
