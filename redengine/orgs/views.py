from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from redengine.core.metrics import Period
from redengine.core.pickers import suggestions
from redengine.core.scoping import collapse_prefixes
from redengine.core.views import (
    Column,
    ObjectActionView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    refuse,
)

from . import services
from .filters import (
    AffiliationChangeFilterSet,
    GrantStandardFilterSet,
    OrganizationFilterSet,
    SchoolFilterSet,
    StartupGrantFilterSet,
)
from .forms import (
    AffiliationChangeForm,
    GrantStandardForm,
    OrganizationForm,
    ReceiveOrganizationForm,
    SchoolForm,
    StartupGrantForm,
)
from .models import AffiliationChange, GrantStandard, PartyOrganization, School, StartupGrant


class OrganizationListView(ObjectListView):
    model = PartyOrganization
    filterset_class = OrganizationFilterSet
    default_order = ["path"]
    create_url_name = "orgs:organization_add"
    columns = [
        Column("code", _("Organization code"), "code"),
        Column("name", _("Name"), "name_key", link=True),
        Column("get_org_type_display", _("Type"), "org_type"),
        Column("founded_on", _("Founding date"), "founded_on"),
    ]

    def cell_attrs(self, obj, cells):
        """The tree in path order: the name indented by the organization's depth (not under another sort)."""
        if self.request.GET.get("sort"):
            return None
        indent = format_html(' class="tree-indent-{}"', obj.depth or 1)
        return [indent if cell.url else "" for cell in cells]


class OrganizationDetailView(ObjectDetailView):
    model = PartyOrganization
    template_name = "orgs/organization_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = self.object
        visible = PartyOrganization.objects.visible_to(self.request.user)
        ancestors = visible.filter(
            path__in=[org.path[:i] for i in range(org.steplen, len(org.path), org.steplen)]
        )
        context.update(
            breadcrumbs=[
                (_("Party organizations"), reverse("orgs:organization_list")),
                *((a.name, a.get_absolute_url()) for a in ancestors.order_by("path")),
                (org.name, None),
            ],
            children=visible.filter(path__startswith=org.path, depth=org.depth + 1),
            subtree_count=visible.filter(path__startswith=org.path).count() - 1,
            delete_refusal=org.delete_refusal() if context["can_delete"] else None,
            schools=School.objects.visible_to(self.request.user).filter(organizations=org),
        )
        return context


class OrganizationEditView(ObjectEditView):
    model = PartyOrganization
    form_class = OrganizationForm
    service = services.ORGANIZATIONS
    list_url_name = "orgs:organization_list"


class OrganizationDeleteView(ObjectDeleteView):
    model = PartyOrganization
    service = services.ORGANIZATIONS
    success_url_name = reverse_lazy("orgs:organization_list")


class SchoolListView(ObjectListView):
    model = School
    filterset_class = SchoolFilterSet
    default_order = ["code"]
    create_url_name = "orgs:school_add"
    columns = [
        Column("code", _("School code"), "code"),
        Column("name", _("School name"), "name_key", link=True),
        Column("get_district_display", _("District or county"), "district"),
        Column("get_ownership_display", _("Ownership"), "ownership"),
        Column("get_school_type_display", _("School type"), "school_type"),
        Column("get_urban_rural_display", _("Urban or rural"), "urban_rural"),
        Column("city_managed", _("City-managed"), "city_managed"),
    ]


class SchoolDetailView(ObjectDetailView):
    model = School
    template_name = "orgs/school_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organizations"] = PartyOrganization.objects.visible_to(self.request.user).filter(
            schools=self.object
        )
        context["breadcrumbs"] = [(_("Schools"), reverse("orgs:school_list")), (self.object.name, None)]
        return context


class SchoolEditView(ObjectEditView):
    model = School
    form_class = SchoolForm
    service = services.SCHOOLS


class SchoolDeleteView(ObjectDeleteView):
    model = School
    service = services.SCHOOLS
    success_url_name = reverse_lazy("orgs:school_list")


class StartupGrantListView(ObjectListView):
    link_action = "change"  # the record's page is its edit form
    model = StartupGrant
    filterset_class = StartupGrantFilterSet
    select_related = ("organization",)
    default_order = ["-approved_on", "pk"]
    create_url_name = "orgs:grant_add"
    columns = [
        Column("organization.name", _("Organization"), "organization__path", link=True),
        Column("amount", _("Amount (yuan)"), "amount"),
        Column("approved_on", _("Date approved"), "approved_on"),
        Column("paid_on", _("Date paid"), "paid_on"),
    ]


class StartupGrantEditView(ObjectEditView):
    model = StartupGrant
    form_class = StartupGrantForm
    service = services.GRANTS
    list_url_name = "orgs:grant_list"
    back_to_list = True

    def get_initial(self):
        initial = super().get_initial()
        code = self.request.GET.get("organization")
        org = PartyOrganization.objects.visible_to(self.request.user, "add").filter(code=code).first()
        if org is not None:
            initial["organization"] = org
            if org.founded_on:
                # The standard of the organization's type for the year it was founded (data, not a constant).
                initial["amount"] = GrantStandard.amount_for(org.org_type, org.founded_on.year)
        return initial


class StartupGrantDeleteView(ObjectDeleteView):
    model = StartupGrant
    service = services.GRANTS
    success_url_name = "orgs:grant_list"


