"""Pages of the bookmarks app under /bookmarks: list, add, edit, tags, import/export, thumbnails."""
import json
import re
from functools import lru_cache
from types import SimpleNamespace
from urllib.parse import quote, quote_plus

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from suite import pagecache
from suite.auth import current_user, login_required
from suite.bookmarks import bookmarks as svc
from suite.bookmarks import embed, netscape
from suite.bookmarks.forms import BookmarkForm, ImportForm, TagRenameForm
from suite.bookmarks.importer import start_import
from suite.bookmarks.models import ImportRun
from suite.bookmarks.thumbnails import thumbs_dir
from suite.bookmarks.urls import display_domain, display_host
from suite.downloads import streamed
from suite.errors import InvalidInput, NotFound

bp = Blueprint("bookmarks", __name__, template_folder="templates", static_folder="static")
bp.record_once(lambda state: embed.init_app(state.app))
THUMB_NAME = r"[0-9a-f]{32}-[slf]\.webp"


@bp.app_template_filter("domain")
def domain_filter(url):
    """The host of a URL as people read it."""
    return display_domain(url)


@bp.app_template_filter("host")
def host_filter(host):
    """A bookmark's ``domain`` as people read it (what ``url | domain`` shows, without parsing the URL)."""
    return display_host(host)


@lru_cache(maxsize=4096)  # the same tags and domains come back on every page
def _quote_path(value):
    return quote(str(value), safe="!$&'()*+,/:;=@")  # werkzeug's converters


@lru_cache(maxsize=4096)
def _quote_query(value):
    return quote_plus(str(value), safe="!$'()*,/:;?@")  # werkzeug's query encoding


class UrlPattern:
    """``url_for(endpoint, **values)`` with the value of one argument left open, filled in per call.

    One url_for call when built; each link after that is a concatenation giving the same
    text url_for would (the value quoted as werkzeug quotes a path part or a query value).
    The list page has ~8 links per bookmark plus one per tag, and url_for costs ~15 µs.
    A list value (``tag=[...]``) gets the open value appended, as ``tag=[*tags, value]``.
    """

    MARK = "1987654321"  # digits pass any converter (int ones too) and survive quoting

    def __init__(self, endpoint, arg, **values):
        self.endpoint, self.arg, self.values = endpoint, arg, values
        given = values.get(arg)
        url = url_for(endpoint, **dict(values, **{arg: [*given, self.MARK] if isinstance(given, list) else self.MARK}))
        self.parts = url.split(self.MARK) if url.count(self.MARK) == 1 else None  # else: url_for every time
        self.quote = _quote_path if self.parts is not None and "?" not in self.parts[0] else _quote_query

    def __call__(self, value):
        if self.parts is None:
            given = self.values.get(self.arg)
            return url_for(self.endpoint, **dict(self.values, **{
                self.arg: [*given, value] if isinstance(given, list) else value}))
        return self.parts[0] + (str(value) if type(value) is int else self.quote(value)) + self.parts[1]


def _list_links(filters, view):
    """The list page's per-bookmark and per-tag links, each pattern built once per page."""
    add_tag = UrlPattern("bookmarks.index", "tag", tag=list(filters.tags), view=view)
    these_tags = url_for("bookmarks.index", tag=filters.tags, view=view)
    return SimpleNamespace(
        detail=UrlPattern("bookmarks.detail", "bookmark_id"), edit=UrlPattern("bookmarks.edit", "bookmark_id"),
        status=UrlPattern("bookmarks.status", "bookmark_id"), thumb=UrlPattern("bookmarks.thumb", "name"),
        domain=UrlPattern("bookmarks.index", "domain"), add_tag=add_tag,
        side_tag=lambda name: these_tags if name in filters.tags else add_tag(name))


@bp.route("/")
@login_required
def index():
    """The user's bookmarks: grid or list, filters and search as query parameters."""
    filters = svc.Filters.from_args(request.args)
    listing = svc.list_bookmarks(current_user, filters)
    view = "list" if request.args.get("view") == "list" else "grid"
    pagecache.cache_this("bookmark", personal=True)  # this session sees it again until a bookmark changes
    return render_template("bookmarks/index.html", listing=listing, filters=filters, view=view,
                           tags=svc.tags_in_use(current_user), sorts=svc.SORTS, links=_list_links(filters, view))


