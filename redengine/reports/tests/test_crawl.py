"""The crawl as every demo role (issue 9): every answer and every downloaded file, scanned for a record of
another scope and for a full ID number or mobile outside a revealed answer.

Set-up: the demo city (``seed_demo``) with the kinds of record it lacks added through the services
(cultivation records, plans, a scan, import jobs, notifications, access-log rows), then a unique marker
(``⟦person-12⟧``) appended to a text field shown to users of every record: the names of people, schools and
organizations, the remarks of steps and plans, the summary of cultivation records, the body that
dispatched a secretary, the document number of an affiliation change, the file names of scans and import
jobs, the object of a change record, the detail of an access-log row, the title of a notification. The
records without a free text field of their own (memberships, titles, committee posts, cases, contacts,
start-up funds) are shown with their person's or organization's name, whose marker stands for them.

Which markers an account may meet (``allowed_markers``): the records ``visible_to(user, "view")`` of
their model; the change records and access-log rows ``visible_to(user, "audit")``; its own notifications.
Beyond that, only the two allowances of ``ALLOWANCES``, by design: the people a case or a dispatch in scope
names (its contacts and introducers, the dispatched secretary or instructor, by name), and the names of the
organizations for the security administrator, who grants roles over them. Nothing else: a page showing an
ancestor's or a neighbour's name fails the crawl.

Three findings of the penetration test have a narrow test of their own beside the crawl: the masked ID
number never beside the birth date (finding 1), the browsable API's filter forms (finding 2, which the
JSON crawl does not see), and a search by a full ID number leaving no identifier in a table or a log line
(finding 5).
"""

import datetime
import time

import pytest
from django.db import connection

from redengine.accounts.models import RoleAssignment, User
from redengine.accounts.roles import MANAGE_ROLES
from redengine.core.audit import log_access
from redengine.core.models import AccessEvent, Notification, ObjectChange
from redengine.core.notifications import notify
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, writing
from redengine.demo.data import ACCOUNTS
from redengine.development.models import (
    CaseContact,
    CultivationRecord,
    DevelopmentCase,
    DevelopmentEvent,
    DevelopmentPlan,
    EventAttachment,
)
from redengine.development.services import make_attachment, save_cultivation, save_plans
from redengine.imports.models import ImportJob
from redengine.imports.services import start_job
from redengine.orgs.models import AffiliationChange, PartyOrganization, School
from redengine.people.models import Dispatch, Person
from redengine.testing import login_client
from redengine.testing.crawl import Answer, Crawler, Scanner, marker, table_answers, with_query
from redengine.testing.crawl import Person as Known

pytestmark = pytest.mark.django_db

ROLES = [username for username, *_rest in ACCOUNTS]
PER_PATTERN = 4  # distinct URLs per view and set of query keys
BUDGET = 220  # requests per role

# (model, label, field, how the marker is put there: "update" a queryset, or "sql" for append-only rows)
MARKED = [
    (Person, "person", "name", "update"),
    (School, "school", "name", "update"),
    (PartyOrganization, "org", "name", "update"),
    (Dispatch, "dispatch", "dispatching_body", "update"),
    (AffiliationChange, "affiliation", "document_number", "update"),
    (DevelopmentEvent, "step", "remarks", "update"),
    (CultivationRecord, "cultivation", "summary", "update"),
    (DevelopmentPlan, "plan", "remarks", "update"),
    (EventAttachment, "scan", "file_name", "update"),
    (ImportJob, "job", "file_name", "update"),
    (Notification, "notification", "title", "update"),
    (ObjectChange, "change", "object_repr", "sql"),
    (AccessEvent, "access", "detail", "sql"),
]
AUDITED = {ObjectChange, AccessEvent}  # read with the "audit" action, not "view"


def named_by_visible_records(user):
    """The people a record the account may view names by design, by name only (their pages answer 404):
    the training contacts and introducers of its cases (the development file carries them; they may be
    members elsewhere) and the secretaries and instructors dispatched to its schools (who may be staff of
    another school)."""
    contacts = CaseContact.objects.visible_to(user, "view").values_list("person_id", flat=True)
    dispatched = Dispatch.objects.visible_to(user, "view").values_list("person_id", flat=True)
    return {marker("person", pk) for pk in [*contacts, *dispatched]}


