"""suite.sandbox: pure functions in a helper process, killed when they take too long."""
import os
import time

import pytest

from suite import sandbox


def test_a_call_runs_in_another_process_and_answers():
    assert sandbox.run(os.getpid, timeout=30) != os.getpid()
    assert sandbox.run(sum, [1, 2, 3], timeout=30) == 6


def test_an_exception_in_the_helper_reaches_the_caller():
    with pytest.raises(ValueError):
        sandbox.run(int, "not a number", timeout=30)
    assert sandbox.run(int, "7", timeout=30) == 7  # the helper is still there


def test_a_call_over_its_time_limit_is_stopped_and_the_next_one_gets_a_fresh_helper():
    first = sandbox.run(os.getpid, timeout=30)
    started = time.monotonic()
    with pytest.raises(sandbox.TooSlow):
        sandbox.run(time.sleep, 60, timeout=0.5)
    assert time.monotonic() - started < 30  # it did not wait for the sleep
    second = sandbox.run(os.getpid, timeout=30)
    assert second != first
    assert _gone(first), "the slow helper was left running"


def _gone(pid, wait=10):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False
