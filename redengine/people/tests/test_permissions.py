"""The permission matrix of people's records and the private-school records (see redengine.testing.matrix):
people, titles, dispatches, memberships, committee posts, start-up funds, fund standards and affiliation
changes, with every page, action, fragment and API method they have."""

import datetime

from django.utils import timezone

from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM
from redengine.orgs.models import AffiliationChange, GrantStandard, PartyOrganization, StartupGrant
from redengine.orgs.services import Reception, receive_organizations, save_grants
from redengine.people.models import CommitteePost, Dispatch, GuidanceRecord, Honor, Membership, Person
from redengine.testing.matrix import (
    Action,
    ApiAction,
    ApiCreate,
    ApiDelete,
    ApiDetail,
    ApiList,
    ApiPatch,
    Create,
    Delete,
    Detail,
    Edit,
    Export,
    ListPage,
    Needs,
    Page,
    ScopedCase,
    build_matrix,
)


def org(code):
    return PartyOrganization.objects.get(code=code)


def person(name):
    return Person.objects.get(name=name)


def school_owners(school):
    return list(school.organizations.all()) or list(
        PartyOrganization.objects.filter(district=school.district)
    )


def person_owners(p):
    return school_owners(p.school)


def set_person_name(obj, marker):
    Person.objects.filter(pk=obj.person_id).update(name=marker)


def set_org_name(obj, marker):
    PartyOrganization.objects.filter(pk=obj.organization_id).update(name=marker)


# 人员 ------------------------------------------------------------------------------------------------
NAMES = {
    "own": "梅溪湖张老师",
    "sibling": "麓山赵老师",
    "private": "明德孙老师",  # no membership, title, dispatch or post: the one whose deletion goes through
    "other_district": "芙蓉周老师",
    "city_direct": "一中郑老师",
}


def cascade(p):
    """Deleting a person deletes their memberships and titles with them, each with its record."""
    return {
        key: n
        for key, n in {
            ("person", "delete"): 1,
            ("membership", "delete"): p.memberships.count(),
            ("honor", "delete"): p.honors.count(),
        }.items()
        if n
    }


def new_person(p, name="新建测试人员", sequence=7, school=None):
    return {
        "name": name,
        "id_number": make_id_number("430104", datetime.date(1991, 1, 1), sequence),
        "school": school if school is not None else p.school_id,
        "post": "teacher",
        "political_status": "masses",
        "ethnic_group": "01",
        "education": "bachelor",
    }


AT_SCHOOL = [Needs(person_owners, action="add", field="school")]
PERSON_DELETABLE = lambda p: not p.dispatches.exists() and not p.committee_posts.exists()  # noqa: E731

PEOPLE = ScopedCase(
    name="person",
    model=Person,
    lookup="name",
    owners=person_owners,
    positions=NAMES,
    views=[
        ListPage("people:person_list"),
        Export("people:person_list"),
        Page("people:completeness"),
        Detail("people:person_detail"),
        Detail("development:person_cases"),
        Detail("people:person_reveal", action="reveal", http="post", logs="reveal"),
        Create(
            "people:person_add",
            data=new_person,
            needs=AT_SCHOOL,
            created=lambda p: Person.objects.filter(name="新建测试人员"),
        ),
        Edit(
            "people:person_edit",
            fields=["name", "ethnic_group", "education", "school", "post", "front_line", "political_status"],
        ),
        Delete("people:person_delete", deletable=PERSON_DELETABLE, records=cascade),
        ApiList("person-list"),
        ApiDetail("person-detail"),
        ApiCreate(
            "person-list",
            body=lambda p: {**new_person(p, "接口新建人员", 8, p.school.code)},
            needs=AT_SCHOOL,
            created=lambda p: Person.objects.filter(name="接口新建人员"),
        ),
        ApiPatch("person-detail", body=lambda p: {"name": "接口改名"}, done=lambda p: p.name == "接口改名"),
        ApiDelete("person-detail", deletable=PERSON_DELETABLE, records=cascade),
        ApiAction("person-reveal", action="reveal", logs="reveal"),
    ],
)


# 称号 ------------------------------------------------------------------------------------------------
OF_PERSON = Needs(lambda r: person_owners(r.person), action="change", model=Person, field="person")


