"""The peer: An Otter Wiki (PyPI ``otterwiki``) in its own venv, same pages, same gunicorn settings.

It keeps pages as Markdown files in a git repository (``<lower-case title>.md``),
so the pages are written as files and committed once. Page view is ``GET /<Title>``,
search ``GET /-/search/<query>`` (it reads every page file for each search).
"""
import os
import secrets
import subprocess
import sys
import urllib.request
from urllib.parse import quote

from bench import content, load
from bench.cells import BROWSER, READ
from bench.load import Req
from bench.servers import Server, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".otterwiki-venv")
PY = os.path.join(VENV, "bin", "python")


def install(say):
    """Make sure the venv has otterwiki and gunicorn; returns None or why it could not."""
    check = [PY, "-c", "import otterwiki, gunicorn"]
    if os.path.exists(PY) and subprocess.run(check, capture_output=True).returncode == 0:
        return None
    say("installing An Otter Wiki into bench/.otterwiki-venv")
    try:
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True, capture_output=True, timeout=300)
        subprocess.run([PY, "-m", "pip", "install", "-q", "otterwiki", "gunicorn"], check=True,
                       capture_output=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as err:
        out = getattr(err, "stderr", b"") or b""
        return f"An Otter Wiki could not be installed ({err}; {out[-300:]!r})"
    return None


def populate(repo, page_count):
    """Write the suite's seeded pages as Markdown files and commit them in one commit."""
    os.makedirs(repo, exist_ok=True)
    git = ["git", "-C", repo, "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(["git", "init", "-q", repo], check=True)
    with open(os.path.join(repo, "home.md"), "w") as f:
        f.write("# Home\n\nPages seeded by the suite's benchmark.\n")
    for i in range(1, page_count + 1):
        with open(os.path.join(repo, content.wiki_title(i).lower() + ".md"), "w") as f:
            f.write(content.wiki_page(i, page_count))
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "bench pages"], check=True)


def server(workdir, args):
    """gunicorn serving ``otterwiki.server:app`` with the suite's worker settings."""
    env = dict(os.environ, REPOSITORY=os.path.join(workdir, "repo"), SECRET_KEY=secrets.token_hex(24),
               SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(workdir, "db.sqlite"),
               READ_ACCESS="ANONYMOUS", LOG_LEVEL="WARNING")
    # Import the app once first: it creates its database tables on import, and two gunicorn
    # workers doing that at the same moment on a fresh database crash one of them.
    init = subprocess.run([PY, "-c", "import otterwiki.server"], env=env, cwd=workdir, capture_output=True,
                          text=True, timeout=120)
    if init.returncode:
        raise RuntimeError(f"importing otterwiki.server failed: {init.stderr[-300:]}")
    port = free_port()
    cmd = [PY, "-m", "gunicorn", "otterwiki.server:app", "--bind", f"127.0.0.1:{port}", "--workers",
           str(args.workers), "--worker-class", "gthread", "--threads", str(args.threads), "--timeout", "120",
           "--keep-alive", "5", "--log-level", "warning"]
    return Server("otterwiki", cmd, env, port, "/", os.path.join(workdir, "otterwiki.log"), cwd=workdir)


def warm_up(base_url, paths):
    """One request per path in each worker before measuring (its first request sets up lazily)."""
    for path in paths * 4:
        try:
            with urllib.request.urlopen(base_url + path, timeout=60) as resp:
                resp.read()
        except OSError:
            pass


def compare(args, bare, results, say):
    """Measure An Otter Wiki's page view and search at the page count of the closest size, in this run."""
    if not results["seed"]:
        return
    size, info = min(results["seed"].items(), key=lambda kv: abs(kv[1]["counts"]["pages"] - 1000))
    pages = info["counts"]["pages"]
    reason = install(say)
    if reason:
        results["notices"].append(f"peer skipped: {reason}")
        say(results["notices"][-1])
        return
    workdir = os.path.join(args.out, "otterwiki")
    subprocess.run(["rm", "-rf", workdir], check=True)
    say(f"An Otter Wiki: {pages:,} pages")
    populate(os.path.join(workdir, "repo"), pages)
    step = max(1, pages // 200)
    views = [Req("GET", "/" + quote(content.wiki_title(i))) for i in range(1, pages + 1, step)][:200]
    searches = [Req("GET", "/-/search/" + quote(q, safe="")) for q in content.search_queries()]
    seconds = max(args.seconds, 10)
    figures = {}
    try:
        with server(workdir, args) as otter:
            warm_up(otter.url, [views[0].path, searches[0].path])
            for key, reqs in (("wiki_view", views), ("search", searches)):
                figures[key] = load.run(otter.url, reqs, headers=BROWSER, seconds=seconds, tool=args.tool,
                                        **READ).as_dict()
                say(f"An Otter Wiki {key}: {figures[key]['rps']:.1f} req/s, p50 {figures[key]['p50_ms']:.0f} ms")
    except RuntimeError as err:
        results["notices"].append(f"peer skipped: An Otter Wiki did not run ({err})")
        return
    out = {"pages": pages, "suite_size": int(size), "seconds_per_cell": seconds}
    # Otter's search reads its pages; ours is measured both over the same pages only (/wiki/search)
    # and as the unified search over every app's items at that size.
    for key, peer_key, target in (("wiki_view", "wiki_view", 50), ("wiki_search", "search", 100),
                                  ("search", "search", 100)):
        suite = results["rows"].get(key, {}).get(size)
        peer_fig = figures[peer_key]
        ratio = suite["rps"] / peer_fig["rps"] if suite and peer_fig["rps"] else None
        out[key] = {"otterwiki_rps": peer_fig["rps"], "otterwiki_p50_ms": peer_fig["p50_ms"],
                    "otterwiki_p99_ms": peer_fig["p99_ms"], "otterwiki_errors": peer_fig["errors"],
                    "suite_rps": suite["rps"] if suite else None,
                    "times_faster": round(ratio, 1) if ratio else None, "target": target,
                    "met": bool(ratio and ratio >= target)}
        for variant in ("built", "new"):  # made for every request (no page cache); words never seen before
            other = results["rows"].get(f"{key}_{variant}", {}).get(size)
            if other and peer_fig["rps"]:
                out[key][f"times_faster_{variant}"] = round(other["rps"] / peer_fig["rps"], 1)
    results["peer"] = out
