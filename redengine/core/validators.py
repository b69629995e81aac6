"""Validators for identifiers found in personnel data: ID numbers, mobiles, credit codes, free text.

Pure functions, used by forms, the API and the importer alike. Each error is a ``ValidationError``
with a ``code`` and a message that names what is wrong without repeating the whole value, so an error
that reaches a log or an import report does not carry the personal data it refused.

* Resident ID number: GB 11643-1999 《公民身份号码》 (domain-rules §6.1).
* Unified social credit code: GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》.
* Mobile number: the 11-digit numbering of the national plan, 1 followed by ten digits.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import PROVINCES
from .text import _WHITESPACE, normalise_text


def _compact(value):
    """Normalised text without any whitespace, for identifiers typed in groups (``430104 19800101 0014``)."""
    return _WHITESPACE.sub("", normalise_text(value))


# --- Resident ID number, GB 11643-1999 -------------------------------------------------------------

ID_NUMBER_LENGTH = 18
# ISO 7064:1983 MOD 11-2 as GB 11643-1999 §6.2 gives it: W_i = 2^(18-i) mod 11 for positions i = 1..17,
# and the check character for S mod 11 = 0..10.
ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECK_CHARACTERS = "10X98765432"
# GB 11643 does not bound the year; the standard's own example 440524188001010014 is born in 1880,
# so anything from 1850 on is taken as possible.
ID_NUMBER_EARLIEST_BIRTH = date(1850, 1, 1)
_DIGITS = frozenset("0123456789")  # str.isdigit() would also accept "٣" or "²"

ID_NUMBER_MESSAGES = {
    "id_number_length": _("A resident ID number has 18 characters, not %(count)d."),
    "id_number_digits": _(
        "The first 17 characters of a resident ID number are digits; character %(position)d is “%(char)s”."
    ),
    "id_number_last_character": _(
        "The last character of a resident ID number is a digit or X, not “%(char)s”."
    ),
    "id_number_region": _(
        "A resident ID number begins with a province code; “%(code)s” is not one (GB/T 2260)."
    ),
    "id_number_birth_date": _(
        "Characters 7 to 14 of the resident ID number are not a possible date of birth."
    ),
    "id_number_future_birth_date": _("The date of birth in the resident ID number is in the future."),
    "id_number_check_character": _(
        "Wrong check character in the resident ID number: it should be %(expected)s."
    ),
}


def _id_error(error_code, **params):
    return ValidationError(ID_NUMBER_MESSAGES[error_code], code=error_code, params=params or None)


@dataclass(frozen=True)
class IdNumber:
    """A valid resident ID number (公民身份号码) and what it encodes (GB 11643-1999 §5)."""

    number: str  # 18 characters, check character X in upper case
    birth_date: date
    sex: str  # "male" or "female", from the parity of the sequence code
    region: str  # the GB/T 2260 county code of the household registration when issued

    def __str__(self):
        return self.number


def id_number_check_character(first17):
    """The check character (``0``–``9`` or ``X``) of the first 17 digits of an ID number (ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_NUMBER_WEIGHTS, strict=True))
    return ID_NUMBER_CHECK_CHARACTERS[total % 11]


def make_id_number(region, birth_date, sequence):
    """An ID number for a county code, a birth date and a sequence 0–999 (odd for a man), with its check character.

    For demo data and tests: ``make_id_number("430104", date(1980, 1, 1), 1)`` is ``430104198001010014``.
    """
    if not (len(region) == 6 and set(region) <= _DIGITS) or not 0 <= int(sequence) <= 999:
        raise ValueError("region is six digits and sequence a number from 0 to 999")
    first17 = f"{region}{birth_date:%Y%m%d}{int(sequence):03d}"
    return first17 + id_number_check_character(first17)


def _birth_date(number, today):
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born < ID_NUMBER_EARLIEST_BIRTH:
        raise _id_error("id_number_birth_date")
    if born > today:
        raise _id_error("id_number_future_birth_date")
    return born


