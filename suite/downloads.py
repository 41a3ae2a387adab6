"""Downloads streamed as they are written: a whole export never sits in a worker's memory."""
import unicodedata
from urllib.parse import quote

from flask import Response, stream_with_context

WRITE_SIZE = 64 * 1024  # bytes gathered before each write to the client


def streamed(pieces, mimetype, filename):
    """A file download made of ``pieces`` (str or bytes), sent ~64 KB a write as they come.

    The request context stays open until the last piece (``stream_with_context``), so
    the pieces may keep reading the database.
    """
    def chunks():
        gathered, size = [], 0
        for piece in pieces:
            piece = piece.encode("utf-8") if isinstance(piece, str) else piece
            gathered.append(piece)
            size += len(piece)
            if size >= WRITE_SIZE:
                yield b"".join(gathered)
                gathered, size = [], 0
        yield b"".join(gathered)
    return as_attachment(Response(stream_with_context(chunks()), mimetype=mimetype), filename)


def as_attachment(resp, filename):
    """``resp`` as a download named ``filename``, whatever its script (``日本語.py``, ``שלום.txt``).

    Headers travel as Latin-1, so a name beyond ASCII goes as RFC 6266's ``filename*``
    (UTF-8, percent-encoded), with an ASCII ``filename`` beside it for old clients, as
    ``send_file`` does: put raw into the header, it fails in the server, a 500.
    """
    try:
        filename.encode("ascii")
        names = {"filename": filename}
    except UnicodeEncodeError:
        plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
        names = {"filename": plain or "download", "filename*": "UTF-8''" + quote(filename, safe="!#$&+-.^_`|~")}
    resp.headers.set("Content-Disposition", "attachment", **names)
    return resp
