from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "redengine.people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        from . import services  # noqa: F401  (registers the records that lie with a school)
