"""Serving the suite: a real WSGI server plus an in-process task consumer for `manage.py run`."""
import logging
import os
import shutil
import signal

from huey.consumer import Consumer

from suite import jobs

log = logging.getLogger("suite.server")


class InProcessConsumer(Consumer):
    """huey's consumer without signal handlers, so it can share a process with the web server."""

    def _set_signal_handlers(self):
        pass


def start_consumer(app):
    """Start task worker threads inside this process; returns the consumer (call ``stop``).

    ``stop(graceful=True)`` waits up to ``SUITE_SHUTDOWN_TIMEOUT`` for running tasks (a
    bookmark being fetched finishes and gives back its claim), then returns anyway.
    """
    jobs.load_tasks()
    consumer = InProcessConsumer(jobs.huey, workers=app.config["TASK_WORKERS"], worker_type="thread",
                                 periodic=True, initial_delay=0.1, max_delay=1.0,
                                 shutdown_timeout=app.config["SHUTDOWN_TIMEOUT"])
    consumer.start()
    return consumer


def browser_hint(app=None):
    """One line telling how to get real screenshots when no browser is installed (or the configured one is missing)."""
    configured = app.config["CHROMIUM_PATH"] if app is not None else ""
    if configured and not os.access(configured, os.X_OK):
        return (f"SUITE_CHROMIUM_PATH={configured} is not a program that exists: bookmarks get generated preview "
                "cards instead of screenshots. Point it at the browser, or leave it empty to find one on PATH.")
    if any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")):
        return None
    return ("No Chromium found: bookmarks get generated preview cards instead of screenshots. "
            "Install one (Debian: `apt-get install chromium`) or set SUITE_CHROMIUM_PATH.")


def proxy_settings(app):
    """waitress settings that leave X-Forwarded-* to the app's ProxyFix when the suite is behind a proxy.

    waitress 3 drops those headers before the app sees them (``clear_untrusted_proxy_headers``),
    so with ``SUITE_HTTPS`` or ``SUITE_PROXY_COUNT`` every client would share the proxy's address
    (one rate limit for all) and the scheme would stay http. ``suite.security`` decides which of
    them to trust; without either setting waitress keeps dropping them.
    """
    if app.config["HTTPS"] or app.config["PROXY_COUNT"]:
        return {"clear_untrusted_proxy_headers": False}
    return {}


def _stop_on_sigterm(signum, frame):
    """SIGTERM (``systemctl stop``, ``docker stop``) ends the server like Ctrl-C does.

    waitress's loop catches SystemExit, lets its threads finish their requests and returns,
    so ``serve`` stops the consumer and closes the database. A second SIGTERM during that
    cleanup is ignored (it would leave the database's write-ahead log behind).
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(0)


def close_database():
    """Close every pooled connection: the last one to close checkpoints SQLite's WAL into the file."""
    from suite.extensions import db
    if db.obj is not None:
        db.obj.close_all()


def serve(app, host="127.0.0.1", port=5000, debug=False, threads=8, with_worker=True):
    """Run the suite until interrupted (Ctrl-C or SIGTERM): waitress (or the debug reloader) plus the task consumer.

    On the way out the consumer stops and the database pool is closed, so a SQLite database
    is left as one file (no ``-wal`` to replay over a restored backup).
    """
    hint = browser_hint(app)
    if hint:
        print(hint, flush=True)
    server = None
    if not debug:
        from waitress import create_server
        # bind before anything else: a port in use fails here, before a task consumer starts
        # on the shared queue or "running" is printed
        server = create_server(app, host=host, port=port, threads=threads, ident="suite", **proxy_settings(app))
    consumer = None
    if with_worker and not app.config["TASKS_IMMEDIATE"]:
        if not debug or _is_reloader_child():
            consumer = start_consumer(app)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        if debug:
            app.run(host=host, port=port, debug=True, use_reloader=True, threaded=True)
        else:
            print(f"suite is running at http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
            server.run()  # returns on Ctrl-C or SIGTERM, once the requests in flight are answered
    finally:
        try:
            if consumer is not None:
                consumer.stop(graceful=True)
        finally:
            if server is not None:
                server.close()
            close_database()
            signal.signal(signal.SIGTERM, previous)


def _is_reloader_child():
    return os.environ.get("WERKZEUG_RUN_MAIN") == "true"
