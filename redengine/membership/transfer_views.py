"""Transfer pages (组织关系转接): the list with its filters and export, a transfer's page (the person masked,
the history of moves, the moves the user's side may make, the letter), the forms that start a transfer
within the system, issue a letter out of it and record a letter into it, each move's confirmation form,
the letter's Word document and the person picker. Every write goes through ``services/transfers.py``; a
move's page answers 404 for a transfer on which the user's side may not make it (``services.movable``)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.audit import log_access
from redengine.core.exports import content_disposition
from redengine.core.models import AccessEvent
from redengine.core.pickers import LIMIT
from redengine.core.reads import account_read
from redengine.core.views import Column, ObjectActionView, ObjectDetailView, ObjectListView, guard, refuse
from redengine.core.writes import Scope

from . import letters
from .models import Transfer
from .rules import ACCEPT, CANCEL, ISSUE, RECEIPT, REJECT, REQUEST, SEND, TRANSFER_TRANSITIONS, TransferKind
from .services import transfers as services
from .transfer_filters import TransferFilterSet
from .transfer_forms import (
    FOR_IN,
    LetterInForm,
    LetterOutForm,
    MoveForm,
    ReissueForm,
    StartForm,
    person_label,
    start_candidates,
    transferable_people,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MOVES = (SEND, REQUEST, ACCEPT, REJECT, CANCEL, RECEIPT)
RELATED = ("person__school", "from_organization", "to_organization", "to_school", "membership", "case")


class TransferListView(ObjectListView):
    model = Transfer
    filterset_class = TransferFilterSet
    select_related = ("person", "from_organization", "to_organization")
    default_order = ["-started_on", "-pk"]
    template_name = "membership/transfer_list.html"
    title = gettext_lazy("Transfers")
    export_title = gettext_lazy("Transfers of organization relationships")
    columns = [
        Column("person.name", gettext_lazy("Person"), "person__name_key", link=True),
        Column("get_kind_display", gettext_lazy("Kind of transfer"), "kind"),
        Column("get_status_display", gettext_lazy("Status"), "status"),
        Column("from_label", gettext_lazy("Transferred from")),
        Column("to_label", gettext_lazy("Transferred to")),
        Column("get_reason_display", gettext_lazy("Reason")),
        Column("started_on", gettext_lazy("Date started"), "started_on"),
        Column("decided_on", gettext_lazy("Date decided"), "decided_on"),
        Column("letter_number", gettext_lazy("Letter number")),
        Column("letter_valid_until", gettext_lazy("Letter valid until"), "letter_valid_until"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["extra_actions"] = [
            (label, reverse(name))
            for label, name, action in (
                (_("Start a transfer"), "membership:transfer_add", "add"),
                (_("Issue a letter out of the system"), "membership:transfer_letter_out", ISSUE),
                (_("Record a letter from outside"), "membership:transfer_letter_in", ACCEPT),
            )
            if user.can(Transfer, action)
        ]
        return context


class TransferDetailView(ObjectDetailView):
    model = Transfer
    select_related = RELATED
    template_name = "membership/transfer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        transfer, user = self.object, self.request.user
        today = timezone.localdate()
        scope = Scope(user)
        buttons = []
        for move in MOVES:
            starts = TRANSFER_TRANSITIONS[move][0]
            if (
                transfer.status in starts
                and user.can(Transfer, move)
                and services.may_move(scope, transfer, move)
            ):
                buttons.append(
                    (
                        move,
                        services.move_label(move),
                        reverse(f"membership:transfer_{move}", args=[transfer.pk]),
                    )
                )
        is_letter = transfer.kind == TransferKind.OUT and bool(transfer.letter_number)
        may_issue = user.can(Transfer, ISSUE) and services.may_move(scope, transfer, ISSUE)
        context.update(
            moves=list(transfer.moves.select_related("by").order_by("date", "recorded_at", "pk")),
            buttons=buttons,
            letter_url=reverse("membership:transfer_letter", args=[transfer.pk]) if is_letter else None,
            can_reissue=is_letter and transfer.status == "issued" and may_issue,
            past_validity=is_letter
            and transfer.status == "issued"
            and transfer.letter_valid_until is not None
            and transfer.letter_valid_until < today,
            late=transfer.status in ("sent", "requested") and services.is_late(transfer.started_on, today),
            limit_days=services.rules.param("transfer.accept_days", on=transfer.started_on),
            waiting_side=waiting_side(transfer),
            breadcrumbs=[(_("Transfers"), reverse("membership:transfer_list")), (str(transfer), None)],
            title=str(transfer),
        )
        return context


def waiting_side(transfer):
    if transfer.status == "sent":
        return _("the receiving side's acceptance")
    if transfer.status == "requested":
        return _("the sending side's release")
    if transfer.status == "proposed":
        return _("either side to start it, or to dismiss it")
    if transfer.status == "issued":
        return _("the return slip")
    return None


# Starting --------------------------------------------------------------------------------------------------
class StartView(ObjectActionView):
    """Start a transfer within the system: sent by the sending side, requested by the receiving side."""

    model = Transfer
    action = "add"
    object_required = False
    form_class = StartForm
    template_name = "membership/transfer_form.html"
    title = gettext_lazy("Start a transfer within the system")

    def form_arguments(self):
        return {"user": self.request.user}

    def perform(self, form):
        data = form.cleaned_data
        start = services.Start(
            data["person"],
            data["to_organization"],
            data["started_on"],
            data["reason"],
            data.get("to_school"),
            data.get("note", ""),
            data.get("side") or None,
        )
        (self.object,) = services.start_transfers([start], by=self.request.user)
        return _("Transfer of %(name)s recorded: %(status)s.") % {
            "name": self.object.person.name,
            "status": self.object.get_status_display(),
        }


class LetterOutView(StartView):
    """Issue an introduction letter out of the system."""

    action = ISSUE
    form_class = LetterOutForm
    title = gettext_lazy("Issue an introduction letter out of the system")

    def perform(self, form):
        data = form.cleaned_data
        letter = services.LetterOut(
            data["person"],
            data["outside_organization"],
            data["issued_on"],
            data["reason"],
            data.get("letter_number", ""),
            data.get("note", ""),
        )
        (self.object,) = services.issue_letters([letter], by=self.request.user)
        return _("Letter %(number)s issued: download it from this page.") % {
            "number": self.object.letter_number
        }


class LetterInView(StartView):
    """Record an introduction letter received from outside the system: the membership it gives."""

    action = ACCEPT
    form_class = LetterInForm
    title = gettext_lazy("Record an introduction letter from outside the system")

    def perform(self, form):
        data = form.cleaned_data
        letter = services.LetterIn(
            data["person"],
            data["to_organization"],
            data["outside_organization"],
            data["received_on"],
            data["admitted_on"],
            data.get("full_on"),
            data["letter_number"],
            data["reason"],
            data.get("note", ""),
        )
        (self.object,) = services.receive_letters([letter], by=self.request.user)
        return _("The letter is recorded and %(name)s's membership with it.") % {
            "name": self.object.person.name
        }


# Moves -------------------------------------------------------------------------------------------------------
QUESTIONS = {
    SEND: gettext_lazy("Send the transfer of %(name)s to the receiving organization (%(to)s)."),
    REQUEST: gettext_lazy("Ask %(from)s to release %(name)s to your organization (%(to)s)."),
    ACCEPT: gettext_lazy(
        "Accept %(name)s from %(from)s: the membership, the school and any open development case move to your organization."
    ),
    REJECT: gettext_lazy(
        "Refuse the transfer of %(name)s, with the reason the other side will read (an organization may not refuse without cause)."
    ),
    CANCEL: gettext_lazy("Cancel the transfer of %(name)s, with the reason."),
    RECEIPT: gettext_lazy(
        "Record the return slip of letter %(number)s: %(name)s's membership here ends on that day."
    ),
}
RELEASE = gettext_lazy(
    "Release %(name)s to %(to)s, who asked for the member: the membership, the school and any open development case move there."
)


class MoveView(ObjectActionView):
    """One move of a transfer: the page says what will happen and asks its date (and the reason, the
    organization); the move is the form's POST, written by ``services.move_transfers``."""

    model = Transfer
    form_class = MoveForm
    template_name = "membership/transfer_move.html"
    select_related = RELATED
    move = None

    @property
    def action(self):
        return self.move

    def object_queryset(self):
        return services.movable(self.scoped("view"), self.request.user, self.move)

    def get_title(self):
        return _("%(move)s: %(transfer)s") % {"move": services.move_label(self.move), "transfer": self.object}

    def form_arguments(self):
        return {"move": self.move, "transfer": self.object, "user": self.request.user}

    def perform(self, form):
        data = form.cleaned_data
        step = services.Step(
            self.object, self.move, data["date"], data.get("note", ""), data.get("organization")
        )
        services.move_transfers([step], by=self.request.user)
        return _("%(move)s recorded for %(transfer)s.") % {
            "move": services.move_label(self.move),
            "transfer": self.object,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        transfer = self.object
        words = {
            "name": transfer.person.name,
            "from": transfer.from_label or "—",
            "to": transfer.to_label or _("the organization you name"),
            "number": transfer.letter_number,
        }
        question = RELEASE if self.move == SEND and transfer.status == "requested" else QUESTIONS[self.move]
        context.update(question=question % words, move=self.move)
        return context


def move_view(move):
    return type(f"{move.title()}View", (MoveView,), {"move": move}).as_view()


class ReissueView(MoveView):
    """A letter past its validity (or lost): cancelled and issued again with a new number and validity."""

    form_class = ReissueForm
    move = ISSUE

    def object_queryset(self):
        queryset = services.movable(self.scoped("view"), self.request.user, ISSUE)
        return services.movable(queryset, self.request.user, CANCEL).filter(
            kind=TransferKind.OUT, status="issued"
        )

    def get_title(self):
        return _("Issue again: %(transfer)s") % {"transfer": self.object}

    def form_arguments(self):
        return {}

    def perform(self, form):
        data = form.cleaned_data
        (self.object,) = services.reissue_letters(
            [self.object], data["date"], by=self.request.user, note=data.get("note", "")
        )
        return _("Letter %(number)s issued in place of the old one.") % {"number": self.object.letter_number}

    def get_context_data(self, **kwargs):
        context = super(MoveView, self).get_context_data(**kwargs)
        context.update(
            question=_("Cancel letter %(number)s and issue a new one, valid from the date below.")
            % {"number": self.object.letter_number},
            move="reissue",
        )
        return context


# The letter and the picker -----------------------------------------------------------------------------
@login_required
def letter(request, pk):
    """The letter's Word document (logged as an export of the record; no ID number in the address)."""
    refused = guard(request, Transfer)
    if refused:
        return refused
    queryset = (
        Transfer.objects.visible_to(request.user).filter(kind=TransferKind.OUT).exclude(letter_number="")
    )
    transfer = get_object_or_404(queryset.select_related(*RELATED), pk=pk)
    content = letters.letter_document(transfer, request.user)
    log_access(AccessEvent.Kind.EXPORT, request=request, obj=transfer, rows=1, detail="letter")
    account_read(request, Transfer, [transfer])
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition(
        letters.filename(transfer), f"letter-{transfer.pk}.docx"
    )
    return response


@login_required
def person_suggest(request):
    """A picker's suggestions: the people of the user's scope a transfer may name, by name (``?for=in``:
    those without a current membership, for a letter from outside)."""
    if not request.user.can(Transfer, "view"):
        return refuse(request, Transfer, "view")
    text = (request.GET.get("q") or "").strip()[:50]
    letter_in = request.GET.get("for") == FOR_IN
    found = []
    if text:
        people = (
            transferable_people(request.user, letter_in=True) if letter_in else start_candidates(request.user)
        )
        found = list(
            people.filter(Q(name__contains=text))
            .select_related("school")
            .order_by("name_key", "pk")[: LIMIT + 1]
        )
    options = [{"pk": p.pk, "code": str(p.pk), "label": person_label(p)} for p in found[:LIMIT]]
    context = {"options": options, "more": len(found) > LIMIT, "asked": bool(text)}
    return HttpResponse(render_to_string("core/widgets/picker_options.html", context))
