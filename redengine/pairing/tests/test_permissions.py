"""The permission matrix of pairing (see redengine.testing.matrix): pairs, their activities and the
activities' files, with every page, form, fragment and API method they have; the overview and the school
page's panel.

The sample pairs sit in five places of the demo tree: the secretary's own (urban) school with a rural school
of the same district, two other schools of the district (the rural one covered by the instructor's joint
branch), a pair across two districts (a 芙蓉区 urban school with the 岳麓区 rural one), a pair of another
district, and a city-direct school with a rural school of 望城区. A pair is seen at either school and written
only with both schools in scope (``both``: the matrix's own reading of that rule, school by school); an
activity and its files lie at the pair (either school)."""

from dataclasses import dataclass

from django.urls import reverse

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization, School
from redengine.pairing.models import PairActivity, PairActivityFile, SchoolPair
from redengine.pairing.services import record_activities, record_pairs
from redengine.testing.matrix import (
    MISSING_PK,
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

from .helpers import (
    CHAOYANG,
    LIANHUA,
    LUSHAN,
    MEIXIHU,
    PNG,
    QIAOKOU,
    WEISHAN,
    XINGCHEN,
    YIZHONG,
    YUTAN,
    days_ago,
)

PLACES = {
    "own": (MEIXIHU, LIANHUA),
    "sibling": (LUSHAN, XINGCHEN),
    "cross": (CHAOYANG, LIANHUA),
    "other_district": (YUTAN, WEISHAN),
    "city": (YIZHONG, QIAOKOU),
}
GOALS = {position: f"结对目标-{position}" for position in PLACES}
TITLES = {position: f"结对活动-{position}" for position in PLACES}
FILES = {position: f"结对照片-{position}.png" for position in PLACES}
MISSING_CODE = "CS-NO-SUCH-ORGANIZATION"


def school(code):
    return School.objects.get(code=code)


def school_owners(s):
    """The organizations covering the school, else its district's (where an uncovered school lies)."""
    return list(s.organizations.all()) or list(PartyOrganization.objects.filter(district=s.district))


def pair_owners(p):
    return school_owners(p.urban) + school_owners(p.rural)


def sample_pairs():
    """A pair at each place, agreed 400 days ago and ended 200 days ago (a new one of the same schools may
    be recorded from then on)."""
    return record_pairs(
        [
            Item(
                {
                    "urban": school(urban),
                    "rural": school(rural),
                    "agreed_on": days_ago(400),
                    "ended_on": days_ago(200),
                    "goals": GOALS[position],
                }
            )
            for position, (urban, rural) in PLACES.items()
        ],
        by=SYSTEM,
    )


def sample_activities(files=False):
    pairs = sample_pairs()
    record_activities(
        [
            Item(
                {
                    "pair": pair,
                    "kind": "shadowing",
                    "date": days_ago(300),
                    "title": TITLES[position],
                    "students": 5,
                },
                extra={"files": [(FILES[position], PNG)] if files else []},
            )
            for position, pair in zip(PLACES, pairs, strict=True)
        ],
        by=SYSTEM,
    )


def sample_files():
    sample_activities(files=True)


def both(run, action):
    """The matrix's reading of "a pair is written with both its schools in scope": each school in turn."""
    p, case, user = run.subject, run.case, run.user
    if p is None:
        return False
    return case.owners_in_scope(user, school_owners(p.urban), action) and case.owners_in_scope(
        user, school_owners(p.rural), action
    )


class BothSchools:
    def in_scope(self, run, action=None):
        action = action or self.action
        return both(run, action) if action in ("change", "delete") else super().in_scope(run, action)


@dataclass
class PairEdit(BothSchools, Edit):
    pass


@dataclass
class PairDelete(BothSchools, Delete):
    pass


@dataclass
class PairApiPatch(BothSchools, ApiPatch):
    pass


@dataclass
class PairApiDelete(BothSchools, ApiDelete):
    pass


@dataclass
class QueryPage(View):
    """A page that takes its record by the query string: 403 for a role without the action; 404 when the
    record is outside the scope (``scope``), exactly as for one that does not exist (``missing``); else 200,
    showing ``shows``."""

    query: object = None
    missing: dict | None = None
    scope: object = None
    shows: object = None

    kind = "ui_query"

    def check(self, run):
        obj = run.subject
        trail = Trail()
        response = run.ui().get(reverse(self.url), self.query(obj) if obj is not None else self.missing)
        if not run.case.allowed(run.user, self.action, self.model):
            trail.assert_refused(response, run.user, self.action)
            return
        reachable = obj is not None and (self.scope(run) if self.scope else self.in_scope(run))
        assert response.status_code == (200 if reachable else 404), response.content[:300]
        if reachable and self.shows:
            assert self.shows(obj) in response.content.decode()
        trail.assert_nothing_written()


def through(owners, action, model, write):
    return lambda run: run.case.owners_in_scope(run.user, owners(run.subject), action, model, write)


# 城乡结对 ---------------------------------------------------------------------------------------------
NEW_GOALS = "矩阵新结对"
NEW_API_GOALS = "矩阵接口新结对"
PAIR_PLACES = dict(PLACES)
URBAN_OF = Needs(lambda s: school_owners(school(s[0])), action="view", model=School, field="urban")
RURAL_OF = Needs(lambda s: school_owners(school(s[1])), action="view", model=School, field="rural")
PAIR_FIELDS = ["urban", "rural", "agreed_on", "ended_on", "goals"]


def new_pair(codes, goals=NEW_GOALS, key="pk"):
    urban, rural = school(codes[0]), school(codes[1])
    return {
        "urban": getattr(urban, key),
        "rural": getattr(rural, key),
        "agreed_on": days_ago(30).isoformat(),
        "ended_on": "" if key == "pk" else None,
        "goals": goals,
    }


def created_pair(goals):
    return lambda codes: SchoolPair.objects.filter(urban__code=codes[0], rural__code=codes[1], goals=goals)


PAIRS = ScopedCase(
    name="school_pair",
    model=SchoolPair,
    lookup="goals",
    owners=pair_owners,
    positions=GOALS,
    setup=sample_pairs,
    mark=lambda p, marker: School.objects.filter(pk=p.urban_id).update(name=marker),
    views=[
        ListPage("pairing:schoolpair_list", query={}),
        Export("pairing:schoolpair_list"),
        Detail("pairing:pair_detail"),
        Page("pairing:pair_add", action="add", label="form"),
        Create(
            "pairing:pair_add",
            places=PAIR_PLACES,
            data=new_pair,
            needs=[URBAN_OF, RURAL_OF],  # choices of the form: its errors outside the scope
            created=created_pair(NEW_GOALS),
        ),
        Detail("pairing:pair_edit", action="change", label="form", scope=lambda run: both(run, "change")),
        PairEdit("pairing:pair_edit", change=("goals", "改了共建目标"), fields=PAIR_FIELDS),
        Confirm(
            "pairing:pair_delete",
            label="confirm",
            action="delete",
            scope=lambda run: both(run, "delete"),
            says=lambda p: p.rural.name,
            done=lambda p: not SchoolPair.objects.filter(pk=p.pk).exists(),
        ),
        PairDelete("pairing:pair_delete"),
        ApiList("schoolpair-list"),
        ApiDetail("schoolpair-detail"),
        ApiCreate(
            "schoolpair-list",
            places=PAIR_PLACES,
            body=lambda codes: new_pair(codes, NEW_API_GOALS, key="code"),
            needs=[URBAN_OF, RURAL_OF],
            created=created_pair(NEW_API_GOALS),
        ),
        PairApiPatch(
            "schoolpair-detail", body=lambda p: {"goals": "接口改了"}, done=lambda p: p.goals == "接口改了"
        ),
        PairApiDelete("schoolpair-detail"),
    ],
)


# 结对活动 ---------------------------------------------------------------------------------------------
NEW_TITLE = "矩阵新活动"
NEW_API_TITLE = "矩阵接口新活动"
OF_PAIR = Needs(lambda a: pair_owners(a.pair), action="view", model=SchoolPair, field="pair")
ACTIVITY_FIELDS = ["pair", "kind", "date", "title", "summary", "teachers", "students"]


def new_activity(a, title=NEW_TITLE):
    return {
        "pair": a.pair_id,
        "kind": "joint_party_day",
        "date": days_ago(250).isoformat(),
        "title": title,
        "summary": "",
        "teachers": [],
        "students": 12,
    }


ACTIVITIES = ScopedCase(
    name="pair_activity",
    model=PairActivity,
    lookup="title",
    owners=lambda a: pair_owners(a.pair),
    positions=TITLES,
    setup=sample_activities,
    marker_field="title",
    views=[
        ListPage("pairing:pairactivity_list", query={}),
        Export("pairing:pairactivity_list"),
        # Recorded from the pair's page (by its pk): the pair looked up among those the writer reaches.
        QueryPage(
            "pairing:activity_add",
            label="form",
            action="add",
            query=lambda a: {"pair": a.pair_id},
            missing={"pair": MISSING_PK},
            scope=through(lambda a: pair_owners(a.pair), "view", SchoolPair, (PairActivity, "add")),
            shows=lambda a: f'value="{a.pair_id}"',
        ),
        Create(
            "pairing:activity_add",
            query=lambda a: {"pair": a.pair_id},
            parent=OF_PAIR,
            data=new_activity,
            created=lambda a: PairActivity.objects.filter(pair=a.pair_id, title=NEW_TITLE),
        ),
        Detail("pairing:activity_edit", action="change", label="form"),
        Edit("pairing:activity_edit", change=("title", "改了活动主题"), fields=ACTIVITY_FIELDS),
        Confirm(
            "pairing:activity_delete",
            label="confirm",
            action="delete",
            says=lambda a: a.title,
            done=lambda a: not PairActivity.objects.filter(pk=a.pk).exists(),
        ),
        Delete("pairing:activity_delete"),
        ApiList("pairactivity-list"),
        ApiDetail("pairactivity-detail"),
        ApiCreate(
            "pairactivity-list",
            body=lambda a: new_activity(a, NEW_API_TITLE),
            needs=[OF_PAIR],
            created=lambda a: PairActivity.objects.filter(pair=a.pair_id, title=NEW_API_TITLE),
        ),
        ApiPatch(
            "pairactivity-detail", body=lambda a: {"title": "接口改了"}, done=lambda a: a.title == "接口改了"
        ),
        ApiDelete("pairactivity-detail"),
    ],
)

FILES_CASE = ScopedCase(
    name="pair_activity_file",
    model=PairActivityFile,
    lookup="file_name",
    owners=lambda f: pair_owners(f.activity.pair),
    positions=FILES,
    setup=sample_files,
    marker_field="file_name",
    views=[Detail("pairing:file", logs="export")],
)


# The overview and the school page's panel ----------------------------------------------------------------
ORGANIZATION_PLACES = {
    "own": "CS430104-02",
    "district": "CS430104",
    "other_district": "CS430182",
    "city": "CS430100-01",
}

ORGANIZATIONS = ScopedCase(
    name="pairing_organization",
    model=PartyOrganization,
    lookup="code",
    owners=lambda o: [o],
    positions=ORGANIZATION_PLACES,
    setup=sample_pairs,
    views=[
        Page("pairing:overview", model=SchoolPair, label="home"),
        QueryPage(
            "pairing:overview",
            model=SchoolPair,
            query=lambda o: {"org": o.code},
            missing={"org": MISSING_CODE},
            shows=lambda o: o.name,
        ),
    ],
)

SCHOOLS = ScopedCase(
    name="pairing_school",
    model=School,
    lookup="code",
    owners=school_owners,
    positions={"own": MEIXIHU, "sibling": LIANHUA, "other_district": WEISHAN, "city": YIZHONG},
    setup=sample_pairs,
    views=[Detail("pairing:school_panel")],
)

globals().update(build_matrix(PAIRS, ACTIVITIES, FILES_CASE, ORGANIZATIONS, SCHOOLS))