def organizations_for_role_managers(user):
    """The security administrator grants roles over organizations: it reads the organizations' names (the
    scopes of the roles list and of the grant form), nothing of their records."""
    if not user.can(RoleAssignment, MANAGE_ROLES):
        return set()
    return {marker("org", pk) for pk in PartyOrganization.objects.values_list("pk", flat=True)}


# Markers an account meets beyond the ``visible_to`` of their model, by design: (markers of user, why).
ALLOWANCES = [
    (named_by_visible_records, "people named by the cases and dispatches in scope"),
    (organizations_for_role_managers, "organization names for the security administrator's grants"),
]


# Set-up ---------------------------------------------------------------------------------------------
def complete_city():
    """The kinds of record the demo data set lacks, made with the real services, in several places."""
    cases = list(DevelopmentCase.objects.select_related("organization").order_by("pk"))
    save_cultivation(
        [
            Item({"case": case, "kind": "talk", "date": datetime.date(2024, 5, 2), "summary": "谈话"})
            for case in cases
        ],
        by=SYSTEM,
    )
    places = {case.organization_id: case.organization for case in cases}
    places.update(
        (o.pk, o) for o in PartyOrganization.objects.filter(code__in=["CS430102-01", "CS430105-01"])
    )
    save_plans(
        [Item({"organization": o, "year": 2031, "quota": 2, "remarks": "计划"}) for o in places.values()],
        by=SYSTEM,
    )
    with writing(SYSTEM):
        for case in cases:
            event = case.events.order_by("pk").first()
            make_attachment(event, "申请书.pdf", b"%PDF-1.4 crawl", None).save()
    users = {u.username: u for u in User.objects.all()}
    for username in ("city_admin", "furong_admin", "yuelu_admin", "school_secretary", "instructor"):
        start_job(content=username.encode(), file_name="导入.xlsx", user=users[username], actor=username)
    notify([(u, "crawl", "提醒", "", "/") for u in users.values()])
    for username in ("city_admin", "furong_admin", "yuelu_admin", "school_secretary", "sys_admin"):
        log_access(AccessEvent.Kind.LOGIN, user=users[username], detail="登录")


def put_markers():
    """A marker on every record of the models of ``MARKED``; {marker: (model, pk)}."""
    markers = {}
    for model, label, field_name, how in MARKED:
        table = model._meta.db_table
        column = model._meta.get_field(field_name).column
        for pk, value in model.objects.values_list("pk", field_name):
            tag = marker(label, pk)
            markers[tag] = (model, pk)
            if how == "update":
                model.objects.filter(pk=pk).update(**{field_name: f"{value}{tag}"})
            else:  # append-only: the application refuses to change them; the fixture may
                with connection.cursor() as cursor:
                    cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [f"{value}{tag}", pk])
    return markers


def allowed_markers(user):
    allowed = set()
    for model, label, _field, _how in MARKED:
        if model is Notification:
            rows = Notification.objects.filter(user=user)
        else:
            rows = model.objects.visible_to(user, "audit" if model in AUDITED else "view")
        allowed.update(marker(label, pk) for pk in rows.values_list("pk", flat=True))
    for model, _why in ALLOWANCES:
        allowed.update(model(user))
    return allowed


def known_people():
    people = []
    for p in Person.objects.order_by("pk"):
        birth = p.birth_date
        dates = (
            birth.isoformat(),
            f"{birth.year}年{birth.month}月{birth.day}日",
            f"{birth:%Y年%m月%d日}",
            f"{birth:%Y/%m/%d}",
            f"{birth:%Y%m%d}",  # 8 digits: what the masked form hides
        )
        people.append(Known(p.pk, p.reveal_id_number(), p.reveal_mobile(), p.id_number_masked, dates))
    return people


