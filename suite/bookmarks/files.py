"""Deleting the picture files (thumbnails, favicons) that no bookmark uses any more.

Files under ``MEDIA_PATH/thumbs/`` are named by a hash of their content, so bookmarks
with the same picture (a site's favicon, the same og:image, the same drawn card) share
one file: a file goes only when no bookmark row names it. They are served to anyone who
has the name, screenshots of private pages included, so they must not outlive their
bookmarks: deleting bookmarks deletes their files at once, and ``sweep`` (a periodic
task) deletes the rest, such as the files of deleted accounts, whose rows the database
deletes by cascade.

A file written or reused in the last ``MIN_AGE`` seconds is always kept: it may belong
to a bookmark whose row is not committed yet (the picture is saved before the row names it).
"""
import functools
import logging
import operator
import os

from flask import current_app

from suite.bookmarks.models import Bookmark
from suite.bookmarks.thumbnails import delete_unless_recent, thumbs_dir

MIN_AGE = 10 * 60
log = logging.getLogger("suite.bookmarks")
FILE_COLUMNS = (Bookmark.thumb_small, Bookmark.thumb_large, Bookmark.favicon)


def files_of(bookmarks):
    """The names of the files the given bookmark rows use."""
    return {getattr(b, column.name) for b in bookmarks for column in FILE_COLUMNS} - {""}


def used_files(names=None):
    """The file names some bookmark row uses (among ``names`` when given)."""
    def named_in(column):
        query = Bookmark.select(column.alias("name")).where(column != "")
        return query if names is None else query.where(column.in_(list(names)))
    union = functools.reduce(operator.or_, (named_in(column) for column in FILE_COLUMNS))  # UNION: distinct
    return {name for (name,) in union.tuples()}


def delete_unused(names, min_age=MIN_AGE):
    """Delete those of ``names`` no bookmark uses (call after the deleting commit); how many went."""
    names = set(names)
    try:
        return _delete_old(names - used_files(names), min_age) if names else 0
    except OSError:  # the bookmarks are deleted all the same; the sweep tries the files again
        log.exception("bookmarks: deleting the files %s failed", sorted(names))
        return 0


def sweep(min_age=MIN_AGE):
    """Delete every file of the thumbs folder that no bookmark uses; returns how many went."""
    with os.scandir(thumbs_dir(current_app.config["MEDIA_PATH"])) as entries:
        names = {entry.name for entry in entries if entry.is_file()}
    return _delete_old(names - used_files(), min_age)


def _delete_old(names, min_age):
    media = current_app.config["MEDIA_PATH"]
    return sum(delete_unless_recent(media, name, min_age) for name in sorted(names))
