"""What to do with what a rule selects or a detector finds: the redactions, by kind.

A field's compiled rule (rules.py) resolves to one of the kinds below. The first five change the value itself
(`Redactor.field`); `DETECT` and `DETECT_ID` send strings to the detectors (`Redactor.detected` then says what a finding
becomes); `KEEP`, `REMOVE`, `SENSITIVE` and
`ABOUT_SECRET`, `A_CODE` are done by the walker. Kinds are plain ints: they are compared on every key
of every event.

Every redaction maps its own output to itself (a label stays the label, a pseudonym is not hashed again, a mask stays
a mask), so that scrubbing twice gives what scrubbing once gave.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from policies.pii.fields import looks_like_a_listed_name, looks_like_a_name, names_no_person
from policies.pii.keys import token_shaped
from policies.pii.limits import in_int64
from policies.pii.passwords import a_login_value, shaped_like_a_password
from policies.pii.transforms import Hasher, generalize_date, is_label, label_for, mask, truncate_ip

KEEP, REMOVE, REPLACE, MASK, HASH, TRUNCATE_IP, GENERALIZE_DATE, DETECT, DETECT_ID, SENSITIVE = range(10)
# From what a key says (fields.py): strings replaced, objects walked (an address's country code stays); strings
# replaced when shaped like a person's name, else detected.
REPLACE_TEXT, REPLACE_NAME = 10, 11
# A key about a secret (keys.py `about_a_secret`: `password_changed_at`, `has_password`): its value is kept when it
# cannot be a secret (`cannot_be_a_secret`), else removed as a sensitive key's.
ABOUT_SECRET = 12
# A person's name field (`from_name`, `sender_name`): strings replaced, unless they name a team, a company or a mailbox
# (`The Acme Team`, `Acme Support`, `Acme GmbH`, `noreply`): those go to the detectors.
REPLACE_PERSON = 13
# A key that names a key or a signature (keys.py `names_a_token`: `algolia_key`, `hmac_key`): a string shaped like a
# token is replaced, any other value goes to the detectors (`sort_key: "name"` stays).
REPLACE_TOKEN = 14
# A key that names a role only some of whose values are people (`coach`, `processed_by`, `reviewers`): a string shaped
# like a name is replaced only when the name lists read it as one (fields.py `looks_like_a_listed_name`).
REPLACE_LISTED_NAME = 15
# A key that names a code by what it opens or how it comes (keys.py `names_a_code`: `door_code`, `sms_code`): its value
# is kept when it cannot be a code (`cannot_be_a_code`: `sent`, a date, a small count), else removed as a sensitive
# key's, a number too (`door_code: 4821`), which a key about a secret keeps (`password_changed_at: 1714000000`).
A_CODE = 16
# A key that names a login (keys.py `names_a_login`: `login`, `zugang`, `wifi`): a user name and a password in one
# value (passwords.py `a_login_pair`: `admin / Hunter2!`) or a strong password alone (`a_login_value`: `wlan:
# "Gast!2024"`) is replaced whole (the user name is often an e-mail address,
# which a field's redaction does not look for); any other value goes to the detectors (`login: "jdoe"`).
REPLACE_LOGIN = 17
# A key that is a word naming a key or a password (keys.py `names_a_key_word`: `sleutel`, `parola_chiave`): a value
# shaped like a password is replaced (passwords.py `shaped_like_a_password`), words go to the detectors.
REPLACE_SHAPED_SECRET = 18

# The policy's `[[pii.rules]] action` names.
RULE_KINDS = {"keep": KEEP, "remove": REMOVE, "replace": REPLACE, "mask": MASK, "hash": HASH,
              "truncate_ip": TRUNCATE_IP, "generalize_date": GENERALIZE_DATE, "detect": DETECT}
ACTION_NAMES = {REPLACE: "replace", MASK: "mask", HASH: "hash", TRUNCATE_IP: "truncate_ip",
                GENERALIZE_DATE: "generalize_date", REPLACE_TEXT: "replace", REPLACE_NAME: "replace",
                REPLACE_PERSON: "replace", REPLACE_TOKEN: "replace", REPLACE_LISTED_NAME: "replace",
                REPLACE_LOGIN: "replace", REPLACE_SHAPED_SECRET: "replace"}
# Kinds that a rule on an object or array applies to every value inside it.
TRANSFORMS = frozenset({REPLACE, MASK, HASH, TRUNCATE_IP, GENERALIZE_DATE, DETECT_ID})
# Sets rather than `in (A, B)`: on the per-key path a frozenset lookup is as fast as two comparisons, a tuple slower.
REMOVING = frozenset((SENSITIVE, REMOVE, ABOUT_SECRET, A_CODE))
DETECTING = frozenset((DETECT, DETECT_ID))
# Kinds under which a float is redacted by its text (a detector never looks at floats).
FLOAT_REDACTED = frozenset((REPLACE, MASK, HASH, GENERALIZE_DATE, TRUNCATE_IP))


# What a key about a secret holds when it holds no secret: a date or a time (ISO 8601), or up to three words of an
# enumeration, each in one case or capitalised (`strong`, `very_strong`, `SMS`, `Google`), or a standard's name in
# capitals and one digit (`WPA2`, `SHA1`). Passwords have digits or symbols and tokens mix cases. Or a form's step
# (`2 of 3`).
_WORD = r"(?:[a-z]{1,24}|[A-Z][a-z]{0,23}|[A-Z]{1,24}|[A-Z]{2,4}\d)"
_NOT_A_SECRET = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    rf"|{_WORD}(?:[ _-]{_WORD}){{0,2}}|\d{{1,2}} of \d{{1,2}}"
)


def cannot_be_a_secret(value: object) -> bool:
    """A value kept under a key about a secret: a boolean, null, a number (a count, a Unix time, a score), a date or
    a time, an enumeration's word. Anything else (a string of another shape, an object, an array) is removed."""
    if value is None or isinstance(value, (bool, int)):
        return not isinstance(value, int) or isinstance(value, bool) or in_int64(value)
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and len(value) <= 40 and _NOT_A_SECRET.fullmatch(value) is not None


