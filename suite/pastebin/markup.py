"""Markdown pastes rendered to HTML and sanitized with an allowlist (nh3) before anyone sees them.

Both libraries are imported on first use: rendering runs in the highlight worker
(``suite.workers``), so the web process itself never needs them.
"""

TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
        "pre", "q", "s", "samp", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "ul"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
              "td": {"align", "colspan", "rowspan"}, "th": {"align", "colspan", "rowspan"},
              "ol": {"start"}, "code": {"class"}, "span": {"class"}, "div": {"class"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html):
    """Keep only allowlisted tags, attributes and URL schemes; links get rel=noopener."""
    import nh3
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow")


def render_markdown(text):
    """Markdown source → sanitized HTML (safe to mark safe)."""
    import markdown
    html = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"],
                             output_format="html")
    return sanitize_html(html)
