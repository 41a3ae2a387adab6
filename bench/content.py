"""Deterministic text for seeding: a Zipf-like vocabulary, wiki pages, Python files, bookmark fields."""
import random

SEED = 20261127
COMMON = ("the of and to in is that for it as with was on be by this are or from at which but not have "
          "an they one you were all we can her has there been if more when will would who so no").split()
TOPICS = ("river garden engine orbit harbor violin glacier lantern meadow compass falcon ember quartz "
          "saffron tundra beacon cobalt delta fresco granite hemlock iris juniper kestrel lagoon mosaic "
          "nebula oasis prism quiver raven summit tapestry umber vortex willow zenith archive bramble "
          "cinder dune estuary fjord grotto heron isle jasper kiln ledger marble nectar").split()


def vocabulary(size=3000, seed=SEED):
    """Made-up words (pronounceable, unique) that give every document varied searchable text."""
    rng = random.Random(seed)
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    words, seen = [], set()
    while len(words) < size:
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return TOPICS + words


WORDS = vocabulary()
# Zipf-like weights: word k is drawn with weight 1/(k+1), so a few words are common and most are rare.
WEIGHTS = [1.0 / (k + 1) for k in range(len(WORDS))]


def words(rng, n):
    """``n`` words drawn from the vocabulary, common function words mixed in."""
    drawn = rng.choices(WORDS, weights=WEIGHTS, k=n)
    return [rng.choice(COMMON) if i % 3 == 2 else w for i, w in enumerate(drawn)]


def sentence(rng, n=12):
    """One capitalised sentence."""
    text = " ".join(words(rng, n))
    return text[:1].upper() + text[1:] + "."


def wiki_title(i):
    """The title of seeded page ``i``."""
    return f"{TOPICS[i % len(TOPICS)].title()} note {i:06d}"


def wiki_page(i, page_count, target_bytes=5000):
    """About 5 KB of Markdown for page ``i``: headings, paragraphs, a list, code and wikilinks."""
    rng = random.Random(SEED + i)
    parts = [f"# {wiki_title(i)}\n", sentence(rng, 20) + "\n"]
    section = 0
    while sum(len(p) for p in parts) < target_bytes:
        section += 1
        parts.append(f"## Section {section}: {' '.join(words(rng, 3))}\n")
        links = " ".join(f"[[{wiki_title(rng.randrange(page_count))}]]" for _ in range(2))
        parts.append(" ".join(sentence(rng) for _ in range(4)) + f" See {links}.\n")
        parts.append("\n".join(f"- **{w}**: {sentence(rng, 8)}" for w in words(rng, 3)) + "\n")
        if section % 3 == 0:
            parts.append("```python\n" + python_lines(rng, 6) + "```\n")
    return "\n".join(parts)


def python_lines(rng, n, start=0):
    """``n`` lines of plausible Python."""
    out = []
    for k in range(start, start + n):
        a, b = rng.choice(WORDS[:400]), rng.choice(WORDS[:400])
        kind = k % 10
        if kind == 0:
            out.append(f"def {a}_{k}({b}, count={k % 7}):")
        elif kind == 1:
            out.append(f'    """Return the {a} of {b} ({k})."""')
        elif kind in (2, 3, 4):
            out.append(f"    {a} = [{b} * {k % 13} for _ in range(count)]")
        elif kind == 5:
            out.append(f"    if len({a}) > {k % 50}:")
        elif kind == 6:
            out.append(f"        return {{'{a}': {a}, 'n': {k}}}")
        elif kind == 7:
            out.append(f"    return sorted({a}, key=str)  # {b}")
        else:
            out.append("")
    return "\n".join(out) + "\n"


def paste_text(i, lines=40):
    """A small Python file for paste ``i`` (distinct per paste)."""
    rng = random.Random(SEED * 3 + i)
    return f"# paste {i}: {' '.join(words(rng, 6))}\n" + python_lines(rng, lines - 1, start=i)


def bookmark_fields(i):
    """(url, title, description, tag names) of seeded bookmark ``i``."""
    rng = random.Random(SEED * 7 + i)
    host = f"{rng.choice(TOPICS)}-{rng.choice(WORDS[50:600])}.example.org"
    title = " ".join(words(rng, 6)).title()
    description = " ".join(sentence(rng, 14) for _ in range(3))
    tags = sorted({f"t-{rng.choice(WORDS[:300])}" for _ in range(3)})
    return f"https://{host}/{i}/{'-'.join(words(rng, 3))}", title, description, tags


def search_queries(count=40):
    """Queries for the search cells: single mid-frequency words and two-word pairs."""
    rng = random.Random(SEED * 11)
    mid = WORDS[20:400]
    out = [rng.choice(mid) for _ in range(count // 2)]
    out += [f"{rng.choice(mid)} {rng.choice(TOPICS)}" for _ in range(count - len(out))]
    return out
