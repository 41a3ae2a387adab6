"""What a bookmark URL may be, and its normalized form (one bookmark per page)."""
import hashlib
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import idna

from suite.errors import InvalidInput

MAX_URL_LENGTH = 2048
SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PREFIXES = ("utm_",)


def validate(raw):
    """Check a URL typed or sent by a person; return it stripped, with https:// added when bare."""
    url = (raw or "").strip()
    if not url:
        raise InvalidInput("Enter the address of the page to save.")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"This address is too long; the limit is {MAX_URL_LENGTH:,} characters.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InvalidInput("A web address cannot contain spaces or control characters.")
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if "://" not in url and scheme not in ("javascript", "data", "file", "mailto", "about", "vbscript"):
        url = "https://" + url
        scheme = "https"
    if scheme not in SCHEMES:
        raise InvalidInput(f"Only http and https links can be saved, not {scheme or 'this kind'}: links.")
    return url


def _host(hostname):
    """The ASCII (punycode) form of a host name, or InvalidInput."""
    if not hostname:
        raise InvalidInput("This address has no host name.")
    if hostname.startswith("[") or ":" in hostname:
        return hostname  # an IPv6 literal
    try:
        return idna.encode(hostname.rstrip("."), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        if all(part and all(c.isalnum() or c in "-_" for c in part) for part in hostname.split(".")):
            return hostname.lower()
        raise InvalidInput(f"{hostname!r} is not a valid host name.") from None


def saved_url(raw):
    """The URL as a bookmark stores it: validated and normalized (lower-case scheme and host, no
    default port or utm_*), the fragment kept as given (``#os.walk``, ``#inbox/FMfcg``)."""
    url = validate(raw)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise InvalidInput(f"This address is malformed ({err}).") from None
    scheme = parts.scheme.lower()
    host = _host(parts.hostname)
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username or parts.password:
        raise InvalidInput("Addresses with a user name or password in them are not saved.")
    # Drop tracking pairs and empty ones ("a=1&&b=2", a trailing "&") as written, without re-encoding
    # the rest: the same page with or without utm_* must normalize to the same text (and hash).
    query = "&".join(p for p in parts.query.split("&")
                     if p and not unquote_plus(p.split("=", 1)[0]).lower().startswith(TRACKING_PREFIXES))
    return urlunsplit((scheme, netloc, parts.path or "/", query, parts.fragment))


def page_key(saved):
    """The page a saved URL names, for finding duplicates: the URL without its fragment when the
    fragment is a place in the page (``#os.walk``, ``#top``), with it when it is a route of a page
    that is an app (``#!/x``, ``#/settings``, ``#inbox/ID``); a second "#" is a place in the routed
    page (``#/guide#install``). A text fragment (``#:~:text=``) only highlights words, and never counts."""
    base, _sep, fragment = saved.partition("#")  # the first "#" starts the fragment
    fragment = fragment.split(":~:", 1)[0].split("#", 1)[0]
    if fragment.startswith(("!", "/")) or "/" in fragment:
        return f"{base}#{fragment}"
    return base


def normalize_url(raw):
    """The normalized URL that identifies the page (``page_key`` of ``saved_url``): one bookmark per page."""
    return page_key(saved_url(raw))


def url_hash(normalized):
    """A fixed-length key of a ``normalize_url`` result, the page (unique per owner)."""
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def domain_of(url):
    """The host of a URL without a leading ``www.``, for display and filtering."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def display_domain(url):
    """The host as people read it (IDN decoded)."""
    return display_host(domain_of(url))


def display_host(host):
    """A host from ``domain_of`` (a bookmark's ``domain``) as people read it (IDN decoded)."""
    try:
        return idna.decode(host) if "xn--" in host else host
    except idna.IDNAError:
        return host
