"""Fuzzing the parsers we own with hypothesis: no unexpected exception escapes, round-trips hold."""
import datetime
import html
from html.parser import HTMLParser
from types import SimpleNamespace

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from suite.bookmarks import netscape
from suite.bookmarks.bookmarks import parse_tags
from suite.bookmarks.urls import normalize_url
from suite.errors import InvalidInput
from suite.search.querytext import MAX_QUERY, parse_query
from suite.wiki.links import rewrite_links
from suite.wiki.markup import render_page
from suite.wiki.titles import clean_title, title_key

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOKENS = list('<>"\'=/ &;#[]|:!-*`\n\tabcAB12') + ["<DL>", "</DL>", "<DT>", "<A HREF=", "</A>", "<H3>", "</H3>",
                                                  "[[", "]]", "<p>", "javascript:", "<script>", " onload=", "<svg"]
MARKUP = st.lists(st.sampled_from(TOKENS), max_size=80).map("".join)
WORDS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@FUZZ
@given(st.one_of(st.binary(max_size=400), MARKUP.map(lambda t: "<!DOCTYPE NETSCAPE-Bookmark-file-1>" + t)))
def test_netscape_parser_refuses_or_reads_anything(data):
    try:
        entries = netscape.parse(data)
    except InvalidInput:
        return
    assert all(isinstance(e.url, str) and isinstance(e.tags, list) for e in entries)


TITLE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)
VISIBLE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=30)
# no "#" in path or query: it would start the fragment, which the tests below add themselves
NO_HASH = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="#"),
                  max_size=30)
URLS = st.builds(lambda host, path, q: f"https://{host}.example/{path}?q={q}",
                 st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True), NO_HASH, NO_HASH)


@FUZZ
@given(st.lists(st.tuples(URLS, TITLE, st.text(max_size=60),
                          st.lists(st.from_regex(r"[\w-]{1,12}", fullmatch=True), max_size=3), st.booleans(),
                          st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=60)),
                min_size=1, max_size=5))
def test_netscape_export_then_parse_round_trips(rows):
    stamp = datetime.datetime(2024, 5, 1, 12, 0, 0)
    bookmarks = [SimpleNamespace(url=u, title=t.strip(), description=d.strip(), tag_names=parse_tags(tags),
                                 is_private=p, unread=False, created_at=stamp, updated_at=stamp, notes=n.strip())
                 for u, t, d, tags, p, n in rows]
    entries = netscape.parse("".join(netscape.export(bookmarks)).encode("utf-8"))
    assert [e.notes for e in entries] == [b.notes for b in bookmarks]
    assert [e.url for e in entries] == [b.url for b in bookmarks]
    assert [e.private for e in entries] == [b.is_private for b in bookmarks]
    assert [sorted(set(e.tags)) for e in entries] == [sorted(set(b.tag_names)) for b in bookmarks]
    # an untitled bookmark is written with its address as the text and read back untitled
    assert [e.title for e in entries] == [b.title for b in bookmarks]


@FUZZ
@given(st.text(max_size=700))
def test_search_query_parsing_never_fails_and_keeps_only_useful_terms(text):
    parsed = parse_query(text)
    for word in parsed.words + parsed.phrases + parsed.excluded:
        assert any(ch.isalnum() or ch == "_" for ch in word)
        assert len(word) <= MAX_QUERY


@FUZZ
@given(st.lists(st.from_regex(r"[a-z]{2,10}", fullmatch=True), min_size=1, max_size=5))
def test_search_query_words_round_trip(words):
    assume("or" not in words)  # "or" between two words or phrases finds either (test_search covers it)
    parsed = parse_query(" ".join(words) + ' "exact phrase" -unwanted tag:Mixed in:wiki')
    assert parsed.words == words and parsed.phrases == ["exact phrase"] and parsed.excluded == ["unwanted"]
    assert parsed.tags == ["mixed"] and parsed.kinds == ["wiki"]


