"""数据导入: the template, the upload with its check, the preview and its confirmation, the jobs, and the
export of the user's scope as an import workbook."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from redengine.core import approvals, export_jobs
from redengine.core.audit import log_access
from redengine.core.exports import export_filename, file_response, scope_name, stamp_text
from redengine.core.forms import StyledFormMixin
from redengine.core.models import AccessEvent, ExportJob
from redengine.core.reads import account_read
from redengine.core.views import refuse
from redengine.dataio import importer
from redengine.dataio.exporting import export_workbook, exportable, workbook_detail, workbook_rows
from redengine.dataio.template import build_template
from redengine.people.models import Person

from . import progress, services, tasks
from .models import ImportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook (.xlsx)"),
        help_text=gettext_lazy("At most 20 MB. Every row is checked before anything is written."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


def xlsx(content, filename):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ImportAccessMixin(LoginRequiredMixin):
    """Whoever may add or change a record that an import writes; each row is then held to the scope."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not importer.may_import(request.user):
            return refuse(request, ImportJob, "add")
        return super().dispatch(request, *args, **kwargs)


class JobAccessMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.can(ImportJob, "view"):
            return refuse(request, ImportJob, "view")
        return super().dispatch(request, *args, **kwargs)

    def jobs(self):
        return ImportJob.objects.visible_to(self.request.user, "view").defer("content")


class ImportView(ImportAccessMixin, View):
    """The 数据导入 page: template, export, upload, the latest jobs."""

    def get(self, request):
        return self.page(UploadForm())

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form)
        upload = form.cleaned_data["file"]
        content = services.read_limited(upload)
        job = services.start_job(
            content=content, file_name=upload.name, user=request.user, actor="web", keep=True
        )
        tasks.start(job, tasks.check_upload)  # runs once this request is committed; the page follows it
        return redirect(job)

    def page(self, form):
        user = self.request.user
        jobs = ImportJob.objects.visible_to(user, "view").defer("content", "errors")[:10]
        return render(
            self.request,
            "imports/import.html",
            {
                "title": _("Data import"),
                "form": form,
                "jobs": jobs,
                "sheets": importer.importers(),
                "can_export": bool(exportable(user)),
                "breadcrumbs": [(_("Data import"), None)],
            },
        )


class TemplateView(ImportAccessMixin, View):
    """The blank workbook, with drop-downs; the codes of the user's schools and organizations as lists."""

    def get(self, request):
        code_lists = {}
        for sheet in importer.importers():
            code_lists.update(sheet.code_lists(request.user))
        content = build_template(importer.sheets(), code_lists)
        return xlsx(content, "redengine-import-template.xlsx")


class ExportView(LoginRequiredMixin, View):
    """The user's scope as an import workbook; ID numbers and mobiles in full only where the user may reveal.

    A workbook of more than ``EXPORT_BACKGROUND_ROWS`` rows is written by the background worker (a job of
    kind ``workbook``): its page follows the rows written, then offers the file to the requester alone."""

    def get(self, request):
        user = request.user
        if not exportable(user):
            return refuse(request, ImportJob, "export")
        people = Person.objects.visible_to(user, "export")
        count = people.count()
        unmasked = Person.objects.visible_to(user, "reveal").exists()
        approval = None
        reason = approvals.reason_for(count, unmasked=unmasked)
        if reason:  # a second person approves it first (core/approvals.py)
            outcome = approvals.gate(
                request,
                title=_("Import workbook"),
                model_label="dataio.importworkbook",
                rows=count,
                reason=reason,
            )
            if isinstance(outcome, HttpResponse):
                return outcome
            approval = outcome
        account_read(request, Person, queryset=people, rows=count, detail="import workbook")
        name = export_filename(_("Import workbook"), scope_name(user))
        total = workbook_rows(user)
        if total > settings.EXPORT_BACKGROUND_ROWS:
            return export_jobs.start(
                request,
                title=_("Import workbook"),
                file_name=name,
                rows=min(total, 2**31 - 1),
                approval=approval,
                kind=ExportJob.Kind.WORKBOOK,
                object_type="dataio.importworkbook",
                path=reverse("imports:import"),
            )
        content, rows, revealed = export_workbook(user, stamp=stamp_text(user, approval))
        log_access(
            AccessEvent.Kind.EXPORT,
            request=request,
            obj="dataio.importworkbook",
            rows=rows,
            detail=workbook_detail(revealed),
        )
        return file_response(content, name, f"redengine-export-{timezone.localdate().isoformat()}.xlsx")


