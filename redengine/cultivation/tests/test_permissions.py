"""The permission matrix of dual cultivation (see redengine.testing.matrix): mentorships and their reviews,
contests and their entries, speaking records, with every page, form, fragment and API method they have;
the overview, the figures and the people they count, the two watch lists and a person's cultivation.

The sample records sit in four places of the demo tree (the secretary's own school, a sibling school of the
same district, another district, a city-direct school): at each, a young member (the apprentice of a
teaching mentorship, entered in the school's contest, who spoke at a forum) and a backbone teacher who is
not a member. Each case's ``setup`` makes what it needs with the real services, for each test."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.cultivation.metrics import COUNTED
from redengine.cultivation.models import Contest, ContestEntry, Engagement, Mentorship, MentorshipReview
from redengine.cultivation.services import (
    record_contests,
    record_engagements,
    record_entries,
    record_mentorships,
    record_reviews,
)
from redengine.development.tests.helpers import new_applicant
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person
from redengine.people.services import HONORS, MEMBERSHIPS
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
    exported_values,
)

PLACES = {  # position -> (school, the organization holding its contests, its young member's branch, a member)
    "own": ("4301040002", "CS430104-02", "CS430104-02-01", "梅溪湖张老师"),
    "sibling": ("4301040001", "CS430104-01", "CS430104-01", "麓山赵老师"),
    "other_district": ("4301020001", "CS430102-01", "CS430102-01", "芙蓉周老师"),
    "city": ("4301000001", "CS430100-01", "CS430100-01-01", "一中郑老师"),
}
LABELS = {"own": "本校", "sibling": "邻校", "other_district": "外区", "city": "市直"}
YOUNG = {position: f"双培养{label}青年" for position, label in LABELS.items()}  # a young member: apprentice
BACKBONE = {position: f"双培养{label}骨干" for position, label in LABELS.items()}  # a backbone non-member
SCHOOL_PLACE = {school: position for position, (school, *_rest) in PLACES.items()}
CONTEST_NAMES = {position: f"双培养竞赛-{position}" for position in PLACES}
TOPICS = {position: f"双培养发言-{position}" for position in PLACES}
MISSING_CODE = "CS-NO-SUCH-ORGANIZATION"


def org(code):
    return PartyOrganization.objects.get(code=code)


def person(name):
    return Person.objects.get(name=name)


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def school_owners(school):
    """The organizations covering the school, else its district's (where an uncovered school lies)."""
    return list(school.organizations.all()) or list(
        PartyOrganization.objects.filter(district=school.district)
    )


def person_owners(p):
    return school_owners(p.school)


def set_person_name(obj, marker):
    Person.objects.filter(pk=obj.person_id).update(name=marker)


def backbone_beside(school):
    """The backbone teacher who is not a member at the school of a sample record."""
    return person(BACKBONE[SCHOOL_PLACE[school.code]])


# The samples ------------------------------------------------------------------------------------------
def sample_people():
    """At each place a young member (admitted in 2022, a full member since 2023) and a holder of 骨干教师 who
    is no member."""
    young, backbone = {}, {}
    for number, (position, (school, _contests, _branch, _mentor)) in enumerate(PLACES.items()):
        young[position] = new_applicant(
            YOUNG[position], birth="1998-08-08", sequence=930 + number, school=school
        )
        backbone[position] = new_applicant(
            BACKBONE[position], birth="1984-04-04", sequence=940 + number, school=school
        )
    MEMBERSHIPS.save(
        [
            Item(
                {
                    "person": young[position],
                    "organization": org(branch),
                    "admitted_on": datetime.date(2022, 6, 1),
                    "full_on": datetime.date(2023, 6, 1),
                }
            )
            for position, (_school, _contests, branch, _mentor) in PLACES.items()
        ],
        by=SYSTEM,
    )
    HONORS.save(
        [
            Item(
                {
                    "person": backbone[position],
                    "title": "backbone_teacher",
                    "level": "district",
                    "awarded_on": datetime.date(2024, 9, 10),
                }
            )
            for position in PLACES
        ],
        by=SYSTEM,
    )


