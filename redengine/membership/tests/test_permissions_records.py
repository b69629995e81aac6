"""The permission matrix (redengine.testing.matrix) of the membership states, floating members, lapse alerts,
awards and party discipline: every page, form, action, picker and API method of ``StatusChange``,
``FloatingRecord``, ``Award`` and ``Discipline`` (and the pages listing ``Membership`` by state).

The sample records sit with four members of the demo tree: the secretary's school (梅溪湖张老师), a sibling
school of the same district (麓山赵老师), another district (芙蓉周老师) and a city-direct school (一中郑老师); each
case's ``setup`` makes them with the real services, for each test. Discipline's read action is its own,
``view_discipline`` (``models.VIEW_DISCIPLINE``): its reading views declare it as their action, so that the
roles table (city and district administrators, inspectors) decides who reads it and every other role —
the school's secretary included — answers 403 with its refusal logged; the tooling takes any action name,
so nothing of it needed changing."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.membership.models import VIEW_DISCIPLINE, Award, Discipline, FloatingRecord, StatusChange
from redengine.membership.services import records, statuses
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Membership, Person
from redengine.testing.matrix import (
    Action,
    ApiCreate,
    ApiDelete,
    ApiDetail,
    ApiList,
    ApiPatch,
    Confirm,
    Create,
    Delete,
    Detail,
    Edit,
    Export,
    ListPage,
    Needs,
    Page,
    ScopedCase,
    Trail,
    View,
    build_matrix,
)

from .status_helpers import PLACES, days_ago, membership_of, new_member

TODAY = lambda: timezone.localdate().isoformat()  # noqa: E731
# The branch and school of each place, for the members the create views add.
BRANCHES = {
    "own": ("CS430104-02-01", "4301040002"),
    "sibling": ("CS430104-01", "4301040001"),
    "other_district": ("CS430102-01", "4301020001"),
    "city": ("CS430100-01-01", "4301000001"),
}
NEW_MEMBERS = {position: f"矩阵新党员-{position}" for position in PLACES}


def member_owners(record):
    return [record.membership.organization]


def membership_owners(m):
    return [m.organization]


def school_owners(school):
    return list(school.organizations.all()) or list(
        PartyOrganization.objects.filter(district=school.district)
    )


def lost_members(days=200):
    """The four members out of contact for ``days`` days (more than six months: a suspension is proposed)."""
    statuses.record_status_changes(
        [
            Item(
                {
                    "membership": membership_of(name),
                    "to_status": "out_of_contact",
                    "date": days_ago(days),
                    "reason": f"失联-{position}",
                }
            )
            for position, name in PLACES.items()
        ],
        by=SYSTEM,
    )


def new_members():
    for position, name in NEW_MEMBERS.items():
        code, school = BRANCHES[position]
        new_member(name, code=code, school=school)


@dataclass
class QueryPage(View):
    """A page or fragment asked with a query (a picker's search): 403 for a role without the action; else 200,
    showing ``shows(record)`` exactly when the record is in the action's scope."""

    query: object = None
    shows: object = None

    kind = "ui_query"
    with_object = False

    def check(self, run):
        obj = run.subject
        trail = Trail()
        response = run.ui().get(reverse(self.url), self.query(obj))
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        assert response.status_code == 200, response.content[:300]
        assert (self.shows(obj) in response.content.decode()) == self.in_scope(run)
        trail.assert_nothing_written()


# 党籍状态变动 ----------------------------------------------------------------------------------------------
ON_MEMBERSHIP = Needs(lambda c: member_owners(c), action="change", model=Membership, field="membership")
CHANGE_RECORDS = {("statuschange", "create"): 1, ("membership", "update"): 1}


def restore_data(change):
    return {
        "membership": change.membership_id,
        "to_status": "active",
        "date": TODAY(),
        "reason": "已取得联系",
        "resolution": "",
        "resolution_on": "",
        "approved_by": "",
        "approved_on": "",
        "document": "",
    }


def restored(change):
    return StatusChange.objects.filter(membership=change.membership_id, to_status="active")


CHANGES = ScopedCase(
    name="status_change",
    model=StatusChange,
    positions=dict(PLACES),
    find=lambda name: StatusChange.objects.select_related("membership__organization").get(
        membership__person__name=name, to_status="out_of_contact"
    ),
    owners=member_owners,
    setup=lost_members,
    marker_field="reason",
    views=[
        ListPage("membership:statuschange_list", query={}),
        Export("membership:statuschange_list"),
        Page("membership:statuschange_add", action="add", label="form"),
        Create(
            "membership:statuschange_add",
            data=restore_data,
            needs=[ON_MEMBERSHIP],
            created=restored,
            records=lambda c: CHANGE_RECORDS,
        ),
        ApiList("statuschange-list"),
        ApiDetail("statuschange-detail"),
        ApiCreate(
            "statuschange-list",
            body=lambda c: {
                "membership": c.membership_id,
                "to_status": "active",
                "date": TODAY(),
                "reason": "接口恢复",
            },
            needs=[ON_MEMBERSHIP],
            created=restored,
            records=lambda c: CHANGE_RECORDS,
        ),
    ],
)


# 按状态查看党员、失联脱党预警、党员选择 ------------------------------------------------------------------------
MEMBERS = ScopedCase(
    name="membership_state",
    model=Membership,
    positions=dict(PLACES),
    find=membership_of,
    owners=membership_owners,
    setup=lost_members,
    views=[
        ListPage("membership:member_state_list", query={}, text=lambda m: m.person.name),
        Export("membership:member_state_list", text=lambda m: m.person.name),
        ListPage(
            "membership:alerts", model=StatusChange, query={"kind": "suspend"}, text=lambda m: m.person.name
        ),
        QueryPage(
            "membership:member_suggest",
            action="change",
            query=lambda m: {"q": m.person.name},
            shows=lambda m: f'data-code="{m.pk}"',
        ),
    ],
)


# 流动党员 ----------------------------------------------------------------------------------------------------
FLOATING_FIELDS = ["membership", "place", "reason", "left_on", "takes_part_in", "note"]
NEW_MEMBER_OWNERS = Needs(
    lambda name: [membership_of(name).organization], action="change", model=Membership, field="membership"
)
FLOAT_RECORDS = {("floatingrecord", "create"): 1, ("statuschange", "create"): 1, ("membership", "update"): 1}
RETURN_RECORDS = {("floatingrecord", "update"): 1, ("statuschange", "create"): 1, ("membership", "update"): 1}


def floating_members():
    new_members()
    statuses.record_floating(
        [
            Item(
                {
                    "membership": membership_of(name),
                    "place": f"去向-{position}",
                    "reason": "study",
                    "left_on": days_ago(100),
                }
            )
            for position, name in PLACES.items()
        ],
        by=SYSTEM,
    )


def float_data(name):
    return {
        "membership": membership_of(name).pk,
        "place": "矩阵去向",
        "reason": "away",
        "left_on": days_ago(3).isoformat(),
        "takes_part_in": "",
        "note": "",
    }


FLOATING = ScopedCase(
    name="floating_record",
    model=FloatingRecord,
    positions=dict(PLACES),
    find=lambda name: FloatingRecord.objects.select_related("membership__organization").get(
        membership__person__name=name
    ),
    owners=member_owners,
    setup=floating_members,
    marker_field="place",
    views=[
        ListPage("membership:floating_list", query={}),
        Export("membership:floating_list"),
        Page("membership:floating_add", action="add", label="form"),
        Create(
            "membership:floating_add",
            places=dict(NEW_MEMBERS),
            data=float_data,
            needs=[NEW_MEMBER_OWNERS],
            created=lambda name: FloatingRecord.objects.filter(membership__person__name=name),
            records=lambda name: FLOAT_RECORDS,
        ),
        Detail("membership:floating_edit", action="change", label="form"),
        Edit("membership:floating_edit", change=("place", "矩阵改去向"), fields=FLOATING_FIELDS),
        Detail("membership:floating_return", action="change", label="form"),
        Action(
            "membership:floating_return",
            data=lambda r: {"date": TODAY(), "note": "返回"},
            done=lambda r: FloatingRecord.objects.get(pk=r.pk).returned_on is not None,
            records=lambda r: RETURN_RECORDS,
        ),
    ],
)


# 表彰 ---------------------------------------------------------------------------------------------------------
AWARD_FIELDS = ["title", "level", "person", "organization", "awarded_on", "awarded_by", "document"]


def award_owners(award):
    return school_owners(award.person.school) if award.person_id else [award.organization]


ON_PERSON = Needs(lambda a: award_owners(a), action="view", model=Person, field="person")


def person_awards():
    records.record_awards(
        [
            Item(
                {
                    "title": "excellent_member",
                    "level": "district",
                    "person": Person.objects.get(name=name),
                    "awarded_on": days_ago(30),
                    "awarded_by": f"表彰机关-{position}",
                }
            )
            for position, name in PLACES.items()
        ],
        by=SYSTEM,
    )


def new_award(a, api=False):
    values = {
        "title": "excellent_worker",
        "level": "school",
        "person": a.person_id,
        "awarded_on": days_ago(2).isoformat(),
        "awarded_by": "矩阵表彰机关",
        "document": "矩阵新表彰",
    }
    return values if api else {**values, "organization": ""}


def new_awards(a):
    return Award.objects.filter(person=a.person_id, title="excellent_worker")


AWARDS = ScopedCase(
    name="award",
    model=Award,
    positions=dict(PLACES),
    find=lambda name: Award.objects.select_related("person__school").get(person__name=name),
    owners=award_owners,
    setup=person_awards,
    marker_field="awarded_by",
    views=[
        ListPage("membership:award_list", query={}),
        Export("membership:award_list"),
        Page("membership:award_add", action="add", label="form"),
        Create("membership:award_add", data=new_award, needs=[ON_PERSON], created=new_awards),
        Detail("membership:award_edit", action="change", label="form"),
        Edit("membership:award_edit", change=("document", "矩阵改文号"), fields=AWARD_FIELDS),
        Confirm(
            "membership:award_delete",
            label="confirm",
            action="delete",
            says=lambda a: a.person.name,
            done=lambda a: not Award.objects.filter(pk=a.pk).exists(),
        ),
        Delete("membership:award_delete"),
        QueryPage(
            "membership:person_suggest",
            model=Person,
            query=lambda a: {"q": a.person.name},
            shows=lambda a: f'data-code="{a.person_id}"',
        ),
        ApiList("award-list"),
        ApiDetail("award-detail"),
        ApiCreate("award-list", body=lambda a: new_award(a, api=True), needs=[ON_PERSON], created=new_awards),
        ApiPatch(
            "award-detail", body=lambda a: {"document": "接口改了"}, done=lambda a: a.document == "接口改了"
        ),
        ApiDelete("award-detail"),
    ],
)
ORGS = {
    "own": "CS430104-02-01",
    "sibling": "CS430104-01",
    "other_district": "CS430102-01",
    "city": "CS430100-01-01",
}


def organization_awards():
    records.record_awards(
        [
            Item(
                {
                    "title": "advanced_organization",
                    "level": "district",
                    "organization": PartyOrganization.objects.get(code=code),
                    "awarded_on": days_ago(30),
                    "awarded_by": f"组织表彰-{position}",
                }
            )
            for position, code in ORGS.items()
        ],
        by=SYSTEM,
    )


ORG_AWARDS = ScopedCase(
    name="organization_award",
    model=Award,
    positions=dict(ORGS),
    find=lambda code: Award.objects.get(organization__code=code),
    owners=award_owners,
    setup=organization_awards,
    marker_field="awarded_by",
    views=[
        ListPage("membership:award_list", query={}, label="organization"),
        ApiDetail("award-detail", label="organization"),
        ApiCreate(
            "award-list",
            label="organization",
            body=lambda a: {
                "title": "advanced_organization",
                "level": "city",
                "organization": a.organization.code,
                "awarded_on": days_ago(2).isoformat(),
                "awarded_by": "市委教育工委",
            },
            needs=[
                Needs(
                    lambda a: [a.organization], action="view", model=PartyOrganization, field="organization"
                )
            ],
            created=lambda a: Award.objects.filter(organization=a.organization_id, level="city"),
        ),
    ],
)


# 党纪处分 -----------------------------------------------------------------------------------------------------
DISCIPLINE_FIELDS = [
    "membership",
    "kind",
    "decided_on",
    "decided_by",
    "document",
    "reason",
    "period_months",
    "lifted_on",
]
ON_DISCIPLINED = Needs(lambda d: member_owners(d), action="change", model=Membership, field="membership")


def warnings():
    records.record_discipline(
        [
            Item(
                {
                    "membership": membership_of(name),
                    "kind": "warning",
                    "decided_on": days_ago(60),
                    "decided_by": f"纪委-{position}",
                    "document": f"纪〔{position}〕1号",
                    "reason": "违纪",
                }
            )
            for position, name in PLACES.items()
        ],
        by=SYSTEM,
    )


def new_measure(d, api=False):
    values = {
        "membership": d.membership_id,
        "kind": "serious_warning",
        "decided_on": days_ago(2).isoformat(),
        "decided_by": "矩阵纪委",
        "document": "矩阵新处分",
        "reason": "违纪",
    }
    return values if api else {**values, "period_months": "", "lifted_on": ""}


def new_measures(d):
    return Discipline.objects.filter(membership=d.membership_id, kind="serious_warning")


def find_measure(kind):
    return lambda name: Discipline.objects.select_related(
        "membership__organization", "membership__person"
    ).get(membership__person__name=name, kind=kind)


DISCIPLINE = ScopedCase(
    name="discipline",
    model=Discipline,
    positions=dict(PLACES),
    find=find_measure("warning"),
    owners=member_owners,
    setup=warnings,
    marker_field="decided_by",
    views=[
        ListPage("membership:discipline_list", action=VIEW_DISCIPLINE, query={}),
        Export("membership:discipline_list", list_action=VIEW_DISCIPLINE),
        Detail("membership:discipline_detail", action=VIEW_DISCIPLINE, logs="read"),
        Page("membership:discipline_add", action="add", label="form"),
        Create("membership:discipline_add", data=new_measure, needs=[ON_DISCIPLINED], created=new_measures),
        Detail("membership:discipline_edit", action="change", label="form"),
        Edit("membership:discipline_edit", change=("document", "矩阵改文号"), fields=DISCIPLINE_FIELDS),
        Confirm(
            "membership:discipline_delete",
            label="confirm",
            action="delete",
            says=lambda d: d.membership.person.name,
            done=lambda d: not Discipline.objects.filter(pk=d.pk).exists(),
        ),
        Delete("membership:discipline_delete"),
        ApiList("discipline-list", action=VIEW_DISCIPLINE),
        ApiDetail("discipline-detail", action=VIEW_DISCIPLINE),
        ApiCreate(
            "discipline-list",
            body=lambda d: new_measure(d, api=True),
            needs=[ON_DISCIPLINED],
            created=new_measures,
        ),
        ApiPatch(
            "discipline-detail",
            body=lambda d: {"document": "接口改了"},
            done=lambda d: d.document == "接口改了",
        ),
        ApiDelete("discipline-detail"),
    ],
)
LIFT_RECORDS = {("discipline", "update"): 1, ("membership", "update"): 1}


def probations():
    records.record_discipline(
        [
            Item(
                {
                    "membership": membership_of(name),
                    "kind": "probation",
                    "period_months": 12,
                    "decided_on": days_ago(400),
                    "decided_by": f"纪委-{position}",
                    "document": f"察〔{position}〕1号",
                    "reason": "违纪",
                }
            )
            for position, name in PLACES.items()
        ],
        by=SYSTEM,
    )


PROBATION = ScopedCase(
    name="discipline_probation",
    model=Discipline,
    positions=dict(PLACES),
    find=find_measure("probation"),
    owners=member_owners,
    setup=probations,
    marker_field="decided_by",
    views=[
        Detail("membership:discipline_lift", action="change", label="form"),
        Action(
            "membership:discipline_lift",
            data=lambda d: {"lifted_on": TODAY()},
            done=lambda d: Discipline.objects.get(pk=d.pk).lifted_on is not None,
            records=lambda d: LIFT_RECORDS,
        ),
    ],
)

globals().update(build_matrix(CHANGES, MEMBERS, FLOATING, AWARDS, ORG_AWARDS, DISCIPLINE, PROBATION))
