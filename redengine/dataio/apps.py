from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataioConfig(AppConfig):
    name = "redengine.dataio"
    label = "dataio"
    verbose_name = _("Excel engine")

    def ready(self):
        from . import exporting  # noqa: F401  (registers the background writer of the import workbook)
