"""``make bench`` suite ``figures``: the dashboard and every metric, for the city and a district, each beside
the same figures computed by hand-written SQL (``connection.cursor()``), checked equal before anything is
timed.

- **The dashboard** (``/``, ``reports.views.dashboard``) for the city administrator and the district
  administrator: ours is the page through a Django test ``Client`` logged in as the login view leaves an
  account (``redengine.testing.login_client``: the TOTP device verified), status 200 asserted; the baseline
  is SQL for every figure the page shows: the organizations by type, the schools by district (by type within
  one district), staff and members, and the to-do list's counts and rows (elections due, organizations
  without a secretary, incomplete records, development steps late and due, coverage gaps this year, unread
  reminders, exports to approve, imports waiting, guidance due). The check compares the figures of the view
  (the functions it calls: ``organizations_by_type``, ``schools_by``, ``people_figures``,
  ``core.todo.todos_for``) with the baseline's, and finds each total and each to-do count in the HTML.
- **Every registered metric** (``core.metrics.compute_all``, what ``/api/metrics/`` answers) for the city's
  and the district's scope, for 2019 and for the current year when the data has records dated in it; the
  API itself once (the city, the current year), through the client; the costliest metrics one by one
  (``COSTLIEST``); and ``development.overdue`` on a day a month ago, worked out from the cases' steps as
  for any period that is over (2019 has no case). The baseline is one hand-written query per metric, from
  the definitions of metrics.md; the check compares every metric's JSON, value by value: an oracle of the
  metrics as much as a baseline.

The SQL reads the same tables and the same stored placements (``orgs_schoolplace``: where each school lies
in the tree, with the days) the application does, with the prefix range each database's index serves
(``LIKE 'prefix%'`` on PostgreSQL, a range elsewhere).
"""

import datetime
import re

from bench.figures_sql import NAMES, Dashboard, Metrics
from bench.harness import Case

# The costliest metrics (at scale 0.1, before the coverage was counted in one pass), each timed alone for both
# scopes in the year they cost most: the current year, or 2019 for the admissions (many that year).
COSTLIEST = [
    ("orgs.coverage", "current"),
    ("orgs.coverage_gaps", "current"),
    ("orgs.school_orgs", "current"),
    ("cultivation.member_share.backbone", "current"),
    ("cultivation.backbone_developed", 2019),
]
PAST_DAY = 30  # development.overdue worked out from the steps on a day this many days ago (a period over)


def check_metrics(ours, baseline):
    assert sorted(ours) == sorted(baseline), f"metrics: {sorted(set(ours) ^ set(baseline))} differ"
    wrong = {name: (ours[name], baseline[name]) for name in ours if ours[name] != baseline[name]}
    assert not wrong, "metrics differ from the SQL: " + "; ".join(
        f"{name}: ours {o} ≠ SQL {b}" for name, (o, b) in sorted(wrong.items())
    )


def view_figures(user):
    """The dashboard's figures as the view computes them (the functions it calls), in the baseline's form."""
    from redengine.core import todo
    from redengine.core.codes import DISTRICTS
    from redengine.orgs.choices import SchoolType
    from redengine.reports import views

    org_rows = views.organizations_by_type(user)
    school_rows = views.schools_by(user, "district", DISTRICTS.items())
    by_type = None if len(school_rows) > 1 else views.schools_by(user, "school_type", SchoolType.choices)
    todos = {}
    for _section, items in todo.todos_for(user):
        for item in items:
            todos[item.key] = (item.count, [(str(r.label), r.count, r.note) for r in item.rows])
    return {
        "orgs": [(str(label), n) for label, n in org_rows],
        "schools": [(str(label), n) for label, n in school_rows],
        "schools_by_type": by_type and [(str(label), n) for label, n in by_type],
        "people": views.people_figures(user),
        "todo": todos,
    }


def labelled(figures):
    """The baseline's figures with the view's labels and order (the choices' order, as the view shows them)."""
    from redengine.core.codes import DISTRICTS
    from redengine.orgs.choices import OrgType, SchoolType

    def ordered(counts, choices):
        return [(str(label), counts[code]) for code, label in choices if counts.get(code)]

    by_type = figures["schools_by_type"]
    return {
        **figures,
        "orgs": ordered(figures["orgs"], OrgType.choices),
        "schools": ordered(figures["schools"], DISTRICTS.items()),
        "schools_by_type": None if by_type is None else ordered(by_type, SchoolType.choices),
    }


def grouped(n):
    return f"{n:,}"


