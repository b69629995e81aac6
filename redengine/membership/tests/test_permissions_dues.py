"""The permission matrix of party dues (see redengine.testing.matrix): the bases, reliefs and voluntary payments
declared on a member's page, the months of the ledger (their list, export, payment form and API), the
voluntary payments (list, export, passed up), and the organization's ledger, totals (and export), months
opened, month paid in a batch and collection sheet; the calculator and ``/api/people/dues-quote/``.

The samples are four members of the demo tree — the secretary's own school (梅溪湖张老师), a sibling school of
the same district (麓山赵老师), another district (芙蓉周老师), a city-direct school (一中郑老师) — and their
organizations, with the district's own. Each case's ``setup`` makes their bases, months and payments with the
real services, for each test. A role without the action answers 403; a record outside the scope 404, as one
that does not exist; a write done leaves exactly its change records, in the actor's name."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.membership.models import DuesBase, DuesEntry, DuesRelief, VoluntaryPayment
from redengine.membership.services import dues
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Membership
from redengine.testing.matrix import (
    MISSING_PK,
    Action,
    ApiDetail,
    ApiList,
    ApiPatch,
    Detail,
    Export,
    ListPage,
    Page,
    ScopedCase,
    Trail,
    View,
    build_matrix,
    exported_values,
)

MEMBERS = {
    "own": "梅溪湖张老师",
    "sibling": "麓山赵老师",
    "other_district": "芙蓉周老师",
    "city": "一中郑老师",
}
ORGANIZATIONS = {
    "own": "CS430104-02",
    "sibling": "CS430104-01",
    "other_district": "CS430102-01",
    "district": "CS430104",
}
MISSING_CODE = "CS-NO-SUCH-ORGANIZATION"
NOTE = "矩阵自愿多交"


def today():
    return timezone.localdate()


def this_month():
    return today().replace(day=1)


def last_month():
    return (this_month() - datetime.timedelta(days=1)).replace(day=1)


def membership(name):
    return Membership.objects.select_related("person", "organization").get(person__name=name, ended_on=None)


def sample_members():
    return [membership(name) for name in MEMBERS.values()]


def sample_ledger():
    """The four members' first bases (from last month), this month opened for their organizations."""
    members = sample_members()
    dues.record_dues_bases(
        [
            Item({"membership": m, "category": "in_service", "base": "5000.01", "from_month": last_month()})
            for m in members
        ],
        by=SYSTEM,
    )
    dues.open_month(this_month(), [m.organization for m in members], by=SYSTEM)


def sample_voluntary():
    dues.record_voluntary(
        [
            Item({"membership": m, "amount": "1000", "paid_on": today(), "note": NOTE})
            for m in sample_members()
        ],
        by=SYSTEM,
    )


def entry_of(name):
    return DuesEntry.objects.get(membership__person__name=name, month=this_month())


def under(org):
    return [m for m in sample_members() if m.organization.path.startswith(org.path)]


# Views that take their record by the query string ---------------------------------------------------
@dataclass
class QueryPage(View):
    """A page that takes its organization by the query string: 403 for a role without the action (after
    ``first``, what the page itself needs); 404 for an organization outside the scope, exactly as for one that
    does not exist; else 200, showing ``shows`` (a workbook holding ``cell`` for an export), and its log row."""

    query: object = None
    missing: dict | None = None
    first: str | None = None
    shows: object = None
    cell: object = None
    logs: str | None = None

    kind = "ui_query"

    def check(self, run):
        obj = run.subject
        trail = Trail()
        response = run.ui().get(reverse(self.url), self.query(obj) if obj is not None else self.missing)
        for action in filter(None, (self.first, self.action)):
            if not run.case.allowed(run.user, action, self.model):
                trail.assert_refused(response, run.user, action)
                return
        reachable = obj is not None and self.in_scope(run)
        assert response.status_code == (200 if reachable else 404), response.content[:300]
        if reachable and self.shows:
            assert self.shows(obj) in response.content.decode()
        if reachable and self.cell:
            assert self.cell(obj) in exported_values(response)
        if self.logs:
            trail.assert_logged(run.user, self.logs, 1 if reachable else 0)
        trail.assert_nothing_written()


@dataclass
class ApiPage(View):
    """A read of the API about no record (the calculator): 403 for a role without the view of the ledger, else
    200 with ``answers`` true."""

    query: dict | None = None
    answers: object = None

    kind = "api_page"
    with_object = False

    def sample(self, case):
        return [None]

    def check(self, run):
        trail = Trail()
        response = run.api("get", reverse(self.url), **self.query)
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        assert response.status_code == 200, response.content[:300]
        assert self.answers(response.json()), response.json()
        trail.assert_nothing_written()


# A member's dues: the page, the base, the relief, the voluntary payment ------------------------------
def base_data(m):
    return {
        "category": "in_service",
        "base": "4321",
        "from_month": f"{this_month():%Y-%m}",
        "declared_on": today().isoformat(),
    }


