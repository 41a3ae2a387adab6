"""Pages of the wiki: view, edit with preview and conflict screen, history, diff, links, moves."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from suite import pagecache, search
from suite.auth import current_user, login_required
from suite.auth.models import utcnow
from suite.downloads import streamed
from suite.embeds import fill_embeds
from suite.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from suite.requestargs import page_number, whole_number
from suite.wiki import archive, importer, links, pages, sections, watchlist
from suite.wiki import attachments as files
from suite.wiki.forms import EditForm, ImportForm, RenameForm, UploadForm
from suite.wiki.merge import diff_rows
from suite.wiki.models import ImportRun
from suite.wiki.permissions import can_delete, can_edit, can_read, require_admin, require_edit
from suite.wiki.titles import HOME, clean_title, parent_titles, url_title

bp = Blueprint("wiki", __name__, template_folder="templates", static_folder="static")


@bp.before_request
def check_read_access():
    """``SUITE_WIKI_READ=users`` keeps anonymous visitors out of every wiki page."""
    if request.endpoint != "wiki.static" and not can_read(current_user):
        return current_app.login_manager.unauthorized()


@bp.app_template_global()
def wiki_url(title, endpoint="wiki.view", **args):
    """URL of a page (or of one of its actions) from its title."""
    return url_for(endpoint, title=url_title(title), **args)


@bp.app_template_global()
def wiki_parents(title):
    """Breadcrumb titles of a subpage."""
    return parent_titles(title)


def _page_or_missing(title):
    """``(page, revision)``, or a 404 response offering to create the page."""
    try:
        return pages.get_page(title, deleted=True), None
    except NotFound:
        return None, (render_template("wiki/missing.html", title=title,
                                      can_create=can_edit(current_user)), 404)


@bp.route("/")
def index():
    """The start page: the page called Home."""
    return view(HOME)


@bp.route("/<path:title>")
def view(title):
    """A page: its cached render (or an old revision with ``?rev=``), following one redirect."""
    raw, title = title, clean_title(title)
    found, missing = _page_or_missing(title)
    if missing:
        return missing
    page, revision = found
    number = whole_number("rev")
    if page.deleted and number is None:  # its history is kept and may be read (?rev=), as on its history page
        return render_template("wiki/missing.html", title=page.title, page=page, revision=revision,
                               can_restore=can_delete(current_user, page)), 404
    if raw != url_title(page.title) and request.endpoint != "wiki.index":
        query = request.query_string.decode()
        return redirect(wiki_url(page.title) + (f"?{query}" if query else ""), 301)
    if page.redirect_to and number is None and request.args.get("redirect") != "no" \
            and not request.args.get("from"):
        target = pages.find_page(page.redirect_to)
        if target is not None and not target.deleted:
            return redirect(wiki_url(target.title, **{"from": page.title}))
    if number is not None and number != revision.number:
        revision = pages.get_revision(page, number)
    links.give_render(page, revision)
    pagecache.cache_this("wiki")  # anonymous readers share this page until the wiki changes
    live = not page.deleted  # a deleted page's revisions are read only: bringing one back is a restore
    return render_template("wiki/page.html", page=page, revision=revision,
                           old=revision.number != page.version or not live,
                           body=fill_embeds(revision.html, current_user),
                           redirect_title=pages.titles_of([page.redirect_to]).get(page.redirect_to, page.redirect_to),
                           redirected_from=_redirected_from(page, request.args.get("from")),
                           can_edit=live and can_edit(current_user, page),
                           can_delete=live and can_delete(current_user, page),
                           watching=current_user.is_authenticated and watchlist.is_watching(current_user, page))


@bp.route("/<path:title>/raw")
def raw(title):
    """The Markdown of a page (``?rev=N``: of that revision) as plain text, as MediaWiki's ``action=raw``."""
    page, revision = pages.page_at(clean_title(title), whole_number("rev"))
    resp = current_app.response_class(revision.content, mimetype="text/plain")
    resp.headers["Content-Disposition"] = "inline"
    resp.set_etag(revision.content_hash)
    if revision.number == page.version:
        pagecache.cache_this("wiki")
    return resp.make_conditional(request)


def _redirected_from(page, title):
    """The title of the page ``?from=`` names when it redirects here (any other ``from`` says nothing)."""
    try:
        source = pages.find_page(clean_title(title)) if title else None
    except InvalidInput:
        return None
    return source.title if source and not source.deleted and source.redirect_to == page.key else None


