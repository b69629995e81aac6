"""The permission matrix for people's records and the private-school records (see redengine.testing.matrix)."""

import datetime

from redengine.core.validators import make_id_number
from redengine.orgs.models import AffiliationChange, GrantStandard, PartyOrganization, StartupGrant
from redengine.people.models import CommitteePost, Dispatch, Honor, Membership, Person
from redengine.testing.matrix import ScopedCase, build_matrix


def school_owners(school):
    return list(school.organizations.all()) or list(
        PartyOrganization.objects.filter(district=school.district)
    )


NAMES = {
    "own": "梅溪湖张老师",
    "sibling": "麓山赵老师",
    "private": "明德孙老师",
    "other_district": "芙蓉周老师",
    "city_direct": "一中郑老师",
}

PEOPLE = ScopedCase(
    name="person",
    model=Person,
    lookup="name",
    owners=lambda p: school_owners(p.school),
    url_prefix="people:person",
    api_url="/api/people/people/",
    positions=NAMES,
    edit_fields=["name", "ethnic_group", "education", "school", "post", "front_line", "political_status"],
    deletable=lambda p: not p.dispatches.exists() and not p.committee_posts.exists(),
    create_data=lambda p: {
        "name": "新建测试人员",
        "id_number": make_id_number("430104", datetime.date(1991, 1, 1), 7),
        "school": p.school_id,
        "post": "teacher",
        "political_status": "masses",
        "ethnic_group": "01",
        "education": "bachelor",
    },
    create_owners=lambda p: school_owners(p.school),
)


def set_person_name(obj, marker):
    Person.objects.filter(pk=obj.person_id).update(name=marker)


HONORS = ScopedCase(
    name="honor",
    model=Honor,
    lookup="person__name",
    owners=lambda h: school_owners(h.person.school),
    url_prefix=None,
    list_url="people:honor_list",
    api_url="/api/people/honors/",
    positions={k: NAMES[k] for k in ["own", "sibling", "other_district", "city_direct"]},
    mark=set_person_name,
    patch=lambda h: {"level": "school"},
    patched=lambda h: h.level == "school",
)
DISPATCHES = ScopedCase(
    name="dispatch",
    model=Dispatch,
    lookup="person__name",
    owners=lambda d: school_owners(d.school),
    url_prefix=None,
    list_url="people:dispatch_list",
    api_url="/api/people/dispatches/",
    positions={"yuelu": "麓山赵老师", "furong": "芙蓉周老师", "city": "一中郑老师"},
    marker_field="dispatching_body",
)
MEMBERSHIPS = ScopedCase(
    name="membership",
    model=Membership,
    lookup="person__name",
    owners=lambda m: [m.organization],
    url_prefix=None,
    api_url="/api/people/memberships/",
    positions={
        "own": "梅溪湖张老师",
        "probationary": "梅溪湖李老师",
        "sibling": "麓山赵老师",
        "other_district": "芙蓉周老师",
        "city_direct": "一中郑老师",
    },
    patch=lambda m: {"ended_on": "2025-06-30"},
    patched=lambda m: m.ended_on == datetime.date(2025, 6, 30),
)
POSTS = ScopedCase(
    name="committee_post",
    model=CommitteePost,
    lookup="person__name",
    owners=lambda p: [p.organization],
    url_prefix=None,
    api_url="/api/people/committee-posts/",
    positions={
        "own": "梅溪湖王校长",
        "sibling": "麓山赵老师",
        "other_district": "芙蓉周老师",
        "city": "一中郑老师",
    },
    patch=lambda p: {"post": "deputy_secretary"},
    patched=lambda p: p.post == "deputy_secretary",
)
GRANTS = ScopedCase(
    name="startup_grant",
    model=StartupGrant,
    lookup="organization__code",
    owners=lambda g: [g.organization],
    url_prefix=None,
    api_url="/api/orgs/startup-grants/",
    positions={"joint": "CS430104-04", "city": "CS430100-02"},
    patch=lambda g: {"amount": "1234.00"},
    patched=lambda g: str(g.amount) == "1234.00",
)
STANDARDS = ScopedCase(
    name="grant_standard",
    model=GrantStandard,
    lookup="org_type",
    owners=lambda s: [],
    global_table=True,
    url_prefix=None,
    api_url="/api/orgs/grant-standards/",
    positions={"branch": "branch", "committee": "committee"},
    patch=lambda s: {"amount": "6000.00"},
    patched=lambda s: str(s.amount) == "6000.00",
)
AFFILIATIONS = ScopedCase(
    name="affiliation_change",
    model=AffiliationChange,
    lookup="organization__code",
    owners=lambda a: [a.organization],
    url_prefix=None,
    api_url="/api/orgs/affiliation-changes/",
    positions={"received": "CS430105-02"},
    api_read_only=True,
    patch=lambda a: {"document_number": "改"},
    patched=lambda a: a.document_number == "改",
)

globals().update(
    build_matrix(PEOPLE, HONORS, DISPATCHES, MEMBERSHIPS, POSTS, GRANTS, STANDARDS, AFFILIATIONS)
)