def sample_mentorships(reviews=False):
    """A teaching mentorship at each school, the school's member mentoring its young member, started 300
    days ago and running; with a review 150 days ago, if asked."""
    mentorships = record_mentorships(
        [
            Item(
                {
                    "kind": "teaching",
                    "mentor": person(mentor),
                    "apprentice": person(YOUNG[position]),
                    "school": School.objects.get(code=school),
                    "start_on": days_ago(300),
                    "goals": f"目标-{position}",
                }
            )
            for position, (school, _contests, _branch, mentor) in PLACES.items()
        ],
        by=SYSTEM,
    )
    if reviews:
        record_reviews(
            [
                Item({"mentorship": m, "held_on": days_ago(150), "progress": f"进展-{position}"})
                for position, m in zip(PLACES, mentorships, strict=True)
            ],
            by=SYSTEM,
        )


def sample_contests(entries=False):
    """A lesson-plan contest held by each school's organization 100 days ago; its young member took the
    first prize, if asked."""
    contests = record_contests(
        [
            Item(
                {
                    "name": CONTEST_NAMES[position],
                    "kind": "lesson_plan",
                    "level": "school",
                    "held_on": days_ago(100),
                    "organization": org(code),
                }
            )
            for position, (_school, code, _branch, _mentor) in PLACES.items()
        ],
        by=SYSTEM,
    )
    if entries:
        record_entries(
            [
                Item(
                    {
                        "contest": c,
                        "person": person(YOUNG[position]),
                        "prize": "first",
                        "work": f"作品-{position}",
                    }
                )
                for position, c in zip(PLACES, contests, strict=True)
            ],
            by=SYSTEM,
        )


def sample_engagements():
    record_engagements(
        [
            Item(
                {
                    "person": person(YOUNG[position]),
                    "kind": "forum",
                    "date": days_ago(50),
                    "topic": TOPICS[position],
                    "venue": "报告厅",
                }
            )
            for position in PLACES
        ],
        by=SYSTEM,
    )


def people_and_mentorships():
    sample_people()
    sample_mentorships()


def people_and_reviews():
    sample_people()
    sample_mentorships(reviews=True)


def people_and_entries():
    sample_people()
    sample_contests(entries=True)


def people_and_engagements():
    sample_people()
    sample_engagements()


def everything():
    sample_people()
    sample_mentorships(reviews=True)
    sample_contests(entries=True)
    sample_engagements()


# Pages that take their record by the query string ------------------------------------------------------
@dataclass
class QueryPage(View):
    """A page that takes its record by the query string (an organization by its code, the record a new one
    is added to by its pk), with the URL's own arguments (``args``: a figure's name): 403 for a role without
    the action (after ``first``, what the page itself needs, refused before it); 404 when the record is
    outside the scope (``scope``; the action's by default), exactly as for one that does not exist (the
    ``missing`` parameters); else 200, showing ``shows`` (a workbook holding ``cell`` for an export), and its
    access-log row (``logs``)."""

    args: tuple = ()
    query: object = None  # subject -> GET parameters
    missing: dict | None = None  # the GET parameters naming no record
    first: str | None = None
    scope: object = None  # (run) -> whether the record is reachable (default: in the action's scope)
    shows: object = None  # subject -> a text of the page
    cell: object = None  # subject -> a cell of the workbook
    logs: str | None = None

    kind = "ui_query"

    def check(self, run):
        obj = run.subject
        trail = Trail()
        url = reverse(self.url, args=list(self.args))
        response = run.ui().get(url, self.query(obj) if obj is not None else self.missing)
        for action in filter(None, (self.first, self.action)):
            if not run.case.allowed(run.user, action, self.model):
                trail.assert_refused(response, run.user, action)
                return
        reachable = obj is not None and (self.scope(run) if self.scope else self.in_scope(run))
        assert response.status_code == (200 if reachable else 404), response.content[:300]
        if reachable and self.shows:
            assert self.shows(obj) in response.content.decode()
        if reachable and self.cell:
            assert self.cell(obj) in exported_values(response)
        if self.logs:
            trail.assert_logged(run.user, self.logs, 1 if reachable else 0)
        trail.assert_nothing_written()


