"""The change records as people read them: field names and values in Chinese, actors by name, the rows
of one import under their job, and, for the audit administrator, no personal values at all.

A page of records is shown with a bounded number of queries: the names of the records a foreign key
points to are read in one query per related model, the actors in one query (``Display``).
"""

import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import HIDDEN, AppendOnlyModel, remask
from .permissions import AUDIT
from .privacy import PERSON_MODEL, PERSONAL_FIELDS, PERSONAL_MODELS

PERSONAL_HIDDEN = _("(personal information, hidden)")
UNNAMED = _("(a record you may not see, or one deleted)")
IMPORT_PREFIX = "import-"  # the request id of the change records an import job writes (imports/services.py)
PERSONAL_BLIND_ROLE = "audit_admin"


_JOB_URL = []  # the page of an import job, registered by the app that holds the jobs (a higher one)


def register_import_job_url(url_of):
    """``url_of(pk)``: the address of an import job's page."""
    _JOB_URL[:] = [url_of]


def import_job_url(pk):
    return _JOB_URL[0](pk) if _JOB_URL and pk is not None else None


def import_request_id(job_pk):
    return f"{IMPORT_PREFIX}{job_pk}"


def import_job_of(request_id):
    """The import job's pk a change record was written by, or None."""
    if request_id and request_id.startswith(IMPORT_PREFIX) and request_id[len(IMPORT_PREFIX) :].isdigit():
        return int(request_id[len(IMPORT_PREFIX) :])
    return None


def hides_personal(user):
    """Whether the account reads the trail only as the audit administrator, who needs no personal values."""
    codes = getattr(user, "role_codes", ())
    codes = set(codes() if callable(codes) else codes)
    auditors = {role for role, actions in AppendOnlyModel.role_actions.items() if AUDIT in actions}
    return PERSONAL_BLIND_ROLE in codes and not (codes & auditors) - {PERSONAL_BLIND_ROLE}


def is_personal_model(model):
    return model is not None and (model._meta.label in PERSONAL_MODELS or model._meta.label in PERSON_MODEL)


def is_personal_field(model, name):
    return f"{model._meta.label}.{name}" in PERSONAL_FIELDS


def model_label(model):
    return capfirst(model._meta.verbose_name) if model is not None else ""


def field_of(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # a field removed since the record was written
        return None


def field_label(model, name):
    field = field_of(model, name)
    return capfirst(str(field.verbose_name)) if field is not None and hasattr(field, "verbose_name") else name


def date_text(value):
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            return value[:10] if len(value) >= 10 and value[4:5] == "-" else value
        value = parsed
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return value


class Display:
    """The records of one page, with what their values name resolved in bulk."""

    def __init__(self, changes, user):
        self.changes = list(changes)
        self.hide = hides_personal(user)
        self.names = {}  # related model -> {pk: text}
        self.actors = {}
        wanted = {}
        for change in self.changes:
            model = change.content_type.model_class()
            for name in change.changed_fields:
                field = field_of(model, name)
                if field is None or not field.is_relation or field.related_model is None:
                    continue
                ids = wanted.setdefault(field.related_model, set())
                for value in ((change.before or {}).get(name), (change.after or {}).get(name)):
                    for pk in value if isinstance(value, list) else [value]:
                        if pk not in (None, ""):
                            ids.add(pk)
        for related, ids in wanted.items():
            if not ids or (self.hide and is_personal_model(related)):
                continue
            # A record's text may name what it points to (a case names its person): read those along.
            along = [f.name for f in related._meta.concrete_fields if f.many_to_one]
            # Only the records the reader may see are named (no answer tells of a record outside the scope).
            manager = related._default_manager
            rows = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
            rows = rows.filter(pk__in=ids).select_related(*along)
            self.names[related] = {str(obj.pk): remask(str(obj)) for obj in rows}
        user_ids = {c.user_id_snapshot for c in self.changes if c.user_id_snapshot}
        if user_ids:
            self.actors = {u.pk: u for u in get_user_model()._base_manager.filter(pk__in=user_ids)}
        for change in self.changes:
            change.shown_diff = self.diff(change)
            change.actor_name = self.actor(change)
            change.shown_object = self.object_text(change)
            change.shown_fields = [
                field_label(change.content_type.model_class(), n) for n in change.changed_fields
            ]
            change.import_job = import_job_of(change.request_id)
            change.import_job_url = import_job_url(change.import_job)

    def actor(self, change):
        user = self.actors.get(change.user_id_snapshot)
        full_name = getattr(user, "full_name", "") if user is not None else ""
        if full_name and change.username:
            return f"{full_name}（{change.username}）"
        return change.username or full_name or change.actor

    def object_text(self, change):
        model = change.content_type.model_class()
        if self.hide and is_personal_model(model):
            return f"{model_label(model)} #{change.object_id}"
        return change.shown_repr

    def diff(self, change):
        """(field label, before, after) per changed field, in Chinese."""
        model = change.content_type.model_class()
        before, after = change.before or {}, change.after or {}
        return [
            (
                field_label(model, name),
                self.value(model, name, before.get(name)),
                self.value(model, name, after.get(name)),
            )
            for name in change.changed_fields
        ]

    def value(self, model, name, value):
        if value in (None, "", []):
            return ""
        if name in getattr(model, "audit_hidden", frozenset()):
            return HIDDEN
        field = field_of(model, name)
        if self.hide and (
            is_personal_field(model, name)
            or (field is not None and field.is_relation and is_personal_model(field.related_model))
        ):
            return PERSONAL_HIDDEN
        if field is None:
            return remask(value)
        if field.is_relation and field.related_model is not None:
            names = self.names.get(field.related_model, {})
            values = value if isinstance(value, list) else [value]
            return "、".join(str(names.get(str(pk), UNNAMED)) for pk in values)
        if field.choices:
            labels = {str(key): label for key, label in field.flatchoices}
            return str(labels.get(str(value), value))
        if isinstance(field, models.BooleanField):
            return gettext("Yes") if value else gettext("No")
        if isinstance(field, models.DateField | models.DateTimeField):
            return date_text(value)
        return remask(value)


def content_type_choices(content_types):
    """Object types grouped by their app's name, each named by its model's name (both translated)."""
    groups = {}
    for content_type in content_types:
        model = content_type.model_class()
        if model is None:
            continue
        app = apps.get_app_config(model._meta.app_label)
        groups.setdefault(str(app.verbose_name), []).append((content_type.pk, str(model_label(model))))
    return [(app, sorted(items, key=lambda item: item[1])) for app, items in sorted(groups.items())]


def object_type_text(label):
    """An access event's object type (``app_label.model``) as the model's name."""
    if not label or "." not in label:
        return label
    try:
        return model_label(apps.get_model(label))
    except (LookupError, ValueError):
        return label


def page_name(path):
    """The page an access event was on: its view's title, or its model's name, or its URL name."""
    if not path:
        return ""
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return path.split("?", 1)[0]
    view = getattr(match.func, "view_class", None) or match.func
    title = getattr(view, "title", "") or getattr(view, "page_title", "")
    if title:
        return capfirst(str(title))
    model = getattr(view, "model", None)
    if model is not None:
        return capfirst(str(model._meta.verbose_name_plural))
    return match.url_name or path
