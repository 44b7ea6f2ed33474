"""Form abandonment (DESIGN.md): at least one field of a form received user input (typing, a select change, a checkbox
or radio) and the form was not submitted before the page was left or the session ended. A focus alone does not start a
form. Reported with the last field touched (drop-off field), the fields filled and the time spent.

rrweb records no submit event, so submission is inferred from what a submit does to a page:
- a click on a submit control of the form (a <button> without type or type=submit, <input type=submit|image>, inside
  the form or naming it with `form="..."`; pressing Enter in a field clicks that control too, per HTML's implicit
  submission), followed within `form_submit_timeout_ms` by
  - a navigation (a new page load, or a single-page-app route change), unless a later click on a link caused it;
  - the form being removed or replaced (a re-render gives it new ids, which removes the old node);
  - any other DOM change that is not on the submit control itself: a JS submit renders results next to the form, or
    a confirmation inside it. Changes to the control alone (a ripple, a spinner, `disabled`) follow a click whether
    or not the form was submitted, and a submit that the browser's own validation refuses changes nothing at all;
  - the recording ending (the form posted to a page that is not recorded, such as a payment provider);
- or a custom rrweb event whose tag is one of `form_submit_event_tags`.

Only fields inside a <form> count: inputs outside any form (a site search box, list filters) never start one. Fields
are the form's descendants (or elements naming it with `form="..."`), in the same document: a form in an iframe is
its own form.

Leaving: a page load leaves every form. In a single-page app a form is left when a route change removes it from the
DOM: it is gone at the route change, or goes within `route_change_render_ms` as the new route renders. A form still
there (a search box in the header, a settings panel) stays open on the new route. A form removed otherwise (a modal
closed with Cancel) is not submitted and ends when the page is left or the recording ends, as DESIGN.md reads.

An autosave form (replay.detect.autosave) is never abandoned; its episodes are reported apart.

An Input event that empties a field does not start a form: applications clear fields from script after a JS submit,
and rrweb records those as Input events too. Input values are never kept; only which fields were filled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from policies.detect import DetectConfig
from replay.detect.autosave import AutosaveRule, Changes, has_submit_control
from replay.detect.pages import LEFT_BY_NAVIGATION, LEFT_BY_SESSION_END, Page
from replay.detect.signal import FORM_ABANDONMENT, Signal, SignalFactory
from replay.detect.targets import BUTTON_INPUT_TYPES, ClickTarget
from replay.elements import Element, css_selector, describe
from replay.mirror import Mirror

_FIELD_TAGS: Final = frozenset({"input", "select", "textarea"})


@dataclass(slots=True, eq=False)
class _Form:
    form_id: int
    page: Page
    element: Element | None
    started_at: int | None = None  # first input that filled a field; None while only focused
    filled: dict[int, Element | None] = field(default_factory=dict)  # field id -> field, in order of first input
    last_field: Element | None = None
    submit_clicked_at: int | None = None  # the last submit click still waiting for its effect
    submit_target: int | None = None  # the control that click was on
    submit_clicks: int = 0
    submitted: bool = False
    submit_control: bool = False  # a submit control was clicked, or found at the first confirmed change
    changes: Changes = field(default_factory=Changes)
    route_left_at: int | None = None  # set by a route change while the new route may still remove the form
    route_deadline: int = 0


def _is_field(mirror: Mirror, node_id: int) -> bool:
    node = mirror.get(node_id)
    if node is None:
        return False
    if node.tag in _FIELD_TAGS:
        input_type = node.attrs.get("type")
        return node.tag != "input" or not (isinstance(input_type, str) and input_type.lower() in BUTTON_INPUT_TYPES)
    editable = node.attrs.get("contenteditable")
    return editable is not None and str(editable).lower() != "false"


def _fills(data: Mapping[str, Any]) -> bool:
    text = data.get("text")
    return data.get("isChecked") is True or (isinstance(text, str) and text != "")


class FormAbandonment:
    def __init__(self, config: DetectConfig) -> None:
        self.timeout = config.form_submit_timeout_ms
        self.render_ms = config.route_change_render_ms
        self.submit_tags = frozenset(config.form_submit_event_tags)
        self.autosave = AutosaveRule(config)
        self.forms: dict[int, _Form] = {}  # forms touched on the current page view, by node id
        self._field_form: dict[int, int | None] = {}  # field id -> form id; typing sends one Input per key
        self._field_elements: dict[int, Element | None] = {}
        self._last_click_was_link = False
        self._signals: list[tuple[_Form, int, str]] = []  # (form, left_at, left_by)
        self._ended: list[tuple[_Form, int]] = []  # every started episode, submitted or not, with when it ended

    # -- page lifecycle -------------------------------------------------------------------------------------------

    def on_snapshot(self) -> None:
        """A new FullSnapshot: ids may now mean other nodes. Forms keep their state (a same-page checkout)."""
        self._field_form.clear()
        self._field_elements.clear()

    def on_page_end(self, left_at: int, left_by: str) -> None:
        """The user left the page (`navigation`) or the recording ended (`session_end`) at `left_at`.

        A navigation caused by a submit was already confirmed by `on_navigation`. When the recording ends soon after
        a submit click, the submit is taken to have worked: a form posting to a page that is not recorded (a payment
        provider) ends the recording exactly like that.
        """
        for form in self.forms.values():
            self._leave(form, left_at, left_by)
        self.forms = {}
        self._field_form.clear()
        self._field_elements.clear()
        self._last_click_was_link = False

    def on_route_change(self, mirror: Mirror, timestamp: int, left_at: int) -> None:
        """A single-page-app route change at `timestamp`; the page was left at `left_at`. Forms already gone are left;
        the others are left if the new route removes them while it renders, and stay open otherwise."""
        self.on_navigation(timestamp)
        for form_id, form in list(self.forms.items()):
            if mirror.is_attached(form_id):
                form.route_left_at, form.route_deadline = left_at, timestamp + self.render_ms
            else:
                self._leave(form, left_at, LEFT_BY_NAVIGATION)
                del self.forms[form_id]
        self._last_click_was_link = False

    def _leave(self, form: _Form, left_at: int, left_by: str) -> None:
        if form.started_at is None:
            return
        clicked = form.submit_clicked_at
        if not form.submitted and left_by == LEFT_BY_SESSION_END and clicked is not None \
                and left_at - clicked <= self.timeout:
            self._confirm(form)
        self.autosave.on_leave(form.changes, left_at)
        self._ended.append((form, left_at))
        if not form.submitted and not self._is_autosave(form):
            self._signals.append((form, left_at, left_by))

    def _is_autosave(self, form: _Form) -> bool:
        return self.autosave.is_autosave(form.changes, form.submit_control)

    # -- events ---------------------------------------------------------------------------------------------------

    def _form_of(self, mirror: Mirror, node_id: int) -> int | None:
        if node_id in self._field_form:
            return self._field_form[node_id]
        form_id = mirror.form_of(node_id) if _is_field(mirror, node_id) else None
        self._field_form[node_id] = form_id
        return form_id

    def _field_element(self, mirror: Mirror, node_id: int) -> Element | None:
        if node_id not in self._field_elements:
            self._field_elements[node_id] = mirror.element(node_id)
        return self._field_elements[node_id]

    def _state(self, mirror: Mirror, form_id: int, page: Page) -> _Form:
        form = self.forms.get(form_id)
        if form is None:
            form = self.forms[form_id] = _Form(form_id, page, mirror.element(form_id))
        return form

    def on_focus(self, mirror: Mirror, node_id: Any, page: Page) -> None:
        if type(node_id) is not int:
            return
        form_id = self._form_of(mirror, node_id)
        if form_id is not None:
            self._state(mirror, form_id, page).last_field = self._field_element(mirror, node_id)

    def on_input(self, mirror: Mirror, timestamp: int, data: Mapping[str, Any], page: Page) -> None:
        node_id = data.get("id")
        # rrweb sets userTriggered=false on side effects (the radio a click unchecked); absent means unknown.
        if type(node_id) is not int or data.get("userTriggered") is False:
            return
        form_id = self._form_of(mirror, node_id)
        if form_id is None:
            return
        form = self._state(mirror, form_id, page)
        fills = _fills(data)
        if form.submitted:
            if not fills:
                return
            # Typing into a form after it was submitted (a search box, a chat) starts a new episode.
            if form.started_at is not None:
                self._ended.append((form, timestamp))
            form = self.forms[form_id] = _Form(form_id, page, form.element)
        element = self._field_element(mirror, node_id)
        form.last_field = element
        if fills:
            if form.started_at is None:
                form.started_at = timestamp
            form.filled.setdefault(node_id, element)
        if not form.submit_control:  # a form with a submit control is never an autosave form: no need to follow
            self.autosave.on_input(form.changes, node_id, timestamp)

    def on_click(self, mirror: Mirror, timestamp: int, target: ClickTarget, page: Page) -> None:
        self._last_click_was_link = target.is_link
        form_id = target.submits_form
        if form_id is not None:
            form = self._state(mirror, form_id, page)
            form.submit_control = True
            if not form.submitted:
                form.submit_clicked_at = timestamp
                form.submit_target = target.element_id
                form.submit_clicks += 1

    @staticmethod
    def _confirm(form: _Form) -> None:
        form.submitted = True
        form.submit_clicked_at = None

    def on_mutation(self, mirror: Mirror, timestamp: int, data: Mapping[str, Any]) -> None:
        """Called after the mirror applied the mutation. (Every mutation of the page comes here: the checks are
        inline, and a form waits for nothing most of the time.)"""
        if not self.forms:
            return
        for form in list(self.forms.values()):
            if form.submit_clicked_at is not None and not form.submitted:
                self._submit_effect(mirror, form, timestamp, data)
            if form.changes.last_input_at is not None and not form.submit_control:
                self._autosave_effect(mirror, form, timestamp, data)
            if form.route_left_at is not None:
                self._route_effect(mirror, form, timestamp)

    def _submit_effect(self, mirror: Mirror, form: _Form, timestamp: int, data: Mapping[str, Any]) -> None:
        clicked = form.submit_clicked_at
        if clicked is None:
            return
        if timestamp - clicked > self.timeout:
            form.submit_clicked_at = None  # the submit led nowhere in time; a later navigation is not its doing
        elif not mirror.is_attached(form.form_id) or _changes_elsewhere(mirror, form.submit_target, data):
            self._confirm(form)

    def _autosave_effect(self, mirror: Mirror, form: _Form, timestamp: int, data: Mapping[str, Any]) -> None:
        # A page that says "Saved" still shows the form: what removes it (a route rendering) confirms nothing.
        if form.route_left_at is not None or not mirror.is_attached(form.form_id):
            return
        confirmed = form.changes.confirmed
        self.autosave.on_mutation(form.changes, mirror, timestamp, data)
        if form.changes.confirmed and not confirmed and not form.submit_control:
            # The first confirmed change makes it an autosave candidate: only then is the form searched.
            form.submit_control = has_submit_control(mirror, form.form_id)

    def _route_effect(self, mirror: Mirror, form: _Form, timestamp: int) -> None:
        """While the new route renders, a form it removes was left at the route change; after that, it stays."""
        left_at = form.route_left_at
        if left_at is None:
            return
        if timestamp > form.route_deadline:
            form.route_left_at = None
        elif not mirror.is_attached(form.form_id):
            self._leave(form, left_at, LEFT_BY_NAVIGATION)
            del self.forms[form.form_id]

    def on_navigation(self, timestamp: int) -> None:
        """A navigation (page load or route change) is about to end the page: confirm the submit that caused it."""
        if self._last_click_was_link:
            return  # the user followed a link; a submit before it did not lead anywhere
        for form in self.forms.values():
            clicked = form.submit_clicked_at
            if clicked is not None and not form.submitted and timestamp - clicked <= self.timeout:
                self._confirm(form)

    def on_submit_event(self, mirror: Mirror, tag: Any, payload: Any) -> None:
        if not isinstance(tag, str) or tag.strip().lower() not in self.submit_tags:
            return
        named = _named_form(mirror, self.forms.values(), payload)
        if named is None:
            # No usable name in the payload: the form the user last filled is the one being submitted.
            started = [f for f in self.forms.values() if f.started_at is not None and not f.submitted]
            named = max(started, key=lambda f: f.started_at or 0, default=None)
        if named is not None and not named.submitted:
            self._confirm(named)

    # -- results --------------------------------------------------------------------------------------------------

    def signals(self, factory: SignalFactory) -> list[Signal]:
        out = []
        for form, left_at, left_by in self._signals:
            started = form.started_at or left_at
            drop_off = form.last_field
            details = {
                "drop_off_field": css_selector(drop_off) if drop_off else None,
                "drop_off_field_description": describe(drop_off) if drop_off else None,
                "fields_filled": len(form.filled),
                "fields": [css_selector(e) if e else None for e in form.filled.values()],
                "started_at": started,
                "left_at": left_at,
                "time_spent_ms": max(0, left_at - started),
                "left_by": left_by,
                "submit_clicks": form.submit_clicks,
            }
            out.append(factory.make(FORM_ABANDONMENT, started, form.page, form.element, details))
        return out


    def outcomes(self, window_id: str) -> list[FormOutcome]:
        """Every form episode that started (a field got input), submitted or abandoned: what the UX report counts."""
        return [
            FormOutcome(
                window_id=window_id,
                page_url=form.page.page_url,
                form=css_selector(form.element) if form.element else "",
                started_at=form.started_at or ended_at,
                ended_at=ended_at,
                submitted=form.submitted,
                fields_filled=len(form.filled),
                drop_off_field=None if form.submitted or autosave or form.last_field is None
                else css_selector(form.last_field),
                autosave=autosave,
                saved_changes=form.changes.confirmed,
            )
            for form, ended_at in self._ended
            for autosave in (self._is_autosave(form),)
        ]


@dataclass(frozen=True, slots=True)
class FormOutcome:
    window_id: str
    page_url: str  # normalized
    form: str  # the form's selector
    started_at: int
    ended_at: int
    submitted: bool
    fields_filled: int
    drop_off_field: str | None  # for abandoned forms: the last field touched
    autosave: bool = False  # an autosave form: never abandoned, reported apart
    saved_changes: int = 0  # changes the page confirmed

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


_MUTATION_TARGETS: Final = (("adds", "parentId"), ("removes", "parentId"), ("texts", "id"), ("attributes", "id"))


def _changes_elsewhere(mirror: Mirror, control_id: int | None, data: Mapping[str, Any]) -> bool:
    """Whether the mutation changed a known node that is not the submit control or inside it."""
    for key, id_key in _MUTATION_TARGETS:
        entries = data.get(key)
        if type(entries) is not list:
            continue
        for entry in entries:
            if type(entry) is not dict:
                continue
            node_id = entry.get(id_key)
            if control_id is None:
                if mirror.get(node_id) is not None:
                    return True
            elif mirror.contains(control_id, node_id) is False:
                return True
    return False


def _named_form(mirror: Mirror, forms: Any, payload: Any) -> _Form | None:
    """The tracked form a custom submit event names (by id, name or selector), if it names one."""
    if not isinstance(payload, dict):
        return None
    names = {
        v
        for k, v in payload.items()
        if k in ("form", "form_id", "formId", "id", "name", "selector") and isinstance(v, str)
    }
    if not names:
        return None
    for form in forms:
        node = mirror.get(form.form_id)
        candidates = {css_selector(form.element)} if form.element else set()
        if node is not None:
            candidates |= {v for k, v in node.attrs.items() if k in ("id", "name") and isinstance(v, str)}
            candidates |= {"#" + v for k, v in node.attrs.items() if k == "id" and isinstance(v, str)}
        if names & candidates:
            return form
    return None
