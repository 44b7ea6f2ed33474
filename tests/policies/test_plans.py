"""Tracking plans as policies.plans reads and applies them: what a plan file may say, what a bad one is told, which
events break which rule (with paths and types, never values), and a plan inferred from a catalog and diffed with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gateway.protocols import DESTINATION_PROTOCOLS
from policies.event import Event
from policies.loader import load_policy
from policies.plans import TrackingPlan, Violation
from policies.plans.diff import diff_plan
from policies.plans.file import load_plan, read_plan
from policies.plans.infer import infer_plan
from policies.plans.plan import top_property
from policies.table import PolicyError, Table
from tests.support.plans import WEB_PLAN

POLICY = """
[[sources]]
name = "web"
write_keys = ["k"]
destinations = ["sink"]
tracking_plan = "plans/web.json"
{extra}

[[destinations]]
name = "sink"
protocol = "sink"
"""


def plan(**changes: Any) -> TrackingPlan:
    return read_plan(Table("web.json", {**WEB_PLAN, **changes}))


def track(name: str, **properties: Any) -> Event:
    return Event("track", "m-1", event=name, properties=properties)


def write(tmp_path: Path, plan_data: Any, extra: str = "") -> Path:
    (tmp_path / "plans").mkdir(exist_ok=True)
    (tmp_path / "plans" / "web.json").write_text(plan_data if isinstance(plan_data, str) else json.dumps(plan_data))
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY.format(extra=extra))
    return policy


def test_a_policy_reads_its_plans_relative_to_itself_with_actions_and_overrides(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, WEB_PLAN, 'on_violation = "block"\n'
                                                   'on_violation_events = { "User Invited" = "flag" }'),
                         DESTINATION_PROTOCOLS, {})
    [source] = policy.sources
    assert source.tracking_plan is not None and set(source.tracking_plan.events) == set(WEB_PLAN["events"])
    assert (source.violation_action("User Invited"), source.violation_action("Report Exported")) == ("flag", "block")


@pytest.mark.parametrize(("plan_data", "extra", "message"), [
    ("{", "", "plans/web.json: not valid JSON"),
    ({**WEB_PLAN, "rulez": 1}, "", "plans/web.json: rulez: unknown key"),
    ({**WEB_PLAN, "naming": "([a-z"}, "", "naming: neither a named style nor a valid regular expression"),
    ({**WEB_PLAN, "event_types": ["trak"]}, "", "event_types[0]: unknown event type 'trak'"),
    ({**WEB_PLAN, "required": [5]}, "", "required[0]: expected a path"),
    ({**WEB_PLAN, "events": {"A B": {"properties": {"type": "strnig"}}}}, "",
     "events.A B.properties: not a valid JSON Schema"),
    (WEB_PLAN, 'on_violation = "drop"', "on_violation: unknown value 'drop'"),
    (WEB_PLAN, 'on_violation_events = { "A B" = "nope" }', "on_violation_events.A B: unknown value 'nope'"),
])
def test_a_bad_plan_or_action_names_the_file_the_key_and_the_problem(tmp_path: Path, plan_data: Any, extra: str,
                                                                     message: str) -> None:
    with pytest.raises(PolicyError) as raised:
        load_policy(write(tmp_path, plan_data, extra), DESTINATION_PROTOCOLS, {})
    assert message in str(raised.value)
    assert ("policy.toml" if extra else "plans/web.json") in str(raised.value)


def test_a_missing_plan_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="tracking plan file not found"):
        load_plan(tmp_path / "nowhere.json")


@pytest.mark.parametrize(("name", "follows"), [
    ("Report Exported", True), ("CSV Exported", True), ("User Invited To Team", True),
    ("report exported", False), ("ReportExported", False), ("Report", False), ("Report exported", False),
])
def test_object_action_names_are_title_case_words(name: str, follows: bool) -> None:
    found = plan(allow_unplanned_events=True, required=[]).check(track(name))
    assert (Violation("naming", "event", "Object Action", "string") not in found) is follows


def test_a_required_context_is_met_by_any_of_its_paths() -> None:
    either = plan(required=[["properties.account_id", "context.groupId"]], events={"User Invited": {}})
    grouped = Event("track", "m", event="User Invited", properties={"role": "admin"}, context={"groupId": "g-1"})
    assert either.check(grouped) == []
    assert either.check(track("User Invited", role="admin")) == [
        Violation("missing_context", "properties.account_id | context.groupId", "present", "missing")]


def test_violations_name_paths_and_types_never_values() -> None:
    found = plan().check(track("Report Exported", account_id="acme", format="docx", rows=-1, secret="s3cr3t"))
    assert sorted(found, key=str) == sorted([
        Violation("unplanned_property", "properties.secret", "not in the plan", "string"),
        Violation("invalid_value", "properties.format", "one of 3 planned values", "string"),
        Violation("invalid_value", "properties.rows", "minimum 0", "integer"),
    ], key=str)
    assert not {"docx", "s3cr3t", "-1"} & {text for v in found for text in (v.path, v.expected, v.observed)}
    # What omit_properties leaves out: the member of `properties` each violation is about.
    assert sorted(map(top_property, found)) == ["format", "rows", "secret"]


def test_event_types_and_identify_traits() -> None:
    checked = plan()
    assert checked.check(Event("alias", "m", user_id="u")) == [
        Violation("event_type", "type", "group or identify or page or track", "alias")]
    assert checked.check(Event("identify", "m", user_id="u", traits={"plan": "gold"})) == [
        Violation("invalid_value", "traits.plan", "one of 3 planned values", "string")]
    assert checked.check(Event("identify", "m", user_id="u", traits={"plan": "pro"})) == []


def catalog_event(name: str, count: int, *paths: tuple[str, list[str], int]) -> dict[str, Any]:
    return {"source": "web", "type": "track", "name": name, "count": count,
            "properties": [{"path": p, "types": t, "seen": n, "formats": [], "min_length": None, "max_length": None,
                            "distinct_values": 0, "many_values": False} for p, t, n in paths]}


def test_an_inferred_plan_keeps_to_its_traffic_and_a_diff_finds_a_rename_and_drift() -> None:
    events = [
        catalog_event("Report Exported", 10, ("properties.account_id", ["string"], 10),
                      ("properties.format", ["string"], 10), ("properties.rows", ["integer", "number"], 4),
                      ("properties.filters", ["object"], 2), ("properties.filters.since", ["string", "null"], 2)),
        catalog_event("User Invited", 3, ("properties.account_id", ["string"], 3), ("properties.role", ["string"], 3)),
    ]
    inferred = infer_plan("web", events)
    assert inferred["naming"] == "Object Action" and inferred["required"] == ["properties.account_id"]
    schema = inferred["events"]["Report Exported"]["properties"]
    assert schema["required"] == ["account_id", "format"] and schema["additionalProperties"] is False
    assert schema["properties"]["rows"]["type"] == "number"
    compiled = read_plan(Table("inferred.json", inferred))
    assert compiled.check(track("Report Exported", account_id="a", format="csv", rows=2.5,
                                filters={"since": None})) == []
    assert diff_plan(compiled, events) == []

    drifted = [catalog_event("Report Exportd", 5, ("properties.account_id", ["string"], 5),
                             ("properties.format", ["integer"], 5)), events[1]]
    differences = {(d.kind, d.event) for d in diff_plan(compiled, drifted)}
    assert differences == {("possible_rename", "Report Exportd")}
    typed = [catalog_event("Report Exported", 5, ("properties.format", ["integer"], 5),
                           ("properties.extra", ["string"], 1)), events[1]]
    assert {(d.kind, d.detail.split(" ")[0]) for d in diff_plan(compiled, typed)} == {
        ("type_mismatch", "properties.format"), ("unplanned_property", "properties.extra")}


def test_the_readme_example_plan_is_a_valid_plan_that_means_what_it_says() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Tracking plans"):]
    example = json.loads(section[section.index("```json") + 7:section.index("```", section.index("```json") + 7)])
    documented = read_plan(Table("README.md", example))
    grouped = Event("track", "m", event="Report Exported", properties={"format": "csv"}, context={"groupId": "g"})
    assert documented.check(grouped) == [Violation("missing_property", "properties.account_id", "present", "missing")]
    assert documented.check(track("User Invited", account_id="acme", role="admin")) == []
