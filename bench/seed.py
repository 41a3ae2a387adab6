"""Fill a fresh suite instance with N bookmarks, N/10 wiki pages and N/10 pastes, fast.

Bulk inserts go straight into the apps' models (explicit ids, chunks in one
transaction); every item is also put in the unified search index with
``suite.search.index_item``, exactly as the apps' services do. The pages and
pastes that the benchmark reads are rendered/highlighted through the apps' own
functions, as a save would have done. Run: ``python -m bench.seed --instance DIR --items N``.
"""
import argparse
import hashlib
import json
import os
import secrets
import time

from bench import content

USERNAME, PASSWORD = "bench", "bench-password-123"
CHUNK = 500
WIKI_SAMPLE = 200          # distinct pages the view cell rotates through
BIG_PASTES = 5             # 1,000-line pastes the paste-view cell rotates through
EDIT_PAGES = 32            # one page per writing client (wrk thread or concurrency client)


def counts_for(items):
    """How many of each kind a data size means: N bookmarks, N/10 pages, N/10 pastes."""
    return {"bookmarks": items, "pages": max(items // 10, 20), "pastes": max(items // 10, 20)}


def _chunks(rows, size=CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _fix_sequences(tables):
    """PostgreSQL: move id sequences past the explicit ids we inserted."""
    from suite.database import is_postgres
    from suite.extensions import db
    if not is_postgres():
        return
    for table in tables:
        db.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                       f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))")


def seed_user():
    """The bench account (the first user, so an admin) and an API token."""
    from suite.auth import accounts
    user = accounts.create_user(USERNAME, PASSWORD)
    _row, token = accounts.create_token(user, "bench")
    return user, token


def seed_bookmarks(user, n, thumb_name):
    """``n`` bookmarks with 3 tags each and a thumbnail, fetched already (nothing left for the worker)."""
    from suite import search
    from suite.auth.models import utcnow
    from suite.bookmarks.models import DONE, Bookmark, BookmarkTag, Tag
    from suite.bookmarks.urls import domain_of, normalize_url, url_hash
    from suite.extensions import db
    # The add-bookmark cell tags with these; they exist already, as a user's usual tags would.
    tag_ids, now = {name: Tag.insert(owner=user.id, name=name).execute() for name in ("bench", "load")}, utcnow()
    for batch in _chunks(list(range(1, n + 1))):
        with db.atomic():
            rows, links, fields = [], [], {}
            for i in batch:
                url, title, description, tags = content.bookmark_fields(i)
                url = normalize_url(url)
                fields[i] = (url, title, description, tags)
                rows.append({"id": i, "owner": user.id, "url": url, "url_hash": url_hash(url),
                             "domain": domain_of(url)[:255], "title": title, "description": description,
                             "is_private": i % 4 != 0, "created_at": now, "updated_at": now,
                             "fetch_status": DONE, "thumb_status": DONE, "thumb_source": "screenshot",
                             "thumb_small": thumb_name + "-s.webp", "thumb_large": thumb_name + "-l.webp"})
                for tag in tags:
                    if tag not in tag_ids:
                        tag_ids[tag] = Tag.insert(owner=user.id, name=tag).execute()
                    links.append((i, tag_ids[tag]))
            Bookmark.insert_many(rows).execute()
            BookmarkTag.insert_many(links, fields=[BookmarkTag.bookmark, BookmarkTag.tag]).execute()
            for row in rows:
                url, title, description, tags = fields[row["id"]]
                search.index_item("bookmark", row["id"], owner_id=user.id,
                                  visibility="private" if row["is_private"] else "public",
                                  title=title, body=description, url=url, tags=tags, updated_at=now)
    _fix_sequences(["bookmark", "bookmarks_tag", "bookmarks_tagging"])


def write_thumbnail(media_path):
    """One real WebP pair under MEDIA_PATH/thumbs that every seeded bookmark points to."""
    from PIL import Image

    from suite.bookmarks.thumbnails import thumbs_dir
    name = hashlib.md5(b"bench-thumb").hexdigest()
    folder = thumbs_dir(media_path)
    for suffix, size in (("s", (400, 250)), ("l", (1280, 800))):
        Image.new("RGB", size, (70, 110, 160)).save(os.path.join(folder, f"{name}-{suffix}.webp"), "WEBP")
    return name


def seed_wiki(user, n):
    """``n`` pages of ~5 KB Markdown (revision 1, links stored, indexed); returns the sample's paths."""
    from suite import search
    from suite.auth.models import utcnow
    from suite.extensions import db
    from suite.wiki import links
    from suite.wiki.models import Link, Page, Revision
    from suite.wiki.pages import content_hash
    from suite.wiki.titles import title_key
    now = utcnow()
    for batch in _chunks(list(range(1, n + 1)), 200):
        with db.atomic():
            pages, revisions, link_rows = [], [], []
            for i in batch:
                title, text = content.wiki_title(i), content.wiki_page(i, n)
                pages.append({"id": i, "title": title, "key": title_key(title), "version": 1,
                              "created_by": user.id, "created_at": now, "updated_at": now})
                revisions.append({"id": i, "page": i, "number": 1, "kind": "edit", "author": user.id,
                                  "created_at": now, "message": "seed", "content": text,
                                  "content_hash": content_hash(text)})
                targets = {title_key(t) for t in _wikilinks(text)} - {title_key(title)}
                link_rows += [(i, key) for key in sorted(targets)]
            Page.insert_many(pages).execute()
            Revision.insert_many(revisions).execute()
            Link.insert_many(link_rows, fields=[Link.from_page, Link.to_key]).execute()
            for page, rev in zip(pages, revisions, strict=True):
                search.index_item("wiki", page["id"], owner_id=None, visibility="public",
                                  title=page["title"], body=rev["content"],
                                  url=links.page_path(page["title"]), updated_at=now)
    _fix_sequences(["wiki_page", "wiki_revision", "wiki_link"])
    sample = list(range(1, n + 1, max(1, n // WIKI_SAMPLE)))[:WIKI_SAMPLE]
    for page in Page.select().where(Page.id.in_(sample)):  # what saving them would have cached
        links.render_revision(page.title, Revision.get(Revision.page == page.id))
    return [links.page_path(content.wiki_title(i)) for i in sample]


def _wikilinks(text):
    import re
    return re.findall(r"\[\[([^\]|#]+)\]\]", text)


def seed_edit_pages(user):
    """Pages the wiki-edit cells save to, one per writer, created through the wiki's own save."""
    from suite.wiki import pages
    titles = [f"Bench edit {k}" for k in range(1, EDIT_PAGES + 1)]
    for title in titles:
        pages.save_page(title, f"# {title}\n\nStarting text.\n", 0, user, "seed")
    return titles


def seed_pastes(user, n):
    """``n`` small public pastes in bulk, then 1,000-line ones through ``create_paste`` (highlighted)."""
    from flask import url_for

    from suite import search
    from suite.auth.models import utcnow
    from suite.extensions import db
    from suite.pastebin import highlight, pastes
    from suite.pastebin.models import Paste, PasteFile
    now = utcnow()
    for batch in _chunks(list(range(1, n + 1))):
        with db.atomic():
            rows, files = [], []
            for i in batch:
                text = content.paste_text(i)
                rows.append({"id": i, "slug": secrets.token_urlsafe(9), "user": user.id,
                             "title": f"Snippet {i}", "visibility": "public", "created_at": now,
                             "updated_at": now})
                files.append({"paste": i, "position": 0, "name": f"snippet_{i}.py", "lang": "python",
                              "content": text, "content_hash": highlight.content_hash(text),
                              "size": len(text.encode()), "line_count": text.count("\n") + 1})
            Paste.insert_many(rows).execute()
            PasteFile.insert_many(files).execute()
            for row, f in zip(rows, files, strict=True):
                search.index_item("paste", row["id"], owner_id=user.id, visibility="public",
                                  title=row["title"], body=f["content"],
                                  url=url_for("pastebin.view", slug=row["slug"]), lang="python",
                                  updated_at=now)
    _fix_sequences(["paste", "paste_file"])
    big = []
    for k in range(BIG_PASTES):
        text = content.paste_text(10_000_000 + k, lines=1000)
        paste = pastes.create_paste([pastes.FileInput(f"big_{k}.py", text, "auto")], user=user,
                                    title=f"A 1,000-line file ({k})")
        big.append(url_for("pastebin.view", slug=paste.slug))
    return big


def api_list_paths(app):
    """GET endpoints of the JSON API without path arguments (list-shaped), from the url_map."""
    found = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if path.startswith("/api/v1/") and "GET" in rule.methods and not rule.arguments \
                and not path.endswith((".json", "/me")):
            found.append(path)
    return sorted(found)


def seed(instance, items, database_url=""):
    """Seed a fresh instance; returns the manifest the runner drives the load with."""
    from suite import create_app
    from suite.database import migrate
    from suite.extensions import db
    overrides = {"INSTANCE_PATH": instance, "SCREENSHOT_BACKEND": "none"}
    if database_url:
        overrides["DATABASE_URL"] = database_url
    app = create_app(overrides)
    counts = counts_for(items)
    timings = {}
    migrate()
    with app.test_request_context("/"), db.connection_context():
        start = time.monotonic()
        user, token = seed_user()
        thumb = write_thumbnail(app.config["MEDIA_PATH"])
        seed_bookmarks(user, counts["bookmarks"], thumb)
        timings["bookmarks"] = time.monotonic() - start
        mark = time.monotonic()
        wiki_paths = seed_wiki(user, counts["pages"])
        edit_titles = seed_edit_pages(user)
        timings["pages"] = time.monotonic() - mark
        mark = time.monotonic()
        paste_paths = seed_pastes(user, counts["pastes"])
        timings["pastes"] = time.monotonic() - mark
        mark = time.monotonic()
        # What the task worker's periodic job does within ten minutes of a bulk import.
        from suite.search.tasks import refresh_lists
        refresh_lists()
        timings["search_lists"] = time.monotonic() - mark
        timings["total"] = time.monotonic() - start
    return {"items": items, "counts": counts, "seed_seconds": timings, "username": USERNAME,
            "password": PASSWORD, "token": token, "wiki_paths": wiki_paths, "edit_titles": edit_titles,
            "paste_paths": paste_paths, "search_queries": content.search_queries(),
            "api_list_paths": api_list_paths(app), "database_url": app.config["DATABASE_URL"]}


def main():
    """Command line: seed and write the manifest as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True)
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--manifest", required=True)
    args = parser.parse_args()
    manifest = seed(os.path.abspath(args.instance), args.items, args.database_url)
    with open(args.manifest, "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
