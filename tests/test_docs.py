"""README.md and docs/*.md hold together: every relative link and anchor leads somewhere, and every `privacy-gateway`
command line README shows names a subcommand the CLI's own parser has.

Anchors follow GitHub's rule for headings: lower case, punctuation dropped (letters, digits, spaces, `-` and `_`
kept), spaces to hyphens, a repeated heading's anchor suffixed `-1`, `-2`... Links inside code are not links."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(([^()\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
SHELL_FENCES = {"", "sh", "bash", "shell", "console"}


@dataclass(frozen=True)
class Block:
    """A fenced code block: its language and lines."""
    language: str
    lines: tuple[str, ...]


def split_page(text: str) -> tuple[list[str], list[Block]]:
    """The page's prose lines (fenced code left out) and its fenced blocks."""
    prose: list[str] = []
    blocks: list[Block] = []
    fence: str | None = None
    language, body = "", []
    for line in text.splitlines():
        opening = FENCE.match(line)
        if fence is None and opening:
            fence, language, body = opening.group(1), line[3:].strip(), []
        elif fence is not None and line.startswith(fence):
            blocks.append(Block(language, tuple(body)))
            fence = None
        elif fence is not None:
            body.append(line)
        else:
            prose.append(line)
    return prose, blocks


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading's text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = text.lower().replace("`", "")
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    prose, _ = split_page(page.read_text())
    for line in prose:
        match = HEADING.match(line)
        if not match:
            continue
        base = anchor(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(page: Path) -> list[str]:
    """Link targets in the page's prose, code spans left out."""
    prose, _ = split_page(page.read_text())
    return [target for line in prose for target in LINK.findall(INLINE_CODE.sub("", line))]


def broken_links(page: Path) -> list[str]:
    """Each relative link of the page that leads nowhere, and why."""
    problems = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not this repository's to check
            continue
        path_part, _, fragment = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page
        if not destination.exists():
            problems.append(f"{page.name}: {target}: no such file")
        elif fragment and destination.suffix != ".md":
            problems.append(f"{page.name}: {target}: an anchor into a file that is not Markdown")
        elif fragment and fragment not in anchors(destination):
            problems.append(f"{page.name}: {target}: no heading with the anchor #{fragment}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert broken_links(page) == []


def test_every_docs_page_is_linked_from_the_readme_or_another_page() -> None:
    linked = {(page.parent / target.partition("#")[0]).resolve() for page in PAGES for target in links(page)}
    assert [p.name for p in PAGES[1:] if p.resolve() not in linked] == []


def test_a_broken_link_or_anchor_is_found(tmp_path: Path) -> None:
    """The check can fail: a page with a missing file, a missing anchor and a good one."""
    (tmp_path / "other.md").write_text("# Other page\n\n## Back up and restore\n")
    page = tmp_path / "page.md"
    page.write_text("# Page: one (1)\n\n[ok](other.md#back-up-and-restore) [self](#page-one-1)\n"
                    "[gone](missing.md) [no anchor](other.md#backup) `[in code](missing.md)`\n"
                    "```\n[in a fence](missing.md)\n```\n")
    assert broken_links(page) == [
        "page.md: missing.md: no such file",
        "page.md: other.md#backup: no heading with the anchor #backup",
    ]


def test_anchors_follow_githubs_rule() -> None:
    assert anchor("Admin API (`/admin/v1/`, `Authorization: Bearer <token>`)") == \
        "admin-api-adminv1-authorization-bearer-token"
    assert anchor("Storage: SQLite, and PostgreSQL (issue 15)") == "storage-sqlite-and-postgresql-issue-15"
    assert anchor("Scrubbing in worker processes (`[http] scrub_workers`)") == \
        "scrubbing-in-worker-processes-http-scrub_workers"


# -- command lines ----------------------------------------------------------------------------------------------------

def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return {name: sub for action in parser._actions if isinstance(action, argparse._SubParsersAction)
            for name, sub in action.choices.items()}


def command_lines(text: str) -> list[list[str]]:
    """The words after `privacy-gateway` of each command shown: in code spans that start a command, and in shell
    blocks (a command may follow `;`, `&&`, `|` or `sudo -u USER`, and be called by its path)."""
    prose, blocks = split_page(text)
    spans = [span for line in " ".join(prose).split("\n") for _, span in INLINE_CODE.findall(line)]
    shell = [line for block in blocks if block.language in SHELL_FENCES for line in block.lines]
    found = []
    for snippet in spans + shell:
        for segment in re.split(r";|&&|\|\|?", snippet.split(" #")[0]):
            words = segment.replace("\\", " ").split()
            if words[:1] == ["sudo"] and words[1:2] == ["-u"]:
                words = words[3:]
            if words and re.fullmatch(r"(\S*/)?privacy-gateway", words[0]):
                found.append(words[1:])
    return found


def unknown_subcommands(text: str) -> list[str]:
    """Each command line whose subcommand (or sub-subcommand) the CLI does not have."""
    problems = []
    for words in command_lines(text):
        parser = build_parser()
        for word in words:
            choices = subcommands(parser)
            if not choices or word.startswith("-"):
                break
            if word not in choices:
                problems.append(f"privacy-gateway {' '.join(words)}: no subcommand {word!r}")
                break
            parser = choices[word]
    return problems


def test_readme_shows_the_commands_of_setting_up_and_running() -> None:
    shown = {tuple(words[:1]) for words in command_lines((ROOT / "README.md").read_text())}
    assert {("serve",), ("check",), ("token",), ("purge",), ("backup",), ("restore",)} <= shown


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_line_shown_names_a_subcommand_the_cli_has(page: Path) -> None:
    assert unknown_subcommands(page.read_text()) == []


def test_an_unknown_subcommand_is_found() -> None:
    text = ("Run `privacy-gateway purge --vacuum`, `privacy-gateway replay reanalyze --all`.\n\n```sh\n"
            "sudo -u gw /opt/venv/bin/privacy-gateway backupp /tmp/b  # a typo\n```\n")
    assert unknown_subcommands(text) == [
        "privacy-gateway replay reanalyze --all: no subcommand 'reanalyze'",
        "privacy-gateway backupp /tmp/b: no subcommand 'backupp'",
    ]
