"""manage.py commands, run through Flask's CLI runner against a real database."""
import os
import sqlite3
import subprocess
import sys
import zipfile

from suite.auth.models import ApiToken, User
from suite.cli import backup_command, create_token_command, create_user_command, routes_command
from tests.conftest import PASSWORD


def test_create_user_and_admin(app, runner):
    result = runner.invoke(create_user_command, ["root", "--admin", "--password", PASSWORD])
    assert result.exit_code == 0 and "created admin root" in result.output
    result = runner.invoke(create_user_command, ["dora", "--password", PASSWORD])
    assert "created user dora" in result.output
    with app.app_context():
        assert User.by_name("root").is_admin and not User.by_name("dora").is_admin


def test_create_user_reads_the_password_from_stdin_for_scripts(app, runner):
    from suite.auth.accounts import authenticate
    result = runner.invoke(create_user_command, ["dora", "--password-stdin"], input=PASSWORD + "\nignored\n")
    assert result.exit_code == 0 and "dora" in result.output
    with app.app_context():
        assert authenticate("dora", PASSWORD, "127.0.0.1").username == "dora"
    both = runner.invoke(create_user_command, ["eve", "--password-stdin", "--password", PASSWORD])
    assert both.exit_code == 2 and "not both" in both.output


def test_create_user_refuses_taken_name(app, runner, users):
    result = runner.invoke(create_user_command, ["alice", "--password", PASSWORD])
    assert result.exit_code != 0 and "is taken" in result.output


