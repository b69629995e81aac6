"""The pages of rating schemes, past results and demonstration branches: the schemes (list, page with its levels
and indicator tree, edit — the header, the levels and the tree as a table of rows —, add, copy into a new
version, export and import as .xlsx), the published ratings of every year (filters year, level, district,
subtree; export) and the demonstration branches (list, designate). Every role reads them in its scope; the
city writes the schemes and names the demonstration branches; every write goes through ``schemes.py`` and
``ratings.py``, and bad input is shown on the field or row where it lies."""

from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.audit import log_access
from redengine.core.exports import export_filename, file_response
from redengine.core.models import AccessEvent
from redengine.core.views import (
    ADD,
    EXPORT,
    Column,
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    guard,
)
from redengine.core.writes import RefusedError

from .models import Campaign, Designation, Evaluation, Rating, Scheme
from .reading import shown
from .rules import Status, star_name
from .scheme_forms import (
    CopyForm,
    DesignationFilterSet,
    DesignationForm,
    LevelFormSet,
    RatingFilterSet,
    SchemeFilterSet,
    SchemeForm,
    WorkbookForm,
    indicator_formset,
)
from .services import ratings, schemes

MAX_WORKBOOK = 2 * 1024 * 1024  # a scheme's workbook is a few dozen rows


class StarColumn(Column):
    """A level shown as its stars (一星 … 五星)."""

    def reader(self, model):
        return lambda obj: star_name(getattr(obj, self.accessor))


def past_draft(scheme):
    """Whether a campaign has used ``scheme`` past self-assessment (it is then copied, never changed)."""
    return Evaluation.objects.filter(campaign__scheme=scheme).exclude(status=Status.DRAFT).exists()


