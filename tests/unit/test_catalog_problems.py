"""A broken override folder: every problem reported at its file and line, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from prompts.catalog import CatalogError, Problem, check_catalog, load_catalog
from tests.unit.broken_prompts import BROKEN
from tests.unit.prompt_folders import HEARD, item, line_of, located, write


@pytest.mark.parametrize(
    ("name", "text", "needle", "message"), BROKEN, ids=[case[0] for case in BROKEN]
)
def test_a_broken_override_is_reported_at_its_file_and_line(
    tmp_path: Path, name: str, text: str, needle: str, message: str
) -> None:
    folder = tmp_path / "acme"
    # A valid neighbour first, so the broken item is never on line 1 of the folder's files.
    write(folder, "a_fine.yaml", item(HEARD, id="acme.human.heard.9"))
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
    one, two, three = (item(HEARD, id=f"acme.human.heard.{n}") for n in (1, 2, 3))
    first = write(folder, "a.yaml", one)
    second = write(folder, "b.yaml", two + "\n" + one)
    same_file = write(folder, "c.yaml", three + "\n" + three)
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
    write(tmp_path / "one", "a.yaml", item(HEARD))
    write(tmp_path / "two", "a.yaml", item(HEARD))
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