def test_create_token_prints_a_working_token(app, runner, users, client):
    result = runner.invoke(create_token_command, ["alice", "--label", "cli"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("st_")
    with app.app_context():
        assert ApiToken.get().label == "cli"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["username"] == "alice"


def test_create_token_for_unknown_user_fails(runner):
    result = runner.invoke(create_token_command, ["nobody"])
    assert result.exit_code != 0 and "no user named" in result.output


def test_routes_lists_every_rule_with_methods(app, runner):
    lines = runner.invoke(routes_command).output.splitlines()
    assert any(line.startswith("GET,POST") and "/auth/login" in line for line in lines)
    assert len(lines) == len(list(app.url_map.iter_rules()))


def test_backup_makes_a_consistent_copy(app, runner, users, tmp_path):
    target = tmp_path / "backup.db"
    result = runner.invoke(backup_command, [str(target)])
    if app.config["DATABASE_URL"].startswith("postgres"):
        assert "pg_dump" in result.output
        return
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert {r[0] for r in copy.execute("SELECT username FROM user")} == {"admin", "alice", "bob"}


WRITER = """
import os, sqlite3, sys
writer, started = sqlite3.connect(sys.argv[1], timeout=30), False
while True:
    with writer:
        writer.execute("UPDATE filler SET data = ? WHERE n = 1", (os.urandom(4000),))
    if not started:
        print("writing", flush=True)
        started = True
"""


def test_backup_finishes_while_the_suite_keeps_writing(app, runner, users, tmp_path):
    """SQLite restarts a backup taken in steps from its first page whenever another process
    writes between two steps: with steady writes a database of several steps (1,024 pages
    each) was never copied. The copy is one step, one read of a snapshot (WAL lets the
    writers go on)."""
    import threading
    if app.config["DATABASE_URL"].startswith("postgres"):
        return  # pg_dump's business (see test_backup_and_restore_on_postgresql_fail_with_the_exact_command)
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as live:  # 40 MB: ten steps of the old backup
        live.execute("CREATE TABLE filler (n INTEGER PRIMARY KEY, data BLOB)")
        live.executemany("INSERT INTO filler (data) VALUES (?)", [(os.urandom(4000),) for _ in range(10_000)])
    writer = subprocess.Popen([sys.executable, "-c", WRITER, path], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline() == "writing\n"
    result = []
    backup = threading.Thread(target=lambda: result.append(runner.invoke(backup_command, [str(tmp_path / "b.db")])))
    try:
        backup.start()
        backup.join(30)
        finished = not backup.is_alive()
    finally:
        writer.kill()
        writer.wait()
    backup.join(60)
    assert finished, "the backup was still copying after 30 s of writes"
    assert result[0].exit_code == 0, result[0].output
    assert sqlite3.connect(tmp_path / "b.db").execute("SELECT count(*) FROM filler").fetchone()[0] == 10_000


def test_manage_py_migrate_runs_as_a_program(tmp_path):
    env = {"SUITE_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "manage.py", "migrate"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "applied 0001_accounts" in out.stdout
    again = subprocess.run([sys.executable, "manage.py", "migrate"], env=env, capture_output=True, text=True)
    assert "database is up to date" in again.stdout


def test_reindex_rebuilds_the_search_index_from_every_app(app, runner, alice_client):
    from suite import search
    from suite.cli import reindex_command
    from suite.search.models import SearchDoc
    alice_client.post("/paste/", data={"content": "zebra stripes in python", "visibility": "public"},
                      headers={"Accept": "text/html"})
    alice_client.post("/wiki/Zebra/edit", data={"content": "All about the zebra", "base_revision": 0})
    alice_client.post("/bookmarks/add", data={"url": "https://zebra.example/", "title": "Zebra facts"})
    with app.app_context():
        before = sorted(h.kind for h in search.query("zebra", user=None, per_page=50).hits)
        assert before == ["bookmark", "paste", "wiki"]
        SearchDoc.delete().execute()
    result = runner.invoke(reindex_command, [])
    assert result.exit_code == 0, result.output
    assert "indexed 1 bookmark" in result.output and "indexed 1 paste" in result.output
    with app.app_context():
        assert sorted(h.kind for h in search.query("zebra", user=None, per_page=50).hits) == before
        assert SearchDoc.select().count() == 3


def test_reindex_builds_the_search_lists_with_a_progress_bar(app, runner, alice_client):
    from suite import search
    from suite.cli import reindex_command
    from suite.search.models import KINDS
    for n in range(3):
        alice_client.post("/bookmarks/add", data={"url": f"https://otter{n}.example/", "title": "Otter facts"})
    app.config["SEARCH_LIST_MIN_DOCS"] = 2  # "otter" is in 3 items: it gets lists
    result = runner.invoke(reindex_command, [])
    assert result.exit_code == 0, result.output
    assert "search lists" in result.output
    built = int(result.output.split("lists for ")[1].split()[0])
    assert built >= 1
    with app.app_context():
        ranked = search.champion_lists().rank_word("otter", (), KINDS, 5)  # the lists answer
    assert ranked is not None and len(ranked) == 3


def _sqlite_only(app):
    return not app.config["DATABASE_URL"].startswith("postgres")


def test_backup_refuses_to_overwrite_without_force_and_never_the_live_database(app, runner, users, tmp_path):
    if not _sqlite_only(app):
        return  # on PostgreSQL the command only prints pg_dump's command line (test above)
    from suite.extensions import db
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    result = runner.invoke(backup_command, [str(existing)])
    assert result.exit_code != 0 and "--force" in result.output and "Traceback" not in result.output
    assert existing.read_text() == "keep me"
    result = runner.invoke(backup_command, [db.obj.database, "--force"])
    assert result.exit_code != 0 and "live database" in result.output
    result = runner.invoke(backup_command, [str(tmp_path / "missing-dir" / "b.db")])
    assert result.exit_code != 0 and "cannot write" in result.output
    assert runner.invoke(backup_command, [str(existing), "--force"]).exit_code == 0


def test_unknown_migration_target_is_a_message_not_a_traceback(runner):
    from suite.cli import migrate_command
    result = runner.invoke(migrate_command, ["--target", "bogus"])
    assert result.exit_code != 0 and "unknown migration" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_older_migration_target_says_the_database_is_past_it(runner):
    from suite.cli import migrate_command
    result = runner.invoke(migrate_command, ["--target", "0006_follows_and_activity"])
    assert result.exit_code == 0
    assert "already past 0006_follows_and_activity" in result.output and "up to date" not in result.output
    assert runner.invoke(migrate_command, []).output.strip() == "database is up to date"


def test_data_commands_on_an_empty_database_say_to_migrate(tmp_path):
    env = {"SUITE_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for args in (["create-user", "bob", "--password", PASSWORD], ["create-token", "bob"], ["reindex"],
                 ["wiki", "export", str(tmp_path / "w.zip")], ["wiki", "import", __file__, "--user", "bob"]):
        out = subprocess.run([sys.executable, "manage.py", *args], env=env, capture_output=True, text=True)
        assert out.returncode != 0 and "manage.py migrate" in out.stderr and "Traceback" not in out.stderr


def test_create_user_refuses_a_password_of_spaces(runner):
    result = runner.invoke(create_user_command, ["dora", "--password", " " * 12])
    assert result.exit_code != 0 and "only spaces" in result.output


def test_wiki_export_never_overwrites_the_database_or_a_file_without_force(app, runner, users, tmp_path):
    from suite.extensions import db
    from suite.wiki.cli import export_command
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    result = runner.invoke(export_command, [str(existing)])
    assert result.exit_code != 0 and "--force" in result.output and existing.read_text() == "keep me"
    result = runner.invoke(export_command, [str(tmp_path / "missing-dir" / "w.zip")])
    assert result.exit_code != 0 and "cannot write" in result.output and "Traceback" not in result.output
    if _sqlite_only(app):
        size = os.path.getsize(db.obj.database)
        result = runner.invoke(export_command, [db.obj.database, "--force"])
        assert result.exit_code != 0 and "live database" in result.output
        assert os.path.getsize(db.obj.database) == size
    assert runner.invoke(export_command, [str(existing), "--force"]).exit_code == 0
    assert zipfile.is_zipfile(existing) and not os.path.exists(f"{existing}.partial")


def test_out_of_range_numbers_are_usage_errors(runner):
    from suite.cli import run_command, worker_command
    for command, args in ((run_command, ["--port", "99999"]), (run_command, ["--port", "0"]),
                          (worker_command, ["--workers", "-1"]), (worker_command, ["--workers", "0"])):
        result = runner.invoke(command, args)
        assert result.exit_code == 2 and "is not in the range" in result.output, (args, result.output)


def test_a_host_that_cannot_be_served_on_is_a_message(runner):
    from suite.cli import run_command
    result = runner.invoke(run_command, ["--host", "no.such.host.invalid", "--no-worker"])
    assert result.exit_code == 1 and "cannot serve on no.such.host.invalid" in result.output


def test_bad_settings_and_unreachable_databases_are_one_line_not_a_traceback(tmp_path):
    base = {"SUITE_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    cases = [({"SUITE_TASK_WORKERS": "two"}, "SUITE_TASK_WORKERS"),
             ({"SUITE_RATELIMIT_API": "lots"}, "SUITE_RATELIMIT_API"),
             ({"SUITE_DATABASE_URL": "mysql://x/y"}, "SUITE_DATABASE_URL"),
             ({"SUITE_DATABASE_URL": f"sqlite:///{tmp_path}/missing/s.db"}, "cannot open the database")]
    for settings, message in cases:
        out = subprocess.run([sys.executable, "manage.py", "migrate"], env={**base, **settings},
                             capture_output=True, text=True)
        assert out.returncode != 0 and message in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_backup_and_restore_on_postgresql_fail_with_the_exact_command(app, runner, tmp_path):
    import shlex

    from suite.cli import restore_command
    if _sqlite_only(app):
        return
    target = tmp_path / "my backups" / "suite; rm -rf ~.dump"
    result = runner.invoke(backup_command, [str(target)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    command = shlex.split(result.output.strip().splitlines()[-1])
    assert command[0] == "pg_dump" and f"--file={target}" in command  # one word, however odd the path
    target.parent.mkdir()
    target.write_bytes(b"PGDMP")
    result = runner.invoke(restore_command, [str(target)])
    assert result.exit_code != 0
    command = shlex.split(result.output.strip().splitlines()[-1])
    assert command[0] == "pg_restore" and command[-1] == str(target)
