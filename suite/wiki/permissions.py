"""Who may read, edit, delete and protect wiki pages (``SUITE_WIKI_READ`` / ``SUITE_WIKI_WRITE``)."""
from flask import current_app

from suite.errors import Forbidden, Unauthorized


def can_read(user):
    """Anyone, or signed-in users only, as configured."""
    return current_app.config["WIKI_READ"] != "users" or user.is_authenticated


def can_write(user):
    """Signed-in users, or admins only, as configured (before page protection)."""
    if not user.is_authenticated:
        return False
    return current_app.config["WIKI_WRITE"] != "admins" or user.is_admin


def can_edit(user, page=None):
    """May ``user`` edit ``page`` (or create pages, when ``page`` is None)?"""
    if not can_write(user):
        return False
    return not (page is not None and page.protected and not user.is_admin)


def can_delete(user, page):
    """Admins, and the page's author (its creator), when they may edit it."""
    return can_edit(user, page) and (user.is_admin or page.created_by_id == user.id)


def require_read(user):
    """Raise unless ``user`` may read the wiki."""
    if not can_read(user):
        raise Unauthorized("Sign in to read this wiki.")


def require_edit(user, page=None):
    """Raise unless ``user`` may edit ``page``."""
    if not user.is_authenticated:
        raise Unauthorized("Sign in to edit this wiki.")
    if not can_edit(user, page):
        if page is not None and page.protected:
            raise Forbidden("This page is protected: only administrators may change it.")
        raise Forbidden("Only administrators may edit this wiki.")


def require_delete(user, page):
    """Raise unless ``user`` may delete or restore ``page``."""
    require_edit(user, page)
    if not can_delete(user, page):
        raise Forbidden("Only administrators and the page's author may delete it.")


def require_admin(user):
    """Raise unless ``user`` is an administrator."""
    if not user.is_authenticated:
        raise Unauthorized("Sign in first.")
    if not user.is_admin:
        raise Forbidden("Only administrators may do that.")
