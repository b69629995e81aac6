"""Test helpers shared by every app's tests (not imported by the running application)."""

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
