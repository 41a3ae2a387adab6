"""Export the whole wiki as a zip (Markdown per page, folders for subpages, JSON per page) and import it.

Layout (version 2): ``wiki.json`` says what the zip is; ``pages/<Title>.md`` holds each page's
current text (``pages/Parent/Child.md`` for subpages); ``history/<n>.json`` holds page n's
record (title, flags, its attachments, its revisions, oldest first), continued in
``history/<n>.<k>.json`` members when the history is long, so that no member is larger than
about ``PART_BYTES``; ``files/<n>/<name>`` holds page n's attached files. Version 1 zips
(every record inline in ``wiki.json``) are still read.

Importing into a wiki where a page already exists adds the imported text as a new revision of
it (history kept on both sides), or a delete revision when the export has the page deleted; a
page deleted here stays deleted. New pages get their history as is. Files come in through
the attachments' own checks; a file this wiki already has under the same name is kept.
"""
import collections
import datetime
import hashlib
import io
import itertools
import json
import os
import re
import time
import zipfile
import zlib

from flask import current_app
from peewee import JOIN
from werkzeug.datastructures import FileStorage

from suite.auth.models import User, utcnow
from suite.database import in_batches, snapshot
from suite.errors import InvalidInput, NotFound, SuiteError, TooLarge
from suite.extensions import db
from suite.text import encodable
from suite.wiki import attachments, pages
from suite.wiki.models import Attachment, Page, Revision
from suite.wiki.titles import clean_title, title_columns

FORMAT = "suite-wiki"
VERSION = 2
MAX_MEMBER_BYTES = 64 * 1024 * 1024   # one member, unpacked (a page's history is split well below it)
MAX_TOTAL_BYTES = 4 * 1024 ** 3        # the whole zip, unpacked
LEGACY_MANIFEST_BYTES = 512 * 1024 * 1024  # a version 1 wiki.json (all history in one member), read whole
PEEK_BYTES = 1024 * 1024               # a larger version 1 wiki.json is left to the import task
PART_BYTES = 8 * 1024 * 1024           # a history member is cut after the revision that passes this
HISTORY_BATCH = 200                    # pages whose histories one query reads
HEAD = re.compile(r"history/(\d+)\.json")


def page_file(title):
    """Where a page's text goes inside the zip."""
    return "pages/" + title + ".md"


def history_file(n, part=1):
    """Where page n's record (part 1) or the rest of its history goes inside the zip."""
    return f"history/{n}.json" if part == 1 else f"history/{n}.{part}.json"


def _histories(pages_):
    """{page id: [revision, ...]} for these pages, oldest first (the columns the export needs)."""
    found = {page.id: [] for page in pages_}
    for r in (Revision.select(Revision.page, Revision.number, Revision.kind, Revision.created_at,
                              Revision.message, Revision.content, Revision.content_hash, User.username)
              .join(User, JOIN.LEFT_OUTER).where(Revision.page.in_(list(found)))
              .order_by(Revision.page, Revision.number).objects()):
        found[r.page_id].append(r)
    return found


def _attachments(pages_):
    """{page id: [attachment, ...]} for these pages, by name."""
    found = {page.id: [] for page in pages_}
    for a in Attachment.select().where(Attachment.page.in_(list(found))).order_by(Attachment.page, Attachment.name):
        found[a.page_id].append(a)
    return found


def _records():
    """Every page's record (its history included) and its attachments, by title, ``HISTORY_BATCH`` pages at a time."""
    query = Page.select(Page.id, Page.key, Page.title, Page.protected, Page.deleted).where(Page.version > 0)
    for batch in in_batches(query, (Page.key,), HISTORY_BATCH):
        histories, files = _histories(batch), _attachments(batch)
        for page in batch:
            yield {"title": page.title, "file": page_file(page.title), "protected": page.protected,
                   "deleted": page.deleted, "revisions": [
                       {"number": r.number, "kind": r.kind, "author": r.username, "created_at":
                        r.created_at.isoformat() + "Z", "message": r.message, "content": r.content,
                        "sha256": r.content_hash} for r in histories[page.id]]}, files[page.id]


def _history_members(n, record):
    """``(name, bytes)`` of the members holding page n's record: its first revisions with the
    record, the rest in parts of about ``PART_BYTES`` each."""
    parts, part, size = [], [], 0
    for revision in record["revisions"]:
        encoded = json.dumps(revision, ensure_ascii=False).encode()
        if part and size + len(encoded) > PART_BYTES:
            parts.append(part)
            part, size = [], 0
        part.append(encoded)
        size += len(encoded) + 2
    parts.append(part)
    names = [history_file(n, k) for k in range(1, len(parts) + 1)]
    head = {key: value for key, value in record.items() if key != "revisions"}
    head["parts"] = names[1:]
    head = json.dumps(head, ensure_ascii=False).encode()[:-1] + b', "revisions": ['
    starts = [head] + [b'{"revisions": ['] * (len(parts) - 1)
    for name, start, revisions in zip(names, starts, parts, strict=True):
        yield name, start + b",\n".join(revisions) + b"]}\n"


