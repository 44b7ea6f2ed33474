"""What replay/privacy.py does to a recording, with the real PII scrubber: every attribute but structure is read, custom
events are scrubbed as events are, and text that repeats what was typed into a masked field is masked."""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from policies.pii import PiiConfig, Scrubber
from policies.pii.engine import Analyzer
from replay.privacy import ASCII_FOLDS, Echo, RrwebPrivacy, mask

KEY = b"replay-key-0123456789abcdef01234"
CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "replay-corpus"
SPA_CORPUS = CORPUS.parent / "spa-corpus"


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Analyzer:
    return Analyzer(tmp_path_factory.mktemp("pii-data"), ("US", "GB", "DE", "FR"), 0, 0.1)


@pytest.fixture(scope="module")
def privacy(analyzer: Analyzer) -> RrwebPrivacy:
    scrubber = Scrubber(PiiConfig(), KEY, analyzer=analyzer)
    return RrwebPrivacy((), scrub_text=scrubber.scrub_text, scrub_attribute=scrubber.scrub_attribute,
                        scrub_value=scrubber.scrub_json)


def _texts_changed(n: int) -> list[dict[str, Any]]:
    """A recording whose mutations set texts (the corpora have none): typed values, their echoes, PII, whitespace."""
    events: list[dict[str, Any]] = []
    for i in range(n):
        events.append({"type": 3, "timestamp": 10 * i + 1,
                       "data": {"source": 5, "id": i, "text": f"order {i} ref", "isChecked": False}})
        events.append({"type": 3, "timestamp": 10 * i + 2, "data": {
            "source": 0, "adds": [], "removes": [], "attributes": [], "texts": [
                {"id": 100 + i, "value": f"Found ORDER {i} REF for jane{i}@example.com"},
                {"id": 200 + i, "value": f"call +44 20 7946 {1000 + i:04d}"},
                {"id": 300 + i, "value": "  "}, {"id": 400 + i, "value": None}, {"id": 500 + i, "value": f"{i} left"},
            ]}})
    return events


def test_texts_scrubbed_in_one_batch_come_out_as_one_by_one(analyzer: Analyzer) -> None:
    """The gateway hands the scrubber a recording batch's text nodes and mutation texts together (one detector pass
    instead of one call per text, the bulk of a recording's cost): every recording of both corpora, and one whose
    mutations set texts, comes out byte for byte as it does one text at a time, each way with a scrubber whose cache
    starts empty."""
    one = Scrubber(PiiConfig(), KEY, analyzer=analyzer)
    batched = Scrubber(PiiConfig(), KEY, analyzer=analyzer)
    by_node = RrwebPrivacy((), scrub_text=one.scrub_text, scrub_attribute=one.scrub_attribute)
    by_batch = RrwebPrivacy((), scrub_text=batched.scrub_text, scrub_attribute=batched.scrub_attribute,
                            scrub_texts=batched.scrub_texts)
    recordings = [(p.name, orjson.loads(p.read_bytes())["events"])
                  for p in [*sorted(CORPUS.glob("sess_*.json")), *sorted(SPA_CORPUS.glob("sess_*.json"))]]
    for name, events in [*recordings, ("texts changed", _texts_changed(40))]:
        assert orjson.dumps(by_batch.scrub(copy.deepcopy(events), set())) == \
            orjson.dumps(by_node.scrub(events, set())), name
    texts = by_batch.scrub(_texts_changed(1), set())[1]["data"]["texts"]
    assert [t["value"] for t in texts] == ["Found *********** for [EMAIL]", "call [PHONE]", "  ", None, "0 left"]


def element(attributes: dict[str, str]) -> dict[str, Any]:
    return {"type": 2, "timestamp": 1, "data": {"node": {"type": 2, "id": 1, "tagName": "div",
                                                          "attributes": attributes, "childNodes": []}}}


def test_every_attribute_but_structure_is_read(privacy: RrwebPrivacy) -> None:
    attributes = {"data-owner": "jane@example.com", "aria-description": "jane@example.com",
                  "x-custom": "call +44 20 7946 0958", "poster": "https://cdn.example/p.png?u=jane@example.com",
                  "class": "jane@example.com", "style": "color: red"}
    [event] = privacy.scrub([element(attributes)], set())
    assert event["data"]["node"]["attributes"] == {
        "data-owner": "[EMAIL]", "aria-description": "[EMAIL]", "x-custom": "call [PHONE]",
        "poster": "https://cdn.example/p.png?u=[EMAIL]", "class": "jane@example.com", "style": "color: red"}


