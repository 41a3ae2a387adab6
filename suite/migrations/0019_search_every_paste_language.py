"""Search: ``lang:python`` finds a paste with a Python file in any place, not only in the first.

``search_doc.lang`` held one language: a paste's first file's. It now holds every language
of the item as padded words (" markdown python "), matched by containment like tags. On
PostgreSQL the column becomes TEXT (twenty files' languages can outgrow varchar(64); SQLite
does not enforce the length). Every entry is recomputed here: a paste's from its files,
in file order; any other kind's value is padded. ``down`` keeps the first language.
Pages the page cache holds with paste results are dropped (the paste generation moves).
"""
from peewee import PostgresqlDatabase

BUMP_PASTES = ("INSERT INTO cache_generation (name, value) VALUES ('paste', 1) "
               "ON CONFLICT (name) DO UPDATE SET value = cache_generation.value + 1")


def _padded(words):
    seen = []
    for word in words:
        word = (word or "").strip().lower()
        if word and " " not in word and word not in seen:
            seen.append(word)
    return f" {' '.join(seen)} " if seen else ""


def _rewrite(db, new_value):
    """Set each entry's lang to ``new_value(kind, item_id, lang)`` where that differs."""
    rows = db.execute_sql("SELECT id, kind, item_id, lang FROM search_doc").fetchall()
    update = f"UPDATE search_doc SET lang = {db.param} WHERE id = {db.param}"
    for doc_id, kind, item_id, lang in rows:
        value = new_value(kind, item_id, lang or "")
        if value != (lang or ""):
            db.execute_sql(update, (value, doc_id))


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER TABLE search_doc ALTER COLUMN lang TYPE text")
    languages = {}
    for paste_id, lang in db.execute_sql("SELECT paste_id, lang FROM paste_file ORDER BY paste_id, position"):
        languages.setdefault(str(paste_id), []).append(lang)

    def every_language(kind, item_id, lang):
        if kind == "paste" and item_id in languages:
            return _padded(languages[item_id])
        return _padded(lang.split())
    _rewrite(db, every_language)
    db.execute_sql(BUMP_PASTES)


def down(migrator, db):
    _rewrite(db, lambda kind, item_id, lang: (lang.split() or [""])[0][:64])
    db.execute_sql(BUMP_PASTES)
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER TABLE search_doc ALTER COLUMN lang TYPE varchar(64)")
