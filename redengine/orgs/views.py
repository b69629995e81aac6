from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from redengine.core.views import Column, ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView

from .filters import OrganizationFilterSet, SchoolFilterSet
from .forms import OrganizationForm, SchoolForm
from .models import PartyOrganization, School


class OrganizationListView(ObjectListView):
    model = PartyOrganization
    filterset_class = OrganizationFilterSet
    template_name = "orgs/organization_list.html"
    default_order = ["path"]
    create_url_name = "orgs:organization_add"
    columns = [
        Column("code", _("Organization code"), "code"),
        Column("name", _("Name"), "name", link=True),
        Column("get_org_type_display", _("Type"), "org_type"),
        Column("founded_on", _("Founding date"), "founded_on"),
    ]


class OrganizationDetailView(ObjectDetailView):
    model = PartyOrganization
    template_name = "orgs/organization_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = self.object
        visible = PartyOrganization.objects.visible_to(self.request.user)
        context.update(
            ancestors=visible.filter(
                path__in=[org.path[:i] for i in range(org.steplen, len(org.path), org.steplen)]
            ),
            children=visible.filter(path__startswith=org.path, depth=org.depth + 1),
            subtree_count=visible.filter(path__startswith=org.path).count() - 1,
            delete_refusal=org.delete_refusal() if context["can_delete"] else None,
            schools=School.objects.visible_to(self.request.user).filter(organizations=org),
        )
        return context


class OrganizationEditView(ObjectEditView):
    model = PartyOrganization
    form_class = OrganizationForm
    list_url_name = "orgs:organization_list"


class OrganizationDeleteView(ObjectDeleteView):
    model = PartyOrganization
    success_url_name = reverse_lazy("orgs:organization_list")


class SchoolListView(ObjectListView):
    model = School
    filterset_class = SchoolFilterSet
    default_order = ["code"]
    create_url_name = "orgs:school_add"
    columns = [
        Column("code", _("School code"), "code"),
        Column("name", _("School name"), "name", link=True),
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
        return context


class SchoolEditView(ObjectEditView):
    model = School
    form_class = SchoolForm


class SchoolDeleteView(ObjectDeleteView):
    model = School
    success_url_name = reverse_lazy("orgs:school_list")
