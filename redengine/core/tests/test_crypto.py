"""Encryption of personal data: SM4-GCM and an HMAC-SM3 blind index (GB/T 39786-2021 §8.4)."""

import base64
import hashlib
import hmac as std_hmac
import re
import secrets

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from redengine.core.crypto import (
    CryptoProvider,
    DecryptionError,
    SoftwareSM4Provider,
    get_provider,
    normalise_for_index,
)

from .test_settings_and_start import manage, production_env

property_test = settings(database=None, deadline=None, max_examples=100)

KEY = "0123456789abcdeffedcba9876543210"
INDEX_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
ID_NUMBER = "430104198001010014"


@pytest.fixture
def provider():
    return SoftwareSM4Provider(KEY, INDEX_KEY)


def raw(token):
    assert token.startswith("v1:")
    return base64.b64decode(token[3:])


# --- The primitives are the national algorithms ----------------------------------------------------


def test_sm4_gcm_known_answer():
    """RFC 8998 appendix A.1: SM4-GCM test vector, so the library's "SM4" is GB/T 32907's."""
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(bytes.fromhex("00001234567800000000ABCD"))).encryptor()
    encryptor.authenticate_additional_data(bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"))
    plaintext = bytes.fromhex("".join(c * 16 for c in "ABCDEFEA"))
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    assert ciphertext.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert encryptor.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


def test_sm3_known_answer():
    """GB/T 32905-2016 appendix A.1: SM3("abc")."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_blind_index_is_hmac_sm3_of_the_normalised_value(provider):
    """HMAC (RFC 2104 / GB/T 15852.2) over SM3, computed here by the construction itself."""
    key = bytes.fromhex(INDEX_KEY).ljust(64, b"\0")  # SM3's block is 64 bytes

    def sm3(data):
        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return digest.finalize()

    inner = sm3(bytes(b ^ 0x36 for b in key) + ID_NUMBER.encode())
    expected = sm3(bytes(b ^ 0x5C for b in key) + inner).hex()
    assert provider.blind_index(ID_NUMBER) == expected
    if "sm3" in hashlib.algorithms_available:
        assert expected == std_hmac.new(bytes.fromhex(INDEX_KEY), ID_NUMBER.encode(), "sm3").hexdigest()


def test_stored_value_is_sm4_gcm_with_a_12_byte_nonce(provider):
    """The stored text is v1: + base64(nonce 12 + ciphertext + tag 16), decryptable by plain SM4-GCM."""
    data = raw(provider.encrypt(ID_NUMBER))
    assert len(data) == 12 + len(ID_NUMBER) + 16
    decryptor = Cipher(algorithms.SM4(bytes.fromhex(KEY)), modes.GCM(data[:12], data[-16:])).decryptor()
    decryptor.authenticate_additional_data(b"v1")
    assert decryptor.update(data[12:-16]) + decryptor.finalize() == ID_NUMBER.encode()


# --- Encryption ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plaintext", [ID_NUMBER, "13812345678", "张三", "湖南省长沙市岳麓区麓山南路 1 号", "", "a" * 1000]
)
def test_round_trip(provider, plaintext):
    assert provider.decrypt(provider.encrypt(plaintext)) == plaintext


@property_test
@given(st.text())
def test_round_trip_of_any_text(plaintext):
    provider = SoftwareSM4Provider(KEY, INDEX_KEY)
    token = provider.encrypt(plaintext)
    assert provider.decrypt(token) == plaintext
    assert len(token) == 3 + 4 * -(-(len(plaintext.encode()) + 28) // 3)  # the length in the docstring


def test_two_encryptions_of_the_same_value_differ(provider):
    """A fresh nonce for every value: equal values cannot be spotted in a dump."""
    tokens = {provider.encrypt(ID_NUMBER) for _ in range(50)}
    assert len(tokens) == 50
    assert len({raw(t)[:12] for t in tokens}) == 50


def test_the_stored_value_shows_nothing_of_the_plaintext(provider):
    """security-goals (Privacy): a dump holds no ID number or mobile in clear, not even in part."""
    for plaintext in (ID_NUMBER, "13812345678", "张三丰"):
        token = provider.encrypt(plaintext)
        data = raw(token)
        for start in range(len(plaintext) - 5):
            part = plaintext[start : start + 6]
            assert part not in token
            assert part.encode() not in data
        assert base64.b64encode(plaintext.encode()).decode()[:8] not in token
        assert not re.search(r"\d{11}", token)


def test_altering_any_byte_is_detected(provider):
    token = provider.encrypt(ID_NUMBER)
    data = raw(token)
    for position in range(len(data)):
        altered = bytearray(data)
        altered[position] ^= 0x01
        with pytest.raises(DecryptionError, match="altered or encrypted under another key"):
            provider.decrypt("v1:" + base64.b64encode(bytes(altered)).decode())


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("430104198001010014", "does not start with 'v1:'"),
        ("v2:AAAA", "does not start with 'v1:'"),
        ("v1:not base64!", "not valid base64"),
        ("v1:" + base64.b64encode(b"short").decode(), "too short"),
        (None, "does not start"),
    ],
)
def test_malformed_stored_values_are_refused_clearly(provider, token, message):
    with pytest.raises(DecryptionError, match=message):
        provider.decrypt(token)


def test_truncated_or_extended_values_are_refused(provider):
    token = provider.encrypt(ID_NUMBER)
    data = raw(token)
    for altered in (data[:-1], data + b"\0", data[:12] + data[13:]):
        with pytest.raises(DecryptionError):
            provider.decrypt("v1:" + base64.b64encode(altered).decode())


def test_another_key_cannot_decrypt(provider):
    token = provider.encrypt(ID_NUMBER)
    other = SoftwareSM4Provider(secrets.token_hex(16), INDEX_KEY)
    with pytest.raises(DecryptionError):
        other.decrypt(token)


def test_the_error_does_not_carry_the_value(provider):
    token = provider.encrypt(ID_NUMBER)
    with pytest.raises(DecryptionError) as raised:
        SoftwareSM4Provider(secrets.token_hex(16), INDEX_KEY).decrypt(token)
    assert token[3:20] not in str(raised.value)
    assert ID_NUMBER not in str(raised.value)


# --- Blind index -----------------------------------------------------------------------------------


def test_blind_index_is_deterministic_hex(provider):
    index = provider.blind_index(ID_NUMBER)
    assert re.fullmatch(r"[0-9a-f]{64}", index)
    assert provider.blind_index(ID_NUMBER) == index
    assert SoftwareSM4Provider(secrets.token_hex(16), INDEX_KEY).blind_index(ID_NUMBER) == index


def test_blind_index_depends_on_the_index_key(provider):
    other = SoftwareSM4Provider(KEY, secrets.token_hex(32))
    assert other.blind_index(ID_NUMBER) != provider.blind_index(ID_NUMBER)
    unkeyed = hashes.Hash(hashes.SM3())
    unkeyed.update(ID_NUMBER.encode())
    assert provider.blind_index(ID_NUMBER) != unkeyed.finalize().hex()


def test_blind_index_tells_values_apart(provider):
    indexes = {provider.blind_index(f"43010419800101{n:03d}4") for n in range(200)}
    assert len(indexes) == 200


@pytest.mark.parametrize(
    "typed",
    [
        "43010419800101001x",
        " 430104 19800101 001X ",
        "４３０１０４１９８００１０１００１Ｘ",
        "43010419800101001X",
    ],
)
def test_blind_index_of_the_normalised_value(provider, typed):
    assert normalise_for_index(typed) == "43010419800101001X"
    assert provider.blind_index(typed) == provider.blind_index("43010419800101001X")


# --- Keys and the provider setting -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "index_key", "message"),
    [
        ("not hex", INDEX_KEY, "PERSONAL_DATA_KEY must be 32 hexadecimal digits"),
        (KEY[:-2], INDEX_KEY, "PERSONAL_DATA_KEY must be 32 hexadecimal digits"),
        (KEY + "00", INDEX_KEY, "PERSONAL_DATA_KEY must be 32 hexadecimal digits"),
        (KEY, INDEX_KEY[:30], "BLIND_INDEX_KEY must be 32 to 128 hexadecimal digits"),
        (KEY, INDEX_KEY * 3, "BLIND_INDEX_KEY must be 32 to 128 hexadecimal digits"),
        (KEY, KEY, "must not be the same"),
    ],
)
def test_bad_keys_are_refused_by_name(key, index_key, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        SoftwareSM4Provider(key, index_key)


def test_the_provider_comes_from_the_settings(settings):
    settings.PERSONAL_DATA_KEY = KEY
    settings.BLIND_INDEX_KEY = INDEX_KEY
    provider = get_provider()
    assert isinstance(provider, SoftwareSM4Provider)
    assert get_provider() is provider
    assert provider.blind_index(ID_NUMBER) == SoftwareSM4Provider(KEY, INDEX_KEY).blind_index(ID_NUMBER)
    token = provider.encrypt(ID_NUMBER)

    settings.PERSONAL_DATA_KEY = secrets.token_hex(16)  # Django's setting_changed resets the cache
    assert get_provider() is not provider
    with pytest.raises(DecryptionError):
        get_provider().decrypt(token)


class ReversingProvider(CryptoProvider):
    """A stand-in for a device-backed provider (not secure: it only shows the setting is used)."""

    def encrypt(self, plaintext):
        return "rev:" + plaintext[::-1]

    def decrypt(self, token):
        return token[4:][::-1]

    def blind_index(self, plaintext):
        return "index:" + plaintext


def test_a_deployment_can_name_another_provider(settings):
    settings.CRYPTO_PROVIDER = f"{__name__}.ReversingProvider"
    assert isinstance(get_provider(), ReversingProvider)
    assert get_provider().encrypt("abc") == "rev:cba"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("redengine.core.crypto.Missing", "cannot be imported"),
        ("redengine.core.crypto.DecryptionError", "not a CryptoProvider"),
    ],
)
def test_a_wrong_provider_setting_is_named(settings, path, message):
    settings.CRYPTO_PROVIDER = path
    with pytest.raises(ImproperlyConfigured, match=message):
        get_provider()


def test_the_provider_class_is_abstract():
    with pytest.raises(TypeError):
        CryptoProvider()


def test_default_settings_give_a_working_provider(settings):
    assert settings.CRYPTO_PROVIDER == "redengine.core.crypto.SoftwareSM4Provider"
    provider = SoftwareSM4Provider()
    assert provider.decrypt(provider.encrypt("张三")) == "张三"


@pytest.mark.parametrize("name", ["PERSONAL_DATA_KEY", "BLIND_INDEX_KEY"])
def test_production_mode_needs_the_keys(tmp_path, name):
    env = production_env(tmp_path)
    env.pop(name, None)
    result = manage("check", **env)
    assert result.returncode != 0
    assert name in result.stderr
    assert "Traceback" not in result.stderr