def test_custom_events_are_scrubbed_as_events_are(privacy: RrwebPrivacy) -> None:
    custom = {"type": 5, "timestamp": 1, "data": {"tag": "checkout", "payload": {"password": "hunter22",
                                                                                 "total": 12.5}}}
    [event] = privacy.scrub([custom], set())
    assert event["data"] == {"tag": "checkout", "payload": {"total": 12.5}}  # the key rule removed the password


def test_text_that_repeats_what_was_typed_is_masked(privacy: RrwebPrivacy) -> None:
    typed = {"type": 3, "timestamp": 1, "data": {"source": 5, "id": 7, "text": "blue suede", "isChecked": False}}
    echo = {"type": 3, "timestamp": 2, "data": {"source": 0, "adds": [], "removes": [], "attributes": [],
                                                "texts": [{"id": 9, "value": "3 results for “Blue Suede”"}]}}
    events = privacy.scrub([typed, echo], set())
    assert events[0]["data"]["text"] == "**********"
    assert events[1]["data"]["texts"][0]["value"] == "3 results for “**********”"


def test_a_new_text_node_that_repeats_what_was_typed_is_masked(analyzer: Analyzer) -> None:
    """As the gateway scrubs (text nodes in one batch) and one text at a time: a name the detectors may not know."""
    typed = {"type": 3, "timestamp": 1, "data": {"source": 5, "id": 7, "text": "blue suede", "isChecked": False}}
    shown = {"type": 3, "timestamp": 2, "data": {"source": 0, "removes": [], "attributes": [], "texts": [], "adds": [
        {"parentId": 5, "nextId": None, "node": {"type": 3, "id": 9, "textContent": "3 results for “Blue Suede”"}}]}}
    scrubber = Scrubber(PiiConfig(), KEY, analyzer=analyzer)
    for batch in ({}, {"scrub_texts": scrubber.scrub_texts}):
        privacy = RrwebPrivacy((), scrub_text=scrubber.scrub_text, scrub_attribute=scrubber.scrub_attribute, **batch)
        events = privacy.scrub(copy.deepcopy([typed, shown]), set())
        assert events[1]["data"]["adds"][0]["node"]["textContent"] == "3 results for “**********”"


def test_a_field_whose_input_is_kept_is_not_looked_for(privacy: RrwebPrivacy) -> None:
    typed = {"type": 3, "timestamp": 1, "data": {"source": 5, "id": 7, "text": "blue suede", "isChecked": False}}
    echo = {"type": 3, "timestamp": 2, "data": {"source": 0, "adds": [], "removes": [], "attributes": [],
                                                "texts": [{"id": 9, "value": "3 results for blue suede"}]}}
    events = privacy.scrub([typed, echo], {7})
    assert events[1]["data"]["texts"][0]["value"] == "3 results for blue suede"


def test_console_records_are_scrubbed_from_the_plugin_and_from_older_rrweb(privacy: RrwebPrivacy) -> None:
    logged = ['"Failed to save jane@example.com"']
    plugin = {"type": 6, "timestamp": 1, "data": {"plugin": "rrweb/console@1", "payload": {
        "level": "error", "payload": logged, "trace": ["save (https://shop.example/app.js?u=jane@example.com:1:2)"]}}}
    older = {"type": 3, "timestamp": 2, "data": {"source": 11, "level": "error", "payload": logged,
                                                 "trace": ["save (https://shop.example/app.js:1:2)"]}}
    events = privacy.scrub([plugin, older], set())
    assert events[0]["data"]["payload"]["payload"] == ['"Failed to save [EMAIL]"']
    assert events[0]["data"]["payload"]["trace"] == ["save (https://shop.example/app.js?u=[EMAIL]:1:2)"]
    assert events[1]["data"]["payload"] == ['"Failed to save [EMAIL]"']
    assert events[1]["data"]["trace"] == ["save (https://shop.example/app.js:1:2)"]


