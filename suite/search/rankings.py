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
from array import array

from suite.pagecache import Kept

IDS_PER_ENTRY = 200  # a first page's candidates (16 bytes each)


class Rankings:
    """Rankings by words, in a ``Kept`` counted in ids: ``key -> (generations, expiry, (ids, scores), size)``."""

    def __init__(self, entries, seconds):
        self.kept = Kept(entries * IDS_PER_ENTRY, seconds, count=entries)
        self.hits = self.misses = 0

    @property
    def entries(self):
        """The kept rankings by key."""
        return self.kept.entries

    @property
    def ids(self):
        """How many ids the kept rankings hold."""
        return self.kept.size

    def get(self, key, pinned):
        """``[(id, score), ...]`` as ranked under ``pinned`` generations, or None."""
        found = self.kept.get(key, lambda kept: kept == pinned)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        return list(zip(*found, strict=True))

    def put(self, key, pinned, ranked):
        """Keep one ranking (nothing when the cache is off, or for one that would take a quarter of it)."""
        ids, scores = array("q", [r[0] for r in ranked]), array("d", [r[1] for r in ranked])
        self.kept.put(key, pinned, (ids, scores), len(ranked))

    def clear(self):
        """Forget every ranking."""
        self.kept.clear()
