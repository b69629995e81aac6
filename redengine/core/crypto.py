"""Encryption of personal data at rest, with commercial cryptography (GB/T 39786-2021 §8.4).

ID numbers and mobiles are stored encrypted, each beside a blind index: a keyed digest of the value
under a separate key, so that an exact search ("who has this ID number?") or a uniqueness constraint
works on the index without decrypting the table. A dump of the database holds neither in clear.

The provider is pluggable: ``settings.CRYPTO_PROVIDER`` names a ``CryptoProvider`` class, so a
deployment that must use a certified cryptographic device (密码机) swaps in a class that calls it. The
default ``SoftwareSM4Provider`` uses the ``cryptography`` package (OpenSSL):

* SM4 (GB/T 32907-2016) in GCM mode, a fresh random 12-byte nonce for every value; the stored text is
  ``v1:`` + base64(nonce + ciphertext + 16-byte tag), 3 + 4·⌈(n + 28) / 3⌉ characters for n bytes of
  UTF-8 (67 for an ID number). The version prefix is bound to the ciphertext as associated data.
* Blind index: HMAC (GB/T 15852.2) with SM3 (GB/T 32905-2016) of the normalised value, as 64 hex digits.

Keys come from the settings ``PERSONAL_DATA_KEY`` (16 bytes as 32 hex digits: the SM4 key) and
``BLIND_INDEX_KEY`` (16 to 64 bytes as hex: the HMAC key). Losing ``PERSONAL_DATA_KEY`` loses the data;
changing ``BLIND_INDEX_KEY`` needs every index recomputed.
"""

import abc
import base64
import binascii
import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from .text import normalise_text

PROVIDER_SETTINGS = {"CRYPTO_PROVIDER", "PERSONAL_DATA_KEY", "BLIND_INDEX_KEY"}


class DecryptionError(Exception):
    """A stored value could not be decrypted: it was altered, truncated or encrypted under another key."""


class CryptoProvider(abc.ABC):
    """Encrypts, decrypts and indexes personal data; one instance serves the whole process."""

    @abc.abstractmethod
    def encrypt(self, plaintext: str) -> str:
        """The stored text for ``plaintext``; different at every call for the same value."""

    @abc.abstractmethod
    def decrypt(self, token: str) -> str:
        """The plaintext of a stored text; ``DecryptionError`` when it was altered or the key is wrong."""

    @abc.abstractmethod
    def blind_index(self, plaintext: str) -> str:
        """A keyed digest of the normalised value, the same at every call: for exact search and uniqueness."""


def normalise_for_index(value):
    """The form of a value that the blind index digests: no whitespace, ASCII half-width, capitals.

    So ``43010419800101001x``, ``４３０１０４１９８００１０１００１Ｘ`` and ``430104 19800101 001X`` index alike.
    Callers should still pass the canonical form that the validators return.
    """
    return "".join(normalise_text(value).split()).upper()


def _hex_key(name, value, min_bytes, max_bytes):
    try:
        key = bytes.fromhex(value or "")
    except ValueError:
        key = b""
    if min_bytes <= len(key) <= max_bytes:
        return key
    if min_bytes == max_bytes:
        digits, example = f"{2 * min_bytes}", min_bytes
    else:
        digits, example = f"{2 * min_bytes} to {2 * max_bytes}", 32
    raise ImproperlyConfigured(
        f"{name} must be {digits} hexadecimal digits (make one with: openssl rand -hex {example})."
    )


class SoftwareSM4Provider(CryptoProvider):
    """SM4-GCM encryption and an HMAC-SM3 blind index, in software (see the module docstring)."""

    VERSION = "v1"
    NONCE_BYTES = 12
    TAG_BYTES = 16

    def __init__(self, key=None, index_key=None):
        """Keys as hex strings; by default ``settings.PERSONAL_DATA_KEY`` and ``settings.BLIND_INDEX_KEY``."""
        self._key = _hex_key("PERSONAL_DATA_KEY", key or settings.PERSONAL_DATA_KEY, 16, 16)
        self._index_key = _hex_key("BLIND_INDEX_KEY", index_key or settings.BLIND_INDEX_KEY, 16, 64)
        if self._key == self._index_key:
            raise ImproperlyConfigured("BLIND_INDEX_KEY must not be the same as PERSONAL_DATA_KEY.")
        self._prefix = f"{self.VERSION}:"
        self._aad = self.VERSION.encode()

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(self.NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(self._aad)
        body = encryptor.update(plaintext.encode()) + encryptor.finalize()
        return self._prefix + base64.b64encode(nonce + body + encryptor.tag).decode("ascii")

    def decrypt(self, token: str) -> str:
        if not isinstance(token, str) or not token.startswith(self._prefix):
            raise DecryptionError(
                f"Not a stored value of this provider (it does not start with {self._prefix!r})."
            )
        try:
            raw = base64.b64decode(token[len(self._prefix) :], validate=True)
        except (binascii.Error, ValueError):
            raise DecryptionError("The stored value is damaged: it is not valid base64.") from None
        if len(raw) < self.NONCE_BYTES + self.TAG_BYTES:
            raise DecryptionError("The stored value is damaged: it is too short.")
        nonce, body, tag = (
            raw[: self.NONCE_BYTES],
            raw[self.NONCE_BYTES : -self.TAG_BYTES],
            raw[-self.TAG_BYTES :],
        )
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(self._aad)
        try:
            plaintext = decryptor.update(body) + decryptor.finalize()
        except InvalidTag:
            raise DecryptionError(
                "The stored value failed authentication: it was altered or encrypted under another key."
            ) from None
        return plaintext.decode()

    def blind_index(self, plaintext: str) -> str:
        mac = hmac.HMAC(self._index_key, hashes.SM3())
        mac.update(normalise_for_index(plaintext).encode())
        return mac.finalize().hex()


@functools.cache
def get_provider() -> CryptoProvider:
    """The provider named by ``settings.CRYPTO_PROVIDER``, made once per process."""
    try:
        provider_class = import_string(settings.CRYPTO_PROVIDER)
    except ImportError as error:
        raise ImproperlyConfigured(
            f"CRYPTO_PROVIDER {settings.CRYPTO_PROVIDER!r} cannot be imported: {error}"
        ) from None
    if not (isinstance(provider_class, type) and issubclass(provider_class, CryptoProvider)):
        raise ImproperlyConfigured(
            f"CRYPTO_PROVIDER {settings.CRYPTO_PROVIDER!r} is not a CryptoProvider class."
        )
    return provider_class()


@receiver(setting_changed)
def _reset_provider(*, setting, **kwargs):
    if setting in PROVIDER_SETTINGS:
        get_provider.cache_clear()


def seal(content: bytes) -> bytes:
    """A file (bytes) as kept at rest: encrypted like every personal datum, by the provider (SM4).

    For the uploads awaiting confirmation and the scanned documents of member development."""
    return get_provider().encrypt(base64.b64encode(content).decode()).encode()


def unseal(stored) -> bytes:
    return base64.b64decode(get_provider().decrypt(bytes(stored).decode()))
