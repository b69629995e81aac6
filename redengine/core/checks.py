"""System checks: no superuser account in production (MLPS level 3: three separate administrators)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security)
def no_superuser(app_configs=None, **kwargs):
    if not getattr(settings, "PRODUCTION", False):
        return []
    from django.contrib.auth import get_user_model

    try:
        names = list(
            get_user_model().objects.filter(is_superuser=True).values_list("username", flat=True)[:5]
        )
    except DatabaseError:
        return []  # not migrated yet: nothing to check
    if not names:
        return []
    return [
        Error(
            f"Superuser accounts exist: {', '.join(names)}.",
            hint="Production keeps three separate administrators; create them with `manage.py createadmin` "
            "and remove is_superuser from these accounts.",
            id="redengine.E001",
        )
    ]
