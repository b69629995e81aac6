"""The inventory of personal information (PIPL art. 51; security-goals.md "Privacy").

Each app declares, in its own ``privacy.py``, the fields of its models that describe a person, with
their purpose, category and retention (an ``Entry``), and the fields of those models that hold no
personal information. ``core/tests/test_privacy.py`` fails when a personal model gains a field that
is declared neither way (``unclassified``), so that no personal field arrives unnoticed.
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Entry:
    purpose: str
    category: str  # "sensitive" (PIPL art. 28) or "general"
    retention: str


SENSITIVE, GENERAL = "sensitive", "general"

PERSONAL_FIELDS: dict[str, Entry] = {}  # "app_label.Model.field" -> its entry
NOT_PERSONAL: set[str] = set()  # fields of personal models that hold no personal information
PERSONAL_MODELS: list[str] = []  # models describing a person: every field is declared one way or the other
PERSON_MODEL: list[str] = []  # the model of the people themselves, whose ids the bulk-read alert counts


def declare_person(model):
    """Name the model (``"app_label.ModelName"``) whose rows are the people (core/reads.py counts them)."""
    PERSON_MODEL[:] = [model]


def declare(model, personal, not_personal=(), *, every_field=True):
    """Declare the personal fields of ``model`` (``"app_label.ModelName"``), each with its ``Entry``, and
    those that hold no personal information.

    With ``every_field`` (a model that describes a person) each of its fields must be declared; without
    it (the account holder's name and e-mail on an account) only the fields given are in the inventory.
    """
    PERSONAL_FIELDS.update({f"{model}.{name}": entry for name, entry in personal.items()})
    NOT_PERSONAL.update(f"{model}.{name}" for name in not_personal)
    if every_field and model not in PERSONAL_MODELS:
        PERSONAL_MODELS.append(model)


def unclassified():
    """The fields of the personal models that are declared neither personal nor not personal."""
    return [
        key
        for label in PERSONAL_MODELS
        for key in (f"{label}.{field.name}" for field in apps.get_model(label)._meta.concrete_fields)
        if key not in PERSONAL_FIELDS and key not in NOT_PERSONAL
    ]


def unknown():
    """The declared fields that do not exist."""
    missing = []
    for key in [*PERSONAL_FIELDS, *NOT_PERSONAL]:
        app_label, model_name, name = key.split(".")
        fields = {field.name for field in apps.get_model(app_label, model_name)._meta.get_fields()}
        if name not in fields:
            missing.append(key)
    return missing