@dataclass
class Home(Page):
    """A page without a record that names one of the figures in its URL (``args``), opened on the top of the
    user's scope: 403, or 200."""

    args: tuple = ()

    kind = "ui_home"

    def check(self, run):
        trail = Trail()
        response = run.ui().get(reverse(self.url, args=list(self.args)))
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        assert response.status_code == 200, response.content[:300]
        trail.assert_nothing_written()


@dataclass
class ApiWatch(ApiList):
    """A watch list of the API (a list view of people, not a viewset: its pattern has no method): 403, or 200
    with the sample person among the rows exactly when they are in scope."""

    method = ""
    kind = "api_watch"


def through(owners, action, model, write):
    """(run) -> whether ``owners(subject)`` lie in the scope of ``action`` on ``model``, counted through the
    roles that allow ``write`` (model, action): where a form looks up the record a new one is added to."""
    return lambda run: run.case.owners_in_scope(run.user, owners(run.subject), action, model, write)


# 师徒结对 ---------------------------------------------------------------------------------------------
NEW_GOALS = "矩阵新结对"
NEW_API_GOALS = "矩阵接口新结对"
AT_SCHOOL = Needs(lambda m: school_owners(m.school), action="view", model=School, field="school")
IN_SCHOOL = Needs(lambda m: school_owners(m.school), action="add", field="school")
MENTORSHIP_FIELDS = [
    "kind",
    "school",
    "mentor",
    "apprentice",
    "start_on",
    "planned_end_on",
    "ended_on",
    "goals",
    "summary",
]


def new_mentorship(m):
    """A political mentorship at the sample's school: its mentor brings the school's backbone teacher to the
    party."""
    return {
        "kind": "political",
        "school": m.school_id,
        "mentor": m.mentor_id,
        "apprentice": backbone_beside(m.school).pk,
        "start_on": days_ago(30).isoformat(),
        "planned_end_on": "",
        "ended_on": "",
        "goals": NEW_GOALS,
        "summary": "",
    }


MENTORSHIPS = ScopedCase(
    name="mentorship",
    model=Mentorship,
    lookup="goals",
    owners=lambda m: school_owners(m.school),
    positions={position: f"目标-{position}" for position in PLACES},
    setup=people_and_mentorships,
    mark=lambda m, marker: Person.objects.filter(pk=m.apprentice_id).update(name=marker),
    views=[
        ListPage("cultivation:mentorship_list", query={}),
        Export("cultivation:mentorship_list"),
        Detail("cultivation:mentorship_detail"),
        # 登记结对: the schools to choose from, the form of one school (by its pk, or by the apprentice's),
        # and the form posted (the school looked up in the scope: 404 outside, as for one that does not exist).
        Page("cultivation:mentorship_add", action="add", label="choose"),
        QueryPage(
            "cultivation:mentorship_add",
            label="school",
            action="add",
            query=lambda m: {"school": m.school_id},
            missing={"school": MISSING_PK},
            scope=through(lambda m: school_owners(m.school), "view", School, (Mentorship, "add")),
            shows=lambda m: m.school.name,
        ),
        QueryPage(
            "cultivation:mentorship_add",
            label="apprentice",
            action="add",
            query=lambda m: {"apprentice": m.apprentice_id},
            missing={"apprentice": MISSING_PK},
            scope=through(lambda m: person_owners(m.apprentice), "view", Person, (Mentorship, "add")),
            shows=lambda m: m.school.name,
        ),
        Create(
            "cultivation:mentorship_add",
            parent=AT_SCHOOL,
            data=new_mentorship,
            created=lambda m: Mentorship.objects.filter(school=m.school_id, goals=NEW_GOALS),
        ),
        Detail("cultivation:mentorship_edit", action="change", label="form"),
        Edit("cultivation:mentorship_edit", change=("goals", "改了目标"), fields=MENTORSHIP_FIELDS),
        Confirm(
            "cultivation:mentorship_delete",
            label="confirm",
            action="delete",
            says=lambda m: m.apprentice.name,
            done=lambda m: not Mentorship.objects.filter(pk=m.pk).exists(),
        ),
        Delete("cultivation:mentorship_delete"),
        ApiList("mentorship-list"),
        ApiDetail("mentorship-detail"),
        ApiCreate(
            "mentorship-list",
            body=lambda m: {
                "kind": "political",
                "mentor": m.mentor_id,
                "apprentice": backbone_beside(m.school).pk,
                "school": m.school.code,
                "start_on": days_ago(30).isoformat(),
                "goals": NEW_API_GOALS,
            },
            needs=[IN_SCHOOL],
            created=lambda m: Mentorship.objects.filter(school=m.school_id, goals=NEW_API_GOALS),
        ),
        ApiPatch(
            "mentorship-detail", body=lambda m: {"goals": "接口改了"}, done=lambda m: m.goals == "接口改了"
        ),
        ApiDelete("mentorship-detail"),
    ],
)


