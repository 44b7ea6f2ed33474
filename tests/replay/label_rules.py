"""The corpus' label rules applied to recorded rrweb events: a check that a labelled session's labels say what the
events show. It is not a detector (it reads labels and asks whether they are right) and it shares no code with
replay/detect.

Click labels are re-derived exactly, by DESIGN.md's definitions with their default thresholds:

- rage click: >= 3 clicks on one page, each <= 1000 ms after the previous one and on the same node or within 30 px of
  it, with no response (DOM mutation, input, navigation) from the first click to the last;
- dead click: a click not in a rage chain, not on a form field, label or the page itself, not on a link that opens
  elsewhere (target other than _self, download), followed by no mutation, navigation, scroll, input or selection
  change within 2500 ms;
- error click: a click followed by a console error (rrweb's console plugin) within 1000 ms.

A navigation is a page load (Meta) or a route change the page noted as a custom event (`$url_changed`, `$pageview`).
Every derived episode must have exactly one label and every click label exactly one episode; the label's selector
must be the clicked element's compound selector (tag, classes as first rendered, role) and its page_url the
address-bar URL at the click. Form labels are checked for what events can show: the first input into that form
follows the label's start within 2 s, and the end is a navigation (within 1.5 s after it) or the recording's end.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KINDS = ("rage_click", "dead_click", "form_abandonment", "error_click")
RAGE_COUNT, RAGE_GAP_MS, RAGE_RADIUS_PX = 3, 1000, 30.0
DEAD_WINDOW_MS = 2500
ERROR_WINDOW_MS = 1000
FORM_INPUT_WITHIN_MS = 2000
FORM_LEFT_WITHIN_MS = 1500
NAVIGATION_TAGS = ("$url_changed", "$pageview")
FIELD_TAGS = frozenset({"input", "textarea", "select", "option", "label"})

META, FULL_SNAPSHOT, INCREMENTAL, CUSTOM, PLUGIN = 4, 2, 3, 5, 6
MUTATION, SCROLL, MOUSE_INTERACTION, INPUT, SELECTION = 0, 3, 2, 5, 14
CLICK = 2
ELEMENT = 2


@dataclass
class Node:
    tag: str  # "" for documents, text, comments
    parent: int | None
    attributes: Mapping[str, Any]


@dataclass(frozen=True)
class Click:
    t: int
    node: int
    x: float
    y: float
    page: int  # page load number (node ids are per page load)
    url: str


@dataclass
class Timeline:
    """What the checks need from a session's events."""

    nodes: list[dict[int, Node]] = field(default_factory=list)  # per page load
    clicks: list[Click] = field(default_factory=list)
    responses: list[int] = field(default_factory=list)  # mutation, input, navigation
    quiet_breakers: list[int] = field(default_factory=list)  # responses plus scroll and selection
    navigations: list[int] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)
    inputs: list[tuple[int, int, int]] = field(default_factory=list)  # (t, page, node)
    first_ms: int = 0
    last_ms: int = 0


def _add_node(nodes: dict[int, Node], data: Mapping[str, Any], parent: int | None) -> None:
    node_id = data.get("id")
    if isinstance(node_id, int):
        tag = str(data.get("tagName", "")).lower() if data.get("type") == ELEMENT else ""
        nodes.setdefault(node_id, Node(tag, parent, dict(data.get("attributes") or {})))
    for child in data.get("childNodes") or ():
        _add_node(nodes, child, node_id if isinstance(node_id, int) else parent)


def timeline(events: Sequence[Mapping[str, Any]]) -> Timeline:
    line = Timeline(first_ms=int(events[0]["timestamp"]), last_ms=int(events[-1]["timestamp"]))
    url = ""
    for event in events:
        t, kind, data = int(event["timestamp"]), event.get("type"), event.get("data") or {}
        if kind == META:
            url = str(data.get("href", ""))
            line.nodes.append({})
            line.navigations.append(t)
        elif kind == FULL_SNAPSHOT and line.nodes:
            _add_node(line.nodes[-1], data.get("node") or {}, None)
        elif kind == CUSTOM and data.get("tag") in NAVIGATION_TAGS:
            url = str((data.get("payload") or {}).get("href", url))
            line.navigations.append(t)
        elif kind == PLUGIN and (data.get("payload") or {}).get("level") == "error":
            line.errors.append(t)
        elif kind == INCREMENTAL and line.nodes:
            _incremental(line, t, data, url)
    line.responses = sorted(line.responses + line.navigations)
    line.quiet_breakers = sorted(line.quiet_breakers + line.responses)
    return line


def _incremental(line: Timeline, t: int, data: Mapping[str, Any], url: str) -> None:
    source = data.get("source")
    if source == MUTATION:
        for add in data.get("adds") or ():
            _add_node(line.nodes[-1], add.get("node") or {}, add.get("parentId"))
        line.responses.append(t)
    elif source == INPUT:
        line.responses.append(t)
        line.inputs.append((t, len(line.nodes) - 1, int(data.get("id", -1))))
    elif source in (SCROLL, SELECTION):
        line.quiet_breakers.append(t)
    elif source == MOUSE_INTERACTION and data.get("type") == CLICK:
        line.clicks.append(Click(t, int(data["id"]), float(data["x"]), float(data["y"]), len(line.nodes) - 1, url))


def _any_in(times: Iterable[int], start: int, end: int) -> bool:
    return any(start <= t <= end for t in times)