def job_progress(job):
    """Rows checked and written so far: live from the progress board while the job runs, else its row."""
    live = progress.read(job.pk) if job.is_running else {}
    figures = {
        name: max(getattr(job, name), live.get(name, 0))
        for name in ("rows_validated", "rows_total", "rows_written", "writes_total")
    }
    if job.status == ImportJob.Status.WRITING and live.get("phase") != "write":
        figures["rows_written"] = 0  # being checked again before the write
    written = (
        figures["rows_written"] if job.status in (ImportJob.Status.WRITING, ImportJob.Status.IMPORTED) else 0
    )
    return {
        **figures,
        "rows_written": written,
        "validated_percent": job.percent(figures["rows_validated"], figures["rows_total"]),
        "written_percent": job.percent(written, figures["writes_total"]) if written else 0,
        "phase": live.get("phase", ""),
        "queued": job.is_running and not live,  # no worker has taken it yet
    }


class JobProgressView(JobAccessMixin, View):
    """The progress block of a running job, polled by its page; once the job is over, the page reloads."""

    def get(self, request, pk):
        job = get_object_or_404(self.jobs(), pk=pk)
        if not job.is_running:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "imports/job_progress.html", {"job": job, "progress": job_progress(job)})


class JobDetailView(JobAccessMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(self.jobs(), pk=pk)
        counts = [
            (sheet.sheet.name, job.counts[sheet.sheet.name])
            for sheet in importer.importers()
            if sheet.sheet.name in job.counts
        ]
        lines = services.visible_lines(job, request.user)
        return render(
            request,
            "imports/job_detail.html",
            {
                "title": _("Import of %(file)s") % {"file": job.file_name},
                "job": job,
                "progress": job_progress(job),
                "counts": counts,
                "errors": [line for line in lines if line["level"] == "error"],
                "warnings": [line for line in lines if line["level"] != "error"],
                "shown_all": job.error_count + job.warning_count <= len(lines),
                "can_confirm": job.status == ImportJob.Status.VALIDATED and job.user_id == request.user.pk,
                "earlier": self.jobs()
                .filter(sha256=job.sha256, status=ImportJob.Status.IMPORTED, created_at__lt=job.created_at)
                .defer("errors")
                .first(),
                "breadcrumbs": [(_("Data import"), reverse("imports:import")), (job.file_name, None)],
            },
        )


class JobConfirmView(ImportAccessMixin, View):
    """Write a checked upload: its stored file is read and checked again first."""

    def post(self, request, pk):
        jobs = ImportJob.objects.visible_to(
            request.user, "view"
        ).select_for_update()  # one confirmation at a time
        job = get_object_or_404(jobs, pk=pk, user=request.user)
        if job.status != ImportJob.Status.VALIDATED:
            messages.error(request, _("This import is not awaiting confirmation."))
            return redirect(job)
        services.begin_write(job)
        tasks.start(job, tasks.write_upload)  # runs once this request is committed; the page follows it
        job.refresh_from_db()
        if job.status == ImportJob.Status.WRITING:
            messages.info(request, _("Confirmed: the file is checked once more, then written."))
        elif job.status == ImportJob.Status.IMPORTED:
            messages.success(request, _("Imported: %(count)s rows written.") % {"count": job.rows_written})
        elif job.status == ImportJob.Status.NO_CHANGE:
            messages.info(request, _("Nothing to write: the database already holds every row of the file."))
        else:
            messages.error(request, _("The file no longer passes the checks; nothing was written."))
        return redirect(job)


class JobCancelView(ImportAccessMixin, View):
    def post(self, request, pk):
        job = get_object_or_404(ImportJob.objects.visible_to(request.user, "view"), pk=pk, user=request.user)
        if job.status == ImportJob.Status.VALIDATED:
            services.cancel(job)
            messages.info(request, _("The import was cancelled; nothing was written."))
        return redirect(job)


class JobListView(JobAccessMixin, View):
    def get(self, request):
        jobs = self.jobs().defer("content", "errors")
        status = request.GET.get("status")
        if status in ImportJob.Status.values:  # e.g. the checked ones awaiting confirmation (the to-do list)
            jobs = jobs.filter(status=status)
        page = Paginator(jobs, 25).get_page(request.GET.get("page"))
        return render(
            request,
            "imports/job_list.html",
            {
                "title": _("Import jobs"),
                "page_obj": page,
                "paginator": page.paginator,
                "is_paginated": page.has_other_pages(),
                "jobs": page.object_list,
                "breadcrumbs": [(_("Data import"), reverse("imports:import")), (_("Import jobs"), None)],
            },
        )
