"""The small corpus the champion-list tests search: eight words among filler, over the three apps."""
import random

from suite import search

WORDS = "otter heron kelp tide reef gull shell crab".split()
FILLER = "a the of and in river stone lamp".split()
MIN_DOCS, SIZE = 12, 8  # lists for words in more than 12 items, 8 rows long
QUERIES = [(w, k) for w in WORDS for k in (None, ["wiki"], ["paste", "bookmark"])]


def text(rng, n):
    return " ".join(rng.choice(WORDS if rng.random() < 0.3 else FILLER) for _ in range(n))


def add(rng, kind, item_id, tagged=0.0, **extra):
    """Index one public item of random text (with one of the words as a tag, at odds ``tagged``)."""
    values = dict(owner_id=None, visibility="public", title=text(rng, rng.randint(1, 4)),
                  body=text(rng, rng.randint(3, 120)), url=f"https://example.org/{item_id}",
                  tags=[rng.choice(WORDS)] if rng.random() < tagged else ())
    values.update(extra)
    search.index_item(kind, item_id, **values)


def fill(tagged=0.0):
    """300 items over the three apps; the random source, to add more alike."""
    rng = random.Random(7)
    for n in range(300):
        add(rng, ("bookmark", "paste", "wiki")[n % 3], f"i{n}", tagged)
    return rng


def twins(name="same", count=60):
    """``count`` identical bookmarks saying "tide": their scores tie."""
    for n in range(count):
        search.index_item("bookmark", f"{name}{n}" if count > 1 else name, owner_id=None, visibility="public",
                          title="Tide table", body="tide pools at dawn", url="", tags=())


def tide_runs():
    """60 bookmarks that score alike for "tide", and 20 pages saying it more and more."""
    twins()
    for n in range(20):
        search.index_item("wiki", f"other{n}", owner_id=None, visibility="public", title="Tides",
                          body="tide " * (n + 1), url="", tags=())
