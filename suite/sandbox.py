"""Run a pure function in a helper process, with a time limit.

For work whose worst case we cannot bound from outside. Python-Markdown has inputs that
take quadratic time (``"[[" * 16000`` is 32 kB and renders in about 270 s here, ``"> [\\n"``
and ``"<a \\n\\n"`` runs are as bad; upstream keeps the bracket case open as
Python-Markdown/markdown#798), and a Python thread cannot be stopped. A helper process can:
when the answer does not come in time it is killed and ``TooSlow`` raised; the next call
starts a fresh one.

One helper per process, started on first use through the ``forkserver`` method (a clean
process, safe to start from a threaded server) and restarted after a fork (gunicorn's
workers each get their own). Calls from several threads take turns.
"""
import multiprocessing
import os
import threading


class TooSlow(Exception):
    """The function did not answer within its time limit."""


def _serve(conn):
    """The helper's loop: call what is sent, send back ``(True, value)`` or ``(False, exception)``."""
    while True:
        try:
            fn, args = conn.recv()
        except EOFError:
            return
        try:
            conn.send((True, fn(*args)))
        except Exception as err:  # noqa: BLE001 - handed back to the caller, who re-raises it
            conn.send((False, err))


class Sandbox:
    """A helper process that runs module-level functions with picklable arguments."""

    def __init__(self):
        self._lock = threading.Lock()
        self._process = self._conn = self._pid = None

    def call(self, fn, *args, timeout):
        """``fn(*args)`` in the helper; raises ``TooSlow`` after ``timeout`` seconds (and kills it)."""
        with self._lock:
            self._ensure_started()
            self._conn.send((fn, args))
            if not self._conn.poll(timeout):
                self._stop()
                raise TooSlow(f"{fn.__qualname__} took more than {timeout} s")
            try:
                ok, value = self._conn.recv()
            except EOFError:  # the helper died (out of memory, killed)
                self._stop()
                raise TooSlow(f"{fn.__qualname__}: the helper process ended") from None
        if not ok:
            raise value
        return value

    def _ensure_started(self):
        if self._process is not None and self._pid == os.getpid() and self._process.is_alive():
            return
        context = multiprocessing.get_context("forkserver")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True, name="suite-sandbox")
        self._process.start()
        child.close()
        self._pid = os.getpid()

    def _stop(self):
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = self._pid = None


_sandbox = Sandbox()


def run(fn, *args, timeout):
    """``fn(*args)`` in this process's helper, within ``timeout`` seconds, else ``TooSlow``."""
    return _sandbox.call(fn, *args, timeout=timeout)
