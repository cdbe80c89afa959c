"""What a demo run measured, from its output folder: is the digest telling the truth?

    .venv/bin/python scripts/demo_figures.py demo-output [--json]

Per phase: how many pulse questions went out, each perspective's share of them, and how
many of the pulse items due for the roles present were asked at least once (and which
not). Over all digests: how many perspective/signal lines were withheld (fewer than k
people), every "going quiet" nudge with how many people were asked about that
perspective that week (it must never fire at zero), the phase moves with their reasons,
and the scorecard of the last digest of each phase.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prompts.catalog import load_catalog  # noqa: E402

PHASES = ("awareness", "interest", "desire", "action")


def figures(out: Path) -> dict[str, Any]:
    db = sqlite3.connect(out / "pioneer.db")
    present: set[str] = set()
    for (roles,) in db.execute("select roles from members"):
        present |= {r for r in roles.split(",") if r}
    sent: dict[str, Counter[str]] = defaultdict(Counter)
    asked: dict[str, set[str]] = defaultdict(set)
    for phase, perspective, prompt_id in db.execute(
        "select phase, perspective, prompt_id from deliveries where kind = 'pulse'"
    ):
        sent[phase][perspective] += 1
        asked[phase].add(prompt_id)
    catalog = list(load_catalog())
    phases = {}
    for phase in PHASES:
        total = sum(sent[phase].values())
        if not total:
            continue
        due = {
            p.id
            for p in catalog
            if p.kind.value == "pulse"
            and phase in {ph.value for ph in p.phases}
            and {r.value for r in p.audience} & present
        }
        phases[phase] = {
            "questions": total,
            "shares": {k: round(100 * v / total) for k, v in sorted(sent[phase].items())},
            "coverage": round(100 * len(asked[phase] & due) / len(due)) if due else 100,
            "never_asked": sorted(due - asked[phase]),
        }
    lines = withheld = 0
    quiet = []
    last_card: dict[str, Any] = {}
    for week, payload in db.execute("select iso_week, payload from digests order by iso_week"):
        digest = json.loads(payload)
        groups = digest["perspectives"] + digest["signals"]
        lines += len(groups)
        withheld += sum(1 for g in groups if g["all"]["respondents"] is None)
        for nudge in digest["nudges"]:
            if nudge["rule"] == "rebalance_quiet":
                perspective = (nudge.get("args") or {}).get("perspective", {}).get("value")
                people = [
                    p.get("asked")
                    for p in digest["trend"]
                    if p["iso_week"] == week and p["perspective"] == perspective
                ]
                quiet.append({"week": week, "perspective": perspective, "asked": people[0]})
        card = digest.get("scorecard")
        last_card[digest["phase"]] = {"week": week, "scorecard": card}
    moves = [
        {"at": at[:10], "from": f, "to": t, "reason": why}
        for at, f, t, why in db.execute(
            "select at, from_phase, to_phase, reason from phase_changes order by at"
        )
    ]
    return {
        "phases": phases,
        "withheld_lines": [withheld, lines],
        "quiet_nudges": quiet,
        "moves": moves,
        "last_scorecards": last_card,
    }


def _card(card: dict[str, Any] | None) -> str:
    if not card:
        return "no scorecard (action has no exit signals)"
    rows = []
    for row in card["rows"]:
        mean = row["figure"]["mean"]
        shown = f"{mean:.1f}" if mean is not None else "–"
        rows.append(f"{row['signal']} {shown} {row['status']} x{row['weeks']}")
    return ("ready" if card["ready"] else "not ready") + ": " + "; ".join(rows)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    result = figures(Path(argv[0]))
    if "--json" in argv:
        print(json.dumps(result, indent=2))
        return 0
    for phase, f in result["phases"].items():
        shares = ", ".join(f"{k} {v}%" for k, v in f["shares"].items())
        missing = f" (never: {', '.join(f['never_asked'])})" if f["never_asked"] else ""
        asked = f"items asked {f['coverage']}%{missing}"
        print(f"{phase}: {f['questions']} questions; {shares}; {asked}")
    w, n = result["withheld_lines"]
    print(f"withheld lines: {w} of {n} ({round(100 * w / max(n, 1))}%)")
    for q in result["quiet_nudges"]:
        print(f"quiet nudge {q['week']} {q['perspective']}: {q['asked']} people asked")
    for m in result["moves"]:
        print(f"move {m['at']} {m['from']} -> {m['to']}: {m['reason']}")
    for phase, last in result["last_scorecards"].items():
        print(f"last {phase} digest {last['week']}: {_card(last['scorecard'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
