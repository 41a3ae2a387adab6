"""manage.py commands of the bookmarks app on a database that was never migrated: a message, no traceback."""
import subprocess
import sys

import pytest

NETSCAPE = '<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p><DT><A HREF="https://example.com/">x</A></DL>\n'


@pytest.mark.parametrize("args", [["thumbnails"], ["thumbnails", "--missing", "--user", "bob"],
                                  ["import-bookmarks", "{file}", "--user", "bob"]])
def test_bookmark_commands_on_an_empty_database_say_to_migrate(tmp_path, args):
    export = tmp_path / "bookmarks.html"
    export.write_text(NETSCAPE)
    env = {"SUITE_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin", "SUITE_SCREENSHOT_BACKEND": "none"}
    args = [arg.format(file=export) for arg in args]
    out = subprocess.run([sys.executable, "manage.py", *args], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "the database is not set up yet: run `python manage.py migrate` first" in out.stderr
