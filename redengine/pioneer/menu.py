"""The menu entries of pioneer units (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

AREA, UNIT = _("Pioneer units"), "pioneer.PioneerUnit"
entry(AREA, _("Pioneer units overview"), "pioneer:overview", UNIT, "view", 250)
entry(AREA, _("Model posts, classes and volunteer teams"), "pioneer:pioneerunit_list", UNIT, "view", 251)
entry(AREA, _("Volunteer service"), "pioneer:servicelog_list", "pioneer.ServiceLog", "view", 252)
