"""`/pioneer export`: a facilitator gets the journey's aggregates, anyone else their own answers."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.app.commands.context import Env, Reply, ReplyFile
from bot.app.commands.words import Export
from bot.domain.anonymity import AnonymityRule, Shown
from bot.domain.model import SCALE_MAX, SCALE_MIN, Journey, Role


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting with these is a formula in spreadsheet programs.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def run_export(env: Env, _: Export) -> Reply:
    journey = env.journey
    if journey is not None and env.member is not None and env.member.has(Role.FACILITATOR):
        return _export_aggregates(env, journey)
    return _export_mine(env)


def _export_aggregates(env: Env, journey: Journey) -> Reply:
    assert journey.id is not None
    with env.services.uow() as uow:
        answers = uow.answers.for_journey(env.ctx.workspace_id, journey.id)
    groups: dict[tuple[str, str, str, str], list[tuple[int, int]]] = {}
    for a in answers:
        if a.value is not None:
            key = (a.iso_week, a.phase.value, a.perspective.value, a.signal.value)
            groups.setdefault(key, []).append((a.member_id, a.value))
    rule = AnonymityRule(journey.anonymity_threshold)
    header: list[object] = ["week", "phase", "perspective", "signal", "respondents", "mean"]
    rows: list[list[object]] = [header + [f"n{i}" for i in range(SCALE_MIN, SCALE_MAX + 1)]]
    for key in sorted(groups):
        figure = rule.figure(groups[key])
        if isinstance(figure, Shown):  # groups under the threshold are left out entirely
            rows.append([*key, figure.respondents, figure.mean, *figure.distribution])
    return Reply(
        text=env.say("cmd.export.aggregates", groups=len(rows) - 1, k=journey.anonymity_threshold),
        language=env.language,
        file=ReplyFile(
            filename=f"pioneer-{journey.id}-aggregates.csv",
            title=env.say("cmd.export.aggregates_title", name=journey.name),
            content=_csv(rows),
        ),
    )


def _export_mine(env: Env) -> Reply:
    rows: list[list[object]] = [
        ["journey", "answered_at", "week", "prompt", "question", "kind", "value", "text"]
    ]
    catalog = env.services.catalog
    mine = env.my_journeys()
    with env.services.uow() as uow:
        for journey, member in mine:
            assert member.id is not None
            for a in uow.answers.for_member(env.ctx.workspace_id, member.id):
                prompt = catalog.get(a.prompt_id)
                question = prompt.text.in_(env.language) if prompt else ""
                rows.append(
                    [
                        journey.name,
                        a.answered_at.isoformat(),
                        a.iso_week,
                        a.prompt_id,
                        question,
                        a.kind.value,
                        a.value,
                        a.text,
                    ]
                )
    return Reply(
        text=env.say("cmd.export.mine", count=len(rows) - 1),
        language=env.language,
        file=ReplyFile(
            filename="pioneer-my-answers.csv",
            title=env.say("cmd.export.mine_title"),
            content=_csv(rows),
        ),
    )
