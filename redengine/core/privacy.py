"""The inventory of personal information (PIPL art. 51; security-goals.md "Privacy").

Every field of a model that describes a person is listed here with its purpose, category and
retention; ``core/tests/test_privacy.py`` fails when a model gains a field that is neither listed
here nor declared as not personal, so that no personal field arrives unnoticed.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    purpose: str
    category: str  # "sensitive" (PIPL art. 28) or "general"
    retention: str


SENSITIVE, GENERAL = "sensitive", "general"
# core imports no app: the derived fields of a development case, as development/models.py names them.
DEVELOPMENT_CASE_FIELDS = [
    "status",
    "close_reason",
    "closed_on",
    "opened_on",
    "stage",
    "last_step",
    "last_step_on",
    "next_step",
    "next_earliest",
    "next_rule",
    "due_step",
    "next_due",
    "due_rule",
    "admitted_on",
    "probation_ends_on",
    "converted_on",
    "incomplete",
    "has_exception",
]
WHILE_EMPLOYED = _("while the person works in the education system, then as the party archives rules require")
PARTY_RECORD = _("permanently, as part of the party member's record (党员档案)")

PERSONAL_FIELDS = {
    "people.Person.name": Entry(_("identify the person"), GENERAL, WHILE_EMPLOYED),
    "people.Person.id_number_cipher": Entry(
        _("identify the person uniquely (encrypted)"), SENSITIVE, WHILE_EMPLOYED
    ),
    "people.Person.id_number_index": Entry(
        _("find a person by ID number without decrypting"), SENSITIVE, WHILE_EMPLOYED
    ),
    "people.Person.id_number_masked": Entry(
        _("show which person without revealing the number"), GENERAL, WHILE_EMPLOYED
    ),
    "people.Person.sex": Entry(_("statistics required by the party's reports"), GENERAL, WHILE_EMPLOYED),
    "people.Person.birth_date": Entry(
        _("age rules of member development; statistics"), GENERAL, WHILE_EMPLOYED
    ),
    "people.Person.ethnic_group": Entry(
        _("statistics required by the party's reports"), SENSITIVE, WHILE_EMPLOYED
    ),
    "people.Person.education": Entry(
        _("statistics; cultivation of backbone teachers"), GENERAL, WHILE_EMPLOYED
    ),
    "people.Person.mobile_cipher": Entry(_("contact the person (encrypted)"), GENERAL, WHILE_EMPLOYED),
    "people.Person.mobile_index": Entry(
        _("find a person by mobile without decrypting"), GENERAL, WHILE_EMPLOYED
    ),
    "people.Person.mobile_masked": Entry(
        _("show which mobile without revealing it"), GENERAL, WHILE_EMPLOYED
    ),
    "people.Person.school": Entry(_("scope and statistics"), GENERAL, WHILE_EMPLOYED),
    "people.Person.post": Entry(_("statistics; dual cultivation"), GENERAL, WHILE_EMPLOYED),
    "people.Person.front_line": Entry(
        _("development priorities (front-line teachers)"), GENERAL, WHILE_EMPLOYED
    ),
    "people.Person.political_status": Entry(_("party membership statistics"), SENSITIVE, PARTY_RECORD),
    "people.Membership.admitted_on": Entry(_("party membership record"), SENSITIVE, PARTY_RECORD),
    "people.Membership.full_on": Entry(_("party membership record"), SENSITIVE, PARTY_RECORD),
    "people.Membership.ended_on": Entry(_("party membership record"), SENSITIVE, PARTY_RECORD),
    "people.Membership.organization": Entry(_("party membership record"), SENSITIVE, PARTY_RECORD),
    "people.Honor.title": Entry(_("dual cultivation figures"), GENERAL, WHILE_EMPLOYED),
    "people.Honor.level": Entry(_("dual cultivation figures"), GENERAL, WHILE_EMPLOYED),
    "people.Honor.awarded_on": Entry(_("dual cultivation figures"), GENERAL, WHILE_EMPLOYED),
    "people.Honor.lapsed_on": Entry(_("dual cultivation figures"), GENERAL, WHILE_EMPLOYED),
    "people.Dispatch.role": Entry(_("private-school party building"), GENERAL, WHILE_EMPLOYED),
    "people.Dispatch.school": Entry(_("private-school party building"), GENERAL, WHILE_EMPLOYED),
    "people.Dispatch.start_on": Entry(_("private-school party building"), GENERAL, WHILE_EMPLOYED),
    "people.Dispatch.end_on": Entry(_("private-school party building"), GENERAL, WHILE_EMPLOYED),
    "people.CommitteePost.post": Entry(_("organization's committee"), SENSITIVE, PARTY_RECORD),
    "people.CommitteePost.start_on": Entry(_("organization's committee"), SENSITIVE, PARTY_RECORD),
    "people.CommitteePost.end_on": Entry(_("organization's committee"), SENSITIVE, PARTY_RECORD),
    "accounts.User.full_name": Entry(
        _("identify the account holder"), GENERAL, _("while the account exists")
    ),
    "accounts.User.email": Entry(_("contact the account holder"), GENERAL, _("while the account exists")),
    # Member development: a person's path towards membership is political information (sensitive).
    **{
        f"development.DevelopmentCase.{name}": Entry(_("member development record"), SENSITIVE, PARTY_RECORD)
        for name in [*DEVELOPMENT_CASE_FIELDS, "organization"]
    },
    **{
        f"development.DevelopmentEvent.{name}": Entry(_("member development record"), SENSITIVE, PARTY_RECORD)
        for name in [
            "step",
            "date",
            "data",
            "remarks",
            "form_serial",
            "exception_reason",
            "exception_rules",
            "incomplete",
        ]
    },
    **{
        f"development.CaseContact.{name}": Entry(_("member development record"), SENSITIVE, PARTY_RECORD)
        for name in ["role", "assigned_on", "ended_on"]
    },
    **{
        f"development.CultivationRecord.{name}": Entry(
            _("member development record"), SENSITIVE, PARTY_RECORD
        )
        for name in ["kind", "date", "summary"]
    },
    "development.EventAttachment.content": Entry(
        _("scanned documents of member development (encrypted)"), SENSITIVE, PARTY_RECORD
    ),
    "development.EventAttachment.file_name": Entry(
        _("scanned documents of member development (encrypted)"), SENSITIVE, PARTY_RECORD
    ),
}

# Fields of those models that hold no personal information (keys, links, bookkeeping).
NOT_PERSONAL = {
    "people.Person.id",
    "people.Membership.id",
    "people.Membership.person",
    "people.Honor.id",
    "people.Honor.person",
    "people.Dispatch.id",
    "people.Dispatch.person",
    "people.Dispatch.dispatching_body",
    "people.Dispatch.public",
    "people.CommitteePost.id",
    "people.CommitteePost.person",
    "people.CommitteePost.organization",
    "development.DevelopmentCase.id",
    "development.DevelopmentCase.person",
    "development.DevelopmentEvent.id",
    "development.DevelopmentEvent.case",
    "development.DevelopmentEvent.recorded_by",
    "development.DevelopmentEvent.recorded_at",
    "development.CaseContact.id",
    "development.CaseContact.case",
    "development.CaseContact.person",
    "development.CultivationRecord.id",
    "development.CultivationRecord.case",
    "development.CultivationRecord.contact",
    "development.EventAttachment.id",
    "development.EventAttachment.event",
    "development.EventAttachment.content_type",
    "development.EventAttachment.size",
    "development.EventAttachment.sha256",
    "development.EventAttachment.uploaded_by",
    "development.EventAttachment.uploaded_at",
}
PERSONAL_MODELS = [
    "people.Person",
    "people.Membership",
    "people.Honor",
    "people.Dispatch",
    "people.CommitteePost",
    "development.DevelopmentCase",
    "development.DevelopmentEvent",
    "development.CaseContact",
    "development.CultivationRecord",
    "development.EventAttachment",
]
