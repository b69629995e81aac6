"""Who is acting now: the request (or command) behind every write, for the audit trail."""

import contextlib
import contextvars
import uuid
from dataclasses import dataclass, field


@dataclass
class Actor:
    """The origin of the writes in progress: a web request, an API call or a management command."""

    label: str = ""
    request: object = None
    user: object = None
    ip_address: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def current_user(self):
        user = self.user
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_current = contextvars.ContextVar("redengine_actor", default=None)


def current_actor() -> Actor:
    return _current.get() or Actor(label="system")


@contextlib.contextmanager
def acting(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def command_actor(name, user=None):
    """The actor for a management command: the command's name, and the user it acts for if any."""
    return acting(Actor(label=f"manage.py {name}", user=user))


def client_ip(request):
    return request.META.get("REMOTE_ADDR") or None
