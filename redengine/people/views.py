import operator
from functools import reduce
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views import View

from redengine.core import approvals, todo
from redengine.core.audit import log_access
from redengine.core.codes import DISTRICTS, POLITICAL_STATUS_CHOICES, district_name
from redengine.core.dbrouting import replica_reads
from redengine.core.exports import xlsx_response
from redengine.core.forms import bootstrapify
from redengine.core.models import AccessEvent
from redengine.core.reads import account_read
from redengine.core.services import Item
from redengine.core.views import (
    Cell,
    Column,
    ObjectActionView,
    ObjectConfirmView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedMixin,
    paged,
    refuse,
)
from redengine.orgs.models import PartyOrganization, School

from . import services
from .choices import Title
from .completeness import (
    counts_by,
    incomplete,
    lacking,
    missing,
    organizations_by_bureau,
    organizations_by_completeness,
    people_by_completeness,
)
from .filters import DispatchFilterSet, GuidanceFilterSet, HonorFilterSet, PersonFilterSet
from .forms import (
    CommitteePostEndForm,
    CommitteePostForm,
    DispatchForm,
    GuidanceRecordForm,
    HonorForm,
    MembershipForm,
    PersonForm,
)
from .models import CommitteePost, Dispatch, GuidanceRecord, Honor, Membership, Person, current_posts
from .privacy import personal_view
from .search import IdentifierSearchForm, SearchThrottledError, identifier_search, no_identifier_in_query


class PersonRecordMixin:
    """Add views of a person's records: the person comes from ``?person=<id>``, within the user's scope."""

    def get_parent_kwargs(self):
        pk = self.request.GET.get("person") or self.request.POST.get("person")
        if self.object is None and pk and str(pk).isdigit():
            return {
                "person": get_object_or_404(Person.objects.visible_to(self.request.user, "change"), pk=pk)
            }
        return {}


def completeness_of(annotated):
    """(percent filled, missing item labels) of the one record in an annotated queryset."""
    queryset, items = annotated
    record = queryset.first()
    return {"percent": round(100 * record.filled / len(items)), "missing": missing(record, items)}


class PersonListView(ObjectListView):
    model = Person
    export_title = _("Staff roster")
    filterset_class = PersonFilterSet
    select_related = ("school",)
    default_order = ["school__code", "name", "pk"]
    create_url_name = "people:person_add"
    columns = [
        Column("name", _("Full name"), "name_key", link=True),
        Column("id_number_masked", _("Resident ID number")),
        Column("get_sex_display", _("Sex"), "sex"),
        Column("school.name", _("School"), "school__code"),
        Column("get_post_display", _("Post"), "post"),
        Column("get_political_status_display", _("Political status"), "political_status"),
        Column("mobile_masked", _("Mobile")),
    ]  # no birth date: beside the masked number it would narrow it down (privacy.PersonalView)
    template_name = "people/person_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.can(Person, "reveal"):
            context.setdefault("search_form", IdentifierSearchForm())
        return context


class PersonSearchView(PersonListView):
    """Find people by a whole ID number or mobile, posted from the list page: a logged reveal, for those who
    may reveal the people found, limited per hour (``search.py``). The answer is the list page with them."""

    action = "reveal"
    http_method_names = ["post"]
    paginate_by = 50  # every person found on one page (a search finds at most 50): no page link to GET

    def post(self, request):
        form = IdentifierSearchForm(request.POST)
        self.found, status = [], 200
        if form.is_valid():
            try:
                self.found = identifier_search(request, form.cleaned_data)
            except SearchThrottledError as exc:
                form.add_error(None, str(exc))
                status = 429
        self.object_list = self.get_queryset()
        context = self.get_context_data(search_form=form, searched=not form.errors)
        return self.render_to_response(context, status=status)

    def get_queryset(self):
        return self.filtered(
            Person.objects.filter(pk__in=[p.pk for p in self.found]).select_related("school")
        )


