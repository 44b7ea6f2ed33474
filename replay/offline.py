"""A recording as the player may show it: everything it would fetch from elsewhere replaced by local placeholders.

A recorded DOM names images, stylesheets, fonts, media and frames by URL. Rebuilt in a reviewer's browser, each URL
would be fetched from wherever it points, telling that server when, and from where, a session is watched (and anyone
with a public write key can plant such URLs). So the events served for playback are rewritten first: every URL the
player would load that is not carried by the recording itself (`data:`, `blob:`, in-page `#` references) becomes a
placeholder that is itself a `data:` URL. Images and CSS backgrounds show a hatched "external image" box; stylesheets,
fonts, media and frames get nothing. What a recording carries (rrweb's `inlineStylesheet`, `inlineImages`,
`collectFonts` make it carry its assets) plays as recorded. The page's CSP (gateway.ui.headers) is the second line.

Rewritten: in serialized nodes (full snapshots and mutation adds) the attributes that load something (`src`,
`srcset`, `poster`, `href` of `<link>` and SVG images, `data` of `<object>`, `background`, `rr_dataURL`) and CSS in
`style` attributes, `<style>` text and `_cssText` (`url()`, `@import`, `image-set()`); attribute and text mutations;
stylesheet rules, style declarations and adopted stylesheets; fonts; images drawn on canvases. A `<meta>` refresh
loses its target. Links (`<a href>`) are kept: the player never follows them.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from replay import rrweb

_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="90" viewBox="0 0 160 90">'
    '<rect width="160" height="90" fill="#e5e7eb"/>'
    '<path d="M0 90L160 0M-40 90L120 0M40 90L200 0" stroke="#cbd5e1" stroke-width="6"/>'
    '<text x="80" y="50" font-family="sans-serif" font-size="12" text-anchor="middle" fill="#475569">'
    "external image</text></svg>"
)
PLACEHOLDER_IMAGE = "data:image/svg+xml," + quote(_SVG, safe="")
PLACEHOLDER_EMPTY = "data:,"  # a stylesheet, font or media file with nothing in it
PLACEHOLDER_FRAME = "about:blank"

_CARRIED = ("data:", "blob:", "#")
_IMAGE_ATTRIBUTES = frozenset({"src", "poster", "background", "rr_dataurl"})
_LINK_TAGS = frozenset({"link", "image", "use", "feimage"})  # whose href loads something (not <a>, <area>)
_EMPTY_TAGS = frozenset({"link", "script", "audio", "video", "source", "track", "embed", "object"})
_FRAME_TAGS = frozenset({"iframe", "frame"})
_CSS_ATTRIBUTES = frozenset({"style", "_csstext"})
# Every attribute rewrite_attribute may change, lower-cased.
_WATCHED = frozenset({"src", "srcset", "poster", "background", "rr_dataurl", "href", "xlink:href", "data", "style",
                      "_csstext", "content"})
_GUESSED_TAG = {"href": "link", "xlink:href": "image", "data": "object"}

_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_IMAGE_SET = re.compile(r"image-set\(((?:[^()]|\([^()]*\))*)\)", re.IGNORECASE)
_STRING = re.compile(r""""([^"]*)"|'([^']*)'""")


def carried(url: str) -> bool:
    """Whether the recording itself carries what `url` names (no request leaves the browser for it)."""
    stripped = url.strip()
    return not stripped or stripped.lower().startswith(_CARRIED)


def _image(url: str) -> str:
    return url if carried(url) else PLACEHOLDER_IMAGE


def rewrite_css(css: str) -> str:
    """CSS with every external `url()`, `@import` and `image-set()` string replaced by a placeholder."""
    if "(" not in css and "@" not in css:
        return css

    def url(match: re.Match[str]) -> str:
        target = next(g for g in match.groups() if g is not None)
        return match.group(0) if carried(target) else f'url("{PLACEHOLDER_IMAGE}")'

    def imported(match: re.Match[str]) -> str:
        target = next(g for g in match.groups() if g is not None)
        return match.group(0) if carried(target) else f'@import "{PLACEHOLDER_EMPTY}"'

    def image_set(match: re.Match[str]) -> str:
        inner = _STRING.sub(lambda s: s.group(0) if carried(s.group(1) or s.group(2) or "")
                            else f'"{PLACEHOLDER_IMAGE}"', match.group(1))
        return f"image-set({inner})"

    css = _URL.sub(url, css)
    css = _IMPORT.sub(imported, css)
    return _IMAGE_SET.sub(image_set, css)


def srcset_urls(srcset: str) -> list[str]:
    """The URLs of a srcset, as the HTML standard splits it: a URL runs to whitespace (a `data:` URL holds commas),
    its descriptors to the next comma."""
    urls, i, n = [], 0, len(srcset)
    while i < n:
        while i < n and (srcset[i].isspace() or srcset[i] == ","):
            i += 1
        start = i
        while i < n and not srcset[i].isspace():
            i += 1
        url = srcset[start:i].rstrip(",")
        if url:
            urls.append(url)
        if not srcset[start:i].endswith(","):
            while i < n and srcset[i] != ",":
                i += 1
    return urls


def rewrite_attribute(tag: str, name: str, value: Any) -> Any:
    """One attribute of a `tag` element as the player may load it."""
    if not isinstance(value, str) or not value:
        return value
    name = name.lower()
    if name in _CSS_ATTRIBUTES:
        return rewrite_css(value)
    if tag == "meta" and name == "content" and "url" in value.lower():
        return value.split(";", 1)[0]  # `0;url=https://…` refreshes to elsewhere: keep the delay, drop the target
    if name == "srcset":
        return value if all(carried(url) for url in srcset_urls(value)) else PLACEHOLDER_IMAGE
    if name in ("href", "xlink:href") and tag not in _LINK_TAGS:
        return value
    if carried(value):
        return value
    return _placeholder(tag, name) or value