def rage_chains(line: Timeline) -> list[list[Click]]:
    chains, i = [], 0
    clicks = line.clicks
    while i < len(clicks):
        chain = [clicks[i]]
        for click in clicks[i + 1 :]:
            prev = chain[-1]
            near = click.node == prev.node or math.hypot(click.x - prev.x, click.y - prev.y) <= RAGE_RADIUS_PX
            if (
                click.page != prev.page
                or click.t - prev.t > RAGE_GAP_MS
                or not near
                or _any_in(line.responses, chain[0].t, click.t)
            ):
                break
            chain.append(click)
        if len(chain) >= RAGE_COUNT:
            chains.append(chain)
            i += len(chain)
        else:
            i += 1
    return chains


def ancestry(line: Timeline, click: Click) -> list[Node]:
    """The clicked node and its ancestors, nearest first (through shadow roots and iframe documents)."""
    nodes = line.nodes[click.page]
    out: list[Node] = []
    node_id: int | None = click.node
    while node_id is not None and node_id in nodes and len(out) < 200:
        out.append(nodes[node_id])
        node_id = nodes[node_id].parent
    return out


def _never_dead(line: Timeline, click: Click) -> bool:
    chain = ancestry(line, click)
    if not chain or chain[0].tag in ("", "html", "body"):
        return True  # the page itself (or a node never seen)
    for node in chain:
        if node.tag in FIELD_TAGS or "contenteditable" in node.attributes:
            return True
        if node.tag == "a" and (node.attributes.get("target", "_self") != "_self" or "download" in node.attributes):
            return True
    return False


def dead_clicks(line: Timeline) -> list[Click]:
    in_rage = {c for chain in rage_chains(line) for c in chain}
    return [
        c
        for c in line.clicks
        if c not in in_rage and not _never_dead(line, c) and not _any_in(line.quiet_breakers, c.t, c.t + DEAD_WINDOW_MS)
    ]


def error_clicks(line: Timeline) -> list[Click]:
    return [c for c in line.clicks if _any_in(line.errors, c.t, c.t + ERROR_WINDOW_MS)]


def compound(node: Node) -> str:
    classes = "".join("." + c for c in str(node.attributes.get("class", "")).split())
    role = node.attributes.get("role")
    return node.tag + classes + (f'[role="{role}"]' if role else "")


def _episode_problems(
    kind: str, episodes: list[list[Click]], labels: list[Mapping[str, Any]], line: Timeline
) -> list[str]:
    problems: list[str] = []
    unclaimed = list(labels)
    for clicks in episodes:
        inside = [label for label in unclaimed if all(label["t_start_ms"] <= c.t <= label["t_end_ms"] for c in clicks)]
        at = f"{kind} @{clicks[0].t}"
        if len(inside) != 1:
            problems.append(f"{at}: {len(inside)} labels hold this episode's clicks")
            continue
        label = inside[0]
        unclaimed.remove(label)
        names = {compound(line.nodes[c.page][c.node]) for c in clicks if c.node in line.nodes[c.page]}
        if label["selector"] not in names:
            problems.append(f"{at}: label names {label['selector']!r}, the clicks were on {sorted(names)}")
        if label["page_url"] != clicks[0].url:
            problems.append(f"{at}: label page {label['page_url']!r}, recorded {clicks[0].url!r}")
    problems.extend(f"{kind} label @{label['t_start_ms']}: no such episode in the events" for label in unclaimed)
    return problems


def _form_problems(label: Mapping[str, Any], line: Timeline) -> list[str]:
    at = f"form_abandonment @{label['t_start_ms']}"
    start, end = int(label["t_start_ms"]), int(label["t_end_ms"])
    first = next((i for i in line.inputs if start <= i[0]), None)
    problems = []
    if first is None or first[0] - start > FORM_INPUT_WITHIN_MS:
        problems.append(f"{at}: no input within {FORM_INPUT_WITHIN_MS} ms of the start")
    else:
        forms = [n for n in _ancestors_of(line, first[1], first[2]) if n.tag == "form"]
        if not forms or compound(forms[0]) != label["selector"]:
            problems.append(f"{at}: the first input is not in {label['selector']!r}")
    if end != line.last_ms and not _any_in(line.navigations, end, end + FORM_LEFT_WITHIN_MS):
        problems.append(f"{at}: no navigation within {FORM_LEFT_WITHIN_MS} ms after the end, nor the recording's end")
    return problems


def _ancestors_of(line: Timeline, page: int, node_id: int) -> list[Node]:
    return ancestry(line, Click(0, node_id, 0, 0, page, ""))


def check_session(session: Mapping[str, Any]) -> list[str]:
    """Everything wrong with one labelled session's labels; an empty list when they agree with its events."""
    events = session["events"]
    line = timeline(events)
    labels = list(session.get("labels") or [])
    problems = []
    for label in labels:
        if label.get("kind") not in KINDS:
            problems.append(f"unknown label kind {label.get('kind')!r}")
        elif not line.first_ms <= label["t_start_ms"] <= label["t_end_ms"] <= line.last_ms:
            problems.append(f"{label['kind']} @{label['t_start_ms']}: interval outside the recording or reversed")
    by_kind = {kind: [label for label in labels if label.get("kind") == kind] for kind in KINDS}
    problems += [
        f"click @{c.t}: the recording ends {line.last_ms - c.t} ms later, too soon to tell whether it was dead"
        for c in line.clicks
        if line.last_ms - c.t < DEAD_WINDOW_MS
    ]
    problems += _episode_problems("rage_click", rage_chains(line), by_kind["rage_click"], line)
    problems += _episode_problems("dead_click", [[c] for c in dead_clicks(line)], by_kind["dead_click"], line)
    problems += _episode_problems("error_click", [[c] for c in error_clicks(line)], by_kind["error_click"], line)
    for label in by_kind["form_abandonment"]:
        problems += _form_problems(label, line)
    return problems
