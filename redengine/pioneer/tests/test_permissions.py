"""The permission matrix of pioneer units (see redengine.testing.matrix): the units with every page, form,
move and API method they have, the service logs of volunteer teams, and the overview and the organization's
panel.

The sample units sit in four places of the demo tree (the secretary's own school, a sibling school of the
same district, another district, a city-direct school), in the state each move starts from: applied (file,
reject, and the unit's own pages and API), filed (review), reviewed (certify), certified (yearly check,
revoke). Each case's ``setup`` makes them with the real services, for each test. A move is the action of the
role that owns it (``PioneerUnit.role_actions``): a role without it answers 403, a unit outside the scope of
that move 404, and a move done leaves exactly the unit's change and its move's record, in the actor's name."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person
from redengine.pioneer import services
from redengine.pioneer.models import PioneerUnit, ServiceLog
from redengine.testing.matrix import (
    MISSING_PK,
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
    api_path,
    build_matrix,
)

from .helpers import days_ago

PLACES = {  # position -> (school, one of its people)
    "own": ("4301040002", "梅溪湖张老师"),
    "sibling": ("4301040001", "麓山赵老师"),
    "other_district": ("4301020001", "芙蓉周老师"),
    "city": ("4301000001", "一中郑老师"),
}
MISSING_CODE = "CS-NO-SUCH-ORGANIZATION"
MOVE_RECORDS = {("pioneerunit", "update"): 1, ("unitmove", "create"): 1}


def school_owners(school):
    """The organizations covering the school, else its district's (where an uncovered school lies)."""
    return list(school.organizations.all()) or list(
        PartyOrganization.objects.filter(district=school.district)
    )


def unit_owners(unit):
    return school_owners(unit.school)


def names(state):
    return {position: f"示范{state}-{position}" for position in PLACES}


def sample_units(state, kind="post"):
    """A unit at each place, moved by the system up to ``state``."""
    made = services.record_units(
        [
            Item(
                {
                    "kind": kind,
                    "name": names(state)[position],
                    "school": School.objects.get(code=code),
                    "leader": Person.objects.get(name=leader),
                    "commitment": f"承诺-{position}",
                    "applied_on": days_ago(100),
                }
            )
            for position, (code, leader) in PLACES.items()
        ],
        by=SYSTEM,
    )
    order = ["file", "review", "certify"]
    steps = order[: {"applied": 0, "filed": 1, "reviewed": 2, "certified": 3}[state]]
    for n, move in enumerate(steps):
        services.move_units(
            [services.Step(u, move, days_ago(90 - n), "", f"PM-{u.pk}") for u in made], by=SYSTEM
        )
    return made


def status_is(status):
    return lambda u: PioneerUnit.objects.get(pk=u.pk).status == status


@dataclass
class ApiMove(View):
    """POST a move's route (``units/{id}/certify/``): 403 for a role without the move; 404 outside the scope
    of the move as for a missing id; else 200, the move done, and exactly its change records."""

    body: object = None  # subject -> the JSON body
    done: object = None
    records: dict = field(default_factory=lambda: MOVE_RECORDS)

    method = "post"
    kind = "api_move"

    def check(self, run):
        obj, user = run.subject, run.user
        reachable = obj is not None and self.in_scope(run)
        trail = Trail()
        response = run.api("post", api_path(self.url, obj), self.body(obj) if obj is not None else {})
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
        elif not reachable:
            assert response.status_code == 404, response.content[:300]
            trail.assert_nothing_written()
        else:
            assert response.status_code == 200, response.content[:300]
            assert self.done(obj)
            trail.assert_records(user, self.records)
            return
        if obj is not None:
            assert not self.done(obj)


def move_views(move, url, body, done):
    """The move's form posted, and its API route."""
    return [
        Action(
            url,
            action=move,
            data=lambda u: {"date": days_ago(1).isoformat(), **body(u)},
            done=done,
            records=lambda u: MOVE_RECORDS,
        ),
        ApiMove(f"pioneerunit-{move}", action=move, body=body, done=done),
    ]


def unit_case(name, state, views):
    return ScopedCase(
        name=name,
        model=PioneerUnit,
        lookup="name",
        owners=unit_owners,
        positions=names(state),
        setup=lambda: sample_units(state),
        views=views,
    )