# 结对评议 ---------------------------------------------------------------------------------------------
NEW_PROGRESS = "矩阵新评议"
NEW_API_PROGRESS = "矩阵接口新评议"
ON_MENTORSHIP = Needs(
    lambda r: school_owners(r.mentorship.school), action="change", model=Mentorship, field="mentorship"
)
# A review is dated with the mentorship's others before it is written (services.redate_reviews): one change
# record, its creation; the sample's earlier review keeps its due day.
NEW_REVIEW_RECORDS = {("mentorshipreview", "create"): 1}


def new_review(r, progress=NEW_PROGRESS):
    """A review ten days ago, after the sample's: the sample's due day stays as it was."""
    return {"mentorship": r.mentorship_id, "held_on": days_ago(10).isoformat(), "progress": progress}


REVIEWS = ScopedCase(
    name="mentorship_review",
    model=MentorshipReview,
    lookup="progress",
    owners=lambda r: school_owners(r.mentorship.school),
    positions={position: f"进展-{position}" for position in PLACES},
    setup=people_and_reviews,
    marker_field="progress",
    views=[
        # Added from the mentorship's page (by its pk): the mentorship looked up within the change scope.
        QueryPage(
            "cultivation:review_add",
            label="form",
            action="add",
            query=lambda r: {"mentorship": r.mentorship_id},
            missing={"mentorship": MISSING_PK},
            scope=through(
                lambda r: school_owners(r.mentorship.school), "change", Mentorship, (MentorshipReview, "add")
            ),
            shows=lambda r: f'value="{r.mentorship_id}"',
        ),
        Create(
            "cultivation:review_add",
            query=lambda r: {"mentorship": r.mentorship_id},
            parent=ON_MENTORSHIP,
            data=new_review,
            created=lambda r: MentorshipReview.objects.filter(progress=NEW_PROGRESS),
            records=lambda r: NEW_REVIEW_RECORDS,
        ),
        Confirm(
            "cultivation:review_delete",
            label="confirm",
            action="delete",
            says=lambda r: r.held_on.isoformat(),
            done=lambda r: not MentorshipReview.objects.filter(pk=r.pk).exists(),
        ),
        Delete("cultivation:review_delete"),
        ApiList("mentorshipreview-list"),
        ApiDetail("mentorshipreview-detail"),
        ApiCreate(
            "mentorshipreview-list",
            body=lambda r: new_review(r, NEW_API_PROGRESS),
            needs=[ON_MENTORSHIP],
            created=lambda r: MentorshipReview.objects.filter(progress=NEW_API_PROGRESS),
            records=lambda r: NEW_REVIEW_RECORDS,
        ),
        ApiPatch(
            "mentorshipreview-detail",
            body=lambda r: {"progress": "接口改了"},
            done=lambda r: r.progress == "接口改了",
        ),
        ApiDelete("mentorshipreview-detail"),
    ],
)