def _kept_text(title, reason, status, sign_in=False):
    """A refused save (signed out, page protected meanwhile): nothing saved, the text shown to copy.

    Only after the CSRF check (``suite.security``) passed: the text came from our own form.
    """
    return render_template("wiki/kept_text.html", title=title, reason=reason, sign_in=sign_in,
                           text=request.form.get("content", "")), status


@bp.route("/<path:title>/edit", methods=["GET", "POST"])
def edit(title):
    """Edit form; Preview renders without saving; a stale save merges or shows the conflict."""
    if not current_user.is_authenticated:
        if request.method == "POST" and request.form.get("content"):  # signed out while editing
            return _kept_text(title.replace("_", " "), "You are no longer signed in, so nothing was saved.",
                              401, sign_in=True)
        return current_app.login_manager.unauthorized()
    try:
        title = clean_title(title)
    except InvalidInput as err:  # a title typed in a "new page" box: say why, keep it to fix
        return render_template("wiki/bad_title.html", typed=title.replace("_", " "), message=err.message), 400
    page = pages.find_page(title)
    try:
        require_edit(current_user, page)
    except Forbidden as err:
        if request.method == "POST":  # e.g. protected while this user was editing
            return _kept_text(page.title if page else title, err.message + " Nothing was saved.", 403)
        raise
    form = EditForm()
    if request.method == "GET":
        _fill_form(form, page)
    status, preview, conflict = 200, None, None
    if form.validate_on_submit():
        if form.preview.data:
            try:
                preview = links.render_source(title, pages.clean_content(form.content.data))
            except (InvalidInput, TooLarge) as err:
                form.content.errors = [err.message]
                status = err.status
        else:
            try:
                text = form.content.data
                if form.section.data:  # one section of the base revision: saved as the whole page
                    text = pages.with_section(title, form.base_revision.data or 0, form.section.data, text,
                                              page_id=form.page_id.data, base_hash=form.base_hash.data)
                    _whole_page(form, text)
                result = pages.save_page(title, text, form.base_revision.data, current_user,
                                         form.message.data, page_id=form.page_id.data,
                                         base_hash=form.base_hash.data, minor=form.minor.data)
            except pages.EditConflict as err:
                conflict, status = err, 409
                form.base_revision.data = err.current.number
                form.base_revision.raw_data = [str(err.current.number)]  # what the field renders
                form.page_id.data = err.current.page_id
                form.page_id.raw_data = [str(err.current.page_id)]
                form.base_hash.data = err.current.content_hash
                if err.merged is not None:  # their other changes stay; the overlaps are marked
                    form.content.data = err.merged
            except (InvalidInput, TooLarge) as err:
                form.content.errors = [err.message]
                status = err.status
            except Forbidden as err:  # protected after the check above
                return _kept_text(page.title if page else title, err.message + " Nothing was saved.", 403)
            else:
                _flash_saved(result)
                if result.changed:  # pages you edit go on your watchlist, as in MediaWiki
                    watchlist.watch(current_user, result.page)
                return redirect(wiki_url(result.page.title))
    elif request.method == "POST":
        status = 400
    diff = diff_rows(conflict.current.content, form.content.data) if conflict else None
    deletion = pages.get_revision(page, page.version) if page and page.deleted else None
    return render_template("wiki/edit.html", title=page.title if page and page.version else title, page=page,
                           deletion=deletion, can_restore=bool(deletion) and can_delete(current_user, page),
                           form=form, preview=fill_embeds(preview.html, current_user) if preview else None, conflict=conflict, diff=diff), status


def _fill_form(form, page):
    """A GET of the edit form: the current text (``?rev=``'s, or ``?section=``'s alone) and the revision it
    is based on."""
    if page is None or page.version == 0:
        form.base_revision.data = 0
        return
    number = whole_number("rev") or page.version
    current = pages.get_revision(page, page.version)
    form.base_revision.data, form.page_id.data, form.base_hash.data = page.version, page.id, current.content_hash
    if page.deleted:  # creating the page anew starts empty: bringing the old text back is a restore
        return
    section = whole_number("section")
    if section is not None and number == page.version:
        try:
            form.content.data = sections.section_text(current.content, section)
        except InvalidInput as err:
            raise NotFound(err.message) from None
        form.section.data = section
        form.message.data = f"/* {sections.section_span(current.content, section)[2]} */"[:pages.MAX_MESSAGE]
        return
    form.content.data = (current if number == page.version else pages.get_revision(page, number)).content
    if number != page.version:
        form.message.data = f"Reverted to revision {number}"


