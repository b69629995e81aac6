"""组织生活 pages: the meetings (list, filters, export), a meeting with its attendance, the quick entry of a
meeting with its attendance ticked on the member list (made for a phone), copying last month's meeting,
the calendar of an organization (month grid and list), the compliance of a scope with its drill-down
(district → school → branch → month) and the panels on the organization and development-case pages."""

import calendar
import datetime
import re
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from redengine.core.exports import export_filename, xlsx_response
from redengine.core.files import download
from redengine.core.metrics import Period
from redengine.core.reads import account_read
from redengine.core.services import ADD, CHANGE
from redengine.core.views import (
    Column,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectListView,
    ScopedMixin,
    add_problems,
    refuse,
    remembered,
)
from redengine.core.writes import RefusedError
from redengine.development.models import DevelopmentCase
from redengine.orgs.models import PartyOrganization

from . import compliance, rules, services
from .filters import MeetingFilterSet
from .forms import MeetingForm
from .models import Attendance, AttendanceStatus, Meeting, MeetingAttachment
from .rules import MeetingType

STATUS_FIELD = re.compile(r"^status_(\d+)$")
GUEST_FIELD = re.compile(r"^guest_(\d+)$")


class MeetingListView(ObjectListView):
    model = Meeting
    filterset_class = MeetingFilterSet
    select_related = ("organization",)
    default_order = ["-date", "-pk"]
    create_url_name = "activities:meeting_add"
    title = gettext_lazy("Meetings")
    export_title = gettext_lazy("Organizational life records")
    columns = [
        Column("date", gettext_lazy("Date"), "date", link=True),
        Column("get_meeting_type_display", gettext_lazy("Meeting type"), "meeting_type"),
        Column("organization.name", gettext_lazy("Organization"), "organization__path"),
        Column("topic", gettext_lazy("Topic")),
        Column("expected", gettext_lazy("Expected")),
        Column("actual", gettext_lazy("Present")),
        Column("rate_text", gettext_lazy("Attendance rate")),
    ]


def holding_orgs(user, action="view"):
    """The organizations of the user's scope that hold meetings, branches first, by path."""
    prefixes = user.scope_prefixes(Meeting, action)
    if not prefixes:
        return PartyOrganization.objects.none()
    return PartyOrganization.objects.visible_to(user).filter(org_type__in=list(rules.HELD_BY))


def may_add_at(user, org):
    return any(org.path.startswith(p) for p in user.scope_prefixes(Meeting, ADD))


class MeetingDetailView(ObjectDetailView):
    model = Meeting
    select_related = ("organization", "host", "lecturer", "recorded_by")
    template_name = "activities/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        rows = list(
            meeting.attendance.select_related("person").order_by("guest", "status", "person__name_key")
        )
        account_read(self.request, Attendance, rows, detail=f"meeting #{meeting.pk}")
        members = [r for r in rows if not r.guest]
        context.update(
            members=members,
            guests=[r for r in rows if r.guest],
            present=sum(1 for r in members if r.status == AttendanceStatus.PRESENT),
            leave=sum(1 for r in members if r.status == AttendanceStatus.LEAVE),
            absent=sum(1 for r in members if r.status == AttendanceStatus.ABSENT),
            attachments=list(meeting.attachments.all()),
            can_add=may_add_at(self.request.user, meeting.organization),
            calendar_url=calendar_url(meeting.organization, meeting.date),
            breadcrumbs=[(_("Meetings"), reverse("activities:meeting_list")), (str(meeting), None)],
        )
        return context


def calendar_url(org, day):
    return (
        reverse("activities:calendar") + "?" + urlencode({"organization": org.code, "month": f"{day:%Y-%m}"})
    )


