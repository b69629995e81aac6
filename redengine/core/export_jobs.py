"""Exports of more than ``EXPORT_BACKGROUND_ROWS`` rows, written by the background worker.

The list view checks the request as for any export (the role's export action, the filters, a second
person's approval where one is needed), then records an ``ExportJob`` — the list's address and filters,
the role in force, never an identifier — and queues ``write_export`` (``manage.py db_worker``, the same
machinery as the imports). The worker rebuilds the very view, for the requesting account, and writes
its scoped, filtered rows in chunks to a workbook on disk with constant memory; the job's page follows
the rows written and then offers the file. Only the requester may fetch it (any other account gets 404,
as for a job that does not exist); each download is logged as an export. Files are dropped after
``EXPORT_FILE_KEEP`` by the daily job ``core.expire_exports``.

A job of another ``kind`` than a list (the import workbook of ``dataio``, every sheet of the scope) is
written by the writer its app registers with ``writer(kind)``: core does not know the upper apps.
"""

import logging
import os
import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .audit import log_access
from .dbrouting import from_replica, load_roles
from .exports import file_response, write_book
from .models import AccessEvent, ExportJob

logger = logging.getLogger("redengine")


WRITERS = {}


def writer(kind):
    """Register ``function(job, path, progress)`` as the writer of the jobs of ``kind``: it writes the
    requester's file at ``path``, telling ``progress(rows)`` every chunk; (rows written, log detail)."""

    def register(function):
        WRITERS[kind] = function
        return function

    return register


def start(
    request,
    *,
    title,
    file_name,
    rows,
    model=None,
    approval=None,
    query="",
    kind=ExportJob.Kind.LIST,
    object_type="",
    path="",
):
    """Record the job for ``request``'s export of ``rows`` rows, queue it; the job's page to go to.

    ``path`` is the page the export belongs to (the list itself by default)."""
    user = request.user
    job = ExportJob.objects.create(
        user=user,
        kind=kind,
        title=str(title)[:200],
        file_name=file_name[:255],
        path=(path or request.path)[:200],
        query=query,
        assignment_id=getattr(user, "active_assignment_id", None),
        object_type=object_type or model._meta.label_lower,
        approval=approval,
        rows_total=rows,
        scope_path=user.home_scope_path(),
    )
    result = write_export.enqueue(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(task_id=result.id[:64])
    return redirect("export_job", pk=job.pk)


def rebuilt_view(job):
    """The list view of ``job``, set up for its requester with its filters, as the request had it."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = job.path
    request.GET = QueryDict(job.query)
    request.META["REMOTE_ADDR"] = None
    user = job.user
    user.active_assignment_id = job.assignment_id
    request.user = user
    match = resolve(job.path)
    request.resolver_match = match
    view = match.func.view_class(**match.func.view_initkwargs)
    view.setup(request, *match.args, **match.kwargs)
    return view


def requester(job):
    """The job's account with the role in force that the request had."""
    user = job.user
    user.active_assignment_id = job.assignment_id
    return user


@writer(ExportJob.Kind.LIST)
def write_list(job, path, progress):
    view = rebuilt_view(job)
    queryset = view.export_queryset()
    total = queryset.count()  # the rows as they are now
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
    count = write_book(
        path,
        user=job.user,
        title=job.title,
        headers=[c.label for c in view.columns],
        rows=view.export_rows(queryset),
        approval=job.approval,
        progress=progress,
    )
    return count, ""


@task()
def write_export(job_id):
    """Write the job's rows to its workbook, reporting the rows written; the job's state at the end."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    if not claimed:
        return "not queued"
    job = ExportJob.objects.select_related("user", "approval__approved_by").get(pk=job_id)
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="export-")
    os.close(handle)
    load_roles(job.user)  # the requester's roles from the primary; the rows from the replica once it holds
    try:  # the job (so everything the requester wrote before asking); the job's row on the primary
        with from_replica(after=job):
            count, detail = WRITERS[job.kind](
                job, path, lambda done: ExportJob.objects.filter(pk=job.pk).update(rows_written=done)
            )
        with open(path, "rb") as written:
            content = written.read()
    except Exception:
        logger.exception("background export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, finished_at=timezone.now())
        return ExportJob.Status.FAILED
    finally:
        os.unlink(path)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        content=content,
        size=len(content),
        rows_written=count,
        rows_total=count,
        detail=detail[:200],
        finished_at=timezone.now(),
    )
    return ExportJob.Status.DONE


def own_job(request, pk):
    """The account's own job (without its file): any other answers 404, as one that does not exist."""
    return get_object_or_404(ExportJob.objects.defer("content"), pk=pk, user=request.user)


def expires_at(job):
    return (job.finished_at or job.created_at) + settings.EXPORT_FILE_KEEP


@login_required
def export_job(request, pk):
    job = own_job(request, pk)
    if job.status == ExportJob.Status.DONE and expires_at(job) < timezone.now():
        job.status = ExportJob.Status.EXPIRED  # the daily job drops the file later today
    return render(
        request,
        "core/export_job.html",
        {
            "title": _("Export: %(title)s") % {"title": job.title},
            "job": job,
            "expires_at": expires_at(job),
            "back": job.path + (f"?{job.query}" if job.query else ""),
            "breadcrumbs": [(_("Export: %(title)s") % {"title": job.title}, None)],
        },
    )


@login_required
def export_job_progress(request, pk):
    """The progress block, polled by the job's page; once the job is over, the page reloads."""
    job = own_job(request, pk)
    if not job.is_running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "core/export_job_progress.html", {"job": job})


@login_required
def export_job_download(request, pk):
    """The file, to its requester only, while it is kept; logged as an export with its rows."""
    job = own_job(request, pk)
    if job.status != ExportJob.Status.DONE or expires_at(job) < timezone.now():
        return redirect("export_job", pk=job.pk)
    content = ExportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
    ExportJob.objects.filter(pk=job.pk).update(downloaded_at=timezone.now())
    log_access(
        AccessEvent.Kind.EXPORT,
        request=request,
        obj=job.object_type,
        rows=job.rows_written,
        detail=(
            (job.detail or f"{job.path}?{job.query}")[:400]
            + f" background #{job.pk}"
            + (f" approved #{job.approval_id}" if job.approval_id else "")
        ),
    )
    return file_response(bytes(content), job.file_name, f"{job.object_type.rsplit('.', 1)[-1]}-{job.pk}.xlsx")


def expire(now=None):
    """Drop the files of the jobs older than ``EXPORT_FILE_KEEP`` (and of those left running a day longer)."""
    now = now or timezone.now()
    cutoff = now - settings.EXPORT_FILE_KEEP
    finished = ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff)
    stale = ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING, ExportJob.Status.FAILED],
        created_at__lt=cutoff - settings.EXPORT_FILE_KEEP,
    )
    count = finished.update(status=ExportJob.Status.EXPIRED, content=None, size=0)
    count += stale.update(status=ExportJob.Status.EXPIRED, content=None, size=0)
    return count
