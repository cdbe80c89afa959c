"""Load the themes the digest counts in check-in texts (prompts/themes.yaml).

The domain only matches the rules it is handed; reading them from the file is the edge's
job, so the analysis stays pure and a test can hand in rules of its own.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.domain.digest.texts import ThemeRule
from bot.domain.model import Text

SHIPPED_THEMES = Path(__file__).resolve().parent / "themes.yaml"


def load_themes(text: str | None = None) -> tuple[ThemeRule, ...]:
    """The keyword lists from `prompts/themes.yaml` (or the given YAML text)."""
    if text is None:
        text = SHIPPED_THEMES.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    rules = []
    for theme_id, entry in data.items():
        label = entry["label"]
        rules.append(
            ThemeRule(
                id=str(theme_id),
                label=Text(nl=str(label["nl"]), en=str(label["en"])),
                keywords=tuple(str(k).lower() for k in entry["keywords"]),
            )
        )
    return tuple(rules)