class _Pipe:
    """What zipfile writes, kept until taken: the zip leaves as it is made (zipfile writes to an
    object that cannot seek with a data descriptor after each member, which every unzip reads)."""

    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self):
        data = b"".join(self.parts)
        self.parts.clear()
        return data


class WikiExport:
    """The export zip, made as it is read: iterate for its bytes; ``pages`` counts what went in.

    One page at a time: its text, its files, then its record. 10,000 pages at once took
    7.7 s before the first byte and left the worker 82 MB larger (259 MB at its peak); now
    the first byte leaves at once, the whole zip in 3.5 s, and the worker grows 12 MB.
    """

    def __init__(self):
        self.pages = 0

    def __iter__(self):
        pipe = _Pipe()
        with snapshot(), zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("wiki.json", json.dumps({"format": FORMAT, "version": VERSION,
                                                 "exported_at": utcnow().isoformat() + "Z"}))
            for record, files in _records():
                self.pages += 1
                zf.writestr(record["file"], record["revisions"][-1]["content"])
                record["attachments"] = []
                for attachment in files:
                    yield from _write_attachment(zf, pipe, self.pages, attachment, record["attachments"])
                for name, data in _history_members(self.pages, record):
                    zf.writestr(name, data)
                    yield pipe.take()
        yield pipe.take()


def _write_attachment(zf, pipe, n, attachment, listed):
    """Copy one attached file into the zip as ``files/<n>/<name>`` and list it (a file gone from
    the disk meanwhile is left out, and so not listed)."""
    try:
        source = open(attachments.file_path(attachment), "rb")
    except OSError:
        current_app.logger.warning("wiki export: the file of attachment %s is missing", attachment.id)
        return
    with source:
        info = zipfile.ZipInfo(f"files/{n}/{attachment.name}", time.localtime()[:6])
        info.compress_type, info.file_size = zipfile.ZIP_DEFLATED, os.fstat(source.fileno()).st_size
        with zf.open(info, "w") as member:
            while block := source.read(1024 * 1024):
                member.write(block)
                yield pipe.take()
    listed.append({"name": attachment.name, "file": info.filename, "size": info.file_size,
                   "sha256": attachment.sha256, "created_at": attachment.created_at.isoformat() + "Z"})


def export_wiki(target):
    """Write the export zip into the file object ``target``; returns the number of pages."""
    export = WikiExport()
    for chunk in export:
        target.write(chunk)
    return export.pages


UNREADABLE = ("cannot be read: it is encrypted, damaged or compressed in a way this wiki does not "
              "support. Export it again.")


