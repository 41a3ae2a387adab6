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
8-byte numbers) and bounded in count (``SEARCH_CACHE_ENTRIES``) and in ids: as many as
that many first pages hold (``IDS_PER_ENTRY`` each), so a crawler paging deep into
common words cannot fill the memory; least recently used out first, and dropped after
``SEARCH_CACHE_SECONDS`` in any case.
"""
import threading
import time
from array import array
from collections import OrderedDict

IDS_PER_ENTRY = 200  # a first page's candidates (16 bytes each)


class Rankings:
    """An LRU of ``key -> (pinned generations, expiry, ids, scores)``."""

    def __init__(self, entries, seconds):
        self.limit, self.seconds = entries, seconds
        self.max_ids = entries * IDS_PER_ENTRY
        self.ids = 0
        self.entries = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key, pinned):
        """``[(id, score), ...]`` as ranked under ``pinned`` generations, or None."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and (entry[0] != pinned or entry[1] <= time.monotonic()):
                self._drop(key)
                entry = None
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            self.entries.move_to_end(key)
        return list(zip(entry[2], entry[3], strict=True))

    def put(self, key, pinned, ranked):
        """Keep one ranking (nothing when the cache is off, or for one that would take a quarter of it)."""
        if self.limit <= 0 or self.seconds <= 0 or len(ranked) > self.max_ids // 4:
            return
        entry = (pinned, time.monotonic() + self.seconds, array("q", [r[0] for r in ranked]),
                 array("d", [r[1] for r in ranked]))
        with self.lock:
            self._drop(key)
            self.entries[key] = entry
            self.ids += len(ranked)
            while len(self.entries) > self.limit or self.ids > self.max_ids:
                self._drop(next(iter(self.entries)))

    def _drop(self, key):
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.ids -= len(entry[2])

    def clear(self):
        """Forget every ranking."""
        with self.lock:
            self.entries.clear()
            self.ids = 0
