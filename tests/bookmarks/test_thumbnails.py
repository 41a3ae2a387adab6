"""Every bookmark gets a picture: og:image fallback, decompression bombs refused, drawn cards; a real
picture is not given up for a card when the page cannot be fetched again."""
import os

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from suite.bookmarks import thumbnails
from suite.bookmarks.bookmarks import update_bookmark
from suite.bookmarks.cli import thumbnails_command
from tests.bookmarks.conftest import add, bomb_png, only_bookmark, png_bytes, serve_site


def _thumb_path(app, name):
    return os.path.join(app.config["MEDIA_PATH"], "thumbs", name)


def test_og_image_becomes_the_thumbnail_without_a_browser(open_client, open_app, site):
    add(open_client, f"{site.url}/article")
    b = only_bookmark(open_app)
    assert (b.thumb_status, b.thumb_source) == ("done", "og:image")
    with Image.open(_thumb_path(open_app, b.thumb_small)) as small, Image.open(_thumb_path(open_app, b.thumb_large)) as large:
        assert small.format == "WEBP" and small.size == thumbnails.SMALL
        assert large.size == thumbnails.LARGE


def test_decompression_bomb_og_image_is_refused_and_a_card_drawn(open_client, open_app, site):
    add(open_client, f"{site.url}/bomb-page")
    b = only_bookmark(open_app)
    assert b.thumb_source == "card" and "decompression bomb" in b.thumb_error


def test_load_image_refuses_bomb_before_decoding():
    with pytest.raises(thumbnails.ImageRefused, match="decompression bomb"):
        thumbnails.load_image(bomb_png())


@pytest.mark.parametrize("data", [b"", b"not an image", png_bytes()[:200], b"GIF89a" + b"\x00" * 50])
def test_broken_images_are_refused(data):
    with pytest.raises(thumbnails.ImageRefused):
        thumbnails.load_image(data)


def test_card_shows_domain_colour_and_is_not_blank():
    card = thumbnails.draw_card("example.com", "A long title " * 20)
    assert card.size == thumbnails.LARGE and not thumbnails.is_blank(card)
    assert card.getpixel((5, 5)) == thumbnails.colour_for("example.com")


def _domain_area(card):
    return card.crop((0, 0, card.width, thumbnails.CARD_CLEAR + 150))


def _title_area(card):
    return card.crop((0, thumbnails.CARD_CLEAR + 150, card.width, card.height - 24))


def _text_box(area):
    """The box (left, top, right, bottom) around everything drawn on an area of a card."""
    return ImageChops.difference(area, Image.new("RGB", area.size, area.getpixel((0, 0)))).getbbox()


def test_card_draws_chinese_japanese_and_korean_titles_in_a_font_that_has_them():
    """Two titles of different characters draw differently (in DejaVu Sans alone both were rows of □)."""
    try:
        ImageFont.truetype("NotoSansCJK-Bold.ttc")
    except OSError:
        pytest.skip("Noto Sans CJK is not installed (Debian fonts-noto-cjk, which .ci/run installs)")
    tokyo, osaka = (thumbnails.draw_card("example.jp", title) for title in ("東京都の天気", "大阪府の地図"))
    assert ImageChops.difference(tokyo, osaka).getbbox() is not None
    seoul, busan = (thumbnails.draw_card("example.kr", title) for title in ("서울 날씨", "부산 지도"))
    assert ImageChops.difference(seoul, busan).getbbox() is not None


@pytest.mark.parametrize("domain, title", [
    ("example.jp", "東京都の天気予報と長い長い長い長い長い長い長い長い長い長い長い長い長い長い文字列です"),
    ("example.com", "https://example.com/a/long/path/without/any/spaces/at/all?query=string&and=more&even=more"),
    ("averyveryverylongsubdomainname" * 2 + ".example.com", "Long domain"),
])
def test_card_keeps_a_title_or_domain_without_spaces_inside_its_margins(domain, title):
    """A word wider than a line (a URL; Chinese and Japanese have no spaces) is broken between characters."""
    card = thumbnails.draw_card(domain, title)
    domain_box, title_box = _text_box(_domain_area(card)), _text_box(_title_area(card))
    assert domain_box[2] <= card.width - 80 and title_box[2] <= card.width - 80
    if len(title) > 20:  # wrapped onto more lines, not cut after the first
        assert title_box[3] - title_box[1] > 76


def test_card_draws_a_latin_title_as_before():
    """Latin text keeps DejaVu Sans Bold, wrapped at spaces."""
    card = thumbnails.draw_card("example.com", "Weather in Tokyo and a title long enough to go on to a second line")
    expected = Image.new("RGB", thumbnails.LARGE, thumbnails.colour_for("example.com"))
    draw = ImageDraw.Draw(expected)
    font = ImageFont.truetype("DejaVuSans-Bold.ttf", 56)
    for y, line in ((0, "Weather in Tokyo and a title long"), (76, "enough to go on to a second line")):
        draw.text((80, thumbnails.CARD_CLEAR + 150 + y), line, font=font, fill=(255, 255, 255, 230))
    assert ImageChops.difference(_title_area(card), _title_area(expected)).getbbox() is None


