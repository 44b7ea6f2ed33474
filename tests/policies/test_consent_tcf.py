"""TCF v2 TC strings: the IAB's own test strings decode to the values the IAB's decoders expect; anything else is an
error, never a guess.

Where each string comes from:
- JAVA: InteractiveAdvertisingBureau/iabtcf-java, iabtcf-decoder/src/test/java/com/iabtcf/decoder/TCStringV2Test.java
  (the IAB Tech Lab's Java decoder; the expected values below are that test's assertions).
- SPEC: InteractiveAdvertisingBureau/GDPR-Transparency-and-Consent-Framework, "TCFv2/IAB Tech Lab - Consent string and
  vendor list formats v2.md", section "TC String Format" (a globally-scoped string with all four segments, and a
  service-specific one with a publisher TC segment). The spec gives no decoded values; the purposes, CMP and country
  asserted for the service-specific string were checked against PyPI's iab-tcf 0.2.2 decoder while writing this.
- ES: InteractiveAdvertisingBureau/iabtcf-es, modules/core/test/ReportedIssues.test.ts (issues 142, 156 and 201).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.consent.tcf import TCStringError, decode

# JAVA testCanConstructTCModelFromBase64String
JAVA_CORE = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA"
# JAVA testConstructConsentsFromBitFields / testCanParseDisclosedAndAllowedVendors / testCanParseAllParts
JAVA_BITFIELDS = "COrEAV4OrXx94ACABBENAHCIAD-AAAAAAACAAxAAAAgAIAwgAgAAAAEAgQAAAAAEAYQAQAAAACAAAABAAA"
JAVA_OOB = JAVA_BITFIELDS + ".IBAgAAAgAIAwgAgAAAAEAAAACA.QAagAQAgAIAwgA"
JAVA_ALL_PARTS = JAVA_OOB + ".cAAAAAAAITg="
# JAVA testCanParseRangeEncodedVendorLegitimateInterests
JAVA_LI_RANGE = "COv__-wOv__-wC2AAAENAPCgAAAAAAAAAAAAA_wAQA_gEBABAEAAAA"
# JAVA testRange
_JAVA_DISCLOSED = (
    ".IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAAAgAQBAAAAAAAGBAAgAAAAAAAFAAECAAAgAAQARAEQAAAAAJAAI"
    "AAgAAAYQEAAAQmAgBC3ZAYzUw"
)
JAVA_TWO_RANGES = "COwBOpCOwBOpCLqAAAENAPCAAAAAAAAAAAAAFfwAYFfAV-BVkAGBVYFWAAA" + _JAVA_DISCLOSED
JAVA_ONE_RANGE = "COwBOpCOwBOpCLqAAAENAPCAAAAAAAAAAAAAFfwAQFfgUbABAUaAAA" + _JAVA_DISCLOSED
# JAVA testPurposesConsent
JAVA_PURPOSES_1_2 = "COwxsONOwxsONKpAAAENAdCAAMAAAAAAAAAAAAAAAAAA"
# SPEC "TC String Format"
SPEC_GLOBAL = (
    "COw4XqLOw4XqLAAAAAENAXCAAAAAAAAAAAAAAAAAAAAA.IFukWSQgAIQwgI0QEByFAAAAeIAACAIgSAAQAIAgEQACEABAAAgAQFA"
    "EAIAAAGBAAgAAAAQAIFAAMCQAAgAAQiRAEQAAAAANAAIAAggAIYQFAAARmggBC3ZCYzU2yIA.QFukWSQgAIQwgI0QEByFAAAAeIA"
    "ACAIgSAAQAIAgEQACEABAAAgAQFAEAIAAAGBAAgAAAAQAIFAAMCQAAgAAQiRAEQAAAAANAAIAAggAIYQFAAARmggBC3ZCYzU2yIA"
    ".YAAAAAAAAAAAAAAAAAA"
)
SPEC_SERVICE_SPECIFIC = (
    "CLcVDxRMWfGmWAVAHCENAXCkAKDAADnAABRgA5mdfCKZuYJez-NQm0TBMYA4oCAAGQYIAAAAAAEAIAEgAA.argAC0gAAAAAAAAAAAA"
)
# ES issue 201: "unable to decode valid TCF2 String" (a publisher restriction lists a vendor twice)
ES_ISSUE_201 = (
    "CO4VGswO4VGswAfZCBDEAzCsAP_AAH_AAAigGUNf_X9fb2vj-_599_t0eY1f9_63t-wzjheMs-8NyZ-X_J4Wv2MyvB34JqQKGRgk"
    "unLBAQdtHGncTQgBwIlViTLMY02MjzNKJrJEilsbe2dYGH9vn8XT_ZKZ70-_v__7v3___33_5Ayhr_6_r7e18f3_Pvv9ujzGr_v_"
    "W9v2GccLxln3huTPy_5PC1-xmV4O_BNSBQyMEl05YICDto407iaEAOBEqsSZZjGmxkeZpRNZIkUtjb2zrAw_t8_i6f7JTPen39__"
    "_d-___--__ICgKAOAAcAA4AFAAjgB6AEYALcGACAW0AtoJAHAAOAAcACgARwA9ACMAFuFABALaAW0GgDgAHAAOABQAI4AegBGAC3"
    "DgAgFtALaEQBwADgAHAAoAEcAPQAjABbiQAQC2gFtCoA4ABwADgAUACOAHoARgAtxYAIBbQC2hkAcAA4ABwAKABHAD0AIwAW40AE"
    "AtoBbQ6AOAAcAA4AFAAjgB6AEYALceACAW0AtohAHAAOAAcACgARwA9ACMAFuRABALaAW0SgDgAHAAOABQAI4AegBGAC3JgAgFtA"
    "LaKQBwADgAHAAoAEcAPQAjABblQAQC2gFtA"
)
# ES issue 142: "it should throw an error if the bitfield length does not match the maxId"
ES_ISSUE_142 = (
    "CLSYjTaOngnCIAOABBENAXCMAGOAABBAAA7IA5n-m7fP6_3fbqVv6E__PoA5Aqff3aJx8tv_1967rfnQEQoAIAAQCrwkAEABAcAC"
    "ABIMACAAuApEVABABUSABgBCAVSAtIoACACIArYQAHACgAFgAVwBJgDcAI7AWgMAAgBiKgAgBMgFfKQAQBRkQAQA4AFiBAAoA-AE"
    "VAJlAVgAtYcACAJcAr4eABAK8OgBgFzAOmAqwgABAWyA.IFukWSQh"
)
# ES issue 156: a TCF v1.1 consent string
ES_ISSUE_156_V1 = (
    "BOhwdphOxFC7tAHABBFRC--AAAAuhr_7__7-_9_-_f__9uj3Or_v_f__32ccL59v_h_7v-_7fi_20nV4u_1vft9yfk1-5ctDztp5"
    "07iakivXmqdeb9v_nz3_5pxP78k89r7337Ew_v8_v-b7BCON_YxEiA"
)


def test_the_core_string_decodes_every_field_as_the_iab_java_decoder_does() -> None:
    tc = decode(JAVA_CORE)
    assert tc.version == 2
    assert tc.created == datetime(2020, 1, 26, 17, 1, tzinfo=UTC)
    assert tc.last_updated == datetime(2021, 2, 2, 17, 1, tzinfo=UTC)
    assert (tc.cmp_id, tc.cmp_version, tc.consent_screen) == (675, 2, 1)
    assert (tc.vendor_list_version, tc.tcf_policy_version) == (15, 2)
    assert (tc.consent_language, tc.publisher_cc) == ("EN", "AA")
    assert tc.is_service_specific is False
    assert tc.purpose_one_treatment is True
    assert tc.use_non_standard_stacks is False
    assert tc.special_feature_optins == {1}
    assert tc.purposes_consent == {2, 10}
    assert tc.purposes_li_transparency == {2, 9}


def test_bit_field_vendor_sections_decode_to_their_vendor_ids() -> None:
    tc = decode(JAVA_BITFIELDS)
    assert tc.purposes_consent == {3, 4, 5, 6, 7, 8, 9}
    assert tc.vendor_consents.ids() == (23, 37, 47, 48, 53, 65, 98)
    assert tc.vendor_legitimate_interests.ids() == (37, 47, 48, 53, 65, 98, 129)
    assert 23 in tc.vendor_consents and 24 not in tc.vendor_consents and 0 not in tc.vendor_consents


def test_range_vendor_sections_decode_to_their_vendor_ids() -> None:
    assert decode(JAVA_TWO_RANGES).vendor_consents.ids() == (702, 703)
    assert decode(JAVA_ONE_RANGE).vendor_consents.ids() == (703,)
    li = decode(JAVA_LI_RANGE).vendor_legitimate_interests
    assert li.is_range and li.ids() == (128,) and 128 in li and 127 not in li


def test_disclosed_allowed_and_publisher_segments_are_read() -> None:
    oob = decode(JAVA_OOB)
    assert oob.allowed_vendors.ids() == (12, 23, 37, 47, 48, 53)
    assert oob.disclosed_vendors.ids() == (23, 37, 47, 48, 53, 65, 98, 129)
    publisher = decode(JAVA_ALL_PARTS).publisher_purposes  # its base64 keeps the "=" padding: accepted
    assert publisher.consent == {1}
    assert publisher.legitimate_interest == {24}
    assert publisher.custom_consent == {2}
    assert publisher.custom_legitimate_interest == {1, 2}


def test_purpose_bits_start_at_purpose_one() -> None:
    assert {1, 2} <= decode(JAVA_PURPOSES_1_2).purposes_consent


def test_the_specs_example_strings_decode() -> None:
    global_tc = decode(SPEC_GLOBAL)
    assert not global_tc.is_service_specific
    assert global_tc.disclosed_vendors is not None and global_tc.allowed_vendors is not None
    assert global_tc.publisher_purposes is not None
    service = decode(SPEC_SERVICE_SPECIFIC)
    assert service.is_service_specific
    assert service.purposes_consent == {1, 3, 9, 10}
    assert (service.cmp_id, service.publisher_cc, service.consent_language) == (21, "KM", "EN")
    assert service.publisher_purposes is not None and service.disclosed_vendors is None


def test_publisher_restrictions_are_read_with_their_vendor_ranges() -> None:
    tc = decode(ES_ISSUE_201)
    assert tc.purposes_consent == set(range(1, 11))
    purpose_1_require_consent = [r for r in tc.publisher_restrictions if (r.purpose, r.restriction_type) == (1, 1)]
    vendors = {v for r in purpose_1_require_consent for start, end in r.vendors for v in range(start, end + 1)}
    assert sorted(vendors) == [7, 20, 71, 122, 140, 183]  # iabtcf-es's expectation for this string


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (ES_ISSUE_142, "ends at bit"),  # a vendor bit field longer than the bits that follow
        (ES_ISSUE_156_V1, "version 1"),  # TCF v1 is not read: its purposes mean something else
        ("", "empty"),
        ("not a TC string!", "base64url"),
        ("COtybn4PA+zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA", "base64url"),  # standard base64, not base64url
        (JAVA_CORE[:30], "ends at bit"),  # cut inside the purposes
        (JAVA_CORE + ".", "base64url"),  # an empty segment
        (JAVA_BITFIELDS + ".IBAgAAAgAIAwgAgAAAAEAAAACA.IBAgAAAgAIAwgAgAAAAEAAAACA", "repeated"),
        (JAVA_CORE + ".AAAA", "segment type 0"),
        ("C" * 20000, "longer than"),
    ],
)
def test_anything_that_does_not_decode_exactly_is_an_error(text: str, problem: str) -> None:
    with pytest.raises(TCStringError, match=problem):
        decode(text)


# -- an encoder for the properties below, written from the spec's field table ------------------------------------------

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _base64url(bits: str) -> str:
    bits += "0" * (-len(bits) % 6)
    return "".join(_ALPHABET[int(bits[i:i + 6], 2)] for i in range(0, len(bits), 6))


def _field(value: int, width: int) -> str:
    return format(value, f"0{width}b")


def _ids(ids: set[int], width: int) -> str:
    return "".join("1" if i in ids else "0" for i in range(1, width + 1))


def _vendors(ids: set[int], as_ranges: bool) -> str:
    max_id = max(ids, default=0)
    if not as_ranges:
        return _field(max_id, 16) + "0" + _ids(ids, max_id)
    entries = [  # odd ids as one-id ranges, even ones as single ids: both entry forms
        "1" + _field(v, 16) + _field(v, 16) if v % 2 else "0" + _field(v, 16) for v in sorted(ids)
    ]
    return _field(max_id, 16) + "1" + _field(len(entries), 12) + "".join(entries)


def encode_core(consent: set[int], legitimate_interest: set[int] = frozenset(), vendors: set[int] = frozenset()) -> str:
    """A minimal core string with these purposes, for tests that need purposes no published example has."""
    bits = (
        _field(2, 6) + _field(16_000_000_000, 36) * 2 + _field(7, 12) + _field(1, 12) + _field(0, 6) + _field(4, 6)
        + _field(13, 6) + _field(100, 12) + _field(4, 6) + "10" + _ids(set(), 12) + _ids(consent, 24)
        + _ids(legitimate_interest, 24) + "0" + _field(3, 6) + _field(4, 6) + _vendors(vendors, False)
        + _vendors(set(), False) + _field(0, 12)
    )
    return _base64url(bits)


_core_fields = st.fixed_dictionaries({
    "created": st.integers(0, 2**36 - 1),
    "cmp_id": st.integers(0, 4095),
    "language": st.tuples(st.integers(0, 25), st.integers(0, 25)),
    "policy": st.integers(0, 63),
    "special": st.sets(st.integers(1, 12)),
    "consent": st.sets(st.integers(1, 24)),
    "li": st.sets(st.integers(1, 24)),
    "vendors": st.sets(st.integers(1, 3000), max_size=40),
    "vendors_as_ranges": st.booleans(),
    "li_vendors": st.sets(st.integers(1, 3000), max_size=40),
})


@settings(max_examples=200, deadline=None)
@given(_core_fields)
def test_any_well_formed_core_string_decodes_to_what_was_encoded(f: dict) -> None:
    bits = (
        _field(2, 6) + _field(f["created"], 36) + _field(f["created"], 36) + _field(f["cmp_id"], 12) + _field(1, 12)
        + _field(0, 6) + _field(f["language"][0], 6) + _field(f["language"][1], 6) + _field(100, 12)
        + _field(f["policy"], 6) + "1" + "0" + _ids(f["special"], 12) + _ids(f["consent"], 24) + _ids(f["li"], 24)
        + "0" + _field(3, 6) + _field(4, 6)
        + _vendors(f["vendors"], f["vendors_as_ranges"]) + _vendors(f["li_vendors"], not f["vendors_as_ranges"])
        + _field(0, 12)
    )
    tc = decode(_base64url(bits))
    assert tc.created.timestamp() == pytest.approx(f["created"] / 10)
    assert tc.cmp_id == f["cmp_id"] and tc.tcf_policy_version == f["policy"]
    assert tc.consent_language == chr(65 + f["language"][0]) + chr(65 + f["language"][1])
    assert tc.special_feature_optins == f["special"]
    assert tc.purposes_consent == f["consent"] and tc.purposes_li_transparency == f["li"]
    assert tc.publisher_cc == "DE"
    assert set(tc.vendor_consents.ids()) == f["vendors"]
    assert set(tc.vendor_legitimate_interests.ids()) == f["li_vendors"]
    assert all(v in tc.vendor_consents for v in f["vendors"])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET + ".=+/ ", max_size=300) | st.text(max_size=100))
def test_arbitrary_text_either_decodes_or_raises_tc_string_error(text: str) -> None:
    with contextlib.suppress(TCStringError):
        decode(text)
