"""Ages in whole years on a day, as conditions on the date of birth: the watch lists' filters, the young
members of the watch list and of the overview (``cult.young_age``) read them alike."""

from django.db.models import Q

from redengine.people.models import add_years

from . import rules


def aged_at_least(day, years):
    """Born on or before the day ``years`` years back."""
    return Q(birth_date__lte=add_years(day, -years))


def aged_at_most(day, years):
    """Born after the day ``years + 1`` years back."""
    return Q(birth_date__gt=add_years(day, -(years + 1)))


def young_age(day):
    return rules.param("cult.young_age", on=day)


def young(day):
    """Under ``cult.young_age`` on the day."""
    return aged_at_most(day, young_age(day) - 1)


def is_young(person, day):
    """``young`` of one person at hand."""
    return person.birth_date > add_years(day, -young_age(day))
