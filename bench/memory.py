"""Memory figures: one web worker before and after 10,000 mixed requests; the task worker with a warm browser."""
import os
import subprocess
import sys
import time

from bench import load
from bench.cells import USER_AGENT, paste_body
from bench.load import Req
from bench.servers import ROOT, descendants, pss_mb, rss_mb, suite_env


def mixed_requests(manifest, csrf):
    """Mostly reads, some writes: the mix the 10,000 requests cycle through."""
    reqs = [Req("GET", p) for p in manifest["wiki_paths"][:8]]
    reqs += [Req("GET", p) for p in manifest["paste_paths"][:3]]
    reqs += [Req("GET", "/bookmarks/?per_page=50"), Req("GET", "/bookmarks/?per_page=50&page=2")]
    reqs += [Req("GET", f"/search?q={q.replace(' ', '+')}") for q in manifest["search_queries"][:4]]
    reqs += [Req("POST", "/paste/", paste_body(csrf)),
             Req("POST", "/bookmarks/add", f"csrf_token={csrf}&title=Mixed&url=https%3A//mixed.example.net/{{tid}}/{{n}}")]
    return reqs


def web_worker(server, manifest, count=10_000, clients=4):
    """RSS (MB) of a one-worker gunicorn after start, after signing in, and after ``count`` mixed requests."""
    from bench.cells import signed_in
    pid = server.worker_pids()[0]
    before = rss_mb(pid)  # one /healthz answered: the app is built, no page rendered yet
    _s, cookie, csrf = signed_in(server.url, manifest["username"], manifest["password"])
    signed = rss_mb(pid)
    result = load.run_python(server.url, mixed_requests(manifest, csrf), headers={"Cookie": cookie, "User-Agent": USER_AGENT},
                             clients=clients, seconds=600, limit=count)
    return {"worker_pid": pid, "rss_after_start_mb": round(before, 1), "rss_after_sign_in_mb": round(signed, 1),
            "requests": result.requests, "errors": result.errors, "rss_after_mb": round(rss_mb(pid), 1),
            "rss_after_split_mb": rss_split(pid), "seconds": round(result.seconds, 1),
            "samples": result.detail["samples"][:3]}


def rss_split(pid):
    """Where a process's RSS is (MB): anonymous memory (heaps, Python objects, SQLite caches),
    mapped files (the interpreter, shared libraries), and PSS (shared pages divided among sharers)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key = line.split(":")[0]
                if key in ("RssAnon", "RssFile", "RssShmem"):
                    out[key[3:].lower()] = round(int(line.split()[1]) / 1024, 1)
    except FileNotFoundError:
        return out
    out["pss"] = round(pss_mb(pid), 1)
    return out


def settled_rss(pid, timeout=10):
    """RSS once a starting process stops growing (two readings 0.5 s apart within 1 MB)."""
    deadline, last = time.monotonic() + timeout, -10.0
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = rss_mb(pid)
        if now > 30 and abs(now - last) < 1:
            return now
        last = now
    return rss_mb(pid)


def task_worker(instance, database_url, suite_url, session, csrf, page_url, timeout=120, log_path=None):
    """RSS of ``manage.py worker`` after start, and after one bookmark fetched and screenshotted.

    The screenshot starts the worker's warm Chromium (Playwright); its processes are
    reported apart, since they are children of the worker, not part of its own RSS.
    """
    env = suite_env(instance, database_url, SUITE_SCREENSHOT_BACKEND="auto", SUITE_FETCH_ALLOW_HOSTS="127.0.0.1",
                    SUITE_CHROMIUM_PATH="/usr/bin/chromium")
    log = open(log_path or os.devnull, "ab")
    proc = subprocess.Popen([sys.executable, "manage.py", "worker"], cwd=ROOT, env=env, stdout=log,
                            stderr=log, start_new_session=True)
    try:
        started = settled_rss(proc.pid)
        resp = session.post(suite_url + "/bookmarks/add", data={"csrf_token": csrf, "url": page_url,
                                                               "title": "Warm-up"}, allow_redirects=False)
        if resp.status_code != 302:
            return {"error": f"adding the warm-up bookmark gave HTTP {resp.status_code}"}
        status_url = suite_url + resp.headers["Location"].split("?")[0] + "/status.json"
        deadline, state = time.monotonic() + timeout, {}
        while time.monotonic() < deadline:
            state = session.get(status_url).json()
            if state.get("status") != "pending":
                break
            time.sleep(1)
        time.sleep(2)
        kids = descendants(proc.pid)
        return {"rss_after_start_mb": round(started, 1), "rss_warm_mb": round(rss_mb(proc.pid), 1),
                "browser_processes": len(kids), "browser_pss_mb": round(sum(pss_mb(p) for p in kids), 1),
                "browser_rss_sum_mb": round(sum(rss_mb(p) for p in kids), 1),
                "bookmark_status": state.get("status"), "thumb_source": state.get("source"),
                "error": state.get("error", "")}
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()


def new_session(base_url, username, password):
    """A signed-in requests session and its CSRF token."""
    from bench.cells import signed_in
    s, _cookie, csrf = signed_in(base_url, username, password)
    return s, csrf

