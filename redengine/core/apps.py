from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

# The modules in which an app registers what it adds to the others, each with its registry:
# menu entries (core/menu.py), panels on another app's page (core/panels.py), daily jobs
# (core/daily.py), metrics (core/metrics.py), import sheets (dataio/importer.py) and the entries of
# the personal-information inventory (core/privacy.py), the to-do items of the first page (core/todo.py).
# A lower app never names an upper one.
REGISTERING_MODULES = ("menu", "panels", "daily", "metrics", "imports", "privacy", "todo")


class CoreConfig(AppConfig):
    name = "redengine.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import audit, checks  # noqa: F401  (connects the audit signals, registers checks)

        autodiscover_modules(*REGISTERING_MODULES)
