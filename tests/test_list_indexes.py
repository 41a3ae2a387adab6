"""Lists read their page from an index in the list's order: their cost does not grow with
the number of rows before it (at 100,000 bookmarks, a sort of every row took 40–57 ms on
PostgreSQL). Checked with each engine's own query plan for the queries the lists make."""
import re
from datetime import datetime, timedelta

import pytest

from suite.bookmarks.bookmarks import LIST_COLUMNS, ORDERS, Filters, _base_query
from suite.bookmarks.models import Bookmark
from suite.bookmarks.public import public_bookmarks
from suite.database import is_postgres
from suite.extensions import db
from suite.search.models import SearchDoc

FILTERS = {"all": Filters(), "unread": Filters(unread=True), "public": Filters(visibility="public"),
           "private": Filters(visibility="private")}
FILTERED = {"all": None, "unread": "unread", "public": "is_private", "private": "is_private"}
# Every sort of the whole list; the filters with the newest-first order (the default).
CASES = [(sort, "all") for sort in sorted(ORDERS)] + [("date", name) for name in FILTERS if name != "all"]


@pytest.fixture
def many(app, users):
    """3,000 bookmarks of alice's, one in a hundred unread, a third public; the planners' statistics fresh."""
    start = datetime(2026, 1, 1)
    with app.app_context():
        alice = users["alice"]
        rows = [dict(owner=alice.id, url=f"https://example.org/{n}", url_hash=f"{n:064d}", domain="example.org",
                     title=f"Page {n % 97}", unread=n % 100 == 0, is_private=n % 3 != 0,
                     created_at=start + timedelta(minutes=n // 2)) for n in range(3000)]
        with db.atomic():
            for chunk in range(0, len(rows), 500):
                Bookmark.insert_many(rows[chunk:chunk + 500]).execute()
        db.execute_sql("ANALYZE")
    return users


def plan(query):
    """The plan's lines; on PostgreSQL with sorting priced out, so an index in order wins when there is one."""
    sql, params = query.sql()
    if not is_postgres():
        return [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
    with db.atomic():
        db.execute_sql("SET LOCAL enable_sort = off")
        return [row[0] for row in db.execute_sql("EXPLAIN " + sql, params).fetchall()]


def assert_read_in_order(lines, column=None):
    """No sort step; the filtered column, if any, is part of the index's condition."""
    text = "\n".join(lines)
    assert "TEMP B-TREE" not in text, text  # SQLite
    assert not any(re.match(r"\s*(->\s*)?(Incremental )?Sort\b", line) for line in lines), text  # PostgreSQL
    if column:
        searched = [line for line in lines if "INDEX" in line or "Index Cond" in line]
        assert any(re.search(rf"\b{column}\b", line) for line in searched), text


@pytest.mark.parametrize("sort, filtered", CASES)
def test_a_bookmark_list_page_is_read_in_order(app, many, sort, filtered):
    with app.app_context():
        query = _base_query(many["alice"], FILTERS[filtered], LIST_COLUMNS).order_by(*ORDERS[sort]).paginate(3, 51)
        assert_read_in_order(plan(query), FILTERED[filtered])


def test_a_public_profile_page_is_read_in_order(app, many):
    with app.app_context():
        assert_read_in_order(plan(public_bookmarks(many["alice"]).limit(31)), "is_private")


@pytest.mark.parametrize("column, value", [("kind", "wiki"), ("owner_id", 1), ("visibility", "public")])
def test_the_newest_items_are_read_in_order(app, column, value):
    with app.app_context():
        query = (SearchDoc.select(SearchDoc.id).where(getattr(SearchDoc, column) == value)
                 .order_by(SearchDoc.updated_at.desc(), SearchDoc.id.desc()).limit(11))
        assert_read_in_order(plan(query), column)
