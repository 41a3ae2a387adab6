"""Background tasks of the wiki: imports of export zips, and the minute's requeue of stalled ones."""
from huey import crontab

from suite.jobs import job, periodic_job


@job()
def import_task(run_id):
    """Import an uploaded export zip (see suite.wiki.importer)."""
    from suite.wiki.importer import run_import
    return run_import(run_id)


@periodic_job(crontab(minute="*"))
def requeue_imports_task():
    """Every minute: queue again the imports whose task was lost or whose worker died."""
    from suite.wiki.importer import requeue_stalled_imports
    return requeue_stalled_imports()
