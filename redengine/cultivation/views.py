"""双培养 pages: the overview of a scope (the six figures, the watch lists' counts, the organizations below),
each figure's page (numerator, denominator, five-year trend, the people counted), the two watch lists, a
person's cultivation as a timeline, and the mentorships (with their reviews), contests (with their
entries) and speaking records, each written through the app's services."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.activities.models import Attendance
from redengine.activities.rules import GUEST_TYPES
from redengine.core.metrics import REGISTRY, Period
from redengine.core.permissions import EXPORT
from redengine.core.reads import account_read
from redengine.core.views import (
    Column,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    guard,
)
from redengine.development.models import DevelopmentCase, DevelopmentEvent
from redengine.development.rules import STAGES, STEP
from redengine.orgs.models import PartyOrganization, School
from redengine.orgs.views import page_scope
from redengine.people.choices import Title
from redengine.people.models import Honor, Membership, Person

from . import ages, breakdown, services, watch
from .filters import (
    ContestFilterSet,
    EngagementFilterSet,
    EntryFilterSet,
    MemberWatchFilterSet,
    MentorshipFilterSet,
    WatchFilterSet,
)
from .forms import ContestForm, EngagementForm, EntryForm, MentorshipForm, ReviewForm
from .metrics import COUNTED
from .models import Contest, ContestEntry, Engagement, Mentorship, MentorshipReview
from .rules import MentorshipKind

TREND_YEARS = 5
ORDER = list(COUNTED)


# The scope and the year of a page --------------------------------------------------------------------


def ancestors_of(org, visible):
    steps = range(org.steplen, len(org.path), org.steplen)
    return list(visible.filter(path__in=[org.path[:n] for n in steps]).order_by("depth"))


@dataclass
class Figure:
    name: str
    label: str
    definition: str
    value: object
    denominator: object
    share: object

    @property
    def url(self):
        return reverse("cultivation:figure", args=[self.name])


def figure_of(name, org, period):
    metric = REGISTRY[name]
    result = metric.compute(org, period)
    return Figure(name, metric.label, metric.definition, result.value, result.denominator, result.share)


def years_back(today):
    return list(range(today.year, today.year - 10, -1))


def overview(request):
    """A scope's dual cultivation for a year: the six figures, the watch lists, the organizations below."""
    refused = guard(request, Mentorship)
    if refused:
        return refused
    org, period, visible = page_scope(request)
    today = timezone.localdate()
    day = min(period.end, today)
    figures = [figure_of(name, org, period) for name in ORDER]
    user = request.user
    context = {
        "org": org,
        "period": period,
        "year": period.first_year,
        "years": years_back(today),
        "figures": figures,
        "rows": breakdown.below(org, day),
        "backbone_count": watch.backbone_watch(user, today).filter(watch.within(org)).count(),
        "young_count": watch.member_watch(user, today).filter(watch.within(org)).count(),
        "quiet_count": watch.member_watch(user, today, quiet=True).filter(watch.within(org)).count(),
        "review_due": services.reviews_past_due(
            Mentorship.objects.visible_to(user).filter(watch.within(org, "school_id")), today
        ).count(),
        "ancestors": ancestors_of(org, visible),
        "can_add": user.can(Mentorship, "add"),
        "can_add_contest": user.can(Contest, "add"),
        "title": _("Dual cultivation"),
    }
    return render(request, "cultivation/overview.html", context)


def figure(request, name):
    """One figure for a scope and year: its value, numerator and denominator, its last five years, and
    links to the people counted."""
    refused = guard(request, Mentorship)
    if refused:
        return refused
    if name not in COUNTED:
        raise Http404
    org, period, visible = page_scope(request)
    today = timezone.localdate()
    shown = figure_of(name, org, period)
    trend = []
    for year in range(period.last_year - TREND_YEARS + 1, period.last_year + 1):
        item = figure_of(name, org, Period.of(year))
        trend.append({"year": year, "figure": item})
    top = max([t["figure"].value or 0 for t in trend] + [1])
    for t in trend:  # a share is drawn as a share; a count against the largest of the five years
        f = t["figure"]
        t["width"] = (
            round(100 * (f.share or 0)) if f.denominator is not None else round(100 * (f.value or 0) / top)
        )
    return render(
        request,
        "cultivation/figure.html",
        {
            "org": org,
            "period": period,
            "year": period.first_year,
            "years": years_back(today),
            "figure": shown,
            "trend": trend,
            "has_denominator": COUNTED[name](org, period)[1] is not None,
            "ancestors": ancestors_of(org, visible),
            "title": shown.label,
        },
    )


