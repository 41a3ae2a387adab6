"""Wiki: ``[the spec](spec.pdf)`` links to the page's attachment, as ``![p](photo.png)`` shows one.

A link with a bare file name was left relative and led from ``/wiki/Specs/API`` to the page
``/wiki/Specs/spec.pdf``. Stored renders are dropped, so each page renders again (with the new
rule) the next time it is viewed, and the page cache's wiki pages are let go.
"""


def up(migrator, db):
    db.execute_sql("UPDATE wiki_revision SET html = NULL, toc = NULL WHERE html IS NOT NULL")
    db.execute_sql("INSERT INTO cache_generation (name, value) VALUES ('wiki', 1) "
                   "ON CONFLICT (name) DO UPDATE SET value = cache_generation.value + 1")


def down(migrator, db):
    """Nothing to undo: the renders are made again on view, by whichever rule the code has."""
