"""Every setting of the suite in one table: name, type, default and what it does.

Layers, lowest first: the defaults below, then ``instance/config.py``, then
``SUITE_<NAME>`` environment variables, then the ``overrides`` given to
``create_app`` (tests). Each setting is read and coerced here and nowhere else.
"""
import os
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One row of the configuration table."""

    name: str
    type: type
    default: object
    help: str
    choices: tuple = ()   # the only values allowed (lower-case words), when given
    minimum: float = None  # the smallest value allowed
    above: float = None    # values must be greater than this


SETTINGS = [
    Setting("DATABASE_URL", str, "", "Database URL; empty means `sqlite:///<instance>/suite.db`. "
            "`postgresql://user:pw@host/db` for teams."),
    Setting("DB_MAX_CONNECTIONS", int, 32, "Size of the per-process connection pool.", minimum=1),
    Setting("PAGE_CACHE_MB", float, 8.0, "Memory per process for finished pages kept until their content "
            "changes (shared ones with their gzip copies, and personal ones per session); 0 turns the page "
            "cache off.", minimum=0),
    Setting("PAGE_CACHE_SECONDS", int, 300, "Longest time a page stays in the page cache (a change to its "
            "content drops it at once).", minimum=0),
    Setting("SEARCH_CACHE_ENTRIES", int, 256, "Rankings of recent searches kept per process (3.2 KB each, "
            "deep pages sharing the same budget; any change to the index drops them); 0 ranks every search afresh.",
            minimum=0),
    Setting("SEARCH_CACHE_SECONDS", int, 300, "Longest time a kept search ranking is used.", minimum=0),
    Setting("SEARCH_LIST_MIN_DOCS", int, 1000, "A word in more documents than this gets champion lists "
            "(its best documents per app), so a one-word search reads them instead of scoring every match.",
            minimum=1),
    Setting("SEARCH_LIST_SIZE", int, 500, "Documents per app in a word's champion list (a search needs "
            "200 it can prove are the best; on SQLite a run of equal scores is kept whole or left out).", minimum=1),
    Setting("MALLOC_ARENAS", int, 1, "glibc malloc arenas per process (1 keeps a threaded worker's memory "
            "from growing an arena per thread; 0 leaves glibc's default).", minimum=0),
    Setting("DB_STALE_TIMEOUT", int, 300, "Seconds after which an idle pooled connection is recycled.", minimum=1),
    Setting("REDIS_URL", str, "", "When set, the task queue and rate limits use Redis."),
    Setting("SECRET_KEY", str, "", "Signs sessions; generated once into the instance folder when empty."),
    Setting("REGISTRATION", str, "open", "`open`: anyone may register; `closed`: only admins create users.",
            choices=("open", "closed")),
    Setting("HTTPS", bool, False, "Mark cookies Secure and trust X-Forwarded-Proto (behind a TLS proxy)."),
    Setting("PROXY_COUNT", int, 0, "Number of reverse proxies in front of the app (for client IPs).", minimum=0),
    Setting("MAX_UPLOAD_BYTES", int, 16 * 1024 * 1024, "Largest request body accepted (HTTP 413 above).", minimum=1),
    Setting("LOGIN_MAX_FAILURES", int, 5, "Failed sign-ins per account within the window before throttling.",
            minimum=1),
    Setting("LOGIN_MAX_FAILURES_IP", int, 20, "Failed sign-ins per client IP within the window.", minimum=1),
    Setting("LOGIN_WINDOW_SECONDS", int, 900, "Throttling window for failed sign-ins.", minimum=1),
    Setting("TASKS_IMMEDIATE", bool, False, "Run background tasks inline (tests, debugging)."),
    Setting("TASK_WORKERS", int, 2, "Worker threads of the task consumer (`run` and `worker`).", minimum=1),
    Setting("SHUTDOWN_TIMEOUT", float, 20.0, "Seconds `run` and `worker` wait, once told to stop (SIGTERM; Ctrl-C for "
            "`run`), for running tasks to finish before they exit anyway.", minimum=0),
    Setting("MEDIA_PATH", str, "", "Where thumbnails and attachments live; default `<instance>/media`."),
    Setting("RATELIMIT_ENABLED", bool, True, "Turn every rate limit on or off."),
    Setting("RATELIMIT_API", str, "600/minute", "Rate limit per API token (or per IP without one)."),
    Setting("RATELIMIT_ANONYMOUS", str, "30/hour", "Rate limit for anonymous writes per IP (like `30/hour`; units second, minute, hour, day)."),
    Setting("ANONYMOUS_PASTES", bool, True, "Allow pastes without an account."),
    Setting("PASTE_MAX_BYTES", int, 1024 * 1024, "Largest paste (all files together).", minimum=1),
    Setting("HIGHLIGHT_TIMEOUT", float, 1.5, "Seconds a highlighter may run before a paste is shown as plain text.",
            above=0),
    Setting("HIGHLIGHT_MAX_BYTES", int, 512 * 1024, "Files above this size are shown as plain text.", minimum=0),
    Setting("WIKI_READ", str, "anonymous", "`anonymous` or `users`: who may read the wiki.",
            choices=("anonymous", "users")),
    Setting("WIKI_WRITE", str, "users", "`users` or `admins`: who may edit the wiki.", choices=("users", "admins")),
    Setting("WIKI_MAX_PAGE_BYTES", int, 512 * 1024, "Largest wiki page source.", minimum=1),
    Setting("WIKI_RENDER_TIMEOUT", float, 10.0, "Seconds a page's Markdown may take to render before it is shown as "
            "plain text (a 512 kB page of ordinary text takes about 2 s).", above=0),
    Setting("ATTACHMENT_MAX_BYTES", int, 10 * 1024 * 1024, "Largest wiki attachment.", minimum=1),
    Setting("FETCH_ALLOW_HOSTS", str, "", "Comma-separated hosts or CIDRs the URL fetcher may reach even "
            "though they are not public (intranets, tests)."),
    Setting("FETCH_MAX_BYTES", int, 5 * 1024 * 1024, "Byte cap when fetching a bookmarked page.", minimum=1),
    Setting("FETCH_TIMEOUT", float, 10.0, "Connect/read timeout in seconds for fetching pages.", above=0),
    Setting("SCREENSHOT_BACKEND", str, "auto", "`auto`, `playwright`, `chromium` or `none`.",
            choices=("auto", "playwright", "chromium", "none")),
    Setting("CHROMIUM_PATH", str, "", "Browser binary for screenshots; default: found on PATH."),
    Setting("SCREENSHOT_TIMEOUT", float, 20.0, "Seconds a page may take to load for its screenshot.", above=0),
]

DEFAULTS = {s.name: s.default for s in SETTINGS}
_TYPES = {s.name: s.type for s in SETTINGS}
_BY_NAME = {s.name: s for s in SETTINGS}
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def coerce(name, value):
    """Turn a value from the environment or a config file into the setting's type."""
    kind = _TYPES.get(name)
    if kind is None or isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    if kind is bool:
        word = str(value).strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:  # "ture" must not quietly mean False (SUITE_HTTPS: insecure cookies)
            raise ValueError(f"SUITE_{name} must be 1, true, yes or on, or 0, false, no or off; got {value!r}")
        return word in TRUE_WORDS
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"SUITE_{name} must be a {kind.__name__}, got {value!r}") from None