def person_link(person):
    return reverse("cultivation:person", args=[person.pk])


class PeopleListMixin:
    """A list of people whose name links to their cultivation page."""

    model = Person
    select_related = ("school",)
    default_order = ["school__code", "name_key", "pk"]

    def cells(self, obj):
        found = super().cells(obj)
        if found:
            first = found[0]
            found[0] = type(first)(first.value, person_link(obj), first.label)
        return found


class FigurePeopleView(PeopleListMixin, ObjectListView):
    """The people counted by a figure (its numerator, or ``?part=all`` its denominator)."""

    filterset_class = WatchFilterSet
    columns = [
        Column("name", gettext_lazy("Full name"), "name_key"),
        Column("school.name", gettext_lazy("School"), "school__code"),
        Column("get_political_status_display", gettext_lazy("Political status")),
        Column("get_post_display", gettext_lazy("Post")),
    ]

    def dispatch(self, request, *args, **kwargs):
        refused = guard(request, Person)
        if refused:
            return refused
        if kwargs["name"] not in COUNTED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def people(self, action="view"):
        org, self.period, _visible = page_scope(self.request)
        self.org = org
        numerator, denominator = COUNTED[self.kwargs["name"]](org, self.period)
        chosen = (
            denominator if self.request.GET.get("part") == "all" and denominator is not None else numerator
        )
        return (chosen & Person.objects.visible_to(self.request.user, action)).select_related("school")

    def get_queryset(self):
        return self.filtered(self.people())

    def export_queryset(self):
        return self.filtered(self.people(EXPORT))

    def get_title(self):
        metric = REGISTRY[self.kwargs["name"]]
        part = _("all counted") if self.request.GET.get("part") == "all" else _("counted")
        return f"{metric.label} · {part}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = [
            (
                _("Dual cultivation"),
                reverse("cultivation:overview") + f"?org={self.org.code}&year={self.period.first_year}",
            ),
            (
                REGISTRY[self.kwargs["name"]].label,
                reverse("cultivation:figure", args=[self.kwargs["name"]])
                + f"?org={self.org.code}&year={self.period.first_year}",
            ),
            (context["title"], None),
        ]
        return context


@dataclass(frozen=True)
class LabelColumn(Column):
    """A column of an annotated code, shown by its label."""

    choices: tuple = ()

    def reader(self, model):
        labels = dict(self.choices)

        def read(obj):
            value = getattr(obj, self.accessor, None)
            return "" if value is None else labels.get(value, value)

        return read


@dataclass(frozen=True)
class DayColumn(Column):
    """A date annotation, empty for the placeholder of "none yet"."""

    def reader(self, model):
        def read(obj):
            value = getattr(obj, self.accessor, None)
            return "" if value is None or value <= watch.NEVER else value

        return read


@dataclass(frozen=True)
class YesColumn(Column):
    def reader(self, model):
        def read(obj):
            return _("Yes") if getattr(obj, self.accessor, False) else ""

        return read


class WatchListMixin(PeopleListMixin):
    """A watch list: ``watch_list(user, day, action=…)`` for the page (view) and its export (export)."""

    template_name = "cultivation/watch_list.html"
    watch_list = None
    intro = ""

    def listed(self, action):
        found = type(self).watch_list(self.request.user, timezone.localdate(), action=action)
        return self.filtered(found.select_related("school"))

    def get_queryset(self):
        return self.listed("view")

    def export_queryset(self):
        return self.listed(EXPORT)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["intro"] = self.get_intro()
        return context

    def get_intro(self):
        return self.intro


class BackboneWatchView(WatchListMixin, ObjectListView):
    """Backbone and excellent teachers who are not party members: whom to approach."""

    filterset_class = WatchFilterSet
    watch_list = watch.backbone_watch
    intro = gettext_lazy(
        "Holders of 骨干教师 or 卓越教师 today who are not party members, with the stage of their development "
        "case and their training contact if they have one."
    )
    title = gettext_lazy("Backbone teachers who are not members")
    export_title = gettext_lazy("Backbone teachers to approach")
    columns = [
        Column("name", gettext_lazy("Full name"), "name_key"),
        Column("school.name", gettext_lazy("School"), "school__code"),
        LabelColumn("title", gettext_lazy("Title"), choices=tuple(Title.choices)),
        Column("birth_date.year", gettext_lazy("Year of birth")),
        YesColumn("front_line", gettext_lazy("Front-line teacher")),
        LabelColumn("case_stage", gettext_lazy("Development stage"), choices=tuple(STAGES.items())),
        Column("contact_name", gettext_lazy("Training contact")),
        YesColumn("mentored", gettext_lazy("Political mentor")),
    ]


