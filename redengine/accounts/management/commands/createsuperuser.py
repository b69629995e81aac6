"""Superusers are not used (MLPS level 3 separates the administrators): this command refuses."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Refuses: use createadmin to create role-based accounts."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("--username")
        parser.add_argument("--email")

    def handle(self, *args, **options):
        raise CommandError(
            "Superuser accounts are not used. Create role-based accounts with "
            "`manage.py createadmin --username NAME --role ROLE [--org CODE]`."
        )
