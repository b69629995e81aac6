"""The showcase in the personal-information inventory (core/privacy.py; PIPL art. 51).

A role model is a student, a minor: the name, grade, deed and honour are kept to be shown once published
(every account of the system reads a published item: the point of a showcase), nothing more; the consent to
a photo names the parent or guardian who gave it. A story names members, a lesson its teacher: records
about them, kept for the party building's showcase."""

from django.utils.translation import gettext_lazy as _

from redengine.core.privacy import GENERAL, SENSITIVE, Entry, declare
from redengine.people.privacy import WHILE_EMPLOYED

MINOR = Entry(
    _("a student named a moral model, shown in the showcase once published (a minor: the minimum)"),
    SENSITIVE,
    _("while the honour is shown; removed on request of the guardian"),
)
CONSENT = Entry(
    _("the guardian's consent to a role model's photo"),
    GENERAL,
    _("as long as the photo is kept"),
)
SHOWN = Entry(_("members and teachers shown in the showcase"), GENERAL, WHILE_EMPLOYED)

declare(
    "showcase.RoleModel",
    {
        **dict.fromkeys(["name", "grade", "deed", "honour", "named_on"], MINOR),
        **dict.fromkeys(["consent_by", "consent_relation", "consent_on"], CONSENT),
    },
    ["id", "school", "status", "submitted_at", "published_on", "withdrawn_on"],
)
declare(
    "showcase.RoleModelPhoto",
    {"content": MINOR},
    ["id", "role_model", "file_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"],
)
declare("showcase.Story", {"members": SHOWN}, ["school"], every_field=False)
declare("showcase.Lesson", {"teacher": SHOWN}, ["school"], every_field=False)
