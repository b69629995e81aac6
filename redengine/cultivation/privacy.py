"""Dual cultivation in the personal-information inventory (core/privacy.py; PIPL art. 51): who mentors whom,
how the apprentice progressed, a person's contest results and speaking are records about that person, kept
for the cultivation of teachers and party members and seen within scope."""

from django.utils.translation import gettext_lazy as _

from redengine.core.privacy import GENERAL, Entry, declare
from redengine.people.privacy import WHILE_EMPLOYED

MENTORING = Entry(_("mentoring of teachers (dual cultivation)"), GENERAL, WHILE_EMPLOYED)
RESULTS = Entry(_("contest results and speaking (dual cultivation)"), GENERAL, WHILE_EMPLOYED)

declare(
    "cultivation.Mentorship",
    dict.fromkeys(["mentor", "apprentice", "goals", "summary"], MENTORING),
    ["id", "kind", "school", "start_on", "planned_end_on", "ended_on", "titled_by"],
)
declare(
    "cultivation.MentorshipReview",
    dict.fromkeys(["progress"], MENTORING),
    ["id", "mentorship", "held_on", "due_on", "late", "recorded_by"],
)
declare(
    "cultivation.ContestEntry",
    dict.fromkeys(["prize", "awarded_on", "work"], RESULTS),
    ["id", "contest", "person"],
)
declare(
    "cultivation.Engagement",
    dict.fromkeys(["kind", "date", "topic", "venue"], RESULTS),
    ["id", "person"],
)
