"""The DOM mirror: node id -> element, rebuilt from a FullSnapshot and kept up to date by Mutation events."""

from __future__ import annotations

from replay.elements import css_selector
from replay.mirror import Mirror
from tests.replay.streams import E, Recording


def mirrored(rec: Recording) -> Mirror:
    """Apply a recording's snapshot and mutations to a fresh mirror."""
    mirror = Mirror()
    for event in rec.events:
        if event["type"] == 2:
            mirror.load_snapshot(event["data"]["node"])
        elif event["type"] == 3 and event["data"]["source"] == 0:
            mirror.apply_mutation(event["data"])
    return mirror


def shop() -> tuple[Recording, dict[str, int]]:
    rec = Recording()
    ids = rec.snapshot(
        0,
        E(
            "form",
            E("label", "Email", E("input", ref="email", type="email", name="email", aria_label="Your email")),
            E("button", E("b", "Send", ref="send_text"), ref="send", class_="btn btn-primary css-1x2y3z"),
            ref="form",
            id="signup",
        ),
        E("div", ref="list"),
    )
    return rec, ids


def test_a_snapshot_names_every_node_and_its_ancestors() -> None:
    rec, ids = shop()
    mirror = mirrored(rec)
    assert [node.tag for node in mirror.ancestors(ids["send_text"])] == ["b", "button", "form", "body", "html"]
    assert mirror.document_of(ids["send"]) == ids["document"]
    assert mirror.form_of(ids["email"]) == ids["form"]
    assert mirror.form_of(ids["list"]) is None


def test_an_element_has_its_identifying_features_and_short_text() -> None:
    rec, ids = shop()
    mirror = mirrored(rec)
    send = mirror.element(ids["send"])
    assert send is not None
    assert (send.tag, send.classes, send.text) == ("button", ("btn", "btn-primary"), "Send")
    email = mirror.element(ids["email"])
    assert email is not None
    assert (email.type, email.name, email.aria_label) == ("email", "email", "Your email")


def test_controls_nothing_else_names_are_named_by_their_position_under_an_identified_ancestor() -> None:
    rec = Recording()
    ids = rec.snapshot(
        0,
        E("section", E("div", E("button", E("svg"), ref="first", class_="icon")),
          E("button", E("svg"), ref="second", class_="icon"), ref="toolbar", id="toolbar"),
        E("button", E("svg"), ref="outside", class_="icon"),
    )
    added = rec.add(10, ids["toolbar"], E("button", E("svg"), ref="added", class_="icon"))
    mirror = mirrored(rec)
    controls = (ids["first"], ids["second"], added["added"], ids["outside"])
    assert [css_selector(e) for e in map(mirror.element, controls) if e] == [
        "section#toolbar button.icon:nth-of-type(1)",
        "section#toolbar button.icon:nth-of-type(2)",
        "section#toolbar button.icon:nth-of-type(3)",  # added by a mutation: after the others
        "button.icon:nth-of-type(4)",  # no identified ancestor: counted in the whole document
    ]


def test_added_nodes_are_found_with_their_parents() -> None:
    rec, ids = shop()
    added = rec.add(10, ids["list"], E("article", E("h2", "Tent", ref="title"), ref="item", data_testid="item-1"))
    mirror = mirrored(rec)
    assert [n.tag for n in mirror.ancestors(added["title"])][:3] == ["h2", "article", "div"]
    assert mirror.text_of(ids["list"]) == "Tent"


def test_a_removed_node_and_everything_inside_it_are_detached() -> None:
    rec, ids = shop()
    rec.remove(10, ids["form"], ids["body"])
    mirror = mirrored(rec)
    assert not mirror.is_attached(ids["form"])
    assert not mirror.is_attached(ids["send_text"])
    assert mirror.is_attached(ids["list"])


def test_text_changes_are_applied() -> None:
    rec, ids = shop()
    rec.set_text(10, ids["send_text"] + 1, "Sending…")
    assert mirrored(rec).text_of(ids["send"]) == "Sending…"


def test_identifying_attribute_changes_are_applied_and_others_ignored() -> None:
    rec, ids = shop()
    rec.mutate(10, ids["list"], {"role": "list", "style": "color: red", "data-testid": "results"})
    rec.mutate(11, ids["list"], {"role": None})
    node = mirrored(rec).get(ids["list"])
    assert node is not None
    assert node.attrs == {"data-testid": "results"}


def test_attribute_changes_never_modify_the_recorded_event() -> None:
    rec, ids = shop()
    snapshot_before = repr(rec.events[0])
    rec.mutate(10, ids["send"], {"class": "btn is-loading"})
    mirrored(rec)
    assert repr(rec.events[0]) == snapshot_before


def test_a_toggled_class_does_not_change_the_elements_classes() -> None:
    # The selector of a control must not change when a script marks it active.
    rec, ids = shop()
    rec.mutate(10, ids["send"], {"class": "btn btn-primary is-active"})
    rec.mutate(20, ids["send"], {"class": "btn"})
    element = mirrored(rec).element(ids["send"])
    assert element is not None and element.classes == ("btn", "btn-primary")


