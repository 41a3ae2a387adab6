"""SIGKILL in the middle of writes: the database stays whole, nothing half-written shows, work can be redone."""
import threading
import time

import requests

ENTRIES = 10_000


def netscape_file(path, n=ENTRIES):
    """A Netscape bookmark file of ``n`` distinct links, each with two tags."""
    lines = ["<!DOCTYPE NETSCAPE-Bookmark-file-1>", "<DL><p>"]
    lines += [f'<DT><A HREF="https://example.org/page/{i}" ADD_DATE="1700000000" TAGS="batch{i % 7},kill">'
              f"Page {i}</A>" for i in range(n)]
    lines.append("</DL>")
    path.write_text("\n".join(lines))
    return path


def _bookmarks(instance):
    return instance.query("SELECT COUNT(*) FROM bookmark")[0][0]


def test_import_killed_midway_leaves_whole_batches_and_reimport_adds_no_duplicates(instance, tmp_path):
    source = netscape_file(tmp_path / "bookmarks.html")
    importing = instance.start_manage("import-bookmarks", str(source), "--user", "alice")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _bookmarks(instance) < 1000:
        time.sleep(0.02)
    instance.kill(importing)
    saved = _bookmarks(instance)
    assert 0 < saved < ENTRIES, f"the kill should land mid-import (saw {saved} rows)"

    assert instance.integrity() == ("ok", [])
    assert saved % 500 == 0, "a batch was half-written"
    untagged = instance.query("SELECT COUNT(*) FROM bookmark b WHERE NOT EXISTS "
                              "(SELECT 1 FROM bookmarks_tagging t WHERE t.bookmark_id = b.id)")[0][0]
    assert untagged == 0, "bookmarks saved without their tags"
    indexed = instance.query("SELECT COUNT(*) FROM search_doc WHERE kind = 'bookmark'")[0][0]
    assert indexed == saved, "bookmarks saved without their search entries"

    done = instance.manage("import-bookmarks", str(source), "--user", "alice")
    assert f"{ENTRIES - saved} imported, {saved} already saved" in done.stdout
    assert _bookmarks(instance) == ENTRIES
    assert instance.query("SELECT COUNT(DISTINCT url_hash) FROM bookmark")[0][0] == ENTRIES


def _writer(url, token, n, acked, stop):
    headers = {"Authorization": f"Bearer {token}"}
    base = 0
    for i in range(10_000):
        if stop.is_set():
            return
        body = f"# Save {i} of writer {n}\n\n" + ("filler text " * 4000) + f"\n\nend-{n}-{i}\n"
        try:
            resp = requests.put(f"{url}/api/v1/wiki/Crash_{n}", headers=headers, timeout=10,
                                json={"content": body, "base_revision": base, "message": f"save {i}"})
        except requests.RequestException:
            return
        if resp.status_code in (200, 201):
            base = resp.json()["revision"]
            acked.append((n, base, f"end-{n}-{i}"))


def test_server_killed_during_wiki_saves_keeps_every_acknowledged_save(instance):
    url = instance.start_server()
    acked, stop = [], threading.Event()
    writers = [threading.Thread(target=_writer, args=(url, instance.tokens["alice"], n, acked, stop)) for n in range(3)]
    for w in writers:
        w.start()
    deadline = time.monotonic() + 30
    while len(acked) < 15 and time.monotonic() < deadline:
        time.sleep(0.05)
    instance.kill()
    stop.set()
    for w in writers:
        w.join(15)
    assert len(acked) >= 15

    assert instance.integrity() == ("ok", [])
    pages = instance.query("SELECT id, version FROM wiki_page")
    for page_id, version in pages:
        numbers = [n for (n,) in instance.query("SELECT number FROM wiki_revision WHERE page_id = ? ORDER BY number",
                                               page_id)]
        assert numbers == list(range(1, version + 1)), "a page points at a revision that is not there (or skipped)"
    for n, revision, marker in acked:
        content = instance.query("SELECT r.content FROM wiki_revision r JOIN wiki_page p ON p.id = r.page_id "
                                 "WHERE p.title = ? AND r.number = ?", f"Crash {n}", revision)
        assert content and content[0][0].rstrip().endswith(marker), f"acknowledged save {marker} is lost"

    url = instance.start_server()
    for page_id, version in pages:
        title = instance.query("SELECT title FROM wiki_page WHERE id = ?", page_id)[0][0]
        resp = requests.put(f"{url}/api/v1/wiki/{title}", timeout=10,
                            headers={"Authorization": f"Bearer {instance.tokens['alice']}"},
                            json={"content": "after the crash", "base_revision": version})
        assert resp.status_code == 200, resp.text