def _placeholder(tag: str, name: str) -> str | None:
    """What replaces an external URL in attribute `name` of a `tag` element; None if that attribute loads nothing."""
    if tag in _FRAME_TAGS and name == "src":
        return PLACEHOLDER_FRAME
    if (name in ("href", "xlink:href") and tag == "link") or (tag in _EMPTY_TAGS and name in ("src", "data")):
        return PLACEHOLDER_EMPTY
    if name in _IMAGE_ATTRIBUTES or name in ("href", "xlink:href"):
        return PLACEHOLDER_IMAGE
    return None


def rewrite_node(node: Any, parent_tag: str = "") -> None:
    """A serialized rrweb node and its children, in place."""
    if not isinstance(node, dict):
        return
    if node.get("type") == 3 and isinstance(node.get("textContent"), str) and (node.get("isStyle")
                                                                             or parent_tag == "style"):
        node["textContent"] = rewrite_css(node["textContent"])
    tag = node.get("tagName")
    tag = tag.lower() if isinstance(tag, str) else ""
    attributes = node.get("attributes")
    if attributes:
        for name, value in attributes.items():
            # Most attributes (class, id, type, aria-*) load nothing. Compared lower-cased: a crafted recording's
            # `SRC` is set as `src` by the player.
            if name.lower() in _WATCHED:
                attributes[name] = rewrite_attribute(tag, name, value)
    children = node.get("childNodes")
    if isinstance(children, list):
        for child in children:
            rewrite_node(child, tag)


def _mutation(data: dict[str, Any]) -> None:
    for add in data.get("adds") or ():
        if isinstance(add, dict):
            rewrite_node(add.get("node"))
    for change in data.get("attributes") or ():
        attributes = change.get("attributes") if isinstance(change, dict) else None
        if not isinstance(attributes, dict):
            continue
        for name, value in attributes.items():
            if isinstance(value, dict):  # a style diff: {property: value | [value, priority] | false}
                attributes[name] = {prop: _css_value(v) for prop, v in value.items()}
            else:
                # The element's tag is not in the mutation: an href is rewritten as a <link>'s would be (an <a>'s
                # too, then), a `data` as an <object>'s.
                attributes[name] = rewrite_attribute(_GUESSED_TAG.get(name.lower(), ""), name, value)
    for text in data.get("texts") or ():
        # Whether the text is a <style>'s is not in the mutation either: any text's CSS URLs are rewritten.
        if isinstance(text, dict) and isinstance(text.get("value"), str):
            text["value"] = rewrite_css(text["value"])


def _css_value(value: Any) -> Any:
    if isinstance(value, str):
        return rewrite_css(value)
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [rewrite_css(value[0]), *value[1:]]
    return value


def _rules(rules: Any) -> None:
    for rule in rules or ():
        if isinstance(rule, dict) and isinstance(rule.get("rule"), str):
            rule["rule"] = rewrite_css(rule["rule"])


def _style_sheet(data: dict[str, Any]) -> None:
    _rules(data.get("adds"))
    for key in ("replace", "replaceSync"):
        if isinstance(data.get(key), str):
            data[key] = rewrite_css(data[key])


def _declaration(data: dict[str, Any]) -> None:
    declared = data.get("set")
    if isinstance(declared, dict) and isinstance(declared.get("value"), str):
        declared["value"] = rewrite_css(declared["value"])


def _adopted(data: dict[str, Any]) -> None:
    for style in data.get("styles") or ():
        if isinstance(style, dict):
            _rules(style.get("rules"))


def _font(data: dict[str, Any]) -> None:
    if not data.get("buffer") and isinstance(data.get("fontSource"), str):
        source = rewrite_css(data["fontSource"])
        # A bare URL (not url(...)) is fetched as it is.
        data["fontSource"] = source if "url(" in source.lower() or carried(source) else f'url("{PLACEHOLDER_EMPTY}")'


def _canvas_images(value: Any) -> None:
    """Images drawn on a canvas are recorded as {rr_type: "HTMLImageElement", src}: the player loads the src."""
    if isinstance(value, dict):
        if value.get("rr_type") == "HTMLImageElement" and isinstance(value.get("src"), str):
            value["src"] = _image(value["src"])
        for inner in value.values():
            _canvas_images(inner)
    elif isinstance(value, list):
        for inner in value:
            _canvas_images(inner)


_INCREMENTAL = {rrweb.MUTATION: _mutation, rrweb.STYLE_SHEET_RULE: _style_sheet, rrweb.CANVAS_MUTATION: _canvas_images,
                rrweb.FONT: _font, rrweb.STYLE_DECLARATION: _declaration, rrweb.ADOPTED_STYLE_SHEET: _adopted}


def rewrite_event(event: Any) -> None:
    """One rrweb event, in place. Only snapshots and the incremental kinds above can load anything: mouse moves,
    scrolls and inputs (most of a recording) are passed over after two lookups."""
    if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
        return
    data = event["data"]
    if event.get("type") == rrweb.FULL_SNAPSHOT:
        rewrite_node(data.get("node"))
    elif event.get("type") == rrweb.INCREMENTAL_SNAPSHOT:
        rewrite = _INCREMENTAL.get(data.get("source"))
        if rewrite is not None:
            rewrite(data)
