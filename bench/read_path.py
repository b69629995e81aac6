"""``make bench``'s read path: list pages, the people API, a person, searches by name and by ID number.

Each case is a page of ours, asked for through Django's test client (the whole request: every middleware,
the session of a logged-in account with its two-factor device, the view, the templates, the access log)
beside the hand-written SQL of the same page run with ``connection.cursor()``: the count and the page's
rows with the columns shown, the scope written by hand (a school's people through the stored placements,
``orgs_schoolplace``, a prefix range of the path; an organization's records by ``path LIKE 'prefix%'``),
the same filter, sort and offset. Each case's ``check`` reads the ids of the page's rows out of ours (the
``data-pk`` of each table row, the ids of the API's answer) and its count (the table's caption, the API's
``count``) and asserts they are the baseline's, in order.

First the floor: an empty page (the notifications of an account with none) beside the five queries any
logged-in page makes (session, account, device, roles, unread count) — what every page costs before its
content, and so the least any ratio below can be.

The lists, with a filter and a sort a user would pick from each list's filter form:

- people: party members (``political_status=member``), by name (pinyin);
- schools: primary schools (``school_type=primary``), by name;
- organizations: branches (``org_type=branch``), by name;
- development cases: open cases (``status=open``), by deadline;

each at page 1 and at page 1,000 — or the last page when there are fewer (the case's name says which; a
list of one page has no deep case) — for the city's account, the district's and the province's.

Two settings are raised for the run, for the repeats not to be refused (said in the cases' notes):
``PEOPLE_IDENTIFIER_SEARCHES_PER_HOUR`` (30 an hour per account) and the personal-data API's rate
(``API_PERSONAL_READ_RATES``, 120 a minute per account).
"""

import datetime
import json
import re
import time
from dataclasses import dataclass
from importlib import import_module
from urllib.parse import urlencode

from bench.harness import Case

PER_PAGE = 25  # the list pages' (ObjectListView.paginate_by)
API_PER_PAGE = 50  # the API's (REST_FRAMEWORK PAGE_SIZE)
DEEP = 1000  # the deep page asked for, or the last one when there are fewer
SEARCHES = 1_000_000  # identifier searches an hour, for the run
API_RATE = "1000000/min"

ROW = re.compile(rb'<tr data-pk="(\d+)"')
CAPTION = re.compile(rb"<caption[^>]*>\D*([\d,]+)")


# Sessions --------------------------------------------------------------------------------------------
def client(user):
    """A test client logged in as ``user`` as the login view leaves the session (bench/http.py
    ``sessions``): the account, its password hash, the login and activity times, the two-factor device."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from redengine.accounts.middleware import LAST_ACTIVITY, LOGIN_TIME

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    now = int(time.time())
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[LOGIN_TIME] = session[LAST_ACTIVITY] = now
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return browser


def fetch(browser, url, **extra):
    response = browser.get(url, **extra)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content


# The scope, by hand -----------------------------------------------------------------------------------
def scope_path(user):
    """The path of the organization where the account's role is held ('' for the root: everything)."""
    from redengine.accounts.models import RoleAssignment
    from redengine.orgs.models import PartyOrganization

    paths = list(RoleAssignment.objects.filter(user=user).values_list("organization__path", flat=True))
    assert len(paths) == 1, f"{user}: one role expected, {len(paths)} found"
    return "" if len(paths[0] or "") <= PartyOrganization.steplen else paths[0]


def under(column, prefix):
    """``column`` lies under ``prefix``: ``LIKE 'prefix%'`` on PostgreSQL (served by the pattern-ops
    indexes), a range on SQLite (whose ``LIKE`` uses no index)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"{column} LIKE %s", [prefix + "%"]
    return f"({column} >= %s AND {column} < %s)", [prefix, prefix + "\U0010ffff"]


def school_in_scope(column, prefix):
    """The school ``column`` lies under ``prefix``: its current placements, one index range."""
    if not prefix:
        return "TRUE", []
    condition, params = under("sp.path", prefix)
    return (
        f"{column} IN (SELECT sp.school_id FROM orgs_schoolplace sp WHERE {condition} "
        "AND sp.valid_until IS NULL)",
        params,
    )


def org_in_scope(column, prefix):
    if not prefix:
        return "TRUE", []
    return under(column, prefix)


def run(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The lists --------------------------------------------------------------------------------------------
@dataclass
class ListPage:
    """One list page's SQL: ``FROM`` with its joins, the filter, the order, the columns shown."""

    label: str
    url: str  # with the filter and the sort, without the page
    columns: str  # the first is the row's id
    tables: str
    where: str
    params: list
    scope: callable  # prefix -> (condition, params)
    order: str

    def baseline(self, prefix, page, per_page=PER_PAGE):
        condition, scope_params = self.scope(prefix)
        where = f"{self.where} AND {condition}"
        params = [*self.params, *scope_params]
        count = run(f"SELECT COUNT(*) FROM {self.tables} WHERE {where}", params)[0][0]
        rows = run(
            f"SELECT {self.columns} FROM {self.tables} WHERE {where} ORDER BY {self.order} LIMIT %s OFFSET %s",
            [*params, per_page, (page - 1) * per_page],
        )
        return count, rows


