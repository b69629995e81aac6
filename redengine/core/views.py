"""The small generic layer every list, detail, edit, delete and export view stands on.

A concrete view declares its model, filter set, columns and form; scope and permission are applied
here, so a later model cannot forget them: a role without the action answers 403, an object
outside the user's scope answers 404 exactly like one that does not exist.
"""

import inspect
import logging
import sys
from dataclasses import dataclass
from functools import partialmethod

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import generic

from . import approvals, export_jobs
from .audit import log_access, remember
from .exports import CHUNK, export_filename, scope_name, xlsx_response
from .filters import scope_choices
from .forms import bootstrapify
from .markup import escaped
from .models import AccessEvent
from .pagination import DeferredJoinPaginator
from .reads import account_read, is_personal
from .scoping import scope_covers
from .services import Item
from .templatetags.redengine import cell as cell_text
from .writes import RefusedError

VIEW, ADD, CHANGE, DELETE, EXPORT = "view", "add", "change", "delete", "export"
logger = logging.getLogger("redengine")


_LABELS = {}  # (model, "get_<field>_display", language) -> (attname, {value: label}), or None


def choice_labels(model, name):
    """(attname, {value: translated label}) when ``name`` is Django's ``get_<field>_display`` of a choice
    field of ``model`` (not a method of that name written by the model), else None; built once per model,
    method and language. Django's own method builds the dictionary of the lazy labels, hashes and
    translates every one of them at each call: a list page's choice columns spent most of their time
    there, an export of many rows most of its."""
    key = (model, name, get_language())
    if key in _LABELS:
        return _LABELS[key]
    found = None
    if name.startswith("get_") and name.endswith("_display"):
        try:
            field = model._meta.get_field(name[4:-8])
        except FieldDoesNotExist:  # a method of that name
            field = None
        if (
            field is not None
            and field.choices
            and isinstance(inspect.getattr_static(model, name, None), partialmethod)
        ):
            found = (field.attname, {value: str(label) for value, label in field.flatchoices})
    _LABELS[key] = found
    return found


@dataclass(frozen=True)
class Column:
    """One column of a list and of its export: an attribute path, a header, and optional sort key."""

    accessor: str
    label: str
    order_by: str | None = None
    link: bool = False

    def value(self, obj):
        for part in self.accessor.split("."):
            labels = choice_labels(type(obj), part) if part.endswith("_display") else None
            if labels is not None:  # what get_<field>_display() answers, from the labels read once
                value = getattr(obj, labels[0])
                obj = labels[1].get(value, value)
            else:
                obj = getattr(obj, part, None)
                if callable(obj):
                    obj = obj()
            if obj is None:
                return ""
        return obj

    def reader(self, model):
        """``value`` as a function of a row of ``model``: for a choice's label, the labels looked up once."""
        labels = choice_labels(model, self.accessor) if "." not in self.accessor else None
        if labels is None:
            return self.value
        attname, labels = labels

        def read(obj):
            value = getattr(obj, attname)
            value = labels.get(value, value)
            return "" if value is None else value

        return read


def refuse(request, model, action):
    """403 for a role without the action, logged. A response, not an exception, so the log row is kept."""
    log_access(AccessEvent.Kind.REFUSED, request=request, obj=model._meta.label_lower, detail=action)
    return render(request, "403.html", status=403)


def guard(request, model, action=VIEW):
    """The answer of a function view before it looks anything up: to the login page for an anonymous
    visitor, 403 (logged) for a role without ``action`` on ``model``; ``None`` when it may go on."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.can(model, action):
        return refuse(request, model, action)
    return None


class ScopedMixin(LoginRequiredMixin):
    """Resolves the model's rows through ``visible_to(user, action)`` and refuses roles without the action."""

    model = None
    action = VIEW
    select_related = ()
    prefetch_related = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.can(self.model, self.action):
            return refuse(request, self.model, self.action)
        return super().dispatch(request, *args, **kwargs)

    def scoped(self, action=None):
        queryset = self.model.objects.visible_to(self.request.user, action or self.action)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def get_queryset(self):
        return self.scoped()

    list_url_name = None  # default: ``<app>:<model>_list``

    def list_url(self):
        """The model's list page (None if it has none)."""
        name = self.list_url_name or f"{self.model._meta.app_label}:{self.model._meta.model_name}_list"
        try:
            return reverse(name)
        except NoReverseMatch:
            return None


