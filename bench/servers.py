"""Server processes of a run: gunicorn for the suite, the bare app and the peer; RSS readings."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gunicorn (or other) process on 127.0.0.1, started and stopped by us only."""

    def __init__(self, name, cmd, env, port, ready_path="/", log_path=None, cwd=ROOT):
        self.name, self.cmd, self.env, self.port, self.ready_path = name, cmd, env, port, ready_path
        self.log_path, self.cwd, self.proc = log_path, cwd, None

    @property
    def url(self):
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        """Start and wait until ``ready_path`` answers."""
        log = open(self.log_path or os.devnull, "ab")
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=self.cwd, stdout=log, stderr=log,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=5) as resp:
                    resp.read()
                return self
            except urllib.error.HTTPError:  # it answers, if only with an error page
                return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout}s; see {self.log_path}")

    def stop(self):
        """SIGTERM to our process group (gunicorn master and its workers), SIGKILL if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def worker_pids(self):
        """gunicorn's worker processes (children of the master)."""
        return children(self.proc.pid)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def gunicorn(name, app, port, env, *, workers=2, threads=2, python=sys.executable, log_path=None,
             ready_path="/", extra=()):
    """A gunicorn Server for WSGI ``app`` (``module:callable``) with the run's worker settings."""
    cmd = [python, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--worker-class", "gthread", "--threads", str(threads), "--timeout", "60",
           "--keep-alive", "5", "--graceful-timeout", "5", "--log-level", "warning", *extra]
    return Server(name, cmd, env, port, ready_path, log_path)


def children(pid):
    """Direct child pids of ``pid``."""
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
    except FileNotFoundError:
        pass
    return out


def descendants(pid):
    """Every pid below ``pid``."""
    out, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        out += kids
        todo += kids
    return out


def rss_mb(pid):
    """Resident set size of one process in MB (VmRSS)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def pss_mb(pid):
    """Proportional set size in MB: shared pages split between the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, PermissionError):
        pass
    return 0.0


def suite_env(instance, database_url="", **more):
    """Environment of a suite process for the bench instance."""
    env = dict(os.environ, SUITE_INSTANCE_PATH=instance, SUITE_SCREENSHOT_BACKEND="none",
               SUITE_RATELIMIT_API="1000000/minute", SUITE_RATELIMIT_ANONYMOUS="1000000/minute",
               SUITE_LOGIN_MAX_FAILURES="1000000", SUITE_LOGIN_MAX_FAILURES_IP="1000000",
               PYTHONPATH=ROOT)
    if database_url:
        env["SUITE_DATABASE_URL"] = database_url
    env.update({k: str(v) for k, v in more.items()})
    return env
