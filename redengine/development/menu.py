"""The menu entries of member development (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

AREA, CASE, PLAN = _("Member development"), "development.DevelopmentCase", "development.DevelopmentPlan"
entry(AREA, _("Development cases"), "development:case_list", CASE, "view", 200)
entry(AREA, _("Development calendar"), "development:due", CASE, "view", 210)
entry(AREA, _("Development plans"), "development:plan_list", PLAN, "view", 220)
