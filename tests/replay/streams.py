"""Hand-written rrweb event streams for the replay tests.

    rec = Recording()
    ids = rec.page(0, "https://shop.example/cart", E("button", "Buy", ref="buy"))
    rec.click(1000, ids["buy"])
    analysis = analyze(rec)

Times are milliseconds from the start of the recording. Elements get rrweb ids in tree order, as rrweb gives them;
`ref="name"` (not serialized) makes `page`/`snapshot`/`add` return the id under that name. Attribute keywords use
underscores for dashes (`data_testid=`, `aria_label=`) and `class_=` for `class`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from replay.detect import DetectConfig, SessionAnalysis, analyze_session

START = 1_800_000_000_000

# rrweb codes, spelled out here so that the tests do not lean on the module under test for them.
META, FULL_SNAPSHOT, INCREMENTAL, CUSTOM, PLUGIN = 4, 2, 3, 5, 6
MUTATION, MOUSE_MOVE, INTERACTION, SCROLL, INPUT, TOUCH_MOVE, LOG, SELECTION = 0, 1, 2, 3, 5, 6, 11, 14
MOUSE_UP, MOUSE_DOWN, CLICK, DBL_CLICK, FOCUS, BLUR, TOUCH_START, TOUCH_END = 0, 1, 2, 4, 5, 6, 7, 9


@dataclass
class E:
    """An element to serialize: E("button", "Buy", ref="buy", type="submit", data_testid="buy")."""

    tag: str
    children: tuple[Any, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict)
    ref: str | None = None
    shadow: tuple[Any, ...] = ()  # the children of its shadow root, serialized as rrweb does (isShadow)

    def __init__(self, tag: str, *children: Any, ref: str | None = None, shadow: tuple[Any, ...] = (),
                 **attrs: Any) -> None:
        self.tag = tag
        self.children = children
        self.ref = ref
        self.shadow = shadow
        self.attrs = {("class" if k == "class_" else k.replace("_", "-")): v for k, v in attrs.items()}


class Recording:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._next_id = 1

    # -- building blocks ------------------------------------------------------------------------------------------

    def push(self, t: int, event_type: int, data: Any) -> dict[str, Any]:
        event = {"type": event_type, "data": data, "timestamp": START + t}
        self.events.append(event)
        return event

    def incremental(self, t: int, source: int, **data: Any) -> dict[str, Any]:
        return self.push(t, INCREMENTAL, {"source": source, **data})

    def serialize(self, item: Any, refs: dict[str, int]) -> dict[str, Any]:
        node_id = self._next_id
        self._next_id += 1
        if isinstance(item, str):
            return {"type": 3, "textContent": item, "id": node_id}
        if item.ref:
            refs[item.ref] = node_id
        node = {
            "type": 2,
            "tagName": item.tag,
            "attributes": dict(item.attrs),
            "childNodes": [self.serialize(child, refs) for child in item.children],
            "id": node_id,
        }
        if item.shadow:
            node["isShadowHost"] = True
            node["childNodes"] += [{**self.serialize(child, refs), "isShadow": True} for child in item.shadow]
        return node

    def document(self, refs: dict[str, int], body: Iterable[Any]) -> dict[str, Any]:
        doc_id = self._next_id
        self._next_id += 1
        refs["document"] = doc_id
        html = self.serialize(E("html", E("head"), E("body", *body, ref="body"), ref="html"), refs)
        return {"type": 0, "childNodes": [html], "id": doc_id}

    # -- page loads -----------------------------------------------------------------------------------------------

    def meta(self, t: int, href: str) -> None:
        self.push(t, META, {"href": href, "width": 1280, "height": 720})

    def snapshot(self, t: int, *body: Any, fresh_ids: bool = True) -> dict[str, int]:
        """A FullSnapshot of a document whose <body> holds `body`. A new page restarts ids at 1, as rrweb does."""
        if fresh_ids:
            self._next_id = 1
        refs: dict[str, int] = {}
        self.push(t, FULL_SNAPSHOT, {"node": self.document(refs, body), "initialOffset": {"top": 0, "left": 0}})
        return refs

    def page(self, t: int, href: str, *body: Any) -> dict[str, int]:
        """A page load: Meta then FullSnapshot."""
        self.meta(t, href)
        return self.snapshot(t, *body)

    # -- DOM changes ----------------------------------------------------------------------------------------------

    def mutate(self, t: int, node: int, attributes: dict[str, Any] | None = None) -> None:
        """An attribute mutation (default: a style change), the simplest DOM response."""
        changes = attributes if attributes is not None else {"style": "opacity: 0.5"}
        self.incremental(t, MUTATION, texts=[], attributes=[{"id": node, "attributes": changes}], removes=[], adds=[])

    def add(self, t: int, parent: int, *items: Any) -> dict[str, int]:
        refs: dict[str, int] = {}
        adds = [{"parentId": parent, "nextId": None, "node": self.serialize(item, refs)} for item in items]
        self.incremental(t, MUTATION, texts=[], attributes=[], removes=[], adds=adds)
        return refs

    def remove(self, t: int, node: int, parent: int) -> None:
        self.incremental(t, MUTATION, texts=[], attributes=[], removes=[{"parentId": parent, "id": node}], adds=[])

    def set_text(self, t: int, text_node: int, value: str) -> None:
        self.incremental(t, MUTATION, texts=[{"id": text_node, "value": value}], attributes=[], removes=[], adds=[])

    def attach_iframe(self, t: int, iframe: int, *body: Any) -> dict[str, int]:
        """A same-origin iframe's document, as rrweb adds it once the frame has loaded."""
        refs: dict[str, int] = {}
        document = self.document(refs, body)
        document["rootId"] = document["id"]
        adds = [{"parentId": iframe, "nextId": None, "node": document}]
        self.incremental(t, MUTATION, texts=[], attributes=[], removes=[], adds=adds)
        return refs

    # -- user actions ---------------------------------------------------------------------------------------------

    def click(self, t: int, node: int, x: float = 100, y: float = 100) -> None:
        """MouseDown, MouseUp and Click at the same moment, as a quick real click records."""
        self.incremental(t, INTERACTION, type=MOUSE_DOWN, id=node, x=x, y=y)
        self.incremental(t, INTERACTION, type=MOUSE_UP, id=node, x=x, y=y)
        self.incremental(t, INTERACTION, type=CLICK, id=node, x=x, y=y, pointerType=0)

    def tap(self, t: int, node: int, x: float = 100, y: float = 100) -> None:
        """A finger tap as a phone records it: TouchStart, TouchEnd, then the Click the browser derives, all touch."""
        self.incremental(t, INTERACTION, type=TOUCH_START, id=node, x=x, y=y, pointerType=2)
        self.incremental(t + 60, INTERACTION, type=TOUCH_END, id=node, x=x, y=y, pointerType=2)
        self.incremental(t + 70, INTERACTION, type=CLICK, id=node, x=x, y=y, pointerType=2)

    def dblclick(self, t: int, node: int, x: float = 100, y: float = 100) -> None:
        self.incremental(t, INTERACTION, type=DBL_CLICK, id=node, x=x, y=y)

    def focus(self, t: int, node: int) -> None:
        self.incremental(t, INTERACTION, type=FOCUS, id=node)

    def blur(self, t: int, node: int) -> None:
        self.incremental(t, INTERACTION, type=BLUR, id=node)

    def type_text(self, t: int, node: int, text: str, every: int = 100) -> int:
        """One Input event per keystroke; returns the time of the last one."""
        for i in range(1, len(text) + 1):
            self.input(t + (i - 1) * every, node, text[:i])
        return t + (len(text) - 1) * every

    def input(self, t: int, node: int, text: str, checked: bool = False, user_triggered: bool | None = None) -> None:
        data: dict[str, Any] = {"text": text, "isChecked": checked, "id": node}
        if user_triggered is not None:
            data["userTriggered"] = user_triggered
        self.incremental(t, INPUT, **data)

    def scroll(self, t: int, node: int = 1, y: int = 200) -> None:
        self.incremental(t, SCROLL, id=node, x=0, y=y)

    def select_text(self, t: int, text_node: int) -> None:
        self.incremental(
            t, SELECTION, ranges=[{"start": text_node, "startOffset": 0, "end": text_node, "endOffset": 3}]
        )

    def collapse_selection(self, t: int, text_node: int) -> None:
        self.incremental(
            t, SELECTION, ranges=[{"start": text_node, "startOffset": 2, "end": text_node, "endOffset": 2}]
        )

    def moves(self, t: int, points: Iterable[tuple[int, float, float]], node: int = 1) -> None:
        """One MouseMove batch at time t with positions at (t + dt) for each (dt, x, y); dt <= 0, as rrweb sends."""
        positions = [{"x": x, "y": y, "id": node, "timeOffset": dt} for dt, x, y in points]
        self.incremental(t, MOUSE_MOVE, positions=positions)

    def wait(self, t: int) -> None:
        """A harmless event (a tiny mouse move) that only shows the recording went on until t."""
        self.incremental(t, MOUSE_MOVE, positions=[{"x": 1, "y": 1, "id": 1, "timeOffset": 0}])

    # -- page output ----------------------------------------------------------------------------------------------

    def console_error(self, t: int, message: str) -> None:
        payload = {"level": "error", "trace": ["at handler (app.js:1:1)"], "payload": [json.dumps(message)]}
        self.push(t, PLUGIN, {"plugin": "rrweb/console@1", "payload": payload})

    def console_log(self, t: int, message: str) -> None:
        payload = {"level": "log", "trace": [], "payload": [json.dumps(message)]}
        self.push(t, PLUGIN, {"plugin": "rrweb/console@1", "payload": payload})

    def custom(self, t: int, tag: str, payload: Any) -> None:
        self.push(t, CUSTOM, {"tag": tag, "payload": payload})

    def route(self, t: int, href: str, tag: str = "$url_changed") -> None:
        """A single-page-app route change as posthog-js records it: a Custom event with the new address-bar URL."""
        self.custom(t, tag, {"href": href})


def packed(value: Any) -> str:
    """A value compressed the way posthog-js does: gzip of the JSON, as a latin-1 string."""
    return gzip.compress(json.dumps(value).encode()).decode("latin-1")


def analyze(rec: Recording | list[dict[str, Any]], config: DetectConfig | None = None) -> SessionAnalysis:
    events = rec.events if isinstance(rec, Recording) else rec
    return analyze_session("sess_test", {"win_1": events}, config or DetectConfig())


def of_kind(analysis: SessionAnalysis, kind: str) -> list:
    return [s for s in analysis.signals if s.kind == kind]
