"""The import sheet 党费缴纳 (dues paid), as docs/import-templates.md gives it: 公民身份号码, 姓名, 月份, 缴费基数,
应缴金额, 金额, 缴纳日期, 缴纳方式 — and the monthly collection sheet (党费收缴表) of an organization, which is the
same sheet filled with the month's ledger, so that a secretary fills in who paid and imports it back.

A row is the dues of one member (by the ID number, through its blind index, as every sheet names a person)
for one month: 金额 is the amount paid for that month in all, on 缴纳日期. A row without 金额 and 缴纳日期 is a
member who has not paid yet: it changes nothing (so that the collection sheet comes back with its blank
rows). The rows are one batch of ``services.dues.PAYMENTS``, which checks them as it checks the forms and
the API: a member in good standing, the month opened in the ledger (or paid ahead within the year), the
amount at most the due (the rest is a voluntary payment), a date paid not in the future. 应缴金额 and
姓名 are checked against the ledger and the person (a wrong ID number shows), 缴费基数 is for reading only.
Importing the same sheet again changes nothing.
"""

import datetime
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.comments import Comment

from redengine.dataio import parsers
from redengine.dataio.errors import WARNING
from redengine.dataio.importer import SheetImporter, SheetPlan, chunked, register, report
from redengine.dataio.parsers import CellError
from redengine.dataio.sheets import Column, Sheet
from redengine.dataio.template import AUTHOR, CodeSheet, add_column, text_cell
from redengine.people.imports import ID_HELP, people_of_rows, read_id_numbers, revealed_people
from redengine.people.models import Membership

from .models import DuesEntry, PaymentMethod
from .services import dues
from .services.dues import parse_month, read_amount

SHEET = "党费缴纳"
METHODS = [
    (PaymentMethod.CASH.value, "现金"),
    (PaymentMethod.TRANSFER.value, "银行转账"),
    (PaymentMethod.ONLINE.value, "线上支付"),
    (PaymentMethod.PAYROLL.value, "工资代扣"),
]


class MonthCell(parsers.Parser):
    """A month typed as text (2026-03, 2026/3, 2026年3月) or an Excel date (any day of it)."""

    kind = "month"
    number_format = "@"  # text: Excel would make "2026-03" typed in a General cell a date of its own
    repeats = True

    def parse(self, value):
        if isinstance(value, datetime.datetime | datetime.date):
            return parse_month(value)
        try:
            return parse_month(value if isinstance(value, str) else parsers.display(value))
        except ValueError:
            raise CellError(_("Not a month. Type it as 2026-03 (year and month).")) from None

    def cell(self, value):
        return f"{value:%Y-%m}" if value else None


class AmountCell(parsers.Parser):
    """An amount of yuan to the fen (a number cell, or text such as 15 or 15.00)."""

    kind = "amount"
    number_format = "0.00"
    repeats = True

    def parse(self, value):
        if isinstance(value, float):
            value = repr(value)  # 15.3, not 15.300000000000000710…
        amount, reason = read_amount(value)
        if reason:
            raise CellError(reason)
        return amount

    def cell(self, value):
        return None if value is None else str(value)


DUES_SHEET = Sheet(
    SHEET,
    [
        Column("公民身份号码", "id_number", parsers.id_number_text(), required=True, help=ID_HELP),
        Column(
            "姓名",
            "name",
            parsers.text(50),
            help=gettext_lazy("Optional: when given, it must be the name of the person of the ID number."),
        ),
        Column(
            "月份",
            "month",
            MonthCell(),
            required=True,
            help=gettext_lazy("The month the dues are for, such as 2026-03."),
        ),
        Column(
            "缴费基数",
            "base",
            parsers.text(20),
            help=gettext_lazy("For reading only: the base of the ledger. It is not imported."),
        ),
        Column(
            "应缴金额",
            "due",
            AmountCell(),
            help=gettext_lazy("Optional: the due of the ledger; a different amount is told as a warning."),
        ),
        Column(
            "金额",
            "amount",
            AmountCell(),
            help=gettext_lazy(
                "The amount paid for the month in all, at most the due (more is a voluntary payment). "
                "Empty together with 缴纳日期: not paid yet, the row changes nothing."
            ),
        ),
        Column(
            "缴纳日期",
            "paid_on",
            parsers.date(),
            help=gettext_lazy("Required with 金额; not in the future."),
        ),
        Column("缴纳方式", "method", parsers.choice(METHODS)),
    ],
    key=("id_number", "month"),
)
COLUMNS = {
    "membership": "id_number",
    "month": "month",
    "paid": "amount",
    "paid_on": "paid_on",
    "method": "method",
}


