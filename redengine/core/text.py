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


def pinyin_key(value, max_length=200):
    """A sort key that orders Chinese text as a dictionary does: by pinyin, then tone (阿明 < 李四 < 王五 < 张三).

    Each character becomes its syllable with the tone's number (``zhang1``), syllables are separated by a
    space so that 西安 (``xi1 an1``) and 先 (``xian1``) stay apart, and anything else (Latin letters,
    digits) is kept lower-cased. Stored beside the name by :class:`redengine.core.fields.SortKeyField`.
    """
    from pypinyin import Style, lazy_pinyin  # (its dictionaries load on first use, not at start-up)

    if not value:
        return ""
    syllables = lazy_pinyin(str(value), style=Style.TONE3, neutral_tone_with_five=True, errors="default")
    return " ".join(part.strip().lower() for part in syllables if part.strip())[:max_length]
