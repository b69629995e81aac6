"""Pioneer units in the personal-information inventory (core/privacy.py; PIPL art. 51): who leads a model
post, class or volunteer team and who belongs to it are records about those people, kept for the units'
filing and certification and seen within scope."""

from django.utils.translation import gettext_lazy as _

from redengine.core.privacy import GENERAL, Entry, declare
from redengine.people.privacy import WHILE_EMPLOYED

UNITS = Entry(_("leading or belonging to a pioneer unit"), GENERAL, WHILE_EMPLOYED)

declare(
    "pioneer.PioneerUnit",
    dict.fromkeys(["leader", "members"], UNITS),
    [
        "id",
        "kind",
        "name",
        "school",
        "organization",
        "standard",
        "identity",
        "commitment",
        "status",
        "applied_on",
        "filed_on",
        "reviewed_on",
        "certified_on",
        "plaque_number",
        "last_checked_on",
        "closed_on",
        "revoked_on",
        "reason",
    ],
)
