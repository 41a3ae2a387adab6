"""Bookmark tag counts kept on the tag row, so tag lists cost the same at any number of bookmarks.

``bookmarks_tag.bookmark_count`` counts the bookmarks carrying the tag and ``public_count``
the public ones among them. Triggers keep both right in the transaction of every write,
whatever makes it (the services, the importer, bulk SQL, cascades from deleting a bookmark
or a user):

- a tagging inserted, deleted or moved adds to or takes from its tag;
- a bookmark turning public or private moves its tags' public counts;
- a bookmark's taggings are deleted just before the bookmark (instead of by the foreign-key
  cascade after it), so the tagging triggers can still read whether it was public.
"""

SQLITE = [
    """CREATE TRIGGER bookmarks_tagging_count_ai AFTER INSERT ON bookmarks_tagging BEGIN
         UPDATE bookmarks_tag SET bookmark_count = bookmark_count + 1,
           public_count = public_count + COALESCE((SELECT NOT is_private FROM bookmark WHERE id = new.bookmark_id), 0)
         WHERE id = new.tag_id; END""",
    """CREATE TRIGGER bookmarks_tagging_count_ad AFTER DELETE ON bookmarks_tagging BEGIN
         UPDATE bookmarks_tag SET bookmark_count = bookmark_count - 1,
           public_count = public_count - COALESCE((SELECT NOT is_private FROM bookmark WHERE id = old.bookmark_id), 0)
         WHERE id = old.tag_id; END""",
    """CREATE TRIGGER bookmarks_tagging_count_au AFTER UPDATE OF bookmark_id, tag_id ON bookmarks_tagging BEGIN
         UPDATE bookmarks_tag SET bookmark_count = bookmark_count - 1,
           public_count = public_count - COALESCE((SELECT NOT is_private FROM bookmark WHERE id = old.bookmark_id), 0)
         WHERE id = old.tag_id;
         UPDATE bookmarks_tag SET bookmark_count = bookmark_count + 1,
           public_count = public_count + COALESCE((SELECT NOT is_private FROM bookmark WHERE id = new.bookmark_id), 0)
         WHERE id = new.tag_id; END""",
    """CREATE TRIGGER bookmark_public_count_au AFTER UPDATE OF is_private ON bookmark
         WHEN old.is_private <> new.is_private BEGIN
         UPDATE bookmarks_tag SET public_count = public_count + (CASE WHEN new.is_private THEN -1 ELSE 1 END)
         WHERE id IN (SELECT tag_id FROM bookmarks_tagging WHERE bookmark_id = new.id); END""",
    """CREATE TRIGGER bookmark_untag_bd BEFORE DELETE ON bookmark BEGIN
         DELETE FROM bookmarks_tagging WHERE bookmark_id = old.id; END""",
]

POSTGRES = [
    """CREATE FUNCTION bookmarks_tagging_count() RETURNS trigger AS $$
       BEGIN
         IF TG_OP <> 'INSERT' THEN
           UPDATE bookmarks_tag SET bookmark_count = bookmark_count - 1,
             public_count = public_count - COALESCE(
               (SELECT CASE WHEN is_private THEN 0 ELSE 1 END FROM bookmark WHERE id = OLD.bookmark_id), 0)
           WHERE id = OLD.tag_id;
         END IF;
         IF TG_OP <> 'DELETE' THEN
           UPDATE bookmarks_tag SET bookmark_count = bookmark_count + 1,
             public_count = public_count + COALESCE(
               (SELECT CASE WHEN is_private THEN 0 ELSE 1 END FROM bookmark WHERE id = NEW.bookmark_id), 0)
           WHERE id = NEW.tag_id;
         END IF;
         RETURN NULL;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER bookmarks_tagging_count AFTER INSERT OR DELETE OR UPDATE OF bookmark_id, tag_id
         ON bookmarks_tagging FOR EACH ROW EXECUTE PROCEDURE bookmarks_tagging_count()""",
    """CREATE FUNCTION bookmark_public_count() RETURNS trigger AS $$
       BEGIN
         UPDATE bookmarks_tag SET public_count = public_count + (CASE WHEN NEW.is_private THEN -1 ELSE 1 END)
         WHERE id IN (SELECT tag_id FROM bookmarks_tagging WHERE bookmark_id = NEW.id);
         RETURN NULL;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER bookmark_public_count AFTER UPDATE OF is_private ON bookmark
         FOR EACH ROW WHEN (OLD.is_private IS DISTINCT FROM NEW.is_private)
         EXECUTE PROCEDURE bookmark_public_count()""",
    """CREATE FUNCTION bookmark_untag() RETURNS trigger AS $$
       BEGIN
         DELETE FROM bookmarks_tagging WHERE bookmark_id = OLD.id;
         RETURN OLD;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER bookmark_untag BEFORE DELETE ON bookmark
         FOR EACH ROW EXECUTE PROCEDURE bookmark_untag()""",
]

BACKFILL = """UPDATE bookmarks_tag SET
    bookmark_count = (SELECT COUNT(*) FROM bookmarks_tagging t WHERE t.tag_id = bookmarks_tag.id),
    public_count = (SELECT COUNT(*) FROM bookmarks_tagging t JOIN bookmark b ON b.id = t.bookmark_id
                    WHERE t.tag_id = bookmarks_tag.id AND NOT b.is_private)"""


def _postgres(db):
    return "postgres" in type(db).__name__.lower()


def up(migrator, db):
    for column in ("bookmark_count", "public_count"):
        db.execute_sql(f"ALTER TABLE bookmarks_tag ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")
    db.execute_sql(BACKFILL)
    for statement in POSTGRES if _postgres(db) else SQLITE:
        db.execute_sql(statement)


def down(migrator, db):
    if _postgres(db):
        for trigger, table in (("bookmarks_tagging_count", "bookmarks_tagging"),
                               ("bookmark_public_count", "bookmark"), ("bookmark_untag", "bookmark")):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            db.execute_sql(f"DROP FUNCTION IF EXISTS {trigger}()")
    else:
        for trigger in ("bookmarks_tagging_count_ai", "bookmarks_tagging_count_ad", "bookmarks_tagging_count_au",
                        "bookmark_public_count_au", "bookmark_untag_bd"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    for column in ("public_count", "bookmark_count"):
        db.execute_sql(f"ALTER TABLE bookmarks_tag DROP COLUMN {column}")
