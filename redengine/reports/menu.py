"""The menu entries of the reports (core/menu.py); the dashboard has its own link in the top bar."""

from django.utils.translation import gettext_lazy as _

from redengine.core.menu import entry

entry(_("Reports"), _("Coverage analysis"), "reports:coverage", "orgs.School", "view", 300)
