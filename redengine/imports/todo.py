"""Imports on the to-do list (core/todo.py): the checked workbooks awaiting confirmation in the scope."""

from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.core.todo import Todo, todo

from .models import ImportJob


@todo("imports.validated", "waiting", 30)
def awaiting_confirmation(reach):
    if not reach.user.can(ImportJob, "view"):
        return []
    jobs = ImportJob.objects.visible_to(reach.user).filter(status=ImportJob.Status.VALIDATED)
    count = jobs.count()
    if not count:
        return []
    return [
        Todo(
            "imports.validated",
            _("Imports awaiting confirmation"),
            count,
            reverse("imports:job_list") + "?status=validated",
        )
    ]