class PersonDetailView(ObjectDetailView):
    model = Person
    select_related = ("school",)
    template_name = "people/person_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        context.update(
            memberships=person.memberships.select_related("organization"),
            honors=person.honors.all(),
            dispatches=person.dispatches.select_related("school"),
            posts=person.committee_posts.select_related("organization"),
            can_reveal=personal_view(self.request.user).may_reveal(person),
            completeness=completeness_of(people_by_completeness(Person.objects.filter(pk=person.pk))),
            breadcrumbs=[(_("People"), reverse("people:person_list")), (person.name, None)],
        )
        return context


class PersonEditView(ObjectEditView):
    model = Person
    form_class = PersonForm
    service = services.PEOPLE
    select_related = ("school",)

    def item_values(self, form):
        values = super().item_values(form)
        for name in ("id_number", "mobile"):  # left empty: the number recorded stays
            if not values.get(name):
                values.pop(name, None)
        return values


class PersonDeleteView(ObjectDeleteView):
    model = Person
    service = services.PEOPLE
    success_url_name = "people:person_list"


class PersonRevealView(ScopedMixin, View):
    """Reveal a person's full ID number and mobile: a permission of its own, and a logged action."""

    model = Person
    action = "reveal"

    def post(self, request, pk):
        person = get_object_or_404(self.scoped(), pk=pk)
        log_access(AccessEvent.Kind.REVEAL, request=request, obj=person, detail="id_number,mobile")
        return HttpResponse(
            format_html(
                '<span id="revealed-id">{}</span> · <span id="revealed-mobile">{}</span>',
                person.reveal_id_number(),
                person.reveal_mobile() or "—",
            )
        )


class HonorListView(ObjectListView):
    model = Honor
    filterset_class = HonorFilterSet
    select_related = ("person", "person__school")
    default_order = ["-awarded_on", "pk"]
    columns = [
        Column("person.name", _("Full name"), "person__name_key"),
        Column("person.school.name", _("School")),
        Column("get_title_display", _("Title"), "title"),
        Column("get_level_display", _("Level"), "level"),
        Column("awarded_on", _("Date awarded"), "awarded_on"),
        Column("lapsed_on", _("Date lapsed"), "lapsed_on"),
    ]

    def cells(self, obj):
        url = obj.person.get_absolute_url()
        return [Cell(c.value(obj), url if i == 0 else None, c.label) for i, c in enumerate(self.columns)]


class DispatchListView(ObjectListView):
    model = Dispatch
    filterset_class = DispatchFilterSet
    select_related = ("person", "school")
    default_order = ["-start_on", "pk"]
    columns = [
        Column("person.name", _("Full name"), "person__name_key"),
        Column("get_role_display", _("Role"), "role"),
        Column("school.name", _("School"), "school__code"),
        Column("dispatching_body", _("Dispatched by")),
        Column("public", _("Public dispatch"), "public"),
        Column("start_on", _("From"), "start_on"),
        Column("end_on", _("To"), "end_on"),
    ]


class CompletenessFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Records"),
        required=False,
        choices=[("people", _("People")), ("organizations", _("Party organizations"))],
    )
    district = forms.ChoiceField(label=_("District or county"), required=False)
    school = forms.CharField(label=_("School code"), required=False, max_length=10)
    missing = forms.ChoiceField(label=_("Missing"), required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=100)

    def __init__(self, data, user, person_items, org_items):
        super().__init__(data)
        everything = [("", _("All"))]
        # The districts of the schools in the user's scope only (one query).
        mine = set(School.objects.visible_to(user).order_by().values_list("district", flat=True).distinct())
        self.fields["district"].choices = everything + [(c, n) for c, n in DISTRICTS.items() if c in mine]
        items = org_items if (data or {}).get("kind") == "organizations" else person_items
        self.fields["missing"].choices = everything + [(key, label) for key, label, _c in items]
        self.fields["q"].validators.append(no_identifier_in_query(user))
        bootstrapify(self)


COMPLETENESS_PER_PAGE = 25
SCHOOLS_SHOWN = 10


def district_of_bureaus():
    """{bureau path: district} for the district bureaus' organizations (one query)."""
    return dict(PartyOrganization.objects.exclude(district="").values_list("path", "district"))