class DuesSheet(SheetImporter):
    sheet = DUES_SHEET
    order = 120  # after 人员 (whose people a row names) and the other sheets
    models = (DuesEntry,)

    def plan(self, ctx, data):
        matched = people_of_rows(ctx, data, read_id_numbers(ctx, data, set()))
        memberships = self.memberships([person.pk for _row, person in matched if person.pk])
        rows, payments = [], []
        for row, person in matched:
            values = row.values
            member = memberships.get(person.pk) if person.pk else None
            if member is None:
                data.issue(row, "id_number", no_membership() if person.pk else new_in_file())
                continue
            if values["name"] and values["name"] != person.name:
                data.issue(row, "name", _("This ID number is not of a person of this name."))
                continue
            if values["amount"] is None and values["paid_on"] is None:
                continue  # not paid yet: the collection sheet's blank row
            if values["amount"] is None:
                data.issue(row, "amount", _("Give the amount paid with the date paid."))
                continue
            if values["amount"] == 0:
                data.issue(row, "amount", _("A row of this sheet is a payment: the amount is more than 0."))
                continue
            payments.append(
                dues.Payment(
                    membership=member,
                    month=values["month"],
                    amount=values["amount"],
                    paid_on=values["paid_on"],
                    method=values["method"] or "",
                )
            )
            rows.append(row)
        checked = dues.PAYMENTS.check(payments, ctx.scope, ctx.today)
        report(data, rows, checked.problems, columns=COLUMNS, default="id_number")
        if not checked.problems:
            self.warn(data, rows, checked)
        counts = checked.counts()
        return SheetPlan(counts["new"], counts["changed"], counts["unchanged"], extra={"payments": payments})

    @staticmethod
    def memberships(pks):
        found = {}
        for chunk in chunked(sorted(pks)):
            for member in (
                Membership.objects.current()
                .filter(person_id__in=chunk)
                .select_related("person", "organization")
            ):
                found[member.person_id] = member
        return found

    @staticmethod
    def warn(data, rows, checked):
        """Warnings (the rows are written): a due that is not the ledger's, a month paid in part."""
        for index, entry, _new, _changed in checked.rows:
            row = rows[index]
            given = row.values["due"]
            if given is not None and given != entry.due:
                data.issue(
                    row,
                    "due",
                    _("The ledger's due is %(due)s yuan (the sheet is older than the ledger).")
                    % {"due": entry.due},
                    WARNING,
                )
            if entry.paid < entry.due:
                data.issue(
                    row,
                    "amount",
                    _("Paid in part: %(owed)s yuan of %(month)s remain owed.")
                    % {"owed": entry.due - entry.paid, "month": f"{entry.month:%Y-%m}"},
                    WARNING,
                )

    def write(self, ctx, plan):
        # One batch, checked once more inside the import's write.
        dues.record_payments(plan.extra["payments"], by=ctx.by, today=ctx.today)

    # Template and export ----------------------------------------------------------------------------
    def exported(self, ctx):
        """The months paid this year in the user's export scope (those a re-import finds unchanged)."""
        year = ctx.today.year
        return DuesEntry.objects.visible_to(ctx.user, "export").filter(
            month__gte=datetime.date(year, 1, 1), month__lte=datetime.date(year, 12, 1), paid__gt=0
        )

    def export_rows(self, ctx):
        revealed = revealed_people(ctx)
        entries = self.exported(ctx).select_related("membership__person", "dues_base")
        for entry in entries.order_by("organization_id", "membership_id", "month").iterator(2000):
            yield row_of(entry, entry.membership.person.pk in revealed)

    def export_count(self, ctx):
        return self.exported(ctx).count()


def no_membership():
    return _("This person has no current party membership: there are no dues to record.")


def new_in_file():
    return _(
        "This person is new in this workbook: their dues are recorded once the membership is imported and the "
        "month opened in the ledger."
    )


def row_of(entry, full):
    """The sheet's row of a ledger entry (the ID number in full only for a person the user may reveal)."""
    person = entry.membership.person
    return {
        "id_number": person.reveal_id_number() if full else person.id_number_masked,
        "name": person.name,
        "month": entry.month,
        "base": str(entry.dues_base.base) if entry.dues_base_id else None,
        "due": entry.due,
        "amount": entry.paid if entry.paid else None,
        "paid_on": entry.paid_on,
        "method": entry.method or None,
    }


# The collection sheet ---------------------------------------------------------------------------------
def collection_workbook(entries, *, revealed, stamp, title):
    """The monthly collection sheet (党费收缴表) of ``entries`` (the ledger's entries of an organization and a
    month, with their members and bases) as .xlsx bytes: the 党费缴纳 sheet as the template makes it (text
    columns, date formats, the drop-down of 缴纳方式, a note on each header), filled with one row per entry,
    each value written as a value (never a formula). ``revealed``: the pks of the people whose ID numbers are
    given in full; ``stamp`` (who, when, who approved) goes to the properties, the page header and a note."""
    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet(SHEET)
    sheet.freeze_panes = "A2"
    codes = CodeSheet(book)
    for index, column in enumerate(DUES_SHEET.columns, start=1):
        add_column(sheet, index, column, codes, {})
    codes.sheet.sheet_state = "hidden"
    count = 0
    for count, entry in enumerate(entries, start=1):
        values = row_of(entry, entry.membership.person_id in revealed)
        for index, column in enumerate(DUES_SHEET.columns, start=1):
            value = column.parser.cell(values.get(column.key))
            cell = sheet.cell(count + 1, index)
            if value in (None, ""):
                continue
            if isinstance(value, datetime.date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            elif column.key in ("due", "amount"):
                cell.value = Decimal(value)
                cell.number_format = "0.00"
            else:
                text_cell(cell, value)
    book.properties.creator = AUTHOR
    book.properties.title = str(title)[:200]
    book.properties.description = stamp
    sheet.oddHeader.left.text = stamp.replace("&", "&&")
    sheet["A1"].comment = Comment(
        f"{stamp}\n{sheet['A1'].comment.text if sheet['A1'].comment else ''}", AUTHOR, width=300, height=140
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count


register(DuesSheet())
