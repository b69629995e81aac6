"""城乡结对 pages: the pairs (list with its filters and export, a page per pair with its activities, files and
counts by kind, the add and edit forms), the activities (list, export, forms), an activity's file (within
scope, logged like an export), the overview of a scope for a year (pairs active, activities by kind and
month, the idle pairs) and the panel on a school's page. Every write goes through the app's services."""

from collections import Counter

from django.contrib import messages
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import ExtractMonth
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from redengine.core.files import download
from redengine.core.services import Item
from redengine.core.views import (
    Column,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedMixin,
    guard,
)
from redengine.core.writes import RefusedError
from redengine.orgs.models import School
from redengine.orgs.views import page_scope

from . import services
from .filters import ActivityFilterSet, PairFilterSet
from .forms import ActivityForm, PairForm
from .metrics import active_pairs, activities_in
from .models import PairActivity, PairActivityFile, SchoolPair
from .rules import ActivityKind

IDLE_SHOWN = 20
MONTHS = range(1, 13)


def latest_activity():
    return Subquery(PairActivity.objects.filter(pair=OuterRef("pk")).order_by("-date").values("date")[:1])


def activity_count():
    return Subquery(
        PairActivity.objects.filter(pair=OuterRef("pk"))
        .order_by()
        .values("pair")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


# Pairs ------------------------------------------------------------------------------------------------
class PairListView(ObjectListView):
    model = SchoolPair
    filterset_class = PairFilterSet
    select_related = ("urban", "rural")
    default_order = ["-agreed_on", "-pk"]
    create_url_name = "pairing:pair_add"
    title = gettext_lazy("Urban-rural pairs")
    export_title = gettext_lazy("Urban-rural school pairs")
    columns = [
        Column("agreed_on", gettext_lazy("Date of the agreement"), "agreed_on", link=True),
        Column("urban.name", gettext_lazy("Urban school"), "urban__code"),
        Column("rural.name", gettext_lazy("Rural school"), "rural__code"),
        Column("ended_on", gettext_lazy("End"), "ended_on"),
        Column("activity_count", gettext_lazy("Activities")),
        Column("latest_activity", gettext_lazy("Latest activity"), "latest_activity"),
    ]

    def scoped(self, action=None):
        return (
            super()
            .scoped(action)
            .annotate(latest_activity=latest_activity(), activity_count=activity_count())
        )


class PairDetailView(ObjectDetailView):
    model = SchoolPair
    select_related = ("urban", "rural")
    template_name = "pairing/pair_detail.html"

    def may(self, action):
        """Changing a pair needs both its schools: always asked of the record (one query)."""
        return SchoolPair.objects.visible_to(self.request.user, action).filter(pk=self.object.pk).exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pair = self.object
        user = self.request.user
        activities = list(
            PairActivity.objects.visible_to(user)
            .filter(pair=pair)
            .prefetch_related(
                "teachers", Prefetch("files", queryset=PairActivityFile.objects.defer("content"))
            )
            .order_by("date", "pk")
        )
        counts = Counter(a.kind for a in activities)
        today = timezone.localdate()
        context.update(
            activities=activities,
            counts=[(k.label, counts.get(k.value, 0)) for k in ActivityKind],
            running=pair.running_on(today),
            idle=services.idle_pairs(SchoolPair.objects.filter(pk=pair.pk), today).exists(),
            can_add_activity=self.may_add_activity(),
            can_change_activities=user.can(PairActivity, "change"),
            idle_months=services.rules.param("pair.idle_months"),
            title=str(pair),
            breadcrumbs=[(_("Urban-rural pairs"), reverse("pairing:schoolpair_list")), (str(pair), None)],
        )
        return context

    def may_add_activity(self):
        """Whether the user may record an activity of this pair (it lies in their add scope: either school)."""
        user = self.request.user
        if not user.can(PairActivity, "add"):
            return False
        scope = SchoolPair.scope_filter(user.scope_prefixes(PairActivity, "add"))
        return SchoolPair.objects.filter(scope, pk=self.object.pk).exists()


class PairEditView(ObjectEditView):
    model = SchoolPair
    form_class = PairForm
    service = services.PAIRS
    select_related = ("urban", "rural")

    def list_url(self):
        return reverse("pairing:schoolpair_list")


class PairDeleteView(ObjectDeleteView):
    model = SchoolPair
    service = services.PAIRS
    success_url_name = "pairing:schoolpair_list"


# Activities -------------------------------------------------------------------------------------------
class ActivityListView(ObjectListView):
    model = PairActivity
    filterset_class = ActivityFilterSet
    select_related = ("pair__urban", "pair__rural")
    default_order = ["-date", "-pk"]
    title = gettext_lazy("Pairing activities")
    columns = [
        Column("date", gettext_lazy("Date"), "date", link=True),
        Column("get_kind_display", gettext_lazy("Kind"), "kind"),
        Column("title", gettext_lazy("Activity title"), "title"),
        Column("pair.urban.name", gettext_lazy("Urban school")),
        Column("pair.rural.name", gettext_lazy("Rural school")),
        Column("students", gettext_lazy("Students")),
    ]


class ActivityEditView(ObjectEditView):
    """Record an activity of a pair (``?pair=<pk>``: the pair looked up among those the user may record
    activities of) or change one; the files uploaded go with it through the service."""

    model = PairActivity
    form_class = ActivityForm
    service = services.ACTIVITIES
    select_related = ("pair__urban", "pair__rural")
    template_name = "pairing/activity_form.html"

    def get_parent_kwargs(self):
        if self.object is not None:
            self.pair = self.object.pair
            return {"pair": self.pair}
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        pk = data.get("pair")
        if not (pk and str(pk).isdigit()):
            raise Http404
        pairs = SchoolPair.objects.visible_to(self.request.user, "view", through=(PairActivity, "add"))
        self.pair = get_object_or_404(pairs.select_related("urban", "rural"), pk=pk)
        return {"pair": self.pair}

    def save(self, form):
        files = [(f.name, f.read()) for f in form.cleaned_data.get("files") or []]
        item = Item(self.item_values(form), instance=self.object, extra={"files": files})
        return self.service.save([item], by=self.request.user)[0]

    def get_success_url(self):
        return self.pair.get_absolute_url()

    def list_url(self):
        return reverse("pairing:pairactivity_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pair"] = self.pair
        context["can_delete"] = (
            self.object is not None
            and PairActivity.objects.visible_to(self.request.user, "delete")
            .filter(pk=self.object.pk)
            .exists()
        )
        return context


class ActivityDeleteView(ObjectDeleteView):
    model = PairActivity
    service = services.ACTIVITIES
    select_related = ("pair",)

    def form_valid(self, form):
        """Deleted (with its files), back to the pair's page; a refusal says why there."""
        target = self.object.pair.get_absolute_url()
        name = str(self.object)
        try:
            self.service.delete([self.object], by=self.request.user)
        except RefusedError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return redirect(target)
        messages.success(self.request, _("Deleted %(object)s.") % {"object": name})
        return redirect(target)


class FileView(ScopedMixin, View):
    """Download an activity's file: within scope, and logged like an export."""

    model = PairActivityFile

    def get(self, request, pk):
        return download(request, get_object_or_404(self.scoped(), pk=pk))


# The overview ------------------------------------------------------------------------------------------


def by_kind_and_month(org, period):
    """[(label, [count per month], total)] per kind, and the month totals with their bar widths: one query."""
    rows = (
        activities_in(org, period)
        .order_by()
        .annotate(month=ExtractMonth("date"))
        .values_list("kind", "month")
        .annotate(n=Count("pk"))
    )
    found = {(kind, month): n for kind, month, n in rows}
    table = []
    for kind in ActivityKind:
        counts = [found.get((kind.value, m), 0) for m in MONTHS]
        table.append((kind.label, counts, sum(counts)))
    totals = [sum(found.get((k.value, m), 0) for k in ActivityKind) for m in MONTHS]
    top = max([*totals, 1])
    bars = [(m, n, round(100 * n / top)) for m, n in zip(MONTHS, totals, strict=True)]
    return table, bars, sum(totals)


def overview(request):
    """A scope's pairing for a year: pairs active, activities by kind and month, the idle pairs."""
    refused = guard(request, SchoolPair)
    if refused:
        return refused
    org, period, visible = page_scope(request)
    today = timezone.localdate()
    user = request.user
    pairs = SchoolPair.objects.visible_to(user).filter(SchoolPair.scope_filter([org.path]))
    idle = services.idle_pairs(pairs, today).select_related("urban", "rural").order_by("agreed_on", "pk")
    idle = list(idle[: IDLE_SHOWN + 1])
    table, bars, total = by_kind_and_month(org, period)
    steps = range(org.steplen, len(org.path), org.steplen)
    context = {
        "org": org,
        "period": period,
        "year": period.first_year,
        "years": list(range(today.year, today.year - 10, -1)),
        "pair_count": active_pairs(org, period).count(),
        "table": table,
        "bars": bars,
        "total": total,
        "months": list(MONTHS),
        "idle": idle[:IDLE_SHOWN],
        "more_idle": len(idle) > IDLE_SHOWN,
        "idle_months": services.rules.param("pair.idle_months", on=today),
        "districts": visible.filter(depth__lte=2).exclude(district="").order_by("path")
        if org.depth == 1
        else [],
        "ancestors": list(visible.filter(path__in=[org.path[:n] for n in steps]).order_by("depth")),
        "can_add": user.can(SchoolPair, "add"),
        "title": _("Urban-rural pairing"),
    }
    return render(request, "pairing/overview.html", context)


def school_panel(request, pk):
    """The panel on a school's page: its pairs (either side) with their latest activity."""
    refused = guard(request, School)
    if refused:
        return refused
    school = get_object_or_404(School.objects.visible_to(request.user), pk=pk)
    if not request.user.can(SchoolPair, "view"):
        return render(request, "pairing/school_panel.html", {"school": school, "pairs": None})
    pairs = (
        SchoolPair.objects.visible_to(request.user)
        .filter(Q(urban=school) | Q(rural=school))
        .select_related("urban", "rural")
        .annotate(latest_activity=latest_activity())
        .order_by("-agreed_on", "-pk")
    )
    return render(request, "pairing/school_panel.html", {"school": school, "pairs": list(pairs[:20])})
