"""Plain text rules shared by the apps: the characters nobody types and XML 1.0 cannot hold.

C0 control characters other than tab and line ends (ANSI escapes from terminal logs, form
feeds) and U+FFFE/U+FFFF: an Atom feed holding one is not XML, and feed readers refuse it
whole. The apps drop them from titles and summaries when saving; ``xml_text``, a template
filter of every app, drops them again when a feed is written (rows saved earlier, pastes,
which keep their bytes).
"""
import re

NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def strip_control(value):
    """``value`` as text without the characters XML 1.0 forbids (tab and line ends stay)."""
    return NOT_IN_XML.sub("", "" if value is None else str(value))


def init_app(app):
    """Register ``xml_text`` for the feeds' templates."""
    app.add_template_filter(strip_control, "xml_text")
