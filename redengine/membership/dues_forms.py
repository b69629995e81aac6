"""Forms of party dues; each is written by the dues services (``services/dues.py``), which say what is wrong
with an amount or a month — the fields take the text as typed."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import StyledFormMixin
from redengine.people.forms import DATE

from .dues_filters import MonthField
from .models import PaymentMethod
from .rules import DuesCategory

AMOUNT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
METHODS = [("", _("— not given —")), *PaymentMethod.choices]


def amount_field(label, **kwargs):
    return forms.CharField(label=label, max_length=20, widget=AMOUNT, **kwargs)


class BaseForm(StyledFormMixin, forms.Form):
    """A member's base from a month (党费基数申报)."""

    category = forms.ChoiceField(label=_("Category"), choices=DuesCategory.choices)
    base = amount_field(
        _("Monthly base (yuan)"),
        help_text=_(
            "In service: the regular monthly pay after tax (post, grade and performance pay, allowances); "
            "retired: the basic pension. Students and members on relief: any amount, the dues are 0.20 yuan."
        ),
    )
    from_month = MonthField(label=_("From month"))
    declared_on = forms.DateField(label=_("Date declared"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["from_month"].initial = f"{today:%Y-%m}"
        self.fields["declared_on"].initial = today


class PaymentForm(StyledFormMixin, forms.Form):
    """One month paid (or, at 0 with no date, a payment taken back)."""

    paid = amount_field(_("Amount paid (yuan)"), help_text=_("The amount paid for the month in all."))
    paid_on = forms.DateField(label=_("Date paid"), widget=DATE, required=False)
    method = forms.ChoiceField(label=_("Method"), choices=METHODS, required=False)

    def __init__(self, *args, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        if entry is not None:
            self.fields["paid"].initial = entry.due if not entry.paid else entry.paid
        self.fields["paid_on"].initial = timezone.localdate()


class BatchPaymentForm(StyledFormMixin, forms.Form):
    """A whole month marked paid (the due in full) for the members chosen."""

    entries = forms.ModelMultipleChoiceField(
        label=_("Members who paid"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    paid_on = forms.DateField(label=_("Date paid"), widget=DATE)
    method = forms.ChoiceField(label=_("Method"), choices=METHODS, required=False)

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = entries
        self.fields["entries"].label_from_instance = lambda e: f"{e.membership.person.name}（{e.due}）"
        self.fields["paid_on"].initial = timezone.localdate()
        self.fields["entries"].widget.attrs.pop("class", None)


class ReliefForm(StyledFormMixin, forms.Form):
    """A reduction or exemption approved by the committee above (DUES.HARDSHIP)."""

    exempt = forms.BooleanField(label=_("Exempt"), required=False)
    monthly = amount_field(
        _("Reduced monthly amount (yuan)"), required=False, help_text=_("Left empty when exempt.")
    )
    from_month = MonthField(label=_("From month"))
    until_month = MonthField(label=_("Until month"))
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    approved_by = forms.CharField(
        label=_("Approved by"),
        max_length=100,
        help_text=_("The committee above that approved it, after the branch studied the application."),
    )
    approved_on = forms.DateField(label=_("Date approved"), widget=DATE)


class VoluntaryForm(StyledFormMixin, forms.Form):
    """A voluntary payment beyond the dues (DUES.VOLUNTARY)."""

    amount = amount_field(
        _("Amount (yuan)"),
        help_text=_("A one-off payment of 1,000 yuan or more is passed up to the Centre in full."),
    )
    paid_on = forms.DateField(label=_("Date paid"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class OpenMonthForm(StyledFormMixin, forms.Form):
    month = MonthField(label=_("Month"))


class PassedUpForm(StyledFormMixin, forms.Form):
    passed_up_on = forms.DateField(label=_("Date passed up"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passed_up_on"].initial = timezone.localdate()


class CalculatorForm(StyledFormMixin, forms.Form):
    """The dues calculator's question (a GET form)."""

    base = amount_field(_("Monthly base (yuan)"))
    category = forms.ChoiceField(
        label=_("Category"), choices=DuesCategory.choices, initial=DuesCategory.IN_SERVICE
    )
