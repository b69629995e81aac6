"""The menu entries of dual cultivation (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

AREA, MENTORSHIP = _("Dual cultivation"), "cultivation.Mentorship"
entry(AREA, _("Dual cultivation overview"), "cultivation:overview", MENTORSHIP, "view", 240)
entry(
    AREA,
    _("Backbone teachers who are not members"),
    "cultivation:watch_backbone",
    "people.Person",
    "view",
    241,
)
entry(AREA, _("Young members to cultivate"), "cultivation:watch_members", "people.Person", "view", 242)
entry(AREA, _("Mentorships"), "cultivation:mentorship_list", MENTORSHIP, "view", 243)
entry(AREA, _("Contests"), "cultivation:contest_list", "cultivation.Contest", "view", 244)
entry(AREA, _("Contest prizes"), "cultivation:contestentry_list", "cultivation.ContestEntry", "view", 245)
entry(AREA, _("Speaking"), "cultivation:engagement_list", "cultivation.Engagement", "view", 246)
