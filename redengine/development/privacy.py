"""Member development in the personal-information inventory (core/privacy.py; PIPL art. 51): a person's
path towards membership is political information, so every field that describes it is sensitive."""

from django.utils.translation import gettext_lazy as _

from redengine.core.privacy import SENSITIVE, Entry, declare
from redengine.people.privacy import PARTY_RECORD

from .models import DERIVED_FIELDS

RECORD = Entry(_("member development record"), SENSITIVE, PARTY_RECORD)
SCANS = Entry(_("scanned documents of member development (encrypted)"), SENSITIVE, PARTY_RECORD)

declare(
    "development.DevelopmentCase",
    dict.fromkeys([*DERIVED_FIELDS, "organization"], RECORD),
    ["id", "person"],
)
EVENT_FIELDS = [
    "step",
    "date",
    "data",
    "remarks",
    "form_serial",
    "exception_reason",
    "exception_rules",
    "late",
    "late_rules",
    "late_due",
    "incomplete",
    "rules_version",
]
declare(
    "development.DevelopmentEvent",
    dict.fromkeys(EVENT_FIELDS, RECORD),
    ["id", "case", "recorded_by", "recorded_at"],
)
declare(
    "development.CaseContact",
    dict.fromkeys(["role", "assigned_on", "ended_on"], RECORD),
    ["id", "case", "person"],
)
declare(
    "development.CultivationRecord",
    dict.fromkeys(["kind", "date", "summary"], RECORD),
    ["id", "case", "contact"],
)
declare(
    "development.EventAttachment",
    {"content": SCANS, "file_name": SCANS},
    ["id", "event", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"],
)
