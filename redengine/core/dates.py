"""Calendar arithmetic shared by the rules engine and the registry.

Convention (domain-rules §7b leaves it open): "n months after" a date is the same day n months later, or
the month's last day when that day does not exist (2025-01-31 + 1 month = 2025-02-28).
"""

import calendar


def add_months(day, months):
    """``day`` + ``months`` calendar months, clamped to the month's end (the convention above)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
