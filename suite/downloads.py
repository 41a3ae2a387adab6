"""Downloads streamed as they are written: a whole export never sits in a worker's memory."""
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
    resp = Response(stream_with_context(chunks()), mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
