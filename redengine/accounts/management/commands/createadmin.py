"""Create a role-based account (there are no superusers): ``createadmin --username U --role R [--org CODE]``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from redengine.core.context import command_actor
from redengine.core.writes import SYSTEM
from redengine.orgs.models import PartyOrganization

from ... import services
from ...models import User
from ...roles import ROLES


class Command(BaseCommand):
    help = "Create an account with a role and print its one-time password (changed at first login)."

    def add_arguments(self, parser):
        parser.add_argument("--username")
        parser.add_argument("--role", choices=sorted(ROLES))
        parser.add_argument("--org", help="organization code of the scope (business roles)")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--can-reveal", action="store_true", help="may reveal personal data (needs 2FA)")

    def handle(self, *args, **opts):
        username = opts["username"] or input("User name: ").strip()
        role = opts["role"] or input(f"Role ({', '.join(sorted(ROLES))}): ").strip()
        if role not in ROLES:
            raise CommandError(f"Unknown role {role!r}.")
        org_code = opts["org"]
        if org_code is None and not ROLES[role].technical:
            org_code = input("Organization code of the scope: ").strip()
        organization = None
        if org_code:
            organization = PartyOrganization.objects.filter(code=org_code).first()
            if organization is None:
                raise CommandError(f"No organization has the code {org_code!r}.")
        with command_actor("createadmin"), transaction.atomic():
            try:
                user = User.objects.named(username)
                password = None
                if user is None:
                    user, password = services.create_account(
                        username=username, full_name=opts["full_name"], email=opts["email"], by=SYSTEM
                    )
                services.grant_role(
                    user=user, role=role, organization=organization, can_reveal=opts["can_reveal"], by=SYSTEM
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"{username}: {ROLES[role].label}" + (f" @ {organization.name}" if organization else "")
        )
        if password:
            self.stdout.write(f"One-time password (must be changed at first login): {password}")
        if user.requires_2fa:
            self.stdout.write("This account enrols a TOTP authenticator at its first login.")