def seeds():
    """What a user reaches by forms rather than links: the searches by name of the list pages."""
    some = Person.objects.order_by("pk").values_list("name", flat=True)[:3]
    school = School.objects.order_by("pk").values_list("name", flat=True).first()
    urls = ["/"]
    for name in some:
        urls += [with_query("/people/people/", q=name[:3]), with_query("/development/cases/", q=name[:3])]
    urls += [with_query("/orgs/schools/", q=school[:2]), with_query("/orgs/organizations/", q="中共")]
    return urls


@pytest.fixture
def marked_city(db):
    complete_city()
    markers = put_markers()
    return markers


def crawl_as(client, username, *, api_html=False, start=None, budget=BUDGET, api=True):
    user = User.objects.get(username=username)
    login_client(client, user)
    crawler = Crawler(client, per_pattern=PER_PATTERN, budget=budget)
    crawler.crawl(start or seeds(), api=api and not api_html)
    if api_html:
        crawler.crawl_api(accept="text/html")
    revealable = set(Person.objects.visible_to(user, "reveal").values_list("pk", flat=True))
    scanner = Scanner(allowed_markers(user), known_people(), revealable)
    return crawler, scanner.scan(crawler.answers)


# The narrow tests of three findings --------------------------------------------------------------
def masked_with_birth_date(finding):
    """Finding 1: the masked ID number with the birth date beside it (lists, details, exports, API)."""
    return finding.what == "masked_with_birth_date"


def browsable_api(finding):
    """Finding 2: the browsable API's filter forms list records of every scope."""
    return finding.url.startswith("/api/") and finding.kind == "html"


def report(findings, limit=25):
    lines = [str(f) for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"… and {len(findings) - limit} more")
    return "\n".join(lines)


# The crawl ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("username", ROLES)
def test_crawl_finds_no_leak(client, marked_city, username, caplog):
    caplog.set_level("DEBUG")
    started = time.monotonic()
    crawler, findings = crawl_as(client, username)
    elapsed = time.monotonic() - started
    assert len(crawler.answers) >= 10, "the crawl reached almost nothing: is the account logged in?"
    errors = [a.url for a in crawler.answers if a.status >= 500]
    assert not errors, f"server errors: {errors}"
    leaks = findings
    assert not leaks, (
        f"{len(leaks)} leaks as {username} ({len(crawler.answers)} answers, {elapsed:.1f} s):\n{report(leaks)}"
    )
    # After the crawl (reveals and exports included) no table and no log line holds a full identifier.
    logged = Answer("log output", 200, "text", "\n".join(r.getMessage() for r in caplog.records))
    stored = Scanner(set(), known_people()).scan([*table_answers(), logged])
    written = [f for f in stored if f.what in ("id_number", "mobile")]
    assert not written, report(written)
    if username == "city_admin":
        reaches_every_kind_of_answer(crawler)


def reaches_every_kind_of_answer(crawler):
    """The city administrator's crawl sees pages, exports and the API, and the markers of every model it
    may see: a crawl that stops finding a kind of record fails."""
    kinds = {a.kind for a in crawler.answers if a.status == 200}
    assert {"html", "json", "xlsx"} <= kinds
    seen = "\n".join(a.text for a in crawler.answers)
    for _model, label, _field, _how in MARKED:
        if label in ("notification", "access"):  # not the city administrator's pages
            continue
        assert f"⟦{label}-" in seen, f"no {label} marker in any answer: the crawl misses a kind of record"


# The three findings, each as the attack that found it ---------------------------------------------
@pytest.mark.parametrize("username", ["yuelu_admin"])
def test_no_masked_id_with_birth_date(client, marked_city, username):
    _crawler, findings = crawl_as(client, username, start=["/people/people/"], budget=40)
    leaks = [f for f in findings if masked_with_birth_date(f)]
    assert not leaks, report(leaks)


@pytest.mark.parametrize("username", ["instructor"])
def test_browsable_api_lists_nothing_out_of_scope(client, marked_city, username):
    _crawler, findings = crawl_as(client, username, start=["/"], budget=1, api_html=True)
    leaks = [f for f in findings if browsable_api(f)]
    assert not leaks, report(leaks)


