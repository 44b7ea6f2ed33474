"""IAB TCF v2 TC strings: decode the core segment (and the optional ones) into plain values.

Format: IAB Tech Lab, "Transparency and Consent String with Global Vendor & CMP List Formats", v2 (the `TCFv2/IAB Tech
Lab - Consent string and vendor list formats v2.md` document of the GDPR-Transparency-and-Consent-Framework repository).
A TC string is one to four base64url segments joined by "."; the first is the core string, whose bits are:

    Version 6 · Created 36 · LastUpdated 36 (deciseconds since the epoch) · CmpId 12 · CmpVersion 12 ·
    ConsentScreen 6 · ConsentLanguage 12 (two letters, 6 bits each, a=0) · VendorListVersion 12 · TcfPolicyVersion 6 ·
    IsServiceSpecific 1 · UseNonStandardStacks 1 · SpecialFeatureOptIns 12 · PurposesConsent 24 ·
    PurposesLITransparency 24 · PurposeOneTreatment 1 · PublisherCC 12 · vendor consents ·
    vendor legitimate interests · publisher restrictions

A vendor section is MaxVendorId 16 · IsRangeEncoding 1, then either MaxVendorId bits (bit field) or NumEntries 12 and
that many entries of IsARange 1 · StartOrOnlyVendorId 16 · [EndVendorId 16]. The other segments start with a 3-bit
type: 1 disclosed vendors and 2 allowed vendors (a vendor section each), 3 publisher purposes.

Why our own decoder: PyPI's `iab-tcf` (0.2.2, October 2022) and its fork `iab-tcf-bitarray` (one release, 2024) are not
maintained, and the format is small and fixed. Anything that does not decode exactly, including a v1 string, raises
`TCStringError`; the consent engine counts that as a malformed signal and fails closed.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# TCF policy: purposes 1 and 3-6 may only be processed on consent; these may also rest on legitimate interest
# (TCF Policies v2.2, Appendix A; purpose 11 exists since v2.2).
LEGITIMATE_INTEREST_PURPOSES = frozenset({2, 7, 8, 9, 10, 11})

_SEGMENT = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_TO_STANDARD = str.maketrans("-_", "+/")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_CHARS = 16384  # a full string with every GVL vendor is about 2 KB; far longer is not a TC string

DISCLOSED_VENDORS, ALLOWED_VENDORS, PUBLISHER_TC = 1, 2, 3


class TCStringError(ValueError):
    """Not a TC string this decoder can read exactly."""


@dataclass(frozen=True, slots=True)
class VendorSet:
    """Vendor ids from a vendor section, kept as encoded (a bit field or ranges): a string can name thousands."""

    max_id: int
    field: int = 0  # bit field encoding: vendor v is bit (max_id - v) counted from the least significant
    ranges: tuple[tuple[int, int], ...] = ()  # range encoding: inclusive (start, end) pairs
    is_range: bool = False

    def __contains__(self, vendor: object) -> bool:
        if not isinstance(vendor, int) or not 1 <= vendor <= self.max_id:
            return False
        if self.is_range:
            return any(start <= vendor <= end for start, end in self.ranges)
        return bool((self.field >> (self.max_id - vendor)) & 1)

    def ids(self) -> tuple[int, ...]:
        if self.is_range:
            return tuple(sorted({v for start, end in self.ranges for v in range(start, end + 1)}))
        return tuple(v for v in range(1, self.max_id + 1) if (self.field >> (self.max_id - v)) & 1)


@dataclass(frozen=True, slots=True)
class PublisherRestriction:
    purpose: int
    restriction_type: int  # 0 not allowed, 1 require consent, 2 require legitimate interest, 3 undefined
    vendors: tuple[tuple[int, int], ...]  # inclusive (start, end) ranges


@dataclass(frozen=True, slots=True)
class PublisherPurposes:
    """Segment type 3: the publisher's own purposes (and custom purposes), consent and legitimate interest."""

    consent: frozenset[int]
    legitimate_interest: frozenset[int]
    custom_consent: frozenset[int]
    custom_legitimate_interest: frozenset[int]


@dataclass(frozen=True, slots=True)
class TCString:
    version: int
    created: datetime
    last_updated: datetime
    cmp_id: int
    cmp_version: int
    consent_screen: int
    consent_language: str
    vendor_list_version: int
    tcf_policy_version: int
    is_service_specific: bool
    use_non_standard_stacks: bool
    special_feature_optins: frozenset[int]
    purposes_consent: frozenset[int]
    purposes_li_transparency: frozenset[int]
    purpose_one_treatment: bool
    publisher_cc: str
    vendor_consents: VendorSet
    vendor_legitimate_interests: VendorSet
    publisher_restrictions: tuple[PublisherRestriction, ...]
    disclosed_vendors: VendorSet | None = None
    allowed_vendors: VendorSet | None = None
    publisher_purposes: PublisherPurposes | None = None


