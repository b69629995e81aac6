"""Files kept with a record (a step's scans, a meeting's photos): checked by their content, sealed (SM4) for
the database like every personal datum, served only within scope and logged like an export.

An app's attachment model subclasses ``SealedFile`` (its fields; the sealed bytes kept out of the change
records), builds one with ``sealed_file(model, name, content, user, kinds, ...)`` after ``check_file`` and
answers a download with ``download(request, attachment)``.
"""

import hashlib
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import log_access
from .crypto import seal, unseal
from .models import AccessEvent, AuditedModel

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = {  # extension -> (content type, how the file starts)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "mp4": ("video/mp4", (b"ftyp",)),
}
AT_OFFSET = {"mp4": 4}  # where the signature lies when not at the start (an ISO media file's 'ftyp' box)


def check_file(name, content, kinds, refused_kind, max_bytes=MAX_BYTES):
    """The content type of an acceptable file, or a ``ValidationError`` naming what is wrong (in Chinese).
    ``kinds``: the extensions accepted (of ``SIGNATURES``); ``refused_kind``: the message for another kind,
    with ``%(name)s``."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in kinds:
        raise ValidationError(refused_kind % {"name": name})
    if not content:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    if len(content) > max_bytes:
        if max_bytes == MAX_BYTES:
            raise ValidationError(_("%(name)s is larger than 10 MB.") % {"name": name})
        raise ValidationError(
            _("%(name)s is larger than %(size)s MB.") % {"name": name, "size": max_bytes // (1024 * 1024)}
        )
    content_type, signatures = SIGNATURES[extension]
    if not content.startswith(signatures, AT_OFFSET.get(extension, 0)):
        raise ValidationError(
            _("%(name)s is not really a .%(extension)s file.") % {"name": name, "extension": extension}
        )
    return content_type


def sealed_file(model, name, content, user, content_type, **values):
    """A ``model`` record (unsaved) holding ``content`` sealed, with its name, type, size and hash."""
    return model(
        file_name=name[-200:],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=seal(content),
        uploaded_by=user,
        **values,
    )


def download(request, attachment):
    """The file, unsealed, as an attachment; an access-log row of kind export."""
    log_access(AccessEvent.Kind.EXPORT, request=request, obj=attachment, rows=1, detail=attachment.file_name)
    response = HttpResponse(unseal(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attachment.file_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class SealedFile(AuditedModel):
    """The fields of a sealed file; the bytes never enter the change records."""

    file_name = models.CharField(gettext_lazy("file name"), max_length=200)
    content_type = models.CharField(gettext_lazy("file type"), max_length=100)
    size = models.PositiveIntegerField(gettext_lazy("size (bytes)"))
    sha256 = models.CharField(gettext_lazy("SHA-256 of the file"), max_length=64)
    content = models.BinaryField(gettext_lazy("file (encrypted)"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("uploaded by"),
    )
    uploaded_at = models.DateTimeField(gettext_lazy("uploaded at"), auto_now_add=True)

    audit_exclude = frozenset({"content"})

    class Meta:
        abstract = True

    def __str__(self):
        return self.file_name
