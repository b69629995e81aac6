"""The audit trail and the access log, browsable (never editable) by auditors within their scope."""

import itertools

import django_filters
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from .audit_display import (
    IMPORT_PREFIX,
    Display,
    content_type_choices,
    import_job_of,
    import_job_url,
    import_request_id,
    object_type_text,
    page_name,
)
from .models import AccessEvent, AuditedModel, ObjectChange
from .views import Column, ObjectListView

AUDIT = "audit"


class ObjectChangeFilterSet(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("User"))
    action = django_filters.ChoiceFilter(choices=ObjectChange.Action.choices, label=_("Action"))
    content_type = django_filters.ChoiceFilter(choices=[], label=_("Object type"), method="of_type")
    object_id = django_filters.CharFilter(label=_("Object id"))
    # An import job's number (an id, not a quantity: not bounded like the numeric filters).
    job = django_filters.CharFilter(
        label=_("Import job"), method="of_job", max_length=10, validators=[RegexValidator(r"^[1-9]\d{0,9}$")]
    )
    since = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = ObjectChange
        fields = ["username", "action", "content_type", "object_id", "job", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every audited model, whichever app declares it, by its Chinese name under its app's.
        audited = [m for m in apps.get_models() if issubclass(m, AuditedModel)]
        types = ContentType.objects.get_for_models(*audited).values()
        self.filters["content_type"].extra["choices"] = content_type_choices(types)

    def of_type(self, queryset, name, value):
        return queryset.filter(content_type_id=value)

    def of_job(self, queryset, name, value):
        return queryset.filter(request_id=import_request_id(int(value)))


class AccessEventFilterSet(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("User"))
    kind = django_filters.MultipleChoiceFilter(choices=AccessEvent.Kind.choices, label=_("Event"))
    since = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AccessEvent
        fields = ["username", "kind", "since", "until"]


class ObjectChangeListView(ObjectListView):
    model = ObjectChange
    action = AUDIT
    filterset_class = ObjectChangeFilterSet
    select_related = ("content_type",)
    template_name = "core/objectchange_list.html"
    default_order = ["-time", "-id"]
    title = _("Change records")
    columns = [
        Column("time", _("Time"), "time"),
        Column("actor_name", _("User"), "username"),
        Column("actor", _("Actor")),
        Column("get_action_display", _("Action"), "action"),
        Column("content_type.name", _("Object type")),
        Column("shown_object", _("Object")),
        Column("shown_fields", _("Changed fields")),
        Column("ip_address", _("Address")),
    ]

    def get_queryset(self):
        queryset = super().get_queryset()
        self.filtered_all = queryset
        if (
            self.filterset.is_bound
            and self.filterset.form.is_valid()
            and self.filterset.form.cleaned_data.get("job")
        ):
            return queryset  # one job's rows, each listed
        return queryset.exclude(request_id__startswith=IMPORT_PREFIX)  # an import's rows: one line per job

    def import_jobs(self):
        """One line per import job among the filtered records: its count and when it wrote (one query)."""
        rows = (
            self.filtered_all.filter(request_id__startswith=IMPORT_PREFIX)
            .order_by()
            .values("request_id")
            .annotate(count=Count("id"), last=Max("time"))
            .order_by("-last")[:IMPORT_JOBS_SHOWN]
        )
        return [
            {"job": job, "url": import_job_url(job), "count": row["count"], "time": row["last"]}
            for row in rows
            if (job := import_job_of(row["request_id"])) is not None
        ]

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        Display(
            object_list, self.request.user
        )  # the page's records resolved in bulk (and cached by the page)
        return paginator, page, object_list, is_paginated

    def export_rows(self, queryset):
        records = queryset.select_related("content_type").iterator(EXPORT_CHUNK)
        while chunk := list(itertools.islice(records, EXPORT_CHUNK)):
            yield from super().export_rows(Display(chunk, self.request.user).changes)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["import_jobs"] = self.import_jobs()
        return context


class AccessEventListView(ObjectListView):
    model = AccessEvent
    action = AUDIT
    filterset_class = AccessEventFilterSet
    default_order = ["-time", "-id"]
    title = _("Access log")
    columns = [
        Column("time", _("Time"), "time"),
        Column("username", _("User"), "username"),
        Column("get_kind_display", _("Event"), "kind"),
        Column("page_name", _("Page")),
        Column("object_type_name", _("Object type")),
        Column("row_count", _("Rows")),
        Column("ip_address", _("Address")),
        Column("path", _("Address path")),
        Column("detail", _("Detail")),
    ]

    @staticmethod
    def named(obj):
        obj.page_name = page_name(obj.path)
        obj.object_type_name = object_type_text(obj.object_type)
        return obj

    def cells(self, obj):
        return super().cells(self.named(obj))

    def export_rows(self, queryset):
        return super().export_rows(self.named(obj) for obj in queryset.iterator(EXPORT_CHUNK))


EXPORT_CHUNK = 2000
IMPORT_JOBS_SHOWN = 50
HISTORY_LIMIT = 20


@login_required
def object_history(request, content_type_id, object_id):
    """The last changes of one record, for anyone who may see the record (its own change log)."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model is None or not issubclass(model, AuditedModel):
        raise Http404
    get_object_or_404(model.objects.visible_to(request.user), pk=object_id)
    changes = ObjectChange.objects.filter(content_type=content_type, object_id=str(object_id)).order_by("-id")
    changes = list(changes.select_related("content_type")[:HISTORY_LIMIT])
    Display(changes, request.user)
    return render(request, "core/object_history.html", {"changes": changes})