def new_honor(h):
    return {
        "person": h.person_id,
        "title": "excellent_teacher",
        "level": "school",
        "awarded_on": "2025-09-10",
    }


HONORS = ScopedCase(
    name="honor",
    model=Honor,
    lookup="person__name",
    owners=lambda h: person_owners(h.person),
    positions={k: NAMES[k] for k in ["own", "sibling", "other_district", "city_direct"]},
    mark=set_person_name,
    views=[
        ListPage("people:honor_list"),
        Export("people:honor_list"),
        Create(
            "people:honor_add",
            query=lambda h: {"person": h.person_id},
            parent=OF_PERSON,
            data=lambda h: {**new_honor(h), "lapsed_on": ""},
            created=lambda h: Honor.objects.filter(person=h.person_id, awarded_on="2025-09-10"),
        ),
        Edit(
            "people:honor_edit",
            change=("level", "school"),
            fields=["person", "title", "level", "awarded_on", "lapsed_on"],
        ),
        Delete("people:honor_delete"),
        ApiList("honor-list"),
        ApiDetail("honor-detail"),
        ApiCreate(
            "honor-list",
            body=new_honor,
            needs=[OF_PERSON],
            created=lambda h: Honor.objects.filter(person=h.person_id, awarded_on="2025-09-10"),
        ),
        ApiPatch("honor-detail", body=lambda h: {"level": "school"}, done=lambda h: h.level == "school"),
        ApiDelete("honor-detail"),
    ],
)


# 选派 ------------------------------------------------------------------------------------------------
def new_dispatch(d):
    return {
        "person": d.person_id,
        "role": "instructor",
        "school": d.school_id,
        "dispatching_body": "矩阵派出单位",
        "public": True,
        "start_on": "2025-09-01",
    }


TO_SCHOOL = Needs(lambda d: school_owners(d.school), action="add", field="school")
NEW_DISPATCH = lambda d: Dispatch.objects.filter(dispatching_body="矩阵派出单位")  # noqa: E731
UNGUIDED = lambda d: not d.guidance_records.exists()  # noqa: E731 (a dispatch with guidance records stays)

DISPATCHES = ScopedCase(
    name="dispatch",
    model=Dispatch,
    lookup="person__name",
    owners=lambda d: school_owners(d.school),
    positions={"yuelu": "麓山赵老师", "furong": "芙蓉周老师", "city": "一中郑老师"},
    marker_field="dispatching_body",
    views=[
        ListPage("people:dispatch_list", query={}),
        Export("people:dispatch_list"),
        Create(
            "people:dispatch_add",
            query=lambda d: {"person": d.person_id},
            parent=OF_PERSON,
            needs=[TO_SCHOOL],
            data=lambda d: {**new_dispatch(d), "public": "on", "end_on": ""},
            created=NEW_DISPATCH,
        ),
        Edit(
            "people:dispatch_edit",
            change=("dispatching_body", "改派出单位"),
            fields=["person", "role", "school", "dispatching_body", "public", "start_on", "end_on"],
        ),
        Delete("people:dispatch_delete", deletable=UNGUIDED),
        ApiList("dispatch-list"),
        ApiDetail("dispatch-detail"),
        ApiCreate(
            "dispatch-list",
            body=lambda d: {**new_dispatch(d), "school": d.school.code},
            needs=[OF_PERSON, TO_SCHOOL],
            created=NEW_DISPATCH,
        ),
        ApiPatch(
            "dispatch-detail",
            body=lambda d: {"dispatching_body": "接口改名"},
            done=lambda d: d.dispatching_body == "接口改名",
        ),
        ApiDelete("dispatch-detail", deletable=UNGUIDED),
    ],
)


# 指导记录 --------------------------------------------------------------------------------------------
# Positions: the demo instructor's own latest record (at a school his roles reach) and one at another
# district's school. Only the instructor writes, and only for his own dispatches: every record in his scope
# that is sampled is his own (another instructor's record in his scope is refused: test_guidance.py).
def instructor_dispatch(key):
    name, school = key
    return Dispatch.objects.get(person__name=name, school__code=school, role="instructor")


