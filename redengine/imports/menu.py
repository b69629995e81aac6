"""The menu entry of the import pages (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

entry(_("Registry"), _("Data import"), "imports:import", "orgs.School", "add", 190)