def _whole_page(form, text):
    """From now on the form edits the whole page (``text``): a conflict screen shows all of it."""
    form.content.data, form.section.data, form.section.raw_data = text, None, [""]


def _merged_note(names, me):
    """" Your edit was merged with bob's change." for the people whose saves a stale edit was merged with;
    the editor's own save (from another window) is called theirs, not by their name."""
    if not names:
        return ""
    others = [name for name in names if name != me]
    parts = [f"{', '.join(others[:-1])} and {others[-1]}'s changes" if len(others) > 1 else f"{others[0]}'s change"
             ] if others else []
    if me in names:
        parts.append("your own save from another window")
    return f" Your edit was merged with {' and '.join(parts)}."


def _flash_saved(result):
    merged = _merged_note(result.merged_with, current_user.username)
    if result.moved_from:
        done = "your edit was saved there." if result.changed else "it already says what you saved."
        flash(f"“{result.moved_from}” was renamed to “{result.page.title}” while you were editing; {done}{merged}",
              "success")
    elif not result.changed:
        flash("No changes to save.", "info")
    else:
        flash(f"Saved.{merged}", "success")


@bp.route("/<path:title>/history")
def history(title):
    """Every revision of a page, newest first."""
    page, _ = pages.get_page(clean_title(title), deleted=True)
    number = page_number()
    revisions = list(pages.history(page, number, 50))
    return render_template("wiki/history.html", page=page, revisions=revisions[:50],
                           has_next=len(revisions) > 50, number=number)


@bp.route("/<path:title>/diff")
def diff(title):
    """Differences between two revisions (default: the latest change)."""
    page, _ = pages.get_page(clean_title(title), deleted=True)
    to = whole_number("to", page.version)
    start = whole_number("from", to - 1)
    new = pages.get_revision(page, to)
    old = pages.get_revision(page, start) if start > 0 else None
    changes = diff_rows(old.content if old else "", new.content)
    return render_template("wiki/diff.html", page=page, old=old, new=new, changes=changes)


@bp.route("/<path:title>/backlinks")
def backlinks(title):
    """What links here."""
    title = clean_title(title)
    page = pages.find_page(title)
    linking = list(links.pages_linking_to(page.key if page else title.casefold()).limit(500))
    return render_template("wiki/backlinks.html", title=page.title if page else title, pages=linking)


@bp.route("/<path:title>/revert", methods=["POST"])
@login_required
def revert(title):
    """Make a new revision with an old revision's text, unless the page changed since it was viewed."""
    number = whole_number("rev", source=request.form)
    if not number:
        raise InvalidInput("Say which revision to revert to.")
    try:
        result = pages.revert_page(clean_title(title), number, whole_number("base_revision", source=request.form),
                                   current_user)
    except pages.StaleRevert as err:
        flash(err.message, "warning")
        return redirect(wiki_url(err.page.title, "wiki.edit", rev=err.old.number))
    flash(f"Reverted to revision {number}." if result.changed else "That is already the current text.",
          "success")
    return redirect(wiki_url(result.page.title))


@bp.route("/<path:title>/rename", methods=["GET", "POST"])
@login_required
def rename(title):
    """Move a page: a redirect stays at the old title; links can be rewritten."""
    page, _ = pages.get_page(clean_title(title))
    require_edit(current_user, page)
    form = RenameForm(new_title=page.title)
    below = pages.subpages(page)
    status = 200
    if form.validate_on_submit():
        move_below = bool(below) and form.subpages.data
        try:
            moved, changed = pages.rename_page(page.title, form.new_title.data, current_user,
                                               rewrite=form.rewrite.data, message=form.message.data,
                                               subpages=move_below)
        except (InvalidInput, Conflict, Forbidden) as err:
            form.new_title.errors = [err.message]
            status = err.status
        else:
            note = f" Links updated in {len(changed)} page(s)." if changed else ""
            with_below = f" with its {len(below)} subpage(s)" if move_below else ""
            flash(f"Renamed to “{moved.title}”{with_below}; the old title redirects here.{note}", "success")
            return redirect(wiki_url(moved.title))
    elif request.method == "POST":
        status = 400
    return render_template("wiki/rename.html", page=page, form=form, below=below,
                           many=len(below) > pages.MAX_SUBPAGES_MOVED), status