class MemberWatchView(WatchListMixin, ObjectListView):
    """Young members with their mentorships, contests, prizes, speaking and titles."""

    filterset_class = MemberWatchFilterSet
    watch_list = watch.member_watch
    title = gettext_lazy("Young members to cultivate")
    export_title = gettext_lazy("Young members and their cultivation")
    columns = [
        Column("name", gettext_lazy("Full name"), "name_key"),
        Column("school.name", gettext_lazy("School"), "school__code"),
        Column("birth_date.year", gettext_lazy("Year of birth")),
        Column("mentorship_count", gettext_lazy("Mentorships")),
        Column("entry_count", gettext_lazy("Contests")),
        Column("prize_count", gettext_lazy("Prizes")),
        Column("speaking_count", gettext_lazy("Speaking")),
        Column("title_count", gettext_lazy("Titles")),
        DayColumn("last_cultivation", gettext_lazy("Latest"), "last_cultivation"),
    ]

    def get_intro(self):
        today = timezone.localdate()
        return _(
            "Members and probationary members under %(age)s with their mentorships, contests, prizes, speaking "
            "and titles; filter “No cultivation for two years” for those who had none since %(since)s."
        ) % {"age": ages.young_age(today), "since": watch.quiet_since(today).isoformat()}


# A person's cultivation ---------------------------------------------------------------------------
@dataclass
class Event:
    date: datetime.date
    kind: str
    text: str
    url: str | None = None
    css: str = ""


def timeline(user, person):
    """Both directions of a person's cultivation as dated events, the latest first: titles, membership,
    development steps, mentorships (as apprentice and as mentor) with their reviews, contests, speaking,
    and the party classes and themed days attended as a guest (from organizational life's lists)."""
    events = []
    for honor in Honor.objects.visible_to(user).filter(person=person):
        events.append(
            Event(
                honor.awarded_on,
                _("Title"),
                _("Awarded %(title)s") % {"title": honor.get_title_display()},
                css="title",
            )
        )
        if honor.lapsed_on:
            events.append(
                Event(
                    honor.lapsed_on, _("Title"), _("%(title)s lapsed") % {"title": honor.get_title_display()}
                )
            )
    for membership in (
        Membership.objects.visible_to(user).filter(person=person).select_related("organization")
    ):
        events.append(
            Event(
                membership.admitted_on,
                _("Membership"),
                _("Admitted as a probationary member (%(org)s)") % {"org": membership.organization.name},
                css="member",
            )
        )
        if membership.full_on:
            events.append(Event(membership.full_on, _("Membership"), _("Became a full member"), css="member"))
    cases = DevelopmentCase.objects.visible_to(user).filter(person=person)
    steps = DevelopmentEvent.objects.filter(case__in=cases.values("pk"))
    for step in steps.select_related("case"):
        name = STEP[step.step].name if step.step in STEP else step.step
        events.append(Event(step.date, _("Development"), str(name), step.case.get_absolute_url()))
    mentorships = Mentorship.objects.visible_to(user).filter(Q(apprentice=person) | Q(mentor=person))
    for m in mentorships.select_related("mentor", "apprentice", "school"):
        as_apprentice = m.apprentice_id == person.pk
        other = m.mentor if as_apprentice else m.apprentice
        text = (
            _("%(kind)s with mentor %(name)s begins") if as_apprentice else _("%(kind)s: mentors %(name)s")
        ) % {"kind": m.get_kind_display(), "name": other.name}
        events.append(Event(m.start_on, _("Mentorship"), text, m.get_absolute_url(), "mentorship"))
        if m.ended_on:
            events.append(
                Event(
                    m.ended_on,
                    _("Mentorship"),
                    _("Mentorship with %(name)s ended") % {"name": other.name},
                    m.get_absolute_url(),
                )
            )
    for review in MentorshipReview.objects.visible_to(user).filter(mentorship__apprentice=person):
        text = _("Mentorship review") + (_("(late)") if review.late else "")
        events.append(Event(review.held_on, _("Mentorship"), text, review.get_absolute_url()))
    for entry in ContestEntry.objects.visible_to(user).filter(person=person).select_related("contest"):
        text = f"{entry.contest.name}（{entry.contest.get_level_display()}）：{entry.get_prize_display()}"
        events.append(
            Event(
                entry.awarded_on or entry.contest.held_on,
                _("Contest"),
                text,
                css="contest" if entry.prized else "",
            )
        )
    editable = set(
        Engagement.objects.visible_to(user, "change").filter(person=person).values_list("pk", flat=True)
    )
    for engagement in Engagement.objects.visible_to(user).filter(person=person):
        text = f"{engagement.get_kind_display()}：{engagement.topic}"
        url = (
            reverse("cultivation:engagement_edit", args=[engagement.pk])
            if engagement.pk in editable
            else None
        )
        events.append(Event(engagement.date, _("Speaking"), text, url))
    guest = Attendance.objects.visible_to(user).filter(
        person=person, guest=True, meeting__meeting_type__in=list(GUEST_TYPES)
    )
    for row in guest.select_related("meeting__organization"):
        meeting = row.meeting
        text = _("Invited to the %(meeting)s of %(org)s: %(status)s") % {
            "meeting": meeting.get_meeting_type_display(),
            "org": meeting.organization.name,
            "status": row.get_status_display(),
        }
        events.append(Event(row.date, _("Organizational life"), text))
    events.sort(key=lambda e: (e.date, e.kind), reverse=True)
    return events


