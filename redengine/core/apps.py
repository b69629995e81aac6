from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "redengine.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import audit, checks  # noqa: F401  (connects the audit signals, registers checks)
