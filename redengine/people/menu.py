"""The menu entries of the people's records (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

REGISTRY, REPORTS = _("Registry"), _("Reports")
entry(REGISTRY, _("People"), "people:person_list", "people.Person", "view", 130)
entry(REGISTRY, _("Titles"), "people:honor_list", "people.Honor", "view", 140)
entry(REGISTRY, _("Dispatches to private schools"), "people:dispatch_list", "people.Dispatch", "view", 150)
entry(REGISTRY, _("Guidance records"), "people:guidance_list", "people.GuidanceRecord", "view", 155)
entry(REPORTS, _("Record completeness"), "people:completeness", "people.Person", "view", 310)
