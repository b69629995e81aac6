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
from redengine.core.services import Item
from redengine.core.validators import make_id_number
from redengine.core.writes import SYSTEM
from redengine.development import rules as development_rules
from redengine.development import services as development_services
from redengine.development.models import DevelopmentCase
from redengine.orgs import services as org_services
from redengine.orgs.models import PartyOrganization, School
from redengine.people import services as people_services
from redengine.people.models import Person

from ... import city, cultivation, data, guidance, leading, meetings, rating, votes
from ... import membership as members

SCHOOL_FIELDS = ("code", "name", "district", "ownership", "school_type", "urban_rural", "city_managed")


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


def scaled_sample(scale):
    """How many of the city's instructor dispatches get guidance records."""
    return max(3, round(60 * scale))


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
            created += guidance.small_tree()
            created += cultivation.small_tree()
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
        with command_actor("seed_demo"), transaction.atomic():
            counts["guidance records"] = guidance.city(seed=seed, dispatches=scaled_sample(scale))
        with command_actor("seed_demo"), transaction.atomic():
            counts["meetings"] = meetings.city(seed=seed)
        with command_actor("seed_demo"), transaction.atomic():
            counts.update(cultivation.city(seed=seed))
        with command_actor("seed_demo"), transaction.atomic():
            counts.update(leading.city(seed=seed))
        with command_actor("seed_demo"), transaction.atomic():
            counts.update(rating.city(seed=seed))
        with command_actor("seed_demo"), transaction.atomic():
            counts.update(members.city(seed=seed))
        elapsed = time.monotonic() - started
        written = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(f"Generated city (seed {seed}, scale {scale:g}) in {elapsed:.1f} s: {written}.")
        self.stdout.write("The report's figures from the records (root scope), and what the report says:")
        for name, (value, target) in {**city.figures(), **leading.figures(), **rating.figures()}.items():
            self.stdout.write(f"  {name:<38} {value!s:>10}   report: {target}")

    def load_tree(self):
        """The root, the district bureaus, the schools and the schools' organizations, through the services."""
        if PartyOrganization.objects.filter(code=data.ROOT[0]).exists():
            return 0
        code, name, org_type, district = data.ROOT
        (root,) = org_services.save_organizations(
            [Item({"code": code, "name": name, "org_type": org_type, "district": district, "parent": None})],
            by=SYSTEM,
        )
        bureaus = [
            Item({"code": code, "name": name, "org_type": org_type, "district": district, "parent": root})
            for code, name, org_type, district in data.DISTRICT_ORGS
        ]
        schools = org_services.save_schools(
            [Item(dict(zip(SCHOOL_FIELDS, row, strict=True))) for row in data.SCHOOLS],
            by=SYSTEM,
        )
        orgs = {o.code: o for o in [root, *org_services.save_organizations(bureaus, by=SYSTEM)]}
        by_code = {s.code: s for s in schools}
        items = []
        for code, name, org_type, parent_code, founded, covered in data.SCHOOL_ORGS:
            item = Item(
                {
                    "code": code,
                    "name": name,
                    "org_type": org_type,
                    "founded_on": datetime.date.fromisoformat(founded),
                    "schools": [by_code[c] for c in covered],
                }
            )
            items.append((item, parent_code))
        made = {item.values["code"]: PartyOrganization() for item, _parent in items}
        for item, parent_code in items:  # a parent is recorded, or another organization of the set
            item.obj = made[item.values["code"]]
            item.values["parent"] = orgs.get(parent_code) or made[parent_code]
        org_services.save_organizations([item for item, _parent in items], by=SYSTEM)
        return 1 + len(bureaus) + len(schools) + len(items)

    def load_people(self):
        """People, memberships, titles, posts, dispatches, grants and a received organization."""
        if Person.objects.exists():
            return 0
        orgs = {o.code: o for o in PartyOrganization.objects.all()}
        schools = {s.code: s for s in School.objects.all()}
        day = datetime.date.fromisoformat
        items, titles = [], []
        for name, region, birth, sequence, school, post, front, membership, held in data.PEOPLE:
            values = {
                "name": name,
                "id_number": make_id_number(region, day(birth), sequence),
                "mobile": f"139{sequence:04d}{sequence:04d}",
                "school": schools[school],
                "post": post,
                "front_line": front,
                "ethnic_group": "01",
                "education": "bachelor",
            }
            if membership:
                org, admitted, full = membership
                values["political_status"] = "member" if full else "probationary"
                values["membership"] = {
                    "organization": orgs[org],
                    "admitted_on": day(admitted),
                    "full_on": day(full) if full else None,
                }
            items.append(Item(values))
            titles.append(held)
        people = {p.name: p for p in people_services.save_people(items, by=SYSTEM)}
        people_services.award_titles(
            [
                Item(
                    {
                        "person": person,
                        "title": title,
                        "level": level,
                        "awarded_on": day(awarded),
                        "lapsed_on": day(lapsed) if lapsed else None,
                    }
                )
                for person, held in zip(people.values(), titles, strict=True)
                for title, level, awarded, lapsed in held
            ],
            by=SYSTEM,
        )
        accounts = {
            u.username: u
            for u in User.objects.filter(username__in=[d[7] for d in data.DISPATCHES if len(d) > 7])
        }
        people_services.save_dispatches(
            [
                Item(
                    {
                        "person": people[name],
                        "role": role,
                        "school": schools[school],
                        "dispatching_body": body,
                        "public": public,
                        "start_on": day(start),
                        "end_on": day(end) if end else None,
                        "account": accounts.get(account[0]) if account else None,
                    }
                )
                for name, role, school, body, public, start, end, *account in data.DISPATCHES
            ],
            by=SYSTEM,
        )
        people_services.save_posts(
            [
                Item(
                    {"organization": orgs[code], "person": people[name], "post": post, "start_on": day(start)}
                )
                for code, name, post, start in data.COMMITTEE_POSTS
            ],
            by=SYSTEM,
        )
        org_services.save_standards(
            [
                Item({"org_type": org_type, "valid_from": year, "amount": Decimal(amount)})
                for org_type, year, amount in data.GRANT_STANDARDS
            ],
            by=SYSTEM,
        )
        org_services.save_grants(
            [
                Item(
                    {
                        "organization": orgs[code],
                        "amount": Decimal(amount),
                        "approved_on": day(approved),
                        "paid_on": day(paid) if paid else None,
                    }
                )
                for code, amount, approved, paid in data.STARTUP_GRANTS
            ],
            by=SYSTEM,
        )
        org_services.receive_organizations(
            [
                org_services.Reception(
                    parent=orgs[parent],
                    old_parent_name=came_from,
                    changed_on=day(changed),
                    document_number=doc,
                    values={"code": code, "name": name, "org_type": org_type, "founded_on": day(founded)},
                )
                for code, name, org_type, parent, founded, came_from, changed, doc in data.RECEIVED
            ],
            by=SYSTEM,
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
        applicants = people_services.save_people(
            [
                Item(
                    {
                        "name": name,
                        "id_number": make_id_number(region, datetime.date.fromisoformat(birth), sequence),
                        "mobile": f"138{sequence:04d}{sequence:04d}",
                        "school": schools[school],
                        "post": post,
                        "front_line": post == "teacher",
                        "ethnic_group": "01",
                        "education": "bachelor",
                    }
                )
                for name, region, birth, sequence, school, post, _org, _steps in data.DEVELOPMENT
            ],
            by=SYSTEM,
        )
        cases = development_services.CASES.save(
            [
                Item({"person": person, "organization": orgs[row[6]]})
                for person, row in zip(applicants, data.DEVELOPMENT, strict=True)
            ],
            by=SYSTEM,
        )
        steps = []
        for case, (*_rest, row_steps) in zip(cases, data.DEVELOPMENT, strict=True):
            for code, days, step in row_steps:
                date = today + datetime.timedelta(days=days)
                steps.append(
                    development_services.Step(
                        code, date, case=case, data=step_data(step, date, today, people)
                    )
                )
        votes.fit(steps)
        development_services.record_steps(steps, by=SYSTEM, today=today)
        return len(data.DEVELOPMENT)

    def load_accounts(self):
        created = 0
        for username, full_name, role, org_code, can_reveal in data.ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is not None:
                continue
            user, _ = services.create_account(
                username=username, full_name=full_name, password=data.DEMO_PASSWORD, by=SYSTEM
            )
            organization = PartyOrganization.objects.get(code=org_code) if org_code else None
            services.grant_role(
                user=user, role=role, organization=organization, can_reveal=can_reveal, by=SYSTEM
            )
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
