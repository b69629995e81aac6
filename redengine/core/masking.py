"""Masking of ID numbers and mobiles for users without the reveal permission (security-goals: Privacy).

A masked value keeps enough to tell people apart on a list (the county and the last four characters
of an ID number, the operator prefix and the last four digits of a mobile) and never matches the
pattern of a whole ID number or mobile, which the privacy scan looks for. A value too short to keep
any part of safely is masked entirely. Empty values stay empty.
"""

MASK = "*"


def _mask(value, head, tail, min_length):
    text = "" if value is None else "".join(str(value).split())
    if len(text) < min_length:
        return MASK * len(text)
    return text[:head] + MASK * (len(text) - head - tail) + text[len(text) - tail :]


def mask_id_number(value):
    """``430104198001010014`` → ``4301**********0014``: the first four and the last four characters kept.

    A legacy 15-digit number keeps the same parts; anything shorter is all asterisks.
    """
    return _mask(value, head=4, tail=4, min_length=15)


def mask_mobile(value):
    """``13812345678`` → ``138****5678``: the first three and the last four digits kept.

    Anything shorter than 11 characters is all asterisks.
    """
    return _mask(value, head=3, tail=4, min_length=11)