def parse_id_number(value, *, today=None):
    """The ``IdNumber`` in ``value``, or a ``ValidationError`` naming the first thing that is wrong.

    Spaces, full-width digits and a lower-case or full-width x are accepted and normalised. The
    address code is checked only for its province (GB 11643-1999 §5.1): codes of counties that no
    longer exist stay valid in the numbers issued under them (domain-rules §6.1). ``today`` is the
    local date by default; a birth date after it is refused.
    """
    number = _compact(value).upper()
    if len(number) != ID_NUMBER_LENGTH:
        raise _id_error("id_number_length", count=len(number))
    for position, char in enumerate(number[:17], start=1):
        if char not in _DIGITS:
            raise _id_error("id_number_digits", position=position, char=char)
    if number[17] not in _DIGITS and number[17] != "X":
        raise _id_error("id_number_last_character", char=number[17])
    if number[:2] not in PROVINCES:
        raise _id_error("id_number_region", code=number[:2])
    born = _birth_date(number, today or timezone.localdate())
    expected = id_number_check_character(number[:17])
    if number[17] != expected:
        raise _id_error("id_number_check_character", expected=expected)
    sex = "male" if int(number[16]) % 2 else "female"  # GB 11643-1999 §5.3: odd for men
    return IdNumber(number=number, birth_date=born, sex=sex, region=number[:6])


def validate_id_number(value):
    """Django validator for a resident ID number (see ``parse_id_number``)."""
    parse_id_number(value)


# --- Mobile number ---------------------------------------------------------------------------------

MOBILE_MESSAGE = _("A mobile number has 11 digits and begins with 1.")
_MOBILE = re.compile(r"1[0-9]{10}", re.ASCII)


def normalise_mobile(value):
    """``value`` without spaces and hyphens, full-width digits made ASCII (``138-1234 5678`` → ``13812345678``)."""
    return _compact(value).replace("-", "")


def validate_mobile(value):
    """Django validator: 11 digits beginning with 1, once spaces and hyphens are taken out."""
    if not _MOBILE.fullmatch(normalise_mobile(value)):
        raise ValidationError(MOBILE_MESSAGE, code="mobile")


# --- Unified social credit code, GB 32100-2015 -----------------------------------------------------

USCC_LENGTH = 18
# GB 32100-2015 §4.2, table 3: the 31 characters, each worth its index; no I, O, S, V, Z.
USCC_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {char: value for value, char in enumerate(USCC_CHARACTERS)}
# §4.3: W_i = 3^(i-1) mod 31 for positions 1..17; check value 31 - (sum mod 31), 31 counting as 0.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

USCC_MESSAGES = {
    "uscc_length": _("A unified social credit code has 18 characters, not %(count)d."),
    "uscc_characters": _(
        "A unified social credit code uses digits and capital letters other than I, O, S, V and Z; "
        "character %(position)d is “%(char)s”."
    ),
    "uscc_check_character": _(
        "Wrong check character in the unified social credit code: it should be %(expected)s."
    ),
}


def normalise_uscc(value):
    """``value`` without whitespace, in capitals, full-width characters made ASCII."""
    return _compact(value).upper()


def uscc_check_character(first17):
    """The check character of the first 17 characters of a unified social credit code (GB 32100-2015 §4.3)."""
    total = sum(USCC_VALUES[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARACTERS[(31 - total % 31) % 31]


def validate_uscc(value):
    """Django validator for a unified social credit code (统一社会信用代码): length, characters, check."""
    code = normalise_uscc(value)
    if len(code) != USCC_LENGTH:
        raise ValidationError(USCC_MESSAGES["uscc_length"], code="uscc_length", params={"count": len(code)})
    for position, char in enumerate(code, start=1):
        if char not in USCC_VALUES:
            raise ValidationError(
                USCC_MESSAGES["uscc_characters"],
                code="uscc_characters",
                params={"position": position, "char": char},
            )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            USCC_MESSAGES["uscc_check_character"],
            code="uscc_check_character",
            params={"expected": expected},
        )
