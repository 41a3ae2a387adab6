"""Files attached to pages: the type allowlist, Pillow checks and thumbnails, storage on disk.

Only verified raster images are ever shown inline. Every other file, HTML and
SVG included, is served as a download under a sandboxing CSP, so nothing
uploaded can run in the wiki's origin.
"""
import hashlib
import io
import os
import uuid
import warnings

from flask import current_app
from peewee import IntegrityError

from suite.auth.models import utcnow
from suite.database import one_at_a_time
from suite.errors import Conflict, InvalidInput, NotFound, TooLarge
from suite.extensions import db
from suite.text import word_characters
from suite.wiki.models import Attachment, AttachmentVersion
from suite.wiki.permissions import require_edit

IMAGE_TYPES = {"png": ("image/png", "PNG"), "jpg": ("image/jpeg", "JPEG"), "jpeg": ("image/jpeg", "JPEG"),
               "gif": ("image/gif", "GIF"), "webp": ("image/webp", "WEBP")}
FILE_TYPES = {"pdf": "application/pdf", "txt": "text/plain", "md": "text/markdown", "csv": "text/csv",
              "json": "application/json", "zip": "application/zip", "odt": "application/vnd.oasis.opendocument.text",
              "ods": "application/vnd.oasis.opendocument.spreadsheet",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              # Allowed, but only ever downloaded: they could carry script if shown inline.
              "html": "application/octet-stream", "htm": "application/octet-stream",
              "svg": "application/octet-stream"}
MAX_PIXELS = 40_000_000
THUMB_SIZE = (320, 320)
MAX_NAME = 120


def clean_filename(raw):
    """A safe attachment name (letters, digits, ``_.-``), or InvalidInput."""
    name = word_characters(os.path.basename((raw or "").replace("\\", "/")), keep=".-", between="_").strip("._")
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > MAX_NAME:  # cut the stem, never the extension
        name = stem[:MAX_NAME - len(ext) - 1].rstrip("._") + "." + ext
    name = name[:MAX_NAME]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not name or not ext:
        raise InvalidInput("The file needs a name with an extension, like photo.png.")
    if ext not in IMAGE_TYPES and ext not in FILE_TYPES:
        allowed = ", ".join(sorted(set(IMAGE_TYPES) | set(FILE_TYPES)))
        raise InvalidInput(f"Files of type .{ext} cannot be attached. Allowed: {allowed}.")
    return name, ext


def media_dir():
    """Where attachments live: ``MEDIA_PATH/wiki``."""
    path = os.path.join(current_app.config["MEDIA_PATH"], "wiki")
    os.makedirs(path, exist_ok=True)
    return path


