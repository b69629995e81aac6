"""Every field of a model describing a person is in the personal-information inventory (PIPL art. 51)."""

from django.apps import apps
from django.core.management import call_command

from redengine.core.privacy import NOT_PERSONAL, PERSONAL_FIELDS, PERSONAL_MODELS, SENSITIVE


def test_every_field_of_a_personal_model_is_classified():
    unclassified = []
    for label in PERSONAL_MODELS:
        model = apps.get_model(label)
        for field in model._meta.concrete_fields:
            key = f"{label}.{field.name}"
            if key not in PERSONAL_FIELDS and key not in NOT_PERSONAL:
                unclassified.append(key)
    assert not unclassified, f"classify these fields in redengine/core/privacy.py: {unclassified}"


def test_inventory_names_only_real_fields():
    for key in [*PERSONAL_FIELDS, *NOT_PERSONAL]:
        app_label, model_name, field = key.split(".")
        assert apps.get_model(app_label, model_name)._meta.get_field(field)


def test_sensitive_identifiers_are_stored_only_encrypted():
    person = apps.get_model("people.Person")
    names = {f.name for f in person._meta.concrete_fields}
    assert {"id_number_cipher", "mobile_cipher"} <= names
    assert not names & {"id_number", "mobile"}  # never a clear-text column
    assert PERSONAL_FIELDS["people.Person.id_number_cipher"].category == SENSITIVE


def test_a_broken_crypto_key_fails_the_system_check(settings, capsys):
    import pytest
    from django.core.management.base import SystemCheckError

    settings.PERSONAL_DATA_KEY = "not-hex"
    with pytest.raises(SystemCheckError, match="redengine.E002"):
        call_command("check")
