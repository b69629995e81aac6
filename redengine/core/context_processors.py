"""What the base layout needs: the menu the user may use, and their roles for the scope switcher."""

from django.conf import settings

from .menu import areas_for
from .notifications import unread_count


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    assignments = user.assignments()
    active = list(user.active_assignments())
    return {
        "unread_notifications": unread_count(user),
        "nav_areas": areas_for(user, request.path),
        "assignments": assignments,
        "active_assignment_id": active[0].pk if len(active) == 1 and len(assignments) > 1 else None,
        "active_assignments": active,
        "idle_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
    }
