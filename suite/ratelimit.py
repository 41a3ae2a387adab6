"""Rate limits, counted only where a view asks for one.

Built on ``limits`` (the engine under Flask-Limiter) rather than Flask-Limiter itself:
its extension checks every request of the site in a before-request hook, which cost
about a fifth of a cheap page's time here, while the suite limits only a few routes
(the API, anonymous pastes). Counters live in memory, or in Redis when
``SUITE_REDIS_URL`` is set so that every worker shares them.
"""
import time

from flask import current_app
from limits import parse, storage, strategies

from suite.errors import RateLimited


def init_app(app):
    """Give the app its own counter storage."""
    backend = storage.storage_from_string(app.config["REDIS_URL"] or "memory://")
    app.extensions["suite.ratelimit"] = strategies.FixedWindowRateLimiter(backend)


def hit(limit, namespace, key, message):
    """Count one request against ``limit`` (e.g. "30/hour"); RateLimited with Retry-After past it."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    limiter = current_app.extensions["suite.ratelimit"]
    item = parse(limit)
    if limiter.hit(item, namespace, key):
        return
    wait = max(1, int(limiter.get_window_stats(item, namespace, key).reset_time - time.time()) + 1)
    raise RateLimited(message.format(wait=wait), headers={"Retry-After": str(wait)})