def read_limited(stream):
    """The uploaded bytes, refusing anything above ``SUITE_ATTACHMENT_MAX_BYTES``."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"The file is larger than the limit of {limit // (1024 * 1024)} MiB.")
    if not data:
        raise InvalidInput("The file is empty.")
    return data


def inspect_image(data, ext):
    """``(width, height, thumbnail PNG bytes)`` of a real image; refuses fakes and decompression bombs."""
    from PIL import Image, UnidentifiedImageError
    expected = IMAGE_TYPES[ext][1]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != expected:
                    raise InvalidInput(f"The file is not a valid {ext.upper()} image.")
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise InvalidInput(f"The image is {width}×{height} pixels; at most "
                                       f"{MAX_PIXELS // 1_000_000} megapixels are accepted.")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.thumbnail(THUMB_SIZE)
                out = io.BytesIO()
                image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(out, "PNG")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("The image is too large when decoded (a decompression bomb?).") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput(f"The file is not a valid {ext.upper()} image.") from None
    return width, height, out.getvalue()


def save_attachment(page, upload, user):
    """Store an uploaded file on ``page``, replacing one of the same name; ``(attachment, outcome)``
    with outcome ``"new"``, ``"replaced"`` or ``"unchanged"`` (the same bytes again).

    The files are written first, then the row is put in place of any row of that name
    (``_put_row``); the file it replaced is kept as an earlier version. When the row cannot be
    written, the files just written are removed: nothing stays on disk that no row names.
    Two uploads of one name at once both succeed, the later one replacing the first.
    """
    require_edit(user, page)
    name, ext = clean_filename(upload.filename)
    data = read_limited(upload.stream)
    width = height = thumb = None
    if ext in IMAGE_TYPES:
        width, height, thumb = inspect_image(data, ext)
    stored = uuid.uuid4().hex + "." + ext
    values = {"content_type": IMAGE_TYPES[ext][0] if thumb else FILE_TYPES[ext], "size": len(data),
              "sha256": hashlib.sha256(data).hexdigest(), "stored_name": stored, "is_image": bool(thumb),
              "width": width, "height": height, "uploaded_by": user.id, "created_at": utcnow()}
    try:
        _write_files(stored, data, thumb)
        with db.atomic():
            outcome = _put_row(page, name, values, user)
            saved = get_attachment(page, name)
    except IntegrityError:  # the page changed meanwhile: a rename back over it moved or took its files
        _remove_files(stored)
        raise Conflict(f"“{page.title}” was moved or renamed while the file was uploading; "
                       "upload it again.") from None
    except BaseException:
        _remove_files(stored)
        raise
    if outcome == "unchanged":
        _remove_files(stored)
    return saved, outcome


def _write_files(stored, data, thumb):
    directory = media_dir()
    with open(os.path.join(directory, stored), "wb") as f:
        f.write(data)
    if thumb:
        with open(os.path.join(directory, stored + ".thumb.png"), "wb") as f:
            f.write(thumb)


def _put_row(page, name, values, user):
    """Inside a transaction: the row for ``name`` on ``page`` set to ``values``, the file it had kept
    as an earlier version; ``"new"``, ``"replaced"``, or ``"unchanged"`` when its bytes are the same.

    One upload or removal of a name at a time (``_one_name_at_a_time``): without it, two
    uploads at once on PostgreSQL both find no row and one insert fails on the unique
    ``(page, name)``, or both replace one row and the first one's file is never removed.
    """
    _one_name_at_a_time(page, name)
    old = Attachment.get_or_none((Attachment.page == page.id) & (Attachment.name == name))
    if old is None:
        Attachment.create(page=page.id, name=name, **values)
        return "new"
    if old.sha256 == values["sha256"]:
        return "unchanged"
    _retire(old, user, deleted=False)
    Attachment.update(values).where(Attachment.id == old.id).execute()
    return "replaced"


KEPT = ("name", "content_type", "size", "sha256", "stored_name", "is_image", "width", "height", "created_at")


def _retire(row, user, deleted):
    """Keep the file ``row`` names as an earlier version of its name (it is being replaced or deleted)."""
    AttachmentVersion.create(page=row.page_id, uploaded_by=row.uploaded_by_id, retired_at=utcnow(),
                             retired_by=getattr(user, "id", None), deleted=deleted,
                             **{field: getattr(row, field) for field in KEPT})


def _one_name_at_a_time(page, name):
    one_at_a_time(f"wiki attachment {page.id}/{name}")


def list_attachments(page):
    """A page's files, by name."""
    return list(Attachment.select().where(Attachment.page == page.id).order_by(Attachment.name))


def get_attachment(page, name):
    """One file of a page, or NotFound."""
    found = Attachment.get_or_none((Attachment.page == page.id) & (Attachment.name == name))
    if found is None:
        raise NotFound(f"“{page.title}” has no file called “{name}”.")
    return found


def file_path(attachment, thumbnail=False):
    """Path of the stored file (or its thumbnail)."""
    return os.path.join(media_dir(), attachment.stored_name + (".thumb.png" if thumbnail else ""))


def delete_attachment(page, name, user):
    """Remove a file from a page; it stays among the earlier versions, to be downloaded or put back."""
    require_edit(user, page)
    with db.atomic():
        _one_name_at_a_time(page, name)  # not while it is being replaced
        found = get_attachment(page, name)
        _retire(found, user, deleted=True)
        found.delete_instance()


def earlier_versions(page, limit=500):
    """``{name: [versions, newest first]}`` of a page's replaced and deleted files (the newest ``limit``)."""
    found = {}
    for version in (AttachmentVersion.select().where(AttachmentVersion.page == page.id)
                    .order_by(AttachmentVersion.retired_at.desc(), AttachmentVersion.id.desc()).limit(limit)):
        found.setdefault(version.name, []).append(version)
    return found


def get_version(page, name, version_id):
    """An earlier version of the file ``name`` of ``page``, or NotFound."""
    found = AttachmentVersion.get_or_none((AttachmentVersion.id == version_id) & (AttachmentVersion.page == page.id)
                                          & (AttachmentVersion.name == name))
    if found is None:
        raise NotFound(f"“{page.title}” has no earlier version {version_id} of “{name}”.")
    return found


def restore_version(page, name, version_id, user):
    """Make an earlier version the file ``name`` again (the one there now becomes an earlier version)."""
    require_edit(user, page)
    with db.atomic():
        version = get_version(page, name, version_id)
        values = {field: getattr(version, field) for field in KEPT if field != "name"}
        values.update(uploaded_by=user.id, created_at=utcnow())  # put back now, by them
        outcome = _put_row(page, name, values, user)
    if outcome == "unchanged":
        raise InvalidInput(f"That version of {name} is the file it has now.")
    return get_attachment(page, name)


def _remove_files(stored_name):
    for suffix in ("", ".thumb.png"):
        try:
            os.remove(os.path.join(media_dir(), stored_name + suffix))
        except FileNotFoundError:
            pass