@FUZZ
@given(st.text(max_size=300))
def test_url_normalization_refuses_or_is_idempotent(raw):
    try:
        normal = normalize_url(raw)
    except InvalidInput:
        return
    assert normal.startswith(("http://", "https://"))
    assert normalize_url(normal) == normal


@FUZZ
@given(URLS, st.sampled_from(["", "#frag", "&utm_source=x", ":443", "/"]))
@example("https://a.example/?q=&", "&utm_source=x")  # an empty pair stays or goes the same way
def test_url_normalization_ignores_fragments_and_tracking(url, extra):
    base = normalize_url(url)
    if extra in ("#frag", "&utm_source=x"):
        assert normalize_url(url + extra) == base


@FUZZ
@given(URLS, st.sampled_from(["#/settings", "#!/inbox", "#inbox/FMfcgz", "#/guide#install"]),
       st.sampled_from(["", "#:~:text=hello"]))
def test_url_normalization_keeps_a_route_fragment_apart_from_the_page(url, route, text):
    """An app's route (#/x, #!x, a fragment with "/") names another page; a text fragment never counts."""
    keyed = normalize_url(url + route + text)
    assert keyed != normalize_url(url)
    assert keyed == normalize_url(url + route.split("#install")[0])


class _LiveMarkup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "style", "base", "form"):
            self.found.append(tag)
        for name, value in attrs:
            squeezed = "".join((value or "").split()).lower()
            if name.startswith("on") or squeezed.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"{tag} {name}={value}")


def live_markup(fragment):
    """Tags and attributes in ``fragment`` that could run script."""
    parser = _LiveMarkup()
    parser.feed(fragment)
    return parser.found


def _resolve(title):
    return "/wiki/" + title.replace(" ", "_"), True


@FUZZ
@given(MARKUP)
def test_wiki_markup_with_wikilinks_renders_without_errors_or_live_markup(source):
    rendered = render_page(source, _resolve)
    assert live_markup(rendered.html) == []
    for title in rendered.links:
        assert clean_title(title) == title


@FUZZ
@given(TITLE, TITLE, st.text(max_size=40))
@example("0", "1", "\t")  # a tab starts an indented code block: no link is shown there, so none is changed
@example("0", "1", "<div>")  # so does a raw HTML block
def test_rewrite_links_points_every_link_the_page_shows_at_the_new_title(old, new, around):
    try:
        old, new = clean_title(old), clean_title(new)
    except InvalidInput:
        return
    shouted = old.upper()
    try:  # case folding is not always a round trip ("ı".upper() is "I", another page)
        shouted = shouted if title_key(clean_title(shouted)) == title_key(old) else old
    except InvalidInput:
        shouted = old
    links = f"[[{old}]] and [[{shouted}|label]] and [[{old}#part]]"
    if "[[" in around or "]]" in around:
        return
    # after the links, nothing in ``around`` can turn them into code or raw HTML: every one is pointed anew
    out = rewrite_links(f"{links} {around}", title_key(old), new)
    assert f"[[{new}]]" in out and f"[[{new}|label]]" in out and f"[[{new}#part]]" in out
    assert html.unescape(out).count("[[") == f"{links} {around}".count("[[")
    # before them, it may (an indented code block, an HTML block): the links the page shows are the ones
    # that change, and only those
    text = f"{around} {links}"
    out = rewrite_links(text, title_key(old), new)
    shown = {title_key(t): None for t in render_page(text, _resolve).links}  # "a" and "A": one page
    now = {title_key(t): None for t in render_page(out, _resolve).links}
    assert list(now) == list({title_key(new) if key == title_key(old) else key: None for key in shown})
    if not shown:
        assert out == text


@FUZZ
@given(st.text(max_size=250))
def test_wiki_titles_are_refused_or_canonical(raw):
    try:
        title = clean_title(raw)
    except InvalidInput:
        return
    assert clean_title(title) == title
    assert not any(ch in title for ch in "<>[]|#?\"")