class GuidanceListView(ObjectListView):
    """The guidance records in the user's scope; an instructor opens their own to change them."""

    model = GuidanceRecord
    filterset_class = GuidanceFilterSet
    select_related = ("school", "dispatch__person")
    default_order = ["-held_on", "-pk"]
    create_url_name = "people:guidance_add"
    columns = [
        Column("held_on", _("Date of guidance"), "held_on", link=True),
        Column("school.name", _("School"), "school__code"),
        Column("get_kind_display", _("Kind of guidance"), "kind"),
        Column("dispatch.person.name", _("Instructor"), "dispatch__person__name"),
        Column("content_summary", _("What was done")),
        Column("issues_summary", _("Problems found")),
    ]
    export_columns = [
        Column("held_on", _("Date of guidance")),
        Column("school.code", _("School code")),
        Column("school.name", _("School")),
        Column("get_kind_display", _("Kind of guidance")),
        Column("dispatch.person.name", _("Instructor")),
        Column("content", _("What was done")),
        Column("issues", _("Problems found")),
        Column("follow_up", _("Follow-up")),
    ]

    def export(self):
        self.columns = self.export_columns
        return super().export()

    def cells(self, obj):
        """Only the instructor whose dispatch it is opens a record (to change it); the others read the row."""
        cells = super().cells(obj)
        if obj.dispatch.account_id != self.request.user.pk:
            cells = [Cell(c.value, None, c.label) for c in cells]
        return cells


class GuidanceEditView(ObjectEditView):
    """Add or change a guidance record: the instructor's own, for a school they are dispatched to."""

    model = GuidanceRecord
    form_class = GuidanceRecordForm
    service = services.GUIDANCE
    list_url_name = "people:guidance_list"
    back_to_list = True
    select_related = ("school", "dispatch")

    def get_queryset(self):
        # Another instructor's record answers as one that does not exist: an instructor changes only theirs.
        return super().get_queryset().filter(dispatch__account=self.request.user)


@login_required
def school_guidance(request, pk):
    """A private school's latest guidance records and its instructors now (a fragment of the school page)."""
    user = request.user
    if not user.can(GuidanceRecord, "view"):
        return refuse(request, GuidanceRecord, "view")
    school = get_object_or_404(School.objects.visible_to(user), pk=pk)
    records = GuidanceRecord.objects.visible_to(user).filter(school=school)
    today = timezone.localdate()
    instructors = (
        Dispatch.objects.visible_to(user)
        .filter(school=school, role="instructor")
        .active_on(today)
        .select_related("person")
        .order_by("start_on", "pk")
    )
    mine = (
        user.can(GuidanceRecord, "add")
        and Dispatch.objects.filter(school=school, role="instructor", account=user).active_on(today).exists()
    )
    return render(
        request,
        "people/school_guidance.html",
        {
            "school": school,
            "total": records.count(),
            "latest": list(records.select_related("dispatch__person").order_by("-held_on", "-pk")[:5]),
            "instructors": list(instructors),
            "may_add": mine,
        },
    )


