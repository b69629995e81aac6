"""Print every registered metric for a scope and a period: ``manage.py metrics --scope CODE --year Y --json``."""

import json

from django.core.management.base import BaseCommand, CommandError

from redengine.core.metrics import REGISTRY, Period, compute_all
from redengine.orgs.models import PartyOrganization


class Command(BaseCommand):
    help = (
        "Compute the named figures of metrics.md for an organization's subtree and a year or span of years."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scope", help="organization code (default: the root of the tree)")
        parser.add_argument("--year", type=int)
        parser.add_argument("--from", type=int, dest="first")
        parser.add_argument("--to", type=int, dest="last")
        parser.add_argument("--metric", action="append", dest="names", help="only this metric (repeatable)")
        parser.add_argument("--json", action="store_true", help="one JSON object, as metrics.md fixes it")

    def handle(self, *args, scope, year, first, last, names, **options):
        org = (
            PartyOrganization.objects.filter(code=scope).first()
            if scope
            else PartyOrganization.objects.filter(depth=1).first()
        )
        if org is None:
            raise CommandError(f"No organization has the code {scope!r}." if scope else "The tree is empty.")
        try:
            period = Period.of(year, first, last)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        unknown = set(names or []) - set(REGISTRY)
        if unknown:
            raise CommandError(f"Unknown metrics: {', '.join(sorted(unknown))}")
        figures = compute_all(org, period, names)
        if options["json"]:
            self.stdout.write(_dumps(figures))
            return
        self.stdout.write(f"{org.code} {org.name} — {period}")
        for name, data in figures.items():
            line = f"  {name:<38} {data['value']}"
            if data.get("share") is not None:
                line += f" / {data['denominator']} = {data['share']:.1%}"
            self.stdout.write(line)
            for item in data.get("items") or []:
                self.stdout.write(f"      {item}")


def _dumps(figures):
    return json.dumps(figures, ensure_ascii=False, indent=2, sort_keys=True)
