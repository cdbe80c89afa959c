"""The prompt catalog: the shipped files, override folders, and what the checker reports."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.domain.model import (
    PERSPECTIVES,
    PHASES,
    Perspective,
    Phase,
    PromptKind,
    Role,
    Signal,
)
from prompts.catalog import (
    MAX_PROMPT_TEXT_LENGTH,
    SHIPPED_DIR,
    Catalog,
    CatalogError,
    Problem,
    catalog_as_dicts,
    check_catalog,
    coverage_problems,
    load_catalog,
)

WAKING_UP = (Phase.AWARENESS, Phase.INTEREST)
WARMING_UP = (Phase.DESIRE, Phase.ACTION)
PERSPECTIVE_IN_ID = {"tech": "technology", "human": "human", "biz": "business"}


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """The 1-based line holding `needle`, found by plain text search (not by the checker)."""
    hits = [
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if needle in line
    ]
    assert len(hits) == 1, f"{needle!r} must occur once in {path.name}, found on lines {hits}"
    return hits[0]


def located(problems: list[Problem]) -> list[tuple[str, int]]:
    return [(Path(problem.file).name, problem.line) for problem in problems]


def as_yaml_item(entry: dict[str, Any]) -> dict[str, Any]:
    """A `catalog_as_dicts` entry as a catalog file item (check-ins carry no scale)."""
    return {key: value for key, value in entry.items() if not (key == "scale" and value is None)}


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog()


# -- the shipped catalog -------------------------------------------------------------------


def test_shipped_catalog_passes_every_check_and_coverage(shipped: Catalog) -> None:
    assert check_catalog() == []
    assert coverage_problems(shipped) == []
    assert 50 <= len(shipped) <= 70
    assert sorted(path.name for path in SHIPPED_DIR.glob("*.yaml")) == [
        "action.yaml",
        "awareness.yaml",
        "desire.yaml",
        "every_phase.yaml",
        "interest.yaml",
    ]


def test_naming_the_shipped_folder_as_an_override_changes_nothing() -> None:
    assert check_catalog(SHIPPED_DIR) == []
    assert len(load_catalog(SHIPPED_DIR)) == len(load_catalog())


def test_shipped_texts_are_translated_and_short(shipped: Catalog) -> None:
    for prompt in shipped:
        assert prompt.text.nl != prompt.text.en, prompt.id
        assert max(len(prompt.text.nl), len(prompt.text.en)) <= 160, prompt.id
        if prompt.kind is PromptKind.PULSE:
            assert prompt.low is not None and prompt.high is not None
            assert prompt.low != prompt.high, prompt.id


def test_shipped_ids_name_their_perspective_and_signal(shipped: Catalog) -> None:
    for prompt in shipped:
        scope, perspective, signal, number = prompt.id.split(".")
        assert scope in {"aw", "in", "de", "ac", "all"}, prompt.id
        assert PERSPECTIVE_IN_ID[perspective] == prompt.perspective.value, prompt.id
        assert signal == prompt.signal.value, prompt.id
        assert number.isdigit(), prompt.id


def test_every_role_has_enough_pulses_per_phase_to_rotate(shipped: Catalog) -> None:
    for phase in PHASES:
        for role in (Role.DIRECTOR, Role.FRONTRUNNER, Role.FOLLOWER, Role.LEARNING):
            assert len(shipped.select(PromptKind.PULSE, phase, role=role)) >= 5, (phase, role)
        for role in (Role.DIRECTOR, Role.FRONTRUNNER, Role.FOLLOWER):
            assert shipped.select(PromptKind.CHECKIN, phase, role=role), (phase, role)


def test_frontrunners_are_at_the_centre_while_waking_up(shipped: Catalog) -> None:
    for phase in WAKING_UP:
        asked = {p.signal for p in shipped.select(PromptKind.PULSE, phase, role=Role.FRONTRUNNER)}
        assert {Signal.ROOM_TO_EXPLORE, Signal.CURIOSITY} <= asked, phase
        if phase is Phase.INTEREST:  # a shared future picture is what interest works towards
            assert Signal.FUTURE_PICTURE in asked
        # Directors are asked whether they gave the room, not only whether it was there.
        gave_room = [
            p
            for p in shipped.select(PromptKind.PULSE, phase, role=Role.DIRECTOR)
            if p.signal is Signal.ROOM_TO_EXPLORE
        ]
        assert gave_room, phase
    frontrunner_share = {
        phase: len(shipped.select(PromptKind.PULSE, phase, role=Role.FRONTRUNNER))
        - len(shipped.select(PromptKind.PULSE, phase, role=Role.FOLLOWER))
        for phase in PHASES
    }
    assert all(frontrunner_share[phase] > 0 for phase in WAKING_UP), frontrunner_share
    spark = [p for p in shipped if p.signal is Signal.SPARK]
    assert spark and all(Phase.AWARENESS in p.phases for p in spark)
    room = [p for p in shipped if p.signal is Signal.ROOM_TO_EXPLORE]
    assert all(p.phases <= set(WAKING_UP) for p in room)


def test_followers_are_at_the_centre_while_warming_up(shipped: Catalog) -> None:
    for phase in WARMING_UP:
        asked = {p.signal for p in shipped.select(phase=phase, role=Role.FOLLOWER)}
        assert {Signal.WHY_UNAVOIDABLE, Signal.HEARD, Signal.MY_ROLE, Signal.CONCERNS} <= asked
        assert len(shipped.select(PromptKind.PULSE, phase, role=Role.FOLLOWER)) >= 10
    action = {p.signal for p in shipped.select(phase=Phase.ACTION, role=Role.FOLLOWER)}
    assert {Signal.LEARNING, Signal.EXPERIMENTS} <= action
    concerns = [p for p in shipped if p.signal is Signal.CONCERNS]
    assert concerns and all(p.kind is PromptKind.CHECKIN for p in concerns)


def test_balance_ecosystem_and_the_learning_professional_in_every_phase(
    shipped: Catalog,
) -> None:
    for phase in PHASES:
        for perspective in PERSPECTIVES:
            balance = shipped.select(PromptKind.PULSE, phase, perspective)
            assert any(p.signal is Signal.BALANCE for p in balance), (phase, perspective)
        for role in (Role.DIRECTOR, Role.FRONTRUNNER):
            ecosystem = shipped.select(phase=phase, role=role)
            assert any(p.signal is Signal.ECOSYSTEM for p in ecosystem), (phase, role)
        learning = shipped.select(PromptKind.PULSE, phase, Perspective.HUMAN, Role.LEARNING)
        assert learning, phase
    assert any(p.signal is Signal.LEARNING for p in shipped.select(role=Role.LEARNING))


# -- Catalog -------------------------------------------------------------------------------


def test_select_filters_on_every_field_and_sorts_by_id(shipped: Catalog) -> None:
    assert [p.id for p in shipped.select()] == sorted(shipped.items) == [p.id for p in shipped]
    chosen = shipped.select(PromptKind.PULSE, Phase.DESIRE, Perspective.HUMAN, Role.FOLLOWER)
    assert chosen and [p.id for p in chosen] == sorted(p.id for p in chosen)
    for prompt in shipped:
        matches = (
            prompt.kind is PromptKind.PULSE
            and Phase.DESIRE in prompt.phases
            and prompt.perspective is Perspective.HUMAN
            and Role.FOLLOWER in prompt.audience
        )
        assert (prompt in chosen) == matches, prompt.id
    # A role outside the audience is never asked, even when everything else matches.
    director_only = {p.id for p in shipped if p.audience == {Role.DIRECTOR}}
    assert director_only and not director_only & {p.id for p in shipped.select(role=Role.FOLLOWER)}


def test_get_and_len(shipped: Catalog) -> None:
    some = next(iter(shipped))
    assert shipped.get(some.id) is some
    assert shipped[some.id] is some
    assert some.id in shipped
    assert shipped.get("no.such.prompt") is None
    assert len(shipped) == len(shipped.items) == len(list(shipped))


def test_catalog_as_dicts_is_json_and_reads_back_as_the_same_catalog(
    shipped: Catalog, tmp_path: Path
) -> None:
    listing = catalog_as_dicts(shipped)
    assert json.loads(json.dumps(listing)) == listing
    assert [entry["id"] for entry in listing] == list(shipped.items)
    for entry in listing:
        assert set(entry) == {
            "id",
            "kind",
            "phases",
            "perspective",
            "audience",
            "signal",
            "text",
            "scale",
        }
        assert set(entry["text"]) == {"nl", "en"}
        assert (entry["scale"] is None) == (entry["kind"] == "checkin")
    pulse = next(e for e in listing if e["kind"] == "pulse")
    prompt = shipped[pulse["id"]]
    assert prompt.low is not None
    assert pulse["scale"]["low"] == {"nl": prompt.low.nl, "en": prompt.low.en}

    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "all.yaml").write_text(
        yaml.safe_dump([as_yaml_item(e) for e in listing], allow_unicode=True), encoding="utf-8"
    )
    assert check_catalog(folder, shipped=False) == []
    assert check_catalog(folder) == []
    assert load_catalog(folder).items == shipped.items


# -- override folders ----------------------------------------------------------------------


def test_an_override_adds_new_items_and_replaces_shipped_ones(
    shipped: Catalog, tmp_path: Path
) -> None:
    target = shipped.select(PromptKind.PULSE, Phase.AWARENESS, Perspective.BUSINESS)[0]
    replacement = as_yaml_item(catalog_as_dicts(Catalog({target.id: target}))[0])
    replacement["text"] = {"nl": "Onze eigen vraag?", "en": "Our own question?"}
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "ours.yaml").write_text(yaml.safe_dump([replacement]), encoding="utf-8")
    write(
        folder,
        "extra.yaml",
        """
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire, action]
          perspective: human
          audience: [follower]
          signal: heard
          text:
            nl: "Wie luisterde deze week naar je idee?"
            en: "Who listened to your idea this week?"
        """,
    )

    assert check_catalog(folder) == []
    merged = load_catalog(folder)
    assert len(merged) == len(shipped) + 1
    assert merged[target.id].text.en == "Our own question?"
    assert merged[target.id].phases == target.phases
    added = merged["acme.human.heard.1"]
    assert added.kind is PromptKind.CHECKIN
    assert added.phases == {Phase.DESIRE, Phase.ACTION}
    assert added.audience == {Role.FOLLOWER}
    assert added.low is None and added.high is None
    assert shipped[target.id].text.en != "Our own question?"  # the shipped one is untouched


def test_later_override_folders_win(tmp_path: Path) -> None:
    item = """
        - id: acme.biz.ideas.1
          kind: checkin
          phases: [action]
          perspective: business
          audience: [director]
          signal: ideas
          text: {{nl: "{nl}", en: "{en}"}}
        """
    first = tmp_path / "group"
    second = tmp_path / "plant"
    write(first, "a.yaml", item.format(nl="Groep?", en="Group?"))
    write(second, "a.yaml", item.format(nl="Fabriek?", en="Plant?"))
    assert check_catalog(first, second) == []
    assert load_catalog(first, second)["acme.biz.ideas.1"].text.en == "Plant?"
    assert load_catalog(second, first)["acme.biz.ideas.1"].text.en == "Group?"


def test_an_override_that_breaks_coverage_is_reported_on_the_merged_catalog(
    shipped: Catalog, tmp_path: Path
) -> None:
    cell = shipped.select(PromptKind.PULSE, Phase.DESIRE, Perspective.TECHNOLOGY)
    turned = []
    for entry in catalog_as_dicts(Catalog({p.id: p for p in cell})):
        entry = as_yaml_item(entry)
        entry["kind"] = "checkin"
        del entry["scale"]
        turned.append(entry)
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "checkins.yaml").write_text(yaml.safe_dump(turned), encoding="utf-8")

    problems = check_catalog(folder)
    assert [str(p) for p in problems] == [
        "catalog: phase desire, perspective technology: 0 pulse items, at least 2 needed"
    ]
    with pytest.raises(CatalogError) as raised:
        load_catalog(folder)
    assert raised.value.problems == problems
    # On its own the folder is not meant to be complete, so coverage is not asked of it.
    assert check_catalog(folder, shipped=False) == []


def test_coverage_names_every_gap() -> None:
    problems = coverage_problems(Catalog({}))
    assert len(problems) == len(PHASES) * len(PERSPECTIVES) + len(PHASES)
    assert "catalog: phase action: 0 check-in items, at least 2 needed" in map(str, problems)


def test_coverage_counts_one_short(shipped: Catalog) -> None:
    cell = shipped.select(PromptKind.PULSE, Phase.INTEREST, Perspective.BUSINESS)
    keep = {p.id: p for p in shipped if p not in cell[1:]}
    assert [str(p) for p in coverage_problems(Catalog(keep))] == [
        "catalog: phase interest, perspective business: 1 pulse item, at least 2 needed"
    ]


# -- a broken override folder: every problem at its file and line --------------------------

BROKEN: list[tuple[str, str, str, str]] = [
    (
        "syntax",
        """
        - id: acme.tech.spark.1
          kind: pulse
            phases: [awareness]
        """,
        "phases:",
        "YAML syntax error",
    ),
    (
        "no_english",
        """
        - id: acme.human.concerns.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: concerns
          text:
            nl: "Waar lig je wakker van?"
        """,
        "text:",
        "text has no 'en' (English) text",
    ),
    (
        "empty_english",
        """
        - id: acme.human.concerns.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: concerns
          text:
            nl: "Waar lig je wakker van?"
            en: ""
        """,
        'en: ""',
        "text.en is empty",
    ),
    (
        "unknown_signal",
        """
        - id: acme.human.spark.1
          kind: checkin
          phases: [awareness]
          perspective: human
          audience: [frontrunner]
          signal: hobbyism
          text: {nl: "Wat zag je?", en: "What did you see?"}
        """,
        "hobbyism",
        "unknown signal 'hobbyism'",
    ),
    (
        "unknown_role",
        """
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience:
            - follower
            - ceo
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
        """,
        "- ceo",
        "unknown role 'ceo'",
    ),
    (
        "unknown_phase",
        """
        - id: acme.human.heard.1
          kind: checkin
          phases:
            - desire
            - warming_up
          perspective: human
          audience: [follower]
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
        """,
        "- warming_up",
        "unknown phase 'warming_up'",
    ),
    (
        "pulse_without_scale",
        """
        - id: acme.tech.experiments.1
          kind: pulse
          phases: [action]
          perspective: technology
          audience: [follower]
          signal: experiments
          text: {nl: "Loopt de proef?", en: "Is the trial running?"}
        """,
        "- id: acme.tech.experiments.1",
        "a pulse needs 'scale'",
    ),
    (
        "scale_without_high",
        """
        - id: acme.tech.experiments.1
          kind: pulse
          phases: [action]
          perspective: technology
          audience: [follower]
          signal: experiments
          text: {nl: "Loopt de proef?", en: "Is the trial running?"}
          scale:
            low: {nl: "Nog niet", en: "Not yet"}
        """,
        "scale:",
        "scale has no 'high' label",
    ),
    (
        "unquoted_no",
        """
        - id: acme.tech.experiments.1
          kind: pulse
          phases: [action]
          perspective: technology
          audience: [follower]
          signal: experiments
          text: {nl: "Loopt de proef?", en: "Is the trial running?"}
          scale:
            low: {nl: "Nee", en: No}
            high: {nl: "Ja", en: "Yes"}
        """,
        "low:",
        "scale.low.en must be text, found a yes/no value; put it in quotes",
    ),
    (
        "checkin_with_scale",
        """
        - id: acme.human.ideas.1
          kind: checkin
          phases: [action]
          perspective: human
          audience: [follower]
          signal: ideas
          text: {nl: "Wat zou je proberen?", en: "What would you try?"}
          scale: {low: {nl: "a", en: "a"}, high: {nl: "b", en: "b"}}
        """,
        "scale:",
        "a check-in is answered in words",
    ),
    (
        "concerns_as_pulse",
        """
        - id: acme.human.concerns.1
          kind: pulse
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: concerns
          text: {nl: "Maak je je zorgen?", en: "Are you worried?"}
          scale: {low: {nl: "Erg", en: "Very"}, high: {nl: "Niet", en: "Not"}}
        """,
        "signal:",
        "signal concerns is for check-ins only",
    ),
    (
        "unknown_field",
        """
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
          weight: 2
        """,
        "weight:",
        "unknown field 'weight'",
    ),
    (
        "field_twice",
        """
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
          signal: my_role
        """,
        "signal: my_role",
        "field 'signal' appears twice",
    ),
    (
        "missing_field",
        """
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire]
          audience: [follower]
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
        """,
        "- id: acme.human.heard.1",
        "missing field 'perspective'",
    ),
    (
        "too_long",
        f"""
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: heard
          text:
            nl: "Werd je gehoord?"
            en: "{"Were you heard? " * 20}"
        """,
        "Were you heard? Were",
        f"keep it to {MAX_PROMPT_TEXT_LENGTH}",
    ),
    (
        "bad_id",
        """
        - id: Acme Heard 1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
        """,
        "Acme Heard 1",
        "id 'Acme Heard 1' must use only",
    ),
    (
        "not_a_list",
        """
        # An organisation's own question
        id: acme.human.heard.1
        kind: checkin
        """,
        "id: acme",
        "must be a list of prompts",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "needle", "message"), BROKEN, ids=[case[0] for case in BROKEN]
)
def test_a_broken_override_is_reported_at_its_file_and_line(
    tmp_path: Path, name: str, text: str, needle: str, message: str
) -> None:
    folder = tmp_path / "acme"
    # A valid neighbour first, so the broken item is never on line 1 of the folder's files.
    write(
        folder,
        "a_fine.yaml",
        """
        - id: acme.biz.ideas.9
          kind: checkin
          phases: [action]
          perspective: business
          audience: [director]
          signal: ideas
          text: {nl: "Wat eerst?", en: "What first?"}
        """,
    )
    path = write(folder, f"{name}.yaml", text)

    problems = check_catalog(folder)

    assert located(problems) == [(path.name, line_of(path, needle))], problems
    assert message in problems[0].message
    assert str(problems[0]) == f"{path}:{line_of(path, needle)}: {problems[0].message}"
    with pytest.raises(CatalogError) as raised:
        load_catalog(folder)
    assert raised.value.problems == problems
    assert f"{path.name}:{line_of(path, needle)}: " in str(raised.value)


def test_all_breakages_in_one_folder_are_reported_together(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    expected = []
    for name, text, needle, _ in BROKEN:
        # Ids must stay unique across the folder, or duplicates would be reported too.
        path = write(folder, f"{name}.yaml", text.replace("acme.", f"acme.{name}."))
        expected.append((path.name, line_of(path, needle.replace("acme.", f"acme.{name}."))))

    assert sorted(located(check_catalog(folder))) == sorted(expected)


def test_an_item_with_several_mistakes_gets_a_problem_for_each(tmp_path: Path) -> None:
    path = write(
        tmp_path / "acme",
        "messy.yaml",
        """
        - id: acme.human.heard.1
          kind: pulse
          phases: [desire, someday]
          perspective: people
          audience: [follower, boss]
          signal: heard
          text:
            en: "Were you heard?"
        """,
    )
    problems = check_catalog(path.parent)
    assert located(problems) == [
        ("messy.yaml", 1),  # a pulse without scale: the item itself
        ("messy.yaml", line_of(path, "someday")),
        ("messy.yaml", line_of(path, "people")),
        ("messy.yaml", line_of(path, "boss")),
        ("messy.yaml", line_of(path, "text:")),
    ]
    assert all(p.message.startswith("prompt acme.human.heard.1: ") for p in problems)


def test_duplicate_ids_within_one_folder(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    item = """
        - id: acme.human.heard.{n}
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: heard
          text: {{nl: "Werd je gehoord?", en: "Were you heard?"}}
        """
    first = write(folder, "a.yaml", item.format(n=1))
    second = write(folder, "b.yaml", textwrap.dedent(item.format(n=2) + "\n" + item.format(n=1)))
    same_file = write(folder, "c.yaml", textwrap.dedent(item.format(n=3) + "\n" + item.format(n=3)))
    in_second = [
        n for n, line in enumerate(second.read_text().splitlines(), 1) if "heard.1" in line
    ]
    in_same = [
        n for n, line in enumerate(same_file.read_text().splitlines(), 1) if "heard.3" in line
    ]

    problems = check_catalog(folder)

    assert located(problems) == [("b.yaml", in_second[0]), ("c.yaml", in_same[1])]
    assert f"already defined at {first}:1" in problems[0].message
    assert f"already defined at {same_file}:1" in problems[1].message


def test_the_same_id_in_two_folders_is_an_override_not_a_duplicate(tmp_path: Path) -> None:
    item = """
        - id: acme.human.heard.1
          kind: checkin
          phases: [desire]
          perspective: human
          audience: [follower]
          signal: heard
          text: {nl: "Werd je gehoord?", en: "Were you heard?"}
        """
    write(tmp_path / "one", "a.yaml", item)
    write(tmp_path / "two", "a.yaml", item)
    assert check_catalog(tmp_path / "one", tmp_path / "two") == []


def test_a_missing_folder_and_an_empty_file(tmp_path: Path) -> None:
    write(tmp_path / "acme", "empty.yaml", "# nothing yet\n")
    assert check_catalog(tmp_path / "acme") == []
    problems = check_catalog(tmp_path / "nowhere")
    assert [str(p) for p in problems] == [f"{tmp_path / 'nowhere'}: catalog folder not found"]


def test_problem_reads_as_file_colon_line() -> None:
    assert (
        str(Problem("acme/a.yaml", 7, "unknown signal 'x'")) == "acme/a.yaml:7: unknown signal 'x'"
    )
