"""Scanned documents of a step: checked by type and size, sealed (SM4) for the database (core/files.py)."""

from django.utils.translation import gettext as _

from redengine.core.files import MAX_BYTES, SIGNATURES, check_file, sealed_file

from ..models import EventAttachment

ATTACHMENT_MAX_BYTES = MAX_BYTES
ATTACHMENT_KINDS = {kind: SIGNATURES[kind] for kind in ("pdf", "jpg", "jpeg", "png", "docx")}


def check_attachment(name, content):
    """The content type of an acceptable scan, or a ValidationError naming what is wrong (in Chinese)."""
    return check_file(
        name,
        content,
        ATTACHMENT_KINDS,
        _("%(name)s: only PDF, JPEG, PNG and Word (.docx) files are accepted."),
    )


def make_attachment(event, name, content, user):
    """A scan of a step, sealed (SM4) for the database."""
    return sealed_file(EventAttachment, name, content, user, check_attachment(name, content), event=event)
