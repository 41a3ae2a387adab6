"""Load generators: ``wrk`` (Debian's, driven by ``lua/requests.lua``) or a bounded Python client.

Both take the same request list: ``Req(method, path, body)`` where ``{tid}``, ``{n}``
and ``{rev}`` are filled per client thread (see the Lua script), and report a ``Result``.
"""
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field

LUA = os.path.join(os.path.dirname(__file__), "lua", "requests.lua")
FORM = "application/x-www-form-urlencoded"


@dataclass
class Req:
    """One request template."""

    method: str
    path: str
    body: str = ""


@dataclass
class Result:
    """What one bounded run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    acked: int = 0
    tool: str = ""
    detail: dict = field(default_factory=dict)

    @property
    def rps(self):
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self):
        """JSON-ready figures."""
        return {**asdict(self), "rps": round(self.rps, 1)}


def have_wrk():
    """True when the ``wrk`` binary is on PATH."""
    return shutil.which("wrk") is not None


def fill(text, tid, n, rev):
    """The placeholders of a template for one client thread."""
    return text.replace("{tid}", str(tid)).replace("{n}", str(n)).replace("{rev}", str(rev))


def run(base_url, reqs, *, headers=None, threads=2, connections=8, seconds=5.0, rev_start=1,
        tool="auto"):
    """Drive ``reqs`` against ``base_url`` for ``seconds`` with the chosen tool."""
    if tool == "wrk" or (tool == "auto" and have_wrk()):
        return run_wrk(base_url, reqs, headers=headers, threads=threads, connections=connections,
                       seconds=seconds, rev_start=rev_start)
    return run_python(base_url, reqs, headers=headers, clients=connections, seconds=seconds,
                      rev_start=rev_start)


def run_wrk(base_url, reqs, *, headers=None, threads=2, connections=8, seconds=5.0, rev_start=1):
    """One wrk run; errors are socket errors plus 4xx/5xx answers."""
    threads = min(threads, connections)
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        spec, head = os.path.join(tmp, "spec"), os.path.join(tmp, "headers")
        with open(spec, "w") as f:
            f.writelines(f"{r.method}\t{r.path}\t{r.body}\n" for r in reqs)
        with open(head, "w") as f:
            f.writelines(f"{k}: {v}\n" for k, v in (headers or {}).items())
        env = dict(os.environ, BENCH_SPEC=spec, BENCH_HEADERS=head, BENCH_REV_START=str(rev_start))
        cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
               "--timeout", "10s", "-s", LUA, base_url]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures: {out.stdout[-500:]} {out.stderr[-500:]}")
    d = json.loads(line[len("BENCHJSON "):])
    errors = d["errors_connect"] + d["errors_read"] + d["errors_write"] + d["errors_status"] + d["errors_timeout"]
    return Result(d["requests"], d["duration_us"] / 1e6, d["p50_us"] / 1000, d["p99_us"] / 1000,
                  errors=errors, acked=d["redirects"], tool="wrk", detail=d)


class _Client(threading.Thread):
    """One keep-alive client: sends its requests one after another until told to stop."""

    def __init__(self, host, port, reqs, headers, tid, deadline, limit, rev_start):
        super().__init__(daemon=True)
        self.host, self.port, self.reqs, self.headers = host, port, reqs, headers
        self.tid, self.deadline, self.limit, self.rev = tid, deadline, limit, rev_start
        self.latencies, self.errors, self.acked, self.samples = [], 0, 0, []

    def run(self):
        conn, n = None, 0
        while time.monotonic() < self.deadline and (self.limit is None or n < self.limit):
            req = self.reqs[n % len(self.reqs)]
            n += 1
            body = fill(req.body, self.tid, n, self.rev).encode() if req.body else None
            headers = dict(self.headers)
            if body is not None:
                headers.setdefault("Content-Type", FORM)
            start = time.perf_counter()
            try:
                conn = conn or http.client.HTTPConnection(self.host, self.port, timeout=15)
                conn.request(req.method, fill(req.path, self.tid, n, self.rev), body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as err:
                self.errors += 1
                self.samples.append(f"{type(err).__name__}: {err}")
                conn = None
                continue
            self.latencies.append(time.perf_counter() - start)
            if resp.status in (201, 302, 303):
                self.acked += 1
                self.rev += 1
                self.on_ack(req, resp, data)
            elif resp.status >= 400:
                self.errors += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{resp.status} {req.method} {req.path}: {data[:200]!r}")
        if conn is not None:
            conn.close()

    def on_ack(self, req, resp, data):
        """Hook for callers that record what the server acknowledged."""


def run_python(base_url, reqs, *, headers=None, clients=8, seconds=5.0, rev_start=1, limit=None,
               client_class=_Client):
    """The Python client: ``clients`` threads, keep-alive, bounded by time and optionally by count."""
    host, port = base_url.split("//", 1)[1].rstrip("/").split(":")
    deadline = time.monotonic() + seconds
    per_client = None if limit is None else -(-limit // clients)
    workers = [client_class(host, int(port), reqs, headers or {}, tid + 1, deadline, per_client, rev_start)
               for tid in range(clients)]
    start = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join(seconds + 30)
    elapsed = time.monotonic() - start
    lat = sorted(x for w in workers for x in w.latencies)
    pct = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (lambda q: 0.0)
    result = Result(len(lat), elapsed, pct(0.50), pct(0.99), errors=sum(w.errors for w in workers),
                    acked=sum(w.acked for w in workers), tool="python",
                    detail={"samples": [s for w in workers for s in w.samples][:10]})
    result.clients = workers
    return result
