"""Background work of the search index: keeping the champion lists in shape."""
from flask import current_app
from huey import crontab

from suite.jobs import periodic_job


def refresh_lists(rebuild=False, progress=iter):
    """Make champion lists for words that became common, mend the rest; how many words were built."""
    from suite.search import champion_lists
    cfg = current_app.config
    return champion_lists().refresh(cfg["SEARCH_LIST_MIN_DOCS"], cfg["SEARCH_LIST_SIZE"], rebuild=rebuild,
                                     progress=progress)


@periodic_job(crontab(minute="*/10"))
def refresh_search_lists():
    """Every ten minutes: champion lists for words that became common, the others mended."""
    return refresh_lists()
