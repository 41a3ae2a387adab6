"""Rate limits, counted only where a view asks for one (the API, anonymous pastes).

Fixed windows: "30/hour" allows 30 requests per key in each clock hour, and the
answer past it says how many seconds remain (Retry-After). Counters live in process
memory, or in Redis when ``SUITE_REDIS_URL`` is set so that every worker shares them
(INCR and EXPIRE in one round trip).

Written here rather than taken from ``limits``: the suite needs this one strategy,
and ``limits`` imports asyncio and three more packages into every web worker
(about 3.5 MB of a worker's memory).
"""
import logging
import re
import threading
import time

from flask import current_app

from suite.errors import RateLimited

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
LIMIT_RE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d*)\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)
PRUNE_ABOVE = 10_000
log = logging.getLogger("suite.ratelimit")


class Sparse:
    """Say something at most once per ``seconds`` (per process): an outage must not flood the log."""

    def __init__(self, seconds=60):
        self.seconds, self.last, self.lock = seconds, None, threading.Lock()

    def due(self):
        """True when the last time was long enough ago (and counts this one as said)."""
        now = time.monotonic()
        with self.lock:
            if self.last is not None and now - self.last < self.seconds:
                return False
            self.last = now
            return True


def parse(text):
    """``"30/hour"``, ``"600 per minute"``, ``"5/10 seconds"`` → (requests, seconds)."""
    match = LIMIT_RE.match(str(text))
    if not match or int(match.group(1)) < 1 or int(match.group(2) or 1) < 1:  # "5/0 seconds": no window
        raise ValueError(f"bad rate limit {text!r}: use e.g. 30/hour or 600/minute")
    return int(match.group(1)), int(match.group(2) or 1) * UNITS[match.group(3).lower()]


class MemoryCounters:
    """Counters of this process, forgotten once their window has passed."""

    def __init__(self):
        self.counts, self.lock = {}, threading.Lock()

    def incr(self, key, window_end):
        """Add one to ``key`` (which names its window) and return the new count."""
        with self.lock:
            if len(self.counts) > PRUNE_ABOVE:
                now = time.time()
                self.counts = {k: v for k, v in self.counts.items() if v[1] > now}
            count = self.counts.get(key, (0, window_end))[0] + 1
            self.counts[key] = (count, window_end)
            return count


class RedisCounters:
    """Counters in Redis, shared by every worker and process.

    While Redis cannot be reached, nothing is limited (a warning says so, once a minute):
    refusing every API request and anonymous write would turn a Redis outage into a
    suite outage, and the requests themselves do not need Redis.
    """

    TIMEOUT = 2  # seconds to connect or answer: a Redis that does not answer must not hold requests

    def __init__(self, url):
        import redis  # only when configured: the web worker does not load it otherwise
        self.client = redis.Redis.from_url(url, socket_connect_timeout=self.TIMEOUT, socket_timeout=self.TIMEOUT)
        self.errors = redis.RedisError
        self.warning = Sparse()

    def incr(self, key, window_end):
        pipe = self.client.pipeline()
        pipe.incr("suite:ratelimit:" + key)
        pipe.expireat("suite:ratelimit:" + key, int(window_end) + 1)
        try:
            return pipe.execute()[0]
        except self.errors as err:
            if self.warning.due():
                log.warning("rate limits are not enforced: Redis cannot be reached (%s)", err)
            return 0


def init_app(app):
    """Check the configured limits and give the app its counters."""
    for name in ("RATELIMIT_API", "RATELIMIT_ANONYMOUS"):
        try:
            parse(app.config[name])
        except ValueError as err:
            raise ValueError(f"SUITE_{name}: {err}") from None
    url = app.config["REDIS_URL"]
    app.extensions["suite.ratelimit"] = RedisCounters(url) if url else MemoryCounters()


def hit(limit, namespace, key, message):
    """Count one request against ``limit`` (e.g. "30/hour"); RateLimited with Retry-After past it."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    allowed, seconds = parse(limit)
    now = time.time()
    window = int(now // seconds)
    window_end = (window + 1) * seconds
    count = current_app.extensions["suite.ratelimit"].incr(f"{namespace}:{seconds}:{window}:{key}", window_end)
    if count <= allowed:
        return
    wait = max(1, int(window_end - now) + 1)
    raise RateLimited(message.format(wait=wait), headers={"Retry-After": str(wait)})
