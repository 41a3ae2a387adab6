"""Backups under load restore to a working instance; upgrades from an old schema keep every row."""
import shutil
import threading
import time

import requests

from tests.faults.instance import Instance


def _paste_writer(url, token, acked, stop):
    headers = {"Authorization": f"Bearer {token}"}
    i = 0
    while not stop.is_set():
        i += 1
        try:
            resp = requests.post(f"{url}/api/v1/pastes", headers=headers, timeout=10,
                                 json={"content": f"load {i}\n" * 200, "visibility": "public"})
        except requests.RequestException:
            return
        if resp.status_code == 201:
            acked.append((time.monotonic(), resp.json()["slug"]))


def test_backup_during_writes_restores_every_acknowledged_write(instance, tmp_path):
    url = instance.start_server()
    acked, stop = [], threading.Event()
    writers = [threading.Thread(target=_paste_writer, args=(url, instance.tokens["alice"], acked, stop))
               for _ in range(2)]
    for w in writers:
        w.start()
    deadline = time.monotonic() + 30
    while len(acked) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    backup = tmp_path / "backup.db"
    out = instance.manage("backup", str(backup))
    stop.set()
    for w in writers:
        w.join(15)
    assert "backed up" in out.stdout
    before_backup = [slug for at, slug in acked if at < started]
    assert len(before_backup) >= 30

    restored = Instance(tmp_path / "restored")
    restored.path.mkdir()
    shutil.copyfile(backup, restored.db_path)
    assert restored.integrity() == ("ok", [])
    restored.manage("migrate")
    try:
        url = restored.start_server()
        missing = [s for s in before_backup if requests.get(f"{url}/paste/{s}/raw", timeout=10).status_code != 200]
        assert not missing, f"acknowledged before the backup, missing after restore: {missing}"
        resp = requests.post(f"{url}/api/v1/pastes", headers={"Authorization": f"Bearer {instance.tokens['alice']}"},
                             json={"content": "written to the restored instance"}, timeout=10)
        assert resp.status_code == 201
    finally:
        restored.stop()


def test_upgrade_from_the_first_migration_keeps_every_row(tmp_path):
    old = Instance(tmp_path / "old")
    old.path.mkdir()
    old.manage("migrate", "--target", "0001_accounts")
    tables = {t for (t,) in old.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "user" in tables and "paste" not in tables and "bookmark" not in tables
    for name in ("alice", "bob", "carol"):
        old.manage("create-user", name, "--password", "correct horse battery")
    old.manage("create-token", "alice")
    users = old.query('SELECT id, username, password_hash, is_admin, created_at FROM "user" ORDER BY id')
    tokens = old.query("SELECT * FROM api_token ORDER BY id")

    old.manage("migrate")
    assert old.query('SELECT id, username, password_hash, is_admin, created_at FROM "user" ORDER BY id') == users
    assert [row[: len(tokens[0])] for row in old.query("SELECT * FROM api_token ORDER BY id")] == tokens
    assert old.integrity() == ("ok", [])
    url = old.start_server()
    try:
        session = requests.Session()
        page = session.get(f"{url}/auth/login", timeout=10).text
        csrf = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        resp = session.post(f"{url}/auth/login", timeout=10, data={
            "username": "bob", "password": "correct horse battery", "csrf_token": csrf}, allow_redirects=False)
        assert resp.status_code in (302, 303), "an upgraded account cannot sign in"
        assert session.get(f"{url}/paste/mine", timeout=10).status_code == 200
    finally:
        old.stop()


def insert_row(instance, table, **values):
    """Insert a row at the old schema, filling NOT NULL columns the test does not care about."""
    filler = {"INTEGER": 0, "DATETIME": "2024-01-01 00:00:00"}
    for _, name, kind, notnull, default, pk in instance.query(f'PRAGMA table_info("{table}")'):
        if notnull and not pk and default is None and name not in values:
            values[name] = filler.get(kind, "")
    columns = ", ".join(f'"{c}"' for c in values)
    con = __import__("sqlite3").connect(instance.db_path)
    with con:
        con.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(values))})',
                    tuple(values.values()))
    con.close()


def test_upgrade_from_before_search_keeps_bookmarks_and_indexes_them(tmp_path):
    old = Instance(tmp_path / "old")
    old.path.mkdir()
    old.manage("migrate", "--target", "0004_bookmarks")
    old.manage("create-user", "alice", "--password", "correct horse battery")
    insert_row(old, "bookmark", owner_id=1, url="https://example.org/quokka", url_hash="a" * 64,
               domain="example.org", title="Quokka before the upgrade", fetch_status="done", thumb_status="none")
    columns = ", ".join(name for _cid, name, *_ in old.query("PRAGMA table_info(bookmark)"))
    before = old.query(f"SELECT {columns} FROM bookmark")

    migrated = old.manage("migrate").stdout
    assert old.query(f"SELECT {columns} FROM bookmark") == before  # later migrations may add columns
    assert old.integrity() == ("ok", [])
    # 0005_search creates the index; migrate then fills it from what the database already held.
    assert "indexed 1 bookmark" in migrated
    token = old.manage("create-token", "alice").stdout.strip().splitlines()[-1]
    url = old.start_server()
    try:
        headers = {"Authorization": f"Bearer {token}"}
        assert requests.get(f"{url}/api/v1/bookmarks/{before[0][0]}", headers=headers, timeout=10).status_code == 200
        hits = requests.get(f"{url}/api/v1/search", params={"q": "quokka"}, headers=headers, timeout=10).json()
        assert [h["title"] for h in hits["items"]] == ["Quokka before the upgrade"]
    finally:
        old.stop()


def test_upgrade_to_an_index_that_knows_each_items_app_keeps_every_search_working(tmp_path):
    old = Instance(tmp_path / "old")
    old.path.mkdir()
    old.manage("migrate", "--target", "0009_paste_lists")
    for kind, item_id, title in (("wiki", "Numbat", "Numbat habits"), ("bookmark", "1", "Numbat photos")):
        insert_row(old, "search_doc", kind=kind, item_id=item_id, visibility="public", title=title,
                   body="all about the numbat", url=f"/{kind}/{item_id}", tags="", lang="")
    assert old.query("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'numbat'") == [(2,)]

    old.manage("migrate")
    assert old.query("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'numbat'") == [(2,)]
    assert old.query("""SELECT count(*) FROM search_fts WHERE search_fts MATCH '{kind} : "wiki"'""") == [(1,)]
    assert old.integrity() == ("ok", [])
    url = old.start_server()
    try:
        page = requests.get(f"{url}/wiki/search", params={"q": "numbat"}, timeout=10).text
        assert "<mark>Numbat</mark> habits" in page and "photos" not in page
        assert "<mark>Numbat</mark> photos" in requests.get(f"{url}/search", params={"q": "numbat"}, timeout=10).text
    finally:
        old.stop()
