"""HTML written in Python where a template would cost too much per item (a list's cells, a select's
options): escaped exactly as Django's templates escape."""

import html

from django.utils.functional import Promise
from django.utils.safestring import SafeData


def escaped(value):
    """``conditional_escape(value)`` as a plain string, without the check for lazy arguments that Django's
    ``escape`` makes at each call (a list page escapes some 500 values)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def attributes(attrs):
    """Django's ``django/forms/widgets/attrs.html``: `` name="value"`` for each, the bare name for True,
    nothing for False; a value that is safe already is not escaped again (``stringformat`` keeps it so)."""
    return "".join(
        f" {escaped(name)}"
        if value is True
        else f' {escaped(name)}="{escaped(value if isinstance(value, SafeData) else str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )
