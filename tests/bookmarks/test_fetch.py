"""The SSRF guard and the fetcher: addresses in every spelling, redirects, caps, charsets."""
import socket

import pytest

from suite.bookmarks.fetch import FetchError, FetchRefused, Guard, address_is_public, fetch
from tests.bookmarks.conftest import BIG_UTF8, add, dripped, only_bookmark

PRIVATE = ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
           "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
           "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1"]


@pytest.mark.parametrize("ip", PRIVATE)
def test_non_global_addresses_are_not_public(ip):
    assert not address_is_public(ip)


@pytest.mark.parametrize("ip", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_global_addresses_are_public(ip):
    assert address_is_public(ip)


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1",
                                  "127.1", "[::1]", "[::ffff:127.0.0.1]", "[0:0:0:0:0:ffff:7f00:1]",
                                  "localhost", "169.254.169.254", "[::ffff:a9fe:a9fe]"])
def test_loopback_in_every_spelling_is_refused(site, host):
    with pytest.raises(FetchRefused, match="not a public address"):
        fetch(f"http://{host}:{site.port}/article", Guard(), max_bytes=10_000, timeout=2)


def test_allow_hosts_opens_a_cidr(site):
    page = fetch(f"{site.url}/article", Guard.from_setting("127.0.0.0/8"), max_bytes=100_000, timeout=2)
    assert page.status == 200 and b"Tale of Two Pages" in page.body


def test_allow_hosts_by_name_does_not_open_other_names(site):
    guard = Guard.from_setting("intranet.example")
    with pytest.raises(FetchRefused):
        fetch(f"{site.url}/article", guard, max_bytes=1000, timeout=2)


def test_redirect_to_a_private_host_is_refused(site):
    guard = Guard.from_setting("127.0.0.1")  # the first hop is allowed, 127.0.0.2 is not
    with pytest.raises(FetchRefused, match="127.0.0.2"):
        fetch(f"{site.url}/redirect-local", guard, max_bytes=1000, timeout=2)


def test_redirect_to_127_0_0_1_is_refused(site):
    guard = Guard.from_setting("localhost")  # the name is allowed, the loopback address it redirects to is not
    with pytest.raises(FetchRefused, match="127.0.0.1"):
        fetch(f"http://localhost:{site.port}/redirect-loopback", guard, max_bytes=1000, timeout=2)


def test_five_redirects_are_followed_six_are_not(site):
    guard = Guard.from_setting("127.0.0.1")
    page = fetch(f"{site.url}/hop/4", guard, max_bytes=100_000, timeout=2)
    assert page.url.endswith("/article") and len(page.redirects) == 5
    with pytest.raises(FetchError, match="Too many redirects"):
        fetch(f"{site.url}/hop/5", guard, max_bytes=1000, timeout=2)


def test_connection_is_pinned_to_the_checked_address(site, monkeypatch):
    """DNS rebinding: a name that resolves public at check time and private later is never connected."""
    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", site.port))],
                    [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", site.port))]])
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo",
                        lambda host, *a, **k: next(answers) if host == "rebind.test" else real(host, *a, **k))
    with pytest.raises(FetchRefused, match="127.0.0.1"):
        fetch(f"http://rebind.test:{site.port}/article", Guard(), max_bytes=1000, timeout=2)


def test_huge_download_stops_at_the_cap(site):
    page = fetch(f"{site.url}/huge", Guard.from_setting("127.0.0.1"), max_bytes=300_000, timeout=5)
    assert page.truncated and len(page.body) == 300_000


def test_non_html_body_is_not_read(site):
    page = fetch(f"{site.url}/doc.pdf", Guard.from_setting("127.0.0.1"), max_bytes=100_000, timeout=2,
                 body_types=("text/html",))
    assert page.content_type == "application/pdf" and page.body == b""


def test_slow_page_times_out(site):
    with pytest.raises(FetchError, match="did not answer within 1 s"):
        fetch(f"{site.url}/slow", Guard.from_setting("127.0.0.1"), max_bytes=1000, timeout=1)


def test_unreachable_host_is_a_clear_error():
    with pytest.raises(FetchError, match="could not be found"):
        fetch("http://no-such-host.invalid/", Guard(), max_bytes=1000, timeout=2)


def test_meta_charset_is_used(site):
    page = fetch(f"{site.url}/koi8", Guard.from_setting("127.0.0.1"), max_bytes=10_000, timeout=2)
    assert page.encoding == "koi8-r" and "Привет" in page.text()


def test_charset_is_detected_without_a_header(site):
    page = fetch(f"{site.url}/latin1", Guard.from_setting("127.0.0.1"), max_bytes=10_000, timeout=2)
    assert "Café crème" in page.text()


