"""Test helpers shared by every app's tests (not imported by the running application)."""

import contextlib
import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from redengine.accounts.middleware import LAST_ACTIVITY, LOGIN_TIME


def login_client(client: Client, user):
    """Log ``client`` in as ``user``, as the login view would (TOTP verified where the account needs it)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    now = int(time.time())
    session[LOGIN_TIME] = now
    session[LAST_ACTIVITY] = now
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@contextlib.contextmanager
def audit_store_fails():
    """While inside, the database refuses every new change record (a trigger on the audit table), as an
    audit store that fails would: a real failure of the write, not a stand-in for it."""
    from django.db import connection

    from redengine.core.models import ObjectChange

    table = ObjectChange._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER audit_fails BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION audit_fails() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'audit store unavailable'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER audit_fails BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION audit_fails()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER IF EXISTS audit_fails")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS audit_fails ON {table}")
                cursor.execute("DROP FUNCTION IF EXISTS audit_fails()")


def export_with_approval(client, url, approver):
    """Ask for an export that needs a second person (``client`` is the requester's), have the account
    ``approver`` approve it on the page of export requests, and download it: the download's response."""
    from django.urls import reverse

    from redengine.core.approvals import download_url
    from redengine.core.models import ExportRequest

    asked = client.get(url)
    assert asked.status_code == 302, asked
    export = ExportRequest.objects.filter(state=ExportRequest.State.PENDING).latest("id")
    decided = login_client(Client(), approver).post(reverse("export_request_approve", args=[export.pk]))
    assert decided.status_code == 302, decided
    export.refresh_from_db()
    return client.get(download_url(export))


# Kept by an empty installation: what the migrations ship (the working-day calendar, Django's own tables).
SHIPPED_TABLES = {
    "core_holidaycalendarday",
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}


def empty_installation():
    """Delete every record the demo data set made, inside the test's transaction (rolled back with it): the
    database as ``migrate`` leaves it on a fresh installation. Raw deletes, since the audit trail and the
    tree refuse deletion through the models; foreign keys are checked at commit, which never comes."""
    from django.db import connection

    tables = sorted(set(connection.introspection.table_names()) - SHIPPED_TABLES)
    with connection.cursor() as cursor:
        for table in tables:
            if not table.startswith("sqlite_"):
                cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 (table names from the schema)
