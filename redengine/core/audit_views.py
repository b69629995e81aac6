"""The audit trail and the access log, browsable (never editable) by auditors within their scope."""

import django_filters
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from .models import AccessEvent, AuditedModel, ObjectChange
from .views import Column, ObjectListView

AUDIT = "audit"


class ObjectChangeFilterSet(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("User"))
    action = django_filters.ChoiceFilter(choices=ObjectChange.Action.choices, label=_("Action"))
    content_type = django_filters.ModelChoiceFilter(
        queryset=ContentType.objects.none(), label=_("Object type")
    )
    object_id = django_filters.CharFilter(label=_("Object id"))
    since = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = ObjectChange
        fields = ["username", "action", "content_type", "object_id", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every audited model, whichever app declares it.
        audited = [m for m in apps.get_models() if issubclass(m, AuditedModel)]
        types = ContentType.objects.get_for_models(*audited).values()
        self.filters["content_type"].queryset = ContentType.objects.filter(pk__in=[t.pk for t in types])


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
        Column("username", _("User"), "username"),
        Column("actor", _("Actor")),
        Column("get_action_display", _("Action"), "action"),
        Column("content_type.name", _("Object type")),
        Column("shown_repr", _("Object")),
        Column("changed_fields", _("Changed fields")),
        Column("ip_address", _("Address")),
    ]


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
        Column("object_type", _("Object type")),
        Column("row_count", _("Rows")),
        Column("ip_address", _("Address")),
        Column("path", _("Address path")),
        Column("detail", _("Detail")),
    ]


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
    labels = {f.name: f.verbose_name for f in [*model._meta.fields, *model._meta.many_to_many]}
    rows = [(c, [str(labels.get(name, name)) for name in c.changed_fields]) for c in changes[:HISTORY_LIMIT]]
    return render(request, "core/object_history.html", {"rows": rows})
