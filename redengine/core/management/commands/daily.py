"""``manage.py daily [--date YYYY-MM-DD] [--only NAME]``: run the daily jobs of every app."""

import datetime
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from redengine.core.context import command_actor
from redengine.core.daily import REGISTRY


class Command(BaseCommand):
    help = "Run the daily jobs (reminders, clean-up) of every app; each in its own transaction."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for (YYYY-MM-DD); today by default")
        parser.add_argument("--only", action="append", default=[], help="run only this job (repeatable)")

    def handle(self, *args, date=None, only=(), **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(_("Not a date: %(value)s") % {"value": date}) from exc
        jobs = REGISTRY
        unknown = sorted(set(only) - set(jobs))
        if unknown:
            raise CommandError(_("No daily job %(names)s.") % {"names": ", ".join(unknown)})
        failed = []
        with translation.override(settings.LANGUAGE_CODE):
            for name, job in sorted(jobs.items()):
                if only and name not in only:
                    continue
                try:
                    with command_actor("daily"), transaction.atomic():
                        said = job(today)
                except Exception as exc:  # one job's failure does not stop the others
                    failed.append(name)
                    self.stderr.write(f"{name}: {exc.__class__.__name__}: {exc}")
                    continue
                self.stdout.write(f"{name}: {said}")
        if failed:
            sys.exit(1)