# 示范创建单位: the unit's own pages and API, on units applied for --------------------------------------
NEW_NAME, NEW_API_NAME = "矩阵新示范岗", "矩阵接口新示范岗"
AT_SCHOOL = Needs(lambda u: unit_owners(u), action="view", model=School, field="school")
IN_SCHOOL = Needs(lambda u: unit_owners(u), action="add", field="school")
UNIT_FIELDS = [
    "kind",
    "name",
    "school",
    "organization",
    "leader",
    "members",
    "standard",
    "identity",
    "commitment",
    "applied_on",
]
CREATE_RECORDS = {("pioneerunit", "create"): 1, ("unitmove", "create"): 1}
DELETE_RECORDS = {("pioneerunit", "delete"): 1, ("unitmove", "delete"): 1}


def new_unit_data(u):
    return {
        "school": u.school_id,
        "kind": "class",
        "name": NEW_NAME,
        "organization": "",
        "leader": u.leader_id,
        "standard": "",
        "identity": "",
        "commitment": "矩阵承诺",
        "applied_on": days_ago(3).isoformat(),
    }


APPLIED = unit_case(
    "pioneer_unit",
    "applied",
    [
        ListPage("pioneer:pioneerunit_list", query={}),
        Export("pioneer:pioneerunit_list"),
        Detail("pioneer:unit_detail", logs="read"),
        Page("pioneer:unit_add", action="add", label="choose"),
        Create(
            "pioneer:unit_add",
            parent=AT_SCHOOL,
            needs=[IN_SCHOOL],
            data=new_unit_data,
            created=lambda u: PioneerUnit.objects.filter(school=u.school_id, name=NEW_NAME),
            records=lambda u: CREATE_RECORDS,
        ),
        Detail("pioneer:unit_edit", action="change", label="form"),
        Edit("pioneer:unit_edit", change=("name", "改名示范岗"), fields=UNIT_FIELDS),
        Confirm(
            "pioneer:unit_delete",
            label="confirm",
            action="delete",
            says=lambda u: u.name,
            done=lambda u: not PioneerUnit.objects.filter(pk=u.pk).exists(),
        ),
        Delete("pioneer:unit_delete", records=lambda u: DELETE_RECORDS),
        Confirm(
            "pioneer:unit_file",
            label="confirm",
            action="file",
            says=lambda u: u.name,
            done=status_is("filed"),
        ),
        *move_views("file", "pioneer:unit_file", lambda u: {}, status_is("filed")),
        *move_views("reject", "pioneer:unit_reject", lambda u: {"note": "材料不全"}, status_is("rejected")),
        ApiList("pioneerunit-list"),
        ApiDetail("pioneerunit-detail"),
        ApiCreate(
            "pioneerunit-list",
            body=lambda u: {
                "kind": "team",
                "name": NEW_API_NAME,
                "school": u.school.code,
                "leader": u.leader_id,
                "applied_on": days_ago(3).isoformat(),
            },
            needs=[IN_SCHOOL],
            created=lambda u: PioneerUnit.objects.filter(school=u.school_id, name=NEW_API_NAME),
            records=lambda u: CREATE_RECORDS,
        ),
        ApiPatch(
            "pioneerunit-detail",
            body=lambda u: {"commitment": "接口改了"},
            done=lambda u: u.commitment == "接口改了",
        ),
        ApiDelete("pioneerunit-detail", records=lambda u: DELETE_RECORDS),
    ],
)
FILED = unit_case(
    "pioneer_unit_filed",
    "filed",
    move_views("review", "pioneer:unit_review", lambda u: {}, status_is("reviewed")),
)
REVIEWED = unit_case(
    "pioneer_unit_reviewed",
    "reviewed",
    [
        Confirm(
            "pioneer:unit_certify",
            label="confirm",
            action="certify",
            says=lambda u: u.name,
            done=status_is("certified"),
        ),
        *move_views(
            "certify",
            "pioneer:unit_certify",
            lambda u: {"plaque_number": f"MX-{u.pk}"},
            status_is("certified"),
        ),
    ],
)
CERTIFIED = unit_case(
    "pioneer_unit_certified",
    "certified",
    [
        *move_views(
            "check",
            "pioneer:unit_check",
            lambda u: {"note": "复核合格"},
            lambda u: PioneerUnit.objects.get(pk=u.pk).last_checked_on is not None,
        ),
        *move_views("revoke", "pioneer:unit_revoke", lambda u: {"note": "不再符合"}, status_is("revoked")),
    ],
)


# 志愿服务记录 -------------------------------------------------------------------------------------------
LOG_ACTIVITIES = {position: f"服务-{position}" for position in PLACES}
NEW_ACTIVITY, NEW_API_ACTIVITY = "矩阵新服务", "矩阵接口新服务"
ON_UNIT = Needs(lambda s: unit_owners(s.unit), action="change", model=PioneerUnit, field="unit")
LOG_FIELDS = ["unit", "date", "hours", "people", "activity"]


