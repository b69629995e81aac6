"""The permission matrix of the registry (see redengine.testing.matrix): organizations and schools, with
every page, action, fragment and API method they have."""

from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import GuidanceRecord
from redengine.testing.matrix import (
    Action,
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
    ScopedCase,
    acts,
    build_matrix,
    org_ancestry,
)

MOVE_TARGET = "CS430104-02-02"  # 梅溪湖中学高中部党支部: inside the school secretary's subtree


def org(code):
    return PartyOrganization.objects.get(code=code)


def school_owners(school):
    covering = list(school.organizations.all())
    return covering or list(PartyOrganization.objects.filter(district=school.district))


def district_orgs(school):
    return list(PartyOrganization.objects.filter(district=school.district))


def org_deletable(o):
    return (
        o.delete_refusal() is None
        and not o.memberships.exists()
        and not o.startup_grants.exists()
        and not o.affiliation_changes.exists()
    )


def tree_top(run):
    """The outline starts at the organizations of the user's roles, each not under another of them."""
    tops = [a.organization for a in run.user.assignments() if acts(a, PartyOrganization, "view")]
    obj = run.subject
    ancestors = org_ancestry(obj)[1:]
    return any(t.pk == obj.pk for t in tops) and not any(t.pk in ancestors for t in tops)


def parent_code(o):
    fresh = PartyOrganization.objects.get(pk=o.pk)
    parent = PartyOrganization.objects.get_parent(fresh)
    return parent.code if parent else None


def movable(run):
    """Not under itself or its own subtree, and not where it already is."""
    target = org(MOVE_TARGET)
    return run.subject.pk not in org_ancestry(target) and parent_code(run.subject) != MOVE_TARGET


def move_records(o):
    """A path change of every organization of the subtree moved, and the affiliation change."""
    moved = 1 + PartyOrganization.objects.get_descendant_count(o)
    return {("partyorganization", "update"): moved, ("affiliationchange", "create"): 1}


def new_org(parent):
    return {
        "code": f"NEW-{parent.code}",
        "name": "新建测试支部",
        "org_type": "branch",
        "parent": parent.code,
        "founded_on": "",
        "schools": [],
    }


def reception(parent):
    return {
        "code": f"RCV-{parent.code}",
        "name": "接收测试支部",
        "org_type": "branch",
        "founded_on": "",
        "parent": parent.code,
        "old_parent_name": "外系统党委",
        "changed_on": "2025-01-01",
        "document_number": "矩阵〔2025〕1号",
    }


UNDER_PARENT = [Needs(lambda parent: [parent], action="add", field="parent")]

ORGANIZATIONS = ScopedCase(
    name="organization",
    model=PartyOrganization,
    lookup="code",
    owners=lambda o: [o],
    positions={
        "own": "CS430104-02-01",
        "sibling": "CS430104-01",
        "ancestor": "CS430104",
        "joint": "CS430104-04",
        "leaf": "CS430104-03",  # nothing uses it: the one that can be deleted
        "other_district": "CS430102-01",
        "root": "CS0001",
    },
    views=[
        ListPage("orgs:organization_list"),
        Export("orgs:organization_list"),
        ListPage("orgs:tree", shown=tree_top, query={}),
        # The pickers' suggestions: by name (the marker) within the scope, and where a new one may go.
        ListPage("orgs:organization_suggest", query={"q": "MARKER"}),
        ListPage(
            "orgs:organization_suggest",
            label="add",
            query={"q": "MARKER", "for": "add"},
            shown=lambda run: run.case.in_scope(run.user, run.subject, "add"),
        ),
        Detail("orgs:organization_detail"),
        Detail("orgs:tree_children"),
        Detail("people:organization_members"),
        Create(
            "orgs:organization_add",
            data=new_org,
            needs=UNDER_PARENT,
            created=lambda parent: PartyOrganization.objects.filter(code=f"NEW-{parent.code}"),
        ),
        Edit(
            "orgs:organization_edit",
            fields=["code", "name", "org_type", "founded_on", "last_election_on", "term_years", "schools"],
        ),
        Delete("orgs:organization_delete", deletable=org_deletable),
        Action(
            "orgs:affiliation_change",
            data=lambda o: {"new_parent": MOVE_TARGET, "changed_on": "2025-01-01", "document_number": "调"},
            needs=[Needs(lambda o: [org(MOVE_TARGET)], action="add", field="new_parent")],
            possible=movable,
            done=lambda o: parent_code(o) == MOVE_TARGET,
            records=move_records,
        ),
        Create(
            "orgs:receive",
            data=reception,
            needs=UNDER_PARENT,
            created=lambda parent: PartyOrganization.objects.filter(code=f"RCV-{parent.code}"),
            records=lambda parent: {("partyorganization", "create"): 1, ("affiliationchange", "create"): 1},
        ),
        ApiList("organization-list"),
        ApiDetail("organization-detail"),
        ApiCreate(
            "organization-list",
            body=lambda parent: {
                "code": f"API-{parent.code}",
                "name": "接口新建支部",
                "org_type": "branch",
                "parent": parent.code,
            },
            needs=UNDER_PARENT,
            created=lambda parent: PartyOrganization.objects.filter(code=f"API-{parent.code}"),
        ),
        ApiPatch(
            "organization-detail", body=lambda o: {"name": "接口改名"}, done=lambda o: o.name == "接口改名"
        ),
        ApiDelete("organization-detail", deletable=org_deletable),
    ],
)


def new_school(school, code_end="9999"):
    return {
        "code": f"{school.code[:6]}{code_end}",
        "name": "新建测试学校",
        "district": school.district,
        "ownership": "public",
        "school_type": "primary",
        "urban_rural": "rural",
    }


IN_DISTRICT = [Needs(district_orgs, action="add", field="district")]

SCHOOLS = ScopedCase(
    name="school",
    model=School,
    lookup="code",
    owners=school_owners,
    positions={
        "own": "4301040002",
        "sibling": "4301040001",
        "private": "4301040004",
        "empty": "4301040003",  # no staff, no dispatch: the one that can be deleted
        "other_district": "4301020001",
        "uncovered_other": "4301020003",  # covered by no organization: it lies with its district
        "city_direct": "4301000001",
    },
    views=[
        ListPage("orgs:school_list"),
        ListPage("orgs:school_suggest", query={"q": "MARKER"}),
        Export("orgs:school_list"),
        Detail("orgs:school_detail"),
        Detail("people:school_staff_summary"),
        Detail("people:school_guidance", model=GuidanceRecord),
        Create(
            "orgs:school_add",
            data=new_school,
            needs=IN_DISTRICT,
            created=lambda s: School.objects.filter(code=f"{s.code[:6]}9999"),
        ),
        Edit(
            "orgs:school_edit",
            fields=["code", "name", "district", "ownership", "school_type", "urban_rural", "city_managed"],
        ),
        Delete("orgs:school_delete", deletable=lambda s: not s.staff.exists() and not s.dispatches.exists()),
        ApiList("school-list"),
        ApiDetail("school-detail"),
        ApiCreate(
            "school-list",
            body=lambda s: {**new_school(s, "9998"), "name": "接口新建学校"},
            needs=IN_DISTRICT,
            created=lambda s: School.objects.filter(code=f"{s.code[:6]}9998"),
        ),
        ApiPatch("school-detail", body=lambda s: {"name": "接口改名"}, done=lambda s: s.name == "接口改名"),
        ApiDelete("school-detail", deletable=lambda s: not s.staff.exists() and not s.dispatches.exists()),
    ],
)

globals().update(build_matrix(ORGANIZATIONS, SCHOOLS))
