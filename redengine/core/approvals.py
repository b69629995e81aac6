"""Exports that need a second person (security.md, pen-test finding 7d).

An export of more than ``EXPORT_APPROVAL_THRESHOLD`` people, or with ID numbers and mobiles in full,
is not produced at once: ``gate`` records an ``ExportRequest`` (who, which list and its filters, how
many rows; never an identifier: a request filtered by an ID number or a mobile is refused) and sends
the requester to the page of export requests. An approver — another account holding a role that may
approve (``ExportRequest.role_actions``) over the requester's place in the tree — approves or rejects
it there; the requester then downloads it once, within ``EXPORT_APPROVAL_VALID``, from the same list
and filters. The file names the exporter and the approver; every step is logged (``APPROVAL``).
Small exports of masked columns stay immediate.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .audit import log_access
from .dbrouting import note_write
from .masking import looks_like_identifier
from .models import AccessEvent, ExportRequest
from .permissions import APPROVE

APPROVED_PARAM = "approved"
NOT_FILTERS = {"export", APPROVED_PARAM, "page"}


def reason_for(rows, *, unmasked=False):
    """Why an export of ``rows`` people needs approval ('' when it does not)."""
    if unmasked:
        return _("ID numbers and mobiles in full")
    if rows > settings.EXPORT_APPROVAL_THRESHOLD:
        return _("more than %(count)d people") % {"count": settings.EXPORT_APPROVAL_THRESHOLD}
    return ""


def filters_of(request):
    """The request's filters, in a stable order, without the export's own parameters."""
    query = QueryDict(mutable=True)
    for key in sorted(request.GET):
        if key not in NOT_FILTERS:
            query.setlist(key, request.GET.getlist(key))
    return query.urlencode()


def holds_identifier(request):
    return any(looks_like_identifier(value) for key in request.GET for value in request.GET.getlist(key))


def gate(request, *, title, model_label, rows, reason):
    """The approved request this download may use (then marked downloaded), or a response: the request
    recorded (or refused) and the requester sent on."""
    user = request.user
    view_name = request.resolver_match.view_name
    query = filters_of(request)
    back = request.path + (f"?{query}" if query else "")
    if APPROVED_PARAM in request.GET:
        pk = request.GET[APPROVED_PARAM]
        approved = (
            ExportRequest.objects.filter(
                pk=pk if pk.isdigit() else None,
                requested_by=user,
                view_name=view_name,
                query=query,
                state=ExportRequest.State.APPROVED,
                decided_at__gte=timezone.now() - settings.EXPORT_APPROVAL_VALID,
            )
            .select_related("approved_by")
            .first()
        )
        if approved is None:
            messages.error(request, _("This export is not approved, was downloaded already or has expired."))
            return redirect(reverse("export_requests"))
        ExportRequest.objects.filter(pk=approved.pk).update(
            state=ExportRequest.State.DOWNLOADED, downloaded_at=timezone.now()
        )
        log_access(
            AccessEvent.Kind.APPROVAL, request=request, obj=model_label, rows=rows, detail="downloaded"
        )
        return approved
    if holds_identifier(request):
        messages.error(
            request,
            _(
                "An export that needs approval cannot be filtered by an ID number or a mobile: "
                "filter by name, school or organization."
            ),
        )
        return redirect(back)
    export = ExportRequest.objects.create(
        requested_by=user,
        title=str(title)[:200],
        view_name=view_name,
        query=query[:500],
        object_type=model_label,
        row_count=rows,
        reason=reason[:200],
        scope_path=user.home_scope_path(),
    )
    log_access(AccessEvent.Kind.APPROVAL, request=request, obj=model_label, rows=rows, detail="requested")
    messages.info(
        request,
        _("This export (%(reason)s) needs a second person's approval. It is waiting on this page.")
        % {"reason": reason},
    )
    return redirect(reverse("export_requests") + f"#request-{export.pk}")


def download_url(export):
    query = export.query + ("&" if export.query else "") + f"export=xlsx&{APPROVED_PARAM}={export.pk}"
    return reverse(export.view_name) + "?" + query


def pending_for(user):
    """The requests ``user`` may decide: pending, within the scope where they may approve, not their own."""
    return (
        ExportRequest.objects.visible_to(user, APPROVE)
        .filter(state=ExportRequest.State.PENDING)
        .exclude(requested_by=user)
        .select_related("requested_by")
    )


@login_required
def export_requests(request):
    """The account's own export requests (with the download once approved), and those it may decide."""
    user = request.user
    valid_since = timezone.now() - settings.EXPORT_APPROVAL_VALID
    own = list(ExportRequest.objects.filter(requested_by=user).select_related("approved_by")[:50])
    for export in own:
        export.download = (
            download_url(export)
            if export.state == ExportRequest.State.APPROVED and export.decided_at >= valid_since
            else None
        )
    return render(
        request,
        "core/export_requests.html",
        {
            "title": _("Export requests"),
            "own": own,
            "pending": list(pending_for(user)[:100]) if user.can(ExportRequest, APPROVE) else [],
            "breadcrumbs": [(_("Export requests"), None)],
        },
    )


@login_required
@require_POST
def export_request_decide(request, pk, decision):  # decision: "approve" or "reject" (urls.py)
    """Approve or reject one pending request: 404 for one outside the scope, the account's own, or decided."""
    user = request.user
    if not user.can(ExportRequest, APPROVE):  # as core/views.py refuse(): 403, logged
        log_access(AccessEvent.Kind.REFUSED, request=request, obj="core.exportrequest", detail=APPROVE)
        return render(request, "403.html", status=403)
    export = get_object_or_404(pending_for(user), pk=pk)
    approve = decision == "approve"
    export.state = ExportRequest.State.APPROVED if approve else ExportRequest.State.REJECTED
    export.approved_by = user
    export.decided_at = timezone.now()
    ExportRequest.objects.filter(pk=export.pk, state=ExportRequest.State.PENDING).update(
        state=export.state, approved_by=user, decided_at=export.decided_at
    )
    note_write()  # the approver's to-do list then reads from the primary (core/dbrouting.py)
    log_access(
        AccessEvent.Kind.APPROVAL,
        request=request,
        obj=export.object_type,
        rows=export.row_count,
        detail=f"{'approved' if approve else 'rejected'} #{export.pk} {export.requested_by.get_username()}",
        scope_path=export.scope_path,
    )
    messages.success(
        request,
        (_("Approved the export %(export)s.") if approve else _("Rejected the export %(export)s."))
        % {"export": export},
    )
    return redirect("export_requests")