@login_required
@replica_reads
def completeness(request):
    """Record completeness in the user's scope: counted by district and school (what is missing most), then
    every incomplete record, filtered (district, school, item missing, name), paged, and exported."""
    user = request.user
    if not user.can(Person, "view"):
        return refuse(request, Person, "view")
    people = Person.objects.visible_to(user).select_related("school")
    organizations = PartyOrganization.objects.visible_to(user)
    within = request.GET.get("within", "").strip()
    scope = organizations.filter(code=within).first() if within else None
    if within:  # a subtree of the scope (the to-do list's drill-down); an unknown code finds nothing
        path = scope.path if scope else None
        people = people.in_subtree(path) if path else people.none()
        organizations = organizations.in_subtree(path) if path else organizations.none()
    people, person_items = people_by_completeness(people)
    orgs, org_items = organizations_by_completeness(organizations)
    form = CompletenessFilterForm(request.GET, user, person_items, org_items)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    kind = data.get("kind") or "people"
    form.fields["q"].label = _("Full name") if kind == "people" else _("Name")
    district, school, key, q = (data.get(k, "") for k in ("district", "school", "missing", "q"))
    bureaus = district_of_bureaus()
    city = next((d for p, d in bureaus.items() if len(p) == PartyOrganization.steplen), "")

    # The summaries, one grouped query each.
    level = todo.level_of(user)
    shows_districts = level != todo.SCHOOL
    people_by_district = counts_by(people, person_items, "school__district") if shows_districts else []
    orgs_by_district = {}
    for row in organizations_by_bureau(orgs, org_items) if shows_districts else []:
        d = bureaus.get(row.pop("bureau"), city)
        merged = orgs_by_district.setdefault(d, {"total": 0, "incomplete": 0, "lacks": {}})
        merged["total"] += row["total"]
        merged["incomplete"] += row["incomplete"]
        for label, n in row["lacks"]:
            merged["lacks"][label] = merged["lacks"].get(label, 0) + n
    if shows_districts:  # the totals are the sums of the summary: no more counting
        totals = {
            "people_total": sum(r["total"] for r in people_by_district),
            "people_incomplete": sum(r["incomplete"] for r in people_by_district),
            "orgs_total": sum(r["total"] for r in orgs_by_district.values()),
            "orgs_incomplete": sum(r["incomplete"] for r in orgs_by_district.values()),
        }
    base = {"within": within} if within else {}
    district_rows = []
    for row in people_by_district:
        d = row["school__district"]
        o = orgs_by_district.pop(d, {"total": 0, "incomplete": 0, "lacks": {}})
        district_rows.append((d, row, o))
    district_rows += [(d, {"total": 0, "incomplete": 0, "lacks": []}, o) for d, o in orgs_by_district.items()]
    district_rows = [
        {
            "name": district_name(d),
            "people": p,
            "orgs": {**o, "lacks": sorted(o["lacks"].items(), key=lambda pair: -pair[1])},
            "people_url": urlencode({**base, "kind": "people", "district": d}),
            "orgs_url": urlencode({**base, "kind": "organizations", "district": d}),
        }
        for d, p, o in sorted(district_rows, key=lambda r: r[0])
        if p["incomplete"] or o["incomplete"]
    ]
    lacking_people, _items = incomplete((people, person_items))
    school_rows, schools_incomplete = [], 0
    if shows_districts:
        grouped = counts_by(lacking_people, person_items, "school__code", "school__name")
        schools_incomplete = len(grouped)
        grouped.sort(key=lambda r: (-r["incomplete"], r["school__code"]))
        school_rows = [
            {**r, "url": urlencode({**base, "kind": "people", "school": r["school__code"]})}
            for r in grouped[:SCHOOLS_SHOWN]
        ]

    # The list: the incomplete records of the kind chosen, filtered.
    if kind == "organizations":
        listed, items = incomplete((orgs, org_items))
        if district:
            listed = listed.filter(in_district(bureaus, city, district))
        if q:
            listed = listed.filter(Q(name__icontains=q) | Q(code__icontains=q))
    else:
        listed, items = lacking_people, person_items
        if district:
            listed = listed.filter(school__district=district)
        if school:
            listed = listed.filter(school__code=school)
        if q:
            listed = listed.filter(name__icontains=q)
    if not valid:
        listed = listed.none()
    listed = lacking(listed, items, key)
    model = PartyOrganization if kind == "organizations" else Person
    if request.GET.get("export") == "xlsx":
        return completeness_export(request, model, listed, items, bureaus, city)
    if not shows_districts:
        totals = {
            "people_total": people.count(),
            "people_incomplete": lacking_people.count(),
            "orgs_total": orgs.count(),
            "orgs_incomplete": incomplete((orgs, org_items))[0].count(),
        }
    context = paged(request, listed, COMPLETENESS_PER_PAGE)
    page_rows = [(obj, missing(obj, items)) for obj in context["page_obj"].object_list]
    if model is Person:
        account_read(request, Person, [obj for obj, _l in page_rows])
    context.update(
        {
            "title": _("Record completeness"),
            "form": form,
            "kind": kind,
            "rows": page_rows,
            **totals,
            "district_rows": district_rows,
            "school_rows": school_rows,
            "schools_incomplete": schools_incomplete,
            "schools_shown": SCHOOLS_SHOWN,
            "shows_districts": shows_districts,
            "can_export": user.can(model, "export"),
            "scope": scope,
            "kind_urls": {k: urlencode({**base, "kind": k}) for k in ("people", "organizations")},
            "clear_url": urlencode({**base, "kind": kind}),
            "filtered": any((district, school, key, q)),
            "breadcrumbs": [(_("Record completeness"), None)],
        }
    )
    return render(request, "people/completeness.html", context)