class Archive:
    """An export zip opened for import: its sizes checked, its pages read one at a time.

    Nothing is unpacked to disk: members are read by name into memory, each at most
    ``MAX_MEMBER_BYTES`` (and the zip at most ``MAX_TOTAL_BYTES``) unpacked, so a zip bomb
    is refused before it is read.
    """

    def __init__(self, file, *, peek=False):
        """Open and check ``file`` (a path or file object). ``peek``: leave a large version 1
        ``wiki.json`` unread (``total`` is None until ``records`` reads it), as an upload request does."""
        try:
            self.zf = zipfile.ZipFile(file)
            manifest = self.zf.getinfo("wiki.json")
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError, OSError):
            raise InvalidInput("This is not a wiki export: a .zip with wiki.json is expected.") from None
        if sum(info.file_size for info in self.zf.infolist()) > MAX_TOTAL_BYTES:
            raise TooLarge(f"The export unpacks to more than the import limit of {_size(MAX_TOTAL_BYTES)}.")
        self.heads = self.inline = None
        if not peek or manifest.file_size <= PEEK_BYTES:
            self._read_manifest()

    def _read_manifest(self):
        manifest = self.read_json("wiki.json", LEGACY_MANIFEST_BYTES)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise InvalidInput("wiki.json is not a suite wiki manifest.")
        if isinstance(manifest.get("pages"), list):  # version 1: every record inline
            self.inline = manifest["pages"]
        elif isinstance(manifest.get("version"), int) and manifest["version"] >= 2:
            numbered = ((int(m.group(1)), m.group(0)) for m in map(HEAD.fullmatch, self.zf.namelist()) if m)
            self.heads = [name for _n, name in sorted(numbered)]
        else:
            raise InvalidInput("wiki.json has no list of pages.")

    @property
    def total(self):
        """How many page records the zip holds (None while a large version 1 manifest is unread)."""
        found = self.inline if self.heads is None else self.heads
        return None if found is None else len(found)

    def close(self):
        self.zf.close()

    def read(self, name, limit=None):
        """The unpacked bytes of member ``name``: InvalidInput when missing or unreadable, TooLarge above
        ``limit`` (``MAX_MEMBER_BYTES`` by default)."""
        limit = limit or MAX_MEMBER_BYTES
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise InvalidInput(f"{name} is missing from the zip.") from None
        if info.file_size > limit:
            raise TooLarge(f"{name} unpacks to more than the import limit of {_size(limit)}.")
        try:  # zipfile stops at the size the zip declares (and checks the CRC): never more than limit
            with self.zf.open(info) as member:
                return member.read()
        # RuntimeError: encrypted; NotImplementedError: a compression zipfile cannot read; the rest: damage.
        except (RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
            raise InvalidInput(f"{name} in this zip {UNREADABLE}") from None

    def read_json(self, name, limit=None):
        """Member ``name`` parsed as JSON (InvalidInput when it is not)."""
        try:
            return json.loads(self.read(name, limit))
        except ValueError:
            raise InvalidInput(f"{name} in this zip is not valid JSON.") from None

    def records(self, start=0):
        """``(label, record or the InvalidInput it could not be read for)`` for every page from ``start``."""
        if self.total is None:
            self._read_manifest()
        if self.heads is None:
            yield from ((_record_label(r), r) for r in itertools.islice(self.inline, start, None))
            return
        for name in self.heads[start:]:
            try:
                record = self.read_json(name)
            except (InvalidInput, TooLarge) as err:
                yield name, err
            else:
                yield _record_label(record), record

    def revisions(self, record):
        """A record's revisions, oldest first, its later parts read as they are reached (checked
        like the record itself: ``import_page`` checks the record)."""
        yield from _clean_revisions(record)
        for name in _parts(record):
            part = self.read_json(_part_name(name))
            if not encodable(part):
                raise InvalidInput("holds text that is not valid Unicode (a lone surrogate)")
            yield from _clean_revisions(part)


def _size(limit):
    """A byte limit for people: MiB, or KiB below one."""
    return f"{limit >> 20:,} MiB" if limit >= 1 << 20 else f"{limit >> 10:,} KiB"


def _parts(record):
    parts = record.get("parts") or []
    if not isinstance(parts, list):
        raise InvalidInput("has a history that is not a list of members")
    return parts


def _part_name(name):
    if not isinstance(name, str) or not name.startswith("history/"):
        raise InvalidInput("names a history member outside history/")
    return name


def _parse_time(text):
    """A revision's time as naive UTC, as stored; one with an offset (+02:00, from another tool) is moved to UTC."""
    try:
        when = datetime.datetime.fromisoformat(str(text).removesuffix("Z"))
    except ValueError:
        return utcnow()
    if when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc)
    return when.replace(tzinfo=None)


def _record_title(record):
    """The title a manifest record names, checked (InvalidInput when missing, not text or not valid)."""
    if not isinstance(record, dict):
        raise InvalidInput("is not an object")
    if not isinstance(record.get("title"), str):
        raise InvalidInput("has no title (text is expected)")
    return clean_title(record["title"])


def _record_label(record):
    """How a problem report names a record: its title when it has one, else its position."""
    title = record.get("title") if isinstance(record, dict) else None
    return title if isinstance(title, str) else "(untitled page)"


def _clean_revisions(part):
    revisions = part.get("revisions") if isinstance(part, dict) else None
    if not isinstance(revisions, list):
        raise InvalidInput("has no revisions")
    for r in revisions:
        if not isinstance(r, dict) or not isinstance(r.get("content"), str):
            raise InvalidInput("has a revision without text")
    return revisions


class Report:
    """What an import did so far: counts, and a line per page or file skipped."""

    def __init__(self):
        self.created = self.updated = self.skipped = self.files = 0
        self.problems = []

    def skip(self, label, err):
        self.problems.append(" ".join(f"{label}: {err.message}".split()))  # one line, whatever the zip named


def import_page(archive, label, record, user, report, authors):
    """Bring one record into the wiki, its files after it; a page or file that cannot come in is
    reported and skipped (the others still come in)."""
    if isinstance(record, SuiteError):
        report.skipped += 1
        report.skip(label, record)
        return
    try:
        if not encodable(record):
            raise InvalidInput("holds text that is not valid Unicode (a lone surrogate)")
        title = _record_title(record)
        page = pages.find_page(title)
        if page is None:
            page = _create_with_history(title, record, archive.revisions(record), authors)
            report.created += 1
        elif _import_onto(page, record, archive.revisions(record), user):
            report.updated += 1
    except SuiteError as err:
        report.skipped += 1
        report.skip(label, err)
        return
    _import_files(archive, page, record, user, report)