def parse_day(value):
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class MeetingEditView(ScopedMixin, View):
    """Record a meeting (``?organization=<pk>``, optionally ``&type=`` and ``&copy=<meeting pk>``) or change one,
    with its attendance ticked on the roster of the organization on the day."""

    model = Meeting
    template_name = "activities/meeting_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.action = CHANGE if "pk" in kwargs else ADD
        return super().dispatch(request, *args, **kwargs)

    # The meeting and its organization ---------------------------------------------------------------
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = None
        self.organization = None
        self.copied = None

    def find(self):
        user = self.request.user
        if self.action == CHANGE:
            self.object = remembered(
                get_object_or_404(self.scoped().select_related("organization"), pk=self.kwargs["pk"])
            )
            self.organization = self.object.organization
            return True
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        copy = data.get("copy")
        if copy and str(copy).isdigit():
            self.copied = get_object_or_404(
                Meeting.objects.visible_to(user).select_related("organization", "host", "lecturer"), pk=copy
            )
            self.organization = self.copied.organization
        pk = data.get("organization")
        if self.organization is None and pk and str(pk).isdigit():
            self.organization = get_object_or_404(holding_orgs(user, ADD), pk=pk)
        if self.organization is None:
            return False
        if not may_add_at(user, self.organization):
            raise Http404
        return True

    # The list ----------------------------------------------------------------------------------------
    def roster(self, day):
        members = services.rosters([(self.organization, day)]).get((self.organization.pk, day), [])
        seen, people = set(), []
        for membership in members:
            if membership.person_id not in seen:
                seen.add(membership.person_id)
                people.append(membership.person)
        invited = services.guests([(self.organization, day)]).get((self.organization.pk, day), {})
        return people, [case.person for case in invited.values() if case.person_id not in seen]

    def recorded_lines(self):
        if self.object is None:
            return {}
        return {a.person_id: a for a in self.object.attendance.all()}

    def types(self, day):
        has_committee = self.organization.pk in services.committees([self.organization], day)
        return [
            t
            for t in MeetingType.values
            if services.held_problem(self.organization, t, has_committee=has_committee) is None
        ]

    def form(self, data=None, files=None, day=None):
        people, _guests = self.roster(day)
        initial = {}
        if self.object is None:
            initial = {"date": day, "meeting_type": self.request.GET.get("type") or ""}
            if self.copied is not None:
                values = services.copy_values(self.copied, timezone.localdate())
                initial.update({k: v for k, v in values.items() if k != "organization"})
                initial["date"] = day
        form = MeetingForm(
            data,
            files,
            instance=self.object,
            initial=initial,
            user=self.request.user,
            organization=self.organization,
            people=people,
            types=self.types(day),
        )
        # A change of the date or the type shows the roster (and the guests) of that day at once.
        for name in ("date", "meeting_type"):
            form.fields[name].widget.attrs.update(
                {
                    "hx-post": self.request.get_full_path(),
                    "hx-trigger": "change",
                    "hx-vals": '{"refresh": "1"}',
                    "hx-target": "#meeting-form",
                    "hx-select": "#meeting-form",
                    "hx-swap": "outerHTML",
                }
            )
        return form

    def day(self):
        if self.request.method == "POST":
            found = parse_day(self.request.POST.get("date"))
            if found:
                return found
        if self.object is not None:
            return self.object.date
        if self.copied is not None:
            return services.copy_values(self.copied, timezone.localdate())["date"]
        return parse_day(self.request.GET.get("date")) or timezone.localdate()

    def lines(self, people, guests_, day):
        """(person, status, reason, guest, checked) to render: from the POST, the meeting or the defaults."""
        posted = self.request.method == "POST"
        recorded = self.recorded_lines()
        copied = {}
        if self.copied is not None:
            copied = {a.person_id: a for a in self.copied.attendance.all() if a.guest}
        rows = []
        for person in people:
            if posted:
                status = self.request.POST.get(f"status_{person.pk}", AttendanceStatus.ABSENT)
                reason = self.request.POST.get(f"reason_{person.pk}", "")
            elif person.pk in recorded:
                status, reason = recorded[person.pk].status, recorded[person.pk].reason
            else:
                status, reason = AttendanceStatus.PRESENT, ""
            rows.append({"person": person, "status": status, "reason": reason, "guest": False})
        guest_rows = []
        for person in guests_:
            if posted:
                checked = bool(self.request.POST.get(f"guest_{person.pk}"))
            else:
                checked = person.pk in recorded or person.pk in copied
            guest_rows.append({"person": person, "checked": checked})
        return rows, guest_rows

    def posted_attendance(self, people, guests_):
        known = {p.pk: p for p in [*people, *guests_]}
        found = []
        for key, value in self.request.POST.items():
            match = STATUS_FIELD.match(key)
            if match:
                pk = int(match.group(1))
                found.append(
                    services.Listed(known.get(pk, pk), value, self.request.POST.get(f"reason_{pk}", ""))
                )
            match = GUEST_FIELD.match(key)
            if match and value:
                pk = int(match.group(1))
                found.append(services.Listed(known.get(pk, pk), AttendanceStatus.PRESENT))
        return found

    # The answers -------------------------------------------------------------------------------------
    def get(self, request, *args, **kwargs):
        if not self.find():
            return self.choose()
        day = self.day()
        return self.show(self.form(day=day), day)

    def post(self, request, *args, **kwargs):
        if not self.find():
            return self.choose()
        day = self.day()
        if request.POST.get(
            "refresh"
        ):  # the date or type changed: the roster of that day, what was typed kept
            form = self.form(day=day)
            form.initial.update(
                {k: v for k, v in request.POST.items() if k in form.fields and k != "attachments"}
            )
            return self.show(form, day)
        form = self.form(request.POST, request.FILES, day=day)
        if form.is_valid():
            people, guests_ = self.roster(form.cleaned_data["date"])
            values = {k: v for k, v in form.cleaned_data.items() if k in services.MEETINGS.fields}
            values["organization"] = self.organization
            files = [(f.name, f.read()) for f in form.cleaned_data.get("attachments") or []]
            entry = services.MeetingEntry(values, self.object, self.posted_attendance(people, guests_), files)
            try:
                meeting = services.record_meetings([entry], by=request.user)[0]
            except RefusedError as exc:
                add_problems(form, exc)
            else:
                messages.success(
                    request,
                    _("Recorded %(meeting)s of %(org)s: %(actual)s of %(expected)s present.")
                    % {
                        "meeting": meeting,
                        "org": self.organization.name,
                        "actual": meeting.actual,
                        "expected": meeting.expected,
                    },
                )
                return redirect(meeting.get_absolute_url())
        return self.show(form, day, status=200)

    def show(self, form, day, status=200):
        people, guests_ = self.roster(day)
        rows, guest_rows = self.lines(people, guests_, day)
        title = (
            _("Change %(object)s") % {"object": self.object}
            if self.object
            else _("Record a meeting of %(org)s") % {"org": self.organization.name}
        )
        back = self.object.get_absolute_url() if self.object else calendar_url(self.organization, day)
        context = {
            "form": form,
            "first_fields": [form[name] for name in ("meeting_type", "date", "topic", "place", "host")],
            "more_fields": [
                form[name] for name in ("lecturer", "lecturer_name", "minutes", "resolutions", "attachments")
            ],
            "object": self.object,
            "organization": self.organization,
            "copied": self.copied,
            "day": day,
            "rows": rows,
            "guest_rows": guest_rows,
            "guest_types": sorted(rules.GUEST_TYPES),
            "statuses": AttendanceStatus.choices,
            "title": title,
            "back": back,
            "breadcrumbs": [(_("Meetings"), reverse("activities:meeting_list")), (title, None)],
        }
        return render(self.request, self.template_name, context, status=status)

    def choose(self):
        """No organization given: the organizations of the user's scope where meetings may be recorded."""
        found = holding_orgs(self.request.user, ADD)
        q = (self.request.GET.get("q") or "").strip()
        if q:
            found = found.filter(name__contains=q) | found.filter(code__startswith=q)
        orgs = list(found.order_by("path")[:51])
        return render(
            self.request,
            "activities/choose_organization.html",
            {
                "orgs": orgs[:50],
                "more": len(orgs) > 50,
                "q": q,
                "title": _("Record a meeting"),
                "breadcrumbs": [
                    (_("Meetings"), reverse("activities:meeting_list")),
                    (_("Record a meeting"), None),
                ],
            },
        )


