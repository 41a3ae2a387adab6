"""Pictures of bookmarks: WebP thumbnails from a screenshot or an og:image, or a drawn card.

Files live under ``MEDIA_PATH/thumbs/`` named by a hash of their content, so a
name never changes meaning and can be cached for a year.

Pillow is imported by the functions that draw or decode (in the task worker): a web
process, which only serves the files, does not load it (about 3 MB).
"""
import colorsys
import functools
import hashlib
import io
import os
import threading
import time
import unicodedata
import warnings

SMALL = (400, 250)
LARGE = (1280, 800)
#: How far down a drawn card's text starts: a grid card 150 px wide scales the picture to an
#: eighth, and its checkbox (with its backing) covers about its top left 30 px, 240 here.
CARD_CLEAR = 270
MAX_PIXELS = 40_000_000  # refuse anything larger before decoding it (decompression bombs)
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: The fonts a card is drawn in, each as the places its file may be (a bare name is looked for under
#: the system's font folders), tried in turn: the first that has a glyph for every character of a
#: text draws it. DejaVu Sans covers Latin, Greek, Cyrillic, Hebrew and Arabic; Noto Sans CJK
#: (Debian fonts-noto-cjk) Chinese, Japanese and Korean. With neither, Pillow's own font draws.
FONT_FILES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "NotoSansCJK-Bold.ttc"),
)


class ImageRefused(Exception):
    """The image is not a usable picture (broken, too large, a decompression bomb)."""


def thumbs_dir(media_path):
    """The folder of thumbnail files (created when missing)."""
    path = os.path.join(media_path, "thumbs")
    os.makedirs(path, exist_ok=True)
    return path


