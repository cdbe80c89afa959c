"""The prompt catalog: the shipped YAML files plus an organisation's own override folders.

A catalog folder holds `*.yaml` files, each a list of prompts. Folders are layered: the
shipped catalog first, then each override folder in order; an item whose id already exists
replaces it whole, a new id is added. Within one folder an id may occur only once, because
two definitions side by side are a mistake, not an override.

The checks work on the composed YAML node tree rather than on loaded Python values, so
that every problem can point at the line of the item or field that causes it, and so that
a duplicated key (which a plain load silently resolves to its last value) is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot.domain.model import (
    PERSPECTIVES,
    PHASES,
    ROLES,
    Language,
    Perspective,
    Phase,
    Prompt,
    PromptKind,
    Role,
    Signal,
    Text,
)

__all__ = [
    "MAX_LABEL_LENGTH",
    "MAX_PROMPT_TEXT_LENGTH",
    "MIN_CHECKINS_PER_PHASE",
    "MIN_PULSES_PER_PHASE_PERSPECTIVE",
    "SHIPPED_DIR",
    "Catalog",
    "CatalogError",
    "Problem",
    "catalog_as_dicts",
    "check_catalog",
    "coverage_problems",
    "load_catalog",
]

SHIPPED_DIR = Path(__file__).parent / "catalog"

# Prompts are read on a phone between shifts; a longer text is a sign it asks two things.
MAX_PROMPT_TEXT_LENGTH = 300
# Scale labels end up on buttons and narrow card columns (Slack caps button text at 75).
MAX_LABEL_LENGTH = 60
MAX_ID_LENGTH = 64
# Two per cell so that rotation can vary what a person is asked from week to week.
MIN_PULSES_PER_PHASE_PERSPECTIVE = 2
MIN_CHECKINS_PER_PHASE = 2

# These signals are open answers in the method; a 1-5 score has no "good end" for them.
CHECKIN_ONLY_SIGNALS = frozenset({Signal.CONCERNS, Signal.IDEAS})

# Ids are stored with every delivery and answer, so they must be plain and stable.
_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*\Z")

_REQUIRED = ("id", "kind", "phases", "perspective", "audience", "signal", "text")
_FIELDS = (*_REQUIRED, "scale")
_SCALE_ENDS = ("low", "high")
_LANGUAGES = tuple(language.value for language in Language)
_FILE_SUFFIXES = (".yaml", ".yml")
_COVERAGE_FILE = "catalog"

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


class CatalogError(Exception):
    """The catalog cannot be used as it is; `problems` says where and why."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        listing = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the prompt catalog:\n{listing}"
        )


class Catalog:
    """All prompts by id, after layering the override folders over the shipped ones."""

    def __init__(self, items: Mapping[str, Prompt]) -> None:
        self.items: dict[str, Prompt] = {key: items[key] for key in sorted(items)}

    def get(self, prompt_id: str) -> Prompt | None:
        return self.items.get(prompt_id)

    def __getitem__(self, prompt_id: str) -> Prompt:
        return self.items[prompt_id]

    def __contains__(self, prompt_id: object) -> bool:
        return prompt_id in self.items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Prompt]:
        return iter(self.items.values())

    def select(
        self,
        kind: PromptKind | None = None,
        phase: Phase | None = None,
        perspective: Perspective | None = None,
        role: Role | None = None,
    ) -> list[Prompt]:
        """Prompts matching every filter given, sorted by id."""
        return [
            prompt
            for prompt in self.items.values()
            if (kind is None or prompt.kind == kind)
            and (phase is None or phase in prompt.phases)
            and (perspective is None or prompt.perspective == perspective)
            and (role is None or role in prompt.audience)
        ]


def load_catalog(*override_dirs: Path) -> Catalog:
    """The shipped catalog with `override_dirs` layered over it in order.

    Raises CatalogError when `check_catalog` would report anything, so that a bot never
    starts on a catalog that an operator's `pioneer prompts check` would reject.
    """
    catalog, problems = _build(override_dirs, shipped=True)
    if problems:
        raise CatalogError(problems)
    return catalog


def check_catalog(*dirs: Path, shipped: bool = True) -> list[Problem]:
    """Every problem in the shipped catalog and `dirs` layered over it (none: all is well).

    Coverage is checked on the merged result, because an override can take away what the
    shipped catalog covered (say, by turning a pulse into a check-in). With
    `shipped=False` only `dirs` are checked, and coverage is not, since one organisation's
    folder is not meant to be complete on its own. Passing SHIPPED_DIR itself is harmless.
    """
    _, problems = _build(dirs, shipped=shipped)
    return problems