def latest_record(key):
    return (
        GuidanceRecord.objects.filter(dispatch=instructor_dispatch(key)).order_by("-held_on", "-pk").first()
    )


GUIDANCE_DISPATCHES = {"own": ("刘卫东", "4301040004"), "other_district": ("芙蓉周老师", "4301020003")}
NEW_GUIDANCE = "矩阵新指导记录"

GUIDANCE = ScopedCase(
    name="guidance",
    model=GuidanceRecord,
    find=latest_record,
    owners=lambda r: school_owners(r.school),
    positions=GUIDANCE_DISPATCHES,
    marker_field="content",
    views=[
        ListPage("people:guidance_list", query={}),
        Export("people:guidance_list"),
        Create(
            "people:guidance_add",
            places=GUIDANCE_DISPATCHES,
            needs=[
                Needs(
                    lambda key: school_owners(instructor_dispatch(key).school), action="add", field="dispatch"
                )
            ],
            data=lambda key: {
                "dispatch": instructor_dispatch(key).pk,
                "held_on": timezone.localdate().isoformat(),
                "kind": "guidance",
                "content": NEW_GUIDANCE,
            },
            created=lambda key: GuidanceRecord.objects.filter(content=NEW_GUIDANCE),
        ),
        Edit(
            "people:guidance_edit",
            change=("content", "改指导内容"),
            fields=["dispatch", "held_on", "kind", "content", "issues", "follow_up"],
        ),
    ],
)


# 党籍 ------------------------------------------------------------------------------------------------
# A new membership: (person without one, organization). The last names an organization of another district.
MEMBERSHIP_PLACES = {
    "own": ("梅溪湖陈老师", "CS430104-02-01"),
    "sibling": ("麓山钱老师", "CS430104-01"),
    "joint": ("明德孙老师", "CS430104-04"),
    "other_district": ("芙蓉吴老师", "CS430102-01"),
    "organization_elsewhere": ("梅溪湖陈老师", "CS430102-01"),
}
NAMED_PERSON = Needs(
    lambda place: person_owners(person(place[0])), action="change", model=Person, field="person"
)
IN_ORGANIZATION = Needs(lambda place: [org(place[1])], action="add", field="organization")


def new_membership(place):
    return {"person": person(place[0]).pk, "admitted_on": "2025-06-01"}


def created_membership(place):
    return Membership.objects.filter(person__name=place[0], admitted_on="2025-06-01")


MEMBERSHIP_RECORDS = {("membership", "create"): 1, ("person", "update"): 1}

MEMBERSHIPS = ScopedCase(
    name="membership",
    model=Membership,
    lookup="person__name",
    owners=lambda m: [m.organization],
    positions={
        "own": "梅溪湖张老师",
        "probationary": "梅溪湖李老师",
        "sibling": "麓山赵老师",
        "other_district": "芙蓉周老师",
        "city_direct": "一中郑老师",
    },
    views=[
        Create(
            "people:membership_add",
            places=MEMBERSHIP_PLACES,
            query=lambda place: {"person": person(place[0]).pk},
            parent=NAMED_PERSON,
            needs=[IN_ORGANIZATION],
            data=lambda place: {
                **new_membership(place),
                "organization": org(place[1]).pk,
                "full_on": "",
                "ended_on": "",
            },
            created=created_membership,
            records=lambda place: MEMBERSHIP_RECORDS,
        ),
        Edit(
            "people:membership_edit",
            change=("ended_on", "2025-06-30"),
            fields=["person", "organization", "admitted_on", "full_on"],
            records=lambda m: {("membership", "update"): 1, ("person", "update"): 1},
        ),
        ApiList("membership-list"),
        ApiDetail("membership-detail"),
        ApiCreate(
            "membership-list",
            places=MEMBERSHIP_PLACES,
            body=lambda place: {**new_membership(place), "organization": place[1]},
            needs=[NAMED_PERSON, IN_ORGANIZATION],
            created=created_membership,
            records=lambda place: MEMBERSHIP_RECORDS,
        ),
        ApiPatch(
            "membership-detail",
            body=lambda m: {"ended_on": "2025-06-30"},
            done=lambda m: m.ended_on == datetime.date(2025, 6, 30),
            records=lambda m: {("membership", "update"): 1, ("person", "update"): 1},
        ),
        ApiDelete(
            "membership-detail", records=lambda m: {("membership", "delete"): 1, ("person", "update"): 1}
        ),
    ],
)


