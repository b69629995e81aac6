"""Form helpers: every choice list is scoped to what the user may use."""

from django import forms
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from .markup import attributes, escaped
from .scoping import ScopedQuerySet


def restrict_form_fields(form, user, actions=None):
    """Narrow each model choice field whose model is scoped to the rows the user may use.

    ``actions`` maps a field name to the action the user needs on the chosen row (default: view), or to
    (action, through) as a service checks what a write names.
    """
    actions = actions or {}
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
            queryset = field.queryset
            if isinstance(queryset, ScopedQuerySet):
                action = actions.get(name, "view")
                action, through = action if isinstance(action, tuple) else (action, None)
                field.queryset = queryset.visible_to(user, action, through)


class FastSelect(forms.Select):
    """``forms.Select`` written in Python: the same HTML as its templates (``select.html``, which includes
    ``select_option.html`` and ``attrs.html`` for every option: a filter form's selects were a fifth of a
    list page's time). ``bootstrapify`` gives it to the plain selects of the styled and filter forms."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escaped(widget["name"])}"{attributes(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{escaped(localize(group_name))}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{escaped(str(option["value"]))}"{attributes(option["attrs"])}>'
                    f"{escaped(localize(option['label']))}</option>\n"  # (the end of Django's option template)
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        # Every name, value and label is escaped above.
        return mark_safe("".join(parts))  # noqa: S308


def fast_select(widget):
    """The plain ``Select`` widget (not a subclass, which may have templates of its own) as ``FastSelect``."""
    if type(widget) is forms.Select:
        widget.__class__ = FastSelect


def bootstrapify(form):
    """Bootstrap classes on every widget, and marks on the fields that failed validation."""
    for name, field in form.fields.items():
        widget = field.widget
        fast_select(widget)
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        errors = getattr(form, "_errors", None)  # None until validated: never validate from here
        for extra in [css] + (["is-invalid"] if errors and name in errors else []):
            if extra not in classes:
                classes.append(extra)
        widget.attrs["class"] = " ".join(classes)
        if errors and name in errors:
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"id_{name}_error"
    return form


class StyledFormMixin:
    """Renders with Bootstrap classes; invalid fields are marked (after validation, in ``full_clean``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)

    def full_clean(self):
        super().full_clean()
        bootstrapify(self)

    def add_error(self, field, error):
        """An error a service adds after validation marks its field too."""
        super().add_error(field, error)
        if hasattr(self, "cleaned_data"):
            bootstrapify(self)


class ScopedModelForm(StyledFormMixin, forms.ModelForm):
    """A model form whose choices are scoped; ``scope_actions`` names fields that need more than view."""

    scope_actions: dict = {}

    def __init__(self, *args, user, scope_actions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        restrict_form_fields(self, user, {**(scope_actions or {}), **self.scope_actions})
