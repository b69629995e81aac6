"""Load the demo data set and its demo accounts (refused in production mode)."""

import base64
import datetime
import hashlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from redengine.accounts import services
from redengine.accounts.models import User
from redengine.core.context import command_actor
from redengine.orgs.models import PartyOrganization, School

from ... import data


def demo_totp_key(username):
    """A fixed TOTP key per demo account, so that a tester adds it to an authenticator once."""
    return hashlib.sha256(f"redengine-demo-totp:{username}".encode()).hexdigest()[:40]


class Command(BaseCommand):
    help = "Load the demo data set (a synthetic Changsha) and the demo accounts. Refused in production mode."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data and demo accounts are never loaded in production mode.")
        with command_actor("seed_demo"), transaction.atomic():
            created = self.load_tree() + self.load_accounts()
        self.stdout.write(f"Demo data set ready ({created} new records).")
        self.print_logins()

    def load_tree(self):
        created = 0
        root = PartyOrganization.objects.filter(code=data.ROOT[0]).first()
        if root is None:
            code, name, org_type, district = data.ROOT
            root = PartyOrganization.objects.add_root(
                {"code": code, "name": name, "org_type": org_type, "district": district}
            )
            created += 1
        orgs = {o.code: o for o in PartyOrganization.objects.all()}
        for code, name, org_type, district in data.DISTRICT_ORGS:
            if code not in orgs:
                orgs[code] = PartyOrganization.objects.add_child(
                    root, {"code": code, "name": name, "org_type": org_type, "district": district}
                )
                root.refresh_from_db()
                created += 1
        schools = {s.code: s for s in School.objects.all()}
        for code, name, district, ownership, school_type, urban_rural, city_managed in data.SCHOOLS:
            if code not in schools:
                schools[code] = School.objects.create(
                    code=code,
                    name=name,
                    district=district,
                    ownership=ownership,
                    school_type=school_type,
                    urban_rural=urban_rural,
                    city_managed=city_managed,
                )
                created += 1
        for code, name, org_type, parent_code, founded, covered in data.SCHOOL_ORGS:
            if code in orgs:
                continue
            parent = PartyOrganization.objects.get(code=parent_code)
            org = PartyOrganization.objects.add_child(
                parent,
                {
                    "code": code,
                    "name": name,
                    "org_type": org_type,
                    "founded_on": datetime.date.fromisoformat(founded),
                },
            )
            org.schools.set([schools[c] for c in covered])
            orgs[code] = org
            created += 1
        return created

    def load_accounts(self):
        created = 0
        for username, full_name, role, org_code, can_reveal in data.ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is not None:
                continue
            user, _ = services.create_account(
                username=username, full_name=full_name, password=data.DEMO_PASSWORD
            )
            organization = PartyOrganization.objects.get(code=org_code) if org_code else None
            services.grant_role(user=user, role=role, organization=organization, can_reveal=can_reveal)
            if user.requires_2fa:
                TOTPDevice.objects.create(user=user, name="demo", key=demo_totp_key(username), confirmed=True)
            created += 1
        return created

    def print_logins(self):
        self.stdout.write(f"\nDemo logins (password for all: {data.DEMO_PASSWORD})")
        for username, full_name, *_ in data.ACCOUNTS:
            user = User.objects.get(username=username)
            line = f"  {username:<17} {full_name}  {user.assignments()[0].get_role_display()}"
            if user.requires_2fa:
                secret = base64.b32encode(bytes.fromhex(demo_totp_key(username))).decode()
                line += f"  TOTP secret: {secret}"
            self.stdout.write(line)
        self.stdout.write(
            "Open http://127.0.0.1:8000/ and log in; accounts with a TOTP secret ask for a code "
            "from an authenticator app holding that secret."
        )
