"""manage.py import_workbook FILE [--user USERNAME] [--dry-run]: import a workbook of the import template."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from redengine.accounts.models import User
from redengine.core.context import command_actor
from redengine.dataio import importer
from redengine.dataio.errors import CellIssue, format_issue
from redengine.imports import services
from redengine.imports.models import ImportJob

BAR_WIDTH = 30


class ProgressBar:
    """A text progress bar on stderr: rows checked, then rows written."""

    def __init__(self, stream, enabled=True):
        self.stream, self.enabled, self.shown = stream, enabled, {}

    def __call__(self, phase, done, total):
        if not self.enabled or not total:
            return
        percent = min(100, 100 * done // total)
        if self.shown.get(phase) == percent:
            return
        self.shown[phase] = percent
        filled = BAR_WIDTH * percent // 100
        label = _("checked") if phase == "validate" else _("written")
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stream.write(f"\r{label} [{bar}] {done}/{total}", ending="\n" if done >= total else "")
        self.stream.flush()


def line_text(line):
    issue = CellIssue(
        line["sheet"], line["row"], line["column"] or None, line["value"], line["reason"], line["level"]
    )
    return format_issue(issue)


class Command(BaseCommand):
    help = (
        "Import a workbook of the import template (sheets 学校, 党组织, 人员, 称号, 发展环节). Every row is checked "
        "first; if any row has an error, every error is printed, nothing is written and the command exits "
        "with status 1. Without --user the import acts for the whole tree and the audit trail names the command."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--user", help="import as this account, within its scope")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and show what would change; write nothing"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            return self.run(options)

    def run(self, options):
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("No active account %(user)s.") % {"user": options["user"]})
            if not importer.may_import(user):
                raise CommandError(_("The account %(user)s may not import.") % {"user": user.username})
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        with open(path, "rb") as fileobj:
            content = services.read_limited(fileobj)
        bar = ProgressBar(self.stderr, enabled=not options["no_progress"])
        with command_actor("import_workbook", user=user), transaction.atomic():
            job = services.start_job(
                content=content,
                file_name=os.path.basename(path),
                user=user,
                actor="manage.py import_workbook",
            )
            validation, ctx = services.check(job, content, user=user, relay=bar)
            if job.status == ImportJob.Status.VALIDATED:
                if options["dry_run"]:
                    services.cancel(job)
                else:
                    services.write(job, validation, ctx)
        for line in job.errors:
            self.stderr.write(line_text(line))
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(
                _("The workbook was refused: %(count)s errors. Nothing was written.")
                % {"count": job.error_count}
            )
        self.print_counts(job)
        if job.status == ImportJob.Status.NO_CHANGE:
            self.stdout.write(_("Nothing to write: the database already holds every row of the file."))
        elif job.status == ImportJob.Status.CANCELLED:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(_("Imported: %(count)s rows written.") % {"count": job.rows_written})

    def print_counts(self, job):
        self.stdout.write(_("Sheet\tnew\tchanged\tunchanged"))
        for name, counts in job.counts.items():
            self.stdout.write(f"{name}\t{counts['new']}\t{counts['changed']}\t{counts['unchanged']}")
