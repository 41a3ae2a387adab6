"""Wiki: headings keep their letters in their ids, and ``[[Page#Section]]`` links to those ids.

Heading ids were ASCII-only slugs: "## Установка" got ``_1``, "Café" ``cafe``; a section
link put its fragment in the href as typed. Both now use Python-Markdown's
``slugify_unicode``. Each revision stores its rendered HTML, so the stored renders are
dropped here: every page is rendered again, with the new ids, on its next view. Pages the page
cache holds are dropped too (the wiki generation moves). ``down`` has nothing to undo.
"""
DROP_RENDERS = "UPDATE wiki_revision SET html = NULL, toc = NULL WHERE html IS NOT NULL"
BUMP_WIKI = ("INSERT INTO cache_generation (name, value) VALUES ('wiki', 1) "
             "ON CONFLICT (name) DO UPDATE SET value = cache_generation.value + 1")


def up(migrator, db):
    db.execute_sql(DROP_RENDERS)
    db.execute_sql(BUMP_WIKI)


def down(migrator, db):
    pass
