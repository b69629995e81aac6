"""Membership after admission (党员管理): transfers of the organization relationship and their letters, floating
members, changes of state with their resolutions, party dues (the declared base, the monthly ledger, reliefs
and voluntary payments), awards, and party discipline.

The membership itself is the registry's (``people.Membership``: one current per person, its organization,
dates, 留党察看 and state); this app writes it only through its services (a transfer moves it, a change of
state or a discipline changes its state), and every record here that belongs to a member lies where the
membership lies — so that a member's history follows the teacher from school to school. The dues ledger
keeps the organization a month was due at, so that an organization's year totals stay its own.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.models import AuditedModel
from redengine.core.permissions import ADD, CHANGE, DELETE, EXPORT, USUAL, VIEW, usual_table
from redengine.core.scoping import ScopedQuerySet, prefix_q
from redengine.development.models import DevelopmentCase
from redengine.orgs.models import OrganizationScoped, PartyOrganization, School, school_scope_q
from redengine.people.choices import MembershipStatus
from redengine.people.models import Membership, Person

from .rules import (
    ACCEPT,
    CANCEL,
    ISSUE,
    PENDING,
    RECEIPT,
    REJECT,
    REQUEST,
    SEND,
    AwardLevel,
    AwardTitle,
    DisciplineKind,
    DuesCategory,
    TransferKind,
    TransferReason,
    TransferStatus,
)

TRANSFER_MOVES = frozenset({SEND, REQUEST, ACCEPT, REJECT, CANCEL, ISSUE, RECEIPT})
PROPOSE = "propose"  # a transfer proposed by a change of school (a move of its own, not a role action)
MOVE_LABELS = {
    SEND: _("Send"),
    REQUEST: _("Request"),
    ACCEPT: _("Accept"),
    REJECT: _("Refuse"),
    CANCEL: _("Cancel"),
    ISSUE: _("Issue the letter"),
    RECEIPT: _("Return slip received"),
    PROPOSE: _("Proposed by a change of school"),
}
VIEW_DISCIPLINE = "view_discipline"  # the app's scoped action: reading discipline records


class MemberScoped:
    """A record of a member (its ``membership``): it lies where the membership lies, and follows it."""

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("membership__organization__path", prefixes)

    def audit_scope_path(self):
        return self.membership.organization.path


# Transfers ------------------------------------------------------------------------------------------
class TransferQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(status__in=PENDING)


class Transfer(AuditedModel):
    """A transfer of a member's organization relationship (组织关系转接): within the system, from one
    organization of the tree to another (the membership, its history and any open development case move on
    acceptance); out of it, or into it, by an introduction letter (组织关系介绍信) and its return slip."""

    kind = models.CharField(_("kind of transfer"), max_length=8, choices=TransferKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, editable=False, db_index=True
    )
    reason = models.CharField(_("reason"), max_length=12, choices=TransferReason.choices)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("person")
    )
    membership = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("membership"),
    )
    case = models.ForeignKey(
        DevelopmentCase,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("development case moved with it"),
        editable=False,
    )
    from_organization = models.ForeignKey(
        PartyOrganization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("sending organization"),
    )
    to_organization = models.ForeignKey(
        PartyOrganization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("receiving organization"),
    )
    to_school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("new school"),
        help_text=_(
            "The school the teacher moves to (rotation, a new post): the person's school on acceptance."
        ),
    )
    outside_organization = models.CharField(
        _("organization outside the system"),
        max_length=100,
        blank=True,
        help_text=_("Out of the system: the receiving organization; into it: the sending one."),
    )
    started_by = models.CharField(
        _("started by"),
        max_length=10,
        choices=[("sending", _("The sending side")), ("receiving", _("The receiving side"))],
        default="sending",
        editable=False,
    )
    started_on = models.DateField(_("date started"), db_index=True)
    decided_on = models.DateField(_("date decided"), null=True, blank=True, editable=False)
    refusal = models.TextField(_("reason of the refusal or cancellation"), blank=True, editable=False)
    proposed_by_change = models.BooleanField(
        _("proposed by a change of school"), default=False, editable=False
    )
    # Letters (out of and into the system).
    letter_number = models.CharField(_("letter number"), max_length=40, blank=True)
    letter_valid_until = models.DateField(_("letter valid until"), null=True, blank=True)
    receipt_on = models.DateField(_("return slip received on"), null=True, blank=True, editable=False)
    # Into the system: the membership the letter gives (入党日期, 转正日期).
    admitted_on = models.DateField(_("date admitted"), null=True, blank=True)
    full_on = models.DateField(_("date of full membership"), null=True, blank=True)

    objects = TransferQuerySet.as_manager()
    role_actions = usual_table(
        city_admin=USUAL["city_admin"] | TRANSFER_MOVES,
        district_admin=USUAL["district_admin"] | TRANSFER_MOVES,
        school_secretary=USUAL["school_secretary"] | TRANSFER_MOVES,
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter_number"],
                condition=~Q(letter_number=""),
                name="transfer_letter_once",
                violation_error_message=_("Another letter has this number."),
            ),
        ]
        indexes = [
            models.Index(fields=["from_organization", "status"], name="transfer_from_status"),
            models.Index(fields=["to_organization", "status"], name="transfer_to_status"),
            models.Index(fields=["person", "status"], name="transfer_person_status"),
            models.Index(fields=["status", "started_on"], name="transfer_status_started"),
            models.Index(fields=["kind", "letter_valid_until"], name="transfer_letter_valid"),
        ]

    def __str__(self):
        return f"{self.person.name}：{self.get_kind_display()}（{self.get_status_display()}）"

    def get_absolute_url(self):
        return reverse("membership:transfer_detail", args=[self.pk])

    @classmethod
    def scope_filter(cls, prefixes):
        """Both sides see it: it lies where its sending and where its receiving organization lie."""
        return prefix_q("from_organization__path", prefixes) | prefix_q("to_organization__path", prefixes)

    def audit_scope_path(self):
        org = self.from_organization or self.to_organization
        return org.path if org else ""

    @property
    def is_pending(self):
        return self.status in PENDING

    @property
    def from_label(self):
        """Where the member comes from: the sending organization, or the body outside the system."""
        if self.from_organization_id:
            return self.from_organization.name
        return self.outside_organization if self.kind == TransferKind.IN else ""

    @property
    def to_label(self):
        """Where the member goes: the receiving organization, or the body outside the system."""
        if self.to_organization_id:
            return self.to_organization.name
        return self.outside_organization if self.kind == TransferKind.OUT else ""

    def delete_refusal(self):
        return _("A transfer is cancelled, not deleted: it stays in the member's history.")


class TransferMove(AuditedModel):
    """One move of a transfer (started, requested, released, accepted, refused, cancelled, letter issued,
    return slip received): who, on what day, the note, and whether it came after the time limit."""

    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="moves", verbose_name=_("transfer")
    )
    move = models.CharField(_("move"), max_length=10)
    date = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note or reason"), max_length=1000, blank=True)
    late = models.BooleanField(_("late"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("move of a transfer")
        verbose_name_plural = _("moves of transfers")
        ordering = ["transfer_id", "date", "recorded_at", "id"]
        indexes = [models.Index(fields=["transfer", "date"], name="transfer_move_date")]

    def __str__(self):
        return f"{self.label} {self.date:%Y-%m-%d}"

    @property
    def label(self):
        return MOVE_LABELS.get(self.move, self.move)

    def audit_scope_path(self):
        return self.transfer.audit_scope_path()


class FloatingRecord(MemberScoped, AuditedModel):
    """A floating member (流动党员): away from the unit for six months or more at a relatively fixed place
    without transferring, and where they take part in organizational life meanwhile."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="floating_records", verbose_name=_("membership")
    )
    place = models.CharField(_("where they are"), max_length=100)
    reason = models.CharField(_("reason"), max_length=12, choices=TransferReason.choices)
    left_on = models.DateField(_("away since"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    takes_part_in = models.CharField(
        _("where they take part in organizational life"), max_length=100, blank=True
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("floating member record")
        verbose_name_plural = _("floating member records")
        ordering = ["-left_on", "-id"]
        indexes = [models.Index(fields=["membership", "returned_on"], name="floating_membership")]

    def __str__(self):
        return f"{self.membership.person.name}：{self.place}"

    def get_absolute_url(self):
        return self.membership.person.get_absolute_url()


# States ---------------------------------------------------------------------------------------------
class StatusChange(MemberScoped, AuditedModel):
    """A change of a membership's state (失联, 停止党籍, 恢复, 自行脱党, 除名, 退党, 去世…): the day, the reason,
    the resolution that decided it and, where the rules require it, the higher organization's approval."""

    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("membership")
    )
    from_status = models.CharField(
        _("state before"), max_length=16, choices=MembershipStatus.choices, editable=False
    )
    to_status = models.CharField(_("state after"), max_length=16, choices=MembershipStatus.choices)
    date = models.DateField(_("date"), db_index=True)
    reason = models.TextField(_("reason"), max_length=1000)
    resolution = models.CharField(
        _("resolution"),
        max_length=200,
        blank=True,
        help_text=_("The meeting and its resolution that decided it."),
    )
    resolution_on = models.DateField(_("date of the resolution"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=100, blank=True)
    approved_on = models.DateField(_("date approved"), null=True, blank=True)
    document = models.CharField(_("document number"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table(
        school_secretary=frozenset({VIEW, ADD, EXPORT}),
        district_admin=frozenset({VIEW, ADD, EXPORT}),
        city_admin=frozenset({VIEW, ADD, EXPORT}),
    )

    class Meta:
        verbose_name = _("change of membership status")
        verbose_name_plural = _("changes of membership status")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["membership", "date"], name="status_change_membership")]

    def __str__(self):
        return f"{self.membership.person.name}：{self.get_from_status_display()} → {self.get_to_status_display()}"

    def get_absolute_url(self):
        return self.membership.person.get_absolute_url()


# Dues -----------------------------------------------------------------------------------------------
class DuesBase(MemberScoped, AuditedModel):
    """The monthly base a member declares (党费基数: pay after tax, or the basic pension) and the category, from
    a month on; the monthly amount the rules in force give it is kept with its rate and rule (``rules.quote``).
    A base stays in force until the member's next one; the ledger's months take the one in force."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="dues_bases", verbose_name=_("membership")
    )
    category = models.CharField(_("category"), max_length=12, choices=DuesCategory.choices)
    base = models.DecimalField(_("monthly base (yuan)"), max_digits=10, decimal_places=2)
    from_month = models.DateField(_("from month"), help_text=_("The first day of the month it applies from."))
    declared_on = models.DateField(_("date declared"))
    monthly = models.DecimalField(_("monthly dues (yuan)"), max_digits=10, decimal_places=2, editable=False)
    rate = models.DecimalField(
        _("rate"), max_digits=6, decimal_places=4, null=True, blank=True, editable=False
    )
    rule = models.CharField(_("rule"), max_length=20, editable=False)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("dues base")
        verbose_name_plural = _("dues bases")
        ordering = ["membership_id", "-from_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "from_month"],
                name="dues_base_once_a_month",
                violation_error_message=_("A base is declared from this month already."),
            ),
            models.CheckConstraint(
                condition=Q(base__gte=0) & Q(monthly__gte=0),
                name="dues_base_not_negative",
                violation_error_message=_("A base and its dues are never negative."),
            ),
        ]

    def __str__(self):
        return f"{self.membership.person.name} {self.from_month:%Y-%m}：{self.monthly}"

    def get_absolute_url(self):
        return reverse("membership:dues_member", args=[self.membership_id])


class DuesRelief(MemberScoped, AuditedModel):
    """A reduction or exemption of dues (DUES.HARDSHIP): applied for, studied by the branch and approved by
    the committee above, for a span of months, with its reason. The ledger's months it covers that are not
    paid yet are due at its amount (nothing when exempt)."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="dues_reliefs", verbose_name=_("membership")
    )
    exempt = models.BooleanField(
        _("exempt"), default=False, help_text=_("Exempt, or reduced to the amount below.")
    )
    monthly = models.DecimalField(
        _("reduced monthly amount (yuan)"), max_digits=10, decimal_places=2, default=0
    )
    from_month = models.DateField(_("from month"))
    until_month = models.DateField(_("until month"))
    reason = models.TextField(_("reason"), max_length=1000)
    approved_by = models.CharField(_("approved by"), max_length=100)
    approved_on = models.DateField(_("date approved"))

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("dues relief")
        verbose_name_plural = _("dues reliefs")
        ordering = ["membership_id", "-from_month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until_month__gte=F("from_month")),
                name="dues_relief_span",
                violation_error_message=_("A relief ends in or after the month it begins."),
            ),
        ]
        indexes = [
            models.Index(fields=["membership", "from_month", "until_month"], name="dues_relief_membership"),
        ]

    def __str__(self):
        what = _("exempt") if self.exempt else self.monthly
        return f"{self.membership.person.name} {self.from_month:%Y-%m}–{self.until_month:%Y-%m}：{what}"

    def get_absolute_url(self):
        return reverse("membership:dues_member", args=[self.membership_id])


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    ONLINE = "online", _("Online payment")
    PAYROLL = "payroll", _("Deducted from pay")


class DuesEntry(OrganizationScoped, AuditedModel):
    """One month of a member's dues in an organization's ledger (党费台账): due (from the base in force and
    any relief), paid (how much, on what day, how), and so what is owed. The organization is the member's
    when the month was opened: a member transferred since leaves the months before with the old ledger."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="dues_entries", verbose_name=_("membership")
    )
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        related_name="dues_entries",
        verbose_name=_("organization"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    due = models.DecimalField(_("due (yuan)"), max_digits=10, decimal_places=2)
    paid = models.DecimalField(_("paid (yuan)"), max_digits=10, decimal_places=2, default=0)
    paid_on = models.DateField(_("date paid"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices, blank=True)
    # Where the due came from (the base in force, a relief covering the month), for the ledger to show.
    dues_base = models.ForeignKey(
        DuesBase,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("dues base"),
        editable=False,
    )
    relief = models.ForeignKey(
        DuesRelief,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("dues relief"),
        editable=False,
    )

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("dues entry")
        verbose_name_plural = _("dues entries")
        ordering = ["organization_id", "-month", "membership_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "month"],
                name="dues_entry_once_a_month",
                violation_error_message=_("This member's dues of this month are recorded already."),
            ),
            models.CheckConstraint(
                condition=Q(due__gte=0) & Q(paid__gte=0),
                name="dues_entry_not_negative",
                violation_error_message=_("Dues due and paid are never negative."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "month"], name="dues_entry_org_month"),
            models.Index(fields=["membership", "month"], name="dues_entry_member_month"),
            models.Index(fields=["month"], name="dues_entry_month"),
        ]

    def __str__(self):
        return f"{self.membership.person.name} {self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("membership:dues_member", args=[self.membership_id])

    @property
    def owed(self):
        return max(self.due - self.paid, 0)

    @property
    def settled(self):
        return self.paid >= self.due

    @property
    def month_text(self):
        return f"{self.month:%Y-%m}"


class VoluntaryPayment(OrganizationScoped, AuditedModel):
    """A voluntary payment beyond the dues (自愿多交党费, DUES.VOLUNTARY); a one-off payment of
    ``dues.voluntary_pass_up_yuan`` (1,000 yuan) or more is passed up to the Centre in full (全额上缴中央),
    and the day it was passed up is recorded."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="voluntary_payments", verbose_name=_("membership")
    )
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        related_name="voluntary_payments",
        verbose_name=_("organization"),
    )
    paid_on = models.DateField(_("date paid"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    passed_up = models.BooleanField(_("passed up to the Centre"), default=False, editable=False)
    passed_up_on = models.DateField(_("date passed up"), null=True, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("voluntary payment")
        verbose_name_plural = _("voluntary payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="voluntary_more_than_nothing",
                violation_error_message=_("A voluntary payment is more than 0."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "paid_on"], name="voluntary_org_paid"),
            models.Index(fields=["passed_up", "passed_up_on"], name="voluntary_to_pass_up"),
        ]

    def __str__(self):
        return f"{self.membership.person.name} {self.paid_on:%Y-%m-%d}：{self.amount}"

    def get_absolute_url(self):
        return reverse("membership:dues_member", args=[self.membership_id])

    @property
    def to_pass_up(self):
        return self.passed_up and self.passed_up_on is None


# Awards and discipline ------------------------------------------------------------------------------
class Award(AuditedModel):
    """An award (表彰): 优秀共产党员 or 优秀党务工作者 to a person, 先进基层党组织 to an organization, at a level,
    with its date and document."""

    title = models.CharField(_("title"), max_length=24, choices=AwardTitle.choices, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=AwardLevel.choices)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        PartyOrganization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("organization"),
    )
    awarded_on = models.DateField(_("date of the award"), db_index=True)
    awarded_by = models.CharField(_("awarded by"), max_length=100)
    document = models.CharField(_("document number"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    role_actions = usual_table()

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-awarded_on", "-id"]
        indexes = [models.Index(fields=["title", "awarded_on"], name="award_title_day")]

    def __str__(self):
        who = self.person.name if self.person_id else self.organization.name
        return f"{who}：{self.get_title_display()}"

    def get_absolute_url(self):
        return reverse("membership:award_edit", args=[self.pk])

    @classmethod
    def scope_filter(cls, prefixes):
        return prefix_q("organization__path", prefixes) | (
            Q(person__isnull=False) & school_scope_q(prefixes, school="person__school_id")
        )

    def audit_scope_path(self):
        if self.person_id:
            return self.person.audit_scope_path()
        return self.organization.path


class Discipline(MemberScoped, AuditedModel):
    """A party disciplinary measure (党纪处分, 党章第四十条): its kind, the day and document of the decision, the
    body that decided, the period of 留党察看 and the day the member's rights were restored. Read only by
    the roles that need it (``view_discipline``): inspectors and administrators."""

    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="disciplines", verbose_name=_("membership")
    )
    kind = models.CharField(_("measure"), max_length=16, choices=DisciplineKind.choices)
    decided_on = models.DateField(_("date of the decision"), db_index=True)
    decided_by = models.CharField(_("deciding body"), max_length=100)
    document = models.CharField(_("document number"), max_length=100)
    reason = models.TextField(_("reason"), max_length=2000)
    period_months = models.PositiveSmallIntegerField(
        _("period (months)"), null=True, blank=True, help_text=_("留党察看: 12, or 24 once extended.")
    )
    lifted_on = models.DateField(
        _("rights restored on"),
        null=True,
        blank=True,
        help_text=_("留党察看: the day the member's rights are restored."),
    )

    objects = ScopedQuerySet.as_manager()
    role_actions = {
        "city_admin": frozenset({VIEW_DISCIPLINE, ADD, CHANGE, DELETE, EXPORT}),
        "district_admin": frozenset({VIEW_DISCIPLINE, ADD, CHANGE, DELETE, EXPORT}),
        "inspector": frozenset({VIEW_DISCIPLINE, EXPORT}),
    }

    class Meta:
        verbose_name = _("party discipline")
        verbose_name_plural = _("party discipline records")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["membership", "decided_on"], name="discipline_membership")]

    def __str__(self):
        return f"{self.membership.person.name}：{self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("membership:discipline_detail", args=[self.pk])
