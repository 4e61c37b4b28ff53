"""Files an attacker (or a careless upload) brings: not an image, too big, a decompression bomb."""

import io
import struct
import zlib

import PIL.Image


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bomb(side: int = 40_000, rows_per_block: int = 250) -> bytes:
    """A valid 1-bit PNG of side x side pixels (1.6 gigapixels by default) in a few hundred KB.

    The pixel rows are deflated once and the identical compressed block is repeated (each
    block ends in a full flush, so it needs no earlier history); the checksum covers all of it."""
    block = (b"\x00" * (1 + (side + 7) // 8)) * rows_per_block
    blocks = side // rows_per_block
    compressor = zlib.compressobj(9)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(blocks):
        checksum = zlib.adler32(block, checksum)
    stream = first + repeated * (blocks - 1) + b"\x03\x00" + struct.pack(">I", checksum)
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def small_png() -> bytes:
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (64, 80), "#336699").save(buffer, "PNG")
    return buffer.getvalue()


NOT_AN_IMAGE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
