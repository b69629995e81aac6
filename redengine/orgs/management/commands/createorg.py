"""Create a party organization from the command line: the root and the district bureaus of a new install.

    manage.py createorg --code CS0001 --name 中共长沙市委教育工作委员会 --type working_committee --district 430100
    manage.py createorg --code CS430104 --name 中共长沙市岳麓区教育局委员会 --type committee \\
        --parent CS0001 --district 430104
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from redengine.core.codes import DISTRICTS
from redengine.core.context import command_actor

from ...choices import OrgType
from ...models import PartyOrganization


class Command(BaseCommand):
    help = "Create a party organization (the root when --parent is omitted)."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--type", required=True, choices=OrgType.values, dest="org_type")
        parser.add_argument("--parent", help="code of the parent organization; omit for the root")
        parser.add_argument(
            "--district",
            choices=sorted(DISTRICTS),
            default="",
            help="set on a district bureau's organization (GB/T 2260 code)",
        )

    def handle(self, *args, code, name, org_type, parent, district, **options):
        if PartyOrganization.objects.filter(code=code).exists():
            raise CommandError(f"An organization with the code {code!r} exists already.")
        fields = {"code": code, "name": name, "org_type": org_type, "district": district}
        try:
            candidate = PartyOrganization(**fields, path="0" * PartyOrganization.steplen, depth=1)
            candidate.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
            with command_actor("createorg"), transaction.atomic():
                if parent:
                    target = PartyOrganization.objects.filter(code=parent).first()
                    if target is None:
                        raise CommandError(f"No organization has the code {parent!r}.")
                    org = PartyOrganization.objects.add_child(target, fields)
                else:
                    if PartyOrganization.objects.filter(depth=1).exists():
                        raise CommandError("The tree has its root already; give --parent.")
                    org = PartyOrganization.objects.add_root(fields)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Created {org.code} {org.name}")
