"""Pairing in the personal-information inventory (core/privacy.py; PIPL art. 51): the teachers who took part
in an activity of a pair are named on it. An activity is a record of both schools of the pair: whoever sees
the pair (either school) reads the names of the teachers involved (their names only, never another field of
the person); a teacher is added to an activity only by a writer who sees that teacher, so each school's
secretary names its own people."""

from django.utils.translation import gettext_lazy as _

from redengine.core.privacy import GENERAL, Entry, declare
from redengine.people.privacy import WHILE_EMPLOYED

TAKING_PART = Entry(_("teachers taking part in urban-rural pairing activities"), GENERAL, WHILE_EMPLOYED)

declare(
    "pairing.PairActivity",
    {"teachers": TAKING_PART},
    ["id", "pair", "kind", "date", "title", "summary", "students", "recorded_by"],
    every_field=False,
)
