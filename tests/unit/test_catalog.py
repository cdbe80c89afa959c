"""The prompt catalog: the shipped files, and override folders layered on them.

What the checker reports for a broken folder is tests/unit/test_catalog_problems.py.
"""

from __future__ import annotations

import json
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
    SHIPPED_DIR,
    Catalog,
    CatalogError,
    catalog_as_dicts,
    check_catalog,
    coverage_problems,
    load_catalog,
)
from tests.unit.prompt_folders import HEARD, item, write

WAKING_UP = (Phase.AWARENESS, Phase.INTEREST)
WARMING_UP = (Phase.DESIRE, Phase.ACTION)
PERSPECTIVE_IN_ID = {"tech": "technology", "human": "human", "biz": "business"}


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
    first = tmp_path / "group"
    second = tmp_path / "plant"
    write(first, "a.yaml", item(HEARD, text='{nl: "Groep?", en: "Group?"}'))
    write(second, "a.yaml", item(HEARD, text='{nl: "Fabriek?", en: "Plant?"}'))
    assert check_catalog(first, second) == []
    assert load_catalog(first, second)["acme.human.heard.1"].text.en == "Plant?"
    assert load_catalog(second, first)["acme.human.heard.1"].text.en == "Group?"


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
