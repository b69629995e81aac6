from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views import View

from redengine.core.audit import log_access
from redengine.core.models import AccessEvent
from redengine.core.views import (
    Column,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedMixin,
)

from . import services
from .filters import DispatchFilterSet, HonorFilterSet, PersonFilterSet
from .forms import PersonForm
from .models import Dispatch, Honor, Person


class PersonListView(ObjectListView):
    model = Person
    filterset_class = PersonFilterSet
    select_related = ("school",)
    default_order = ["school__code", "name", "pk"]
    create_url_name = "people:person_add"
    columns = [
        Column("name", _("Full name"), "name", link=True),
        Column("id_number_masked", _("Resident ID number")),
        Column("get_sex_display", _("Sex"), "sex"),
        Column("birth_date", _("Birth date"), "birth_date"),
        Column("school.name", _("School"), "school__code"),
        Column("get_post_display", _("Post"), "post"),
        Column("get_political_status_display", _("Political status"), "political_status"),
        Column("mobile_masked", _("Mobile")),
    ]


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
            can_reveal=Person.objects.visible_to(self.request.user, "reveal").filter(pk=person.pk).exists(),
        )
        return context


class PersonEditView(ObjectEditView):
    model = Person
    form_class = PersonForm
    select_related = ("school",)

    def save(self, form):
        return services.save_person(
            form.save(commit=False),
            id_number=form.cleaned_data.get("id_number"),
            mobile=form.cleaned_data.get("mobile") or None,
            by=self.request.user,
        )


class PersonDeleteView(ObjectDeleteView):
    model = Person
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
        Column("person.name", _("Full name"), "person__name"),
        Column("person.school.name", _("School")),
        Column("get_title_display", _("Title"), "title"),
        Column("get_level_display", _("Level"), "level"),
        Column("awarded_on", _("Date awarded"), "awarded_on"),
        Column("lapsed_on", _("Date lapsed"), "lapsed_on"),
    ]

    def cells(self, obj):
        url = obj.person.get_absolute_url()
        return [(c.value(obj), url if i == 0 else None) for i, c in enumerate(self.columns)]


class DispatchListView(ObjectListView):
    model = Dispatch
    filterset_class = DispatchFilterSet
    select_related = ("person", "school")
    default_order = ["-start_on", "pk"]
    columns = [
        Column("person.name", _("Full name"), "person__name"),
        Column("get_role_display", _("Role"), "role"),
        Column("school.name", _("School"), "school__code"),
        Column("dispatching_body", _("Dispatched by")),
        Column("public", _("Public dispatch"), "public"),
        Column("start_on", _("From"), "start_on"),
        Column("end_on", _("To"), "end_on"),
    ]