class _Bits:
    """A segment's bits as one big integer, read left to right."""

    __slots__ = ("pos", "size", "value")

    def __init__(self, segment: str) -> None:
        if not _SEGMENT.fullmatch(segment):
            raise TCStringError("not base64url")
        chars = segment.rstrip("=")
        # Encoders stop at the last 6-bit character, so the length need not be a multiple of 4; padding with "A"
        # (six zero bits) makes it decodable without changing a bit that was sent.
        padded = chars.translate(_TO_STANDARD) + "A" * (-len(chars) % 4)
        try:
            raw = base64.b64decode(padded, validate=True)
        except (binascii.Error, ValueError):
            raise TCStringError("not base64url") from None
        self.size = len(chars) * 6
        self.value = int.from_bytes(raw, "big") >> (len(raw) * 8 - self.size)
        self.pos = 0

    def uint(self, width: int) -> int:
        end = self.pos + width
        if end > self.size:
            raise TCStringError(f"ends at bit {self.size}, inside a field that needs bits up to {end}")
        value = (self.value >> (self.size - end)) & ((1 << width) - 1)
        self.pos = end
        return value

    def flag(self) -> bool:
        return bool(self.uint(1))

    def ids(self, width: int) -> frozenset[int]:
        """A fixed-width bit field whose leftmost bit is id 1."""
        field = self.uint(width)
        ids = []
        while field:  # one step per set bit, not per bit
            lowest = field & -field
            ids.append(width - lowest.bit_length() + 1)
            field ^= lowest
        return frozenset(ids)

    def letters(self) -> str:
        first, second = self.uint(6), self.uint(6)
        if first > 25 or second > 25:
            raise TCStringError("a letter code outside a-z")
        return chr(ord("A") + first) + chr(ord("A") + second)

    def time(self) -> datetime:
        return _EPOCH + timedelta(milliseconds=self.uint(36) * 100)


def _vendor_set(bits: _Bits) -> VendorSet:
    max_id = bits.uint(16)
    if not bits.flag():
        return VendorSet(max_id=max_id, field=bits.uint(max_id))
    ranges = []
    for _ in range(bits.uint(12)):
        is_range = bits.flag()
        start = bits.uint(16)
        end = bits.uint(16) if is_range else start
        if not 1 <= start <= end <= max_id:
            raise TCStringError(f"vendor range {start}-{end} outside 1-{max_id}")
        ranges.append((start, end))
    return VendorSet(max_id=max_id, ranges=tuple(ranges), is_range=True)


def _restrictions(bits: _Bits) -> tuple[PublisherRestriction, ...]:
    restrictions = []
    for _ in range(bits.uint(12)):
        purpose, kind = bits.uint(6), bits.uint(2)
        vendors = []
        for _ in range(bits.uint(12)):
            is_range = bits.flag()
            start = bits.uint(16)
            end = bits.uint(16) if is_range else start
            if not 1 <= start <= end:
                raise TCStringError(f"restricted vendor range {start}-{end}")
            vendors.append((start, end))
        restrictions.append(PublisherRestriction(purpose, kind, tuple(vendors)))
    return tuple(restrictions)


def _publisher_purposes(bits: _Bits) -> PublisherPurposes:
    consent, li = bits.ids(24), bits.ids(24)
    custom = bits.uint(6)
    return PublisherPurposes(consent, li, bits.ids(custom), bits.ids(custom))


def decode(tc_string: str) -> TCString:
    """Decode a TC string (v2: TCF 2.0 to 2.2). Raises TCStringError for anything that is not one."""
    if not isinstance(tc_string, str) or not tc_string:
        raise TCStringError("empty")
    if len(tc_string) > _MAX_CHARS:
        raise TCStringError(f"longer than {_MAX_CHARS} characters")
    core, *others = tc_string.split(".")
    bits = _Bits(core)
    version = bits.uint(6)
    if version != 2:
        raise TCStringError(f"version {version}; only TCF v2 strings are read")
    fields: dict[str, Any] = dict(  # TCString's keyword arguments; the optional segments are added below
        version=version,
        created=bits.time(),
        last_updated=bits.time(),
        cmp_id=bits.uint(12),
        cmp_version=bits.uint(12),
        consent_screen=bits.uint(6),
        consent_language=bits.letters(),
        vendor_list_version=bits.uint(12),
        tcf_policy_version=bits.uint(6),
        is_service_specific=bits.flag(),
        use_non_standard_stacks=bits.flag(),
        special_feature_optins=bits.ids(12),
        purposes_consent=bits.ids(24),
        purposes_li_transparency=bits.ids(24),
        purpose_one_treatment=bits.flag(),
        publisher_cc=bits.letters(),
        vendor_consents=_vendor_set(bits),
        vendor_legitimate_interests=_vendor_set(bits),
        publisher_restrictions=_restrictions(bits),
    )
    for segment in others:
        bits = _Bits(segment)
        kind = bits.uint(3)
        if kind == DISCLOSED_VENDORS and "disclosed_vendors" not in fields:
            fields["disclosed_vendors"] = _vendor_set(bits)
        elif kind == ALLOWED_VENDORS and "allowed_vendors" not in fields:
            fields["allowed_vendors"] = _vendor_set(bits)
        elif kind == PUBLISHER_TC and "publisher_purposes" not in fields:
            fields["publisher_purposes"] = _publisher_purposes(bits)
        else:
            raise TCStringError(f"segment type {kind} is unknown or repeated")
    return TCString(**fields)