class MeetingDeleteView(ObjectDeleteView):
    model = Meeting
    service = services.MEETINGS
    success_url_name = "activities:meeting_list"


class AttachmentView(ScopedMixin, View):
    """Download a meeting's file: within scope, and logged like an export."""

    model = MeetingAttachment

    def get(self, request, pk):
        return download(request, get_object_or_404(self.scoped(), pk=pk))


# The calendar ---------------------------------------------------------------------------------------
def parse_month(value, today):
    try:
        year, month = (int(part) for part in str(value).split("-"))
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def guard(request, action="view"):
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login") + "?next=" + quote(request.get_full_path()))
    if not request.user.can(Meeting, action):
        return refuse(request, Meeting, action)
    return None


def home_org(user, orgs):
    """The organization a page opens on: the shortest path of the user's scope among ``orgs``."""
    return orgs.order_by("depth", "path").first()


def calendar_view(request):
    """An organization's meetings of a month, as a grid of weeks and as a list, with what the month requires
    and the recurring meetings of last month to copy."""
    refused = guard(request)
    if refused:
        return refused
    user = request.user
    today = timezone.localdate()
    orgs = holding_orgs(user)
    code = (request.GET.get("organization") or "").strip()
    if code:
        org = orgs.filter(code=code).first()
        if org is None:
            raise Http404
    else:
        org = orgs.filter(org_type__in=rules.BRANCH_TYPES).order_by("path").first() or home_org(user, orgs)
    if org is None:
        return render(
            request, "activities/calendar.html", {"org": None, "title": _("Organizational life calendar")}
        )
    first = parse_month(request.GET.get("month"), today)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    meetings = list(
        Meeting.objects.visible_to(user)
        .filter(organization=org, date__range=(previous, last))
        .order_by("date", "pk")
    )
    this_month = [m for m in meetings if m.date >= first]
    by_day = {}
    for meeting in this_month:
        by_day.setdefault(meeting.date, []).append(meeting)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append(
            [
                {
                    "day": d,
                    "in_month": d.month == first.month,
                    "meetings": by_day.get(d, []),
                    "today": d == today,
                }
                for d in week
            ]
        )
    # Last month's recurring meetings (monthly types) that this month has not had yet: copy them.
    monthly = {f.meeting_type for f in rules.FREQUENCIES if f.unit == rules.MONTH}
    held_now = {m.meeting_type for m in this_month}
    to_copy = {}
    for meeting in meetings:
        if meeting.date < first and meeting.meeting_type in monthly and meeting.meeting_type not in held_now:
            to_copy[meeting.meeting_type] = meeting
    result = compliance.detail([org], first, last, today).get(org.pk)
    status = []
    if result:
        for rule in result.rules:
            for unit in rule.units:
                if unit.unit.kind == rules.MONTH:
                    status.append({"rule": rule, "unit": unit})
    subtree = list(
        orgs.filter(
            path__startswith=org.path[: len(org.path) - org.steplen] if org.depth > 1 else org.path
        ).order_by("path")[:60]
    )
    context = {
        "org": org,
        "orgs": subtree,
        "first": first,
        "last": last,
        "weeks": weeks,
        "meetings": this_month,
        "previous": f"{previous:%Y-%m}",
        "following": f"{following:%Y-%m}"
        if following <= today.replace(day=1) + datetime.timedelta(days=31)
        else None,
        "to_copy": list(to_copy.values()),
        "status": status,
        "can_add": may_add_at(user, org) and first <= today,
        "today": today,
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "title": _("Organizational life calendar"),
        "breadcrumbs": [(_("Organizational life calendar"), None)],
    }
    return render(request, "activities/calendar.html", context)


