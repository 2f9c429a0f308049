"""Reading a survey file's YAML, refusing what a hostile or broken file could use against us.

A survey file is small and hand-written, so anything a hostile or broken file could use to exhaust
memory or the stack is refused with one line before any of it is built: more than MAX_FILE_BYTES, NUL
bytes, YAML anchors and aliases (the "billion laughs" expand a few lines into gigabytes), nesting
deeper than MAX_DEPTH. Values are quoted in messages through ``_show``, cut to a readable length.
"""

from __future__ import annotations

import re
from datetime import date

import yaml

from survey.spec.model import (
    SpecError,
)
from survey.tabular import NotText, decode_text, shorten

MAX_FILE_BYTES = 1_000_000  # the default survey is 16 kB
MAX_DEPTH = 32  # the default survey nests 10 levels deep (sections[].items[].calendar.slots[].days[])

# ---------------------------------------------------------------- YAML

class _Loader(yaml.SafeLoader):
    """Safe loader without YAML 1.1 surprises: only true/false are booleans (so `en: No` stays
    text), only plain decimals are integers (so 17:00 is not 1020), dates stay strings (checked
    with a path by the parser), duplicate keys are errors. No anchors or aliases, and at most
    MAX_DEPTH levels: the composer recurses once per level, so a deep file would otherwise end
    in RecursionError."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed in survey files",
                event.start_mark)
        if self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | bool | date) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {_show(key)}", key_node.start_mark)
            seen.add(key) if isinstance(key, str | int | bool | date) else None
        return super().construct_mapping(node, deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith((":bool", ":int", ":float", ":timestamp"))]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"),
                              list("-+0123456789"))


def _show(value: object) -> str:
    """A value from the file as a message quotes it: repr(), cut to a readable length."""
    return shorten(repr(value), 80)


def decode(data: bytes, filename: str) -> str:
    """A survey file's text: UTF-8, or UTF-16 or UTF-32 with a BOM, or UTF-16 without one."""
    try:
        return decode_text(data)[0]
    except NotText as exc:
        if exc.reason == "nul":
            raise SpecError(filename, [("", "contains NUL bytes (binary file?)")]) from None
        raise SpecError(filename, [("", f"not UTF-8 text ({exc.detail})")]) from None


def parse_yaml(text: str | bytes, filename: str) -> object:
    """The file's YAML as plain data (bytes are decoded first); raises SpecError with one line."""
    if len(text) > MAX_FILE_BYTES:
        size = f"larger than {MAX_FILE_BYTES // 1_000_000} MB; a survey file is a few dozen kB"
        raise SpecError(filename, [("", size)])
    if isinstance(text, bytes):
        text = decode(text, filename)
    elif "\x00" in text:
        raise SpecError(filename, [("", "contains NUL bytes (binary file?)")])
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else ""
        col = f" (column {mark.column + 1})" if mark else ""
        raise SpecError(filename, [(where, f"invalid YAML: {exc.problem or exc.context}{col}")]) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise SpecError(filename, [("", f"invalid YAML: {exc}")]) from None
    if data is None:
        raise SpecError(filename, [("", "the file is empty")])
    return data


