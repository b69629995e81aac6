"""Accounts (账号), role assignments (角色授权), sessions and API tokens."""

import hashlib
import hmac
import os
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.models import AuditedModel
from redengine.core.permissions import VIEW
from redengine.core.scoping import ScopedQuerySet
from redengine.orgs.models import PartyOrganization

from .roles import (
    BUSINESS_ROLES,
    MANAGE_ROLES,
    MANAGE_USERS,
    ROLE_CHOICES,
    ROLES,
    TECHNICAL_ROLES,
    UNLOCK_LOGINS,
    model_actions,
)

REVEAL = "reveal"  # see full ID numbers and mobiles: an assignment's can_reveal, where it may view


def assignment_allows(assignment, model, action):
    if action == REVEAL:
        return assignment.can_reveal and "view" in model_actions(model, assignment.role)
    return action in model_actions(model, assignment.role)


class UserQuerySet(ScopedQuerySet):
    pass


class AccountManager(UserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        """The account a login names: user names are case-insensitive ("School_Secretary" logs in as
        school_secretary); the exact spelling first, for accounts made before two could not differ by case
        alone, and no account when the spelling matches several of them."""
        exact = self.filter(username=username).first()
        if exact is not None:
            return exact
        matches = list(self.filter(username__iexact=username)[:2])
        if len(matches) != 1:
            raise self.model.DoesNotExist
        return matches[0]

    def named(self, username):
        """The account with this user name whatever its case, or None."""
        try:
            return self.get_by_natural_key(username)
        except self.model.DoesNotExist:
            return None

    def create_superuser(self, *args, **kwargs):
        raise ValidationError(
            _("Superuser accounts are not used; create role-based accounts with createadmin.")
        )


class User(AuditedModel, AbstractBaseUser, PermissionsMixin):
    """An account (账号) of a person who uses Red Engine; what it may do comes from its roles."""

    username = models.CharField(
        _("user name"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        error_messages={"unique": _("A user with that user name already exists.")},
    )
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False, editable=False)
    must_change_password = models.BooleanField(_("must change password"), default=True)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    date_joined = models.DateTimeField(_("created"), default=timezone.now)

    objects = AccountManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []
    audit_exclude = frozenset({"password", "last_login"})
    role_actions = {"sys_admin": frozenset({MANAGE_USERS}), "sec_admin": frozenset({UNLOCK_LOGINS})}

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return f"{self.full_name} ({self.username})" if self.full_name else self.username

    @classmethod
    def scope_filter(cls, prefixes):
        return Q(pk__in=[]) if prefixes else Q()

    # Roles and scope -------------------------------------------------------------------------
    def assignments(self):
        """The account's role assignments, loaded once per request."""
        cache = getattr(self, "_assignments_cache", None)
        if cache is None:
            cache = list(self.role_assignments.select_related("organization").order_by("pk"))
            self._assignments_cache = cache
        return cache

    def active_assignments(self):
        """The assignments in force now: the one chosen in the scope switcher, or all of them."""
        chosen = getattr(self, "active_assignment_id", None)
        every = self.assignments()
        if chosen:
            narrowed = [a for a in every if a.pk == chosen]
            if narrowed:
                return narrowed
        return every

    def scope_prefixes(self, model, action, through=None):
        """Path prefixes of the subtrees where this account may do ``action`` on ``model``.

        ``through`` (a model and an action) counts only the assignments that also allow that: the
        records a write may name are those its writer reaches through the roles that allow the write.
        """
        return [
            assignment.organization.path if assignment.organization_id else ""
            for assignment in self.active_assignments()
            if assignment_allows(assignment, model, action)
            and (through is None or assignment_allows(assignment, *through))
        ]

    def can(self, model, action):
        """Whether any role in force allows ``action`` on ``model`` somewhere."""
        return any(assignment_allows(a, model, action) for a in self.active_assignments())

    def home_scope_path(self):
        """Where the account's events sit in the tree: the deepest organization covering all its roles.

        '' (the whole system, seen by the audit administrator only) for the technical administrators.
        """
        paths = [a.organization.path if a.organization_id else "" for a in self.assignments()]
        if not paths:
            return ""
        common = os.path.commonprefix(paths)
        return common[: len(common) - len(common) % PartyOrganization.steplen]

    @property
    def role_codes(self):
        return {a.role for a in self.assignments()}

    @property
    def requires_2fa(self):
        """City administrators, the three technical administrators and anyone who may reveal personal data."""
        return any(ROLES[a.role].requires_2fa or a.can_reveal for a in self.assignments())

    @property
    def can_reveal(self):
        return any(a.can_reveal for a in self.active_assignments())


class RoleAssignment(AuditedModel):
    """A role held by an account over an organization's subtree (角色授权); technical roles have no organization."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=ROLE_CHOICES)
    organization = models.ForeignKey(
        "orgs.PartyOrganization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("scope (organization)"),
    )
    can_reveal = models.BooleanField(
        _("may reveal personal data"),
        default=False,
        help_text=_("Reveals full ID numbers and mobiles; requires two-factor login."),
    )
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    # The security administrator grants and withdraws them; a business role reads those held within its
    # subtree (a grant's change history).
    role_actions = {
        "sec_admin": frozenset({MANAGE_ROLES}),
        **dict.fromkeys(BUSINESS_ROLES, frozenset({VIEW})),
    }

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization"],
                name="roleassignment_unique",
                violation_error_message=_("This account already holds this role here."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(TECHNICAL_ROLES), organization__isnull=True)
                    | Q(role__in=sorted(BUSINESS_ROLES), organization__isnull=False)
                ),
                name="roleassignment_scope_by_kind",
                violation_error_message=_("Business roles need an organization; technical roles have none."),
            ),
            models.CheckConstraint(
                condition=Q(can_reveal=False) | Q(role__in=sorted(BUSINESS_ROLES)),
                name="roleassignment_reveal_business_only",
                violation_error_message=_("Technical administrators never see personal data unmasked."),
            ),
        ]

    def __str__(self):
        where = self.organization.name if self.organization_id else _("whole system")
        return f"{self.user.username}: {self.get_role_display()} @ {where}"

    @property
    def role_info(self):
        return ROLES[self.role]

    def audit_scope_path(self):
        return self.organization.path if self.organization_id else ""

    @classmethod
    def scope_filter(cls, prefixes):
        from redengine.core.scoping import prefix_q

        return prefix_q("organization__path", prefixes)


class UserSession(models.Model):
    """A session opened by a login, so that disabling an account can end all of its sessions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self):
        return f"{self.user_id}@{self.created_at:%Y-%m-%d %H:%M}"


