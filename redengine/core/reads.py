"""Reads of personal data, accounted (security.md, pen-test finding 7).

Every list page, detail page, export and API answer of a model declared personal (``core/privacy.py``
``PERSONAL_MODELS``) calls ``account_read`` once: one access-log row (``AccessEvent.Kind.READ``: the
object type and the rows read), and the distinct people read by the account in the current window
merged into that account's ``PersonalReadWindow`` row (one row per account and window, updated in
place: never a row per person). When an account has read more than ``BULK_READ_ALERT_PEOPLE`` distinct
people in a window, the security and audit administrators are notified and a ``VOLUME_ALERT`` row is
written, once per account and window; the window's people are then dropped (its count is kept), so that
the row stays below the threshold's size. A bounded number of queries per request, whatever the rows.
"""

import datetime

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .audit import log_access
from .models import AccessEvent, PersonalReadWindow
from .notifications import notify
from .privacy import PERSON_MODEL, PERSONAL_MODELS

ALERTED_ROLES = ("sec_admin", "audit_admin")
_PATHS = {}


def is_personal(model):
    return model is not None and model._meta.label in PERSONAL_MODELS


def person_path(model):
    """The lookup from ``model`` to the person it describes ("pk", "person", "case__person"…), or None:
    found once per model by following its foreign keys (three steps at most)."""
    if model in _PATHS:
        return _PATHS[model]
    if not PERSON_MODEL:
        return None
    person = apps.get_model(PERSON_MODEL[0])
    found, frontier = None, [(model, "")]
    if model is person:
        found = "pk"
    for _depth in range(3):
        if found:
            break
        following = []
        for current, prefix in frontier:
            relations = [f for f in current._meta.concrete_fields if f.many_to_one]
            relations.sort(key=lambda f: f.name != "person")  # the record's own person first
            for field in relations:
                if field.related_model is person:
                    found = f"{prefix}{field.name}"
                    break
                following.append((field.related_model, f"{prefix}{field.name}__"))
            if found:
                break
        frontier = following
    _PATHS[model] = found
    return found


def people_of(model, objects=None, queryset=None):
    """The distinct ids of the people ``objects`` (or every row of ``queryset``) describe: read from the
    objects where they hold it, else with one query."""
    path = person_path(model)
    if path is None:
        return set()
    if queryset is None:
        objects = list(objects or ())
        if path == "pk":
            return {obj.pk for obj in objects}
        if "__" not in path:
            return {getattr(obj, f"{path}_id") for obj in objects} - {None}
        if not objects:
            return set()
        queryset = model._default_manager.filter(pk__in=[obj.pk for obj in objects])
    return set(queryset.order_by().values_list(path, flat=True).distinct()) - {None}


def window_start(now=None):
    """The start of the fixed window ``now`` lies in (windows of ``BULK_READ_ALERT_WINDOW`` from the epoch)."""
    now = now or timezone.now()
    size = int(settings.BULK_READ_ALERT_WINDOW.total_seconds())
    seconds = int(now.timestamp()) // size * size
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def account_read(request, model, objects=None, *, queryset=None, rows=None, detail=""):
    """Log one read of personal data by the request's account and count the people it read."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or not is_personal(model):
        return None
    people = people_of(model, objects, queryset)
    if rows is None:
        rows = len(objects) if objects is not None else len(people)
    log_access(AccessEvent.Kind.READ, request=request, obj=model._meta.label_lower, rows=rows, detail=detail)
    return count_people(request, user, people)


def count_people(request, user, people):
    """Merge ``people`` into the account's window row (an insert that may do nothing, a select and an
    update); alert once past the threshold. Returns the window row."""
    start = window_start()
    # The same three statements every time: make the row if it is not there, lock it, update it.
    PersonalReadWindow.objects.bulk_create(
        [PersonalReadWindow(user=user, window_start=start)], ignore_conflicts=True
    )
    window = PersonalReadWindow.objects.select_for_update().get(user=user, window_start=start)
    window.requests += 1
    fields = ["requests"]
    if window.alerted_at is None:
        new = people.difference(window.people)
        if new:
            window.people = sorted(new.union(window.people))
            window.people_count = len(window.people)
            fields += ["people", "people_count"]
        if window.people_count > settings.BULK_READ_ALERT_PEOPLE:
            # Alerted once: the window's people are no longer needed (the count says how many were read
            # when the alert was raised); the row stays small whatever the account reads after.
            window.alerted_at = timezone.now()
            alert(request, user, window)
            window.people = []
            fields += ["alerted_at", "people"]
    PersonalReadWindow.objects.filter(pk=window.pk).update(**{name: getattr(window, name) for name in fields})
    return window


def alert(request, user, window):
    """Tell the security and audit administrators that ``user`` read many people; log it."""
    minutes = int(settings.BULK_READ_ALERT_WINDOW.total_seconds() // 60)
    log_access(
        AccessEvent.Kind.VOLUME_ALERT,
        request=request,
        user=user,
        rows=window.people_count,
        detail=_("%(count)d people read within %(minutes)d minutes")
        % {"count": window.people_count, "minutes": minutes},
    )
    admins = (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role__in=ALERTED_ROLES)
        .exclude(pk=user.pk)
        .distinct()
    )
    title = _("Bulk read of personal data by %(user)s") % {"user": user}
    body = _(
        "%(user)s read the records of %(count)d people within %(minutes)d minutes (from %(start)s); "
        "the access log has each request."
    ) % {
        "user": user,
        "count": window.people_count,
        "minutes": minutes,
        "start": timezone.localtime(window.window_start).strftime("%Y-%m-%d %H:%M"),
    }
    url = reverse("audit_access") + "?" + urlencode({"username": user.get_username(), "kind": "read"})
    key = f"volume-alert-{user.pk}-{int(window.window_start.timestamp())}"
    notify([(admin, key, title, body, url) for admin in admins])
