"""Wiki: a page called ``watchlist`` (or ``…/watch``, ``…/move``) from before those words became the
wiki's own addresses is spelled with a capital, as a new one is (``suite.wiki.titles``).

``/wiki/watchlist`` is now the watchlist, and a page's URL spells its title: a page stored as
``watchlist`` could no longer be reached (its links led to the watchlist). Only the spelling
changes; its key, links and history stay as they are. ``…/watch`` and ``…/move`` are spelled the
same way for the same reason, though only a POST (the watch button, the API's move) reached them.
"""
BUMP_WIKI = ("INSERT INTO cache_generation (name, value) VALUES ('wiki', 1) "
             "ON CONFLICT (name) DO UPDATE SET value = cache_generation.value + 1")


def spelled(title):  # suite.wiki.titles._apart_from_addresses for the three words, as of this migration
    parts = title.split("/")
    if len(parts) == 1 and parts[0] == "watchlist" or len(parts) > 1 and parts[-1] in ("watch", "move"):
        parts[-1] = parts[-1].capitalize()
    return "/".join(parts)


def up(migrator, db):
    rows = db.execute_sql(f"SELECT id, title FROM wiki_page WHERE key = {db.param} OR key LIKE {db.param} "
                          f"OR key LIKE {db.param}", ("watchlist", "%/watch", "%/move")).fetchall()
    changed = [(spelled(title), page_id) for page_id, title in rows if spelled(title) != title]
    for title, page_id in changed:
        db.execute_sql(f"UPDATE wiki_page SET title = {db.param} WHERE id = {db.param}", (title, page_id))
    if changed:
        db.execute_sql(BUMP_WIKI)


def down(migrator, db):
    """Nothing to undo: the capitalized spelling names the same page (the key is unchanged)."""
