"""Cell parsers: what a user typed into a cell becomes a Python value, or a reason it cannot.

A parser is called with the cell as the reader gives it (``str``, ``float``, ``int``, ``bool``,
``date``, ``datetime``, ``time``, ``timedelta`` or ``None``) and returns the value, or raises
``CellError`` with a reason the user can act on. Every parser first normalises text the same way:
surrounding and repeated whitespace (ideographic and no-break spaces too) is collapsed and full-width
digits and Latin letters become ASCII, so that a value typed with a Chinese input method reads the
same as one typed in English; Chinese characters and punctuation are kept. An empty cell is ``None``;
whether that is allowed is the column's business (``Column.required``).

A parser also tells the template what the column looks like: ``number_format`` for the cells and
``choices()`` for its drop-down.
"""

import datetime
import re

from django.utils.translation import gettext as _

# Full-width ASCII digits and letters (U+FF10.., U+FF21.., U+FF41..) -> ASCII; Chinese text is untouched.
FULL_WIDTH = {
    code: code - 0xFEE0 for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
FULL_WIDTH_CHARACTER = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
# Date separators typed in full width: － ／ ．
FULL_WIDTH_DATE = {0xFF0D: "-", 0xFF0F: "/", 0xFF0E: "."}
# Excel keeps 15 significant digits: a larger number may already have lost some.
EXACT_DIGITS_LIMIT = 10**15
MAX_LISTED_CHOICES = 20
YES, NO = "是", "否"


class CellError(Exception):
    """A cell that cannot be read; ``reason`` is already translated and says what to type instead."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def normalise(value):
    """Text collapsed and made half-width; '' and whitespace-only text are None; other types as given."""
    if value.__class__ is not str:  # the reader's cells are exactly str, never a subclass
        return value if not isinstance(value, str) else normalise(str(value))
    text = " ".join(value.split())
    if not text:
        return None
    return text.translate(FULL_WIDTH) if FULL_WIDTH_CHARACTER.search(text) else text


def is_exact_integer(value):
    """True for a number Excel holds as an integer without loss (4301040001.0, not 4.30104E+17)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer() and abs(value) < EXACT_DIGITS_LIMIT


def display(value):
    """The cell as text, for error messages and ``Row.raw``: numbers as Excel shows them."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if is_exact_integer(value) else f"{value:.15G}"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def accepted_values(values):
    """'Accepted values: …', listing at most twenty of them (the template's 代码表 has them all)."""
    values = [str(v) for v in values]
    listed = _(", ").join(values[:MAX_LISTED_CHOICES])
    if len(values) > MAX_LISTED_CHOICES:
        listed = _("%(values)s and %(count)s more (see the code list sheet of the template)") % {
            "values": listed,
            "count": len(values) - MAX_LISTED_CHOICES,
        }
    return _("Not an accepted value. Accepted values: %(values)s.") % {"values": listed}


class Parser:
    """Base of the parsers; subclasses implement ``parse`` for a normalised, non-empty cell."""

    kind = "text"
    number_format = None  # the template's format for the column's cells; None = General
    repeats = False  # the column holds few distinct values: the reader parses each of them once

    def __call__(self, value):
        value = normalise(value)
        return None if value is None else self.parse(value)

    def parse(self, value):
        raise NotImplementedError

    def choices(self):
        """Values offered in the template's drop-down for this column; [] = no drop-down."""
        return []

    def cell(self, value):
        """The cell an export writes for ``value`` (what ``parse`` returns), so that it reads back the same."""
        return value


class Text(Parser):
    def __init__(self, max_length=None):
        self.max_length = max_length

    def parse(self, value):
        text = value if isinstance(value, str) else display(value)
        if self.max_length is not None and len(text) > self.max_length:
            raise CellError(
                _("At most %(limit)s characters; this cell has %(length)s.")
                % {"limit": self.max_length, "length": len(text)}
            )
        return text


class Code(Parser):
    """A code that must be text; a number cell counts only when Excel kept it whole (no leading 0 lost)."""

    kind = "code"
    repeats = True
    number_format = "@"

    def __init__(self, pattern, message):
        self.regex = re.compile(pattern)
        self.message = message

    def parse(self, value):
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not is_exact_integer(value):
                raise CellError(_("A code must be typed as text, not as a decimal or a very long number."))
            value = str(int(value))
        if not isinstance(value, str) or not self.regex.fullmatch(value):
            raise CellError(str(self.message))
        return value


class IdNumberText(Parser):
    """An ID number as typed. Excel keeps 15 digits of a number, so an 18-digit ID typed as a number
    has lost its last three: such a cell is refused rather than imported wrong. The check digit is
    the app's to verify."""

    kind = "id_number"
    number_format = "@"
    SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d*)?E[+-]?\d+")

    def parse(self, value):
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise CellError(self.lost_digits())
        if not isinstance(value, str):
            raise CellError(_("Type the ID number as text."))
        value = value.replace(" ", "").upper()
        if self.SCIENTIFIC.fullmatch(value):
            raise CellError(self.lost_digits())
        return value

    @staticmethod
    def lost_digits():
        return _(
            "The ID number is stored as a number, so Excel has lost its last digits. Format the column "
            "as text and type the number again."
        )


class CodeList(Parser):
    """Several codes in one cell, separated by ';' (or '；', ',', '，', '、'): a tuple without repeats.

    A single code typed as a number counts when Excel kept it whole, as for ``Code``."""

    kind = "code"
    repeats = True
    number_format = "@"
    SEPARATORS = re.compile(r"[;；,，、\s]+")
    SEPARATOR = ";"

    def __init__(self, pattern, message):
        self.item = Code(pattern, message)

    def parse(self, value):
        if not isinstance(value, str):
            return (self.item.parse(value),)
        codes = []
        for part in self.SEPARATORS.split(value):
            if part:
                code = self.item.parse(part)
                if code not in codes:
                    codes.append(code)
        return tuple(codes)

    def cell(self, value):
        return self.SEPARATOR.join(value) if value else None


class Mobile(Parser):
    """A mobile number: 11 digits beginning with 1; spaces and hyphens are dropped. A number cell
    counts (Excel keeps 11 digits whole)."""

    kind = "mobile"
    number_format = "@"
    PATTERN = re.compile(r"1[0-9]{10}", re.ASCII)

    def parse(self, value):
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(int(value)) if is_exact_integer(value) else display(value)
        text = value.replace(" ", "").replace("-", "") if isinstance(value, str) else display(value)
        if not self.PATTERN.fullmatch(text):
            raise CellError(_("A mobile number has 11 digits and begins with 1."))
        return text


class WholeNumber(Parser):
    kind = "number"
    repeats = True
    number_format = "0"
    TEXT = re.compile(r"[+-]?\d+(?:\.0*)?")

    def __init__(self, min_value=0, max_value=None):
        self.min_value = min_value
        self.max_value = max_value

    def parse(self, value):
        if isinstance(value, str) and self.TEXT.fullmatch(value):
            value = int(value.split(".")[0])
        if not is_exact_integer(value):
            raise CellError(_("Enter a whole number."))
        number = int(value)
        if self.min_value is not None and number < self.min_value:
            raise CellError(_("Enter a whole number of at least %(limit)s.") % {"limit": self.min_value})
        if self.max_value is not None and number > self.max_value:
            raise CellError(_("Enter a whole number of at most %(limit)s.") % {"limit": self.max_value})
        return number


class Date(Parser):
    """An Excel date, or text in the three forms of import-templates.md."""

    kind = "date"
    repeats = True
    number_format = "yyyy-mm-dd"
    FORMS = [
        re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
        re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
        re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
    ]
    FIRST_YEAR, LAST_YEAR = 1900, 2100  # outside: a typo such as 0219 or 20190, not a date of ours

    def parse(self, value):
        if isinstance(value, datetime.datetime):
            return self.checked(value.date())
        if isinstance(value, datetime.date):
            return self.checked(value)
        if isinstance(value, str):
            text = value.translate(FULL_WIDTH_DATE).replace(" ", "")
            for form in self.FORMS:
                match = form.fullmatch(text)
                if match:
                    try:
                        return self.checked(datetime.date(*map(int, match.groups())))
                    except ValueError:
                        raise CellError(_("There is no such date.")) from None
        raise CellError(
            _("Not a date. Use an Excel date or text such as 2019-03-05, 2019/3/5 or 2019年3月5日.")
        )

    def checked(self, date):
        if not self.FIRST_YEAR <= date.year <= self.LAST_YEAR:
            raise CellError(
                _("The year must be between %(first)s and %(last)s.")
                % {"first": self.FIRST_YEAR, "last": self.LAST_YEAR}
            )
        return date


class Choice(Parser):
    """One of a list of (code, label): the cell may hold the label or the code; the code is returned.

    ``fallback`` (text -> code or None) accepts further spellings, such as the aliases of a code table
    (``汉`` for ``汉族``). The look-up is built at the first call, so that labels may be lazy translations."""

    kind = "choice"
    repeats = True

    def __init__(self, options, fallback=None):
        self.options = list(options)
        self.fallback = fallback
        self._lookup = None
        self._labels = None

    def lookup(self):
        if self._lookup is None:
            lookup = {normalise(str(code)).casefold(): code for code, _label in self.options}
            lookup.update({normalise(str(label)).casefold(): code for code, label in self.options})
            self._lookup = lookup
        return self._lookup

    def parse(self, value):
        key = display(value) if not isinstance(value, str) else value
        code = self.lookup().get(key.casefold())
        if code is None and self.fallback is not None:
            code = self.fallback(key)
        if code is None:
            raise CellError(accepted_values(self.choices()))
        return code

    def choices(self):
        return [str(label) for _code, label in self.options]

    def cell(self, value):
        if self._labels is None:
            self._labels = {code: str(label) for code, label in self.options}
        return self._labels.get(value, value) if value not in (None, "") else None


class YesNo(Parser):
    """是 or 否 (an Excel TRUE/FALSE too); a blank cell is ``blank``."""

    kind = "yes_no"
    repeats = True
    WORDS = {YES: True, NO: False, "TRUE": True, "FALSE": False}

    def __init__(self, blank=False):
        self.blank = blank

    def __call__(self, value):
        value = normalise(value)
        return self.blank if value is None else self.parse(value)

    def parse(self, value):
        if isinstance(value, bool):
            return value
        answer = self.WORDS.get(value.upper()) if isinstance(value, str) else None
        if answer is None:
            raise CellError(accepted_values(self.choices()))
        return answer

    def choices(self):
        return [YES, NO]

    def cell(self, value):
        return None if value is None else (YES if value else NO)


def text(max_length=None):
    return Text(max_length)


def code(pattern, message):
    """A code matching ``pattern`` (whole cell); ``message`` is the reason given when it does not."""
    return Code(pattern, message)


def id_number_text():
    return IdNumberText()


def whole_number(min_value=0, max_value=None):
    return WholeNumber(min_value, max_value)


def date():
    return Date()


def choice(options, fallback=None):
    """``options``: a list of (code, label); ``fallback``: text -> code or None, for other spellings."""
    return Choice(options, fallback)


def code_list(pattern, message):
    """Codes matching ``pattern``, several to a cell, separated by ';'."""
    return CodeList(pattern, message)


def mobile():
    return Mobile()


def yes_no(blank=False):
    return YesNo(blank)
