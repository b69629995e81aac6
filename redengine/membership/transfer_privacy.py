"""Transfers in the personal-information inventory (core/privacy.py; PIPL art. 51): a transfer of a member's
organization relationship is part of the party member's record (where they belong, since when, why), so every
field that describes it is sensitive and kept as the party archives rules require. Imported by the app's
``privacy.py`` (the module ``core`` discovers)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.privacy import SENSITIVE, Entry, declare
from redengine.people.privacy import PARTY_RECORD

TRANSFER = Entry(
    _("party membership record: the transfer of the organization relationship"), SENSITIVE, PARTY_RECORD
)

declare(
    "membership.Transfer",
    dict.fromkeys(
        [
            "kind",
            "status",
            "reason",
            "note",
            "from_organization",
            "to_organization",
            "to_school",
            "outside_organization",
            "started_by",
            "started_on",
            "decided_on",
            "refusal",
            "proposed_by_change",
            "letter_number",
            "letter_valid_until",
            "receipt_on",
            "admitted_on",
            "full_on",
        ],
        TRANSFER,
    ),
    ["id", "person", "membership", "case"],
)
