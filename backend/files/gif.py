"""A GIF without its metadata, losslessly: the blocks are copied, the comments, plain-text and
application blocks (XMP, ICC …; not the loop count) and whatever follows the trailer are not.

Pillow cannot do this: re-encoding an animation decodes every frame (CPU and memory in
frames × pixels) and changes its palettes and timing; the block structure (GIF89a spec §17-27)
is simple enough to walk, in one pass with constant memory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

EXTENSION, IMAGE, TRAILER = 0x21, 0x2C, 0x3B
GRAPHIC_CONTROL, APPLICATION = 0xF9, 0xFF
LOOPING = (b"NETSCAPE2.0", b"ANIMEXTS1.0")  # the loop count: the animation needs it


def strip_gif(path: Path) -> None:
    """Rewrite the GIF at `path` with only what draws it; a truncated or malformed tail ends
    the copy there (browsers show the frames before it too)."""
    tmp = path.with_suffix(".gif-clean")
    with path.open("rb") as src, tmp.open("wb") as out:
        _copy(src, out)
    os.replace(tmp, path)


def _copy(src: BinaryIO, out: BinaryIO) -> None:
    screen = src.read(13)  # header and logical screen descriptor
    if len(screen) < 13:
        raise ValueError("truncated GIF header")
    out.write(screen + _color_table(src, screen[10]))
    while introducer := src.read(1):
        if introducer[0] == IMAGE:
            descriptor = src.read(9)
            if len(descriptor) < 9:
                break
            table = _color_table(src, descriptor[8])
            body = src.read(1) + _sub_blocks(src)  # LZW minimum code size, then the data
            out.write(introducer + descriptor + table + body)
        elif introducer[0] == EXTENSION:
            label = src.read(1)
            blocks = _sub_blocks(src)
            if label and _kept(label[0], blocks):
                out.write(introducer + label + blocks)
        else:  # the trailer, or bytes that are no block: nothing after them is drawn
            break
    out.write(bytes([TRAILER]))


def _kept(label: int, blocks: bytes) -> bool:
    if label == GRAPHIC_CONTROL:  # delay, disposal, transparency
        return True
    return label == APPLICATION and blocks[1:12] in LOOPING


def _color_table(src: BinaryIO, packed: int) -> bytes:
    return src.read(3 << ((packed & 7) + 1)) if packed & 0x80 else b""


def _sub_blocks(src: BinaryIO) -> bytes:
    """Data sub-blocks up to and with their zero terminator (one is added if the file ends)."""
    parts = []
    while (size := src.read(1)) and size[0]:
        parts.append(size + src.read(size[0]))
    parts.append(b"\0")
    return b"".join(parts)