def import_wiki(file, user, *, on_page=None):
    """Load an export (an Archive, a path or a file object) in this process; returns the Report.

    ``on_page(n, report)`` is called after each page.
    """
    archive = file if isinstance(file, Archive) else Archive(file)
    report, authors = Report(), {}
    try:
        for n, (label, record) in enumerate(archive.records(), 1):
            import_page(archive, label, record, user, report, authors)
            if on_page:
                on_page(n, report)
    finally:
        archive.close()
    return report


def _import_onto(page, record, revisions, user):
    """Bring a record onto a page this wiki already has; True when that made a revision.

    The page ends as the export has it, by a new revision (history kept on both sides):
    the imported text, or a delete when the export has the page deleted. An import never
    brings a deleted page back: it may have been deleted for what it said, and restoring
    it is a decision to take on the page itself.
    """
    if page.deleted:
        if record.get("deleted"):
            return False
        raise InvalidInput("is deleted in this wiki; restore it first to import its text")
    last = collections.deque(revisions, maxlen=1)  # every part is read (and checked) on the way
    if not last:
        raise InvalidInput("has no revisions")
    if record.get("deleted"):
        pages.delete_page(page.title, user, "Imported (deleted in the export)")
        return True
    return pages.save_page(page.title, last[0]["content"], page.version, user, "Imported",
                           page_id=page.id).changed


def _import_files(archive, page, record, user, report):
    """Attach the record's files to the page through the attachments' checks (type, size, pixels)."""
    listed = record.get("attachments") or []
    for meta in listed if isinstance(listed, list) else []:
        name = meta.get("name") if isinstance(meta, dict) else None
        try:
            if not isinstance(name, str) or not isinstance(meta.get("file"), str):
                raise InvalidInput("is listed without a name or member")
            try:
                kept = attachments.get_attachment(page, name)
            except NotFound:
                kept = None
            if kept is not None and kept.sha256 == meta.get("sha256"):
                continue  # already here (imported before, or the same file)
            data = archive.read(meta["file"], limit=current_app.config["ATTACHMENT_MAX_BYTES"])
            if kept is not None and kept.sha256 != hashlib.sha256(data).hexdigest():
                raise InvalidInput("differs from the file of that name here, which is kept")
            if kept is None:
                attachments.save_attachment(page, FileStorage(io.BytesIO(data), filename=name), user)
                report.files += 1
        except SuiteError as err:
            report.skip(f"{page.title}/{name}", err)


def _author_id(name, cache):
    """The id of the user called ``name`` (None for unknown users and names that are not text)."""
    if not isinstance(name, str) or "\x00" in name:  # no user has a NUL in their name, and PostgreSQL refuses one
        return None
    if name not in cache:
        found = User.by_name(name)
        cache[name] = found.id if found else None
    return cache[name]


def _import_message(value):
    """An imported edit summary: text, cut to the length the wiki allows."""
    return pages.clean_message(" ".join(str(value or "").split())[:pages.MAX_MESSAGE])


def _create_with_history(title, record, revisions, authors):
    """A new page with every imported revision (an iterable, read once), renumbered 1..n in order."""
    with db.atomic():
        page = Page.create(**title_columns(title), version=0, protected=bool(record.get("protected")),
                           deleted=bool(record.get("deleted")))
        numbered = enumerate(revisions, 1)
        while batch := list(itertools.islice(numbered, 100)):
            Revision.insert_many([_revision_row(page, n, r, authors) for n, r in batch]).execute()
            page.version = batch[-1][0]
        if page.version == 0:
            raise InvalidInput("has no revisions")
        first = Revision.get((Revision.page == page.id) & (Revision.number == 1))
        current = Revision.get((Revision.page == page.id) & (Revision.number == page.version))
        target = None if page.deleted else pages.redirect_key(current.content)
        page.redirect_to = target if target != page.key else None  # to itself: a page, not a redirect
        Page.update(version=page.version, redirect_to=page.redirect_to, updated_at=current.created_at,
                    created_by=first.author_id).where(Page.id == page.id).execute()
        pages.publish(page, current, was_live=False, old_key=page.key)
    return page


KINDS = ("edit", "revert", "rename", "delete", "restore", "import")  # Revision.kind's words


def _revision_row(page, number, r, authors):
    """The row of imported revision ``r``, checked (its text within the page limit)."""
    pages.clean_content(r["content"])
    kind = r.get("kind") if r.get("kind") in KINDS else "import"  # another tool's word (or a NUL) is an import
    return {"page": page.id, "number": number, "kind": kind,
            "author": _author_id(r.get("author"), authors), "created_at": _parse_time(r.get("created_at")),
            "message": _import_message(r.get("message")), "content": r["content"],
            "content_hash": pages.content_hash(r["content"])}