def person_view(request, pk):
    refused = guard(request, Person)
    if refused:
        return refused
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("school"), pk=pk)
    account_read(request, Person, [person], detail="cultivation")
    today = timezone.localdate()
    held = list(Honor.objects.filter(person=person).held_at(today))
    member = Membership.objects.members_at(today).filter(person=person).exists()
    context = {
        "person": person,
        "events": timeline(request.user, person),
        "held": held,
        "member": member,
        "young": ages.is_young(person, today),
        "can_add": request.user.can(Mentorship, "add"),
        "can_add_speaking": request.user.can(Engagement, "add"),
        "title": _("Cultivation of %(name)s") % {"name": person.name},
        "breadcrumbs": [
            (_("People"), reverse("people:person_list")),
            (person.name, person.get_absolute_url()),
            (_("Cultivation"), None),
        ],
    }
    return render(request, "cultivation/person.html", context)


def person_panel(request, pk):
    """The panel on the person's page: what the person's cultivation holds, and the link to it."""
    refused = guard(request, Person)
    if refused:
        return refused
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    user = request.user
    counts = {
        "mentorships": (Mentorship.objects.visible_to(user).filter(apprentice=person)).count(),
        "mentees": (Mentorship.objects.visible_to(user).filter(mentor=person)).count(),
        "entries": ContestEntry.objects.visible_to(user).filter(person=person).count(),
        "prizes": ContestEntry.objects.visible_to(user).filter(person=person).exclude(prize="none").count(),
        "speaking": Engagement.objects.visible_to(user).filter(person=person).count(),
    }
    return render(request, "cultivation/person_panel.html", {"person": person, "counts": counts})


def organization_panel(request, pk):
    """The panel on an organization's page: its figures of the year, linking to the overview."""
    refused = guard(request, Mentorship)
    if refused:
        return refused
    org = get_object_or_404(PartyOrganization.objects.visible_to(request.user), pk=pk)
    period = Period.of(timezone.localdate().year)
    names = ["cultivation.member_share.backbone", "cultivation.mentorships"]
    return render(
        request,
        "cultivation/organization_panel.html",
        {"org": org, "figures": [figure_of(n, org, period) for n in names], "year": period.first_year},
    )


# Mentorships --------------------------------------------------------------------------------------
class MentorshipListView(ObjectListView):
    model = Mentorship
    filterset_class = MentorshipFilterSet
    select_related = ("mentor", "apprentice", "school")
    default_order = ["-start_on", "-pk"]
    create_url_name = "cultivation:mentorship_add"
    columns = [
        Column("start_on", gettext_lazy("Start"), "start_on", link=True),
        Column("get_kind_display", gettext_lazy("Kind"), "kind"),
        Column("mentor.name", gettext_lazy("Mentor")),
        Column("apprentice.name", gettext_lazy("Apprentice")),
        Column("school.name", gettext_lazy("School"), "school__code"),
        Column("planned_end_on", gettext_lazy("Planned end")),
        Column("ended_on", gettext_lazy("Ended"), "ended_on"),
    ]


