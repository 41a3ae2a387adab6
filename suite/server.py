"""Serving the suite: a real WSGI server plus an in-process task consumer for `manage.py run`."""
import logging
import shutil

from huey.consumer import Consumer

from suite import jobs

log = logging.getLogger("suite.server")


class InProcessConsumer(Consumer):
    """huey's consumer without signal handlers, so it can share a process with the web server."""

    def _set_signal_handlers(self):
        pass


def start_consumer(app):
    """Start task worker threads inside this process; returns the consumer (call ``stop``)."""
    jobs.load_tasks()
    consumer = InProcessConsumer(jobs.huey, workers=app.config["TASK_WORKERS"], worker_type="thread",
                                 periodic=True, initial_delay=0.1, max_delay=1.0)
    consumer.start()
    return consumer


def browser_hint():
    """One line telling how to get real screenshots when no browser is installed."""
    if any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")):
        return None
    return ("No Chromium found: bookmarks get generated preview cards instead of screenshots. "
            "Install one (Debian: `apt-get install chromium`) or set SUITE_CHROMIUM_PATH.")


def serve(app, host="127.0.0.1", port=5000, debug=False, threads=8, with_worker=True):
    """Run the suite until interrupted: waitress (or the debug reloader) plus the task consumer."""
    hint = browser_hint()
    if hint:
        print(hint, flush=True)
    consumer = None
    if with_worker and not app.config["TASKS_IMMEDIATE"]:
        if not debug or _is_reloader_child():
            consumer = start_consumer(app)
    try:
        if debug:
            app.run(host=host, port=port, debug=True, use_reloader=True, threaded=True)
        else:
            from waitress import serve as waitress_serve
            print(f"suite is running at http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
            waitress_serve(app, host=host, port=port, threads=threads, ident="suite")
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


def _is_reloader_child():
    import os
    return os.environ.get("WERKZEUG_RUN_MAIN") == "true"