def check_dashboard(user):
    from django.utils import translation

    def check(response, baseline):
        assert response.status_code == 200, f"the dashboard answered {response.status_code}"
        with translation.override("zh-hans"):
            ours, theirs = view_figures(user), labelled(baseline)
        for key in ("orgs", "schools", "schools_by_type", "people"):
            assert ours[key] == theirs[key], f"dashboard {key}: view {ours[key]} ≠ SQL {theirs[key]}"
        assert sorted(ours["todo"]) == sorted(theirs["todo"]), (
            f"to-do items: view {sorted(ours['todo'])} ≠ SQL {sorted(theirs['todo'])}"
        )
        for key, found in ours["todo"].items():
            assert found == theirs["todo"][key], f"to-do {key}: view {found} ≠ SQL {theirs['todo'][key]}"
        html = response.content.decode()
        totals = {
            "org-total": sum(n for _l, n in theirs["orgs"]),
            "school-total": sum(n for _l, n in theirs["schools"]),
        }
        if theirs["people"] is not None:
            totals.update(
                {"staff-total": theirs["people"]["staff"], "member-total": theirs["people"]["members"]}
            )
        for element, n in totals.items():
            assert f'id="{element}">{grouped(n)}<' in html, f"the page does not show {element} {n}"
        for key, (count, _rows) in theirs["todo"].items():
            element = "todo-" + key.replace(".", "-").replace("_", "-")
            found = re.search(rf'id="{element}">.*?todo-count" href="[^"]*">([\d,]+)</a>', html, re.S)
            assert found, f"the page shows no to-do {key}"
            assert found.group(1) == grouped(count), f"the page's to-do {key} is not {count}"

    return check


def check_equal(ours, baseline):
    assert ours == baseline, f"ours {ours} ≠ SQL {baseline}"


def check_api(response, baseline):
    assert response.status_code == 200, f"/api/metrics/ answered {response.status_code}"
    check_metrics(response.json(), baseline)


# The cases ----------------------------------------------------------------------------------------------
def client_for(user):
    from django.test import Client

    from redengine.testing import login_client

    return login_client(Client(), user)


def has_records_in(year):
    from redengine.development.models import DevelopmentEvent
    from redengine.people.models import Membership

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        Membership.objects.filter(admitted_on__range=(start, end)).exists()
        or DevelopmentEvent.objects.filter(date__range=(start, end)).exists()
    )


def cases(context):
    from django.utils import timezone

    from redengine.core.metrics import REGISTRY, Period, compute_all
    from redengine.development.metrics import overdue_at
    from redengine.orgs.models import PartyOrganization

    missing = sorted(set(REGISTRY) - set(NAMES))
    assert not missing, f"metrics without their SQL here: {missing}"
    scopes = {
        "city": PartyOrganization.objects.get(code=context.city),
        "district": PartyOrganization.objects.get(code=context.district),
    }
    this_year = timezone.localdate().year
    years = [2019] + ([this_year] if this_year != 2019 and has_records_in(this_year) else [])
    found = []
    for role in ("city", "district"):
        user = context.accounts[role]
        client = client_for(user)
        found.append(
            Case(
                f"dashboard, {role}",
                ours=lambda client=client: client.get("/"),
                baseline=lambda user=user: Dashboard(user).figures(),
                check=check_dashboard(user),
            )
        )
    for role, scope in scopes.items():
        for year in years:
            period = Period.of(year)
            found.append(
                Case(
                    f"all metrics, {role}, {year}",
                    ours=lambda scope=scope, period=period: compute_all(scope, period),
                    baseline=lambda scope=scope, period=period: Metrics(scope, period).all(),
                    check=check_metrics,
                )
            )
    city, year = scopes["city"], years[-1]
    client = client_for(context.accounts["city"])
    found.append(
        Case(
            f"/api/metrics/, city, {year}",
            ours=lambda: client.get("/api/metrics/", {"scope": city.code, "year": year}),
            baseline=lambda: Metrics(city, Period.of(year)).all(),
            check=check_api,
        )
    )
    for name, when in COSTLIEST:
        period = Period.of(year if when == "current" else when)
        for role, scope in scopes.items():
            found.append(
                Case(
                    f"{name}, {role}, {period}",
                    ours=lambda scope=scope, period=period, name=name: compute_all(scope, period, [name]),
                    baseline=lambda scope=scope, period=period, name=name: Metrics(scope, period).all([name]),
                    check=check_metrics,
                )
            )
    # A period that is over reads the cases' state on its last day from their steps (2019 has no case: the
    # province's development begins in 2021); on a day a month ago, many are open.
    day = timezone.localdate() - datetime.timedelta(days=PAST_DAY)
    found.append(
        Case(
            f"development.overdue on {day} (from the steps), city",
            ours=lambda: overdue_at(city, day),
            baseline=lambda: Metrics(city, Period.of(day.year)).late_on(day),
            check=check_equal,
        )
    )
    return found
