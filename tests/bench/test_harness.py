"""`make bench` works: the whole harness at a tiny size, and the growth rule of its table."""
import json
import os
import subprocess
import sys

import pytest

from bench import report

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WRITES = ("create_paste", "wiki_edit", "add_bookmark", "login")


def test_bench_run_at_a_tiny_size_fills_the_table_json_and_chart(tmp_path):
    """Seeds 50 items, loads every request type for a second, checks writes under concurrency."""
    cmd = [sys.executable, "-m", "bench.run", "--quick", "--sizes", "50", "--seconds", "1", "--no-peer",
           "--memory-requests", "200", "--concurrency-seconds", "2", "--out", str(tmp_path)]
    base = os.environ.get("SUITE_TEST_DATABASE_URL")
    if base:
        cmd += ["--database-url", base]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240,
                         env=dict(os.environ, PYTHONPATH=ROOT))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "wiki page view" in out.stdout and "bare Flask" in out.stdout
    results = json.loads((tmp_path / "latest.json").read_text())
    rows = results["rows"]
    for key in ("wiki_view", "paste_view", "bookmark_list", "search", "wiki_search", "home", "search_1", "api_search",
                *WRITES):
        cell = rows[key]["50"]
        assert cell["requests"] > 0 and cell["errors"] == 0, (key, cell)
    for key in WRITES:
        assert rows[key]["50"]["acked"] > 0, key
    assert results["bare"]["50"]["rps"] > 0
    web = results["memory"]["web_worker"]
    assert web["requests"] >= 200 and web["errors"] == 0 and web["rss_after_mb"] > 0
    for check in results["concurrency"].values():
        assert check["errors"] == 0 and check["database_is_locked_in_log"] == 0
        assert sum(check["acked"].values()) > 0
        assert check["missing_after"] == {"pastes": 0, "bookmarks": 0, "wiki_edits": 0}
        for kind in ("paste", "wiki_edit", "bookmark"):
            figures = check["latency_ms"][kind]
            assert 0 < figures["p50"] <= figures["p99"] <= figures["max"], (kind, figures)
    assert (tmp_path / "latest.png").read_bytes().startswith(b"\x89PNG")


def test_growth_flags_a_cost_that_grows_faster_than_log_n():
    """1k→100k may cost log(100k)/log(1k) ≈ 1.67 times more (plus 25% noise); 2.5 times is flagged."""
    def row(p50_small, p50_large):
        return {"1000": {"p50_ms": p50_small}, "100000": {"p50_ms": p50_large}}
    assert report.growth(row(10, 15), [1000, 100000]) == (1.5, 1.67, False)
    assert report.growth(row(10, 25), [1000, 100000]) == (2.5, 1.67, True)


@pytest.mark.parametrize("key, panel", [
    ("wiki_view", "Pages as served"), ("wiki_view_1", "Pages as served"),
    ("paste_view_built_1", "Pages built for every request"), ("search_built", "Pages built for every request"),
    ("search_new_1", "Searches for new words (ranked afresh)"),
    ("login", "Writes and the JSON API"), ("api_bookmarks_tags", "Writes and the JSON API"),
])
def test_the_chart_puts_each_row_with_its_kind(key, panel):
    assert report.PANELS[report._panel_of(key)][0] == panel


def test_a_target_measured_over_failed_requests_is_not_met():
    """Error pages are cheap: a fast figure over 500s or 503s (say, a schema behind the code) proves nothing."""
    def run(errors):
        cell = {"ratio": 0.9, "p50_ms": 1.0, "p99_ms": 2.0, "errors": errors}
        return {"sizes": [1000], "rows": {"wiki_view": {"label": "wiki page view", "1000": cell},
                                          "search_1": {"label": "unified search", "1000": cell}},
                "memory": {"web_worker": {"requests": 10_000, "errors": errors, "rss_after_start_mb": 40,
                                          "rss_after_mb": 50}}, "peer": {}}
    assert [met for _what, _figure, met in report.targets(run(0))] == [True, True, True]
    lines = report.targets(run(1_048))
    assert [met for _what, _figure, met in lines] == [False, False, False]
    assert all("1,048 requests failed" in figure for _what, figure, _met in lines)
