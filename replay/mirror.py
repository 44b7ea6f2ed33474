"""A DOM mirror rebuilt from rrweb events: node id -> node, with parents, so a click's target can be named and placed.

rrweb refers to nodes by numeric id. A FullSnapshot serializes the whole document (ids count up in tree order) and
Mutation events then add, remove, re-attribute and re-text nodes by id. Node ids belong to one recorder instance, and
rrweb starts a new instance on every page load, so a FullSnapshot *replaces* the mirror instead of merging into it.

Every page load brings a snapshot of thousands of nodes of which a handful will ever be looked at, so indexing must be
cheap: the serialized nodes are indexed as they came (shared with the event, never modified) with a parent map, and
views (`Node`, `Element`) are only made on lookup. Attribute mutations are applied only for attributes that name or
classify an element (ATTRIBUTES_KEPT): a page animating `style` sixty times a second costs one set test per change.
Removed nodes are unlinked from the id map but their descendants are not chased down: they become unreachable (their
ancestor walk breaks), which is all `is_attached` needs, and it keeps a removal O(1) however big the subtree.

Same-origin iframes arrive as a Document node inside the iframe element (inline, or as a Mutation add once the frame
loads); ancestor walks stop at the nearest Document, so an input inside an iframe never belongs to a form of the page
around it, and coordinates are compared only between nodes of the same document.

Nothing here raises on malformed input: entries that cannot be read are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from replay import rrweb
from replay.elements import SHORT_TEXT_CHARS, Element, anchor_selector, element_from

# Attributes that identify or classify an element; changes to any other attribute are ignored.
ATTRIBUTES_KEPT: Final = frozenset(
    {
        "id", "class", "role", "type", "name", "aria-label", "data-testid", "href", "target", "download",
        "contenteditable", "for", "form", "alt", "title", "placeholder",
    }
)  # fmt: skip

# A malformed stream could make a parent cycle; real documents are far shallower than this.
MAX_DEPTH: Final = 4096
# Bound the work of naming one element: a click on <body> must not walk a 50,000-node page for its text.
_TEXT_NODES_VISITED: Final = 400
# ... and naming one by its position must not walk a whole page either: past this, it is named without one.
_POSITION_NODES_VISITED: Final = 5000
_NO_TEXT_TAGS: Final = frozenset({"script", "style", "noscript", "template", "head", "title", "svg"})
_FORM_ASSOCIATED: Final = frozenset({"input", "select", "textarea", "button", "fieldset", "output", "object"})


class Node:
    """A read-only view of one mirrored node, made on lookup (the mirror itself stores no per-node objects)."""

    __slots__ = ("attrs", "first_class", "id", "kind", "parent", "tag")

    def __init__(
        self, node_id: int, kind: Any, tag: str, attrs: Mapping[str, Any], parent: int | None, first_class: str | None
    ) -> None:
        self.id = node_id
        self.kind = kind
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        # The classes the node was first seen with (None if never changed): a selector must not change when a script
        # toggles `is-active`.
        self.first_class = first_class


_NO_ATTRS: Final[Mapping[str, Any]] = {}


def _child_list(serialized: dict[str, Any]) -> list[Any]:
    children = serialized.get("childNodes")
    return children if type(children) is list else []


class Mirror:
    """The mirrored DOM of one page view of one window.

    Indexing a snapshot must be cheap, since every page load brings one and most of its nodes are never looked at: the
    serialized nodes are kept as they came (`_serialized`, shared with the event, never modified) with a parent map,
    and what mutations change is kept beside them (`_attrs`, `_texts`, `_added_children`).
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._serialized: dict[int, dict[str, Any]] = {}
        self._parent: dict[int, int | None] = {}
        self._attrs: dict[int, dict[str, Any]] = {}  # attributes after mutations, for nodes whose attributes changed
        self._first_class: dict[int, str] = {}
        self._texts: dict[int, str] = {}  # text after mutations
        self._added_children: dict[int, list[int]] = {}  # children attached by mutations, beyond `childNodes`
        self._forms_by_html_id: dict[str, int] = {}
        self._elements: dict[int, Element | None] = {}

    def __len__(self) -> int:
        return len(self._serialized)

    def __contains__(self, node_id: Any) -> bool:
        return type(node_id) is int and node_id in self._serialized

    def get(self, node_id: Any) -> Node | None:
        serialized = self._serialized.get(node_id) if type(node_id) is int else None
        if serialized is None:
            return None
        kind = serialized.get("type")
        if kind == rrweb.ELEMENT_NODE:
            tag = serialized.get("tagName")
            tag = tag.lower() if isinstance(tag, str) else ""
            attrs: Mapping[str, Any] | None = self._attrs.get(node_id)
            if attrs is None:
                recorded = serialized.get("attributes")
                attrs = recorded if type(recorded) is dict else _NO_ATTRS
        else:
            tag, attrs = "", _NO_ATTRS
        return Node(node_id, kind, tag, attrs, self._parent.get(node_id), self._first_class.get(node_id))

    # -- building -------------------------------------------------------------------------------------------------

    def load_snapshot(self, root: Any) -> bool:
        """Replace the mirror with the tree of a FullSnapshot's `data.node`. Returns False if there was no tree."""
        self._reset()
        if type(root) is not dict or type(root.get("id")) is not int:
            return False
        self._add_tree(root, None)
        return True

    def _add_tree(self, root: dict[str, Any], parent_id: int | None) -> None:
        serialized, parents = self._serialized, self._parent
        root_id = root.get("id")
        if type(root_id) is not int:
            return
        previous = serialized.get(root_id)
        if previous is not None and not root.get("childNodes"):
            # A node moved within the page comes back with its id and without its children (rrweb serializes moves
            # with skipChild); its descendants still point at it, so they stay its children.
            kept = [c.get("id") for c in _child_list(previous) if type(c) is dict]
            kept += self._added_children.get(root_id, [])
            self._added_children[root_id] = [c for c in kept if type(c) is int]
        parents[root_id] = parent_id
        # Iterative, with parents recorded as children are pushed: no recursion limit for a hostile snapshot nested
        # 100,000 deep, and no tuple per node.
        stack = [root]
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            node_id = node["id"]
            serialized[node_id] = node
            children = node.get("childNodes")
            if children and type(children) is list:
                for child in children:
                    if type(child) is dict:
                        child_id = child.get("id")
                        if type(child_id) is int:
                            parents[child_id] = node_id
                            # Half the nodes are leaves (text, inputs, images): indexed here, not pushed and popped.
                            if child.get("childNodes"):
                                push(child)
                            else:
                                serialized[child_id] = child

    def apply_mutation(self, data: Mapping[str, Any]) -> None:
        """Apply a Mutation event's data in the order rrweb's replayer does: removes, adds, texts, attributes.

        Most mutations carry one or two of the four parts (a ticker's text, an animation's style): empty parts are
        passed over without building anything."""
        removes, adds, texts, attributes = (
            data.get("removes"), data.get("adds"), data.get("texts"), data.get("attributes"))
        if removes and type(removes) is list:
            self._remove(removes)
        if adds and type(adds) is list:
            self._add(adds)
        if texts and type(texts) is list:
            self._retext(texts)
        if attributes and type(attributes) is list:
            self._reattribute(attributes)

    def _remove(self, entries: list[Any]) -> None:
        serialized = self._serialized
        for entry in entries:
            if type(entry) is dict:
                node_id = entry.get("id")
                if type(node_id) is int and serialized.pop(node_id, None) is not None:
                    self._parent.pop(node_id, None)

    def _add(self, entries: list[Any]) -> None:
        for entry in entries:
            if type(entry) is not dict:
                continue
            node = entry.get("node")
            if type(node) is dict and type(node.get("id")) is int:
                parent = entry.get("parentId")
                parent = parent if type(parent) is int else None
                self._add_tree(node, parent)
                if parent is not None:
                    self._added_children.setdefault(parent, []).append(node["id"])

    def _retext(self, entries: list[Any]) -> None:
        for entry in entries:
            if type(entry) is dict:
                node_id = entry.get("id")
                if type(node_id) is int and node_id in self._serialized:
                    value = entry.get("value")
                    self._texts[node_id] = value if isinstance(value, str) else ""

    def _reattribute(self, entries: list[Any]) -> None:
        kept = ATTRIBUTES_KEPT
        for entry in entries:
            if type(entry) is dict:
                changes = entry.get("attributes")
                if type(changes) is dict and not kept.isdisjoint(changes):
                    self._set_attributes(entry.get("id"), changes)

    def _set_attributes(self, node_id: Any, changes: dict[str, Any]) -> None:
        node = self.get(node_id)
        if node is None:
            return
        if "class" in changes and node.id not in self._first_class:
            original = node.attrs.get("class")
            self._first_class[node.id] = original if isinstance(original, str) else ""
        attrs = dict(node.attrs)
        for name, value in changes.items():
            if name in ATTRIBUTES_KEPT:
                if value is None:
                    attrs.pop(name, None)
                else:
                    attrs[name] = value
        self._attrs[node.id] = attrs

    def _children_of(self, node_id: int) -> list[int]:
        """Current children, in document order as far as known (snapshot order, then additions)."""
        serialized = self._serialized.get(node_id)
        if serialized is None:
            return []
        children = serialized.get("childNodes")
        parents = self._parent
        # A child that was removed or moved elsewhere is still listed here; its parent pointer tells.
        out = [child_id for c in children if type(c) is dict and type(child_id := c.get("id")) is int
               and parents.get(child_id, -1) == node_id] if type(children) is list else []
        added = self._added_children.get(node_id)
        if added:
            out += [c for c in added if parents.get(c, -1) == node_id]  # ids, as `_add` and `_add_tree` keep them
        if len(set(out)) != len(out):  # listed twice (moved back, or a malformed stream): its first place counts
            out = list(dict.fromkeys(out))
        return out

    # -- reading --------------------------------------------------------------------------------------------------

    def ancestors(self, node_id: Any) -> Iterator[Node]:
        """The node itself, then its ancestors, up to (not including) the nearest Document node.

        Stops early at a node that is not in the mirror (removed, or never seen).
        """
        node = self.get(node_id)
        depth = 0
        while node is not None and node.kind != rrweb.DOCUMENT_NODE and depth < MAX_DEPTH:
            yield node
            node = self.get(node.parent)
            depth += 1

    def lineage(self, node_id: Any) -> tuple[list[tuple[int, str, Mapping[str, Any]]], int | None]:
        """The elements from the node up to its Document as (id, tag, attributes), and that Document's id (None if
        the chain breaks at a node the mirror does not have). The lean form of `ancestors` for the per-click walk."""
        serialized, parents, changed = self._serialized, self._parent, self._attrs
        chain: list[tuple[int, str, Mapping[str, Any]]] = []
        depth = 0
        while type(node_id) is int and depth < MAX_DEPTH:
            node = serialized.get(node_id)
            if node is None:
                return chain, None
            kind = node.get("type")
            if kind == rrweb.DOCUMENT_NODE:
                return chain, node_id
            if kind == rrweb.ELEMENT_NODE:
                tag = node.get("tagName")
                attrs = changed.get(node_id) or node.get("attributes")
                chain.append(
                    (node_id, tag.lower() if isinstance(tag, str) else "", attrs if type(attrs) is dict else _NO_ATTRS)
                )
            node_id = parents.get(node_id)
            depth += 1
        return chain, None

    def document_of(self, node_id: Any) -> int | None:
        """Id of the Document the node lives in (the page's, or an iframe's); None if the chain is broken."""
        serialized, parents = self._serialized, self._parent
        depth = 0
        while type(node_id) is int and node_id in serialized and depth < MAX_DEPTH:
            if serialized[node_id].get("type") == rrweb.DOCUMENT_NODE:
                return node_id
            node_id = parents.get(node_id)
            depth += 1
        return None

    def is_attached(self, node_id: Any) -> bool:
        """Whether the node is still in the page: its ancestor chain reaches the top Document (through iframes)."""
        serialized, parents = self._serialized, self._parent
        depth = 0
        while type(node_id) is int and node_id in serialized and depth < MAX_DEPTH:
            parent = parents.get(node_id)
            if parent is None:
                return serialized[node_id].get("type") == rrweb.DOCUMENT_NODE
            node_id = parent
            depth += 1
        return False

    def contains(self, ancestor_id: int, node_id: Any) -> bool | None:
        """Whether `node_id` is `ancestor_id` or inside it; None when the node is unknown (cannot tell)."""
        serialized, parents = self._serialized, self._parent
        if type(node_id) is not int or node_id not in serialized:
            return None
        depth = 0
        while node_id is not None and depth < MAX_DEPTH:
            if node_id == ancestor_id:
                return True
            node_id = parents.get(node_id)
            depth += 1
        return False

    def form_of(self, node_id: Any) -> int | None:
        """The form a field belongs to: its `form="..."` owner if it names one, else the nearest ancestor <form>."""
        chain, document = self.lineage(node_id)
        if not chain:
            return None
        element_id, tag, attrs = chain[0]
        owner = attrs.get("form")
        if element_id == node_id and tag in _FORM_ASSOCIATED and isinstance(owner, str) and owner:
            form_id = self._form_by_html_id(owner, document)
            if form_id is not None:
                return form_id
        for element_id, tag, _ in chain:
            if tag == "form":
                return element_id
        return None

    def _form_by_html_id(self, html_id: str, document: int | None) -> int | None:
        def is_the_form(candidate: int) -> bool:
            node = self.get(candidate)
            return (
                node is not None
                and node.tag == "form"
                and node.attrs.get("id") == html_id
                and (self.is_attached(candidate) and (document is None or self.document_of(candidate) == document))
            )

        cached = self._forms_by_html_id.get(html_id)
        if cached is not None and is_the_form(cached):
            return cached
        # A `form=` attribute is rare, so a scan on a cache miss is cheaper than indexing every id on every page.
        for candidate, serialized in self._serialized.items():
            tag = serialized.get("tagName")
            if isinstance(tag, str) and tag.lower() == "form" and is_the_form(candidate):
                self._forms_by_html_id[html_id] = candidate
                return candidate
        return None

    def text_of(self, node_id: Any, limit: int = SHORT_TEXT_CHARS) -> str:
        """The visible text inside a node, in document order, cut once `limit` characters are collected."""
        if type(node_id) is not int or node_id not in self._serialized:
            return ""
        pieces: list[str] = []
        collected = visited = 0
        stack = [node_id]
        nodes, text_of_node, children_of = self._serialized, self._text, self._children_of
        while stack and collected < limit and visited < _TEXT_NODES_VISITED:
            current = stack.pop()
            visited += 1
            serialized = nodes.get(current)
            if serialized is None:
                continue
            kind = serialized.get("type")
            if kind == rrweb.TEXT_NODE:
                text = text_of_node(current, serialized).strip()
                if text:
                    pieces.append(text)
                    collected += len(text) + 1
                continue
            tag = serialized.get("tagName")
            if isinstance(tag, str) and tag.lower() in _NO_TEXT_TAGS:
                continue
            stack.extend(reversed(children_of(current)))
        return " ".join(pieces)

    def _text(self, node_id: int, serialized: dict[str, Any]) -> str:
        text = self._texts.get(node_id)
        if text is not None:
            return text
        text = serialized.get("textContent")
        # rrweb marks <style> contents with isStyle; CSS is not text a person reads.
        return text if isinstance(text, str) and not serialized.get("isStyle") else ""

    def element(self, node_id: Any) -> Element | None:
        """The node as an Element (for selectors and descriptions); None for unknown ids and non-element nodes.

        An element is named once, the first time it is asked for, and keeps that name while the page lives: a button
        whose label turns from "Add" to "Added" stays the same control in reports (and a burst of clicks names it
        once). An element that nothing else tells apart (no id, test id, name, label or text) is named by its
        position under its nearest identified ancestor.
        """
        if type(node_id) is not int:
            return None
        element = self._elements.get(node_id)
        if element is None and node_id not in self._elements:
            node = self.get(node_id)
            if node is not None and node.kind == rrweb.ELEMENT_NODE:
                text = "" if node.tag in ("input", "select", "textarea") else self.text_of(node_id)
                element = element_from(node.tag, node.attrs, text, node.first_class)
                if not element.distinguisher and not element.id and not element.testid:
                    anchor, nth = self._position(node_id, node.tag)
                    element = element.placed(anchor, nth)
            if node is not None:
                self._elements[node_id] = element
        return element

    def _position(self, node_id: int, tag: str) -> tuple[str, int]:
        """(anchor selector, n): the node is the n-th <tag> in document order under its nearest ancestor with an id
        or a test id (the anchor; "" for the document). n is 0 if the walk would be too long to be worth it."""
        chain, document = self.lineage(node_id)
        root: int | None = document
        anchor = ""
        for ancestor_id, ancestor_tag, attrs in chain[1:]:
            anchor = anchor_selector(ancestor_tag, attrs)
            if anchor:
                root = ancestor_id
                break
        if root is None:
            return "", 0
        seen = 0
        for element_id, element_tag, _ in self.elements_under(root, _POSITION_NODES_VISITED):
            if element_tag == tag:
                seen += 1
                if element_id == node_id:
                    return anchor, seen
        return anchor, 0

    def elements_under(self, root_id: int, limit: int) -> Iterator[tuple[int, str, Mapping[str, Any]]]:
        """The elements inside `root_id` (not itself) in document order, as (id, tag, attributes), visiting at most
        `limit` nodes: callers that need a whole subtree bound what a huge page may cost."""
        stack = list(reversed(self._children_of(root_id)))
        visited = 0
        while stack and visited < limit:
            current = stack.pop()
            visited += 1
            serialized = self._serialized.get(current)
            if serialized is None or serialized.get("type") != rrweb.ELEMENT_NODE:
                continue
            tag = serialized.get("tagName")
            attrs = self._attrs.get(current) or serialized.get("attributes")
            yield current, tag.lower() if isinstance(tag, str) else "", attrs if type(attrs) is dict else _NO_ATTRS
            stack.extend(reversed(self._children_of(current)))
