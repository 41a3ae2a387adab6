"""Pages of the pastebin: create (form and curl), view, raw, download, embed, diff, lists, owner actions."""
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from suite import search
from suite.auth import accepts_token, current_user, login_required
from suite.errors import InvalidInput, NotFound, TooLarge, asked_by_a_browser
from suite.extensions import login_manager
from suite.jobs import enqueue_after_commit
from suite.pastebin import embed as embed_registry
from suite.pastebin import pastes
from suite.pastebin.delivery import (
    check_anonymous_rate,
    curl_files,
    is_curl_upload,
    requested_download,
    requested_paste,
    requested_raw,
)
from suite.pastebin.diffing import diff_pastes
from suite.pastebin.forms import EditPasteForm, PasteForm, posted_entries
from suite.pastebin.highlight import anchored, language_choices, language_name
from suite.pastebin.tasks import highlight_paste_task
from suite.requestargs import page_number
from suite.security import allow_framing, csrf_or_anonymous

bp = Blueprint("pastebin", __name__, template_folder="templates", static_folder="static")
bp.record_once(lambda state: embed_registry.init_app(state.app))
PER_PAGE = 30


@bp.app_template_filter("paste_language")
def _paste_language(alias):
    """A lexer alias's display name."""
    return language_name(alias)


def _may_paste():
    return current_user.is_authenticated or current_app.config["ANONYMOUS_PASTES"]


@bp.route("/", methods=["GET", "POST"])
@accepts_token
@csrf_or_anonymous
def index():
    """The paste form; POST creates a paste from it or from curl (201 + URL as text)."""
    if request.method == "POST" and is_curl_upload(request):
        return create_from_curl()
    if not _may_paste():
        return login_manager.unauthorized()
    form = PasteForm()
    if request.method == "POST" and posted_entries(request) > pastes.MAX_FILES:
        flash(pastes.TOO_MANY_FILES, "error")  # refused, not cut down to the first ones
        return render_form(form, 400)
    if request.method == "POST" and "add_file" in request.form:
        return add_file_entry(form)
    if not form.validate_on_submit():
        return render_form(form, 400 if request.method == "POST" else 200)
    try:
        check_anonymous_rate()
        paste, parent = create_from_form(form)
    except (InvalidInput, TooLarge) as err:
        flash(err.message, "error")
        return render_form(form, err.status)
    if form.parent.data and parent is None:
        flash("The paste this was a new version of has been deleted or has expired: "
              "yours is saved as a paste of its own.", "info")
    if paste.burn_after_reading:
        return render_template("pastebin/created.html", paste=paste), 201
    return redirect(url_for(".view", slug=paste.slug))


def create_from_form(form):
    """The paste the form makes, and its parent (None when the hidden field names none it may take)."""
    files, parent = form_files(form), pastes.fork_parent(form.parent.data, current_user)
    fields = {"user": current_user, "title": form.title.data, "visibility": form.visibility.data,
              "expires": form.expires.data}
    try:
        return pastes.create_paste(files, parent=parent, **fields), parent
    except pastes.ParentGone:  # deleted since fork_parent found it: saved on its own, as had it been before
        return pastes.create_paste(files, **fields), None


def add_file_entry(form):
    """The "Add another file" button: the form again with one more empty entry, while a paste may take one."""
    if len(form.files) >= pastes.MAX_FILES:
        flash(pastes.TOO_MANY_FILES, "error")
        return render_form(form, 400)
    form.files.append_entry()
    return render_form(form)


def render_form(form, status=200, parent=None):
    """The create page (a form sent back keeps its uploaded files as text: a browser cannot refill a file input)."""
    if request.method == "POST":
        keep_uploads(form)
        parent = parent or _shown_parent(form.parent.data)
    return render_template("pastebin/new.html", form=form, languages=language_choices(),
                           parent=parent, max_files=pastes.MAX_FILES), status


def keep_uploads(form):
    """Put each uploaded file into its entry's text box, named, so that sending the form again keeps it.

    One too large or not text is left out, as sending it again would be refused too (the message says why).
    """
    limit = current_app.config["PASTE_MAX_BYTES"]
    for entry in form.files:
        upload = entry.upload.data
        if not (upload and getattr(upload, "filename", "")):
            continue
        upload.stream.seek(0)  # form_files may have read it
        raw = upload.stream.read(limit + 1)
        if len(raw) > limit:
            continue
        try:
            entry.content.data = pastes.decode_text(raw)
        except InvalidInput:
            continue
        entry.form.name.data = entry.form.name.data or pastes.clean_filename(upload.filename)


