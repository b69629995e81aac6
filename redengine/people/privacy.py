"""The people's records in the personal-information inventory (core/privacy.py; PIPL art. 51)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.privacy import GENERAL, SENSITIVE, Entry, declare, declare_person

from .models import Person

WHILE_EMPLOYED = _("while the person works in the education system, then as the party archives rules require")
PARTY_RECORD = _("permanently, as part of the party member's record (党员档案)")

declare_person("people.Person")  # the bulk-read alert counts these (core/reads.py)
declare(
    "people.Person",
    {
        "name": Entry(_("identify the person"), GENERAL, WHILE_EMPLOYED),
        "name_key": Entry(_("sort lists by the name's pinyin"), GENERAL, WHILE_EMPLOYED),
        "id_number_cipher": Entry(_("identify the person uniquely (encrypted)"), SENSITIVE, WHILE_EMPLOYED),
        "id_number_index": Entry(
            _("find a person by ID number without decrypting"), SENSITIVE, WHILE_EMPLOYED
        ),
        "id_number_masked": Entry(
            _("show which person without revealing the number"), GENERAL, WHILE_EMPLOYED
        ),
        "sex": Entry(_("statistics required by the party's reports"), GENERAL, WHILE_EMPLOYED),
        "birth_date": Entry(_("age rules of member development; statistics"), GENERAL, WHILE_EMPLOYED),
        "ethnic_group": Entry(_("statistics required by the party's reports"), SENSITIVE, WHILE_EMPLOYED),
        "education": Entry(_("statistics; cultivation of backbone teachers"), GENERAL, WHILE_EMPLOYED),
        "mobile_cipher": Entry(_("contact the person (encrypted)"), GENERAL, WHILE_EMPLOYED),
        "mobile_index": Entry(_("find a person by mobile without decrypting"), GENERAL, WHILE_EMPLOYED),
        "mobile_masked": Entry(_("show which mobile without revealing it"), GENERAL, WHILE_EMPLOYED),
        "school": Entry(_("scope and statistics"), GENERAL, WHILE_EMPLOYED),
        "post": Entry(_("statistics; dual cultivation"), GENERAL, WHILE_EMPLOYED),
        "front_line": Entry(_("development priorities (front-line teachers)"), GENERAL, WHILE_EMPLOYED),
        "political_status": Entry(_("party membership statistics"), SENSITIVE, PARTY_RECORD),
    },
    ["id"],
)
declare(
    "people.Membership",
    dict.fromkeys(
        ["admitted_on", "full_on", "ended_on", "organization", "observation_from", "observation_until"],
        Entry(_("party membership record"), SENSITIVE, PARTY_RECORD),
    ),
    ["id", "person"],
)
declare(
    "people.Honor",
    dict.fromkeys(
        ["title", "level", "awarded_on", "lapsed_on"],
        Entry(_("dual cultivation figures"), GENERAL, WHILE_EMPLOYED),
    ),
    ["id", "person"],
)
declare(
    "people.Dispatch",
    dict.fromkeys(
        ["role", "school", "start_on", "end_on"],
        Entry(_("private-school party building"), GENERAL, WHILE_EMPLOYED),
    ),
    ["id", "person", "dispatching_body", "public", "account"],
)
declare(
    "people.GuidanceRecord",
    dict.fromkeys(["held_on", "kind"], Entry(_("private-school party building"), GENERAL, WHILE_EMPLOYED)),
    # What was done and found at the school: about the school, not the instructor who writes it.
    ["id", "dispatch", "school", "content", "issues", "follow_up"],
)
declare(
    "people.CommitteePost",
    dict.fromkeys(
        ["post", "start_on", "end_on"], Entry(_("organization's committee"), SENSITIVE, PARTY_RECORD)
    ),
    ["id", "person", "organization"],
)


class PersonalView:
    """Which personal data of people a user sees: the one rule of every surface (pages, API answers,
    exports, import workbooks, change records).

    Whoever may reveal a person (``visible_to(user, "reveal")``) sees the birth date beside the masked ID
    number and mobile (the full values only through the logged reveal). Anyone else sees the masked
    values and the sex, but no part of the birth date (no date, year or age): beside the mask it would
    narrow the number to a few thousand candidates (``core.masking`` does the arithmetic). A list primes
    the view with its page (one query), a single record asks on its own.
    """

    def __init__(self, user):
        self.user = user
        self.revealable = {}  # person pk -> whether the user may reveal them

    def prime(self, people):
        wanted = [p.pk for p in people if p.pk is not None and p.pk not in self.revealable]
        if not wanted:
            return self
        allowed = set()
        if self.user is not None:
            allowed = set(
                Person.objects.visible_to(self.user, "reveal")
                .filter(pk__in=wanted)
                .values_list("pk", flat=True)
            )
        self.revealable.update((pk, pk in allowed) for pk in wanted)
        return self

    def may_reveal(self, person):
        if person.pk not in self.revealable:
            self.prime([person])
        return self.revealable.get(person.pk, False)

    def birth_date(self, person):
        """The birth date if the user may see it, else None."""
        return person.birth_date if self.may_reveal(person) else None

    def fields(self, person):
        """{field: value} of the person's personal data as the user sees them."""
        return {
            "id_number_masked": person.id_number_masked,
            "mobile_masked": person.mobile_masked,
            "sex": person.sex,
            "birth_date": self.birth_date(person),
        }


def personal_view(user):
    return PersonalView(user)
