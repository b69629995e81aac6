"""Writes on accounts and roles. Each is atomic, names its actor, and leaves an audit record."""

import secrets
import string

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import RoleAssignment, User
from .roles import ROLES
from .signals import end_sessions

_ALPHABETS = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!@#$%^&*-_=+?")


def one_time_password(length=14):
    """A random password with every character class, shown once and changed at first login."""
    rng = secrets.SystemRandom()
    chars = [rng.choice(alphabet) for alphabet in _ALPHABETS]
    chars += [rng.choice("".join(_ALPHABETS)) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


@transaction.atomic
def create_account(*, username, full_name="", email="", by=None, password=None):
    """Create an account with a one-time password (returned) that must be changed at first login."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("A user with that user name already exists.")})
    initial = password or one_time_password()
    user = User(username=username, full_name=full_name, email=email, must_change_password=password is None)
    user.set_password(initial)
    user.full_clean()
    user.save()
    return user, initial


@transaction.atomic
def reset_password(user, *, by=None):
    """Give the account a new one-time password and end its sessions."""
    initial = one_time_password()
    user.set_password(initial)
    user.must_change_password = True
    user.save()
    end_sessions(user)
    return initial


@transaction.atomic
def set_active(user, active, *, by=None):
    user.is_active = active
    user.save()  # disabling ends every session (signals.end_sessions)


@transaction.atomic
def change_own_password(user, password):
    user.set_password(password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save()


def check_separation(user, role, exclude=None):
    """三员分立: a technical administrator holds no other role; a business account holds no technical role."""
    held = RoleAssignment.objects.filter(user=user)
    if exclude is not None:
        held = held.exclude(pk=exclude.pk)
    held_roles = set(held.values_list("role", flat=True))
    info = ROLES[role]
    if info.technical and held_roles - {role}:
        raise ValidationError(
            _(
                "The system, security and audit administrators are kept apart: this account "
                "already holds another role."
            )
        )
    if not info.technical and any(ROLES[r].technical for r in held_roles):
        raise ValidationError(_("This account is a technical administrator and cannot hold a business role."))
    if info.technical and role in held_roles:
        raise ValidationError(_("This account already holds this role here."))


@transaction.atomic
def grant_role(*, user, role, organization=None, can_reveal=False, by=None):
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialize grants to one account
    check_separation(user, role)
    assignment = RoleAssignment(user=user, role=role, organization=organization, can_reveal=can_reveal)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def withdraw_role(assignment, *, by=None):
    assignment.delete()
