"""Anonymized forwarding: an event without its identifiers, for a destination with on_missing_consent = "anonymize".

- Identifiers become pseudonyms: `anon_` and 32 hex digits of HMAC-SHA256(day key, id), where the day key is
  HMAC-SHA256(key, "consent-pseudonym:" + the ISO date). Within a day an id always gets the same pseudonym, so a
  vendor can still count visitors and funnels; the next day it gets another, so no profile builds up across days.
  Without the key nobody can link a pseudonym to its id: an unkeyed hash of an id is reversed by hashing guesses.
  Pseudonymized: userId, anonymousId, groupId, previousId, context.device.id.
- Removed: context.ip; context.device.advertisingId (its only use is tracking across apps) and context.device.token
  (a push token reaches the device); context.externalIds; context.traits and an identify call's traits (a name or an
  email beside the pseudonym would identify the person again).
- Vendor copies. The codecs keep what the canonical model has no place for in `extra`, and Mixpanel and PostHog carry
  ids among properties; so, at any depth of `extra`, `properties`, `context` and `integrations`, a key named like an id
  (ID_KEYS, any letter case) gets the same pseudonym as the canonical field would, and a key named like an address or
  an advertising id (REMOVED_KEYS) is removed. Other personal data (emails in properties...) is the PII scrubber's job.

The input event is never changed: it may go unanonymized to destinations that have consent.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from dataclasses import replace
from datetime import date
from typing import Any

from policies.event import Event
from policies.keyed_hash import KeyedHash

PREFIX = "anon_"
HEX_DIGITS = 32  # 128 bits: no collision among any realistic number of ids

ID_KEYS = frozenset({
    "user_id", "userid", "$user_id",  # Amplitude user_id, Mixpanel $user_id
    "anonymous_id", "anonymousid",
    "device_id", "deviceid", "$device_id",  # Amplitude device_id, Mixpanel and PostHog $device_id
    "distinct_id", "$distinct_id", "$anon_distinct_id",  # Mixpanel and PostHog
    "amplitude_id", "idfv", "android_id",
    "group_id", "groupid", "previous_id", "previousid", "alias",
})
REMOVED_KEYS = frozenset({
    "ip", "$ip", "ip_address", "ipaddress",
    "idfa", "adid", "gaid", "advertising_id", "advertisingid",  # Amplitude idfa/adid: advertising ids
})


def day_key(key: bytes, day: date) -> bytes:
    """The key of one day's pseudonyms, derived from the gateway's secret."""
    if not key:
        raise ValueError("anonymize needs a secret key: unkeyed hashes of ids are reversed by guessing")
    return hmac.new(key, b"consent-pseudonym:" + day.isoformat().encode("ascii"), hashlib.sha256).digest()


@functools.lru_cache(maxsize=4)  # the events of a day share it: its key's states are made once, not per event
def day_hash(key: bytes, day: date) -> KeyedHash:
    """The keyed hash of one day's pseudonyms: HMAC-SHA256 under `day_key(key, day)`."""
    return KeyedHash(day_key(key, day))


def pseudonym(value: Any, key_of_day: KeyedHash) -> Any:
    """The pseudonym of an id under the day's keyed hash (`day_hash`); absent and empty ids stay as they are."""
    if value is None or value == "":
        return value
    if isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)  # SDKs send numeric ids too; 42 and "42" are the same user
    else:
        text = json.dumps(value, sort_keys=True, default=repr)
    digest = key_of_day.hexdigest(text.encode("utf-8", "surrogatepass"))
    return PREFIX + digest[:HEX_DIGITS]


_TOUCHED = ID_KEYS | REMOVED_KEYS
_CONTAINERS = (dict, list)


def _scrubbed(value: Any, key_of_day: KeyedHash) -> Any:
    """A copy of a JSON value with id keys pseudonymized and REMOVED_KEYS left out, at any depth."""
    if isinstance(value, dict):
        copy = {}
        for name, item in value.items():
            lowered = name.lower() if isinstance(name, str) else name
            if lowered in _TOUCHED:
                if lowered in REMOVED_KEYS:
                    continue
                if not isinstance(item, _CONTAINERS):
                    copy[name] = pseudonym(item, key_of_day)
                    continue
            copy[name] = _scrubbed(item, key_of_day) if isinstance(item, _CONTAINERS) else item
        return copy
    if isinstance(value, list):
        return [_scrubbed(item, key_of_day) if isinstance(item, _CONTAINERS) else item for item in value]
    return value


def anonymize(event: Event, key: bytes, day: date) -> Event:
    """A new event without `event`'s identifiers (see the module's docstring); `day` picks the day's pseudonyms
    (the UTC day the gateway received the event, not the client's timestamp)."""
    key_of_day = day_hash(key, day)
    context = _scrubbed(event.context, key_of_day) if isinstance(event.context, dict) else event.context
    if isinstance(context, dict):
        for name in ("traits", "externalIds"):  # context.ip went with REMOVED_KEYS
            context.pop(name, None)
        device = context.get("device")
        if isinstance(device, dict):
            if "id" in device:
                device["id"] = pseudonym(device["id"], key_of_day)
            device.pop("advertisingId", None)
            device.pop("token", None)
    return replace(
        event,
        user_id=pseudonym(event.user_id, key_of_day),
        anonymous_id=pseudonym(event.anonymous_id, key_of_day),
        group_id=pseudonym(event.group_id, key_of_day),
        previous_id=pseudonym(event.previous_id, key_of_day),
        properties=_scrubbed(event.properties, key_of_day),
        traits=None if event.type == "identify" else _scrubbed(event.traits, key_of_day),
        context=context,
        integrations=_scrubbed(event.integrations, key_of_day),
        extra=_scrubbed(event.extra, key_of_day),
    )
