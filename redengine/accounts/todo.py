"""Accounts on the to-do list (core/todo.py): the administrator change requests waiting for confirmation."""

from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.core.permissions import VIEW
from redengine.core.todo import Todo, todo

from .models import AdminChangeRequest


@todo("accounts.admin_changes", "waiting", 40)
def admin_changes(reach):
    if not reach.user.can(AdminChangeRequest, VIEW):
        return []
    count = AdminChangeRequest.objects.filter(state=AdminChangeRequest.State.PENDING).count()
    return [
        Todo(
            "accounts.admin_changes",
            _("Administrator changes to confirm"),
            count,
            reverse("accounts:admin_change_list"),
        )
    ]