# Compliance -----------------------------------------------------------------------------------------
def compliance_view(request):
    """The compliance of a scope for a year: its branches that kept every frequency, the organizations below
    (drill-down), and for an organization that holds meetings itself each frequency month by month and its
    members' organizational life."""
    refused = guard(request)
    if refused:
        return refused
    user = request.user
    export = request.GET.get("export") == "xlsx"
    if export and not user.can(Meeting, "export"):  # refused before the organization is looked up
        return refuse(request, Meeting, "export")
    today = timezone.localdate()
    visible = PartyOrganization.objects.visible_to(user)
    code = (request.GET.get("organization") or "").strip()
    org = visible.filter(code=code).first() if code else home_org(user, visible)
    if org is None:
        raise Http404
    try:
        year = int(request.GET.get("year") or today.year)
        period = Period.of(year)
    except ValueError:
        messages.error(request, _("The year must have four digits."))
        period = Period.of(today.year)
    start, end = period.start, period.end
    if start > today:
        messages.error(
            request, _("%(year)s has not begun: no meeting is due yet.") % {"year": period.first_year}
        )
    totals, rows = compliance.summary(org, start, end, today)
    rows = [r for r in rows if r["organization"].pk != org.pk]
    own = None
    members = []
    if org.org_type in rules.REQUIRED_OF:
        own = compliance.detail([org], start, end, today).get(org.pk)
    if org.org_type in rules.BRANCH_TYPES:  # a branch's members (a committee's are its branches')
        lives = compliance.members_life(org, start, end, today)
        account_read(request, Attendance, rows=len(lives), detail=f"compliance {org.code} {period}")
        lapse, alert = rules.param("life.lapse_months"), rules.param("life.lapse_alert_months")
        for life in lives:
            months = compliance.lapse_since(life.membership, life.last_present, today)
            members.append(
                {
                    "life": life,
                    "months": months,
                    "lapse": months >= lapse,
                    "alert": alert <= months < lapse,
                    "run": life.absent_run >= rules.param("life.absent_run"),
                }
            )
    keys = [f.key for f in rules.FREQUENCIES]
    labels = {f.key: f.label for f in rules.FREQUENCIES}
    if export:
        return compliance_export(request, org, period, totals, rows, own, keys, labels)
    steps = range(org.steplen, len(org.path), org.steplen)
    ancestors = list(visible.filter(path__in=[org.path[:n] for n in steps]).order_by("depth"))
    context = {
        "org": org,
        "period": period,
        "year": period.first_year,
        "years": list(range(today.year, today.year - 5, -1)),
        "totals": totals,
        "rows": rows,
        "own": own,
        "members": members,
        "keys": [k for k in keys if any(k in r["missed"] for r in rows) or k in totals["missed"]],
        "labels": labels,
        "frequencies": rules.FREQUENCIES,
        "today": today,
        "title": _("Organizational life compliance"),
        "breadcrumbs": [
            *[
                (
                    a.name,
                    reverse("activities:compliance") + f"?organization={a.code}&year={period.first_year}",
                )
                for a in ancestors
            ],
            (org.name, None),
        ],
        "lapse_months": rules.param("life.lapse_months"),
        "alert_months": rules.param("life.lapse_alert_months"),
        "can_export": user.can(Meeting, "export"),
    }
    return render(request, "activities/compliance.html", context)


