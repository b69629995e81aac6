"""典型展示 pages: the overview (the published library, newest first, with the two figures), the search across
the three kinds, and for each kind (stories, lessons, role models) its list (filters, search, export), its
page, its add/edit/delete forms, its moves (submit, publish, return for revision, withdraw) and its files
(upload, download: served to who may read the item, logged like an export). Every write goes through the
app's services; a published item is read by every account with a business role (``models.ItemQuerySet``)."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from redengine.core.files import download
from redengine.core.metrics import REGISTRY, Period
from redengine.core.services import Item
from redengine.core.views import (
    Column,
    ObjectActionView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedMixin,
    guard,
)
from redengine.orgs.models import PartyOrganization

from . import search, services
from .filters import LessonFilterSet, RoleModelFilterSet, StoryFilterSet
from .forms import LessonForm, MoveForm, RoleModelForm, StoryForm, UploadForm
from .models import Lesson, LessonFile, Move, RoleModel, RoleModelPhoto, Story
from .rules import MOVES, PUBLISH, Status, param

KINDS = [Story, Lesson, RoleModel]
URL = {Story: "story", Lesson: "lesson", RoleModel: "rolemodel"}


# Lists -------------------------------------------------------------------------------------------
STATUS = Column("get_status_display", gettext_lazy("status"), "status")
SCHOOL = Column("school.name", gettext_lazy("school"), "school__code")
PUBLISHED = Column("published_on", gettext_lazy("published on"), "published_on")


class ItemListView(ObjectListView):
    select_related = ("school",)
    default_order = ["-pk"]

    def filtered(self, queryset):
        queryset = super().filtered(queryset)
        if (
            (self.request.GET.get("q") or "").strip()
            and not self.request.GET.get("sort")
            and self.filterset.is_valid()
        ):
            return queryset.order_by("title_hit", "-pk")
        return queryset


class StoryListView(ItemListView):
    model = Story
    filterset_class = StoryFilterSet
    create_url_name = "showcase:story_add"
    columns = [
        Column("title", gettext_lazy("title"), "title", link=True),
        SCHOOL,
        Column("tags", gettext_lazy("tags")),
        STATUS,
        PUBLISHED,
    ]


class LessonListView(ItemListView):
    model = Lesson
    filterset_class = LessonFilterSet
    select_related = ("school", "teacher")
    create_url_name = "showcase:lesson_add"
    columns = [
        Column("title", gettext_lazy("title"), "title", link=True),
        Column("teacher.name", gettext_lazy("teacher")),
        SCHOOL,
        Column("subject", gettext_lazy("subject"), "subject"),
        Column("grade", gettext_lazy("grade"), "grade"),
        Column("theme", gettext_lazy("theme")),
        STATUS,
        PUBLISHED,
    ]


class RoleModelListView(ItemListView):
    model = RoleModel
    filterset_class = RoleModelFilterSet
    create_url_name = "showcase:rolemodel_add"
    columns = [
        Column("name", gettext_lazy("student's name"), "name", link=True),
        SCHOOL,
        Column("grade", gettext_lazy("grade"), "grade"),
        Column("honour", gettext_lazy("honour")),
        Column("named_on", gettext_lazy("date named"), "named_on"),
        STATUS,
        PUBLISHED,
    ]


# An item's page ------------------------------------------------------------------------------------
class ItemDetailView(ObjectDetailView):
    template_name = "showcase/item_detail.html"
    select_related = ("school",)
    shown = ()  # (field, label) shown on the page besides the title

    def may(self, action):
        """Always asked of the record: a published item is read outside the scope where nothing else is
        allowed (``scope_covers`` reads the view scope, which the published rows widen)."""
        return self.model.objects.visible_to(self.request.user, action).filter(pk=self.object.pk).exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        draft = obj.status == Status.DRAFT
        context["can_change"] = context["can_change"] and draft
        context["can_delete"] = context["can_delete"] and draft
        reviewer = (
            obj.status != Status.DRAFT and self.request.user.can(self.model, PUBLISH) and self.may(PUBLISH)
        )
        moves = []
        for name, rule in MOVES.items():
            if obj.status not in rule.from_statuses:
                continue
            allowed = context["can_change"] if rule.action == "change" else reviewer
            if allowed:
                moves.append((rule.label, reverse(f"showcase:{URL[self.model]}_{name}", args=[obj.pk])))
        context.update(
            kind=URL[self.model],
            fields=[(label, value) for label, value in self.fields(obj)],
            moves=moves,
            history=Move.objects.filter(kind=self.model.kind, item_id=obj.pk).select_related("by"),
            files=self.files(obj),
            upload_url=self.upload_url(obj) if context["can_change"] else None,
            breadcrumbs=[(self.model._meta.verbose_name_plural, self.list_url()), (str(obj), None)],
            title=str(obj),
        )
        return context

    def fields(self, obj):
        return [(obj._meta.get_field(name).verbose_name, getattr(obj, name)) for name in self.shown]

    def files(self, obj):
        return []

    def upload_url(self, obj):
        return None


class StoryDetailView(ItemDetailView):
    model = Story
    shown = ("text", "tags")

    def fields(self, obj):
        members = "、".join(p.name for p in obj.members.all())
        uses = "；".join(str(u) for u in obj.uses.all())
        return [
            *super().fields(obj),
            (Story._meta.get_field("members").verbose_name, members),
            (_("Used at"), uses),
        ]


class LessonDetailView(ItemDetailView):
    model = Lesson
    select_related = ("school", "teacher")
    shown = ("subject", "grade", "theme", "summary")

    def fields(self, obj):
        return [(Lesson._meta.get_field("teacher").verbose_name, obj.teacher.name), *super().fields(obj)]

    def files(self, obj):
        return [
            (f"{f.get_role_display()}：{f.file_name}", reverse("showcase:lessonfile", args=[f.pk]))
            for f in obj.files.all()
        ]

    def upload_url(self, obj):
        return reverse("showcase:lesson_upload", args=[obj.pk])


class RoleModelDetailView(ItemDetailView):
    model = RoleModel
    shown = ("grade", "deed", "honour", "named_on")

    def fields(self, obj):
        found = super().fields(obj)
        if self.may("change"):  # the guardian's name is for the school, not for the showcase
            found += [
                (RoleModel._meta.get_field(name).verbose_name, getattr(obj, name))
                for name in ("consent_by", "consent_relation", "consent_on")
            ]
        return found

    def files(self, obj):
        return [(f.file_name, reverse("showcase:rolemodelphoto", args=[f.pk])) for f in obj.photos.all()]

    def upload_url(self, obj):
        return reverse("showcase:rolemodel_upload", args=[obj.pk]) if obj.consent_recorded else None


# Writes ---------------------------------------------------------------------------------------------
class ItemEditView(ObjectEditView):
    template_name = "showcase/form.html"
    select_related = ("school",)


class StoryEditView(ItemEditView):
    model = Story
    form_class = StoryForm
    service = services.STORIES

    def save(self, form):
        item = Item(self.item_values(form), instance=self.object, extra={"uses": form.cleaned_data["uses"]})
        return self.service.save([item], by=self.request.user)[0]


class LessonEditView(ItemEditView):
    model = Lesson
    form_class = LessonForm
    service = services.LESSONS


class RoleModelEditView(ItemEditView):
    model = RoleModel
    form_class = RoleModelForm
    service = services.ROLE_MODELS


class ItemDeleteView(ObjectDeleteView):
    def get_success_url(self):
        return self.list_url()


def delete_view(model):
    return type(
        f"{model.__name__}DeleteView",
        (ItemDeleteView,),
        {
            "model": model,
            "service": services.SERVICES[model],
            "success_url_name": f"showcase:{URL[model]}_list",
        },
    )


class MoveView(ObjectActionView):
    """A move of an item (submit, publish, return, withdraw), the item looked up within the move's scope."""

    template_name = "showcase/form.html"
    form_class = MoveForm
    move = ""

    @property
    def rule(self):
        return MOVES[self.move]

    def dispatch(self, request, *args, **kwargs):
        self.action = self.rule.action
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return f"{self.rule.label}：{self.object}" if self.object is not None else str(self.rule.label)

    def form_arguments(self):
        return {"needs_reason": self.rule.needs_reason}

    def perform(self, form):
        services.move_items(
            self.model,
            [self.object],
            self.move,
            by=self.request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
        return _("%(move)s: %(object)s.") % {"move": self.rule.label, "object": self.object}


def move_view(model, move):
    return type(f"{model.__name__}{move.title()}View", (MoveView,), {"model": model, "move": move})


class UploadView(ObjectActionView):
    """A file of a draft item: a lesson's plan or video, a role model's photo (with its consent)."""

    template_name = "showcase/form.html"
    form_class = UploadForm
    action = "change"
    title = gettext_lazy("Upload a file: %(object)s")

    def form_arguments(self):
        return {"roles": True} if self.model is Lesson else {}

    def perform(self, form):
        upload = form.cleaned_data["file"]
        role = form.cleaned_data.get("role") or "photo"
        services.attach_files(self.object, [(role, upload.name, upload.read())], by=self.request.user)
        return _("Kept %(name)s.") % {"name": upload.name}


class LessonUploadView(UploadView):
    model = Lesson


class RoleModelUploadView(UploadView):
    model = RoleModel


class FileView(ScopedMixin, generic.View):
    """A file of an item, to who may read the item (a published item's, to everyone): an access-log row of
    kind export."""

    def get(self, request, pk):
        return download(request, get_object_or_404(self.scoped(), pk=pk))


class LessonFileView(FileView):
    model = LessonFile


class RoleModelPhotoView(FileView):
    model = RoleModelPhoto


# The search and the overview -----------------------------------------------------------------------
def results_of(user, model, query, limit):
    """(the first ``limit`` items of ``model`` the user may read matching ``query``, title hits first, each
    with its snippet): one query."""
    found = search.matching(model.objects.visible_to(user).select_related("school"), query)
    rows = list(found.order_by("title_hit", "-published_on", "-pk")[:limit])
    width = param("show.snippet_chars")
    return [(obj, search.snippet(obj.search_texts()[1], query, width)) for obj in rows]


def search_page(request):
    """The search across the three kinds: what the user may read (published everywhere, drafts in scope)."""
    refused = guard(request, Story)
    if refused:
        return refused
    query = (request.GET.get("q") or "").strip()[:100]
    groups = []
    if query:
        limit = param("show.search_results")
        for model in KINDS:
            if request.user.can(model, "view"):
                groups.append(
                    (
                        model._meta.verbose_name_plural,
                        URL[model],
                        results_of(request.user, model, query, limit),
                    )
                )
    return render(
        request,
        "showcase/search.html",
        {"query": query, "groups": groups, "title": _("Search the showcase")},
    )


def overview(request):
    """The published library, newest first (each kind's latest), with the two figures of the user's scope."""
    refused = guard(request, Story)
    if refused:
        return refused
    user = request.user
    org = PartyOrganization.objects.visible_to(user).order_by("depth", "path").first()
    period = Period.of(timezone.localdate().year)
    figures = []
    if org is not None:
        for name in ("showcase.stories", "showcase.lessons"):
            metric = REGISTRY[name]
            figures.append((metric.label, metric.definition, metric.compute(org, period).value))
    latest = []
    for model in KINDS:
        rows = list(
            model.objects.filter(status=Status.PUBLISHED)
            .select_related("school")
            .order_by("-published_on", "-pk")[:10]
        )
        latest.append((model._meta.verbose_name_plural, URL[model], rows))
    return render(
        request,
        "showcase/overview.html",
        {"org": org, "year": period.first_year, "figures": figures, "latest": latest, "title": _("Showcase")},
    )
