"""Background work of the search index: keeping the champion lists in shape."""
from flask import current_app
from huey import crontab

from suite.database import is_postgres
from suite.jobs import periodic_job


def refresh_lists(rebuild=False):
    """Make champion lists for words that became common, mend the rest; how many words were built."""
    from suite.search import champions, champions_pg
    cfg = current_app.config
    return (champions_pg if is_postgres() else champions).refresh(cfg["SEARCH_LIST_MIN_DOCS"], cfg["SEARCH_LIST_SIZE"], rebuild=rebuild)


@periodic_job(crontab(minute="*/10"))
def refresh_search_lists():
    """Every ten minutes: champion lists for words that became common, the others mended."""
    return refresh_lists()
