"""The policy's `[consent]` section: defaults that work alone, mappings merged over them, and every mistake reported
with the file, the key and the problem."""

from __future__ import annotations

import tomllib

import pytest

from policies.consent import ConsentConfig, read_consent, validate_purposes
from policies.table import PolicyError, Table


def parse_consent(data: dict, file: str, env: dict[str, str]) -> ConsentConfig:
    """The `[consent]` table read as the loader reads it."""
    return Table(file, {"consent": data}, "", env).read("consent", read_consent)


def parse(text: str) -> ConsentConfig:
    return parse_consent(tomllib.loads(text).get("consent", {}), "site.toml", {})


def test_without_a_consent_section_the_defaults_apply() -> None:
    config = parse("")
    assert config == ConsentConfig()
    assert config.purposes == ("necessary", "analytics", "session_replay", "marketing", "advertising")
    assert config.gpc_purposes == ("marketing", "advertising")
    assert config.event_property == "$consent"
    assert config.tcf_purposes["analytics"] == ((1,), (8, 9, 10))
    assert config.consent_mode == {"analytics_storage": ("analytics",), "ad_storage": ("advertising", "marketing")}


def test_categories_are_compared_without_case_or_punctuation_and_each_purpose_names_its_own_category() -> None:
    config = parse("")
    assert config.segment_categories["datasharing"] == ("marketing", "advertising")
    assert config.segment_categories["sessionreplay"] == ("session_replay",)  # a category named like a purpose
    assert config.rudderstack_ids["c0002"] == ("analytics",)  # OneTrust Performance Cookies
    assert "necessary" not in config.segment_categories  # always granted: no category decides it


def test_mapping_tables_are_merged_over_the_defaults_and_an_empty_list_removes_an_entry() -> None:
    config = parse("""
[consent.segment_categories]
"Product Analytics" = ["analytics", "session_replay"]
Targeting = []
[consent.rudderstack_ids]
C0003 = ["analytics"]
[consent.tcf_purposes]
analytics = [1, 8, 9, 10]
marketing = []
[consent.consent_mode]
ad_storage = ["advertising"]
""")
    assert config.segment_categories["productanalytics"] == ("analytics", "session_replay")
    assert "targeting" not in config.segment_categories
    assert config.segment_categories["advertising"] == ("advertising",)  # untouched default
    assert config.rudderstack_ids["c0003"] == ("analytics",)
    assert config.tcf_purposes["analytics"] == ((1,), (8,), (9,), (10,))
    assert "marketing" not in config.tcf_purposes
    assert config.consent_mode["ad_storage"] == ("advertising",)


def test_a_policy_may_declare_its_own_purposes_and_defaults_for_undeclared_ones_are_dropped() -> None:
    config = parse("""
[consent]
purposes = ["analytics", "support_chat"]
gpc_purposes = []
""")
    assert config.purposes == ("necessary", "analytics", "support_chat")  # necessary is always there
    assert config.segment_categories["supportchat"] == ("support_chat",)
    assert "advertising" not in config.segment_categories and "datasharing" not in config.segment_categories
    assert set(config.tcf_purposes) == {"analytics"}
    assert config.consent_mode == {"analytics_storage": ("analytics",)}


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("[consent]\npurposs = []", "consent.purposs", "unknown key"),
        ('[consent]\npurposes = ["Analytics"]', "consent.purposes[0]", "lower-case name"),
        ('[consent]\npurposes = ["analytics", "analytics"]', "consent.purposes[1]", "duplicate purpose"),
        ('[consent]\ngpc_purposes = ["necessary"]', "consent.gpc_purposes[0]", "always granted"),
        ('[consent]\ngpc_purposes = ["sale"]', "consent.gpc_purposes[0]", "unknown purpose 'sale'"),
        ('[consent]\nevent_property = "properties.consent"', "consent.event_property", "without dots"),
        ("[consent]\ntcf_legitimate_interest = 1", "consent.tcf_legitimate_interest", "expected true or false"),
        ('[consent.segment_categories]\nAds = ["ads"]', "consent.segment_categories.Ads[0]", "unknown purpose 'ads'"),
        ('[consent.segment_categories]\nAds = "advertising"', "consent.segment_categories.Ads", "array of strings"),
        ('[consent.segment_categories]\nEssential = ["necessary"]', "consent.segment_categories.Essential[0]",
         "always granted"),
        ('[consent.segment_categories]\n"Data Sharing" = []\ndata_sharing = []',
         "consent.segment_categories.data_sharing", "the same key as 'Data Sharing'"),
        ('[consent.rudderstack_ids]\n"--" = ["analytics"]', "consent.rudderstack_ids.--", "at least one letter"),
        ("[consent.tcf_purposes]\nanalytics = [1, 25]", "consent.tcf_purposes.analytics[1]", "1-24"),
        ("[consent.tcf_purposes]\nanalytics = [1, [8, true]]", "consent.tcf_purposes.analytics[1]", "1-24"),
        ("[consent.tcf_purposes]\nanalytics = [1, []]", "consent.tcf_purposes.analytics[1]", "never be satisfied"),
        ('[consent.tcf_purposes]\nanalytics = "1"', "consent.tcf_purposes.analytics", "expected an array"),
        ("[consent.tcf_purposes]\nnecessary = [1]", "consent.tcf_purposes.necessary", "always granted"),
        ("[consent.tcf_purposes]\nreplay = [1]", "consent.tcf_purposes.replay", "unknown purpose 'replay'"),
        ('[consent.consent_mode]\nad_user_data = ["advertising"]', "consent.consent_mode.ad_user_data",
         "gcs carries ad_storage, analytics_storage"),
    ],
)
def test_a_bad_consent_section_names_the_key_and_the_problem(text: str, key: str, problem: str) -> None:
    with pytest.raises(PolicyError) as raised:
        parse(text)
    assert raised.value.file == "site.toml"
    assert raised.value.key == key
    assert problem in raised.value.problem


def test_environment_references_are_resolved_like_everywhere_in_the_policy() -> None:
    data = tomllib.loads('[consent]\nevent_property = "${CONSENT_PROPERTY:-$consent}"')["consent"]
    assert parse_consent(data, "site.toml", {}).event_property == "$consent"
    assert parse_consent(data, "site.toml", {"CONSENT_PROPERTY": "consent"}).event_property == "consent"


def test_destinations_may_only_need_declared_purposes() -> None:
    config = ConsentConfig()
    validate_purposes(config, ["analytics", "session_replay"], "site.toml", "destinations[0].purposes")
    with pytest.raises(PolicyError) as raised:
        validate_purposes(config, ["analytics", "replay"], "site.toml", "destinations[2].purposes")
    assert raised.value.key == "destinations[2].purposes[1]"
    assert "unknown purpose 'replay'" in raised.value.problem
    with pytest.raises(PolicyError, match="at least one purpose"):
        validate_purposes(config, [], "site.toml", "destinations[0].purposes")


def test_the_consent_models_are_the_ones_sources_may_name() -> None:
    from policies.consent import CONSENT_MODELS
    from policies.policy import CONSENT_MODELS as SOURCE_CONSENT_MODELS

    assert CONSENT_MODELS == SOURCE_CONSENT_MODELS == ("opt-in", "opt-out")