def load_image(data, max_bytes=MAX_IMAGE_BYTES):
    """Open untrusted image bytes safely: verified, pixel count checked before decoding."""
    from PIL import Image, ImageOps
    if len(data) > max_bytes:
        raise ImageRefused(f"the image is larger than {max_bytes:,} bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ImageRefused(f"the image claims {width}×{height} pixels (a decompression bomb?)")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise ImageRefused(f"decompression bomb refused ({err})") from None
    except Exception as err:  # Pillow raises many types for broken files
        raise ImageRefused(f"not a readable image ({type(err).__name__})") from None
    if image.width < 16 or image.height < 16:
        raise ImageRefused("the image is too small to be a preview")
    return ImageOps.exif_transpose(image).convert("RGB")


def _webp(image, size, *, crop_top):
    from PIL import Image, ImageOps
    if crop_top:  # a screenshot: keep the top of the page
        ratio = size[0] / size[1]
        height = min(image.height, round(image.width / ratio))
        image = image.crop((0, 0, image.width, height))
    fitted = ImageOps.fit(image, size, Image.Resampling.LANCZOS, centering=(0.5, 0.0 if crop_top else 0.5))
    out = io.BytesIO()
    fitted.save(out, "WEBP", quality=80, method=4)
    return out.getvalue()


def save_file(media_path, data, suffix):
    """Store bytes under their content hash; returns the file name.

    A file already there (the same picture for another bookmark) has its time set to now:
    the clean-up (``delete_unless_recent``) spares files written or reused lately, so a
    picture going to a bookmark whose row is not committed yet is never deleted under it.
    """
    name = hashlib.sha256(data).hexdigest()[:32] + suffix
    path = os.path.join(thumbs_dir(media_path), name)
    if not _touch(path):
        tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    return name


def _touch(path):
    """Set a file's time to now; False when there is no such file."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    return True


def delete_unless_recent(media_path, name, min_age):
    """Delete a file of the thumbs folder unless written or reused in the last ``min_age`` seconds.

    The file is first renamed away, then its time read: a writer reusing it touched it before
    (its time is recent: it is put back) or finds it gone and writes it again (see ``save_file``).
    True when the file was deleted.
    """
    path = os.path.join(thumbs_dir(media_path), name)
    doomed = f"{path}.{os.getpid()}.{threading.get_ident()}.deleting"
    try:
        os.rename(path, doomed)
    except FileNotFoundError:
        return False
    if time.time() - os.stat(doomed).st_mtime < min_age:
        os.replace(doomed, path)
        return False
    os.remove(doomed)
    return True


def make_thumbnails(media_path, image, *, screenshot=False):
    """A small and a large WebP of an image; returns their file names."""
    small = save_file(media_path, _webp(image, SMALL, crop_top=screenshot), "-s.webp")
    large = save_file(media_path, _webp(image, LARGE, crop_top=screenshot), "-l.webp")
    return small, large


def colour_for(text):
    """A pleasant colour picked from the text (the same domain, the same colour)."""
    hue = int(hashlib.md5(text.encode()).hexdigest()[:4], 16) / 0xFFFF
    r, g, b = colorsys.hls_to_rgb(hue, 0.42, 0.55)
    return int(r * 255), int(g * 255), int(b * 255)


@functools.cache
def _fonts(size):
    """The fonts of FONT_FILES found on this machine at a size, in order (Pillow's own when none is)."""
    from PIL import ImageFont
    found = []
    for places in FONT_FILES:
        for path in places:
            try:
                found.append(ImageFont.truetype(path, size))
                break
            except OSError:
                continue
    return found or [ImageFont.load_default(size=size)]


def _font(size, text):
    """The first font that has a glyph for every character of the text, else the one missing the fewest."""
    chars = set("".join(text.split()))
    missing = [sum(_lacks_glyph(font, char) for char in chars) for font in _fonts(16)]  # any size tells
    return _fonts(size)[missing.index(min(missing))]


def _lacks_glyph(font, char):
    """True when a font draws a character as its missing-glyph box (tofu)."""
    mask = font.getmask(char)
    return (mask.size, bytes(mask)) == _missing_glyph(font)


@functools.cache
def _missing_glyph(font):
    mask = font.getmask("\uffff")  # U+FFFF is no character: no font has a glyph for it
    return mask.size, bytes(mask)


def _wrap(draw, text, font, width, max_lines):
    """The text in lines no wider than ``width``, at most ``max_lines`` (the last ending in … when cut short).

    Lines break at spaces; a word wider than a line (a long URL; Chinese and Japanese have no
    spaces) is broken between characters.
    """
    def fits(line):
        return draw.textlength(line, font=font) <= width

    lines, line = [], ""
    for word in text.split():
        if len(lines) > max_lines:
            break
        trial = f"{line} {word}" if line else word
        if line and not fits(trial):
            lines.append(line)
            trial = word
        while not fits(trial) and len(lines) <= max_lines:
            cut = _fitting(trial, fits)
            lines.append(trial[:cut])
            trial = trial[cut:]
        line = trial
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines, last = lines[:max_lines], lines[max_lines - 1]
        while last and not fits(last + "…"):
            last = last[:-1]
        lines[-1] = last.rstrip(" .…") + "…"
    return lines


def _fitting(text, fits):
    """How many of the text's first characters fit a line (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


def draw_card(domain, title):
    """A picture for a bookmark without one: its domain and title on a colour of its own.

    The text starts below the top left corner (CARD_CLEAR), where the grid lays the
    selection checkbox over the picture.
    """
    from PIL import Image, ImageDraw
    width, height = LARGE
    image = Image.new("RGB", LARGE, colour_for(domain or "?"))
    draw = ImageDraw.Draw(image)
    domain, title = domain or "?", title or ""
    big, small = _font(96, domain), _font(56, title)
    for line in _wrap(draw, domain, big, width - 160, 1):
        draw.text((80, CARD_CLEAR), line, font=big, fill=(255, 255, 255))
    y, right_to_left = CARD_CLEAR + 150, _reads_right_to_left(title)
    for line in _wrap(draw, title, small, width - 160, 4):
        x = width - 80 - draw.textlength(line, font=small) if right_to_left else 80  # Hebrew, Arabic: from the right
        draw.text((x, y), line, font=small, fill=(255, 255, 255, 230))
        y += 76
    draw.rectangle((0, height - 24, width, height), fill=(0, 0, 0))
    return image


def _reads_right_to_left(text):
    """True when the text's first letter is of a right-to-left script (its direction, as dir=auto finds it)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return kind != "L"
    return False


def is_blank(image):
    """True when an image is one flat colour (a page that rendered nothing)."""
    extrema = image.convert("L").getextrema()
    return extrema[1] - extrema[0] < 8