def lists():
    return [
        ListPage(
            "people list",
            "/people/people/?political_status=member&sort=name_key",
            "p.id, p.name, p.id_number_masked, p.sex, s.name, p.post, p.political_status, p.mobile_masked",
            "people_person p JOIN orgs_school s ON s.id = p.school_id",
            "p.political_status = %s",
            ["member"],
            lambda prefix: school_in_scope("p.school_id", prefix),
            "p.name_key, p.id",
        ),
        ListPage(
            "schools list",
            "/orgs/schools/?school_type=primary&sort=name_key",
            "s.id, s.code, s.name, s.district, s.ownership, s.school_type, s.urban_rural, s.city_managed",
            "orgs_school s",
            "s.school_type = %s",
            ["primary"],
            lambda prefix: school_in_scope("s.id", prefix),
            "s.name_key, s.id",
        ),
        ListPage(
            "organizations list",
            "/orgs/organizations/?org_type=branch&sort=name_key",
            "o.id, o.code, o.name, o.org_type, o.founded_on",
            "orgs_partyorganization o",
            "o.org_type = %s",
            ["branch"],
            lambda prefix: org_in_scope("o.path", prefix),
            "o.name_key, o.id",
        ),
        ListPage(
            "development cases",
            "/development/cases/?status=open&sort=next_due",
            "c.id, p.name, c.next_step, c.next_due, c.due_step, c.next_earliest, c.status, c.stage, "
            "c.last_step, c.last_step_on, s.name, o.name",
            "development_developmentcase c JOIN people_person p ON p.id = c.person_id "
            "JOIN orgs_school s ON s.id = p.school_id JOIN orgs_partyorganization o ON o.id = c.organization_id",
            "c.status = %s",
            ["open"],
            lambda prefix: org_in_scope("o.path", prefix),
            "c.next_due, c.id",
        ),
    ]


def page_of(html):
    """(count, ids of the rows in order) of a list page of ours."""
    found = CAPTION.search(html)
    count = int(found.group(1).replace(b",", b"")) if found else 0
    return count, [int(pk) for pk in ROW.findall(html)]


def same_page(ours, baseline):
    count, ids = page_of(ours)
    expected_count, rows = baseline
    expected = [row[0] for row in rows]
    assert count == expected_count, f"count: ours {count}, baseline {expected_count}"
    assert ids == expected, f"rows: ours {ids[:5]}…, baseline {expected[:5]}…"
    assert ids, "an empty page measures nothing"