class AffiliationChangeListView(ObjectListView):
    model = AffiliationChange
    create_url_name = "orgs:receive"
    filterset_class = AffiliationChangeFilterSet
    select_related = ("organization", "old_parent", "new_parent")
    default_order = ["-changed_on", "-pk"]
    columns = [
        Column("organization.name", _("Organization"), "organization__path", link=True),
        Column("old_parent_label", _("Previous parent")),
        Column("new_parent.name", _("New parent")),
        Column("changed_on", _("Date"), "changed_on"),
        Column("document_number", _("Document number")),
    ]


class AffiliationChangeView(ObjectActionView):
    """Move an organization and its subtree under another parent (the user needs change on it, add at the target)."""

    model = PartyOrganization
    action = "change"
    form_class = AffiliationChangeForm
    title = _("Change the affiliation of %(object)s")

    def form_arguments(self):
        return {"user": self.request.user}

    def perform(self, form):
        data = form.cleaned_data
        services.change_affiliation(
            [services.Move(self.object, data["new_parent"], data["changed_on"], data["document_number"])],
            by=self.request.user,
        )
        return _("%(org)s and the organizations under it now belong to %(parent)s.") % {
            "org": self.object,
            "parent": data["new_parent"],
        }


def _tree_nodes(queryset):
    return queryset.only("pk", "code", "name", "org_type", "numchild", "depth", "path").order_by("code")


@login_required
def tree(request):
    """The organization tree as an expandable outline, starting at the tops of the user's scope."""
    user = request.user
    if not user.can(PartyOrganization, "view"):
        return refuse(request, PartyOrganization, "view")
    prefixes = collapse_prefixes(user.scope_prefixes(PartyOrganization, "view"))
    tops = (
        PartyOrganization.objects.filter(depth=1)
        if "" in prefixes
        else PartyOrganization.objects.filter(path__in=prefixes)
    )
    return render(
        request,
        "orgs/tree.html",
        {
            "nodes": _tree_nodes(tops),
            "title": _("Organization tree"),
            "breadcrumbs": [(_("Organization tree"), None)],
        },
    )


@login_required
def tree_children(request, pk):
    """The children of one node (loaded when the node is opened)."""
    if not request.user.can(PartyOrganization, "view"):
        return refuse(request, PartyOrganization, "view")
    org = get_object_or_404(PartyOrganization.objects.visible_to(request.user), pk=pk)
    children = PartyOrganization.objects.visible_to(request.user).filter(
        path__startswith=org.path, depth=org.depth + 1
    )
    return render(request, "orgs/tree_nodes.html", {"nodes": _tree_nodes(children)})


class GrantStandardListView(ObjectListView):
    link_action = "change"  # the record's page is its edit form
    model = GrantStandard
    filterset_class = GrantStandardFilterSet
    default_order = ["org_type", "-valid_from"]
    create_url_name = "orgs:standard_add"
    columns = [
        Column("get_org_type_display", _("Organization type"), "org_type", link=True),
        Column("valid_from", _("From year"), "valid_from"),
        Column("amount", _("Amount (yuan)"), "amount"),
    ]


class GrantStandardEditView(ObjectEditView):
    model = GrantStandard
    form_class = GrantStandardForm
    service = services.STANDARDS
    list_url_name = "orgs:standard_list"
    back_to_list = True


class GrantStandardDeleteView(ObjectDeleteView):
    model = GrantStandard
    service = services.STANDARDS
    success_url_name = "orgs:standard_list"


class ReceiveOrganizationView(ObjectActionView):
    """Receive an organization from outside the education system under a parent in the user's scope."""

    model = PartyOrganization
    action = "add"
    object_required = False
    form_class = ReceiveOrganizationForm
    title = _("Receive an organization from outside the system")
    list_url_name = "orgs:affiliation_list"

    def form_arguments(self):
        return {"user": self.request.user}

    def perform(self, form):
        data = dict(form.cleaned_data)
        reception = services.Reception(
            parent=data.pop("parent"),
            old_parent_name=data.pop("old_parent_name"),
            changed_on=data.pop("changed_on"),
            document_number=data.pop("document_number"),
            values=data,
        )
        (self.object,) = services.receive_organizations([reception], by=self.request.user)
        return _("Received %(org)s.") % {"org": self.object}


PICKER_ACTIONS = {"add"}  # ``?for=add``: the organizations a new one may go under (the forms' own choices)


def _suggest(request, model):
    user = request.user
    if not user.can(model, "view"):
        return refuse(request, model, "view")
    wanted = request.GET.get("for")
    action = wanted if wanted in PICKER_ACTIONS else "view"
    return suggestions(request, model.objects.visible_to(user, action))


@login_required
def organization_suggest(request):
    """A picker's suggestions: the organizations in the user's scope whose name or code matches."""
    return _suggest(request, PartyOrganization)


@login_required
def school_suggest(request):
    """A picker's suggestions: the schools in the user's scope whose name or code matches."""
    return _suggest(request, School)


def page_scope(request):
    """The organization a figures page shows (``?org=<code>``, else the top of the user's scope), the year
    (``?year=``, else this one) and the organizations the user sees; 404 for a code outside them."""
    visible = PartyOrganization.objects.visible_to(request.user)
    code = (request.GET.get("org") or "").strip()
    org = visible.filter(code=code).first() if code else visible.order_by("depth", "path").first()
    if org is None:
        raise Http404
    today = timezone.localdate()
    try:
        period = Period.of(int(request.GET.get("year") or today.year))
    except ValueError:
        period = Period.of(today.year)
    return org, period, visible