def test_page_without_image_gets_a_card(open_client, open_app, site):
    add(open_client, f"{site.url}/plain")
    b = only_bookmark(open_app)
    assert b.thumb_source == "card" and b.thumb_small


def test_thumbnails_are_served_with_long_cache_headers(open_client, open_app, site):
    add(open_client, f"{site.url}/article")
    b = only_bookmark(open_app)
    resp = open_client.get(f"/bookmarks/thumbs/{b.thumb_small}")
    assert resp.status_code == 200 and resp.mimetype == "image/webp"
    assert "max-age=31536000" in resp.headers["Cache-Control"] and "immutable" in resp.headers["Cache-Control"]


@pytest.mark.parametrize("name", ["../secret_key", "abc.webp", "0" * 32 + "-x.webp"])
def test_thumbnail_route_only_serves_hash_names(client, name):
    assert client.get(f"/bookmarks/thumbs/{name}").status_code == 404


def test_same_picture_is_stored_once(tmp_path):
    image = thumbnails.draw_card("a.example", "t")
    assert thumbnails.make_thumbnails(str(tmp_path), image) == thumbnails.make_thumbnails(str(tmp_path), image)
    assert len(os.listdir(tmp_path / "thumbs")) == 2


def test_status_json_reports_the_picture(open_client, open_app, site):
    add(open_client, f"{site.url}/article")
    b = only_bookmark(open_app)
    data = open_client.get(f"/bookmarks/{b.id}/status.json").get_json()
    assert data["status"] == "done" and data["thumb_small"].endswith(b.thumb_small)


@pytest.fixture
def site_that_goes_down():
    """A copy of the test site on its own port, which a test takes off the network (an outage)."""
    server = serve_site("127.0.0.1")
    yield server
    _take_down(server)


def _take_down(server):
    server.shutdown()
    server.server_close()


def test_thumbnails_command_during_an_outage_keeps_the_pictures_bookmarks_have(open_client, open_app,
                                                                                site_that_goes_down):
    add(open_client, f"http://127.0.0.1:{site_that_goes_down.server_port}/article")
    before = only_bookmark(open_app)
    assert before.thumb_source == "og:image"
    _take_down(site_that_goes_down)
    result = open_app.test_cli_runner().invoke(thumbnails_command, [])
    after = only_bookmark(open_app)
    assert (after.thumb_small, after.thumb_large, after.thumb_source) == (before.thumb_small, before.thumb_large,
                                                                          "og:image")
    assert (after.fetch_status, after.thumb_status) == ("failed", "done")
    assert after.fetch_error.startswith("Could not connect to 127.0.0.1")
    assert after.thumb_error.endswith("no new picture could be made, the og:image from before is kept")
    assert result.output.strip().endswith("made 1 thumbnails: 1 kept")


def test_retry_during_an_outage_keeps_the_picture(open_client, open_app, site_that_goes_down):
    add(open_client, f"http://127.0.0.1:{site_that_goes_down.server_port}/article")
    before = only_bookmark(open_app)
    _take_down(site_that_goes_down)
    assert open_client.post(f"/bookmarks/{before.id}/retry", data={}).status_code == 302
    after = only_bookmark(open_app)
    assert (after.thumb_small, after.thumb_source, after.status) == (before.thumb_small, "og:image", "failed")


def test_a_bookmark_with_only_a_card_gets_a_fresh_card_during_an_outage(open_client, open_app, site_that_goes_down):
    add(open_client, f"http://127.0.0.1:{site_that_goes_down.server_port}/plain")
    assert only_bookmark(open_app).thumb_source == "card"
    _take_down(site_that_goes_down)
    open_app.test_cli_runner().invoke(thumbnails_command, [])
    assert only_bookmark(open_app).thumb_source == "card"


def test_a_new_url_that_cannot_be_fetched_does_not_keep_the_old_pages_picture(open_client, open_app, site):
    add(open_client, f"{site.url}/article")
    bookmark = only_bookmark(open_app)
    assert bookmark.thumb_source == "og:image"
    with open_app.app_context():
        update_bookmark(bookmark, url="http://127.0.0.1:9/elsewhere")  # nothing listens there
    after = only_bookmark(open_app)
    assert (after.fetch_status, after.thumb_source) == ("failed", "card")
    assert after.thumb_small != bookmark.thumb_small


@pytest.mark.parametrize("title, starts_right", [
    ("שלום עולם", True), ("مرحبا بالعالم", True), ("Hello world", False), ("2024: שלום", True),
    ("Python – פייתון", False)])
def test_card_sets_a_right_to_left_title_against_the_right_margin(title, starts_right):
    """As the page shows it (dir=auto): the first letter decides, digits and marks do not."""
    left, _top, right, _bottom = _text_box(_title_area(thumbnails.draw_card("example.org", title)))
    width = thumbnails.LARGE[0]
    if starts_right:
        assert width - right <= 90 < left, (left, right)
    else:
        assert left <= 90 < width - right, (left, right)
