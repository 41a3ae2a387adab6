"""Background work of the pastebin: highlighting that missed the request's budget, purging expired pastes."""
from huey import crontab

from suite.jobs import job, periodic_job
from suite.pastebin.models import Paste
from suite.pastebin.pastes import highlight_paste, purge_expired


@job()
def highlight_paste_task(paste_id):
    """Store the highlighting of a paste's files (each bounded by the highlight timeout)."""
    paste = Paste.get_or_none(Paste.id == paste_id)
    if paste is not None:
        highlight_paste(paste)


@periodic_job(crontab(minute="*/5"))
def purge_expired_pastes():
    """Every five minutes: delete expired pastes and drop them from the search index."""
    return purge_expired()