def relief_data(m):
    return {
        "exempt": "on",
        "monthly": "",
        "from_month": f"{this_month():%Y-%m}",
        "until_month": f"{this_month():%Y-%m}",
        "reason": "矩阵减免",
        "approved_by": "中共岳麓区教育局委员会",
        "approved_on": today().isoformat(),
    }


def voluntary_data(m):
    return {"amount": "1234.00", "paid_on": today().isoformat(), "note": "矩阵表单"}


MEMBER_CASE = ScopedCase(
    name="dues_member",
    model=Membership,
    positions=MEMBERS,
    find=membership,
    owners=lambda m: [m.organization],
    views=[
        Detail("membership:dues_member", model=DuesEntry),
        Detail("membership:dues_base_add", model=DuesBase, action="add", label="form"),
        Action(
            "membership:dues_base_add",
            model=DuesBase,
            action="add",
            data=base_data,
            done=lambda m: DuesBase.objects.filter(membership=m, base="4321").exists(),
            records=lambda m: {("duesbase", "create"): 1},
        ),
        Detail("membership:dues_relief_add", model=DuesRelief, action="add", label="form"),
        Action(
            "membership:dues_relief_add",
            model=DuesRelief,
            action="add",
            data=relief_data,
            done=lambda m: DuesRelief.objects.filter(membership=m, reason="矩阵减免").exists(),
            records=lambda m: {("duesrelief", "create"): 1},
        ),
        Detail("membership:dues_voluntary_add", model=VoluntaryPayment, action="add", label="form"),
        Action(
            "membership:dues_voluntary_add",
            model=VoluntaryPayment,
            action="add",
            data=voluntary_data,
            done=lambda m: VoluntaryPayment.objects.filter(membership=m, note="矩阵表单").exists(),
            records=lambda m: {("voluntarypayment", "create"): 1},
        ),
    ],
)


# The bases and reliefs, read on the member's page ------------------------------------------------------
@dataclass
class OnMemberPage(View):
    """The page of the record's member: 403 for a role without the view, 404 outside the scope as for a
    missing id, else the record shown (``shows``), nothing written."""

    shows: object = None

    kind = "ui_member_page"

    def check(self, run):
        obj = run.subject
        reachable = obj is not None and self.in_scope(run)
        trail = Trail()
        response = run.ui().get(reverse(self.url, args=[obj.membership_id if obj else MISSING_PK]))
        if not run.allowed:
            trail.assert_refused(response, run.user, self.action)
            return
        assert response.status_code == (200 if reachable else 404), response.content[:300]
        if reachable:
            assert self.shows(obj) in response.content.decode()
        trail.assert_nothing_written()


BASES = {position: f"{4100 + n}.00" for n, position in enumerate(MEMBERS)}
REASONS = {position: f"矩阵减免原因{position}" for position in MEMBERS}


def sample_bases():
    dues.record_dues_bases(
        [
            Item(
                {
                    "membership": membership(name),
                    "category": "in_service",
                    "base": BASES[p],
                    "from_month": last_month(),
                }
            )
            for p, name in MEMBERS.items()
        ],
        by=SYSTEM,
    )


def sample_reliefs():
    dues.record_reliefs(
        [
            Item(
                {
                    "membership": membership(name),
                    "exempt": True,
                    "from_month": this_month(),
                    "until_month": this_month(),
                    "reason": REASONS[p],
                    "approved_by": "上级党委",
                    "approved_on": today(),
                }
            )
            for p, name in MEMBERS.items()
        ],
        by=SYSTEM,
    )


BASE_CASE = ScopedCase(
    name="dues_base",
    model=DuesBase,
    positions=BASES,
    find=lambda base: DuesBase.objects.get(base=base, from_month=last_month()),
    owners=lambda b: [b.membership.organization],
    setup=sample_bases,
    views=[OnMemberPage("membership:dues_member", shows=lambda b: f"{b.base}")],
)
RELIEF_CASE = ScopedCase(
    name="dues_relief",
    model=DuesRelief,
    positions=REASONS,
    find=lambda reason: DuesRelief.objects.get(reason=reason),
    owners=lambda r: [r.membership.organization],
    setup=sample_reliefs,
    views=[OnMemberPage("membership:dues_member", shows=lambda r: r.reason)],
)


# The months of the ledger -----------------------------------------------------------------------------
def paid(e):
    return DuesEntry.objects.get(pk=e.pk).paid > 0