def cannot_be_a_code(value: object) -> bool:
    """A value kept under a key that names a code: what a key about a secret keeps (cannot_be_a_secret), but a number
    of more than two digits, which may be the code (PINs, door and one-time codes have four to eight)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not -100 < value < 100:
        return False
    return cannot_be_a_secret(value)


def kept_under_its_key(kind: int, value: object) -> bool:
    """Whether a value stays under a key whose rule would remove it: under a key about a secret or naming a code, what
    cannot be one; under any other removing key, nothing."""
    if kind == ABOUT_SECRET:
        return cannot_be_a_secret(value)
    return kind == A_CODE and cannot_be_a_code(value)


def is_masked(value: str) -> bool:
    return bool(value) and value.count("*") == len(value)


def epoch_year(value: int) -> str:
    """The year of a Unix time in seconds or milliseconds (as Mixpanel and Amplitude send), or "[DATE]"."""
    seconds = value / 1000 if abs(value) >= 10**11 else value
    try:
        year = datetime.fromtimestamp(seconds, tz=UTC).year
    except (OverflowError, OSError, ValueError):
        return "[DATE]"
    return str(year) if 1000 <= year <= 2999 else "[DATE]"  # what generalize_date keeps from a string


class Redactor:
    """The redactions of one policy: its keyed hasher, its IP prefixes and its action per detected entity."""

    def __init__(self, hasher: Hasher, ipv4_prefix: int, ipv6_prefix: int, entity_actions: Mapping[str, str]) -> None:
        self.hash = hasher
        self._ipv4, self._ipv6 = ipv4_prefix, ipv6_prefix
        self._entity_actions = entity_actions

    def field(self, kind: int, value: str, label: str) -> str | None:
        """`value` under a field rule of `kind`; None when a truncate_ip field holds no address or a person's field
        no name (the detectors then decide). A kind that does not change values returns `value`."""
        if kind in (REPLACE, REPLACE_TEXT):
            return label
        if kind == REPLACE_NAME:
            return label if looks_like_a_name(value) else None
        if kind == REPLACE_LISTED_NAME:
            return label if looks_like_a_listed_name(value) else None
        if kind == REPLACE_PERSON:
            return None if names_no_person(value) else label
        if kind == REPLACE_TOKEN:
            return label if token_shaped(value) else None
        if kind == REPLACE_LOGIN:
            return label if a_login_value(value) else None
        if kind == REPLACE_SHAPED_SECRET:
            return label if shaped_like_a_password(value) else None
        if kind == MASK:
            return mask(value)
        if kind == HASH:
            return self.hash(value)
        if kind == GENERALIZE_DATE:
            return generalize_date(value)
        if kind == TRUNCATE_IP:
            return truncate_ip(value, self._ipv4, self._ipv6)
        return value

    def action(self, entity: str) -> str:
        """What the policy does with a detected `entity`: replace (default), mask, hash, remove or truncate_ip."""
        return self._entity_actions.get(entity, "replace")

    def detected(self, entity: str, found: str) -> str | None:
        """The replacement of a detector's finding, or None when `found` is already scrubbed."""
        if is_label(found) or self.hash.is_hash(found) or is_masked(found):
            return None
        action = self.action(entity)
        if action == "mask":
            return mask(found)
        if action == "hash":
            return self.hash(found)
        if action == "remove":
            return ""
        if action == "truncate_ip":
            truncated = truncate_ip(found, self._ipv4, self._ipv6)
            return truncated if truncated is not None else label_for(entity)
        return label_for(entity)
