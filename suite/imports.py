"""What the apps' background imports share (bookmark files, wiki export zips).

An import is a row (``status``, ``created_at``, ``progressed_at``, ``stalls``, ``message``)
and the upload kept on disk. A task claims the row, records its progress (``progressed_at``)
after each batch or page, and deletes the upload when it ends. The minute's requeue
(``requeue_stalled``) queues again a run still pending long after its upload (the queue was
out of reach) and sets a running one that saved nothing for as long back to pending (its
worker died: SIGKILL, the OOM killer, a restart), so it resumes after its last saved part.
"""
import datetime
import os

from flask import current_app

from suite.auth.models import utcnow

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
#: A run pending this long after its upload was not queued; one running with nothing saved for
#: this long lost its worker.
STALLED_AFTER = datetime.timedelta(minutes=10)
#: A run whose worker died this many times (an upload that kills it each time) ends as failed.
MAX_STALLS = 3


def imports_dir():
    """Where uploads wait for their import task (``instance/imports/``)."""
    path = os.path.join(current_app.instance_path, "imports")
    os.makedirs(path, exist_ok=True)
    return path


class TakenOver(Exception):
    """The run was given to another task (its worker seemed dead, see requeue_stalled)."""


def requeue_stalled(model, upload_path, task, *, gone, stopped, start_over=None):
    """Queue again ``model``'s stalled runs (see above); how many pending runs were queued.

    ``upload_path(run_id)``: where a run's upload waits; ``task(run_id)``: queue its import;
    ``gone``: the message of a run whose upload is missing; ``stopped(run)``: the message of a
    run failed after ``MAX_STALLS``; ``start_over``: the values that restart a run that
    recorded no progress at all (None: it resumes as it stands).
    """
    cutoff = utcnow() - STALLED_AFTER
    silent = (model.progressed_at < cutoff) | model.progressed_at.is_null()
    for run in model.select().where(model.status == RUNNING, silent):
        _take_back(model, run, upload_path, stopped, start_over)
    stalled = list(model.select(model.id).where(model.status == PENDING, model.created_at < cutoff))
    for run in stalled:
        if os.path.exists(upload_path(run.id)):
            task(run.id)
        else:
            model.update(status=FAILED, message=gone).where(model.id == run.id, model.status == PENDING).execute()
    return len(stalled)


def _take_back(model, run, upload_path, stopped, start_over):
    """Set a running import whose worker died back to pending, or fail it after ``MAX_STALLS``
    (only while it is still as read: progress saved meanwhile means its worker lives)."""
    as_read = (model.id == run.id) & (model.status == RUNNING) & (model.progressed_at == run.progressed_at)
    if run.stalls + 1 < MAX_STALLS:
        values = dict(status=PENDING, progressed_at=None, stalls=run.stalls + 1)
        if run.progressed_at is None and start_over:
            values.update(start_over)
        model.update(values).where(as_read).execute()
        return
    if model.update(status=FAILED, message=stopped(run)).where(as_read).execute():
        remove_upload(upload_path(run.id))


def remove_upload(path):
    """Delete an upload once it is no longer needed (it holds someone's bookmarks or pages)."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
