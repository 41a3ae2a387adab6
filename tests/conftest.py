"""Fixtures shared by every test: an app on a temporary instance, clients per role, a live server.

Real parts only: a real SQLite file per test (copied from a template migrated once
per run) or, with ``SUITE_TEST_DATABASE_URL``, a real PostgreSQL database created
for this run and emptied between tests.
"""
import hashlib
import os
import shutil
import threading
import uuid

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from werkzeug.serving import make_server

from suite import create_app
from suite.extensions import db

PASSWORD = "correct horse battery"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class CsrfClient(FlaskClient):
    """A test client that adds a valid CSRF token to form posts, like a browser with our pages.

    Pass ``csrf=False`` to send a post without one.
    """

    def open(self, *args, **kwargs):
        add = kwargs.pop("csrf", True)
        method = kwargs.get("method", "GET").upper()
        data = kwargs.get("data")
        if add and method in UNSAFE and isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = dict(data, csrf_token=self.csrf_token())
        return super().open(*args, **kwargs)

    def csrf_token(self):
        """A token valid for this client's session (what our forms embed)."""
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
        secret = self.application.config["SECRET_KEY"]
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The database every test of this run uses: a fresh PostgreSQL database or a SQLite template."""
    base = os.environ.get("SUITE_TEST_DATABASE_URL")
    if not base:
        path = tmp_path_factory.mktemp("template") / "suite.db"
        app = create_app({"INSTANCE_PATH": str(path.parent), "DATABASE_URL": f"sqlite:///{path}"})
        with app.app_context():
            from suite.database import migrate
            migrate()
        db.obj.close_all()
        yield f"sqlite:///{path}"
        return
    import psycopg2
    from playhouse.db_url import parse
    from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT
    params = parse(base)
    name = f"suite_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = psycopg2.connect(dbname=params.pop("database"), **params)
    admin.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + "/" + name
    app = create_app({"INSTANCE_PATH": str(tmp_path_factory.mktemp("pgtemplate")), "DATABASE_URL": url})
    with app.app_context():
        from suite.database import migrate
        migrate()
    db.obj.close_all()
    yield url
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _fresh_database(url, instance):
    """A clean database for one test: a copy of the SQLite template, or emptied PostgreSQL tables."""
    if url.startswith("sqlite"):
        target = instance / "suite.db"
        shutil.copyfile(url.split(":///", 1)[1], target)
        return f"sqlite:///{target}"
    return url


def _empty_postgres():
    tables = [t for t in db.get_tables() if t != "schema_migration"]
    if tables:
        db.execute_sql("TRUNCATE %s RESTART IDENTITY CASCADE" % ", ".join(f'"{t}"' for t in tables))


@pytest.fixture
def make_app(database_url, tmp_path):
    """Factory for an app on a fresh instance folder; extra settings as keyword arguments."""
    made = []

    def make(**settings):
        instance = tmp_path / f"instance{len(made)}"
        instance.mkdir()
        config = {"INSTANCE_PATH": str(instance), "DATABASE_URL": _fresh_database(database_url, instance),
                  "TASKS_IMMEDIATE": True, "TESTING": True, "SCREENSHOT_BACKEND": "none"}
        config.update(settings)
        app = create_app(config)
        if not config["DATABASE_URL"].startswith("sqlite"):
            with app.app_context():
                _empty_postgres()
                db.close()
        app.test_client_class = CsrfClient
        made.append(db.obj)
        return app

    yield make
    if not db.is_closed():
        db.close()
    for database in made:
        database.close_all()


@pytest.fixture
def app(make_app):
    """The suite with default test settings (tasks run inline).

    No app context stays pushed: it would share ``g`` (and the signed-in user)
    between requests. Use ``with app.app_context():`` around direct calls.
    """
    return make_app()


@pytest.fixture
def client(app):
    """An anonymous browser-like client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Runs manage.py commands against the app."""
    return app.test_cli_runner()


class AuthActions:
    """Register, sign in and sign out through the real forms."""

    def __init__(self, client):
        self._client = client

    def register(self, username="alice", password=PASSWORD, confirm=None):
        return self._client.post("/auth/register", data={
            "username": username, "password": password, "confirm": confirm or password})

    def login(self, username="alice", password=PASSWORD, next=""):
        return self._client.post("/auth/login", data={"username": username, "password": password,
                                                      "next": next})

    def logout(self):
        return self._client.post("/auth/logout", data={})


@pytest.fixture
def auth(client):
    """AuthActions on the anonymous client."""
    return AuthActions(client)


@pytest.fixture
def users(app):
    """Three accounts: ``admin`` (an administrator), ``alice`` and ``bob``."""
    from suite.auth.accounts import create_user
    with app.app_context():
        return {name: create_user(name, PASSWORD, is_admin=(name == "admin"))
                for name in ("admin", "alice", "bob")}


def sign_in(client, user):
    """Sign ``client`` in as ``user`` without the form: a recorded sign-in named in its session."""
    from suite.auth.accounts import start_session
    with client.application.app_context():
        start_session(user)
    with client.session_transaction() as sess:
        sess["_user_id"] = user.session_id()
        sess["_fresh"] = True
    return client


def _signed_in(app, user):
    return sign_in(app.test_client(), user)


@pytest.fixture
def alice_client(app, users):
    """A client signed in as alice."""
    return _signed_in(app, users["alice"])


@pytest.fixture
def bob_client(app, users):
    """A client signed in as bob (the 'other user' of access tests)."""
    return _signed_in(app, users["bob"])


@pytest.fixture
def admin_client(app, users):
    """A client signed in as the administrator."""
    return _signed_in(app, users["admin"])


@pytest.fixture
def token(app, users):
    """An API token of alice's."""
    from suite.auth.accounts import create_token
    with app.app_context():
        return create_token(users["alice"], "tests")[1]


@pytest.fixture
def live_server(app):
    """The real app served over HTTP on 127.0.0.1 in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def chromium_path():
    """The Chromium binary for tests, or None."""
    for path in (os.environ.get("SUITE_CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if path and os.path.exists(path):
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright (skipped locally without one; fails in CI)."""
    path = chromium_path()
    required = os.environ.get("SUITE_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if path is None or sync_playwright is None:
        if required:
            pytest.fail("SUITE_REQUIRE_BROWSER=1 but Chromium or Playwright is missing")
        pytest.skip("browser tests need Chromium (apt-get install chromium) and playwright")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab (own cookies) that fails the test on any page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.page_errors = errors
    yield tab
    context.close()