# 委员 ------------------------------------------------------------------------------------------------
# A new post: (person, organization). The person is a full member (the service refuses any other): the last is a
# post of a 岳麓区 committee for a person of 芙蓉区.
POST_PLACES = {
    "own": ("梅溪湖张老师", "CS430104-02-01"),
    "sibling": ("梅溪湖王校长", "CS430104-01"),
    "other_district": ("芙蓉周老师", "CS430102-02"),
    "person_elsewhere": ("芙蓉周老师", "CS430104-02"),
}
POST_END = "2025-10-01"

POSTS = ScopedCase(
    name="committee_post",
    model=CommitteePost,
    lookup="person__name",
    owners=lambda p: [p.organization],
    positions={
        "own": "梅溪湖王校长",
        "sibling": "麓山赵老师",
        "other_district": "芙蓉周老师",
        "city": "一中郑老师",
    },
    views=[
        Action(
            "people:post_end",
            data=lambda p: {"end_on": POST_END},
            done=lambda p: str(CommitteePost.objects.get(pk=p.pk).end_on) == POST_END,
            records=lambda p: {("committeepost", "update"): 1},
        ),
        ApiList("committeepost-list"),
        ApiDetail("committeepost-detail"),
        ApiCreate(
            "committeepost-list",
            places=POST_PLACES,
            body=lambda place: {
                "organization": place[1],
                "person": person(place[0]).pk,
                "post": "member",
                "start_on": "2025-09-01",
            },
            needs=[IN_ORGANIZATION, NAMED_PERSON],
            created=lambda place: CommitteePost.objects.filter(person__name=place[0], start_on="2025-09-01"),
        ),
        ApiPatch(
            "committeepost-detail",
            body=lambda p: {"post": "deputy_secretary"},
            done=lambda p: p.post == "deputy_secretary",
        ),
        ApiDelete("committeepost-detail"),
    ],
)


# 添加委员: a post recorded from the organization's page, for a full member of its subtree (the picker's).
POST_ADD_PEOPLE = {
    "CS430104-02-01": "梅溪湖张老师",
    "CS430104": "梅溪湖王校长",
    "CS430102": "芙蓉周老师",
    "CS430100-01-01": "一中郑老师",
}
POST_ADDED = datetime.date(2025, 9, 1)

POST_ADD = ScopedCase(
    name="committee_post_add",
    model=PartyOrganization,
    lookup="code",
    owners=lambda o: [o],
    positions={
        "own": "CS430104-02-01",
        "district": "CS430104",
        "other_district": "CS430102",
        "city": "CS430100-01-01",
    },
    views=[
        Action(
            "people:post_add",
            action="add",
            model=CommitteePost,
            data=lambda o: {
                "person": person(POST_ADD_PEOPLE[o.code]).pk,
                "post": "member",
                "start_on": POST_ADDED,
            },
            done=lambda o: CommitteePost.objects.filter(organization=o, start_on=POST_ADDED).exists(),
            records=lambda o: {("committeepost", "create"): 1},
        ),
    ],
)


# 启动经费 and its standards ------------------------------------------------------------------------
def grant_at_own_branch():
    save_grants(
        [Item({"organization": org("CS430104-02-01"), "amount": "5000.00", "approved_on": "2024-03-01"})],
        by=SYSTEM,
    )


GRANT_PLACES = {"own": "CS430104-02", "sibling": "CS430104-01", "other_district": "CS430102-01"}
NEW_GRANT = lambda code: StartupGrant.objects.filter(organization__code=code)  # noqa: E731
OF_ORGANIZATION = [Needs(lambda code: [org(code)], action="add", field="organization")]

