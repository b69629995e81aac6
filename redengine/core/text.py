"""Normalising typed and imported text: one rule for every cell, code and identifier."""

import re

# Full-width forms FF01–FF5E are the ASCII characters 21–7E shifted by FEE0; U+3000 is the
# ideographic space. Only this block is mapped, so Chinese characters and punctuation outside it
# (、。《》“”) are left as typed. Zero-width characters pasted from web pages and Word are dropped.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}
_HALF_WIDTH |= dict.fromkeys([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF])
_WHITESPACE = re.compile(r"\s+")


def normalise_text(value):
    """``value`` as text with full-width ASCII made half-width, inner whitespace collapsed, ends stripped.

    ``None`` becomes ``""``. Used on every imported cell before it is validated or looked up.
    """
    if value is None:
        return ""
    return _WHITESPACE.sub(" ", str(value).translate(_HALF_WIDTH)).strip()
