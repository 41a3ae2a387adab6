"""Leases: work one process of the suite does at a time, for a bounded time (suite.leases)."""
import datetime

from suite import leases
from suite.auth.models import utcnow
from tests.bookmarks.conftest import at_the_same_moment


def test_of_many_workers_taking_a_lease_at_the_same_moment_one_gets_it(app):
    tokens = []
    errors = at_the_same_moment(app, 6, lambda i: tokens.append(leases.take("work", 60)))
    assert errors == []
    assert len([t for t in tokens if t]) == 1


def test_a_lease_its_holder_never_gave_back_lapses_and_the_old_token_frees_nothing(app):
    with app.app_context():
        dead = leases.take("work", 60)  # its worker was killed
        assert dead and leases.take("work", 60) is None
        leases.Lease.update(expires_at=utcnow() - datetime.timedelta(seconds=1)).execute()
        alive = leases.take("work", 60)
        assert alive
        leases.give_back("work", dead)  # the killed worker's token: not the lease any more
        assert leases.take("work", 60) is None
        leases.give_back("work", alive)
        assert leases.take("work", 60)