# Schemes ------------------------------------------------------------------------------------------------
class SchemeListView(ObjectListView):
    model = Scheme
    filterset_class = SchemeFilterSet
    default_order = ["-effective_year", "name", "-pk"]
    create_url_name = "assessment:scheme_add"
    template_name = "assessment/scheme_list.html"
    columns = [
        Column("name", gettext_lazy("Name"), "name", link=True),
        Column("version", gettext_lazy("Version"), "version"),
        Column("effective_year", gettext_lazy("Effective from year"), "effective_year"),
        Column("total_points", gettext_lazy("Total points")),
        Column("get_level_kind_display", gettext_lazy("Levels")),
        Column("campaign_count", gettext_lazy("Campaigns")),
    ]

    def scoped(self, action=None):
        return super().scoped(action).annotate(campaign_count=Count("campaigns"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_import"] = self.request.user.can(Scheme, ADD)
        return context


class SchemeDetailView(ObjectDetailView):
    model = Scheme
    select_related = ("based_on",)
    template_name = "assessment/scheme_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scheme = self.object
        user = self.request.user
        indicators = list(scheme.indicators.order_by("position", "pk"))
        campaigns = list(
            Campaign.objects.filter(scheme=scheme).select_related("scope").order_by("-year", "pk")
        )
        in_use = past_draft(scheme) if campaigns else False
        context.update(
            levels=list(scheme.levels.order_by("-level")),
            rows=tree_rows(indicators),
            campaigns=campaigns,
            in_use=in_use,
            can_change=context["can_change"] and not in_use,
            can_copy=user.can(Scheme, ADD),
            can_export=user.can(Scheme, EXPORT),
            breadcrumbs=[(_("Rating schemes"), reverse("assessment:scheme_list")), (str(scheme), None)],
            title=str(scheme),
        )
        return context


def tree_rows(indicators):
    """(indicator, is a dimension) in the tree's order: each dimension followed by its items."""
    items = {}
    for indicator in indicators:
        if indicator.parent_id:
            items.setdefault(indicator.parent_id, []).append(indicator)
    rows = []
    for indicator in indicators:
        if not indicator.parent_id:
            rows.append((indicator, True))
            rows += [(item, False) for item in items.get(indicator.pk, [])]
    return rows


class SchemeEditView(ObjectEditView):
    """A scheme's header, levels and indicator tree on one page, saved whole through ``record_schemes``; a
    problem is shown on its field, level row or indicator row."""

    model = Scheme
    template_name = "assessment/scheme_form.html"

    def get_form_kwargs(self):
        return {}

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_forms(*self.forms_of(None))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        header, levels, indicators = self.forms_of(request.POST)
        valid = header.is_valid() & levels.is_valid() & indicators.is_valid()
        if not valid:
            return self.render_forms(header, levels, indicators)
        draft, level_forms, indicator_forms = self.draft_of(header, levels, indicators)
        try:
            (scheme,) = schemes.record_schemes([draft], by=request.user)
        except RefusedError as refused:
            errors = self.show(refused, header, level_forms, indicator_forms)
            return self.render_forms(header, levels, indicators, errors)
        messages.success(request, _("Saved %(object)s.") % {"object": scheme})
        return redirect(scheme.get_absolute_url())

    def forms_of(self, data):
        draft = schemes.draft_of(self.object) if self.object is not None else None
        if draft is not None:  # points as a person types them: 90, not 90.0
            draft.values = plain(draft.values)
            draft.levels = [plain(r) for r in draft.levels]
            draft.indicators = [plain(r) for r in draft.indicators]
        header = SchemeForm(data, initial=draft.values if draft else {}, prefix="scheme")
        levels_initial = (
            draft.levels if draft else [{"level": n, "name": star_name(n)} for n in range(5, 0, -1)]
        )
        levels = LevelFormSet(data, initial=levels_initial, prefix="levels")
        indicators = indicator_formset(self.extra_rows())(
            data, initial=draft.indicators if draft else [], prefix="indicators"
        )
        return header, levels, indicators

    def extra_rows(self):
        """Empty indicator rows: 30 for a new scheme, 5 for a change, or as many as ``?extra=`` asks (≤ 200)."""
        value = self.request.GET.get("extra", "")
        if value.isdigit():
            return min(int(value), 200)
        return 5 if self.object is not None else 30

    def draft_of(self, header, levels, indicators):
        level_forms = [
            f
            for f in levels.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and any_value(f, "DELETE")
        ]
        indicator_forms = [
            f
            for f in indicators.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and any_value(f, "DELETE")
        ]
        draft = schemes.SchemeDraft(
            {name: header.cleaned_data.get(name) for name in schemes.HEADER_FIELDS},
            [{name: f.cleaned_data.get(name) for name in schemes.LEVEL_FIELDS} for f in level_forms],
            [{name: f.cleaned_data.get(name) for name in schemes.INDICATOR_FIELDS} for f in indicator_forms],
            instance=self.object,
        )
        return draft, level_forms, indicator_forms

    @staticmethod
    def show(refused, header, level_forms, indicator_forms):
        """Each problem on its field or row; those of the levels or the tree as a whole returned."""
        general = {"levels": [], "indicators": []}
        for problem in refused.problems:
            part, index, name = schemes.split_field(problem.field)
            message = str(problem.message)
            if part is None:
                header.add_error(name if name in header.fields else None, message)
            elif index is None:
                general[part].append(message)
            else:
                forms_ = level_forms if part == "levels" else indicator_forms
                form = forms_[index]
                form.add_error(name if name in form.fields else None, message)
        return general

    def render_forms(self, header, levels, indicators, errors=None):
        title = _("Change %(object)s") % {"object": self.object} if self.object else _("New rating scheme")
        crumbs = [(_("Rating schemes"), reverse("assessment:scheme_list"))]
        if self.object:
            crumbs.append((str(self.object), self.object.get_absolute_url()))
        context = {
            "title": title,
            "object": self.object,
            "form": header,
            "levels": levels,
            "indicators": indicators,
            "errors": errors or {"levels": [], "indicators": []},
            "breadcrumbs": [*crumbs, (title, None)],
            "back": self.object.get_absolute_url() if self.object else reverse("assessment:scheme_list"),
            "more_rows": self.extra_rows() + 20,
            "in_use": self.object is not None and past_draft(self.object),
        }
        return render(self.request, self.template_name, context)


def plain(values):
    return {k: shown(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def any_value(form, *skip):
    """Whether a row was filled in (an empty extra row is no level or indicator)."""
    return any(v not in (None, "", False) for k, v in form.cleaned_data.items() if k not in skip)


class SchemeCopyView(ObjectActionView):
    """Copy a scheme (last year's) into a new version; then its edit page."""

    model = Scheme
    action = ADD
    form_class = CopyForm
    title = gettext_lazy("Copy %(object)s")

    def object_queryset(self):
        return Scheme.objects.visible_to(self.request.user, "view")

    def get_initial(self):
        year = timezone.localdate().year
        return {"version": str(year), "effective_year": year}

    def perform(self, form):
        data = form.cleaned_data
        self.copy = schemes.copy_scheme(
            self.object,
            by=self.request.user,
            version=data["version"],
            effective_year=data["effective_year"],
            name=data.get("name") or None,
        )
        return _("Copied into %(object)s: change the copy here.") % {"object": self.copy}

    def get_success_url(self):
        return reverse("assessment:scheme_edit", args=[self.copy.pk])

    def list_url(self):
        return reverse("assessment:scheme_list")


def scheme_export(request, pk):
    """A scheme as an .xlsx (sheets 方案, 等级, 指标), logged as an export."""
    refused = guard(request, Scheme, EXPORT)
    if refused:
        return refused
    scheme = get_object_or_404(Scheme.objects.visible_to(request.user, EXPORT), pk=pk)
    content = schemes.scheme_workbook(scheme)
    log_access(
        AccessEvent.Kind.EXPORT,
        request=request,
        obj=Scheme._meta.label_lower,
        rows=scheme.indicators.count(),
        detail=f"scheme {scheme.pk}",
    )
    return file_response(content, export_filename(scheme.name, scheme.version), f"scheme-{scheme.pk}.xlsx")


def scheme_import(request):
    """Import a scheme's .xlsx: a new scheme, or the tree of the scheme of the same name and version replaced."""
    refused = guard(request, Scheme, ADD)
    if refused:
        return refused
    form = WorkbookForm(request.POST or None, request.FILES or None)
    lines = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_WORKBOOK:
            form.add_error(
                "file", _("The workbook is larger than 2 MB: a scheme's workbook is a few dozen rows.")
            )
        else:
            try:
                scheme = schemes.import_scheme_workbook(upload.read(), by=request.user)
            except RefusedError as exc:
                lines = [str(m) for m in exc.messages]
            else:
                messages.success(request, _("Imported %(object)s.") % {"object": scheme})
                return redirect(scheme.get_absolute_url())
    title = _("Import a rating scheme")
    context = {
        "form": form,
        "lines": lines,
        "title": title,
        "breadcrumbs": [(_("Rating schemes"), reverse("assessment:scheme_list")), (title, None)],
    }
    return render(request, "assessment/scheme_import.html", context)


# Ratings and demonstration branches ------------------------------------------------------------------
class RatingListView(ObjectListView):
    model = Rating
    filterset_class = RatingFilterSet
    select_related = ("organization",)
    default_order = ["-year", "organization__path", "pk"]
    template_name = "assessment/rating_list.html"
    title = gettext_lazy("Star ratings")
    export_title = gettext_lazy("Star ratings")
    columns = [
        Column("organization.code", gettext_lazy("Organization code"), "organization__code"),
        Column("organization.name", gettext_lazy("Branch"), "organization__path"),
        Column("year", gettext_lazy("Year rated"), "year"),
        StarColumn("level", gettext_lazy("Level"), "level"),
        Column("total", gettext_lazy("Total score"), "total"),
        Column("named", gettext_lazy("Demonstration branch")),
        Column("imported", gettext_lazy("Imported")),
    ]

    def scoped(self, action=None):
        named = Designation.objects.filter(organization_id=OuterRef("organization_id"), year=OuterRef("year"))
        return super().scoped(action).annotate(named=Exists(named))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_import"] = self.request.user.can(Rating, ADD)
        return context


class DesignationListView(ObjectListView):
    model = Designation
    filterset_class = DesignationFilterSet
    select_related = ("organization",)
    default_order = ["-year", "organization__path", "pk"]
    create_url_name = "assessment:designation_add"
    template_name = "assessment/designation_list.html"
    columns = [
        Column("organization.code", gettext_lazy("Organization code"), "organization__code"),
        Column("organization.name", gettext_lazy("Branch"), "organization__path"),
        Column("year", gettext_lazy("Year"), "year"),
        Column("document_number", gettext_lazy("Document number")),
        Column("designated_on", gettext_lazy("Date designated"), "designated_on"),
        Column("imported", gettext_lazy("Imported")),
    ]


class DesignationAddView(ObjectEditView):
    """Name a demonstration branch of a year (``?year=``, last year by default) among its five-star branches."""

    model = Designation
    form_class = DesignationForm
    service = ratings.DESIGNATIONS
    template_name = "assessment/designation_form.html"
    back_to_list = True

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def year(self):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        value = str(data.get("year", "")).strip()
        return int(value) if value.isdigit() and 1000 <= int(value) <= 9999 else timezone.localdate().year - 1

    def get_parent_kwargs(self):
        return {"year": self.year()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["year"] = self.year()
        context["title"] = _("Name a demonstration branch")
        context["breadcrumbs"] = [
            (_("Demonstration branches"), reverse("assessment:designation_list")),
            (context["title"], None),
        ]
        return context