def coverage_problems(catalog: Catalog) -> list[Problem]:
    """Gaps that would leave a phase without enough to ask: too few pulses or check-ins."""
    problems: list[Problem] = []
    for phase in PHASES:
        for perspective in PERSPECTIVES:
            count = len(catalog.select(PromptKind.PULSE, phase, perspective))
            if count < MIN_PULSES_PER_PHASE_PERSPECTIVE:
                problems.append(
                    Problem(
                        _COVERAGE_FILE,
                        0,
                        f"phase {phase.value}, perspective {perspective.value}: {count} pulse "
                        f"item{'s' if count != 1 else ''}, at least "
                        f"{MIN_PULSES_PER_PHASE_PERSPECTIVE} needed",
                    )
                )
        count = len(catalog.select(PromptKind.CHECKIN, phase))
        if count < MIN_CHECKINS_PER_PHASE:
            problems.append(
                Problem(
                    _COVERAGE_FILE,
                    0,
                    f"phase {phase.value}: {count} check-in item{'s' if count != 1 else ''}, "
                    f"at least {MIN_CHECKINS_PER_PHASE} needed",
                )
            )
    return problems


def catalog_as_dicts(catalog: Catalog) -> list[dict[str, Any]]:
    """The catalog as plain, JSON-ready data (for `pioneer prompts list --format json`)."""
    return [_as_dict(prompt) for prompt in catalog]


def _as_dict(prompt: Prompt) -> dict[str, Any]:
    scale = None
    if prompt.low is not None and prompt.high is not None:
        scale = {"low": _text_dict(prompt.low), "high": _text_dict(prompt.high)}
    return {
        "id": prompt.id,
        "kind": prompt.kind.value,
        # Frozensets have no order; the method's order reads best and keeps output stable.
        "phases": [phase.value for phase in PHASES if phase in prompt.phases],
        "perspective": prompt.perspective.value,
        "audience": [role.value for role in ROLES if role in prompt.audience],
        "signal": prompt.signal.value,
        "text": _text_dict(prompt.text),
        "scale": scale,
    }


def _text_dict(text: Text) -> dict[str, str]:
    return {"nl": text.nl, "en": text.en}


# ---------------------------------------------------------------------------------------
# Layering


@dataclass(frozen=True)
class _Entry:
    """One item as found in a file; `prompt` is None when the item has problems."""

    id: str | None
    file: str
    line: int
    prompt: Prompt | None


def _build(dirs: Iterable[Path], *, shipped: bool) -> tuple[Catalog, list[Problem]]:
    layers = [SHIPPED_DIR] if shipped else []
    layers += [d for d in dirs if not (shipped and _same_dir(d, SHIPPED_DIR))]
    problems: list[Problem] = []
    items: dict[str, Prompt] = {}
    for directory in layers:
        for entry in _read_dir(directory, problems):
            if entry.prompt is not None:
                items[entry.prompt.id] = entry.prompt
    catalog = Catalog(items)
    if shipped:
        problems += coverage_problems(catalog)
    return catalog, problems


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _read_dir(directory: Path, problems: list[Problem]) -> list[_Entry]:
    if not directory.is_dir():
        why = "is a file; give the folder that holds it" if directory.exists() else "not found"
        problems.append(Problem(str(directory), 0, f"catalog folder {why}"))
        return []
    files = sorted(
        path for path in directory.iterdir() if path.suffix in _FILE_SUFFIXES and path.is_file()
    )
    entries = [entry for path in files for entry in _read_file(path, problems)]
    first_seen: dict[str, _Entry] = {}
    kept: list[_Entry] = []
    for entry in entries:
        if entry.id is None:
            continue
        first = first_seen.get(entry.id)
        if first is None:
            first_seen[entry.id] = entry
            kept.append(entry)
        else:
            problems.append(
                Problem(
                    entry.file,
                    entry.line,
                    f"duplicate id {entry.id!r}: already defined at {first.file}:{first.line}",
                )
            )
    return kept


# ---------------------------------------------------------------------------------------
# One file


def _read_file(path: Path, problems: list[Problem]) -> list[_Entry]:
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

    def read(self) -> _Entry:
        line = _line(self.node)
        if not isinstance(self.node, yaml.MappingNode):
            self.problem(line, f"expected a mapping of fields, found {_describe(self.node)}")
            return _Entry(None, self.file, line, None)
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
            return _Entry(prompt_id, self.file, line, None)
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
        return _Entry(prompt_id, self.file, line, prompt)

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
        if not isinstance(value, yaml.MappingNode):
            self.problem(_line(value), f"{what} must have nl and en, found {_describe(value)}")
            return None
        languages = self.mapping(value, what, _LANGUAGES)
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
        if not isinstance(value, yaml.MappingNode):
            self.problem(_line(value), f"scale must have low and high, found {_describe(value)}")
            return None, None
        ends = self.mapping(value, "scale", _SCALE_ENDS)
        labels: dict[str, Text | None] = {}
        for end in _SCALE_ENDS:
            if end not in ends:
                self.problem(_line(key), f"scale has no {end!r} label")
                labels[end] = None
            else:
                labels[end] = self.text(ends[end], f"scale.{end}", MAX_LABEL_LENGTH)
        return labels["low"], labels["high"]