def token_digest(key: str) -> str:
    return hmac.new(settings.AUDIT_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()


class ApiToken(models.Model):
    """An API token (接口令牌); only its keyed digest is stored, so a copy of the database reveals none."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    # Updated at most once a minute (API_TOKEN_IDLE_TIMEOUT is checked against it; empty: never used).
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # Issued after a verified two-factor code: an account that requires two-factor login uses only these.
    otp_verified = models.BooleanField(_("two-factor verified"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls, user, *, otp_verified=False):
        """A new token for the account: (the key, shown once; the stored token). ``otp_verified``: the
        caller checked a two-factor code of the account just now."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            digest=token_digest(key),
            expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
            otp_verified=otp_verified,
        )
        return key, token

    def idle_since(self):
        return self.last_used_at or self.created_at


class AdminChangeRequest(models.Model):
    """A change to a security or audit administrator that one administrator may not make alone (三员分立):
    recorded by the administrator who asked for it, made when a second one confirms it.

    The confirmer is another person, holds one of the other two technical roles than the requester's, and
    is not the account the change is about. Requests and confirmations go to the access log (APPROVAL)."""

    class Operation(models.TextChoices):
        RESET = "reset", _("Reset the password")
        DISABLE = "disable", _("Disable the account")
        WITHDRAW = "withdraw", _("Withdraw a role")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        DONE = "done", _("Confirmed and done")
        VOID = "void", _("Void (the account or role changed meanwhile)")

    operation = models.CharField(_("change"), max_length=10, choices=Operation.choices)
    target = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="admin_change_requests", verbose_name=_("account")
    )
    assignment = models.ForeignKey(
        RoleAssignment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("role assignment"),
    )
    role = models.CharField(_("role"), max_length=30, choices=ROLE_CHOICES, blank=True)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_role = models.CharField(_("requester's role"), max_length=30, choices=ROLE_CHOICES)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)

    # The technical administrators see the requests (and confirm those they may confirm).
    role_actions = dict.fromkeys(TECHNICAL_ROLES, frozenset({VIEW}))

    class Meta:
        verbose_name = _("administrator change request")
        verbose_name_plural = _("administrator change requests")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.get_operation_display()}: {self.target.username}"
