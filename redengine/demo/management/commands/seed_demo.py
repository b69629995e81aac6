"""Load the demo data set and its demo accounts (refused in production mode)."""

import base64
import datetime
import hashlib
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from redengine.accounts import services
from redengine.accounts.models import User
from redengine.core.context import command_actor
from redengine.core.validators import make_id_number
from redengine.development import rules as development_rules
from redengine.development import services as development_services
from redengine.development.models import DevelopmentCase
from redengine.orgs import services as org_services
from redengine.orgs.models import GrantStandard, PartyOrganization, School, StartupGrant
from redengine.people import services as people_services
from redengine.people.models import CommitteePost, Dispatch, Person

from ... import city, data


def people_in(step):
    return [name for key in ("contacts", "introducers") for name in step.get(key, [])]


def step_data(step, date, today, people):
    """A step's data of ``data.DEVELOPMENT``: names as ids, days as dates, ``{year}`` as the step's year."""
    filled = {}
    for key, value in step.items():
        kind = development_rules.FIELDS[key][1]
        if kind == "people":
            filled[key] = [people[name] for name in value]
        elif kind == "date":
            filled[key] = (today + datetime.timedelta(days=value)).isoformat()
        elif isinstance(value, str):
            filled[key] = value.format(year=date.year)
        else:
            filled[key] = value
    return filled


def demo_totp_key(username):
    """A fixed TOTP key per demo account, so that a tester adds it to an authenticator once."""
    return hashlib.sha256(f"redengine-demo-totp:{username}".encode()).hexdigest()[:40]


class Command(BaseCommand):
    help = (
        "Load the demo data set (a synthetic Changsha) and the demo accounts; with --size city, also a "
        "generated city of about 1,000 schools and 30,000 staff. Refused in production mode."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=["small", "city"],
            default="small",
            help="small: the handmade example tree only (what the tests use); city: add the generated city",
        )
        parser.add_argument(
            "--seed", type=int, default=city.DEFAULT_SEED, help="random seed of the generated city"
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="size of the generated city (1: the full city, whose records give the report's figures)",
        )

    def handle(self, *args, size="small", seed=city.DEFAULT_SEED, scale=1.0, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data and demo accounts are never loaded in production mode.")
        if not 0 < scale <= 1:
            raise CommandError("--scale is a number above 0 and at most 1.")
        with command_actor("seed_demo"), transaction.atomic():
            created = self.load_tree() + self.load_accounts() + self.load_people() + self.load_development()
        self.stdout.write(f"Demo data set ready ({created} new records).")
        if size == "city":
            self.load_city(seed, scale)
        self.print_logins()

    def load_city(self, seed, scale):
        started = time.monotonic()
        counts = city.generate(seed=seed, scale=scale)
        if counts is None:
            self.stdout.write("The generated city is there already; nothing to do.")
            return
        elapsed = time.monotonic() - started
        written = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(f"Generated city (seed {seed}, scale {scale:g}) in {elapsed:.1f} s: {written}.")
        self.stdout.write("The report's figures from the records (root scope), and what the report says:")
        for name, (value, target) in city.figures().items():
            self.stdout.write(f"  {name:<38} {value!s:>10}   report: {target}")

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

    def load_people(self):
        """People, memberships, titles, posts, dispatches, grants and a received organization."""
        if Person.objects.exists():
            return 0
        orgs = {o.code: o for o in PartyOrganization.objects.all()}
        schools = {s.code: s for s in School.objects.all()}
        people = {}
        day = datetime.date.fromisoformat
        for name, region, birth, sequence, school, post, front, membership, titles in data.PEOPLE:
            person = Person(
                name=name,
                school=schools[school],
                post=post,
                front_line=front,
                ethnic_group="01",
                education="bachelor",
            )
            number = make_id_number(region, day(birth), sequence)
            people_services.save_person(person, id_number=number, mobile=f"139{sequence:04d}{sequence:04d}")
            if membership:
                org, admitted, full = membership
                people_services.set_membership(
                    person,
                    organization=orgs[org],
                    admitted_on=day(admitted),
                    full_on=day(full) if full else None,
                )
            for title, level, awarded, lapsed in titles:
                people_services.award_title(
                    person,
                    title=title,
                    level=level,
                    awarded_on=day(awarded),
                    lapsed_on=day(lapsed) if lapsed else None,
                )
            people[name] = person
        for name, role, school, body, public, start, end in data.DISPATCHES:
            Dispatch.objects.create(
                person=people[name],
                role=role,
                school=schools[school],
                dispatching_body=body,
                public=public,
                start_on=day(start),
                end_on=day(end) if end else None,
            )
        for code, name, post, start in data.COMMITTEE_POSTS:
            CommitteePost.objects.create(
                organization=orgs[code], person=people[name], post=post, start_on=day(start)
            )
        for org_type, year, amount in data.GRANT_STANDARDS:
            GrantStandard.objects.create(org_type=org_type, valid_from=year, amount=Decimal(amount))
        for code, amount, approved, paid in data.STARTUP_GRANTS:
            StartupGrant.objects.create(
                organization=orgs[code],
                amount=Decimal(amount),
                approved_on=day(approved),
                paid_on=day(paid) if paid else None,
            )
        for code, name, org_type, parent, founded, came_from, changed, doc in data.RECEIVED:
            org_services.receive_organization(
                parent=orgs[parent],
                old_parent_name=came_from,
                changed_on=day(changed),
                document_number=doc,
                code=code,
                name=name,
                org_type=org_type,
                founded_on=day(founded),
            )
        return len(people)

    def load_development(self):
        """The small set's development cases (``data.DEVELOPMENT``), step by step through the service that
        the pages use, dated back from today."""
        if DevelopmentCase.objects.exists():
            return 0
        today = timezone.localdate()
        orgs = {
            o.code: o for o in PartyOrganization.objects.filter(code__in={c[6] for c in data.DEVELOPMENT})
        }
        schools = {s.code: s for s in School.objects.filter(code__in={c[4] for c in data.DEVELOPMENT})}
        named = {name for *_, steps in data.DEVELOPMENT for _c, _d, step in steps for name in people_in(step)}
        people = {p.name: p.pk for p in Person.objects.filter(name__in=named)}
        for name, region, birth, sequence, school, post, org, steps in data.DEVELOPMENT:
            person = Person(
                name=name,
                school=schools[school],
                post=post,
                front_line=post == "teacher",
                ethnic_group="01",
                education="bachelor",
            )
            number = make_id_number(region, datetime.date.fromisoformat(birth), sequence)
            people_services.save_person(person, id_number=number, mobile=f"138{sequence:04d}{sequence:04d}")
            case = development_services.open_case(person, orgs[org])
            for code, days, step in steps:
                date = today + datetime.timedelta(days=days)
                development_services.record_step(
                    case, code, date, data=step_data(step, date, today, people), today=today
                )
        return len(data.DEVELOPMENT)

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
