"""Every field of a model describing a person is in the personal-information inventory (PIPL art. 51)."""

from django.apps import apps
from django.core.management import call_command

from redengine.core.privacy import PERSONAL_FIELDS, PERSONAL_MODELS, SENSITIVE, unclassified, unknown


def test_every_field_of_a_personal_model_is_classified():
    missing = unclassified()
    assert not missing, f"classify these fields in the privacy.py of their app: {missing}"


def test_inventory_names_only_real_fields():
    assert not unknown()


def test_each_app_declares_its_personal_models():
    assert {"people.Person", "people.Membership", "development.DevelopmentCase"} <= set(PERSONAL_MODELS)
    assert "accounts.User.full_name" in PERSONAL_FIELDS
    assert "accounts.User" not in PERSONAL_MODELS  # an account: only the holder's name and e-mail


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
