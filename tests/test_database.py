"""run_again_if_lost: a transaction PostgreSQL ended for a deadlock runs once more, then is a 409, never a 500."""
import threading

import pytest
from peewee import IntegrityError, OperationalError

from suite.auth.models import User
from suite.database import DEADLOCK, SERIALIZATION_FAILURE, is_postgres, run_again_if_lost
from suite.errors import Conflict
from suite.extensions import db


class DriverError(Exception):
    """What psycopg2 raises (peewee keeps it as ``orig``)."""

    def __init__(self, pgcode):
        super().__init__("could not serialize")
        self.pgcode = pgcode


def failing(times, pgcode=DEADLOCK):
    """A decorated function whose transaction is lost ``times`` times, then succeeds; and its calls."""
    calls = []

    @run_again_if_lost
    def work():
        calls.append(1)
        with db.atomic():
            if len(calls) <= times:
                raise OperationalError(DriverError(pgcode))
        return "done"
    return work, calls


@pytest.mark.parametrize("pgcode", [DEADLOCK, SERIALIZATION_FAILURE])
def test_a_transaction_lost_once_runs_again(app, pgcode):
    work, calls = failing(1, pgcode)
    with app.app_context():
        assert work() == "done"
    assert len(calls) == 2


def test_a_transaction_lost_twice_is_a_conflict(app):
    work, calls = failing(2)
    with app.app_context(), pytest.raises(Conflict, match="try again"):
        work()
    assert len(calls) == 2


def test_inside_a_callers_transaction_nothing_runs_again(app):
    work, calls = failing(1)
    with app.app_context(), pytest.raises(OperationalError), db.atomic():
        work()
    assert len(calls) == 1


def test_other_database_errors_are_not_run_again(app):
    calls = []

    @run_again_if_lost
    def work():
        calls.append(1)
        raise IntegrityError("duplicate key")
    with app.app_context(), pytest.raises(IntegrityError):
        work()
    assert len(calls) == 1


def test_a_real_deadlock_on_postgresql_is_run_again(app, users):
    """Two transactions locking two rows in opposite orders: PostgreSQL ends one, which then runs again."""
    with app.app_context():
        if not is_postgres():
            pytest.skip("SQLite's write transactions run one at a time: no deadlock")
    first, second = users["alice"].id, users["bob"].id
    barrier, errors, runs = threading.Barrier(2), [], []

    @run_again_if_lost
    def lock_both(a, b):
        runs.append(a)
        with db.atomic():
            User.select().where(User.id == a).for_update().get()
            if len(runs) <= 2:  # the first run of each: both hold one row when they ask for the other
                barrier.wait(10)
            User.select().where(User.id == b).for_update().get()

    def run(a, b):
        with app.app_context():
            try:
                lock_both(a, b)
            except Exception as err:  # recorded, so the test shows what failed
                errors.append(repr(err))
            finally:
                db.close()

    threads = [threading.Thread(target=run, args=pair) for pair in ((first, second), (second, first))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(runs) == 3  # one of the two ran again
