"""Watchlists, as in MediaWiki: the pages someone follows, and the changes made to them.

Pages you create or edit are added to yours (MediaWiki's default); a button on each page adds
or removes one. The list is by page id, so a watched page stays watched when it is renamed.
"""
from peewee import IntegrityError

from suite.extensions import db
from suite.wiki.models import Page, Revision, Watch
from suite.wiki.pages import recent_changes


def watch(user, page):
    """Put ``page`` on ``user``'s watchlist (already there: nothing happens)."""
    try:
        with db.atomic():
            Watch.create(user=user.id, page=page.id)
    except IntegrityError:  # watched already (or by a request at the same moment)
        pass


def unwatch(user, page):
    """Take ``page`` off ``user``'s watchlist."""
    Watch.delete().where((Watch.user == user.id) & (Watch.page == page.id)).execute()


def is_watching(user, page):
    """Whether ``user`` (signed in) watches ``page``."""
    return Watch.select(Watch.id).where((Watch.user == user.id) & (Watch.page == page.id)).exists()


def watched_pages(user):
    """The pages ``user`` watches, A–Z."""
    return list(Page.select(Page.id, Page.title, Page.deleted).join(Watch, on=(Watch.page == Page.id))
                .where(Watch.user == user.id).order_by(Page.sort_key, Page.key))


def changes(user, page_number=1, per_page=50, minor=True):
    """The latest revisions of the pages ``user`` watches, newest first (one more row than ``per_page``
    when there is a next page)."""
    return recent_changes(page_number, per_page, minor=minor,
                          where=Revision.page.in_(Watch.select(Watch.page).where(Watch.user == user.id)))
