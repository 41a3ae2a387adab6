"""Wiki: "All pages" files accented titles under their letter.

Pages were listed by their case-folded key, so Ärger, Éclair, Ñandú and Öl came after Zebra.
``wiki_page.sort_key`` is the title with case and accents aside (``suite.wiki.titles.sort_key``),
filled here for existing pages, and indexed with the key (the list's order).
"""
from peewee import CharField

BATCH = 1000
BUMP_WIKI = ("INSERT INTO cache_generation (name, value) VALUES ('wiki', 1) "
             "ON CONFLICT (name) DO UPDATE SET value = cache_generation.value + 1")


def sort_key(title):  # suite.wiki.titles.sort_key as of this migration
    import unicodedata
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))[:200]


def up(migrator, db):
    migrator.migrate(migrator.add_column("wiki_page", "sort_key", CharField(max_length=200, default="")))
    last = 0
    while True:
        rows = db.execute_sql(f"SELECT id, title FROM wiki_page WHERE id > {db.param} ORDER BY id LIMIT {BATCH}",
                              (last,)).fetchall()
        if not rows:
            break
        for page_id, title in rows:
            db.execute_sql(f"UPDATE wiki_page SET sort_key = {db.param} WHERE id = {db.param}",
                           (sort_key(title), page_id))
        last = rows[-1][0]
    db.execute_sql("CREATE INDEX wiki_page_sort_key_key ON wiki_page (sort_key, key)")
    db.execute_sql(BUMP_WIKI)  # lists the page cache kept in the old order


def down(migrator, db):
    db.execute_sql("DROP INDEX IF EXISTS wiki_page_sort_key_key")
    migrator.migrate(migrator.drop_column("wiki_page", "sort_key"))