# 技能竞赛 ---------------------------------------------------------------------------------------------
NEW_CONTEST = "矩阵新竞赛"
NEW_API_CONTEST = "矩阵接口新竞赛"
CONTEST_PLACES = {
    **{position: code for position, (_school, code, _branch, _mentor) in PLACES.items()},
    "district": "CS430104",  # a contest of the district bureau
}
IN_ORGANIZATION = Needs(lambda code: [org(code)], action="add", field="organization")


def new_contest(code, name=NEW_CONTEST):
    return {
        "name": name,
        "kind": "classroom",
        "level": "school",
        "held_on": days_ago(20).isoformat(),
        "organization": code,
    }


CONTESTS = ScopedCase(
    name="contest",
    model=Contest,
    lookup="name",
    owners=lambda c: [c.organization],
    positions=CONTEST_NAMES,
    setup=sample_contests,
    views=[
        ListPage("cultivation:contest_list", query={}),
        Export("cultivation:contest_list"),
        Detail("cultivation:contest_detail"),
        Page("cultivation:contest_add", action="add", label="form"),
        Create(
            "cultivation:contest_add",
            places=CONTEST_PLACES,
            data=lambda code: {**new_contest(code), "organization": org(code).pk},
            needs=[IN_ORGANIZATION],  # a choice of the form: its errors outside the scope
            created=lambda code: Contest.objects.filter(organization__code=code, name=NEW_CONTEST),
        ),
        Detail("cultivation:contest_edit", action="change", label="form"),
        Edit(
            "cultivation:contest_edit",
            change=("name", "改了竞赛名称"),
            fields=["name", "kind", "level", "held_on", "organization"],
        ),
        Confirm(
            "cultivation:contest_delete",
            label="confirm",
            action="delete",
            says=lambda c: c.name,
            done=lambda c: not Contest.objects.filter(pk=c.pk).exists(),
        ),
        Delete("cultivation:contest_delete"),
        ApiList("contest-list"),
        ApiDetail("contest-detail"),
        ApiCreate(
            "contest-list",
            places=CONTEST_PLACES,
            body=lambda code: new_contest(code, NEW_API_CONTEST),
            needs=[IN_ORGANIZATION],
            created=lambda code: Contest.objects.filter(organization__code=code, name=NEW_API_CONTEST),
        ),
        ApiPatch("contest-detail", body=lambda c: {"name": "接口改名"}, done=lambda c: c.name == "接口改名"),
        ApiDelete("contest-detail"),
    ],
)


# 竞赛获奖 ---------------------------------------------------------------------------------------------
NEW_WORK = "矩阵新作品"
NEW_API_WORK = "矩阵接口新作品"
# The contest an entry is added to is looked up among those the writer sees; the person entered lies in
# the writer's scope for adding an entry (the entry lies where the person's school lies).
OF_CONTEST = Needs(lambda e: [e.contest.organization], action="view", model=Contest, field="contest")
ENTERED = Needs(lambda e: school_owners(e.person.school), action="add", field="person")


def new_entry(e, work=NEW_WORK):
    """The backbone teacher of the sample's school entered in the same contest, with a second prize."""
    return {
        "contest": e.contest_id,
        "person": backbone_beside(e.person.school).pk,
        "prize": "second",
        "work": work,
    }