def test_utf8_page_is_utf8_when_the_64k_sample_ends_inside_a_character(site):
    """A big UTF-8 page without a declared charset: the check of its first 64 KiB cuts a character
    in two; that is the sample's end, not an error, so the page still reads as UTF-8."""
    assert BIG_UTF8[65535] >= 0x80 and BIG_UTF8[65536] & 0xC0 == 0x80  # the cut is inside "Ж"
    page = fetch(f"{site.url}/big-utf8", Guard.from_setting("127.0.0.1"), max_bytes=1_000_000, timeout=2)
    assert page.encoding == "utf-8"
    assert page.text().startswith("<html><head><title>Привет мир</title>") and page.text().endswith("слово</body></html>")


def test_utf8_page_cut_by_the_byte_cap_inside_a_character_is_utf8(site):
    """The byte cap cuts the body inside a character: still UTF-8, and the half character is dropped."""
    page = fetch(f"{site.url}/big-utf8", Guard.from_setting("127.0.0.1"), max_bytes=65536, timeout=2)
    assert page.truncated and len(page.body) == 65536
    assert page.encoding == "utf-8"
    text = page.text()
    assert text.startswith("<html><head><title>Привет мир</title>") and text.endswith("Ж") and "\ufffd" not in text


def test_bookmark_of_a_big_utf8_page_gets_its_title_and_words(open_client, open_app, site):
    add(open_client, f"{site.url}/big-utf8")
    bookmark = only_bookmark(open_app)
    assert bookmark.title == "Привет мир" and "слово" in bookmark.page_text
    assert bookmark.title_sort == "привет мир"  # filed in title A–Z by the title the page gave


def test_closed_port_is_a_clear_error():
    with pytest.raises(FetchError, match="Could not connect to 127.0.0.1"):
        fetch("http://127.0.0.1:9/", Guard.from_setting("127.0.0.1"), max_bytes=1000, timeout=2)


@pytest.mark.parametrize("path", ["/drip", "/drip-headers"])
def test_a_server_dripping_its_answer_is_cut_off_at_the_deadline(site, path):
    """Each byte comes well within the read timeout; the deadline over the whole fetch still ends it."""
    path = f"{path}?fetch"
    with pytest.raises(FetchError, match="The page took longer than 1 s to arrive from 127.0.0.1"):
        fetch(f"{site.url}{path}", Guard.from_setting("127.0.0.1"), max_bytes=100_000, timeout=0.5, deadline=1)
    assert dripped(site, path) == "cut"


def test_the_deadline_spans_every_redirect_hop(site):
    """Five quick redirects and a page: fine within the deadline (it is per fetch, not per hop)."""
    page = fetch(f"{site.url}/hop/4", Guard.from_setting("127.0.0.1"), max_bytes=100_000, timeout=2, deadline=5)
    assert page.status == 200 and len(page.redirects) == 5


@pytest.mark.parametrize(("path", "status"), [("/gone", 404), ("/server-error", 500)])
def test_an_error_page_does_not_name_or_describe_the_bookmark(open_app, site, path, status):
    """A 404 or 500 answer's own title ("Not found") is not the page's: the bookmark stays untitled
    (its card shows the address), and the error page's words are not its text."""
    from suite.auth.accounts import create_user
    from suite.bookmarks.bookmarks import add_bookmark
    with open_app.app_context():
        user = create_user("alice", "correct horse battery")
        add_bookmark(user, f"{site.url}{path}")  # the fetch runs inline here
        bookmark = only_bookmark(open_app)
        assert (bookmark.http_status, bookmark.is_broken) == (status, True)
        assert bookmark.fetch_error == f"The page answered HTTP {status}."
        assert (bookmark.title, bookmark.description, bookmark.page_text) == ("", "", "")



@pytest.mark.parametrize(("path", "status", "error"), [
    ("/busy", 429, "The page answered HTTP 429: the site is busy; checked again later."),
    ("/unavailable", 503, "The page answered HTTP 503: the site is busy; checked again later."),
    ("/slow", None, "127.0.0.1 did not answer within 2 s.")])
def test_a_busy_answer_or_no_answer_in_time_does_not_mark_a_new_bookmark_broken(open_app, site, path, status, error):
    """Like the dead-link check: 429, 503 and no answer in time say "not now", not "gone". The first fetch
    records why, and the bookmark is not broken (the hourly check asks again)."""
    from suite.auth.accounts import create_user
    from suite.bookmarks.bookmarks import add_bookmark
    with open_app.app_context():
        add_bookmark(create_user("alice", "correct horse battery"), f"{site.url}{path}")  # the fetch runs inline
        bookmark = only_bookmark(open_app)
        assert (bookmark.http_status, bookmark.is_broken, bookmark.fetch_error) == (status, False, error)
        assert bookmark.title == ""