def _form_values(form):
    return dict(title=form.title.data or "", description=form.description.data or "",
                notes=form.notes.data or "", tags=form.tags.data or "", is_private=form.is_private.data,
                unread=form.unread.data)


@bp.route("/add", methods=["GET", "POST"])
@login_required
def add():
    """Add a bookmark; ``?url=…&title=…`` (the bookmarklet) prefills the form."""
    form = BookmarkForm()
    if request.method == "GET":
        form.url.data = request.args.get("url", "")[:4096]
        form.title.data = request.args.get("title", "")[:500]
        form.description.data = request.args.get("description", "")[:5000]
        if form.url.data:
            existing = _existing(form.url.data)
            if existing is not None:
                flash("You saved this page before; here it is.", "info")
                return redirect(url_for(".edit", bookmark_id=existing.id))
    elif form.validate_on_submit():
        try:
            bookmark, created = svc.add_bookmark(current_user, form.url.data, **_form_values(form))
        except InvalidInput as err:
            form.url.errors = [err.message]
        else:
            if not created:
                flash("You saved this page before; here it is, unchanged.", "info")
                return redirect(url_for(".edit", bookmark_id=bookmark.id))
            flash("Saved. The page's title and picture are being fetched.", "success")
            return redirect(url_for(".detail", bookmark_id=bookmark.id))
    status = 400 if request.method == "POST" else 200
    return render_template("bookmarks/form.html", form=form, bookmark=None), status


def _existing(url):
    try:
        return svc.find_duplicate(current_user, url)
    except InvalidInput:
        return None


@bp.route("/<int:bookmark_id>")
@login_required
def detail(bookmark_id):
    """One bookmark: its large thumbnail, fetch status with retry, notes."""
    bookmark = svc.get_bookmark(current_user, bookmark_id)
    return render_template("bookmarks/detail.html", bookmark=bookmark, tags=svc.tags_of(bookmark),
                           notes=svc.render_notes(bookmark.notes))


@bp.route("/<int:bookmark_id>/edit", methods=["GET", "POST"])
@login_required
def edit(bookmark_id):
    """Edit a bookmark."""
    bookmark = svc.get_bookmark(current_user, bookmark_id)
    form = BookmarkForm(obj=bookmark)
    if request.method == "GET":
        form.tags.data = " ".join(svc.tags_of(bookmark))
    elif form.validate_on_submit():
        try:
            svc.update_bookmark(bookmark, url=form.url.data, **_form_values(form))
        except InvalidInput as err:
            form.url.errors = [err.message]
        else:
            flash("Saved.", "success")
            return redirect(url_for(".detail", bookmark_id=bookmark.id))
    status = 400 if request.method == "POST" else 200
    return render_template("bookmarks/form.html", form=form, bookmark=bookmark), status


@bp.route("/<int:bookmark_id>/delete", methods=["POST"])
@login_required
def delete(bookmark_id):
    """Delete a bookmark."""
    svc.delete_bookmark(svc.get_bookmark(current_user, bookmark_id))
    flash("Bookmark deleted.", "success")
    return redirect(url_for(".index"))


@bp.route("/<int:bookmark_id>/retry", methods=["POST"])
@login_required
def retry(bookmark_id):
    """Fetch the page and make its picture again."""
    queued = svc.retry(svc.get_bookmark(current_user, bookmark_id))
    flash("Fetching again." if queued else "The page is already being fetched.", "info")
    return redirect(url_for(".detail", bookmark_id=bookmark_id))


@bp.route("/<int:bookmark_id>/status.json")
@login_required
def status(bookmark_id):
    """Where the background work of a bookmark stands (the page polls this)."""
    b = svc.get_bookmark(current_user, bookmark_id)
    return jsonify(status=b.status, fetch=b.fetch_status, thumbnail=b.thumb_status, title=b.title,
                   thumb_small=url_for(".thumb", name=b.thumb_small) if b.thumb_small else None,
                   thumb_large=url_for(".thumb", name=b.thumb_large) if b.thumb_large else None,
                   source=b.thumb_source, error=b.fetch_error or b.thumb_error)


