"""The run's outputs: the printed table, growth flags, ``latest.json`` and the PNG chart."""
import json
import math
import os

NOISE = 1.25  # run-to-run spread on a shared 2-core machine: growth within 25% of log(n) is not flagged


def growth(row, sizes):
    """(cost ratio largest/smallest size by p50 latency, allowed log ratio, too fast?) or None."""
    known = [s for s in sizes if row.get(str(s))]
    if len(known) < 2:
        return None
    small, large = row[str(known[0])], row[str(known[-1])]
    if not small["p50_ms"] or not large["p50_ms"]:
        return None
    ratio = large["p50_ms"] / small["p50_ms"]
    allowed = math.log(known[-1]) / math.log(known[0])
    return round(ratio, 2), round(allowed, 2), ratio > allowed * NOISE


def cell_text(cell):
    """``rps p50/p99 xratio`` for one cell."""
    if not cell:
        return "-"
    if cell.get("skipped"):
        return "skipped"
    ratio = f" ({cell['ratio']:.0%})" if cell.get("ratio") is not None else ""
    err = f" ERR{cell['errors']}" if cell.get("errors") else ""
    return f"{cell['rps']:.0f}/s {cell['p50_ms']:.1f}/{cell['p99_ms']:.0f}ms{ratio}{err}"


def table(results):
    """The table as text: rows = request types, columns = sizes, plus the growth column."""
    sizes = results["sizes"]
    head = ["request"] + [f"{s:,} items" for s in sizes] + ["p50 growth (log n allows)"]
    lines = []
    for row in results["rows"].values():
        g = growth(row, sizes)
        gtext = "-" if g is None else f"x{g[0]} ({g[1]}){' FASTER THAN LOG' if g[2] else ''}"
        lines.append([row["label"]] + [cell_text(row.get(str(s))) for s in sizes] + [gtext])
    widths = [max(len(x[i]) for x in [head] + lines) for i in range(len(head))]
    fmt = lambda cols: "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))  # noqa: E731
    out = [fmt(head), fmt(["-" * w for w in widths])] + [fmt(x) for x in lines]
    return "\n".join(out)


