"""Organizational life in the personal-information inventory (core/privacy.py; PIPL art. 51): who attended
which meeting of the party, and why a member was absent, is political information about that person."""

from django.utils.translation import gettext_lazy as _

from redengine.core.privacy import SENSITIVE, Entry, declare
from redengine.people.privacy import PARTY_RECORD

ATTENDANCE = Entry(_("attendance at organizational life"), SENSITIVE, PARTY_RECORD)

declare(
    "activities.Attendance",
    dict.fromkeys(["status", "reason", "guest", "date"], ATTENDANCE),
    ["id", "meeting", "person"],
)
# A meeting's record names its host and lecturer (people of the staff list, by reference) and its minutes
# may name members: the minutes and resolutions are kept as the organization's record, seen within scope.
declare(
    "activities.Meeting",
    dict.fromkeys(
        ["minutes", "resolutions"], Entry(_("minutes of organizational life"), SENSITIVE, PARTY_RECORD)
    ),
    [
        "id",
        "organization",
        "meeting_type",
        "date",
        "topic",
        "place",
        "host",
        "lecturer",
        "lecturer_name",
        "by_secretary",
        "expected",
        "actual",
        "from_list",
        "recorded_by",
        "recorded_at",
    ],
    every_field=False,
)