@bp.route("/thumbs/<name>")
def thumb(name):
    """A thumbnail file; names are content hashes, so they are cached for a year."""
    if not re.fullmatch(THUMB_NAME, name):
        raise NotFound("No such picture.")
    resp = send_from_directory(thumbs_dir(current_app.config["MEDIA_PATH"]), name, mimetype="image/webp",
                               max_age=31536000)
    resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return resp


@bp.route("/bulk", methods=["POST"])
@login_required
def bulk():
    """Apply one action to the checked bookmarks.

    Back to the list the form was on (its filters and page) either way: a refused action
    (nothing selected, no action or no tags chosen) says why there, not on an error page.
    """
    action = request.form.get("action", "")
    back = request.form.get("next", "")
    back = back if back.startswith("/bookmarks/") else url_for(".index")
    try:
        n = svc.bulk_edit(current_user, request.form.getlist("ids"), action, request.form.get("tags", ""))
    except InvalidInput as err:
        flash(err.message, "error")
        return redirect(back, 303)
    flash(f"{n} bookmark{'s' if n != 1 else ''} changed." if action != "delete" else f"{n} deleted.", "success")
    return redirect(back)


@bp.route("/tags")
@login_required
def tags():
    """Every tag with its count; rename and merge."""
    return render_template("bookmarks/tags.html", tags=svc.tag_counts(current_user), form=TagRenameForm())


@bp.route("/tags/rename", methods=["POST"])
@login_required
def rename_tag():
    """Rename a tag, or merge it into another by giving that one's name."""
    form = TagRenameForm()
    if not form.validate_on_submit():
        raise InvalidInput("Give the tag a new name.")
    n = svc.rename_tag(current_user, form.old.data, form.new.data)
    flash(f"Tag renamed on {n} bookmark{'s' if n != 1 else ''}.", "success")
    return redirect(url_for(".tags"))


@bp.route("/settings")
@login_required
def settings():
    """The bookmarklet and import/export links."""
    add_url = url_for(".add", _external=True)
    code = ("javascript:(function(){window.open('" + add_url + "?url='+encodeURIComponent(location.href)"
            "+'&title='+encodeURIComponent(document.title),'_blank');})();")
    return render_template("bookmarks/settings.html", bookmarklet=code, form=ImportForm())


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_file():
    """Upload a Netscape file; the import runs in the background with a progress page.

    A file that is not one (or none) brings this form back, 400, with why under the file field.
    """
    form = ImportForm()
    if request.method == "POST" and form.validate_on_submit():
        upload = form.file.data
        try:
            run = start_import(current_user, upload.filename, upload.read())
        except InvalidInput as err:
            form.file.errors = [err.message]
        else:
            return redirect(url_for(".import_progress", run_id=run.id))
    status = 400 if request.method == "POST" else 200
    return render_template("bookmarks/import.html", form=form), status


def _own_run(run_id):
    run = ImportRun.get_or_none(ImportRun.id == run_id, ImportRun.owner == current_user.id)
    if run is None:
        raise NotFound("No such import.")
    return run


@bp.route("/import/<int:run_id>")
@login_required
def import_progress(run_id):
    """Progress of an import (JS polls the JSON; without JS the page refreshes itself)."""
    return render_template("bookmarks/import_progress.html", run=_own_run(run_id))


@bp.route("/import/<int:run_id>.json")
@login_required
def import_status(run_id):
    """An import's progress as JSON."""
    run = _own_run(run_id)
    return jsonify(status=run.status, total=run.total, processed=run.processed, created=run.created,
                   duplicates=run.duplicates, message=run.message)


@bp.route("/export.html")
@login_required
def export_html():
    """All bookmarks as a Netscape file (imports into browsers and other services)."""
    return streamed(netscape.export(svc.each_bookmark(current_user.id)), "text/html", "bookmarks.html")


@bp.route("/export.json")
@login_required
def export_json():
    """All bookmarks as JSON: {"bookmarks": [...]}, one bookmark a line."""
    from suite.bookmarks.api import bookmark_json, json_links
    bookmarks = svc.each_bookmark(current_user.id)

    def pieces():
        links = json_links()
        yield '{"bookmarks": ['
        sep = "\n"
        for b in bookmarks:
            yield sep + json.dumps(bookmark_json(b, b.tag_names, links), ensure_ascii=False)
            sep = ",\n"
        yield "\n]}\n"
    return streamed(pieces(), "application/json", "bookmarks.json")