def form_files(form):
    """The form's file entries as FileInputs (empty extra entries are skipped)."""
    files = []
    for entry in form.files:
        upload = entry.upload.data
        content, name = entry.content.data or "", entry.form.name.data or ""
        if upload and getattr(upload, "filename", ""):
            limit = current_app.config["PASTE_MAX_BYTES"]
            content = upload.read(limit + 1)
            if len(content) > limit:  # said before decoding, which the cut could split inside a character
                raise TooLarge(f"The file {upload.filename!r} is over the limit of {limit:,} bytes.")
            name = name or upload.filename
        if content or name:
            files.append(pastes.FileInput(name, content, entry.lang.data or "auto"))
    return files or [pastes.FileInput("", "", "auto")]


def create_from_curl():
    """curl: ``-F content=<-`` or ``-F f:1=@a.py``; answers 201 with the URL, errors as one line."""
    browser = asked_by_a_browser()  # a form of ours, e.g. the home page
    g.plain_errors = not browser
    if not _may_paste():
        return login_manager.unauthorized()
    check_anonymous_rate()
    form = request.form
    paste = pastes.create_paste(curl_files(request), user=current_user, title=form.get("title", ""),
                                visibility=form.get("visibility", "public"),
                                expires=form.get("expires", "never"))
    url = url_for(".view", slug=paste.slug, _external=True)
    if browser:
        if paste.burn_after_reading:
            return render_template("pastebin/created.html", paste=paste), 201
        return redirect(url, 303)
    return current_app.response_class(url + "\n", status=201, mimetype="text/plain",
                                      headers={"Location": url})


@bp.route("/<slug>", methods=["GET", "POST"])
def view(slug):
    """A paste: each file highlighted with anchored line numbers (stored HTML, never re-highlighted).

    A burn-after-reading paste is not shown to a GET by anyone but its owner: link
    previews (chat apps, mail scanners) fetch shared links and would burn it. The GET
    answers a page that asks first, whose "Show and delete" button POSTs here to burn
    it and show it once (``reveal``).
    """
    if request.method == "POST":
        return reveal(slug)
    paste = pastes.visible_paste(slug, current_user)
    if paste.burn_after_reading and not paste.owned_by(current_user):
        return _not_kept(render_template("pastebin/reveal.html", paste=paste,
                                         source=request.args.get("source") == "1"))
    return show_paste(paste)


def reveal(slug):
    """"Show and delete": burn the paste and show it this once.

    The owner, who never burns their paste, is sent to its page. Anyone else's POST to
    a paste that does not burn (its owner changed the expiry meanwhile) is a 404 that
    says so: a POST to someone else's item is refused, never answered with a page.
    """
    paste = pastes.visible_paste(slug, current_user)
    if paste.owned_by(current_user):
        return redirect(url_for(".view", slug=paste.slug, source=request.args.get("source")), 303)
    if not paste.burn_after_reading:
        raise NotFound("This paste does not burn after reading (any more): there is nothing to show and "
                       "delete. Open its address to read it.")
    return show_paste(requested_paste(slug))


def show_paste(paste):
    """The paste's page (the one and only showing of a paste just burned)."""
    files = pastes.stored_views(paste)
    burned = getattr(paste, "burned", False)
    if not burned and any(f.pending for f in files):
        enqueue_after_commit(highlight_paste_task, paste.id)  # e.g. after a Pygments upgrade; shown plain until then
    elif not paste.burn_after_reading and paste.visibility != "private":
        pastes.cache_page(paste)
    page = render_template("pastebin/view.html", paste=paste, files=files,
                           source=request.args.get("source") == "1", burned=burned,
                           parent=pastes.shown_parent(paste, current_user),
                           children=pastes.shown_children(paste, current_user))
    return _not_kept(page) if paste.burn_after_reading else page


def _not_kept(page):
    """A response no browser or proxy may store (a burn paste's pages)."""
    resp = current_app.make_response(page)
    resp.headers["Cache-Control"] = "no-store, private"
    return resp


@bp.route("/<slug>/raw")
@bp.route("/<slug>/raw/<int:number>")
@accepts_token
def raw(slug, number=1):
    """One file as ``text/plain; charset=utf-8`` (the first by default)."""
    return requested_raw(slug, number)


@bp.route("/<slug>/download")
@accepts_token
def download(slug):
    """The file as an attachment (several files: a zip)."""
    return requested_download(slug)


