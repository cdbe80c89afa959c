"""Reading one catalog file: YAML nodes checked item by item, each problem at its line.

The checks work on the composed YAML node tree rather than on loaded Python values, so
that every problem can point at the line of the item or field that causes it, and so that
a duplicated key (which a plain load silently resolves to its last value) is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import yaml

from bot.domain.model import Language, Perspective, Phase, Prompt, PromptKind, Role, Signal, Text

# Prompts are read on a phone between shifts; a longer text is a sign it asks two things.
MAX_PROMPT_TEXT_LENGTH = 300
# Scale labels end up on buttons and narrow card columns (Slack caps button text at 75).
MAX_LABEL_LENGTH = 60
MAX_ID_LENGTH = 64
# These signals are open answers in the method; a 1-5 score has no "good end" for them.
CHECKIN_ONLY_SIGNALS = frozenset({Signal.CONCERNS, Signal.IDEAS})
# Ids are stored with every delivery and answer, so they must be plain and stable.
_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*\Z")
_LANGUAGES = tuple(language.value for language in Language)
_REQUIRED = ("id", "kind", "phases", "perspective", "audience", "signal", "text")
_FIELDS = (*_REQUIRED, "scale")
_SCALE_ENDS = ("low", "high")
# libyaml's composer when present: the same safe resolution of tags, several times faster.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR_TAG = "tag:yaml.org,2002:str"
_LANGUAGE_NAMES = {"nl": "Dutch", "en": "English"}
_TAG_NAMES = {
    _STR_TAG: "text",
    "tag:yaml.org,2002:null": "empty",
    "tag:yaml.org,2002:bool": "a yes/no value",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
}

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a catalog, at a file and line (line 0: the file or folder as a whole)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class Entry:
    """One item as found in a file; `prompt` is None when the item has problems."""

    id: str | None
    file: str
    line: int
    prompt: Prompt | None


# ---------------------------------------------------------------------------------------
# One file


def read_file(path: Path, problems: list[Problem]) -> list[Entry]:
    where = str(path)
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(where, 0, f"not UTF-8 text ({exc.reason})"))
        return []
    except OSError as exc:
        problems.append(Problem(where, 0, f"cannot read: {exc.strerror or exc}"))
        return []
    try:
        root = yaml.compose(source, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or "invalid YAML"
        if exc.context:
            detail = f"{detail} ({exc.context})"
        problems.append(
            Problem(where, mark.line + 1 if mark else 0, f"YAML syntax error: {detail}")
        )
        return []
    except yaml.reader.ReaderError as exc:
        # The reader reports a character offset only; turn it into a line for the user.
        line = source.count("\n", 0, exc.position) + 1
        problems.append(Problem(where, line, f"YAML syntax error: {exc.reason}"))
        return []
    except yaml.YAMLError as exc:
        problems.append(Problem(where, 0, f"YAML syntax error: {exc}"))
        return []
    if root is None:
        return []  # An empty file is a valid (empty) part of a catalog.
    if not isinstance(root, yaml.SequenceNode):
        problems.append(
            Problem(where, _line(root), "a catalog file must be a list of prompts ('- id: ...')")
        )
        return []
    found: list[Problem] = []
    entries = [_ItemReader(where, node, found).read() for node in root.value]
    # Fields are checked in a fixed order, not file order; users read top to bottom.
    problems += sorted(found, key=lambda problem: problem.line)
    return entries


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _label(item: yaml.MappingNode) -> str:
    """How problems name an item: by its id when it has a usable one."""
    for key, value in item.value:
        if (
            isinstance(key, yaml.ScalarNode)
            and key.value == "id"
            and isinstance(value, yaml.ScalarNode)
            and value.tag == _STR_TAG
            and str(value.value).strip()
        ):
            return f"prompt {str(value.value).strip()}"
    return "prompt"


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _TAG_NAMES.get(node.tag, f"a value tagged {node.tag}")


class _ItemReader:
    """Checks one item node, collecting problems, and builds a Prompt if there were none."""

    def __init__(self, file: str, node: yaml.Node, problems: list[Problem]) -> None:
        self.file = file
        self.node = node
        self.problems = problems
        self.label = "prompt"
        self.failed = False

    def problem(self, line: int, message: str) -> None:
        self.failed = True
        self.problems.append(Problem(self.file, line, f"{self.label}: {message}"))

    def read(self) -> Entry:
        line = _line(self.node)
        if not isinstance(self.node, yaml.MappingNode):
            self.problem(line, f"expected a mapping of fields, found {_describe(self.node)}")
            return Entry(None, self.file, line, None)
        self.label = _label(self.node)
        fields = self.mapping(self.node, "item", _FIELDS)
        prompt_id = self.read_id(fields.get("id"))
        for name in _REQUIRED:
            if name not in fields:
                self.problem(line, f"missing field {name!r}")

        kind = self.choice(fields.get("kind"), PromptKind, "kind")
        phases = self.choices(fields.get("phases"), Phase, "phases", "phase")
        perspective = self.choice(fields.get("perspective"), Perspective, "perspective")
        audience = self.choices(fields.get("audience"), Role, "audience", "role")
        signal = self.choice(fields.get("signal"), Signal, "signal")
        text = self.text(fields.get("text"), "text", MAX_PROMPT_TEXT_LENGTH)
        low, high = self.scale(fields.get("scale"), kind, line)

        if kind is PromptKind.PULSE and signal in CHECKIN_ONLY_SIGNALS:
            signal_key = fields["signal"][0]
            self.problem(
                _line(signal_key), f"signal {signal!s} is for check-ins only (open answers)"
            )

        if (
            self.failed
            or prompt_id is None
            or kind is None
            or phases is None
            or perspective is None
            or audience is None
            or signal is None
            or text is None
        ):
            return Entry(prompt_id, self.file, line, None)
        prompt = Prompt(
            id=prompt_id,
            kind=kind,
            phases=phases,
            perspective=perspective,
            audience=audience,
            signal=signal,
            text=text,
            low=low,
            high=high,
        )
        return Entry(prompt_id, self.file, line, prompt)

    # -- structure ---------------------------------------------------------------------

    def mapping(
        self, node: yaml.MappingNode, what: str, allowed: tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key name -> (key node, value node); reports odd, unknown and repeated keys."""
        fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if not (isinstance(key, yaml.ScalarNode) and key.tag == _STR_TAG):
                self.problem(_line(key), f"{what}: field names must be plain words")
                continue
            name = str(key.value)
            if name not in allowed:
                self.problem(
                    _line(key),
                    f"unknown field {name!r} in {what} (allowed: {', '.join(allowed)})",
                )
            elif name in fields:
                self.problem(_line(key), f"field {name!r} appears twice in {what}")
            else:
                fields[name] = (key, value)
        return fields

    def parts(
        self, value: yaml.Node, what: str, parts: tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """The parts of a `what` that must be a mapping of `parts` (each part once), as
        `mapping` gives them; None when it is no mapping at all."""
        if not isinstance(value, yaml.MappingNode):
            found = _describe(value)
            self.problem(_line(value), f"{what} must have {' and '.join(parts)}, found {found}")
            return None
        return self.mapping(value, what, parts)

    def string(self, value: yaml.Node, what: str) -> str | None:
        if not isinstance(value, yaml.ScalarNode) or value.tag != _STR_TAG:
            hint = "; put it in quotes" if isinstance(value, yaml.ScalarNode) else ""
            if value.tag == "tag:yaml.org,2002:null":
                self.problem(_line(value), f"{what} is empty")
            else:
                self.problem(_line(value), f"{what} must be text, found {_describe(value)}{hint}")
            return None
        text = str(value.value).strip()
        if not text:
            self.problem(_line(value), f"{what} is empty")
            return None
        return text

    # -- fields ------------------------------------------------------------------------

    def read_id(self, field: tuple[yaml.Node, yaml.Node] | None) -> str | None:
        if field is None:
            return None
        value = self.string(field[1], "id")
        if value is None:
            return None
        if len(value) > MAX_ID_LENGTH or not _ID_PATTERN.match(value):
            self.problem(
                _line(field[1]),
                f"id {value!r} must use only a-z, 0-9, '.', '_' and '-' "
                f"(at most {MAX_ID_LENGTH} characters)",
            )
        return value

    def choice(
        self, field: tuple[yaml.Node, yaml.Node] | None, enum: type[E], what: str
    ) -> E | None:
        if field is None:
            return None
        return self.member(field[1], enum, what)

    def member(self, node: yaml.Node, enum: type[E], what: str) -> E | None:
        value = self.string(node, what)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            known = ", ".join(member.value for member in enum)
            self.problem(_line(node), f"unknown {what} {value!r} (known: {known})")
            return None

    def choices(
        self, field: tuple[yaml.Node, yaml.Node] | None, enum: type[E], what: str, each: str
    ) -> frozenset[E] | None:
        if field is None:
            return None
        key, value = field
        if not isinstance(value, yaml.SequenceNode):
            self.problem(_line(value), f"{what} must be a list, like [{next(iter(enum)).value}]")
            return None
        if not value.value:
            self.problem(_line(key), f"{what} is an empty list")
            return None
        members: list[E] = []
        for element in value.value:
            member = self.member(element, enum, each)
            if member is None:
                continue
            if member in members:
                self.problem(_line(element), f"{member.value!r} appears twice in {what}")
            members.append(member)
        return frozenset(members) if len(members) == len(value.value) else None

    def text(
        self, field: tuple[yaml.Node, yaml.Node] | None, what: str, max_length: int
    ) -> Text | None:
        if field is None:
            return None
        key, value = field
        languages = self.parts(value, what, _LANGUAGES)
        if languages is None:
            return None
        texts: dict[str, str] = {}
        for language in _LANGUAGES:
            if language not in languages:
                # Point at the field that lacks the language: that is where it goes.
                name = _LANGUAGE_NAMES[language]
                self.problem(_line(key), f"{what} has no {language!r} ({name}) text")
                continue
            text = self.string(languages[language][1], f"{what}.{language}")
            if text is None:
                continue
            if len(text) > max_length:
                self.problem(
                    _line(languages[language][1]),
                    f"{what}.{language} is {len(text)} characters; keep it to {max_length} "
                    "so it reads well on a phone",
                )
            texts[language] = text
        if len(texts) != len(_LANGUAGES):
            return None
        return Text(nl=texts["nl"], en=texts["en"])

    def scale(
        self, field: tuple[yaml.Node, yaml.Node] | None, kind: PromptKind | None, item_line: int
    ) -> tuple[Text | None, Text | None]:
        if kind is PromptKind.CHECKIN:
            if field is not None:
                self.problem(_line(field[0]), "a check-in is answered in words; remove 'scale'")
            return None, None
        if field is None:
            if kind is PromptKind.PULSE:
                self.problem(item_line, "a pulse needs 'scale' with low and high labels")
            return None, None
        key, value = field
        ends = self.parts(value, "scale", _SCALE_ENDS)
        if ends is None:
            return None, None
        labels: dict[str, Text | None] = {}
        for end in _SCALE_ENDS:
            if end not in ends:
                self.problem(_line(key), f"scale has no {end!r} label")
                labels[end] = None
            else:
                labels[end] = self.text(ends[end], f"scale.{end}", MAX_LABEL_LENGTH)
        return labels["low"], labels["high"]