def sample_logs():
    teams = sample_units("applied", kind="team")  # a team logs its service whatever its state
    services.record_service_logs(
        [
            Item(
                {
                    "unit": team,
                    "date": days_ago(5),
                    "hours": 2,
                    "people": 3,
                    "activity": LOG_ACTIVITIES[position],
                }
            )
            for position, team in zip(PLACES, teams, strict=True)
        ],
        by=SYSTEM,
    )


def new_log(s, activity=NEW_ACTIVITY):
    return {
        "unit": s.unit_id,
        "date": days_ago(2).isoformat(),
        "hours": "1.5",
        "people": 4,
        "activity": activity,
    }


def through(owners, action, model, write):
    return lambda run: run.case.owners_in_scope(run.user, owners(run.subject), action, model, write)


@dataclass
class QueryPage(View):
    """A page that takes its record by the query string: 403 for a role without the action; 404 when the
    record is outside the scope (``scope``; the action's by default), exactly as for one that does not
    exist (``missing``); else 200, showing ``shows``."""

    query: object = None
    missing: dict | None = None
    scope: object = None
    shows: object = None

    kind = "ui_query"

    def check(self, run):
        obj = run.subject
        trail = Trail()
        response = run.ui().get(reverse(self.url), self.query(obj) if obj is not None else self.missing)
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        reachable = obj is not None and (self.scope(run) if self.scope else self.in_scope(run))
        assert response.status_code == (200 if reachable else 404), response.content[:300]
        if reachable and self.shows:
            assert self.shows(obj) in response.content.decode()
        trail.assert_nothing_written()


LOGS = ScopedCase(
    name="service_log",
    model=ServiceLog,
    lookup="activity",
    owners=lambda s: unit_owners(s.unit),
    positions=LOG_ACTIVITIES,
    setup=sample_logs,
    marker_field="activity",
    views=[
        ListPage("pioneer:servicelog_list", query={}),
        Export("pioneer:servicelog_list"),
        QueryPage(
            "pioneer:servicelog_add",
            label="form",
            action="add",
            query=lambda s: {"unit": s.unit_id},
            missing={"unit": MISSING_PK},
            scope=through(lambda s: unit_owners(s.unit), "change", PioneerUnit, (ServiceLog, "add")),
            shows=lambda s: s.unit.name,
        ),
        Create(
            "pioneer:servicelog_add",
            query=lambda s: {"unit": s.unit_id},
            parent=ON_UNIT,
            data=new_log,
            created=lambda s: ServiceLog.objects.filter(unit=s.unit_id, activity=NEW_ACTIVITY),
        ),
        Detail("pioneer:servicelog_edit", action="change", label="form"),
        Edit("pioneer:servicelog_edit", change=("activity", "改了服务内容"), fields=LOG_FIELDS),
        Confirm(
            "pioneer:servicelog_delete",
            label="confirm",
            action="delete",
            says=lambda s: s.activity,
            done=lambda s: not ServiceLog.objects.filter(pk=s.pk).exists(),
        ),
        Delete("pioneer:servicelog_delete"),
        ApiList("servicelog-list"),
        ApiDetail("servicelog-detail"),
        ApiCreate(
            "servicelog-list",
            body=lambda s: new_log(s, NEW_API_ACTIVITY),
            needs=[ON_UNIT],
            created=lambda s: ServiceLog.objects.filter(unit=s.unit_id, activity=NEW_API_ACTIVITY),
        ),
        ApiPatch(
            "servicelog-detail",
            body=lambda s: {"activity": "接口改了"},
            done=lambda s: s.activity == "接口改了",
        ),
        ApiDelete("servicelog-detail"),
    ],
)


# The overview and the organization's panel -----------------------------------------------------------
ORGANIZATIONS = ScopedCase(
    name="pioneer_organization",
    model=PartyOrganization,
    lookup="code",
    owners=lambda o: [o],
    positions={
        "own": "CS430104-02",
        "sibling": "CS430104-01",
        "other_district": "CS430102-01",
        "district": "CS430104",
    },
    setup=lambda: sample_units("applied"),
    views=[
        Page("pioneer:overview", model=PioneerUnit, label="home"),
        QueryPage(
            "pioneer:overview",
            model=PioneerUnit,
            query=lambda o: {"org": o.code, "year": timezone.localdate().year},
            missing={"org": MISSING_CODE},
            shows=lambda o: o.name,
        ),
        Detail("pioneer:organization_panel", model=PioneerUnit),
    ],
)

globals().update(build_matrix(APPLIED, FILED, REVIEWED, CERTIFIED, LOGS, ORGANIZATIONS))