@bp.route("/<slug>/embed")
def embed(slug):
    """A minimal highlighted page for iframes on other sites (public and unlisted pastes)."""
    paste = pastes.visible_paste(slug, current_user)
    if paste.visibility == "private" or paste.burn_after_reading:
        raise NotFound("This paste cannot be embedded.")
    resp = current_app.make_response(render_template(
        "pastebin/embed.html", paste=paste, files=pastes.stored_views(paste)))
    return allow_framing(resp)


@bp.route("/<slug>/fork")
def fork(slug):
    """The paste form filled with this paste's files: saving makes a new version linked to it."""
    parent = pastes.readable_without_burning(slug, current_user)
    form = PasteForm(data={"title": parent.title, "visibility": parent.visibility,
                           "parent": parent.slug,
                           "files": [{"name": f.name, "lang": f.lang, "content": f.content}
                                     for f in parent.files]})
    return render_form(form, parent=parent)


@bp.route("/<slug>/diff/<other>")
def diff(slug, other):
    """Line diff between two pastes, file by file."""
    old = pastes.readable_without_burning(slug, current_user)
    new = pastes.readable_without_burning(other, current_user)
    return render_template("pastebin/diff.html", old=old, new=new, diffs=diff_pastes(old, new))


def _shown_parent(slug):
    """The paste a form sent back names as its parent, for the heading again; None when it may not be shown."""
    try:
        return pastes.readable_without_burning(slug, current_user) if slug else None
    except NotFound:
        return None


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    """Owner: change title, visibility and expiry."""
    paste = pastes.owned_paste(slug, current_user)
    form = EditPasteForm(obj=paste)
    if form.validate_on_submit():
        try:
            pastes.update_paste(paste, title=form.title.data, visibility=form.visibility.data,
                                expires=form.expires.data, user=current_user)
        except InvalidInput as err:
            flash(err.message, "error")
            return render_template("pastebin/edit.html", form=form, paste=paste), 400
        flash("Paste updated.", "success")
        return redirect(url_for(".view", slug=paste.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("pastebin/edit.html", form=form, paste=paste), status


@bp.route("/<slug>/delete", methods=["POST"])
@login_required
def delete(slug):
    """Owner: delete the paste."""
    pastes.delete_paste(pastes.owned_paste(slug, current_user))
    flash("Paste deleted.", "success")
    return redirect(url_for(".mine"))


@bp.route("/mine")
@login_required
def mine():
    """My pastes: filter by language, search their text."""
    q, lang = request.args.get("q", "").strip(), request.args.get("lang", "").strip()
    page = page_number()
    hits, error = None, None
    if q:
        text = f"{q} lang:{lang}" if lang else q
        result = search.query(text, user=current_user, kinds=("paste",), owner_id=current_user.id,
                              page=page, per_page=PER_PAGE)
        found = pastes.pastes_by_ids([h.item_id for h in result.hits], current_user)
        hits = [(h, found[int(h.item_id)]) for h in result.hits if int(h.item_id) in found]
        rows, has_next, error = [], result.has_next, result.error
    else:
        rows = pastes.user_pastes(current_user, lang, page, PER_PAGE)
        has_next, rows = len(rows) > PER_PAGE, rows[:PER_PAGE]
    return render_template("pastebin/mine.html", rows=rows, hits=hits, q=q, lang=lang, page=page,
                           has_next=has_next, error=error, languages=pastes.user_languages(current_user))


@bp.route("/recent")
def recent():
    """The newest public pastes (never unlisted or private)."""
    page = page_number()
    rows = pastes.recent_public(page, PER_PAGE)
    return render_template("pastebin/recent.html", rows=rows[:PER_PAGE], page=page,
                           has_next=len(rows) > PER_PAGE)


@bp.route("/recent.atom")
def feed():
    """Atom feed of the newest public pastes."""
    rows = pastes.recent_public(1, PER_PAGE, content=True)[:PER_PAGE]  # the summaries quote the text
    xml = render_template("pastebin/feed.xml", rows=rows)
    return current_app.response_class(xml, mimetype="application/atom+xml")




@bp.app_template_filter("paste_anchored")
def _paste_anchored(html, position):
    """Stored line HTML with this file's anchors, marked safe (escaped when it was made)."""
    return Markup(anchored(html, position))


@bp.app_template_filter("paste_html")
def _paste_html(html):
    """Stored rendered Markdown, sanitized with nh3 when it was made."""
    return Markup(html)
