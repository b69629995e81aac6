"""Pages of awards (list with filters and export, add, edit, delete, the person picker) and of party
discipline (list, export, the record's page, add, edit, the restoration of rights, delete). Discipline is
read only with ``view_discipline``: every page of it asks for that action (a secretary gets 403). Every
write goes through ``services/records.py``."""

from django.contrib.auth.decorators import login_required
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.services import CHANGE
from redengine.core.views import (
    Column,
    ObjectActionView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    guard,
)
from redengine.people.models import CommitteePost, Person

from .models import VIEW_DISCIPLINE, Award, Discipline
from .record_forms import AwardFilterSet, AwardForm, DisciplineFilterSet, DisciplineForm, LiftForm
from .rules import DisciplineKind
from .services import records
from .status_views import picker_answer

MEMBER = ("membership__person", "membership__organization")


# Awards -------------------------------------------------------------------------------------------------
class AwardListView(ObjectListView):
    model = Award
    filterset_class = AwardFilterSet
    select_related = ("person", "person__school", "organization")
    default_order = ["-awarded_on", "-pk"]
    create_url_name = "membership:award_add"
    link_action = CHANGE
    title = gettext_lazy("Awards")
    export_title = gettext_lazy("Awards")
    columns = [
        Column("recipient", gettext_lazy("Awarded to"), link=True),
        Column("get_title_display", gettext_lazy("Title"), "title"),
        Column("get_level_display", gettext_lazy("Level"), "level"),
        Column("awarded_on", gettext_lazy("Date of the award"), "awarded_on"),
        Column("awarded_by", gettext_lazy("Awarded by")),
        Column("document", gettext_lazy("Document number")),
    ]

    def scoped(self, action=None):
        return super().scoped(action).annotate(recipient=Coalesce("person__name", "organization__name"))


class AwardEditView(ObjectEditView):
    model = Award
    form_class = AwardForm
    service = records.AWARDS
    select_related = ("person", "organization")
    back_to_list = True

    def list_url(self):
        return reverse("membership:award_list")


class AwardDeleteView(ObjectDeleteView):
    model = Award
    service = records.AWARDS
    select_related = ("person", "organization")
    success_url_name = "membership:award_list"


@login_required
def person_suggest(request):
    """The person picker's suggestions: the people of the user's scope, by name (the box keeps the number)."""
    refused = guard(request, Person)
    if refused:
        return refused
    people = Person.objects.visible_to(request.user).select_related("school")
    return picker_answer(request, people, lambda p: f"{p.name}（{p.school.name}）", name="name")


# Discipline ---------------------------------------------------------------------------------------------
class DisciplineListView(ObjectListView):
    model = Discipline
    action = VIEW_DISCIPLINE
    filterset_class = DisciplineFilterSet
    select_related = MEMBER
    default_order = ["-decided_on", "-pk"]
    create_url_name = "membership:discipline_add"
    title = gettext_lazy("Party discipline records")
    export_title = gettext_lazy("Party discipline records")
    columns = [
        Column(
            "membership.person.name", gettext_lazy("Full name"), "membership__person__name_key", link=True
        ),
        Column("membership.organization.name", gettext_lazy("Organization")),
        Column("get_kind_display", gettext_lazy("Measure"), "kind"),
        Column("decided_on", gettext_lazy("Date of the decision"), "decided_on"),
        Column("decided_by", gettext_lazy("Deciding body")),
        Column("document", gettext_lazy("Document number")),
        Column("period_months", gettext_lazy("Period (months)")),
        Column("lifted_on", gettext_lazy("Rights restored on"), "lifted_on"),
    ]


class DisciplineDetailView(ObjectDetailView):
    model = Discipline
    action = VIEW_DISCIPLINE
    select_related = MEMBER
    template_name = "membership/discipline_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        membership = record.membership
        ended_posts = []
        if record.kind == DisciplineKind.DISMISSAL:
            ended_posts = list(
                CommitteePost.objects.filter(
                    person_id=membership.person_id, end_on=record.decided_on
                ).select_related("organization")
            )
        context.update(
            membership=membership,
            end=records.probation_end(record),
            is_probation=record.kind == DisciplineKind.PROBATION,
            can_lift=record.kind == DisciplineKind.PROBATION
            and record.lifted_on is None
            and context["can_change"],
            ended_posts=ended_posts,
            title=str(record),
            breadcrumbs=[
                (_("Party discipline records"), reverse("membership:discipline_list")),
                (str(record), None),
            ],
        )
        return context


class DisciplineEditView(ObjectEditView):
    model = Discipline
    form_class = DisciplineForm
    service = records.DISCIPLINE_RECORDS
    select_related = MEMBER

    def list_url(self):
        return reverse("membership:discipline_list")


class DisciplineLiftView(ObjectActionView):
    """Restore the rights of a member under 留党察看 (恢复党员权利), once its period has ended."""

    model = Discipline
    action = CHANGE
    form_class = LiftForm
    select_related = MEMBER

    def object_queryset(self):
        return self.scoped().filter(kind=DisciplineKind.PROBATION)

    def get_title(self):
        return _("Restore the rights: %(record)s") % {"record": self.object}

    def perform(self, form):
        records.lift_discipline(self.object, form.cleaned_data.get("lifted_on"), by=self.request.user)
        return _("The rights of %(name)s are restored.") % {"name": self.object.membership.person.name}

    def list_url(self):
        return reverse("membership:discipline_list")


class DisciplineDeleteView(ObjectDeleteView):
    model = Discipline
    service = records.DISCIPLINE_RECORDS
    select_related = MEMBER
    success_url_name = "membership:discipline_list"