def in_district(bureaus, city, district):
    """Organizations of ``district``: under its bureau's organization; for the city's own (市直), under none."""
    step = PartyOrganization.steplen
    tops = [p for p in bureaus if len(p) == 2 * step]
    if district == city:
        return ~Q(reduce(operator.or_, (Q(path__startswith=p) for p in tops), Q(pk__in=[])))
    return reduce(operator.or_, (Q(path__startswith=p) for p in tops if bureaus[p] == district), Q(pk__in=[]))


def completeness_export(request, model, listed, items, bureaus, city):
    """The filtered incomplete records as .xlsx, through the export path (logged; people past the threshold
    wait for a second person's approval)."""
    if not request.user.can(model, "export"):
        return refuse(request, model, "export")
    step = PartyOrganization.steplen
    title = str(_("Record completeness"))
    if model is Person:
        count = listed.count()
        approval = None
        reason = approvals.reason_for(count)
        if reason:
            outcome = approvals.gate(
                request, title=title, model_label=model._meta.label_lower, rows=count, reason=reason
            )
            if isinstance(outcome, HttpResponse):
                return outcome
            approval = outcome
        account_read(request, Person, queryset=listed, rows=count, detail="export")
        headers = [_("Full name"), _("School code"), _("School"), _("District or county"), _("Missing")]
        rows = (
            [
                p.name,
                p.school.code,
                p.school.name,
                district_name(p.school.district),
                "、".join(map(str, missing(p, items))),
            ]
            for p in listed.iterator(2000)
        )
        return xlsx_response(
            request,
            title=title,
            headers=headers,
            rows=rows,
            filename="incomplete_people.xlsx",
            model=Person,
            approval=approval,
        )
    headers = [_("Organization code"), _("Name"), _("District or county"), _("Missing")]
    rows = (
        [
            o.code,
            o.name,
            district_name(bureaus.get(o.path[: 2 * step], city)),
            "、".join(map(str, missing(o, items))),
        ]
        for o in listed.iterator(2000)
    )
    return xlsx_response(
        request,
        title=title,
        headers=headers,
        rows=rows,
        filename="incomplete_organizations.xlsx",
        model=PartyOrganization,
    )


class HonorEditView(PersonRecordMixin, ObjectEditView):
    model = Honor
    form_class = HonorForm
    service = services.HONORS
    list_url_name = "people:honor_list"


class HonorDeleteView(ObjectDeleteView):
    model = Honor
    service = services.HONORS
    success_url_name = "people:honor_list"


class DispatchEditView(PersonRecordMixin, ObjectEditView):
    model = Dispatch
    form_class = DispatchForm
    service = services.DISPATCHES
    list_url_name = "people:dispatch_list"
    back_to_list = True


class DispatchDeleteView(ObjectDeleteView):
    model = Dispatch
    service = services.DISPATCHES
    success_url_name = "people:dispatch_list"


class MembershipEditView(PersonRecordMixin, ObjectEditView):
    """Record or correct a membership; the person's political status follows it."""

    model = Membership
    form_class = MembershipForm
    service = services.MEMBERSHIPS


@login_required
def school_staff_summary(request, pk):
    """A school's staff by political status and the titles they hold now (a fragment of the school page)."""
    if not request.user.can(School, "view"):
        return refuse(request, School, "view")
    school = get_object_or_404(School.objects.visible_to(request.user), pk=pk)
    staff = Person.objects.visible_to(request.user).filter(school=school)
    statuses = dict(staff.order_by().values_list("political_status").annotate(n=Count("pk")))
    today = timezone.localdate()
    titles = dict(
        Honor.objects.visible_to(request.user)
        .filter(person__school=school)
        .held_at(today)
        .order_by()
        .values_list("title")
        .annotate(n=Count("person", distinct=True))
    )
    return render(
        request,
        "people/school_staff_summary.html",
        {
            "school": school,
            "total": sum(statuses.values()),
            "statuses": [
                (label, statuses[code]) for code, label in POLITICAL_STATUS_CHOICES if statuses.get(code)
            ],
            "titles": [(label, titles[code]) for code, label in Title.choices if titles.get(code)],
        },
    )