def test_search_by_id_number_leaves_no_identifier_in_tables_or_logs(client, marked_city, caplog):
    """The city administrator (who may reveal) searches the people by a full ID number with the list's search
    box and exports the result; then no table and no log line holds a full ID number or mobile."""
    caplog.set_level("DEBUG")
    person = Person.objects.order_by("pk").first()
    number = person.reveal_id_number()
    searches = [
        with_query("/people/people/", q=number),
        with_query("/people/people/", q=number, export="xlsx"),
    ]
    crawl_as(client, "city_admin", start=searches, budget=len(searches), api=False)
    logged = Answer("log output", 200, "text", "\n".join(r.getMessage() for r in caplog.records))
    scanner = Scanner(set(), known_people())
    leaks = [f for f in scanner.scan([*table_answers(), logged]) if f.what in ("id_number", "mobile")]
    assert not leaks, report(leaks)


def test_table_scan_finds_an_identifier_in_the_access_log(marked_city):
    """The table scan of the test above reads the access log's stored paths (a planted full ID is found)."""
    person = Person.objects.order_by("pk").first()
    scanner = Scanner(set(), known_people())
    assert not [f for f in scanner.scan(table_answers()) if f.what in ("id_number", "mobile")]
    # Planted past ``log_access``, which masks what it is given: the scan must find what any code stored.
    AccessEvent.objects.create(
        kind=AccessEvent.Kind.EXPORT, username="planted", detail=person.reveal_id_number()
    )
    found = [f for f in scanner.scan(table_answers()) if f.what == "id_number"]
    assert [f.url for f in found] == ["table:core.accessevent"]


# The scanner and the crawl catch a planted leak -----------------------------------------------------
def test_scanner_catches_planted_leaks():
    person = Known(1, "430104198503120213", "13812345678", "4301**********0213", ("1985-03-12",))
    stranger = "430105199007010040"  # not in the database, valid check character
    answers = [
        Answer("/a/", 200, "html", f"<td>{marker('person', 2)}</td>"),
        Answer("/b/", 200, "json", f'{{"id_number": "{person.id_number}"}}'),
        Answer("/c/", 200, "xlsx", f"张三\t{stranger}\t13987654321"),
        Answer("/d/", 200, "html", f"{person.masked} 出生 1985-03-12"),
        Answer("/people/people/1/reveal/", 200, "html", person.id_number, view="people:person_reveal"),
        Answer("/e/", 200, "html", f"{marker('person', 1)} 430104198503120218 20240101123456789"),
    ]
    scanner = Scanner({marker("person", 1)}, [person], revealable={1})
    found = {(f.url, f.what) for f in scanner.scan(answers)}
    assert found == {
        ("/a/", "marker"),
        ("/b/", "id_number"),
        ("/c/", "id_number"),
        ("/c/", "mobile"),
    }
    # the same reveal by an account that may not reveal the person is a leak
    assert Scanner({marker("person", 1)}, [person], revealable=set()).scan(answers[4:5])
    # and so is the masked number beside the birth date: only one who may reveal the person may see both
    pair = Scanner({marker("person", 1)}, [person], revealable=set()).scan(answers[3:4])
    assert [(f.url, f.what) for f in pair] == [("/d/", "masked_with_birth_date")]


def test_crawl_fails_when_a_page_shows_an_out_of_scope_name(client, marked_city, monkeypatch):
    """A leak planted in a real page (the dashboard's context shows a school of another district) is caught."""
    from redengine.reports import views

    elsewhere = School.objects.get(code="4301020001")  # 芙蓉区, outside yuelu_admin's scope
    assert not crawl_as(client, "yuelu_admin", start=["/"], budget=3, api=False)[1]
    original = views.render

    def render(request, template, context=None, *args, **kwargs):
        response = original(request, template, context, *args, **kwargs)
        response.content = response.content.replace(b"</body>", f"{elsewhere.name}</body>".encode())
        return response

    monkeypatch.setattr(views, "render", render)
    _crawler, findings = crawl_as(client, "yuelu_admin", start=["/"], budget=3, api=False)
    planted = [f for f in findings if f.detail == marker("school", elsewhere.pk)]
    assert planted, report(findings)
    assert {f.url for f in planted} == {"/"}
