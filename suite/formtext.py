"""Form text that is not UTF-8 is refused with a 400, never stored changed.

Werkzeug decodes a multipart text field with ``errors="replace"`` and re-quotes a
percent-escaped byte of a urlencoded body, so ``curl -F 'content=<-' URL < latin1.txt``
stored "caf\ufffd au lait" and answered 201. Here the bytes that are not UTF-8 are kept as
lone surrogates (``surrogateescape``), which no decoded UTF-8 text holds, and a form
carrying one is refused before any view reads it. Browsers send our forms as UTF-8, so
only scripts meet the message.
"""
import codecs
import re
from urllib.parse import parse_qsl

from flask import Request, g, request
from werkzeug.formparser import FormDataParser, MultiPartParser

from suite.errors import InvalidInput, asked_by_a_browser

KEEP_BYTES = "suite-utf-8-keep-bytes"  # UTF-8 that keeps what it cannot decode as U+DC80..U+DCFF
UNDECODED = re.compile("[\udc80-\udcff]")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _decode_keeping_bytes(data, errors="strict"):
    return codecs.utf_8_decode(data, "surrogateescape", True)


def _find_codec(name):
    if name.replace("-", "_") == KEEP_BYTES.replace("-", "_"):
        return codecs.CodecInfo(codecs.utf_8_encode, _decode_keeping_bytes, name=KEEP_BYTES)
    return None


codecs.register(_find_codec)


class _MultiPartParser(MultiPartParser):
    def get_part_charset(self, headers):
        charset = super().get_part_charset(headers)  # a part may name ASCII or Latin-1, which always decode
        return KEEP_BYTES if charset == "utf-8" else charset


class _FormDataParser(FormDataParser):
    """Werkzeug's parser with the two decodings above changed (the rest is as Werkzeug's)."""

    def _parse_multipart(self, stream, mimetype, content_length, options):
        parser = _MultiPartParser(stream_factory=self.stream_factory, max_form_memory_size=self.max_form_memory_size,
                                  max_form_parts=self.max_form_parts, cls=self.cls)
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        text = stream.read().decode("utf-8", "surrogateescape")  # Werkzeug's strict decode dropped the whole form
        return stream, self.cls(parse_qsl(text, keep_blank_values=True, errors="surrogateescape")), self.cls()


class SuiteRequest(Request):
    form_data_parser_class = _FormDataParser


def refuse_undecodable_form():
    """Before each request: a form field (name or text) that is not UTF-8 is a 400 naming it."""
    if request.mimetype not in FORM_TYPES:
        return
    for key, value in request.form.items(multi=True):
        if UNDECODED.search(key) or UNDECODED.search(value):
            name = key.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            g.plain_errors = not asked_by_a_browser()  # curl: the one line, not a page on its terminal
            raise InvalidInput(f"The field {name!r} is not UTF-8 text; convert it first "
                               "(e.g. iconv -f latin1 -t utf-8).")


def init_app(app):
    app.request_class = SuiteRequest
    app.before_request(refuse_undecodable_form)