@login_required
def organization_members_summary(request, pk):
    """An organization's current members and committee (a fragment of the organization page)."""
    if not request.user.can(PartyOrganization, "view"):
        return refuse(request, PartyOrganization, "view")
    org = get_object_or_404(PartyOrganization.objects.visible_to(request.user), pk=pk)
    today = timezone.localdate()
    members = Membership.objects.visible_to(request.user).filter(organization=org).current()
    counts = members.aggregate(total=Count("pk"), full=Count("pk", filter=Q(full_on__lte=today)))
    subtree = Membership.objects.visible_to(request.user).in_subtree(org.path).current().count()
    posts = current_posts(CommitteePost.objects.visible_to(request.user).filter(organization=org), today)
    may_add = PartyOrganization.objects.visible_to(request.user, "view", (CommitteePost, "add"))
    org_completeness = completeness_of(
        organizations_by_completeness(PartyOrganization.objects.filter(pk=org.pk))
    )
    return render(
        request,
        "people/organization_members_summary.html",
        {
            "org": org,
            "completeness": org_completeness,
            "counts": counts,
            "subtree": subtree,
            "posts": posts.select_related("person").order_by("post", "start_on", "pk"),
            "can_add_post": request.user.can(CommitteePost, "add") and may_add.filter(pk=org.pk).exists(),
            "can_end_post": request.user.can(CommitteePost, "change"),
        },
    )


class OrganizationPostMixin:
    """A committee post's pages come back to its organization's page."""

    list_url_name = "orgs:organization_list"

    def organization(self):
        raise NotImplementedError

    def object_url(self):
        return self.organization().get_absolute_url()

    def breadcrumbs(self):
        org = self.organization()
        return [
            (_("Party organizations"), reverse("orgs:organization_list")),
            (str(org), org.get_absolute_url()),
            (self.get_title(), None),
        ]


class CommitteePostAddView(OrganizationPostMixin, ObjectActionView):
    """添加委员: record a post of the organization's committee, through the service's rules (a full member on
    the day it begins, one secretary at a time, one post per person at a time). The organization is looked
    up among those where the user may record a post: another answers 404, like one that does not exist."""

    model = CommitteePost
    action = "add"
    form_class = CommitteePostForm
    title = _("Add a committee member to %(object)s")

    def object_queryset(self):
        return PartyOrganization.objects.visible_to(self.request.user, "view", (CommitteePost, "add"))

    def organization(self):
        return self.object

    def form_arguments(self):
        return {"organization": self.object, "user": self.request.user}

    def perform(self, form):
        data = form.cleaned_data
        values = {"organization": self.object, **{k: data[k] for k in ("person", "post", "start_on")}}
        post = services.save_posts([Item(values)], by=self.request.user)[0]
        return _("Recorded: %(post)s.") % {"post": post}


class CommitteePostEndView(OrganizationPostMixin, ObjectConfirmView):
    """离任: end a current post on a date, after a page that says what will happen."""

    model = CommitteePost
    action = "change"
    form_class = CommitteePostEndForm
    select_related = ("organization", "person")
    title = _("End the post: %(object)s")

    def object_queryset(self):
        return current_posts(self.scoped(), timezone.localdate())

    def organization(self):
        return self.object.organization

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.object
        context["question"] = _(
            "%(name)s will no longer hold the post of %(post)s of %(org)s from the date left (held since "
            "%(start)s). The post stays in the organization's records and its change history."
        ) % {
            "name": post.person.name,
            "post": post.get_post_display(),
            "org": post.organization,
            "start": post.start_on.isoformat(),
        }
        return context

    def perform(self, form):
        services.POSTS.end(self.object, form.cleaned_data["end_on"], by=self.request.user)
        return _("%(name)s left the post of %(post)s.") % {
            "name": self.object.person.name,
            "post": self.object.get_post_display(),
        }
