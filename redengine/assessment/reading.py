"""Reading the values a scheme, a past result or a workbook gives: points (one decimal place), whole numbers,
texts and yes/no, each refused with a message that says what to give instead (``WrongValueError``). The scheme and
rating services read their items' values through these, whether they come from a form, the API or a sheet."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from redengine.dataio.parsers import CellError, Parser, display

MAX_POINTS = Decimal("9999.9")  # the columns hold 6 digits with one decimal place


class WrongValueError(ValueError):
    """A value that cannot be read: its message says what to give instead."""


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def points_of(value, *, blank=None):
    """A number of points (one decimal place at most), 0 or more; ``blank`` for an empty value."""
    if is_blank(value):
        return blank
    if isinstance(value, bool):
        raise WrongValueError(_("Enter a number of points with at most one decimal place."))
    try:
        number = Decimal(display(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise WrongValueError(_("Enter a number of points with at most one decimal place.")) from None
    if not number.is_finite() or number != number.quantize(Decimal("0.1")):
        raise WrongValueError(_("Enter a number of points with at most one decimal place."))
    if number < 0:
        raise WrongValueError(_("Points are 0 or more."))
    if number > MAX_POINTS:
        raise WrongValueError(_("At most %(points)s points.") % {"points": MAX_POINTS})
    return number.quantize(Decimal("0.1"))


def whole_of(value, low, high, message):
    """A whole number from ``low`` to ``high``, else ``message``; None for an empty value."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise WrongValueError(message)
    try:
        number = Decimal(display(value).strip()) if not isinstance(value, int | Decimal) else Decimal(value)
    except (InvalidOperation, ValueError):
        raise WrongValueError(message) from None
    if not number.is_finite() or number != number.to_integral_value() or not low <= number <= high:
        raise WrongValueError(message)
    return int(number)


def text_of(value, limit):
    text = "" if value is None else (value if isinstance(value, str) else display(value)).strip()
    if len(text) > limit:
        raise WrongValueError(
            _("At most %(limit)s characters; this has %(length)s.") % {"limit": limit, "length": len(text)}
        )
    return text


def flag_of(value):
    if isinstance(value, str):
        return value.strip() in ("是", "1", "true", "True", "TRUE", "yes")
    return bool(value)


class Points(Parser):
    """A number of points, with one decimal place at most (the service says whether it fits)."""

    kind = "number"
    number_format = "0.0"

    def parse(self, value):
        try:
            return points_of(value)
        except WrongValueError as wrong:
            raise CellError(str(wrong)) from None

    def cell(self, value):
        if value is None:
            return None
        value = Decimal(value)
        return int(value) if value == value.to_integral_value() else float(value)


def shown(points):
    """Points as a person writes them: 90, 7.5 (not 90.0)."""
    if points is None:
        return ""
    points = Decimal(points)
    return str(int(points)) if points == points.to_integral_value() else f"{points.normalize():f}"
