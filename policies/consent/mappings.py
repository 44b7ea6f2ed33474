"""The default vocabulary: gateway purposes, and how each consent signal's own names map onto them.

Every table here is a default of the policy's `[consent]` section (see config.py), which can change or remove any entry.
Entries naming a purpose the policy does not declare are dropped, so a policy may declare fewer purposes.
"""

from __future__ import annotations

import re

NECESSARY = "necessary"  # always granted: the gateway's own operation needs no consent
DEFAULT_PURPOSES = (NECESSARY, "analytics", "session_replay", "marketing", "advertising")

# What a Global Privacy Control signal opts out of: CCPA/CPRA "sale or sharing" (cross-context behavioural advertising).
DEFAULT_GPC_PURPOSES = ("marketing", "advertising")

# The event property that carries purpose decisions from SDKs with no consent object of their own (Amplitude,
# Mixpanel, PostHog, or any Segment-spec sender): `properties.$consent = {"analytics": true, "marketing": false}`.
DEFAULT_EVENT_PROPERTY = "$consent"

# Consent categories (Segment `context.consent.categoryPreferences` keys) and CMP consent ids (RudderStack
# `context.consentManagement` ids) → purposes. Keys are compared normalised (see `normalise`): "Data Sharing",
# "data_sharing" and "DataSharing" are one key. Besides these, a category named like a declared purpose maps to it.
# Categories with no gateway purpose behind them (Functional, Preferences, OneTrust C0003, c15t experience) are
# ignored: they neither grant nor deny anything here.
DEFAULT_CATEGORIES: dict[str, tuple[str, ...]] = {
    # Segment's documented consent object example: Advertising, Analytics, Functional, DataSharing. DataSharing is the
    # sale/share category, the same thing a GPC signal opts out of.
    "Analytics": ("analytics",),
    "Advertising": ("advertising",),
    "DataSharing": ("marketing", "advertising"),
    # Other CMPs' names for the same categories: Cookiebot (statistics), c15t and Ketch (measurement), OneTrust's
    # group names (performance, targeting), Ketch (targeted_advertising).
    "Performance": ("analytics",),
    "Statistics": ("analytics",),
    "Measurement": ("analytics",),
    "Targeting": ("advertising",),
    "targeted_advertising": ("advertising",),
    # OneTrust's standard cookie group ids, which its Segment and RudderStack integrations send as category keys or
    # consent ids: C0002 Performance Cookies, C0004 Targeting Cookies. (C0001 is Strictly Necessary: always granted.)
    "C0002": ("analytics",),
    "C0004": ("advertising",),
}

# Gateway purpose → the TCF purposes a TC string must consent to, as clauses that must all hold, each satisfied by
# any one of its TCF purposes: `[1, [8, 9, 10]]` reads "purpose 1, and one of 8, 9 or 10". Purpose definitions are
# the TCF Policies' (v2.2, Appendix A):
#   1 store and/or access information on a device      7 measure advertising performance
#   2 use limited data to select advertising           8 measure content performance
#   3 create profiles for personalised advertising     9 understand audiences through statistics or combinations of data
#   4 use profiles to select personalised advertising 10 develop and improve services
#   5 create profiles to personalise content          11 use limited data to select content
#   6 use profiles to select personalised content
DEFAULT_TCF_PURPOSES: dict[str, tuple[tuple[int, ...], ...]] = {
    # Analytics SDKs keep an id on the device (1); what they measure is content performance (8), audiences (9) or
    # how to improve the product (10), and any of those is product analytics.
    "analytics": ((1,), (8, 9, 10)),
    # A session recording is stored against a device id (1), measures how content performs (8) and exists to improve
    # the product (10): it needs both, being far more detailed than counting events.
    "session_replay": ((1,), (8,), (10,)),
    # Marketing tools build a profile from events (5) and choose messages and content from it (6).
    "marketing": ((1,), (5,), (6,)),
    # Ad platforms build (3) and use (4) advertising profiles and measure campaigns (7) with the events sent to them.
    "advertising": ((1,), (3,), (4,), (7,)),
}

# Consent Mode signal → purposes. `gcs` carries only these two signals.
DEFAULT_CONSENT_MODE: dict[str, tuple[str, ...]] = {
    "analytics_storage": ("analytics",),
    "ad_storage": ("advertising", "marketing"),
}

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(name: str) -> str:
    """A category or consent id as compared: lower case, letters and digits only."""
    lowered = name.lower()
    return lowered if lowered.isascii() and lowered.isalnum() else _NOT_ALNUM.sub("", lowered)
