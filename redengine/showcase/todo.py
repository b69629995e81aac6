"""The showcase on the to-do list (core/todo.py): submitted items waiting for publication in the reviewer's
scope (a district bureau's or the city's administrator: the ``publish`` action), one item per kind.

Each item costs one query whatever the amount of data: the first ``SHOWN`` submitted items, oldest first,
with the number of them counted beside (a window count)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from redengine.activities.todo import SHOWN, first_rows
from redengine.core.todo import Row, Todo, todo

from .models import Lesson, RoleModel, Story
from .rules import PUBLISH, Status


def waiting(reach, model, key, label, url_name):
    user = reach.user
    if not user.can(model, PUBLISH):
        return []
    found = model.objects.visible_to(user, PUBLISH).filter(status=Status.SUBMITTED).select_related("school")
    shown, total = first_rows(found, "submitted_at", "pk")
    if not total:
        return []
    rows = [
        Row(
            str(obj),
            url=obj.get_absolute_url(),
            note=obj.school.name,
            action_label=_("Review"),
            action_url=obj.get_absolute_url(),
        )
        for obj in shown[:SHOWN]
    ]
    return [Todo(key, label, total, reverse(url_name) + "?status=submitted", rows, level="due")]


@todo("showcase.stories_waiting", "waiting", 60)
def stories_waiting(reach):
    return waiting(
        reach,
        Story,
        "showcase.stories_waiting",
        _("Member stories waiting for publication"),
        "showcase:story_list",
    )


@todo("showcase.lessons_waiting", "waiting", 61)
def lessons_waiting(reach):
    return waiting(
        reach,
        Lesson,
        "showcase.lessons_waiting",
        _("Featured lessons waiting for publication"),
        "showcase:lesson_list",
    )


@todo("showcase.role_models_waiting", "waiting", 62)
def role_models_waiting(reach):
    return waiting(
        reach,
        RoleModel,
        "showcase.role_models_waiting",
        _("Role models waiting for publication"),
        "showcase:rolemodel_list",
    )
