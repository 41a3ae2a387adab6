"""Concurrent writers: gunicorn with 4 workers, 16 clients saving pastes, wiki edits and bookmarks.

Every acknowledged write (a redirect to the new item) is recorded and checked in the
database afterwards; any other answer, and any "database is locked" in the log, is an error.
Run inside ``bench.run``; the check runs as ``python -m bench.concurrency verify ...``.
"""
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

from bench import cells
from bench.servers import ROOT, free_port, gunicorn, suite_env

WORKERS, CLIENTS, ITEMS = 4, 16, 1000


class Writer(threading.Thread):
    """One client: paste, wiki edit, bookmark, again, until the deadline; keeps what was acknowledged."""

    def __init__(self, port, cookie, csrf, k, deadline):
        super().__init__(daemon=True)
        self.port, self.cookie, self.csrf, self.k, self.deadline = port, cookie, csrf, k, deadline
        self.rev, self.pastes, self.bookmarks, self.wiki = 1, [], [], []
        self.errors, self.samples, self.requests = 0, [], 0
        self.seconds = {"paste": [], "wiki_edit": [], "bookmark": []}  # each answered write's latency

    def post(self, conn, path, body, kind):
        started = time.perf_counter()
        conn.request("POST", path, body=body, headers={"Cookie": self.cookie, "User-Agent": cells.USER_AGENT,
                                                       "Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        data = resp.read()
        self.seconds[kind].append(time.perf_counter() - started)
        if resp.status not in (302, 303):
            self.errors += 1
            if len(self.samples) < 3:
                self.samples.append(f"{resp.status} POST {path}: {data[:300]!r}")
            return None
        return resp.getheader("Location")

    def run(self):
        n, conn = 0, None
        while time.monotonic() < self.deadline:
            n += 1
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.requests += 1
                self.one(conn, n)
            except (OSError, http.client.HTTPException) as err:
                self.errors += 1
                self.samples.append(f"{type(err).__name__}: {err}")
                conn = None
        if conn is not None:
            conn.close()

    def one(self, conn, n):
        marker = f"w{self.k}-{n}"
        if n % 3 == 1:
            body = urlencode({"csrf_token": self.csrf, "title": marker, "visibility": "public",
                              "expires": "never", "files-0-name": "c.py", "files-0-lang": "python",
                              "files-0-content": f"print({marker!r})\n"})
            location = self.post(conn, "/paste/", body, "paste")
            if location:
                self.pastes.append(location.rstrip("/").rsplit("/", 1)[-1])
        elif n % 3 == 2:
            body = urlencode({"csrf_token": self.csrf, "message": marker, "save": "Save",
                              "content": f"# Edit\n\n{marker}\n", "base_revision": self.rev})
            if self.post(conn, f"/wiki/Bench_edit_{self.k}/edit", body, "wiki_edit"):
                self.rev += 1
                self.wiki.append(marker)
        else:
            url = f"https://concurrent.example.net/{marker}"
            body = urlencode({"csrf_token": self.csrf, "url": url, "title": marker})
            location = self.post(conn, "/bookmarks/add", body, "bookmark")
            if location:
                self.bookmarks.append(int(location.rstrip("/").rsplit("/", 1)[-1]))


def run_one(args, label, database_url, say):
    """Seed a small instance, serve it with 4 workers, write from 16 clients, verify."""
    from bench.run import seed_instance
    instance, manifest = seed_instance(args.out, f"concurrency-{label}", ITEMS, database_url)
    env = suite_env(instance, manifest["database_url"])
    log_path = os.path.join(instance, "concurrency.log")
    server = gunicorn("suite", "suite:create_app()", free_port(), env, workers=WORKERS, threads=args.threads,
                      log_path=log_path, ready_path="/healthz")
    with server:
        _s, cookie, csrf = cells.signed_in(server.url, manifest["username"], manifest["password"])
        say(f"concurrency ({label}): {CLIENTS} writers for {args.concurrency_seconds:g}s on {WORKERS} workers")
        deadline = time.monotonic() + args.concurrency_seconds
        writers = [Writer(server.port, cookie, csrf, k, deadline) for k in range(1, CLIENTS + 1)]
        for w in writers:
            w.start()
        for w in writers:
            w.join(args.concurrency_seconds + 120)
    acked = {"pastes": [s for w in writers for s in w.pastes],
             "bookmarks": [b for w in writers for b in w.bookmarks],
             "wiki": {f"Bench edit {w.k}": w.wiki for w in writers}}
    with open(log_path, errors="replace") as f:
        locked = f.read().count("database is locked")
    acked_path = os.path.join(instance, "acked.json")
    with open(acked_path, "w") as f:
        json.dump(acked, f)
    check = subprocess.run([sys.executable, "-m", "bench.concurrency", "verify", instance, acked_path,
                            manifest["database_url"]], cwd=ROOT, capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=ROOT))
    missing = json.loads(check.stdout.strip().splitlines()[-1]) if check.returncode == 0 else {"error": check.stderr[-500:]}
    return {"workers": WORKERS, "clients": CLIENTS, "seconds": args.concurrency_seconds,
            "requests": sum(w.requests for w in writers), "errors": sum(w.errors for w in writers),
            "database_is_locked_in_log": locked,
            "acked": {"pastes": len(acked["pastes"]), "bookmarks": len(acked["bookmarks"]),
                      "wiki_edits": sum(len(v) for v in acked["wiki"].values())},
            "latency_ms": latency(writers),
            "missing_after": missing, "error_samples": [s for w in writers for s in w.samples][:5]}


def latency(writers):
    """p50 / p99 / slowest answer in ms per kind of write, over every client."""
    figures = {}
    for kind in writers[0].seconds:
        times = sorted(t for w in writers for t in w.seconds[kind])
        if times:
            figures[kind] = {name: round(1000 * times[min(len(times) - 1, int(q * len(times)))], 1)
                             for name, q in (("p50", 0.5), ("p99", 0.99), ("max", 1.0))}
    return figures


def run_all(args, results, say):
    """SQLite always; PostgreSQL too when ``--database-url`` was given."""
    targets = [("sqlite", "")] + ([("postgresql", args.database_url)] if args.database_url else [])
    for label, url in targets:
        fig = run_one(args, label, url, say)
        results["concurrency"][label] = fig
        say(f"concurrency ({label}): {fig['requests']} writes, {fig['errors']} errors, "
            f"missing after: {fig['missing_after']}; latency ms: {fig['latency_ms']}")


def verify(instance, acked_path, database_url=""):
    """What the database lacks of the acknowledged writes: counts per kind (all 0 when sound)."""
    from suite import create_app
    from suite.bookmarks.models import Bookmark
    from suite.extensions import db
    from suite.pastebin.models import Paste
    from suite.wiki import pages
    overrides = {"INSTANCE_PATH": instance, "SCREENSHOT_BACKEND": "none"}
    if database_url:
        overrides["DATABASE_URL"] = database_url
    create_app(overrides)
    with open(acked_path) as f:
        acked = json.load(f)
    with db.connection_context():
        have_pastes = {p.slug for p in Paste.select(Paste.slug).where(Paste.slug.in_(acked["pastes"] or ["-"]))}
        have_bookmarks = {b.id for b in Bookmark.select(Bookmark.id).where(Bookmark.id.in_(acked["bookmarks"] or [0]))}
        wiki_missing = 0
        for title, markers in acked["wiki"].items():
            page, current = pages.get_page(title)
            texts = {r.content for r in page.revisions}
            wiki_missing += sum(1 for m in markers if f"# Edit\n\n{m}\n" not in texts)
            if markers and f"{markers[-1]}" not in current.content:
                wiki_missing += 1  # the last acknowledged edit must be the current text
    return {"pastes": len(set(acked["pastes"]) - have_pastes),
            "bookmarks": len(set(acked["bookmarks"]) - have_bookmarks), "wiki_edits": wiki_missing}


if __name__ == "__main__" and sys.argv[1:2] == ["verify"]:
    print(json.dumps(verify(*sys.argv[2:5])))
