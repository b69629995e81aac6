"""Membership after admission in the personal-information inventory (core/privacy.py; PIPL art. 51).

What happens to a member after admission is part of the party member's record (党员档案) — political
information about the person, so sensitive and kept as the party archives rules require: the changes of
state with their resolutions, where a floating member is and where they take part in organizational life,
the dues and the declared base they are computed from (the member's income after tax), the reliefs and why
(a hardship), awards, and party discipline (read only by inspectors and administrators, ``view_discipline``).
The state a membership is in (``people.Membership.status``) is declared here, beside the changes that write it.
The transfers' entries are in ``transfer_privacy.py`` (imported here: this is the module ``core`` discovers).
"""

from django.utils.translation import gettext_lazy as _

from redengine.core.privacy import SENSITIVE, Entry, declare
from redengine.people.privacy import PARTY_RECORD

from . import transfer_privacy  # noqa: F401  (the transfers' entries)

STATE = Entry(
    _("party membership record: the member's state, its changes and their decisions"), SENSITIVE, PARTY_RECORD
)
FLOATING = Entry(
    _("party membership record: where a floating member is and takes part in organizational life"),
    SENSITIVE,
    PARTY_RECORD,
)
DUES = Entry(
    _("party dues: the declared base (income after tax), the amounts due and paid"), SENSITIVE, PARTY_RECORD
)
RELIEF = Entry(_("party dues: a reduction or exemption and its reason (a hardship)"), SENSITIVE, PARTY_RECORD)
AWARD = Entry(_("party membership record: awards"), SENSITIVE, PARTY_RECORD)
DISCIPLINE = Entry(
    _("party discipline record (read only by inspectors and administrators)"), SENSITIVE, PARTY_RECORD
)

declare("people.Membership", dict.fromkeys(["status", "status_since"], STATE))
declare(
    "membership.StatusChange",
    dict.fromkeys(
        [
            "from_status",
            "to_status",
            "date",
            "reason",
            "resolution",
            "resolution_on",
            "approved_by",
            "approved_on",
            "document",
        ],
        STATE,
    ),
    ["id", "membership"],
)
declare(
    "membership.FloatingRecord",
    dict.fromkeys(["place", "reason", "left_on", "returned_on", "takes_part_in", "note"], FLOATING),
    ["id", "membership"],
)
declare(
    "membership.DuesBase",
    dict.fromkeys(["category", "base", "from_month", "declared_on", "monthly", "rate", "rule"], DUES),
    ["id", "membership"],
)
declare(
    "membership.DuesRelief",
    dict.fromkeys(
        ["exempt", "monthly", "from_month", "until_month", "reason", "approved_by", "approved_on"], RELIEF
    ),
    ["id", "membership"],
)
declare(
    "membership.DuesEntry",
    dict.fromkeys(["month", "due", "paid", "paid_on", "method"], DUES),
    ["id", "membership", "organization", "dues_base", "relief"],
)
declare(
    "membership.VoluntaryPayment",
    dict.fromkeys(["paid_on", "amount", "passed_up", "passed_up_on", "note"], DUES),
    ["id", "membership", "organization"],
)
declare(
    "membership.Award",
    dict.fromkeys(["title", "level", "awarded_on", "awarded_by", "document"], AWARD),
    # An award to an organization holds no personal information; one to a person names them by reference.
    ["id", "person", "organization"],
)
declare(
    "membership.Discipline",
    dict.fromkeys(
        ["kind", "decided_on", "decided_by", "document", "reason", "period_months", "lifted_on"], DISCIPLINE
    ),
    ["id", "membership"],
)
