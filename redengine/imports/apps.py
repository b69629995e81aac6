from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "redengine.imports"
    label = "imports"
    verbose_name = _("Import jobs")

    def ready(self):
        from django.urls import reverse

        from redengine.core.audit_display import register_import_job_url

        # The change records an import wrote are listed under its job, linked to the job's page.
        register_import_job_url(lambda pk: reverse("imports:job_detail", args=[pk]))