@bp.route("/<path:title>/delete", methods=["POST"])
@login_required
def delete(title):
    """Delete a page (admins and its author); it can be restored from its history."""
    page = pages.delete_page(clean_title(title), current_user, request.form.get("message", ""))
    flash(f"Deleted “{page.title}”. You can restore it from this page.", "success")
    return redirect(wiki_url(page.title))


@bp.route("/<path:title>/restore", methods=["POST"])
@login_required
def restore(title):
    """Undo a delete."""
    page = pages.restore_page(clean_title(title), current_user)
    flash(f"Restored “{page.title}”.", "success")
    return redirect(wiki_url(page.title))


@bp.route("/<path:title>/protect", methods=["POST"])
@login_required
def protect(title):
    """Admins: only admins may edit this page (or lift that)."""
    protected = request.form.get("protected") == "1"
    page = pages.set_protected(clean_title(title), current_user, protected)
    flash("Page protected: only administrators may edit it." if protected else "Protection lifted.", "success")
    return redirect(wiki_url(page.title))


@bp.route("/recent")
def recent():
    """Recent changes across the wiki."""
    number, minor = page_number(), request.args.get("hide") != "minor"
    changes = list(pages.recent_changes(number, 50, minor=minor))
    return render_template("wiki/recent.html", changes=changes[:50], has_next=len(changes) > 50, number=number,
                           minor=minor)


@bp.route("/watchlist")
@login_required
def watched():
    """The latest changes to the pages you watch, and those pages."""
    number, minor = page_number(), request.args.get("hide") != "minor"
    changes = list(watchlist.changes(current_user, number, 50, minor=minor))
    return render_template("wiki/watchlist.html", changes=changes[:50], has_next=len(changes) > 50, number=number,
                           pages=watchlist.watched_pages(current_user), minor=minor)


@bp.route("/<path:title>/watch", methods=["POST"])
@login_required
def watch(title):
    """Add a page to your watchlist (``watch=0``: take it off)."""
    page, _ = pages.get_page(clean_title(title), deleted=True)
    if request.form.get("watch") == "0":
        watchlist.unwatch(current_user, page)
        flash(f"“{page.title}” is off your watchlist.", "success")
    else:
        watchlist.watch(current_user, page)
        flash(f"“{page.title}” is on your watchlist: its changes are listed at Watchlist.", "success")
    return redirect(request.form.get("back") == "watchlist" and url_for("wiki.watched") or wiki_url(page.title))


@bp.route("/pages")
def all_pages():
    """Every live page by title, a hundred at a time."""
    number = page_number()
    rows = list(pages.all_pages(number, 100))
    return render_template("wiki/pages.html", pages=rows[:100], has_next=len(rows) > 100, number=number,
                           targets=pages.titles_of(p.redirect_to for p in rows[:100]))


@bp.route("/recent.atom")
def recent_feed():
    """Atom feed of recent changes."""
    changes = list(pages.recent_changes(1, 50))[:50]
    return _feed("Recent changes", url_for("wiki.recent", _external=True), changes)


@bp.route("/<path:title>/history.atom")
def history_feed(title):
    """Atom feed of one page's history."""
    page, _ = pages.get_page(clean_title(title), deleted=True)
    revisions = list(pages.history(page, 1, 50))[:50]
    for revision in revisions:
        revision.page = page
    return _feed(f"History of {page.title}", wiki_url(page.title, "wiki.history", _external=True), revisions)


def _feed(feed_title, home, revisions):
    body = render_template("wiki/feed.xml", feed_title=feed_title, home=home, revisions=revisions,
                           updated=revisions[0].created_at if revisions else None)
    return current_app.response_class(body, mimetype="application/atom+xml")


@bp.route("/search")
def search_pages():
    """Full-text search over the wiki's pages."""
    q = request.args.get("q", "").strip()
    number = page_number()
    results = search.query(q, user=current_user, kinds=("wiki",), page=number) if q else None
    search.cache_page(results, ("wiki",))
    return render_template("wiki/search.html", q=q, results=results, number=number)


