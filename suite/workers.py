"""A small pool of forked worker processes that run untrusted-time work under a hard timeout.

Python's regex engine cannot be interrupted from inside the process, Pygments promises
no running time, and Python-Markdown has inputs that take quadratic time (``"[[" * 16000``,
32 kB, renders in about 270 s; runs of ``"> ["`` or ``"<a "`` lines are as bad; upstream
keeps the bracket case open as Python-Markdown/markdown#798). So lexing and Markdown
rendering (pastes and wiki pages) run in a child process that is killed (and replaced)
when it overruns. Workers are forked once and
reused: forking per call would cost more than highlighting a small paste.
"""
import atexit
import multiprocessing
import multiprocessing.util  # registers its exit handler now, so _close_pools (registered later) runs first
import os
import signal
import threading
import time
import weakref

MAX_WORKERS = 4
STOP_WAIT = 0.5  # seconds a child gets to leave on its own before SIGKILL


class WorkTimeout(Exception):
    """The worker did not answer within its time budget and was killed."""


class WorkFailed(Exception):
    """The work raised an exception in the worker."""


def _close_inherited_fds(keep):
    """Close every descriptor the fork copied (sockets, pipes of other children) but ``keep``.

    Otherwise the worker would hold the server's listening socket, database
    connections and other children's pipes open for as long as it lives.
    """
    limit = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024
    os.closerange(3, keep)
    os.closerange(keep + 1, limit)


def _reset_signals():
    """Give the child the default signal behaviour instead of its parent's handlers.

    A fork keeps the server's handlers: under gunicorn a worker's SIGTERM handler only sets a
    flag, so the child ignored the SIGTERM multiprocessing sends it at exit and the worker
    waited for it until gunicorn's graceful timeout (30 s) ran out. The wakeup descriptor
    (gunicorn's, waitress's) points to a pipe the child closes next.
    """
    signal.set_wakeup_fd(-1)
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)


def _serve(conn, functions):
    """Child loop: run ``functions[name](*args)`` for each request until the pipe closes."""
    _reset_signals()
    _close_inherited_fds(conn.fileno())
    while True:
        try:
            name, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", functions[name](*args)))
        except Exception as err:  # reported to the parent, which decides
            conn.send(("error", f"{type(err).__name__}: {err}"))


class Worker:
    """One forked child with a pipe to it."""

    def __init__(self, functions):
        ctx = multiprocessing.get_context("fork")
        self.conn, child_conn = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child_conn, functions), daemon=True)
        self.process.start()
        child_conn.close()

    def call(self, name, args, timeout):
        """Run one function in the child; WorkTimeout when it overruns."""
        self.conn.send((name, args))
        if not self.conn.poll(timeout):
            self.kill()
            raise WorkTimeout(f"{name} took longer than {timeout:g} s")
        status, value = self.conn.recv()
        if status == "error":
            raise WorkFailed(value)
        return value

    def alive(self):
        """True while the child runs."""
        return self.process.is_alive()

    def kill(self):
        """Stop the child at once (SIGKILL) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(STOP_WAIT)
        self.conn.close()

    def stop(self):
        """Let an idle child go (its pipe closes, so it returns), SIGKILL after a short wait."""
        self.conn.close()
        self.process.join(STOP_WAIT)
        self.kill()


class WorkerPool:
    """Up to ``MAX_WORKERS`` reusable workers per process (re-created after a fork)."""

    def __init__(self, functions):
        self.functions = functions
        self._idle = []
        self._busy = 0
        self._cond = threading.Condition()
        self._pid = os.getpid()
        _pools.add(self)

    def _take(self, deadline):
        with self._cond:
            if self._pid != os.getpid():  # we are a forked server worker: start afresh
                self._idle, self._busy, self._pid = [], 0, os.getpid()
            while not self._idle and self._busy >= MAX_WORKERS:
                if not self._cond.wait(max(0.0, deadline - time.monotonic())):
                    raise WorkTimeout("all highlight workers are busy")
            self._busy += 1
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
        try:
            return Worker(self.functions)
        except Exception:
            self._release(None)
            raise

    def _release(self, worker):
        with self._cond:
            self._busy -= 1
            if worker is not None and worker.alive():
                self._idle.append(worker)
            self._cond.notify()

    def run(self, name, *args, timeout):
        """Run ``name(*args)`` in a worker; WorkTimeout after ``timeout`` seconds (worker replaced)."""
        deadline = time.monotonic() + timeout
        worker = self._take(deadline)
        try:
            result = worker.call(name, args, max(0.01, deadline - time.monotonic()))
        except (WorkTimeout, EOFError, OSError):
            worker.kill()
            self._release(None)
            raise WorkTimeout(f"{name} did not finish within {timeout:g} s") from None
        except WorkFailed:
            self._release(worker)
            raise
        self._release(worker)
        return result

    def close(self):
        """Stop every idle worker (tests, shutdown); a busy one dies of the SIGTERM multiprocessing sends at exit."""
        with self._cond:
            idle, self._idle = self._idle, []
            ours = self._pid == os.getpid()
        for worker in idle if ours else ():  # a forked server's copy of its parent's workers: not ours
            worker.stop()


_pools = weakref.WeakSet()


@atexit.register
def _close_pools():
    """At exit, before multiprocessing's own handler (registered earlier, so run later) would
    SIGTERM each child and wait for it without a limit: stop them here, SIGKILL after a short wait."""
    for pool in list(_pools):
        pool.close()