def test_network_records_keep_url_method_status_and_timing_never_headers_or_bodies(privacy: RrwebPrivacy) -> None:
    request = {"name": "https://shop.example/api/cart?email=jane@example.com", "method": "POST", "status": 500,
               "startTime": 10, "endTime": 250, "initiatorType": "fetch",
               "requestHeaders": {"authorization": "Bearer sk_live_abc"}, "requestBody": '{"card": "4111"}',
               "responseHeaders": {"set-cookie": "sid=1"}, "responseBody": '{"error": "no"}'}
    network = {"type": 6, "timestamp": 1, "data": {"plugin": "rrweb/network@1", "payload": {"requests": [request]}}}
    [event] = privacy.scrub([network], set())
    assert event["data"]["payload"]["requests"] == [{
        "name": "https://shop.example/api/cart?email=[EMAIL]", "method": "POST", "status": 500, "startTime": 10,
        "endTime": 250, "initiatorType": "fetch"}]


def test_the_characters_ignorecase_matches_with_ascii_letters_are_the_known_ones() -> None:
    """Echo skips its pattern for text whose lower case holds no typed value: sound only while ASCII_FOLDS names
    every character beyond ASCII that re.IGNORECASE matches with an ASCII letter (this Python's case fixes)."""
    beyond_ascii = "".join(chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    assert set(re.findall("[a-z]", beyond_ascii, re.IGNORECASE)) == set(ASCII_FOLDS)


def _echo_as_before(values: set[str], text: str) -> str:
    """What the echo mask did before it skipped its pattern: always the whole pattern."""
    pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)), re.IGNORECASE)
    return pattern.sub(lambda m: mask(m.group()), text)


@pytest.mark.parametrize("text", [
    "3 results for “Blue Suede”", "BLUE SUEDE shoes", "nothing typed here", "Kiss the \u017fky", "KISS",
    "\u0131stanbul blue", "İSTANBUL", "blue suedeblue", "a “JANE DOE” and jan", "Jane Doe\u2019s order",
])
def test_typed_values_are_masked_in_text_as_the_whole_pattern_masks_them(text: str) -> None:
    values = {"blue suede", "kiss", "sky", "istanbul", "jan", "jane doe"}
    assert Echo(values).sub(text) == _echo_as_before(values, text)
    beyond = values | {"straße"}  # a value beyond ASCII: always the pattern
    assert Echo(beyond).sub(text) == _echo_as_before(beyond, text)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


@pytest.mark.parametrize("corpus", [CORPUS, SPA_CORPUS], ids=["replay-corpus", "spa-corpus"])
def test_every_text_of_both_corpora_is_masked_as_the_whole_pattern_masks_it(corpus: Path) -> None:
    """Each recording's typed values (all of its typed text, so that echoes occur) against every string in it."""
    for path in sorted(corpus.glob("sess_*.json")):
        events = orjson.loads(path.read_bytes())["events"]
        values = {e["data"]["text"].strip() for e in events if e["type"] == 3 and e["data"].get("source") == 5
                  and isinstance(e["data"].get("text"), str) and len(e["data"]["text"].strip()) >= 3}
        if not values:
            continue
        echo = Echo(values)
        for text in _strings(events):
            assert echo.sub(text) == _echo_as_before(values, text), path.name


def test_an_input_or_value_change_whose_node_id_is_no_integer_is_masked_not_an_error(privacy: RrwebPrivacy) -> None:
    """A malformed id (a list, an object: unhashable) names no field whose input is kept: masked, where it was a
    TypeError (a 500) before."""
    events: list[dict[str, Any]] = [
        {"type": 3, "timestamp": 1, "data": {"source": 5, "id": [1], "text": "jane doe"}},
        {"type": 3, "timestamp": 2, "data": {"source": 0, "adds": [], "removes": [], "texts": [], "attributes": [
            {"id": {"node": 1}, "attributes": {"value": "secret words"}}]}},
    ]
    privacy.scrub(events, {1})
    assert events[0]["data"]["text"] == mask("jane doe")
    assert events[1]["data"]["attributes"][0]["attributes"]["value"] == mask("secret words")
