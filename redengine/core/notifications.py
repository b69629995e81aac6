"""In-app notifications (and, where configured, e-mail): each account sees only its own."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mass_mail
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .dbrouting import note_write
from .models import Notification


def notify(messages):
    """Write ``(user, key, title, body, url)`` notifications in bulk; one already written is skipped.

    Returns how many were new. With ``REMINDER_EMAILS`` on, the new ones also go by e-mail to accounts
    that have an address."""
    rows = [
        Notification(user=user, key=key[:120], title=title[:200], body=body, url=url)
        for user, key, title, body, url in messages
    ]
    if not rows:
        return 0
    existing = set(
        Notification.objects.filter(
            user__in={r.user for r in rows}, key__in={r.key for r in rows}
        ).values_list("user_id", "key")
    )
    new = [r for r in rows if (r.user.pk, r.key) not in existing]
    Notification.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    if settings.REMINDER_EMAILS:
        mails = [
            (r.title, f"{r.body}\n{settings.SITE_URL}{r.url}", None, [r.user.email])
            for r in new
            if r.user.email
        ]
        if mails:
            send_mass_mail(mails, fail_silently=True)
    return len(new)


def unread_count(user):
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@login_required
def notification_list(request):
    page = Paginator(Notification.objects.filter(user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notification_list.html",
        {
            "title": _("Notifications"),
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "notifications": page.object_list,
            "breadcrumbs": [(_("Notifications"), None)],
        },
    )


@login_required
@require_POST
def notification_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    note_write()  # the bell and the to-do list then read from the primary (core/dbrouting.py)
    return redirect("notifications")