ENTRIES = ScopedCase(
    name="contest_entry",
    model=ContestEntry,
    lookup="work",
    owners=lambda e: school_owners(e.person.school),
    positions={position: f"作品-{position}" for position in PLACES},
    setup=people_and_entries,
    mark=set_person_name,
    views=[
        ListPage("cultivation:contestentry_list", query={}),
        Export("cultivation:contestentry_list"),
        QueryPage(
            "cultivation:entry_add",
            label="form",
            action="add",
            query=lambda e: {"contest": e.contest_id},
            missing={"contest": MISSING_PK},
            scope=through(lambda e: [e.contest.organization], "view", Contest, (ContestEntry, "add")),
            shows=lambda e: e.contest.name,
        ),
        Create(
            "cultivation:entry_add",
            query=lambda e: {"contest": e.contest_id},
            parent=OF_CONTEST,
            needs=[ENTERED],
            data=lambda e: {**new_entry(e), "awarded_on": ""},
            created=lambda e: ContestEntry.objects.filter(contest=e.contest_id, work=NEW_WORK),
        ),
        Detail("cultivation:entry_edit", action="change", label="form"),
        Edit(
            "cultivation:entry_edit",
            change=("work", "改了作品"),
            fields=["contest", "person", "prize", "awarded_on", "work"],
        ),
        Confirm(
            "cultivation:entry_delete",
            label="confirm",
            action="delete",
            says=lambda e: e.person.name,
            done=lambda e: not ContestEntry.objects.filter(pk=e.pk).exists(),
        ),
        Delete("cultivation:entry_delete"),
        ApiList("contestentry-list"),
        ApiDetail("contestentry-detail"),
        ApiCreate(
            "contestentry-list",
            body=lambda e: new_entry(e, NEW_API_WORK),
            needs=[OF_CONTEST, ENTERED],
            created=lambda e: ContestEntry.objects.filter(contest=e.contest_id, work=NEW_API_WORK),
        ),
        ApiPatch(
            "contestentry-detail", body=lambda e: {"work": "接口改了"}, done=lambda e: e.work == "接口改了"
        ),
        ApiDelete("contestentry-detail"),
    ],
)


# 交流发言 ---------------------------------------------------------------------------------------------
NEW_TOPIC = "矩阵新发言"
OF_PERSON = Needs(lambda e: person_owners(e.person), action="view", model=Person, field="person")

ENGAGEMENTS = ScopedCase(
    name="engagement",
    model=Engagement,
    lookup="topic",
    owners=lambda e: person_owners(e.person),
    positions=TOPICS,
    setup=people_and_engagements,
    marker_field="topic",
    views=[
        ListPage("cultivation:engagement_list", query={}),
        Export("cultivation:engagement_list"),
        # Recorded from the person's cultivation page (by the person's pk): the person looked up in the scope.
        QueryPage(
            "cultivation:engagement_add",
            label="form",
            action="add",
            query=lambda e: {"person": e.person_id},
            missing={"person": MISSING_PK},
            scope=through(lambda e: person_owners(e.person), "view", Person, (Engagement, "add")),
            shows=lambda e: f'value="{e.person_id}"',
        ),
        Create(
            "cultivation:engagement_add",
            query=lambda e: {"person": e.person_id},
            parent=OF_PERSON,
            data=lambda e: {
                "person": e.person_id,
                "kind": "training",
                "date": days_ago(5).isoformat(),
                "topic": NEW_TOPIC,
                "venue": "",
            },
            created=lambda e: Engagement.objects.filter(person=e.person_id, topic=NEW_TOPIC),
        ),
        Detail("cultivation:engagement_edit", action="change", label="form"),
        Edit(
            "cultivation:engagement_edit",
            change=("topic", "改了题目"),
            fields=["person", "kind", "date", "topic", "venue"],
        ),
        Confirm(
            "cultivation:engagement_delete",
            label="confirm",
            action="delete",
            says=lambda e: e.topic,
            done=lambda e: not Engagement.objects.filter(pk=e.pk).exists(),
        ),
        Delete("cultivation:engagement_delete"),
    ],
)


