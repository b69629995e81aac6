"""``manage.py load_holidays FILE.csv [...]``: load the holiday calendar of a year (节假日安排).

The sheet has one row a day — 日期 (YYYY-MM-DD), 类型 (放假 | 上班: a weekend day made a working day),
名称, 来源 (the State Council's notice) — and replaces the table of every year it covers. Nothing is loaded
if any row is wrong; the problems name their rows. The tables of 2024–2026 are shipped (``core/holidays``).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from redengine.core import services, workdays
from redengine.core.context import command_actor
from redengine.core.writes import SYSTEM


class Command(BaseCommand):
    help = (
        "Load a year's holiday calendar (a CSV sheet: 日期, 类型 放假|上班, 名称, 来源), replacing that year."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="CSV sheets, UTF-8")

    def handle(self, *args, files=(), **options):
        with translation.override(settings.LANGUAGE_CODE):
            days, problems = [], []
            for name in files:
                try:
                    text = Path(name).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise CommandError(
                        _("Cannot read %(file)s: %(error)s") % {"file": name, "error": exc}
                    ) from exc
                found, wrong = workdays.read_sheet(text)
                days += found
                problems += [f"{name}: {p}" for p in wrong]
            if problems:
                raise CommandError("\n".join(problems))
            with command_actor("load_holidays"):
                years = services.replace_holiday_years(days, by=SYSTEM)
            self.stdout.write(
                _("Holiday calendar loaded for %(years)s (%(count)s days).")
                % {"years": ", ".join(map(str, years)), "count": len(days)}
            )
