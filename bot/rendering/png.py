"""Making a chart small enough for where it is shown (PIL only; no charting library)."""

from __future__ import annotations

import io


def compact_png(png: bytes, limit: int) -> bytes | None:
    """The same chart in at most `limit` bytes (fewer colours, then smaller), or None.

    A chart has few colours, so a palette of 64 or fewer loses nothing a reader sees;
    Teams shows an image inline only when the whole message stays small.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(png)).convert("RGB")
    except (UnidentifiedImageError, OSError):
        return None  # not an image we can read: nothing to make smaller
    for colours, scale in ((64, 1.0), (32, 1.0), (16, 1.0), (32, 0.75), (16, 0.6)):
        sized = image
        if scale != 1.0:
            size = (int(image.width * scale), int(image.height * scale))
            sized = image.resize(size, Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        sized.quantize(colors=colours).save(buffer, format="PNG", optimize=True)
        if len(buffer.getvalue()) <= limit:
            return buffer.getvalue()
    return None
