"""Every image a content stream chooses, read in one query.

Wagtail converts a stream's blocks one block type at a time, so a hero, the category tiles and
a promo banner each read their images with a query of their own. `preloaded(stream)` reads the
images of all of them first, from the stream's raw data, and `BatchedImageChooserBlock` takes
its images from there while the stream's blocks are converted inside the `with`. Outside it,
or for an image not read there, the block reads as Wagtail's ImageChooserBlock does.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from wagtail import blocks
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock

_preloaded: ContextVar[dict[int, Any] | None] = ContextVar("preloaded_stream_images", default=None)


class BatchedImageChooserBlock(ImageChooserBlock):
    """An ImageChooserBlock that takes the images `preloaded` read; stored exactly alike."""

    def bulk_to_python(self, values):
        values = list(values)
        kept, ids = _preloaded.get(), [_id(value) for value in values]
        if kept is None or any(pk is not None and pk not in kept for pk in ids):
            return super().bulk_to_python(values)
        return [kept[pk] if pk is not None else None for pk in ids]


@contextmanager
def preloaded(stream) -> Iterator[None]:
    """Convert the stream's blocks inside this `with`: their chosen images come from one query."""
    ids: set[int] = set()
    _collect(stream.stream_block, list(stream.raw_data), ids)
    if not ids:
        yield
        return
    images = get_image_model().objects.in_bulk(ids)
    found: dict[int, Any] = {pk: images.get(pk) for pk in ids}  # a deleted image: None, as Wagtail gives
    token = _preloaded.set(found)
    try:
        yield
    finally:
        _preloaded.reset(token)


def _collect(block: blocks.Block, raw: Any, ids: set[int]) -> None:
    """The ids BatchedImageChooserBlocks hold anywhere in this raw (JSON) value."""
    if isinstance(block, BatchedImageChooserBlock):
        if (pk := _id(raw)) is not None:
            ids.add(pk)
    elif isinstance(block, blocks.StreamBlock):
        for item in raw or []:
            child = block.child_blocks.get(item.get("type")) if isinstance(item, dict) else None
            if child is not None:
                _collect(child, item.get("value"), ids)
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            _collect(child, (raw or {}).get(name) if isinstance(raw, dict) else None, ids)
    elif isinstance(block, blocks.ListBlock):
        for item in raw or []:
            in_block_format = isinstance(item, dict) and item.get("type") == "item" and "value" in item
            _collect(block.child_block, item["value"] if in_block_format else item, ids)


def _id(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