@bp.route("/<path:title>/attachments", methods=["GET", "POST"])
def attachments(title):
    """A page's files; editors upload here."""
    page, _ = pages.get_page(clean_title(title))
    form = UploadForm()
    status = 200
    if request.method == "POST":
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if form.validate_on_submit():
            try:
                saved, outcome = files.save_attachment(page, form.file.data, current_user)
            except (InvalidInput, TooLarge) as err:
                form.file.errors = [err.message]
                status = err.status
            else:
                syntax = f"Embed it with ![{saved.name}]({saved.name})" if saved.is_image else \
                    f"Link to it with [{saved.name}]({saved.name})"
                done = {"new": "Uploaded", "replaced": "Replaced (the earlier file is kept below)",
                        "unchanged": "Nothing changed: that is already the file of"}[outcome]
                flash(f"{done} {saved.name}. {syntax}.", "success" if outcome != "unchanged" else "info")
                return redirect(wiki_url(page.title, "wiki.attachments"))
        else:
            status = 400
    live = files.list_attachments(page)
    earlier = files.earlier_versions(page)
    names = {f.name for f in live}
    return render_template("wiki/attachments.html", page=page, form=form, files=live, earlier=earlier,
                           deleted=sorted(name for name in earlier if name not in names),
                           can_edit=can_edit(current_user, page)), status


@bp.route("/<path:title>/attachments/<name>")
def attachment(title, name):
    """Download a file: images inline, everything else as an attachment, always sandboxed.

    ``Cache-Control: no-cache`` with the ETag: a file replaced under the same name is seen at once,
    while an unchanged one costs a 304.
    """
    page, _ = pages.get_page(clean_title(title))
    version = whole_number("version")
    found = files.get_attachment(page, name) if version is None else files.get_version(page, name, version)
    thumb = request.args.get("thumb") == "1" and found.is_image
    resp = send_file(files.file_path(found, thumb), mimetype="image/png" if thumb else found.content_type,
                     as_attachment=not found.is_image, download_name=found.name, conditional=True, max_age=0)
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp


@bp.route("/<path:title>/attachments/<name>/restore", methods=["POST"])
@login_required
def restore_attachment(title, name):
    """Make an earlier version of a file (a replaced or deleted one) the file again."""
    page, _ = pages.get_page(clean_title(title))
    try:
        files.restore_version(page, name, whole_number("version", source=request.form), current_user)
    except InvalidInput as err:
        flash(err.message, "info")
    else:
        flash(f"Put back the earlier version of {name}; the file it replaced is kept below.", "success")
    return redirect(wiki_url(page.title, "wiki.attachments"))


@bp.route("/<path:title>/attachments/<name>/delete", methods=["POST"])
@login_required
def delete_attachment(title, name):
    """Remove a file from a page."""
    page, _ = pages.get_page(clean_title(title))
    files.delete_attachment(page, name, current_user)
    flash(f"Deleted {name}.", "success")
    return redirect(wiki_url(page.title, "wiki.attachments"))


@bp.route("/export")
@login_required
def export():
    """Download the whole wiki as a zip of Markdown files with a JSON manifest of history (streamed)."""
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return streamed(archive.WikiExport(), "application/zip", f"wiki-{stamp}.zip")


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_():
    """Admins: upload an export zip; it is checked and kept, then imported in the background."""
    require_admin(current_user)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            run = importer.start_import(current_user, form.archive.data)
        except (InvalidInput, TooLarge) as err:
            form.archive.errors = [err.message]
            return render_template("wiki/import.html", form=form), err.status
        return redirect(url_for(".import_progress", run_id=run.id))
    return render_template("wiki/import.html", form=form), 400 if request.method == "POST" else 200


def _own_import(run_id):
    """The signed-in admin's import run: anyone else's (or none) is a 404, as for any private item."""
    run = ImportRun.get_or_none(ImportRun.id == run_id, ImportRun.owner == current_user.id)
    if run is None:
        raise NotFound("No such import.")
    require_admin(current_user)
    return run


@bp.route("/import/<int:run_id>")
@login_required
def import_progress(run_id):
    """Progress of an import, its report when done (JS polls the JSON; without JS the page refreshes itself)."""
    run = _own_import(run_id)
    return render_template("wiki/import_progress.html", run=run, problems=importer.run_problems(run))


@bp.route("/import/<int:run_id>.json")
@login_required
def import_status(run_id):
    """An import's progress as JSON."""
    run = _own_import(run_id)
    return jsonify(status=run.status, total=run.total, processed=run.processed, created=run.created,
                   updated=run.updated, skipped=run.skipped, files=run.files, message=run.message,
                   problems=importer.run_problems(run))