def paged(request, object_list, per_page=25, param="page"):
    """A page of ``object_list`` (a queryset or a list) for a page that is not an ObjectListView, with what
    core/pagination.html needs: the page, its numbers (elided), and the query without the page (kept on
    every link). A page number past the end shows the last page; a wrong one, the first."""
    paginator = DeferredJoinPaginator(object_list, per_page)
    page = paginator.get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    query.pop("export", None)
    return {
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": paginator.num_pages > 1,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "page_ellipsis": paginator.ELLIPSIS,
        "query": query.urlencode(),
    }


class ObjectListView(ScopedMixin, generic.ListView):
    """List with filters, sorting, pagination and an .xlsx export of the filtered rows."""

    template_name = "core/object_list.html"
    filterset_class = None
    columns: list = []
    paginate_by = 25
    paginator_class = DeferredJoinPaginator  # a deep page reads its rows' keys first (core/pagination.py)
    default_order = None
    create_url_name = None
    title = ""
    # Where a record's own page is its edit form (no detail page), its link is shown only to those who may
    # change it (one query for the page): the others read the row.
    link_action = None

    def filtered(self, queryset):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        scope_choices(self.filterset, self.request.user)  # before the form is built: its choices are scoped
        if self.filterset.is_bound and not self.filterset.is_valid():
            bootstrapify(self.filterset.form)  # the wrong fields marked, their messages shown: nothing listed
            return queryset.none()
        bootstrapify(self.filterset.form)
        queryset = self.filterset.qs if self.filterset.is_bound else queryset
        sort = self.request.GET.get("sort", "")
        allowed = {c.order_by for c in self.columns if c.order_by}
        if sort.lstrip("-") in allowed:
            return queryset.order_by(sort, "pk")
        return queryset.order_by(*(self.default_order or ["pk"]))

    def get_queryset(self):
        return self.filtered(self.scoped())

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export()
        response = super().get(request, *args, **kwargs)
        account_read(request, self.model, getattr(self, "page_objects", []))  # personal models only
        return response

    export_unmasked = False  # the export holds ID numbers or mobiles in full (then it always needs approval)
    export_title = None  # the file's name (in Chinese), e.g. "Staff roster"; the list's title by default

    def export_queryset(self):
        """The rows an export of this request holds: the export scope, the list's filters and sort."""
        return self.filtered(self.scoped(EXPORT))

    def export(self):
        if not self.request.user.can(self.model, EXPORT):
            return refuse(self.request, self.model, EXPORT)
        queryset = self.export_queryset()
        if self.filterset.is_bound and not self.filterset.is_valid():
            # A wrong filter exports nothing: back to the list (without the wrong value) with its message.
            for errors in self.filterset.form.errors.values():
                for error in errors:
                    messages.error(self.request, error)
            return redirect(self.request.path)
        approval = None
        count = queryset.count()
        if is_personal(self.model):
            reason = approvals.reason_for(count, unmasked=self.export_unmasked)
            if reason:
                outcome = approvals.gate(
                    self.request,
                    title=self.get_title(),
                    model_label=self.model._meta.label_lower,
                    rows=count,
                    reason=reason,
                )
                if isinstance(outcome, HttpResponse):
                    return outcome
                approval = outcome
            account_read(self.request, self.model, queryset=queryset, rows=count, detail="export")
        title = str(self.get_title())
        file_name = export_filename(self.export_title or title, scope_name(self.request.user, self.filterset))
        if count > settings.EXPORT_BACKGROUND_ROWS and not approvals.holds_identifier(self.request):
            # Written by the background worker; its page follows the rows and then offers the file.
            query = self.request.GET.copy()
            for key in approvals.NOT_FILTERS:
                query.pop(key, None)
            return export_jobs.start(
                self.request,
                title=title,
                file_name=file_name,
                model=self.model,
                rows=count,
                approval=approval,
                query=query.urlencode(),
            )
        return xlsx_response(
            self.request,
            title=title,
            headers=[c.label for c in self.columns],
            rows=self.export_rows(queryset),
            filename=file_name,
            fallback=f"{self.model._meta.model_name}-{timezone.localdate().isoformat()}.xlsx",
            model=self.model,
            approval=approval,
        )

    def export_rows(self, queryset):
        """The export's rows: each object's column values (a choice's label looked up once per export)."""
        readers = [c.reader(self.model) for c in self.columns]
        for obj in queryset.iterator(CHUNK) if hasattr(queryset, "iterator") else queryset:
            yield [read(obj) for read in readers]

    def get_title(self):
        return capfirst(self.title or self.model._meta.verbose_name_plural)

    def column_readers(self):
        """(reader, label, link) per column, made once per request: the value's function of the row
        (``Column.reader``) and the header translated once, not once a cell."""
        if getattr(self, "_readers", None) is None:
            self._readers = [(c.reader(self.model), str(c.label), c.link) for c in self.columns]
        return self._readers

    def cells(self, obj):
        """(value, link) per column; the link goes to the object's page where the column asks for it."""
        linkable = getattr(self, "linkable", None)
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None
        if linkable is not None and obj.pk not in linkable:
            url = None
        return [Cell(read(obj), url if link else None, label) for read, label, link in self.column_readers()]

    def cell_attrs(self, obj, cells):
        """Extra attributes of each of a row's cells (each a safe string, ``format_html``, starting with a
        space), or None for none: a list's own look (the organizations' tree indent)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        if self.link_action:
            pks = [obj.pk for obj in context["object_list"]]
            mine = self.model.objects.visible_to(self.request.user, self.link_action).filter(pk__in=pks)
            self.linkable = set(mine.values_list("pk", flat=True))
        rows = []
        for obj in context["object_list"]:
            cells = self.cells(obj)
            rows.append((obj, Cells(cells, self.cell_attrs(obj, cells))))
        page = context.get("page_obj")
        if page is not None and context.get("is_paginated"):
            context["page_range"] = list(
                page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            )
            context["page_ellipsis"] = page.paginator.ELLIPSIS
        self.page_objects = [obj for obj, _cells in rows]  # what this page shows: the read that is logged
        context.update(
            title=self.get_title(),
            filterset=self.filterset,
            columns=self.columns,
            rows=rows,
            query=query.urlencode(),
            sort_query=sort_query.urlencode(),
            current_sort=self.request.GET.get("sort", ""),
            can_add=self.request.user.can(self.model, ADD) and self.create_url_name,
            can_export=self.request.user.can(self.model, EXPORT),
            create_url_name=self.create_url_name,
            breadcrumbs=[(self.get_title(), None)],
        )
        return context


class ObjectDetailView(ScopedMixin, generic.DetailView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        account_read(request, self.model, [self.object])  # personal models only
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_change"] = self.may(CHANGE)
        context["can_delete"] = self.may(DELETE)
        return context

    def may(self, action):
        """Whether the user may do ``action`` on the record shown: from the roles' scopes where they tell
        (``scope_covers``), else one query."""
        user = self.request.user
        known = scope_covers(user, self.model, action, within=self.action)
        if known is not None:
            return known
        return self.model.objects.visible_to(user, action).filter(pk=self.object.pk).exists()


class Cell:
    """A table cell: unpacks as ``(value, url)``; ``label`` names its column (shown on a phone's card)."""

    __slots__ = ("value", "url", "label")

    def __init__(self, value, url, label):
        self.value, self.url, self.label = value, url, label

    def td(self, attrs=""):
        """The cell's ``<td>`` (escaped HTML), as the template wrote it: ``<td data-label="{{ c.label }}">``
        and the value through the ``cell`` filter, localized and escaped as ``{{ }}`` does, linked where it
        has a url; ``attrs`` is safe (``format_html``)."""
        text = escaped(localize(cell_text(self.value)))
        if self.url:
            text = f'<a href="{escaped(self.url)}">{text}</a>'
        return f'<td data-label="{escaped(self.label)}"{attrs}>{text}</td>'

    def __iter__(self):
        return iter((self.value, self.url))

    def __len__(self):
        return 2

    def __getitem__(self, index):
        return (self.value, self.url)[index]


class Cells(list):
    """A row's cells, which ``{{ cells }}`` renders as their ``<td>`` elements (``Cell.td``), with the view's
    ``cell_attrs``. Written in Python: cell by cell in the template, the cells were most of a list page's
    template nodes and a third of its time. Still a list of ``Cell`` for templates that lay a row out
    themselves."""

    def __init__(self, cells, attrs=None):
        super().__init__(cells)
        self.attrs = attrs

    def __str__(self):
        attrs = self.attrs or [""] * len(self)
        # Every value, url and label is escaped by Cell.td; the attributes are safe strings.
        return mark_safe("".join(cell.td(extra) for cell, extra in zip(self, attrs, strict=True)))  # noqa: S308

    __html__ = __str__


def add_problems(form, refused, item=0):
    """A refusal's problems as the form's errors: by field where the form has the field, else above it."""
    if refused.missing:
        form.add_error(None, _("You cannot save this record outside your scope."))
        return
    for name, messages_ in refused.by_field(item).items():
        form.add_error(name if name in form.fields else None, messages_)


def remembered(obj):
    """``obj`` with its values as loaded kept for the audit trail (a form changes the object it edits)."""
    if obj is not None:
        remember([obj])
    return obj


class ServiceFormMixin:
    """A form whose record is written by the model's service: the form's data become one item."""

    service = None

    def item_values(self, form):
        """The form's data that the service sets (its other fields are the view's business)."""
        return {k: v for k, v in form.cleaned_data.items() if k in self.service.fields}

    def reference_actions(self, is_new):
        """Choices of the form are narrowed as the service will check them (``visible_to`` with ``through``)."""
        item_action = ADD if is_new else CHANGE
        return {
            name: self.service.reference_rule(rule, item_action)
            for name, rule in self.service.references.items()
        }


class ObjectEditView(ServiceFormMixin, ScopedMixin, generic.UpdateView):
    """Create (no pk in the URL) or change an object through the model's service (``service``), which checks
    the scope of everything written inside its write path."""

    template_name = "core/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        self.action = CHANGE if "pk" in kwargs else ADD
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        if self.action == ADD:
            return None
        return remembered(super().get_object(queryset))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["scope_actions"] = self.reference_actions(self.object is None)
        kwargs.update(self.get_parent_kwargs())
        return kwargs

    def get_parent_kwargs(self):
        """Extra form arguments from the URL (a record added from its parent's page); none by default."""
        return {}

    def save(self, form):
        """One item through the service; a view overrides ``item_values`` to give it more."""
        return self.service.save([Item(self.item_values(form), instance=self.object)], by=self.request.user)[
            0
        ]

    def form_valid(self, form):
        try:
            obj = self.save(form)
        except RefusedError as exc:
            add_problems(form, exc)
            return self.form_invalid(form)
        self.object = obj
        messages.success(self.request, _("Saved %(object)s.") % {"object": obj})
        return redirect(self.get_success_url())

    back_to_list = False  # after saving, go back to the list rather than the object's page

    def get_success_url(self):
        return self.list_url() if self.back_to_list else self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        crumbs = [(self.model._meta.verbose_name_plural, self.list_url())]
        if self.object:
            crumbs.append((str(self.object), self.object.get_absolute_url()))
        context["title"] = (
            _("Change %(object)s") % {"object": self.object}
            if self.object
            else _("New %(model)s") % {"model": self.model._meta.verbose_name}
        )
        context["breadcrumbs"] = [*crumbs, (context["title"], None)]
        return context


class ObjectDeleteView(ScopedMixin, generic.DeleteView):
    template_name = "core/object_delete.html"
    action = DELETE
    success_url_name = None
    service = None

    def form_valid(self, form):
        name = str(self.object)
        try:
            self.service.delete([self.object], by=self.request.user)
        except RefusedError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return redirect(self.object.get_absolute_url())
        messages.success(self.request, _("Deleted %(object)s.") % {"object": name})
        return redirect(self.success_url_name)


class ObjectActionView(ScopedMixin, generic.FormView):
    """One action on one record (record a step, close a case, move an organization, withdraw a role…):
    the record looked up within ``action``'s scope, a form, the service called by ``perform``, a message
    and the way back. A concrete view declares ``model``, ``action``, ``form_class``, ``title`` and
    ``perform``; with ``object_required = False`` it acts without a record (receive an organization)."""

    template_name = "core/object_edit.html"
    object_required = True
    title = ""
    success_message = ""
    select_related = ()

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def object_queryset(self):
        """Where the record is looked up (default: the model's rows within ``action``'s scope)."""
        return self.scoped()

    def setup_object(self):
        if self.object_required and self.object is None:
            self.object = remembered(get_object_or_404(self.object_queryset(), pk=self.kwargs["pk"]))
        return self.object

    def get(self, request, *args, **kwargs):
        self.setup_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(self.form_arguments())
        return kwargs

    def form_arguments(self):
        """Extra arguments of the form (the user, the record)."""
        return {}

    def perform(self, form):
        """Call the service; return the message to show, or a response."""
        raise NotImplementedError

    def form_valid(self, form):
        try:
            outcome = self.perform(form)
        except RefusedError as exc:
            add_problems(form, exc)
            return self.form_invalid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        if isinstance(outcome, HttpResponse):
            return outcome
        messages.success(self.request, outcome or self.success_message)
        return redirect(self.get_success_url())

    def object_url(self):
        return self.object.get_absolute_url() if hasattr(self.object, "get_absolute_url") else None

    def get_success_url(self):
        return self.object_url() or self.list_url()

    def get_title(self):
        return self.title % {"object": self.object} if self.object is not None else self.title

    def breadcrumbs(self):
        crumbs = [(capfirst(self.model._meta.verbose_name_plural), self.list_url())]
        if self.object is not None:
            crumbs.append((str(self.object), self.object_url()))
        return [*crumbs, (self.get_title(), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.get_title(),
            object=self.object,
            back=self.object_url() or self.list_url(),
            breadcrumbs=self.breadcrumbs(),
        )
        return context


class ObjectConfirmView(ObjectActionView):
    """An action that only needs a confirmation (withdraw a role, remove the latest step): the page says what
    will happen; the form is a single button."""

    template_name = "core/object_confirm.html"
    form_class = forms.Form
    question = ""

    def get_question(self):
        """What will happen, said on the page before anything is done (GET); the action is its POST."""
        return self.question % {"object": self.object} if self.object is not None else self.question

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "question": self.get_question()}


def server_error(request):
    """500, or 503 naming the cause when the database cannot be reached (no database needed to render)."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable: %s (check the DATABASE_URL setting)", exc)
        return HttpResponse(loader.render_to_string("503.html"), status=503)
    return HttpResponse(loader.render_to_string("500.html"), status=500)