def list_case(page, role, user, number):
    browser, prefix = client(user), scope_path(user)
    count, _rows = page.baseline(prefix, 1)
    last = max(1, -(-count // PER_PAGE))
    if number > 1 and last == 1:
        return None  # a deep page of a list of one page: page 1, measured already
    number = min(number, last)
    which = "page 1" if number == 1 else f"page {number:,}" + (" (the last)" if number == last else "")
    url = f"{page.url}&page={number}"
    return Case(
        name=f"{page.label}, {role}, {which}",
        ours=lambda: fetch(browser, url),
        baseline=lambda: page.baseline(prefix, number),
        check=same_page,
        note=f"{url}: {count:,} rows, {last:,} pages" if number != 1 else "",
    )


# The people API ---------------------------------------------------------------------------------------
API_URL = "/api/people/people/?political_status=member"


def api_baseline(prefix, page=1):
    condition, params = school_in_scope("p.school_id", prefix)
    where = f"p.political_status = %s AND {condition}"
    params = ["member", *params]
    tables = "people_person p JOIN orgs_school s ON s.id = p.school_id"
    count = run(f"SELECT COUNT(*) FROM {tables} WHERE {where}", params)[0][0]
    rows = run(
        "SELECT p.id, p.name, p.id_number_masked, p.sex, p.birth_date, p.ethnic_group, p.education, "
        f"p.mobile_masked, s.code, p.post, p.front_line, p.political_status FROM {tables} WHERE {where} "
        "ORDER BY s.code, p.name, p.id LIMIT %s OFFSET %s",
        [*params, API_PER_PAGE, (page - 1) * API_PER_PAGE],
    )
    return count, rows


def same_api_page(ours, baseline):
    answer = json.loads(ours)
    count, rows = baseline
    assert answer["count"] == count, f"count: ours {answer['count']}, baseline {count}"
    assert [r["id"] for r in answer["results"]] == [r[0] for r in rows], "the page's people differ"
    assert [r["name"] for r in answer["results"]] == [r[1] for r in rows], "the page's names differ"
    assert rows, "an empty page measures nothing"


def api_case(role, user):
    browser, prefix = client(user), scope_path(user)
    return Case(
        name=f"people API, {role}, page 1",
        ours=lambda: fetch(browser, API_URL, HTTP_ACCEPT="application/json"),
        baseline=lambda: api_baseline(prefix),
        check=same_api_page,
        note=f"{API_URL}, 50 a page; the API's rate per account raised for the run ({API_RATE})",
    )


# A person ---------------------------------------------------------------------------------------------
def person_baseline(pk, prefix):
    """The person's page: the record with its school and completeness, memberships, titles, posts and
    dispatches."""
    condition, params = school_in_scope("p.school_id", prefix)
    current = "SELECT 1 FROM people_membership m WHERE m.person_id = p.id AND m.ended_on IS NULL"
    person = run(
        "SELECT p.id, p.name, p.id_number_masked, p.mobile_masked, p.sex, p.birth_date, p.ethnic_group, "
        "p.education, p.post, p.front_line, p.political_status, s.id, s.name, "
        "(CASE WHEN p.ethnic_group <> '' THEN 1 ELSE 0 END) + (CASE WHEN p.education <> '' THEN 1 ELSE 0 END)"
        " + (CASE WHEN p.mobile_cipher <> '' THEN 1 ELSE 0 END) + (CASE WHEN p.post <> '' THEN 1 ELSE 0 END)"
        " + (CASE WHEN p.political_status NOT IN ('member', 'probationary')"
        f" OR (p.political_status = 'probationary' AND EXISTS ({current}))"
        f" OR (p.political_status = 'member' AND EXISTS ({current} AND m.full_on IS NOT NULL))"
        " THEN 1 ELSE 0 END) "
        f"FROM people_person p JOIN orgs_school s ON s.id = p.school_id WHERE p.id = %s AND {condition}",
        [pk, *params],
    )
    memberships = run(
        "SELECT m.id, o.id, o.name, m.admitted_on, m.full_on, m.ended_on FROM people_membership m "
        "JOIN orgs_partyorganization o ON o.id = m.organization_id WHERE m.person_id = %s "
        "ORDER BY m.admitted_on DESC",
        [pk],
    )
    honors = run(
        "SELECT h.id, h.title, h.level, h.awarded_on, h.lapsed_on FROM people_honor h WHERE h.person_id = %s "
        "ORDER BY h.awarded_on DESC",
        [pk],
    )
    posts = run(
        "SELECT c.id, o.name, c.post, c.start_on, c.end_on FROM people_committeepost c "
        "JOIN orgs_partyorganization o ON o.id = c.organization_id WHERE c.person_id = %s "
        "ORDER BY o.path, c.post, c.start_on DESC",
        [pk],
    )
    dispatches = run(
        "SELECT d.id, d.role, s.name, d.start_on, d.end_on FROM people_dispatch d "
        "JOIN orgs_school s ON s.id = d.school_id WHERE d.person_id = %s ORDER BY d.start_on DESC",
        [pk],
    )
    return person, memberships, honors, posts, dispatches


MEMBERSHIP_LINK = re.compile(rb'<li class="list-group-item">\s*<a href="/orgs/organizations/(\d+)/">')
ITEM = re.compile(rb'<li class="list-group-item">')
H1 = re.compile(rb'<h1 class="h3 me-auto mb-0">([^<]*)</h1>')
COMPLETENESS = re.compile(rb'id="completeness">(\d+)%')


def same_person(ours, baseline):
    from django.utils.html import escape

    person, memberships, honors, posts, dispatches = baseline
    assert len(person) == 1, "the baseline does not find the person"
    (row,) = person
    title = H1.search(ours)
    assert title, "no title on the person's page"
    assert title.group(1).decode() == escape(row[1]), "the person's name differs"
    assert escape(row[2]).encode() in ours, "the masked ID number is not shown"
    shown = [int(pk) for pk in MEMBERSHIP_LINK.findall(ours)]
    assert shown == [m[1] for m in memberships], f"memberships: ours {shown}, baseline {memberships}"
    items = len(ITEM.findall(ours))
    expected = len(memberships) + len(honors) + len(posts) + len(dispatches)
    assert items == expected, f"records listed: ours {items}, baseline {expected}"
    percent = COMPLETENESS.search(ours)
    assert percent, "no completeness on the person's page"
    assert int(percent.group(1)) == round(100 * row[-1] / 5), "the completeness differs"


def person_case(role, user):
    from redengine.people.models import Honor, Membership, Person

    visible = Person.objects.visible_to(user)
    members = Membership.objects.filter(person__in=visible).values("person_id")
    titled = Honor.objects.filter(person__in=visible).values("person_id")
    pk = (
        visible.filter(pk__in=members)
        .filter(pk__in=titled)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
        or visible.filter(pk__in=members).order_by("pk").values_list("pk", flat=True).first()
    )
    browser, prefix = client(user), scope_path(user)
    url = f"/people/people/{pk}/"
    return Case(
        name=f"person detail, {role}",
        ours=lambda: fetch(browser, url),
        baseline=lambda: person_baseline(pk, prefix),
        check=same_person,
        note=f"{url}: a party member with a title where there is one; the record, its school, "
        "completeness, memberships, titles, posts and dispatches",
    )


# Searches ---------------------------------------------------------------------------------------------
def name_case(role, user):
    from redengine.people.models import Person

    prefix = scope_path(user)
    # A name typed whole, as a user looks someone up: the tenth person of the scope's (several may share it).
    name = Person.objects.visible_to(user).order_by("pk").values_list("name", flat=True)[9]
    browser = client(user)
    url = f"/people/people/?{urlencode({'q': name})}"
    condition, params = school_in_scope("p.school_id", prefix)

    def baseline():
        where = f"p.name LIKE %s AND {condition}"
        args = [f"%{name}%", *params]
        tables = "people_person p JOIN orgs_school s ON s.id = p.school_id"
        count = run(f"SELECT COUNT(*) FROM {tables} WHERE {where}", args)[0][0]
        rows = run(
            "SELECT p.id, p.name, p.id_number_masked, p.sex, s.name, p.post, p.political_status, "
            f"p.mobile_masked FROM {tables} WHERE {where} ORDER BY s.code, p.name, p.id LIMIT %s",
            [*args, PER_PAGE],
        )
        return count, rows

    return Case(
        name=f"search by name, {role}",
        ours=lambda: fetch(browser, url),
        baseline=baseline,
        check=same_page,
        note=f"?q=<a person's whole name> ({len(name)} characters): the list's name search, page 1",
    )


def revealer(user):
    """An account holding ``user``'s role at the same organization with the right to reveal personal data
    (which the generated accounts lack, and an identifier search needs), with a TOTP device (revealing
    needs two-factor login): made once, through the accounts' services as the generator makes its own."""
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from redengine.accounts import services
    from redengine.accounts.models import RoleAssignment, User
    from redengine.core.context import Actor, acting
    from redengine.core.writes import SYSTEM, writing

    username = f"{user.username}_reveal"
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    (assignment,) = RoleAssignment.objects.filter(user=user)
    with acting(Actor(label="bench")), transaction.atomic(), writing(SYSTEM):
        found, _password = services.create_account(
            username=username, full_name=username, password="Bench@Hongse2026", by=SYSTEM
        )
        services.grant_role(
            user=found, role=assignment.role, organization=assignment.organization, can_reveal=True, by=SYSTEM
        )
        TOTPDevice.objects.create(user=found, name="bench", confirmed=True)
    return found


def identifier_case(role, user):
    from django.db import connection

    from redengine.core.crypto import get_provider
    from redengine.people.models import Person

    user = revealer(user)
    prefix = scope_path(user)
    person = Person.objects.visible_to(user, "reveal").order_by("pk")[19]
    number = person.reveal_id_number()
    browser = client(user)
    condition, params = school_in_scope("p.school_id", prefix)

    def ours():
        response = browser.post("/people/people/search/", {"id_number": number})
        assert response.status_code == 200, f"identifier search: {response.status_code}"
        return response.content

    def baseline():
        index = get_provider().blind_index(number)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.id, p.name, p.id_number_masked, p.sex, s.name, p.post, p.political_status, "
                "p.mobile_masked FROM people_person p JOIN orgs_school s ON s.id = p.school_id "
                f"WHERE p.id_number_index = %s AND {condition} ORDER BY s.code, p.name_key, p.id LIMIT 50",
                [index, *params],
            )
            rows = cursor.fetchall()
        return len(rows), rows

    def check(ours_html, found):
        same_page(ours_html, found)
        assert found[1][0][0] == person.pk, "the baseline does not find the person"

    return Case(
        name=f"search by ID number, {role}",
        ours=ours,
        baseline=baseline,
        check=check,
        note=f"POST /people/people/search/ with a whole ID number (a logged reveal) by {user.username}, the {role}'s "
        "role with the right to reveal (made by the suite); the baseline computes "
        "the blind index with the same provider and selects by it; PEOPLE_IDENTIFIER_SEARCHES_PER_HOUR "
        f"raised to {SEARCHES:,} for the run",
    )


# The floor --------------------------------------------------------------------------------------------
def floor_case(role, user):
    """What every page costs before its own content: the notifications page of an account with none (the
    layout, the menu, the role switcher, the session policy, the two-factor check) beside the queries any
    logged-in page makes by hand — the session, the account, its device, its roles, its unread count."""
    from django.conf import settings

    browser = client(user)
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value

    def baseline():
        session = run(
            "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s",
            [key, datetime.datetime.now(datetime.UTC)],
        )
        account = run(
            "SELECT id, password, username, full_name, is_active FROM accounts_user WHERE id = %s", [user.pk]
        )
        device = run(
            "SELECT id, confirmed FROM otp_totp_totpdevice WHERE user_id = %s AND confirmed", [user.pk]
        )
        roles = run(
            "SELECT r.id, r.role, r.can_reveal, o.id, o.path, o.name FROM accounts_roleassignment r "
            "LEFT JOIN orgs_partyorganization o ON o.id = r.organization_id WHERE r.user_id = %s",
            [user.pk],
        )
        unread = run(
            "SELECT COUNT(*) FROM core_notification WHERE user_id = %s AND read_at IS NULL", [user.pk]
        )
        return session, account, device, roles, unread

    def check(ours, found):
        session, account, _device, roles, unread = found
        assert session, "the baseline finds no session"
        assert account[0][2] == user.username
        assert roles, "the account holds no role"
        assert unread[0][0] == 0, "the account has notifications: the page is not empty"
        assert b'id="empty-state"' in ours, "the page is not the empty notifications page"

    return Case(
        name=f"the floor: an empty page, {role}",
        ours=lambda: fetch(browser, "/notifications/"),
        baseline=baseline,
        check=check,
        note="/notifications/ of an account with none: what every page costs before its own content (the "
        "layout, menu, session policy, two-factor check); the baseline: the five queries any logged-in page "
        "makes, by hand",
    )


# The suite --------------------------------------------------------------------------------------------
def raise_limits():
    """The hour's identifier searches and the API's rate per account, raised for the rest of the run."""
    from django.conf import settings
    from django.test import override_settings

    override_settings(
        PEOPLE_IDENTIFIER_SEARCHES_PER_HOUR=SEARCHES,
        API_PERSONAL_READ_RATES={**settings.API_PERSONAL_READ_RATES, "default": API_RATE},
    ).enable()


def cases(context):
    raise_limits()
    accounts = context.accounts
    found = [floor_case("city", accounts["city"])]
    for page in lists():
        for role in ("city", "district", "province"):
            found.append(list_case(page, role, accounts[role], 1))
            found.append(list_case(page, role, accounts[role], DEEP))
    found = [case for case in found if case is not None]
    for role in ("city", "district"):
        found.append(api_case(role, accounts[role]))
    for role in ("city", "district"):
        found.append(person_case(role, accounts[role]))
    for role in ("city", "district"):
        found.append(name_case(role, accounts[role]))
    for role in ("city", "district"):
        found.append(identifier_case(role, accounts[role]))
    return found