# The overview, the figures and the people they count, the organization's panel --------------------------
MENTORING = "cultivation.mentorships"
BACKBONE_SHARE = "cultivation.member_share.backbone"
ORGANIZATION_PLACES = {
    **{position: code for position, (_school, code, _branch, _mentor) in PLACES.items()},
    "district": "CS430104",  # the district bureau's: the secretary's school and the sibling below it
}
# organization -> the place whose sample it counts (the district's: the own school's, among others)
COUNTED_AT = {code: position for position, (_school, code, _branch, _mentor) in PLACES.items()}
COUNTED_AT["CS430104"] = "own"


def scope_query(o):
    return {"org": o.code}


def apprentice_at(o):
    """The young member whose mentorship the figure counts at the organization (the own school's, for the
    district)."""
    return YOUNG[COUNTED_AT[o.code]]


def backbone_at(o):
    return BACKBONE[COUNTED_AT[o.code]]


ORGANIZATIONS = ScopedCase(
    name="cultivation_organization",
    model=PartyOrganization,
    lookup="code",
    owners=lambda o: [o],
    positions=ORGANIZATION_PLACES,
    setup=people_and_mentorships,
    views=[
        # The overview and each figure's page open on the top of the user's scope without an organization.
        Page("cultivation:overview", model=Mentorship, label="home"),
        QueryPage(
            "cultivation:overview",
            model=Mentorship,
            query=scope_query,
            missing={"org": MISSING_CODE},
            shows=lambda o: o.name,
        ),
        *[Home("cultivation:figure", model=Mentorship, args=(name,), label=name) for name in COUNTED],
        *[Home("cultivation:figure_people", model=Person, args=(name,), label=name) for name in COUNTED],
        QueryPage(
            "cultivation:figure",
            model=Mentorship,
            args=(MENTORING,),
            query=scope_query,
            missing={"org": MISSING_CODE},
            shows=lambda o: o.name,
        ),
        # The people a figure counts: read from the figure of the organization, among those the user sees.
        QueryPage(
            "cultivation:figure_people",
            model=Person,
            args=(MENTORING,),
            query=scope_query,
            missing={"org": MISSING_CODE},
            shows=apprentice_at,
        ),
        QueryPage(
            "cultivation:figure_people",
            label="all",
            model=Person,
            args=(BACKBONE_SHARE,),
            query=lambda o: {"org": o.code, "part": "all"},
            missing={"org": MISSING_CODE, "part": "all"},
            shows=backbone_at,
        ),
        QueryPage(
            "cultivation:figure_people",
            label="export",
            action="export",
            first="view",
            model=Person,
            args=(MENTORING,),
            query=lambda o: {"org": o.code, "export": "xlsx"},
            missing={"org": MISSING_CODE, "export": "xlsx"},
            cell=apprentice_at,
            logs="export",
        ),
        Detail("cultivation:organization_panel", model=Mentorship),
    ],
)


# The watch lists, a person's cultivation and its panel -----------------------------------------------
BACKBONE_PEOPLE = ScopedCase(
    name="backbone_watch",
    model=Person,
    lookup="name",
    owners=person_owners,
    positions=BACKBONE,
    setup=sample_people,
    views=[
        ListPage("cultivation:watch_backbone", query={}),
        Export("cultivation:watch_backbone"),
        ApiWatch("api_cultivation_backbone_watch"),
    ],
)

YOUNG_MEMBERS = ScopedCase(
    name="young_member",
    model=Person,
    lookup="name",
    owners=person_owners,
    positions=YOUNG,
    setup=everything,
    views=[
        ListPage("cultivation:watch_members", query={}),
        Export("cultivation:watch_members"),
        ApiWatch("api_cultivation_member_watch"),
        # The timeline of both directions of the person's cultivation (a read of the person, accounted).
        Detail("cultivation:person", logs="read"),
        Detail("cultivation:person_panel"),
    ],
)

globals().update(
    build_matrix(
        MENTORSHIPS, REVIEWS, CONTESTS, ENTRIES, ENGAGEMENTS, ORGANIZATIONS, BACKBONE_PEOPLE, YOUNG_MEMBERS
    )
)
