"""Served for playback, a recording names no server to fetch from: every URL the player would load that the recording
does not carry itself becomes a `data:` placeholder (replay.offline). What it carries, and links, stay as recorded."""

from __future__ import annotations

from typing import Any

import orjson

from replay.offline import (
    PLACEHOLDER_EMPTY,
    PLACEHOLDER_FRAME,
    PLACEHOLDER_IMAGE,
    rewrite_attribute,
    rewrite_css,
    rewrite_event,
)

EXT = "https://tracker.example"
IMG = f'url("{PLACEHOLDER_IMAGE}")'


def incremental(source: int, **data: Any) -> dict[str, Any]:
    event = {"type": 3, "timestamp": 1, "data": {"source": source, **data}}
    rewrite_event(event)
    return event["data"]


def test_css_urls_imports_and_image_sets_are_replaced_and_data_urls_kept() -> None:
    css = (f"@import '{EXT}/a.css'; @import url({EXT}/b.css); .x {{ background: URL( {EXT}/x.png ) }} "
           f".y {{ background-image: -webkit-image-set('{EXT}/1x.png' 1x, \"data:image/png;base64,AA\" 2x) }} "
           ".z { background: url(data:image/png;base64,BB) } .w { mask: url(#clip) }")
    out = rewrite_css(css)
    assert EXT not in out
    assert f'@import "{PLACEHOLDER_EMPTY}"' in out and f"@import {IMG}" in out and f".x {{ background: {IMG} }}" in out
    assert f'image-set("{PLACEHOLDER_IMAGE}" 1x, "data:image/png;base64,AA" 2x)' in out
    assert "url(data:image/png;base64,BB)" in out and "url(#clip)" in out


def test_attributes_that_load_are_replaced_by_kind_and_links_are_kept() -> None:
    assert rewrite_attribute("img", "src", f"{EXT}/p.png") == PLACEHOLDER_IMAGE
    assert rewrite_attribute("img", "srcset", f"{EXT}/p.png 1x, {EXT}/p2.png 2x") == PLACEHOLDER_IMAGE
    carried = "data:image/png;base64,AA 1x, data:image/png;base64,BB 2x"
    assert rewrite_attribute("img", "srcset", carried) == carried
    assert rewrite_attribute("img", "srcset", f"data:image/png;base64,AA 1x,{EXT}/p2.png 2x") == PLACEHOLDER_IMAGE
    assert rewrite_attribute("video", "poster", f"{EXT}/p.png") == PLACEHOLDER_IMAGE
    assert rewrite_attribute("video", "src", f"{EXT}/v.mp4") == PLACEHOLDER_EMPTY
    assert rewrite_attribute("link", "href", f"//{EXT[8:]}/s.css") == PLACEHOLDER_EMPTY
    assert rewrite_attribute("iframe", "src", f"{EXT}/f.html") == PLACEHOLDER_FRAME
    assert rewrite_attribute("object", "data", f"{EXT}/o.swf") == PLACEHOLDER_EMPTY
    assert rewrite_attribute("image", "xlink:href", f"{EXT}/i.svg") == PLACEHOLDER_IMAGE
    assert rewrite_attribute("td", "background", f"{EXT}/t.gif") == PLACEHOLDER_IMAGE
    assert rewrite_attribute("img", "rr_dataURL", f"{EXT}/p.png") == PLACEHOLDER_IMAGE
    assert rewrite_attribute("div", "style", f"background:url({EXT}/b.png)") == f"background:{IMG}"
    assert rewrite_attribute("meta", "content", f"0;url={EXT}/away") == "0"
    assert rewrite_attribute("a", "href", f"{EXT}/page") == f"{EXT}/page"  # the player never follows links
    assert rewrite_attribute("img", "src", "blob:https://shop.example/1") == "blob:https://shop.example/1"


def test_attribute_names_in_any_case_are_rewritten() -> None:
    node = {"type": 2, "tagName": "IMG", "attributes": {"SRC": f"{EXT}/p.png", "Class": "x"}, "childNodes": []}
    rewrite_event({"type": 2, "timestamp": 1, "data": {"node": node}})
    assert node["attributes"] == {"SRC": PLACEHOLDER_IMAGE, "Class": "x"}


def test_mutations_style_rules_declarations_fonts_and_canvas_images() -> None:
    node = {"type": 2, "tagName": "style", "attributes": {"_cssText": f"a{{background:url({EXT}/a.png)}}"},
            "childNodes": [{"type": 3, "textContent": f"b{{background:url({EXT}/b.png)}}"}]}
    data = incremental(0, adds=[{"parentId": 1, "node": node}], texts=[{"id": 2, "value": f"@import '{EXT}/c.css'"}],
                       attributes=[{"id": 3, "attributes": {"src": f"{EXT}/d.png", "data": f"{EXT}/e",
                                                            "style": {"background": [f"url({EXT}/f.png)", "important"],
                                                                      "color": "red", "width": False}}}])
    assert EXT not in orjson.dumps(data).decode()
    assert data["attributes"][0]["attributes"]["style"] == {"background": [IMG, "important"], "color": "red",
                                                            "width": False}
    assert EXT not in orjson.dumps(incremental(8, id=1, adds=[{"rule": f"a{{background:url({EXT}/x)}}", "index": 0}],
                                               replaceSync=f"@import '{EXT}/y.css'")).decode()
    assert incremental(13, id=1, set={"property": "background", "value": f"url({EXT}/x)"})["set"]["value"] == IMG
    assert EXT not in orjson.dumps(incremental(15, id=1, styleIds=[1], styles=[
        {"styleId": 1, "rules": [{"rule": f"a{{background:url({EXT}/x)}}"}]}])).decode()
    assert incremental(10, family="F", fontSource=f'url("{EXT}/f.woff2")', buffer=False)["fontSource"] == IMG
    assert incremental(10, family="F", fontSource=f"{EXT}/f.woff2", buffer=False)["fontSource"] == \
        f'url("{PLACEHOLDER_EMPTY}")'
    assert incremental(10, family="F", fontSource="[1,2,3]", buffer=True)["fontSource"] == "[1,2,3]"
    canvas = incremental(9, id=1, type=0, commands=[{"property": "drawImage", "args": [
        {"rr_type": "HTMLImageElement", "src": f"{EXT}/c.png"}, 0, 0]}])
    assert canvas["commands"][0]["args"][0]["src"] == PLACEHOLDER_IMAGE


def test_events_that_cannot_load_anything_are_left_alone() -> None:
    move = {"type": 3, "data": {"source": 1, "positions": [{"x": 1, "y": 2, "id": 3, "timeOffset": 0}]}, "timestamp": 5}
    meta = {"type": 4, "data": {"href": f"{EXT}/page", "width": 1, "height": 1}, "timestamp": 1}
    for event in (move, meta):  # the page's address is shown, never fetched
        before = orjson.dumps(event)
        rewrite_event(event)
        assert orjson.dumps(event) == before
