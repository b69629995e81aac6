"""Writes on accounts and roles, through the write path: atomic, ``by`` as the actor of the audit record,
and the account or assignment written re-checked against ``by``'s scope before it commits (the system
administrator manages accounts, the security administrator roles; a command acts as ``SYSTEM``)."""

import logging
import secrets
import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit import log_access
from redengine.core.models import AccessEvent
from redengine.core.notifications import notify
from redengine.core.writes import SYSTEM, writing

from . import lockout
from .models import AdminChangeRequest, ApiToken, RoleAssignment, User
from .roles import MANAGE_ROLES, MANAGE_USERS, ROLES, TECHNICAL_ROLES, UNLOCK_LOGINS, WATCHING_ROLES
from .signals import end_sessions, log_revoked

logger = logging.getLogger(__name__)

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
        if User.objects.filter(username__iexact=username).exists():
            # User names are case-insensitive at login: no two accounts differ by case alone.
            raise ValidationError(
                {"username": _("A user with that user name already exists (user names ignore case).")}
            )
        initial = password or one_time_password()
        user = User(
            username=username, full_name=full_name, email=email, must_change_password=password is None
        )
        user.set_password(initial)
        user.full_clean()
        user.save()
        write.expect(User, MANAGE_USERS, [user])
    return user, initial


class NeedsSecondAdministratorError(ValidationError):
    """A change one administrator may not make alone (see ``AdminChangeRequest``)."""


def watched(user):
    """Whether the account is a security or audit administrator (its changes need a second administrator)."""
    return RoleAssignment.objects.filter(user=user, role__in=WATCHING_ROLES).exists()


def _second_person_needed(by, approval, watched_now):
    if watched_now and by is not SYSTEM and approval is None:
        raise NeedsSecondAdministratorError(
            _(
                "One administrator cannot do this alone to the security or audit administrator: "
                "another administrator must confirm it."
            )
        )


def _mail_password(user, initial, by):
    """Send the one-time password to the account's owner; whether it went (else it is handed over)."""
    if not (settings.ACCOUNT_EMAILS and user.email):
        return False
    body = _(
        "The password of your Red Engine account %(username)s was reset by %(by)s. Your one-time "
        "password is: %(password)s\nLog in with it and choose your own password: until then the account "
        "can do nothing else. If you did not ask for this, tell the security administrator."
    ) % {"username": user.username, "by": getattr(by, "username", "") or _("the system"), "password": initial}
    try:
        send_mail(
            _("Red Engine: your password was reset"), f"{body}\n{settings.SITE_URL}", None, [user.email]
        )
    except Exception:  # noqa: BLE001 - the mail server failed: the password is handed over instead
        logger.exception("the one-time password could not be sent by e-mail; it is shown for hand-over")
        return False
    return True


def reset_password(user, *, by, approval=None):
    """Give the account a new one-time password, end its sessions and revoke its tokens, and tell its owner.

    The password goes to the owner by e-mail when the account has an address and ``ACCOUNT_EMAILS`` is on
    (returns None); otherwise it is returned, to be shown once and handed to the owner in person. Either
    way the account can do nothing but change it (``must_change_password``), the owner gets a
    notification, and the reset is logged (PASSWORD_RESET). The security and audit administrators' need
    a second administrator's confirmation (``approval``, see ``confirm_admin_change``)."""
    with writing(by) as write:
        write.expect(User, MANAGE_USERS, [user])
        _second_person_needed(by, approval, watched(user))
        initial = one_time_password()
        user.set_password(initial)
        user.must_change_password = True
        user.save()
        end_sessions(user, "password reset")
        write.verify()  # in scope: only now may the password leave
        emailed = _mail_password(user, initial, by)
        when = timezone.localtime()
        notify(
            [
                (
                    user,
                    f"password_reset:{when.isoformat()}",
                    _("Your password was reset"),
                    _(
                        "Your password was reset on %(when)s by %(by)s. Change the one-time password at "
                        "your next login. If you did not ask for this, tell the security administrator."
                    )
                    % {
                        "when": f"{when:%Y-%m-%d %H:%M}",
                        "by": getattr(by, "username", "") or _("the system"),
                    },
                    reverse("accounts:password_change"),
                )
            ]
        )
        log_access(
            AccessEvent.Kind.PASSWORD_RESET,
            user=by if getattr(by, "is_authenticated", False) else None,
            obj=user,
            detail=("sent by e-mail" if emailed else "shown for hand-over in person")
            + (f"; confirmed by {approval.confirmed_by.username}" if approval is not None else ""),
            scope_path=user.home_scope_path(),
        )
    return None if emailed else initial


def set_active(user, active, *, by, approval=None):
    with writing(by) as write:
        write.expect(User, MANAGE_USERS, [user])
        if not active:
            _second_person_needed(by, approval, watched(user))
        user.is_active = active
        user.save()  # disabling ends every session (signals.end_sessions)


def unlock_login(user, *, by):
    """The security administrator ends the account's lock-out after failed logins (from every address):
    its failed attempts are forgotten and the unlock is logged (UNLOCKED, beside the LOCKED_OUT rows); how
    many addresses were locked. Nothing else of the account changes."""
    with writing(by) as write:
        write.expect(User, UNLOCK_LOGINS, [user])
        write.verify()
        locked = lockout.locked_addresses(user)
        lockout.clear_attempts(user)
        log_access(
            AccessEvent.Kind.UNLOCKED,
            user=by if getattr(by, "is_authenticated", False) else None,
            obj=user,
            detail=f"unlocked {user.username}: locked from {locked} address(es)",
            scope_path=user.home_scope_path(),
        )
    return locked