class MentorshipDetailView(ObjectDetailView):
    model = Mentorship
    select_related = ("mentor", "apprentice", "school")
    template_name = "cultivation/mentorship_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        m = self.object
        today = timezone.localdate()
        reviews = list(m.reviews.all())
        titles = list(
            Honor.objects.visible_to(self.request.user).filter(
                person=m.apprentice, awarded_on__gte=m.start_on, awarded_on__lte=m.titled_by or today
            )
        )
        mentor_titles = list(
            Honor.objects.visible_to(self.request.user).filter(person=m.mentor).held_at(m.start_on)
        )
        context.update(
            reviews=reviews,
            next_due=services.next_review_due(m, reviews) if m.running else None,
            overdue=m.running and services.next_review_due(m, reviews) < today,
            titles=titles,
            mentor_titles=mentor_titles,
            review_form=ReviewForm(user=self.request.user, mentorship=m) if self.may("change") else None,
            breadcrumbs=[(_("Mentorships"), reverse("cultivation:mentorship_list")), (str(m), None)],
        )
        return context


class SchoolChoiceMixin:
    """An add form opened for a school (``?school=<pk>``), or for the apprentice's (``?apprentice=<pk>``);
    a user who sees one school only is given it."""

    def chosen_school(self):
        if self.object is not None:
            return self.object.school
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        schools = School.objects.visible_to(self.request.user, "view")
        pk = data.get("school")
        if pk and str(pk).isdigit():
            return get_object_or_404(schools, pk=pk)
        apprentice = data.get("apprentice")
        if apprentice and str(apprentice).isdigit():
            return get_object_or_404(Person.objects.visible_to(self.request.user), pk=apprentice).school
        few = list(schools.order_by("code")[:2])
        return few[0] if len(few) == 1 else None


class MentorshipEditView(SchoolChoiceMixin, ObjectEditView):
    model = Mentorship
    form_class = MentorshipForm
    service = services.MENTORSHIPS
    template_name = "cultivation/mentorship_form.html"
    select_related = ("school", "mentor", "apprentice")

    def get_parent_kwargs(self):
        self.school = self.chosen_school()
        return {"school": self.school}

    def get_initial(self):
        initial = super().get_initial()
        apprentice = self.request.GET.get("apprentice")
        if self.object is None and apprentice and str(apprentice).isdigit():
            initial["apprentice"] = apprentice
            initial["kind"] = self.request.GET.get("kind") or MentorshipKind.TEACHING
        return initial

    def schools_to_choose(self):
        return School.objects.visible_to(self.request.user, "add").order_by("code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["school"] = self.school
        return context


class MentorshipDeleteView(ObjectDeleteView):
    model = Mentorship
    service = services.MENTORSHIPS
    success_url_name = "cultivation:mentorship_list"


class ReviewAddView(ObjectEditView):
    """Add a review from the mentorship's page (``?mentorship=<pk>``): written by the review service, which
    re-checks that the mentorship may be changed by the writer."""

    model = MentorshipReview
    form_class = ReviewForm
    service = services.REVIEWS

    def get_parent_kwargs(self):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        pk = data.get("mentorship")
        if not (pk and str(pk).isdigit()):
            raise Http404
        self.mentorship = get_object_or_404(Mentorship.objects.visible_to(self.request.user, "change"), pk=pk)
        return {"mentorship": self.mentorship}

    def get_success_url(self):
        return self.mentorship.get_absolute_url()

    def list_url(self):
        return reverse("cultivation:mentorship_list")


class ReviewDeleteView(ObjectDeleteView):
    model = MentorshipReview

    def form_valid(self, form):
        target = self.object.mentorship.get_absolute_url()
        services.delete_reviews([self.object], by=self.request.user)
        return redirect(target)


# Contests -----------------------------------------------------------------------------------------
class ContestListView(ObjectListView):
    model = Contest
    filterset_class = ContestFilterSet
    select_related = ("organization",)
    default_order = ["-held_on", "-pk"]
    create_url_name = "cultivation:contest_add"
    columns = [
        Column("held_on", gettext_lazy("Date held"), "held_on", link=True),
        Column("name", gettext_lazy("Contest"), "name"),
        Column("get_kind_display", gettext_lazy("Kind"), "kind"),
        Column("get_level_display", gettext_lazy("Level"), "level"),
        Column("organization.name", gettext_lazy("Held by"), "organization__path"),
    ]


class ContestDetailView(ObjectDetailView):
    model = Contest
    select_related = ("organization",)
    template_name = "cultivation/contest_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = list(
            ContestEntry.objects.visible_to(self.request.user)
            .filter(contest=self.object)
            .select_related("person__school")
            .order_by("prize", "person__name_key")
        )
        account_read(self.request, ContestEntry, entries, detail=f"contest #{self.object.pk}")
        context.update(
            entries=entries,
            can_add_entry=self.request.user.can(ContestEntry, "add"),
            breadcrumbs=[(_("Contests"), reverse("cultivation:contest_list")), (str(self.object), None)],
        )
        return context


