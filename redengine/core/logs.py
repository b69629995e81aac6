"""The logging filter that masks identifiers: no whole ID number or mobile reaches a log (security-goals:
Privacy; the request line of a search, an export or a failing request may hold one).

``settings.LOGGING`` puts it on every handler (the server log and the request log), so that it applies to
each record whichever logger made it. The record's message is formatted, masked and kept as its message;
an exception's text is masked the same way.
"""

import logging

from .masking import mask_personal


class MaskIdentifiers(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        masked = mask_personal(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal(record.exc_text)
        return True