ENTRY_CASE = ScopedCase(
    name="dues_entry",
    model=DuesEntry,
    positions=MEMBERS,
    find=entry_of,
    owners=lambda e: [e.organization],
    setup=sample_ledger,
    views=[
        ListPage("membership:duesentry_list", query={}, text=lambda e: e.membership.person.name),
        Export("membership:duesentry_list", text=lambda e: e.membership.person.name),
        Detail("membership:dues_pay", action="change", label="form"),
        Action(
            "membership:dues_pay",
            action="change",
            data=lambda e: {"paid": str(e.due), "paid_on": today().isoformat(), "method": "cash"},
            done=paid,
            records=lambda e: {("duesentry", "update"): 1},
        ),
        ApiList("duesentry-list"),
        ApiDetail("duesentry-detail"),
        ApiPatch(
            "duesentry-detail",
            body=lambda e: {"paid": str(e.due), "paid_on": today().isoformat(), "method": "online"},
            done=lambda e: e.paid > 0 and e.method == "online",
        ),
    ],
)


# Voluntary payments -----------------------------------------------------------------------------------
VOLUNTARY_CASE = ScopedCase(
    name="dues_voluntary",
    model=VoluntaryPayment,
    positions=MEMBERS,
    find=lambda name: VoluntaryPayment.objects.get(membership__person__name=name, note=NOTE),
    owners=lambda v: [v.organization],
    setup=sample_voluntary,
    marker_field="note",
    views=[
        ListPage("membership:voluntarypayment_list", query={}),
        Export("membership:voluntarypayment_list"),
        Detail("membership:dues_passed_up", action="change", label="form"),
        Action(
            "membership:dues_passed_up",
            action="change",
            data=lambda v: {"passed_up_on": today().isoformat()},
            done=lambda v: VoluntaryPayment.objects.get(pk=v.pk).passed_up_on is not None,
            records=lambda v: {("voluntarypayment", "update"): 1},
        ),
    ],
)


# An organization's ledger: the grid, the totals, a month opened or paid, the collection sheet ---------
def year_of(o):
    return {"org": o.code, "year": today().year}


def open_records(o):
    return {("duesentry", "create"): len(under(o))}


def batch_data(o):
    entries = DuesEntry.objects.filter(month=this_month(), organization__path__startswith=o.path, paid=0)
    return {
        "month": f"{this_month():%Y-%m}",
        "entries": [e.pk for e in entries],
        "paid_on": today().isoformat(),
        "method": "cash",
    }


def all_paid(o):
    entries = DuesEntry.objects.filter(month=this_month(), organization__path__startswith=o.path)
    return entries.exists() and not entries.filter(paid=0).exists()


def opened_last_month(o):
    return DuesEntry.objects.filter(month=last_month(), organization__path__startswith=o.path).exists()


ORGANIZATION_CASE = ScopedCase(
    name="dues_organization",
    model=PartyOrganization,
    lookup="code",
    positions=ORGANIZATIONS,
    owners=lambda o: [o],
    setup=sample_ledger,
    views=[
        Page("membership:dues_ledger", model=DuesEntry, label="home"),
        QueryPage(
            "membership:dues_ledger",
            model=DuesEntry,
            query=year_of,
            missing={"org": MISSING_CODE},
            shows=lambda o: o.name,
        ),
        Page("membership:dues_totals", model=DuesEntry, label="home"),
        QueryPage(
            "membership:dues_totals",
            model=DuesEntry,
            query=year_of,
            missing={"org": MISSING_CODE},
            shows=lambda o: o.name,
        ),
        QueryPage(
            "membership:dues_totals",
            label="export",
            model=DuesEntry,
            action="export",
            first="view",
            query=lambda o: {**year_of(o), "export": "xlsx"},
            missing={"org": MISSING_CODE, "export": "xlsx"},
            cell=lambda o: "合计",
            logs="export",
        ),
        Detail("membership:dues_open", model=DuesEntry, action="add", label="form"),
        Action(
            "membership:dues_open",
            model=DuesEntry,
            action="add",
            data=lambda o: {"month": f"{last_month():%Y-%m}"},
            done=opened_last_month,
            records=open_records,
        ),
        Detail("membership:dues_pay_batch", model=DuesEntry, action="change", label="form"),
        Action(
            "membership:dues_pay_batch",
            model=DuesEntry,
            action="change",
            data=batch_data,
            done=all_paid,
            records=lambda o: {("duesentry", "update"): len(under(o))},
        ),
        QueryPage(
            "membership:dues_sheet",
            model=DuesEntry,
            action="export",
            query=lambda o: {"org": o.code, "month": f"{this_month():%Y-%m}"},
            missing={"org": MISSING_CODE},
            logs="export",
        ),
        Page("membership:dues_calculator", model=DuesEntry),
        ApiPage(
            "dues_quote",
            model=DuesEntry,
            query={"base": "5000.01", "category": "in_service"},
            answers=lambda data: (data["monthly"], data["rate"]) == ("75.00", "0.015"),
        ),
    ],
)

globals().update(
    build_matrix(MEMBER_CASE, BASE_CASE, RELIEF_CASE, ENTRY_CASE, VOLUNTARY_CASE, ORGANIZATION_CASE)
)