def compliance_export(request, org, period, totals, rows, own, keys, labels):
    headers = [_("Organization"), _("Branches counted"), _("Kept every frequency"), _("Share")]
    headers += [_("Missed: %(rule)s") % {"rule": labels[k]} for k in keys]
    lines = []
    for row in [{"organization": org, **totals}, *rows]:
        share = row["share"]
        lines.append(
            [
                row["organization"].name,
                row["branches"],
                row["compliant"],
                f"{share:.1%}" if share is not None else "",
            ]
            + [row["missed"].get(k, 0) for k in keys]
        )
    if own is not None:
        lines.append([])
        lines.append([_("Frequency"), _("Units required"), _("Units kept"), _("Gaps")])
        for rule in own.rules:
            lines.append(
                [
                    str(rule.frequency.label),
                    len(rule.required),
                    rule.kept,
                    "、".join(u.unit.key for u in rule.gaps),
                ]
            )
    title = _("Organizational life compliance")
    return xlsx_response(
        request,
        title=f"{title} {period}",
        headers=headers,
        rows=lines,
        filename=export_filename(title, org.name),
        fallback=f"compliance-{period}.xlsx",
        model=Meeting,
    )


# Panels ---------------------------------------------------------------------------------------------
def organization_meetings(request, pk):
    """The organization page's panel: this year's compliance and the latest meetings."""
    refused = guard(request)
    if refused:
        return refused
    org = get_object_or_404(PartyOrganization.objects.visible_to(request.user), pk=pk)
    today = timezone.localdate()
    latest = list(
        Meeting.objects.visible_to(request.user).filter(organization=org).order_by("-date", "-pk")[:5]
    )
    own = None
    if org.org_type in rules.REQUIRED_OF:
        own = compliance.detail([org], Period.of(today.year).start, Period.of(today.year).end, today).get(
            org.pk
        )
    return render(
        request,
        "activities/organization_panel.html",
        {
            "org": org,
            "latest": latest,
            "own": own,
            "year": today.year,
            "holds": org.org_type in rules.HELD_BY,
            "can_add": may_add_at(request.user, org),
        },
    )


def case_meetings(request, pk):
    """The development case's panel: the party classes and themed days the person attended (as a guest, or
    as a member since admission) — the cultivation record reads them from the attendance, never typed."""
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login"))
    if not request.user.can(DevelopmentCase, "view"):
        return refuse(request, DevelopmentCase, "view")
    case = get_object_or_404(DevelopmentCase.objects.visible_to(request.user), pk=pk)
    rows = list(
        Attendance.objects.visible_to(request.user)
        .filter(person_id=case.person_id, meeting__meeting_type__in=rules.GUEST_TYPES)
        .filter(meeting__date__gte=case.opened_on or datetime.date.min)
        .select_related("meeting", "meeting__organization")
        .order_by("-date", "-pk")[:50]
    )
    account_read(request, Attendance, rows, detail=f"case #{case.pk}")
    return render(
        request,
        "activities/case_panel.html",
        {
            "case": case,
            "rows": rows,
            "present": sum(1 for r in rows if r.status == AttendanceStatus.PRESENT),
        },
    )
