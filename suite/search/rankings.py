"""The best matches of recent searches, kept per process until the index changes.

Ranking is the part of a search whose cost grows with the data: FTS5 scores every
document that matches (bm25 reads each one's column sizes and word positions), so a
common word over 100,000 items costs milliseconds, and so does the same word again.
What a reader may see is not part of the ranking (it is checked on every search), so
one ranking serves every reader who sends the same words: anonymous readers,
signed-in people and API clients alike.

A ranking is pinned to the generations of the content it ranked (``pagecache``): any
write to the index bumps one, in every process, and the next search ranks afresh, as
bm25's scores move with every document added. Entries are compact (two arrays of
8-byte numbers), bounded in count (``SEARCH_CACHE_ENTRIES``), least recently used
out first, and dropped after ``SEARCH_CACHE_SECONDS`` in any case.
"""
import threading
import time
from array import array
from collections import OrderedDict


class Rankings:
    """An LRU of ``key -> (pinned generations, expiry, ids, scores)``."""

    def __init__(self, entries, seconds):
        self.limit, self.seconds = entries, seconds
        self.entries = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key, pinned):
        """``[(id, score), ...]`` as ranked under ``pinned`` generations, or None."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and (entry[0] != pinned or entry[1] <= time.monotonic()):
                del self.entries[key]
                entry = None
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            self.entries.move_to_end(key)
        return list(zip(entry[2], entry[3], strict=True))

    def put(self, key, pinned, ranked):
        """Keep one ranking (nothing when the cache is turned off)."""
        if self.limit <= 0 or self.seconds <= 0:
            return
        entry = (pinned, time.monotonic() + self.seconds, array("q", [r[0] for r in ranked]),
                 array("d", [r[1] for r in ranked]))
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.limit:
                self.entries.popitem(last=False)

    def clear(self):
        """Forget every ranking."""
        with self.lock:
            self.entries.clear()
