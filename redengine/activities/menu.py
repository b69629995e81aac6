"""The menu entries of organizational life (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

AREA, MEETING = _("Organizational life"), "activities.Meeting"
entry(AREA, _("Record a meeting"), "activities:meeting_add", MEETING, "add", 230)
entry(AREA, _("Organizational life calendar"), "activities:calendar", MEETING, "view", 231)
entry(AREA, _("Meetings"), "activities:meeting_list", MEETING, "view", 232)
entry(AREA, _("Organizational life compliance"), "activities:compliance", MEETING, "view", 233)