class ContestEditView(ObjectEditView):
    model = Contest
    form_class = ContestForm
    service = services.CONTESTS


class ContestDeleteView(ObjectDeleteView):
    model = Contest
    service = services.CONTESTS
    success_url_name = "cultivation:contest_list"


class EntryEditView(ObjectEditView):
    """An entry of a contest (``?contest=<pk>``, and ``&school=<pk>`` to choose among a school's people)."""

    model = ContestEntry
    form_class = EntryForm
    service = services.ENTRIES
    template_name = "cultivation/entry_form.html"
    select_related = ("contest__organization", "person")

    def get_parent_kwargs(self):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        if self.object is not None:
            self.contest = self.object.contest
        else:
            pk = data.get("contest")
            if not (pk and str(pk).isdigit()):
                raise Http404
            self.contest = get_object_or_404(Contest.objects.visible_to(self.request.user), pk=pk)
        schools = School.objects.visible_to(self.request.user).in_subtree(self.contest.organization.path)
        self.schools = schools
        pk = data.get("school")
        self.school = get_object_or_404(schools, pk=pk) if pk and str(pk).isdigit() else None
        if self.school is None and self.object is None:
            few = list(schools.order_by("code")[:2])
            self.school = few[0] if len(few) == 1 else None
        return {"contest": self.contest}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.school is not None and self.object is None:
            form.fields["person"].queryset = form.fields["person"].queryset.filter(school=self.school)
        return form

    def get_success_url(self):
        return self.contest.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            contest=self.contest,
            school=self.school,
            schools=self.schools.order_by("code"),
            can_delete=self.object is not None
            and ContestEntry.objects.visible_to(self.request.user, "delete")
            .filter(pk=self.object.pk)
            .exists(),
        )
        return context


class EntryDeleteView(ObjectDeleteView):
    model = ContestEntry
    service = services.ENTRIES
    success_url_name = "cultivation:contest_list"


class EntryListView(ObjectListView):
    model = ContestEntry
    filterset_class = EntryFilterSet
    select_related = ("contest", "person__school")
    default_order = ["-contest__held_on", "prize", "pk"]
    title = gettext_lazy("Contest prizes")
    columns = [
        Column("contest.held_on", gettext_lazy("Date held"), "contest__held_on", link=True),
        Column("contest.name", gettext_lazy("Contest")),
        Column("contest.get_level_display", gettext_lazy("Level")),
        Column("person.name", gettext_lazy("Full name")),
        Column("person.school.name", gettext_lazy("School")),
        Column("get_prize_display", gettext_lazy("Prize"), "prize"),
        Column("awarded_on", gettext_lazy("Date of the prize")),
    ]


# Speaking ---------------------------------------------------------------------------------------
class EngagementListView(ObjectListView):
    model = Engagement
    filterset_class = EngagementFilterSet
    select_related = ("person__school",)
    default_order = ["-date", "-pk"]
    title = gettext_lazy("Speaking")
    columns = [
        Column("date", gettext_lazy("Date"), "date", link=True),
        Column("get_kind_display", gettext_lazy("Occasion"), "kind"),
        Column("person.name", gettext_lazy("Full name")),
        Column("person.school.name", gettext_lazy("School")),
        Column("topic", gettext_lazy("Topic")),
    ]


class EngagementEditView(ObjectEditView):
    """Record speaking for a person (``?person=<pk>``) or change it."""

    model = Engagement
    form_class = EngagementForm
    service = services.ENGAGEMENTS
    select_related = ("person",)
    template_name = "cultivation/engagement_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_delete"] = (
            self.object is not None
            and Engagement.objects.visible_to(self.request.user, "delete").filter(pk=self.object.pk).exists()
        )
        return context

    def get_parent_kwargs(self):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        pk = data.get("person")
        if self.object is None:
            if not (pk and str(pk).isdigit()):
                raise Http404
            return {"person": get_object_or_404(Person.objects.visible_to(self.request.user), pk=pk)}
        return {}

    def list_url(self):
        return reverse("cultivation:engagement_list")


class EngagementDeleteView(ObjectDeleteView):
    model = Engagement
    service = services.ENGAGEMENTS
    success_url_name = "cultivation:engagement_list"
