"""Create a party organization from the command line: the root and the district bureaus of a new install.

    manage.py createorg --code CS0001 --name 中共长沙市委教育工作委员会 --type working_committee --district 430100
    manage.py createorg --code CS430104 --name 中共长沙市岳麓区教育局委员会 --type committee \\
        --parent CS0001 --district 430104
"""

from django.core.management.base import BaseCommand, CommandError

from redengine.core.codes import DISTRICTS
from redengine.core.context import command_actor
from redengine.core.services import Item
from redengine.core.writes import SYSTEM, RefusedError

from ... import services
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
        fields = {"code": code, "name": name, "org_type": org_type, "district": district}
        target = None
        if parent:
            target = PartyOrganization.objects.filter(code=parent).first()
            if target is None:
                raise CommandError(f"No organization has the code {parent!r}.")
        elif PartyOrganization.objects.filter(depth=1).exists():
            raise CommandError("The tree has its root already; give --parent.")
        try:
            with command_actor("createorg"):
                (org,) = services.save_organizations([Item({**fields, "parent": target})], by=SYSTEM)
        except RefusedError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Created {org.code} {org.name}")