def write_json(results, out_dir):
    """``latest.json`` in the results folder; returns its path."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "latest.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=1, default=str)
    return path


#: The chart's panels: which rows go where (a key ending in ``_1`` joins its base row's panel, dotted).
PANELS = (
    ("Pages as served", ("wiki_view", "paste_view", "bookmark_list", "search", "wiki_search", "home")),
    ("Pages built for every request", ("wiki_view_built", "paste_view_built", "bookmark_list_built",
                                       "search_built", "wiki_search_built")),
    ("Searches for new words (ranked afresh)", ("search_new", "wiki_search_new", "search_new_one",
                                                "search_new_two")),
    ("Writes and the JSON API", ("create_paste", "wiki_edit", "add_bookmark", "login", "api_")),
)


def _panel_of(key):
    base = key[:-2] if key.endswith("_1") else key
    for index, (_title, keys) in enumerate(PANELS):
        if base in keys or any(k.endswith("_") and base.startswith(k) for k in keys):
            return index
    return len(PANELS) - 1


def write_chart(results, out_dir):
    """A PNG: p50 latency by data size per request type (log-log), in four panels; returns its path.

    Each panel has a grey guide rising as log(n) from its rows' median cost at the smallest size:
    a row that climbs more steeply than the guide grows faster than log n.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    os.makedirs(out_dir, exist_ok=True)
    sizes, rows = results["sizes"], results["rows"]
    fig, axes = plt.subplots(2, 2, figsize=(15, 10))
    colors, markers = plt.get_cmap("tab10").colors, "osD^v<>p*hX"
    drawn = [0] * len(PANELS)
    starts = [[] for _ in PANELS]
    for key, row in rows.items():
        xs = [s for s in sizes if row.get(str(s)) and not row[str(s)].get("skipped") and row[str(s)].get("p50_ms")]
        if not xs:
            continue
        index = _panel_of(key)
        ax, k = axes.flat[index], drawn[index]
        drawn[index] += 1
        one_client = key.endswith("_1")
        ax.plot(xs, [row[str(s)]["p50_ms"] for s in xs], marker=markers[k % len(markers)],
                color=colors[k % len(colors)], linestyle=":" if one_client else "-", label=row["label"])
        if xs[0] == sizes[0]:
            starts[index].append(row[str(xs[0])]["p50_ms"])
    for index, ax in enumerate(axes.flat):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("items (bookmarks; pages and pastes = items/10)")
        ax.set_ylabel("p50 latency (ms)")
        ax.set_title(PANELS[index][0])
        ax.grid(True, which="both", alpha=0.3)
        if starts[index] and len(sizes) > 1:
            base = sorted(starts[index])[len(starts[index]) // 2]
            ax.plot(sizes, [base * math.log(s) / math.log(sizes[0]) for s in sizes], color="grey",
                    linestyle="--", linewidth=1, label="log n growth from the median start")
        if drawn[index]:
            ax.legend(fontsize=7, loc="best", ncol=2 if drawn[index] > 6 else 1, framealpha=0.85)
        plain = matplotlib.ticker.FuncFormatter(lambda v, _pos: f"{v:g}")
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(plain)
    bare = ", ".join(f"{int(s):,}: {results['bare'][str(s)]['rps']:.0f}/s" for s in sizes if str(s) in results["bare"])
    fig.suptitle(f"suite benchmark ({results['load_tool']}, gunicorn {results['workers']} workers, "
                 f"{results['database']}); dotted: one client; bare Flask {bare}")
    fig.tight_layout()
    path = os.path.join(out_dir, "latest.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _failed(figure):
    """", N requests failed" for a figure measured over failed requests (which make it no proof), else ""."""
    return f", {figure['errors']:,} requests failed" if figure.get("errors") else ""


def targets(results):
    """Issue 7's targets against this run: (what, measured, met) lines.

    A target measured over failed requests is not met, whatever the figure: error pages are cheap, so
    a run where the server answered 500s or 503s (say, code newer than the seeded schema) proves nothing.
    """
    out, largest = [], str(results["sizes"][-1]) if results["sizes"] else None
    for key in ("wiki_view", "paste_view", "bookmark_list", "wiki_view_built", "paste_view_built",
                "bookmark_list_built"):
        cell = results["rows"].get(key, {}).get(largest)
        if cell and cell.get("ratio") is not None:
            out.append((f"{results['rows'][key]['label']} at {int(largest):,} items ≥ 40% of bare Flask req/s",
                        f"{cell['ratio']:.1%}{_failed(cell)}", cell["ratio"] >= 0.40 and not _failed(cell)))
    for key in ("search_1", "search_built_1", "search_new_1"):
        cell = results["rows"].get(key, {}).get(largest)
        if cell:
            out.append((f"{results['rows'][key]['label']} at {int(largest):,} items: p50 < 10 ms, p99 < 50 ms",
                        f"p50 {cell['p50_ms']:.1f} ms, p99 {cell['p99_ms']:.1f} ms{_failed(cell)}",
                        cell["p50_ms"] < 10 and cell["p99_ms"] < 50 and not _failed(cell)))
    web = results["memory"].get("web_worker")
    if web:
        out.append((f"web worker < 60 MB RSS after {web['requests']:,} requests",
                    f"{web['rss_after_start_mb']} MB after start, {web['rss_after_mb']} MB after{_failed(web)}",
                    web["rss_after_mb"] < 60 and not _failed(web)))
    for key, what in (("wiki_view", "wiki page view"), ("wiki_search", "wiki search (the same pages)"),
                      ("search", "unified search (every app's items)")):
        peer = results["peer"].get(key)
        if peer and peer.get("times_faster"):
            built = f"; built each time {peer['times_faster_built']}×" if peer.get("times_faster_built") else ""
            built += f"; new words {peer['times_faster_new']}×" if peer.get("times_faster_new") else ""
            out.append((f"{what} ≥ {peer['target']}× An Otter Wiki's req/s ({results['peer']['pages']:,} pages)",
                        f"{peer['times_faster']}× ({peer['suite_rps']:.0f} vs {peer['otterwiki_rps']:.1f}/s){built}",
                        peer["met"]))
    return out
