"""Fixed-window rate limits: the counting, the limit syntax, and counters shared through Redis."""
import os
import time

import pytest

from suite import ratelimit
from suite.errors import RateLimited


@pytest.mark.parametrize("text, expected", [
    ("30/hour", (30, 3600)), ("600/minute", (600, 60)), ("600 per minute", (600, 60)),
    ("5/10 seconds", (5, 10)), ("1/day", (1, 86400)), (" 2 / Minutes ", (2, 60)),
])
def test_limit_syntax(text, expected):
    assert ratelimit.parse(text) == expected


@pytest.mark.parametrize("text", ["", "hour", "0/minute", "10/fortnight", "-1/hour", "ten/hour", "5/0 seconds"])
def test_bad_limits_are_refused(text):
    with pytest.raises(ValueError):
        ratelimit.parse(text)


def test_a_bad_limit_in_the_settings_stops_the_start_with_its_name(make_app):
    with pytest.raises(ValueError, match="SUITE_RATELIMIT_API"):
        make_app(RATELIMIT_API="lots")


def test_memory_counters_count_per_window_and_forget_old_windows():
    counters = ratelimit.MemoryCounters()
    assert [counters.incr("k:1", time.time() + 60) for _ in range(3)] == [1, 2, 3]
    assert counters.incr("k:2", time.time() + 60) == 1
    for n in range(3 * ratelimit.PRUNE_ABOVE):
        counters.incr(f"old:{n}", time.time() - 1)  # windows that are over
        assert len(counters.counts) <= ratelimit.PRUNE_ABOVE + 2
    assert counters.incr("k:1", time.time() + 60) == 4  # live windows survive the pruning


@pytest.mark.skipif(not os.environ.get("SUITE_TEST_REDIS_URL"), reason="set SUITE_TEST_REDIS_URL (CI starts redis-server)")
def test_two_workers_share_counters_through_redis(make_app):
    url = os.environ["SUITE_TEST_REDIS_URL"]
    first, second = make_app(REDIS_URL=url), make_app(REDIS_URL=url)
    namespace = f"test-{time.time()}"  # a day's window: the test never straddles two
    codes = []
    for app in (first, second, first, second):
        with app.test_request_context():
            try:
                ratelimit.hit("3/day", namespace, "client", "wait {wait}s")
                codes.append(200)
            except RateLimited as err:
                codes.append(err.status)
                assert 0 < int(err.headers["Retry-After"]) <= 86400
    assert codes == [200, 200, 200, 429]
