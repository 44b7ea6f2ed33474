"""The value transforms that rules and detectors apply: labels, masks, keyed hashes, IP truncation, date generalisation.

Each transform maps its own output to itself (a label stays the label, a hash is not hashed again, a truncated address
stays truncated), so that scrubbing twice gives the same result as scrubbing once.
"""

from __future__ import annotations

import ipaddress
import re

from policies.keyed_hash import KeyedHash

LABELS = {
    "EMAIL_ADDRESS": "[EMAIL]",
    "PHONE_NUMBER": "[PHONE]",
    "CREDIT_CARD": "[CREDIT_CARD]",
    "IBAN_CODE": "[IBAN]",
    "IP_ADDRESS": "[IP]",
    "US_SSN": "[SSN]",
    "NATIONAL_ID": "[NATIONAL_ID]",
    "CRYPTO": "[CRYPTO_WALLET]",
    "JWT": "[JWT]",
    "BEARER_TOKEN": "[TOKEN]",
    "AWS_ACCESS_KEY": "[AWS_KEY]",
    "SECRET_KEY": "[SECRET]",
    "PRIVATE_KEY": "[PRIVATE_KEY]",
    "URL_CREDENTIALS": "[CREDENTIALS]",
    "URL_SECRET": "[SECRET]",
    "PASSWORD": "[SECRET]",
    "STREET_ADDRESS": "[LOCATION]",
    "PERSON_NAME": "[PERSON]",
    "PERSON": "[PERSON]",
    "LOCATION": "[LOCATION]",
    "NUMBER": "[NUMBER]",
}
DEFAULT_LABEL = "[REDACTED]"
_LABEL = re.compile(r"\[[A-Z][A-Z0-9_]*\]")


def label_for(entity: str) -> str:
    return LABELS.get(entity, f"[{entity}]")


def is_label(value: str) -> bool:
    return _LABEL.fullmatch(value) is not None


class Hasher:
    """Keyed pseudonyms: `prefix` + the first `length` hex digits of HMAC-SHA256(key, value).

    Never an unkeyed hash: emails, phone numbers and ids are few enough to be found again by hashing guesses.
    """

    def __init__(self, key: bytes, prefix: str, length: int) -> None:
        if not key:
            raise ValueError("the hash key is empty; pseudonymising needs a secret key (e.g. 32 random bytes)")
        self._keyed, self._prefix, self._length = KeyedHash(key), prefix, length
        self._own = re.compile(re.escape(prefix) + "[0-9a-f]{" + str(length) + "}")

    def __call__(self, value: str) -> str:
        if self.is_hash(value):
            return value
        digest = self._keyed.hexdigest(value.encode("utf-8", "surrogatepass"))
        return self._prefix + digest[: self._length]

    def is_hash(self, value: str) -> bool:
        return self._own.fullmatch(value) is not None


def mask(value: str, char: str = "*") -> str:
    return char * len(value)


_IPV4 = re.compile(r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\."
                   r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)")


def truncate_ip(value: str, v4_prefix: int, v6_prefix: int) -> str | None:
    """The network of an address (`203.0.113.7` → `203.0.113.0`), or None if `value` holds something else.

    A comma-separated list (X-Forwarded-For) is truncated element by element.
    """
    if v4_prefix == 24:  # the common case, on every event: string work instead of the ipaddress module
        m = _IPV4.fullmatch(value)
        if m is not None:
            return f"{m.group(1)}.{m.group(2)}.{m.group(3)}.0"
    parts = value.split(",")
    out = []
    for part in parts:
        text = part.strip()
        host = text[1:-1] if text.startswith("[") and text.endswith("]") else text
        host = host.split("%", 1)[0]  # IPv6 zone index
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return None
        prefix = v4_prefix if address.version == 4 else v6_prefix
        network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
        out.append(str(network.network_address))
    return ", ".join(out) if len(parts) > 1 else out[0]


_YEAR = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")


def generalize_date(value: str) -> str:
    """A date of birth reduced to its year (`1990-05-17`, `17.05.1990`, `May 17, 1990` → `1990`), else `[DATE]`."""
    found = _YEAR.search(value)
    return found.group(1) if found else "[DATE]"