GRANTS = ScopedCase(
    name="startup_grant",
    model=StartupGrant,
    lookup="organization__code",
    owners=lambda g: [g.organization],
    positions={"own": "CS430104-02-01", "joint": "CS430104-04", "city": "CS430100-02"},
    setup=grant_at_own_branch,
    mark=set_org_name,
    views=[
        ListPage("orgs:grant_list", query={}),
        Export("orgs:grant_list"),
        Create(
            "orgs:grant_add",
            places=GRANT_PLACES,
            data=lambda code: {
                "organization": org(code).pk,
                "amount": "5000.00",
                "approved_on": "2025-03-01",
                "paid_on": "",
            },
            needs=OF_ORGANIZATION,
            created=NEW_GRANT,
        ),
        Edit(
            "orgs:grant_edit",
            change=("amount", "1234.00"),
            fields=["organization", "amount", "approved_on", "paid_on"],
        ),
        Delete("orgs:grant_delete"),
        ApiList("startupgrant-list"),
        ApiDetail("startupgrant-detail"),
        ApiCreate(
            "startupgrant-list",
            places=GRANT_PLACES,
            body=lambda code: {"organization": code, "amount": "5000.00", "approved_on": "2025-03-01"},
            needs=OF_ORGANIZATION,
            created=NEW_GRANT,
        ),
        ApiPatch(
            "startupgrant-detail",
            body=lambda g: {"amount": "1234.00"},
            done=lambda g: str(g.amount) == "1234.00",
        ),
        ApiDelete("startupgrant-detail"),
    ],
)

NEW_STANDARD = lambda _place: GrantStandard.objects.filter(valid_from=2031)  # noqa: E731

STANDARDS = ScopedCase(
    name="grant_standard",
    model=GrantStandard,
    lookup="org_type",
    owners=lambda s: [],
    global_table=True,
    positions={"branch": "branch", "committee": "committee"},
    views=[
        ListPage("orgs:standard_list", text=lambda s: f'data-pk="{s.pk}"'),  # its row (linked for editors)
        Export("orgs:standard_list", text=lambda s: str(s.get_org_type_display())),
        Create(
            "orgs:standard_add",
            places={"city": "branch"},
            data=lambda org_type: {"org_type": org_type, "valid_from": 2031, "amount": "6000.00"},
            created=NEW_STANDARD,
        ),
        Edit("orgs:standard_edit", change=("amount", "6000.00"), fields=["org_type", "valid_from", "amount"]),
        Delete("orgs:standard_delete"),
        ApiList("grantstandard-list"),
        ApiDetail("grantstandard-detail"),
        ApiCreate(
            "grantstandard-list",
            places={"city": "branch"},
            body=lambda org_type: {"org_type": org_type, "valid_from": 2031, "amount": "6000.00"},
            created=NEW_STANDARD,
        ),
        ApiPatch(
            "grantstandard-detail",
            body=lambda s: {"amount": "6000.00"},
            done=lambda s: str(s.amount) == "6000.00",
        ),
        ApiDelete("grantstandard-detail"),
    ],
)


# 隶属关系调整 ---------------------------------------------------------------------------------------
def received_under_own_school():
    values = {"code": "RCV-MATRIX", "name": "矩阵接收支部", "org_type": "branch"}
    reception = Reception(org("CS430104-02"), "外系统党委", datetime.date(2024, 1, 1), values, "矩阵号")
    receive_organizations([reception], by=SYSTEM)


AFFILIATIONS = ScopedCase(
    name="affiliation_change",
    model=AffiliationChange,
    lookup="organization__code",
    owners=lambda a: [a.organization],
    positions={"own": "RCV-MATRIX", "other_district": "CS430105-02"},
    setup=received_under_own_school,
    marker_field="document_number",
    views=[
        ListPage("orgs:affiliation_list", query={}),
        Export("orgs:affiliation_list"),
        ApiList("affiliationchange-list"),
        ApiDetail("affiliationchange-detail"),
        # Read-only: a move is made by its service (orgs:affiliation_change), a reception by orgs:receive.
        ApiCreate("affiliationchange-list", writable=False),
        ApiPatch("affiliationchange-detail", writable=False),
        ApiDelete("affiliationchange-detail", writable=False),
    ],
)

globals().update(
    build_matrix(
        PEOPLE, HONORS, DISPATCHES, GUIDANCE, MEMBERSHIPS, POSTS, POST_ADD, GRANTS, STANDARDS, AFFILIATIONS
    )
)
