"""Wiki imports in the background: the upload is checked and kept, a task imports it page by page.

The shape of the bookmarks import: a row per run with its progress (the progress page polls
it), the zip under ``instance/imports/``, a task that claims the run, and the minute's
requeue of runs whose task was lost or whose worker died (they resume after the last page
saved; a page imported again is merged as any import merges it, so nothing is doubled).
"""
import os
import tempfile

from flask import current_app

from suite.auth.models import User, utcnow
from suite.errors import SuiteError
from suite.extensions import db
from suite.imports import (
    DONE,
    FAILED,
    MAX_STALLS,
    PENDING,
    RUNNING,
    TakenOver,
    imports_dir,
    remove_upload,
    requeue_stalled,
)
from suite.wiki import archive
from suite.wiki.models import ImportRun

#: Problems listed on a run; the count of pages skipped is always whole.
MAX_PROBLEMS = 500


def run_file(run_id):
    """Where the uploaded zip of a run waits for its task."""
    return os.path.join(imports_dir(), f"wiki-{run_id}.zip")


def start_import(user, upload):
    """Keep an uploaded export zip, check it (a clear InvalidInput/TooLarge if it is none) and
    queue its import; returns the ImportRun."""
    from suite.jobs import enqueue_after_commit
    from suite.wiki.tasks import import_task
    handle, partial = tempfile.mkstemp(dir=imports_dir(), suffix=".part")
    try:
        with os.fdopen(handle, "wb") as f:
            upload.save(f)
        found = archive.Archive(partial, peek=True)
        found.close()
        with db.atomic():
            run = ImportRun.create(owner=user.id, filename=(upload.filename or "")[:255], total=found.total or 0)
            os.replace(partial, run_file(run.id))
            enqueue_after_commit(import_task, run.id)
    finally:
        remove_upload(partial)
    return run


def requeue_stalled_imports():
    """Queue again the runs whose task was lost or whose worker died (suite.imports); how many."""
    from suite.wiki.tasks import import_task
    return requeue_stalled(ImportRun, run_file, import_task, gone="The uploaded zip is gone; upload it again.",
                           stopped=lambda run: (
                               f"The import stopped {MAX_STALLS} times without finishing (its worker was stopped) "
                               f"after {run.processed:,} of {run.total:,} pages. Upload the zip again for the rest: "
                               "pages already imported are merged, not doubled."))


def run_import(run_id):
    """The import task: import the kept zip page by page from where the run stands, recording
    progress on the run after each page."""
    beat = [utcnow()]  # our progressed_at: the run is ours while it still holds this
    claimed = ImportRun.update(status=RUNNING, progressed_at=beat[0]).where(
        ImportRun.id == run_id, ImportRun.status == PENDING).execute()
    run = ImportRun.get_or_none(ImportRun.id == run_id)
    if run is None:  # its account was deleted while the zip waited
        remove_upload(run_file(run_id))
        return None
    if not claimed:
        return None  # queued twice: the other task has it
    finish = {}
    try:
        _import_pages(run, beat)
        run = ImportRun.get_by_id(run_id)
        same = run.processed - run.created - run.updated - run.skipped  # pages already as the zip has them
        finish = dict(status=DONE, message=f"{run.created:,} page(s) created, {run.updated:,} updated, "
                      f"{run.skipped:,} skipped, {run.files:,} file(s) attached."
                      + (f" {same:,} page(s) were already as in the zip." if same else ""))
    except TakenOver:
        pass
    except SuiteError as err:
        finish = dict(status=FAILED, message=err.message)
    except OSError as err:
        finish = dict(status=FAILED, message=f"The uploaded zip cannot be read ({err.strerror}); upload it again.")
    except Exception:
        current_app.logger.exception("wiki: import %s failed", run_id)
        finish = dict(status=FAILED, message="The import stopped because of an error on our side; "
                      "the pages before it were imported.")
    ours = (ImportRun.id == run_id) & (ImportRun.progressed_at == beat[0])
    if finish and ImportRun.update(**finish).where(ours).execute():
        remove_upload(run_file(run_id))
    return run_id


def _import_pages(run, beat):
    """Import the run's pages after ``run.processed``, saving its progress after each one."""
    found = archive.Archive(run_file(run.id))
    if found.total != run.total:  # a large version 1 manifest, unread by the upload request
        ImportRun.update(total=found.total).where(ImportRun.id == run.id).execute()
    user, authors = User.get_by_id(run.owner_id), {}
    report = archive.Report()
    report.created, report.updated, report.skipped, report.files = run.created, run.updated, run.skipped, run.files
    report.problems = run_problems(run)
    try:
        for n, (label, record) in enumerate(found.records(run.processed), run.processed + 1):
            listed = len(report.problems)
            archive.import_page(found, label, record, user, report, authors)
            del report.problems[MAX_PROBLEMS:]
            now = utcnow()
            values = dict(processed=n, progressed_at=now, created=report.created, updated=report.updated,
                          skipped=report.skipped, files=report.files)
            if len(report.problems) != listed:  # not the whole list again for every page
                values["problems"] = "\n".join(report.problems)
            if not ImportRun.update(values).where(ImportRun.id == run.id, ImportRun.progressed_at == beat[0]).execute():
                raise TakenOver()
            beat[0] = now
    finally:
        found.close()


def run_problems(run):
    """The problems a run listed, one per line."""
    return run.problems.splitlines()
