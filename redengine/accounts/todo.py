"""Accounts on the to-do list (core/todo.py): the administrator change requests this account may confirm
(三员分立: another person, another technical role, not the account concerned). One query."""

from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.core.permissions import VIEW
from redengine.core.todo import Todo, todo

from .models import AdminChangeRequest
from .services import may_confirm


@todo("accounts.admin_changes", "waiting", 40)
def admin_changes(reach):
    user = reach.user
    if not user.can(AdminChangeRequest, VIEW):
        return []
    pending = AdminChangeRequest.objects.filter(state=AdminChangeRequest.State.PENDING).only(
        "state", "requested_by_id", "target_id", "requested_role"
    )
    count = sum(may_confirm(change, user) for change in pending)
    return [
        Todo(
            "accounts.admin_changes",
            _("Administrator changes to confirm"),
            count,
            reverse("accounts:admin_change_list"),
        )
    ]
