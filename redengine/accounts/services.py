"""Writes on accounts and roles, through the write path: atomic, ``by`` as the actor of the audit record,
and the account or assignment written re-checked against ``by``'s scope before it commits (the system
administrator manages accounts, the security administrator roles; a command acts as ``SYSTEM``)."""

import secrets
import string

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.writes import writing

from .models import RoleAssignment, User
from .roles import MANAGE_ROLES, MANAGE_USERS, ROLES
from .signals import end_sessions

_ALPHABETS = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!@#$%^&*-_=+?")


def one_time_password(length=14):
    """A random password with every character class, shown once and changed at first login."""
    rng = secrets.SystemRandom()
    chars = [rng.choice(alphabet) for alphabet in _ALPHABETS]
    chars += [rng.choice("".join(_ALPHABETS)) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


def create_account(*, username, full_name="", email="", by, password=None):
    """Create an account with a one-time password (returned) that must be changed at first login."""
    with writing(by) as write:
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": _("A user with that user name already exists.")})
        initial = password or one_time_password()
        user = User(
            username=username, full_name=full_name, email=email, must_change_password=password is None
        )
        user.set_password(initial)
        user.full_clean()
        user.save()
        write.expect(User, MANAGE_USERS, [user])
    return user, initial


def reset_password(user, *, by):
    """Give the account a new one-time password and end its sessions."""
    with writing(by) as write:
        write.expect(User, MANAGE_USERS, [user])
        initial = one_time_password()
        user.set_password(initial)
        user.must_change_password = True
        user.save()
        end_sessions(user)
    return initial


def set_active(user, active, *, by):
    with writing(by) as write:
        write.expect(User, MANAGE_USERS, [user])
        user.is_active = active
        user.save()  # disabling ends every session (signals.end_sessions)


def change_own_password(user, password):
    """The account holder's own new password (the account acts on itself)."""
    with writing(user):
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


def grant_role(*, user, role, organization=None, can_reveal=False, by):
    with writing(by) as write:
        User.objects.select_for_update().filter(pk=user.pk).first()  # serialize grants to one account
        check_separation(user, role)
        assignment = RoleAssignment(user=user, role=role, organization=organization, can_reveal=can_reveal)
        assignment.full_clean()
        assignment.save()
        write.expect(RoleAssignment, MANAGE_ROLES, [assignment])
    return assignment


def withdraw_role(assignment, *, by):
    with writing(by) as write:
        write.expect(RoleAssignment, MANAGE_ROLES, [assignment])  # checked before it commits: still there
        write.verify()
        assignment.delete()
