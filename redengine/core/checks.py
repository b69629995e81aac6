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


@register(Tags.security)
def crypto_provider_works(app_configs=None, **kwargs):
    """The personal-data provider loads and its keys work: found at start-up, not at the first save."""
    from .crypto import get_provider

    try:
        provider = get_provider()
        token = provider.encrypt("check")
        if provider.decrypt(token) != "check" or not provider.blind_index("check"):
            raise ValueError("the provider does not round-trip")
    except Exception as exc:  # noqa: BLE001 — any failure here is a configuration error to report
        return [
            Error(
                f"The personal-data crypto provider does not work: {exc}",
                hint="Check CRYPTO_PROVIDER, PERSONAL_DATA_KEY (32 hex digits) and BLIND_INDEX_KEY.",
                id="redengine.E002",
            )
        ]
    return []