def change_own_password(user, password):
    """The account holder's own new password (the account acts on itself): its API tokens are revoked."""
    with writing(user):
        user.set_password(password)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save()
        revoke_tokens(user, user.api_tokens.all(), "password changed")


# API tokens ------------------------------------------------------------------------------------------
def revoke_tokens(user, tokens, reason):
    """Revoke (delete) ``tokens`` of ``user`` and log it; how many there were."""
    count, _by_model = ApiToken.objects.filter(user=user, pk__in=[t.pk for t in tokens]).delete()
    if count:
        log_revoked(user, count, reason)
    return count


def revoke_own_token(user, pk, reason="revoked by its owner"):
    """The account holder revokes one of its own tokens; False when it has no such token."""
    with writing(user):
        return revoke_tokens(user, ApiToken.objects.filter(user=user, pk=pk), reason) > 0


def touch_token(token, now):
    """Note the token's use, at most once a minute (not a write per request)."""
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


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
    """Grant a role; what the account may do changes, so its sessions end and its tokens are revoked (a
    token or session from before a grant needing two-factor login would otherwise go on without it)."""
    with writing(by) as write:
        User.objects.select_for_update().filter(pk=user.pk).first()  # serialize grants to one account
        check_separation(user, role)
        assignment = RoleAssignment(user=user, role=role, organization=organization, can_reveal=can_reveal)
        assignment.full_clean()
        assignment.save()
        write.expect(RoleAssignment, MANAGE_ROLES, [assignment])
        end_sessions(user, "role granted")
    return assignment


def withdraw_role(assignment, *, by, approval=None):
    """Withdraw a role (its account's sessions end, its tokens are revoked); a security or audit
    administrator's role only with a second administrator's confirmation (``approval``)."""
    with writing(by) as write:
        write.expect(RoleAssignment, MANAGE_ROLES, [assignment])  # checked before it commits: still there
        write.verify()
        _second_person_needed(by, approval, assignment.role in WATCHING_ROLES)
        user = assignment.user
        assignment.delete()
        end_sessions(user, "role withdrawn")


# Changes to the security and audit administrators: requested by one administrator, confirmed by another.
def technical_role(user):
    return next((code for code in user.role_codes if code in TECHNICAL_ROLES), None)


def may_confirm(change, user):
    """Another person than the requester and the account concerned, holding another technical role."""
    return (
        change.state == AdminChangeRequest.State.PENDING
        and user.is_active
        and user.pk not in (change.requested_by_id, change.target_id)
        and bool(user.role_codes & (TECHNICAL_ROLES - {change.requested_role}))
    )


def request_admin_change(operation, target, *, by, assignment=None):
    """Record that ``by`` asks for a change it may not make alone; the pending request (one per change)."""
    role = technical_role(by)
    if role is None:
        raise ValidationError(_("Only the system, security and audit administrators may ask for this."))
    with writing(by):
        change, created = AdminChangeRequest.objects.get_or_create(
            operation=operation,
            target=target,
            assignment=assignment,
            state=AdminChangeRequest.State.PENDING,
            defaults={
                "requested_by": by,
                "requested_role": role,
                "role": assignment.role if assignment is not None else "",
            },
        )
        if created:
            log_access(
                AccessEvent.Kind.APPROVAL,
                user=by,
                obj=change,
                detail=f"requested: {change.operation} {target.username}"
                + (f" ({change.role})" if change.role else ""),
            )
    return change


def confirm_admin_change(change, *, by):
    """A second administrator confirms ``change``: it is made, as the requester (whose right it is), in one
    transaction with the confirmation. The one-time password of a reset, when not sent by e-mail, is
    returned to be handed over in person."""
    with transaction.atomic():
        change = AdminChangeRequest.objects.select_for_update().get(pk=change.pk)
        if not may_confirm(change, by):
            raise ValidationError(
                _(
                    "You cannot confirm this request: it must be confirmed by another administrator than "
                    "the one who asked for it and the one it is about."
                )
            )
        with writing(by):
            change.confirmed_by = by
            change.confirmed_at = timezone.now()
            gone = change.operation == AdminChangeRequest.Operation.WITHDRAW and change.assignment is None
            change.state = AdminChangeRequest.State.VOID if gone else AdminChangeRequest.State.DONE
            change.save()
            log_access(
                AccessEvent.Kind.APPROVAL,
                user=by,
                obj=change,
                detail=f"confirmed: {change.operation} {change.target.username}, requested by "
                f"{change.requested_by.username}"
                + (" (void: the role was already withdrawn)" if gone else ""),
            )
        if gone:
            return None
        requester = User.objects.get(pk=change.requested_by_id)
        target = User.objects.get(pk=change.target_id)
        if change.operation == AdminChangeRequest.Operation.RESET:
            return reset_password(target, by=requester, approval=change)
        if change.operation == AdminChangeRequest.Operation.DISABLE:
            set_active(target, False, by=requester, approval=change)
        else:
            withdraw_role(change.assignment, by=requester, approval=change)
    return None