def load_config(app, overrides=None):
    """Fill ``app.config`` from the four layers and derive the dependent values."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SUITE")
    app.config.update(overrides or {})
    for name in DEFAULTS:
        app.config[name] = check(name, coerce(name, app.config[name]))
    _derive(app)


def check(name, value):
    """The value if the setting allows it (words of a fixed list in any case, lower-cased); else ValueError.

    A word that is not one of the choices must stop the start: the code compares with one of
    them, and anything else would fall to the other side (``SUITE_WIKI_READ=user`` opening
    the wiki to anonymous readers). Numbers below their minimum (no task workers, no
    connections, a window of 0 s) stop it too.
    """
    setting = _BY_NAME.get(name)
    if setting is None:
        return value
    if setting.choices:
        word = str(value).strip().lower()
        if word not in setting.choices:
            raise ValueError(f"SUITE_{name} must be one of {', '.join(setting.choices)}; got {value!r}")
        return word
    if setting.minimum is not None and value < setting.minimum:
        raise ValueError(f"SUITE_{name} must be at least {setting.minimum:g}; got {value!r}")
    if setting.above is not None and value <= setting.above:
        raise ValueError(f"SUITE_{name} must be more than {setting.above:g}; got {value!r}")
    return value


def _derive(app):
    """Settings that follow from others: paths, cookies, the secret key."""
    cfg, instance = app.config, app.instance_path
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = "sqlite:///" + os.path.join(instance, "suite.db")
    if not cfg["MEDIA_PATH"]:
        cfg["MEDIA_PATH"] = os.path.join(instance, "media")
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = instance_secret_key(instance)
    cfg["MAX_CONTENT_LENGTH"] = cfg["MAX_UPLOAD_BYTES"]
    # Werkzeug 3.1 also caps each non-file form field at 500,000 bytes (a bare 413): a paste's or a
    # page's text may be as large as its own limit, which the app checks with its own message.
    cfg["MAX_FORM_MEMORY_SIZE"] = cfg["MAX_UPLOAD_BYTES"]
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_SECURE"] = cfg["HTTPS"]
    cfg["REMEMBER_COOKIE_HTTPONLY"] = True
    cfg["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    cfg["REMEMBER_COOKIE_SECURE"] = cfg["HTTPS"]
    cfg["PREFERRED_URL_SCHEME"] = "https" if cfg["HTTPS"] else "http"
    cfg.setdefault("WTF_CSRF_TIME_LIMIT", None)


def instance_secret_key(instance_path):
    """Read the instance's secret key, generating it once (never a hard-coded default).

    Several processes may start at once on a new instance (gunicorn's workers, ``run`` and
    ``worker``): the key is written whole to a file of this process, then linked into place,
    which only the first can do; the others read the winner's key.
    """
    path = os.path.join(instance_path, "secret_key")
    key = _read_key(path)
    if key:
        return key
    key = secrets.token_hex(32)
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        won = _read_key(path)
        if won:
            return won
        os.replace(tmp, path)  # a damaged key file (short, empty): replaced whole
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return key


def _read_key(path):
    try:
        with open(path) as f:
            key = f.read().strip()
    except FileNotFoundError:
        return None
    return key if len(key) >= 32 else None
