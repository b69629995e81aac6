"""Scanned documents of a step: checked by type and size, sealed (SM4) for the database."""

import hashlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from redengine.core.crypto import seal

from ..models import (
    EventAttachment,
)

# Scans ----------------------------------------------------------------------------------------------
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_KINDS = {  # extension -> (content type, how the file starts)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
}


def check_attachment(name, content):
    """The content type of an acceptable scan, or a ValidationError naming what is wrong (in Chinese)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_KINDS:
        raise ValidationError(
            _("%(name)s: only PDF, JPEG, PNG and Word (.docx) files are accepted.") % {"name": name}
        )
    if not content:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    if len(content) > ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("%(name)s is larger than 10 MB.") % {"name": name})
    content_type, signatures = ATTACHMENT_KINDS[extension]
    if not content.startswith(signatures):
        raise ValidationError(
            _("%(name)s is not really a .%(extension)s file.") % {"name": name, "extension": extension}
        )
    return content_type


def make_attachment(event, name, content, user):
    """A scan of a step, sealed (SM4) for the database."""
    return EventAttachment(
        event=event,
        file_name=name[-200:],
        content_type=check_attachment(name, content),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=seal(content),
        uploaded_by=user,
    )
