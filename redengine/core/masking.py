"""Masking of ID numbers and mobiles for users without the reveal permission (security-goals: Privacy).

A masked value never matches the pattern of a whole ID number or mobile (which the privacy scan and
the log filter look for). A value too short to keep any part of safely is masked entirely. Empty values
stay empty. ``mask_personal`` masks every whole ID number and mobile inside a text (log lines, access-log
paths, import problem lines).

What an ID number mask may keep
-------------------------------
An 18-character number (GB 11643-1999) is 6 region digits, 8 birth-date digits, 3 sequence digits
(the last one odd for men, even for women) and a check character computed from the 17 others. The mask
keeps the first four characters (province and city) and the last two (the last sequence digit and the
check character): ``430104198001010014`` → ``4301************14``.

What a user who may not reveal a person sees beside the mask: the name, the school and its district,
the sex, and **no part of the birth date** (no date, year or age: ``people.privacy.personal_view``
decides it, for every page, API answer, export and change record). Counting, at worst, the valid
numbers left for such a user:

* region: the district of the school gives the county (digits 5–6) at best: 1 candidate;
* birth date: unknown; a member of staff is 18 to 65 years old, about 47 × 365.25 ≈ 17,000 dates;
* sequence: the last digit is kept (so the sex adds nothing); the first two are free: 100 candidates;
* check character: kept, so only about 1 in 11 of the combinations above is valid.

That leaves about 17,000 × 100 / 11 ≈ 155,000 valid numbers; even an attacker who had narrowed the
birth date to four years by other means (1,461 dates) keeps 1,461 × 100 / 11 ≈ 13,000 ≥ 10,000.
(``core/tests/test_masking.py`` enumerates them.) Showing the birth year beside this mask would leave
365 × 100 / 11 ≈ 3,300, too few; that is why no part of the birth date is shown without the reveal
permission. The old mask (four last characters) with the birth date left about 9.

Two namesakes of one school are told apart by the mask in 99 cases out of 100 (two characters).

A legacy 15-digit number (6 region, 6 birth-date, 3 sequence digits, no check character) keeps the same
parts: the first four and the last two digits.

A mobile keeps the operator prefix and the last four digits (``138****5678``): 10,000 candidates.
"""

import re

MASK = "*"
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE_LIKE = re.compile(r"(?<![0-9])1\d{10}(?![0-9])")


def _mask(value, head, tail, min_length):
    text = "" if value is None else "".join(str(value).split())
    if len(text) < min_length:
        return MASK * len(text)
    return text[:head] + MASK * (len(text) - head - tail) + text[len(text) - tail :]


def mask_id_number(value):
    """``430104198001010014`` → ``4301************14``: the first four and the last two characters kept.

    A legacy 15-digit number keeps the same parts; anything shorter is all asterisks. A value masked
    before (by an older, looser mask) is masked again to this form.
    """
    return _mask(value, head=4, tail=2, min_length=15)


def mask_mobile(value):
    """``13812345678`` → ``138****5678``: the first three and the last four digits kept.

    Anything shorter than 11 characters is all asterisks.
    """
    return _mask(value, head=3, tail=4, min_length=11)


def mask_personal(text):
    """``text`` with every whole ID number and mobile in it masked."""
    text = ID_LIKE.sub(lambda match: mask_id_number(match.group()), str(text))
    return MOBILE_LIKE.sub(lambda match: mask_mobile(match.group()), text)


def looks_like_identifier(text):
    """Whether ``text`` holds a whole ID number (18 or 15 characters) or a whole mobile."""
    compact = "".join(str(text or "").split())
    return bool(
        ID_LIKE.search(compact) or MOBILE_LIKE.search(compact) or re.search(r"(?<!\d)\d{15}(?!\d)", compact)
    )