def test_a_node_moved_elsewhere_keeps_its_children() -> None:
    # rrweb serializes a moved node again with its id but without children.
    rec, ids = shop()
    rec.incremental(
        10,
        0,
        texts=[],
        attributes=[],
        removes=[],
        adds=[
            {
                "parentId": ids["list"],
                "nextId": None,
                "node": {"type": 2, "tagName": "button", "attributes": {}, "childNodes": [], "id": ids["send"]},
            }
        ],
    )
    mirror = mirrored(rec)
    assert [n.tag for n in mirror.ancestors(ids["send_text"])][:3] == ["b", "button", "div"]
    assert mirror.text_of(ids["send"]) == "Send"
    assert mirror.text_of(ids["form"]) == "Email"  # the old parent no longer holds it


def test_a_node_moved_away_and_back_is_one_child_in_its_first_place() -> None:
    rec, ids = shop()
    button = {"type": 2, "tagName": "button", "attributes": {}, "childNodes": [], "id": ids["send"]}
    for t, parent in ((10, ids["list"]), (20, ids["form"])):
        rec.incremental(t, 0, texts=[], attributes=[], removes=[],
                        adds=[{"parentId": parent, "nextId": None, "node": button}])
    mirror = mirrored(rec)
    assert mirror.text_of(ids["form"]) == "Email Send"  # listed by the snapshot and by the move back: read once
    assert mirror.text_of(ids["list"]) == ""


def test_a_field_naming_its_form_by_id_belongs_to_it() -> None:
    rec = Recording()
    ids = rec.snapshot(0, E("form", ref="form", id="f"), E("input", ref="outside", form="f"), E("input", ref="plain"))
    mirror = mirrored(rec)
    assert mirror.form_of(ids["outside"]) == ids["form"]
    assert mirror.form_of(ids["plain"]) is None


def test_an_iframe_document_is_its_own_document_inside_the_page() -> None:
    rec = Recording()
    ids = rec.snapshot(0, E("form", E("iframe", ref="frame"), ref="form"))
    frame = rec.attach_iframe(10, ids["frame"], E("input", ref="card"))
    mirror = mirrored(rec)
    assert mirror.document_of(frame["card"]) == frame["document"] != ids["document"]
    assert mirror.form_of(frame["card"]) is None  # a form does not reach into a frame
    assert mirror.is_attached(frame["card"])
    assert [n.tag for n in mirror.ancestors(frame["card"])] == ["input", "body", "html"]


def test_a_new_snapshot_replaces_the_mirror() -> None:
    rec, _ = shop()
    new = rec.snapshot(100, E("p", ref="p"))
    mirror = mirrored(rec)
    assert len(mirror) == 5  # document, html, head, body, p: nothing of the previous page is left
    assert mirror.element(new["p"]).tag == "p"


def test_malformed_entries_are_skipped() -> None:
    mirror = Mirror()
    assert not mirror.load_snapshot("not a node")
    assert mirror.load_snapshot({"type": 0, "id": 1, "childNodes": [None, 5, {"id": "x"}, {"type": 2, "id": 2}]})
    mirror.apply_mutation(
        {
            "adds": [None, {"parentId": 999, "node": {"type": 2, "id": 3, "tagName": 7}}],
            "removes": [{"id": None}, "x"],
            "texts": [{"id": 2, "value": 5}],
            "attributes": [{"id": 2, "attributes": "class"}, {"id": 2, "attributes": {"id": 5}}],
        }
    )
    mirror.apply_mutation({"adds": "gzipped?", "removes": None})
    assert mirror.get(3) is not None and not mirror.is_attached(3)
    assert mirror.element(2) is not None and mirror.element(2).id == ""  # a non-string id attribute is no id


def test_a_deeply_nested_snapshot_does_not_exhaust_the_stack() -> None:
    node: dict = {"type": 2, "tagName": "div", "attributes": {}, "childNodes": [], "id": 20_002}
    for i in range(20_001, 1, -1):
        node = {"type": 2, "tagName": "div", "attributes": {}, "childNodes": [node], "id": i}
    mirror = Mirror()
    assert mirror.load_snapshot({"type": 0, "id": 1, "childNodes": [node]})
    assert len(mirror) == 20_002
    assert mirror.document_of(20_002) is None  # deeper than any real page: the walk gives up instead of looping


def test_a_parent_cycle_in_hostile_input_ends_the_walk() -> None:
    mirror = Mirror()
    mirror.load_snapshot({"type": 0, "id": 1, "childNodes": [{"type": 2, "tagName": "a", "id": 2, "childNodes": []}]})
    mirror.apply_mutation(
        {
            "adds": [
                {"parentId": 3, "node": {"type": 2, "tagName": "b", "id": 2}},
                {"parentId": 2, "node": {"type": 2, "tagName": "c", "id": 3}},
            ]
        }
    )
    assert not mirror.is_attached(2)
    assert len(list(mirror.ancestors(2))) <= 4096
