"""A content stream's chosen images (hero, category tiles, promo banner) read in one query, the
same images Wagtail's ImageChooserBlock gives; and category tiles named from the kept tree."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home import stream_images
from home.blocks import ContentStreamBlock
from tests.factories import make_category, make_wagtail_image, stream

pytestmark = pytest.mark.django_db


def images_stream(hero, first_tile, second_tile, banner, category) -> list[dict]:
    tiles = [
        {"category": category.pk, "label": "", "image": first_tile},
        {"category": category.pk, "label": "Tees", "image": second_tile},
    ]
    return stream(
        ("hero", {"heading": "New", "text": "", "image": hero, "call_to_action": {"label": "", "url": ""}}),
        ("category_tiles", {"heading": "", "tiles": tiles}),
        ("promo_banner", {"heading": "Sale", "text": "", "image": banner, "style": "dark", "link": {}}),
    )


def chosen_images(value) -> list:
    hero, tiles, banner = (child.value for child in value)
    return [hero["image"], *(tile["image"] for tile in tiles["tiles"]), banner["image"]]


@pytest.fixture
def raw(tshirts):
    hero, tile, banner, gone = (make_wagtail_image(name) for name in ("hero", "tile", "banner", "gone"))
    gone_pk = gone.pk
    gone.delete()
    return images_stream(hero.pk, tile.pk, gone_pk, banner.pk, tshirts), [hero, tile, None, banner]


def test_a_streams_images_are_one_query_and_the_ones_wagtail_gives(raw):
    data, expected = raw
    block = ContentStreamBlock()
    with CaptureQueriesContext(connection) as unbatched:
        assert chosen_images(block.to_python(data)) == expected
    value = block.to_python(data)
    with CaptureQueriesContext(connection) as batched, stream_images.preloaded(value):
        images = chosen_images(value)
    assert images == expected
    assert len(unbatched) == 3 and len(batched) == 1  # one per block type, against one in all


def test_a_stream_without_images_reads_none():
    value = ContentStreamBlock().to_python(stream(("rich_text", "<p>Hi</p>")))
    with CaptureQueriesContext(connection) as queries, stream_images.preloaded(value):
        list(value)
    assert len(queries) == 0


def test_tiles_are_named_from_the_category_and_hidden_without_a_live_page(client, home, tshirts, tshirt_page):
    hidden = make_category("Socks", slug="socks")  # no page: no tile
    tiles = [
        {"category": tshirts.pk, "label": "", "image": None},
        {"category": tshirts.pk, "label": "All the tees", "image": None},
        {"category": hidden.pk, "label": "", "image": None},
    ]
    home.body = stream(("category_tiles", {"heading": "By category", "tiles": tiles}))
    home.save_revision().publish()
    body = client.get("/").content.decode()
    assert body.count('href="/shop/t-shirts/"') >= 2
    assert ">T-shirts</span>" in body and ">All the tees</span>" in body
    assert "Socks" not in body
