"""`/pioneer holiday | workdays | timezone | digest channel`: what the parser makes of the
words, and what the commands answer and store, on the in-memory unit of work.

That the dispatcher then follows what they stored is tests/integration/scheduling/
test_commands.py; the same commands through Slack are tests/e2e/slack/test_admin_commands.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.app.commands import Context, Profile, execute
from bot.app.commands.setting_words import (
    DigestChannel,
    HolidayChange,
    TimezoneChange,
    Workdays,
)
from bot.app.commands.words import Usage, parse
from bot.app.services import Services
from bot.clock import FixedClock
from bot.domain.calendar import UnknownTimezone, parse_date, resolve_timezone
from bot.domain.model import Language, Member, Role

MON_9_AMS = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("holiday", HolidayChange("list")),
        ("holiday list", HolidayChange("list")),
        ("feestdag lijst", HolidayChange("list")),
        ("holiday add 2026-12-25", HolidayChange("add", ("2026-12-25",))),
        (
            "feestdag toevoegen 2026-12-25, 2026-12-26",
            HolidayChange("add", ("2026-12-25", "2026-12-26")),
        ),
        ("holiday remove 2026-12-25", HolidayChange("remove", ("2026-12-25",))),
        ("feestdagen verwijder 2026-12-25", HolidayChange("remove", ("2026-12-25",))),
        # The date is the use case's to read, so a wrong one is refused by name.
        ("holiday add 25-12-2026", HolidayChange("add", ("25-12-2026",))),
        ("workdays", Workdays(None)),
        ("workdays mon-fri", Workdays("mon-fri")),
        ("werkdagen ma, di, do", Workdays("ma,di,do")),
        ("workdays mon tue thu", Workdays("mon,tue,thu")),
        ("timezone", TimezoneChange(None)),
        ("timezone Europe/Amsterdam", TimezoneChange("Europe/Amsterdam")),
        ("tijdzone America/New York", TimezoneChange("America/New York")),
        ("digest channel", DigestChannel("show")),
        ("digest channel <#C0LEAD|leaders>", DigestChannel("set", "C0LEAD")),
        ("digest kanaal <#C0LEAD>", DigestChannel("set", "C0LEAD")),
        ("digest channel <#19:lead@thread.tacv2>", DigestChannel("set", "19:lead@thread.tacv2")),
        ("digest channel off", DigestChannel("off")),
        ("digest kanaal uit", DigestChannel("off")),
        ("digest channel #leaders", DigestChannel("set", "#leaders", linked=False)),
    ],
)
def test_the_setting_words(text: str, expected: object) -> None:
    assert parse(text)[1] == expected


@pytest.mark.parametrize(
    ("text", "usage"),
    [
        ("holiday add", "holiday"),
        ("holiday list 2026-12-25", "holiday"),
        ("holiday someday 2026-12-25", "holiday"),
        ("timezone Europe Amsterdam please", "timezone"),
        ("digest channel two channels", "digest"),
    ],
)
def test_words_that_do_not_fit_get_the_usage_line(text: str, usage: str) -> None:
    assert parse(text) == (parse(usage)[0], Usage(name=usage))


def test_dates_are_year_month_day_and_real() -> None:
    assert parse_date("2026-12-25") == date(2026, 12, 25)
    for wrong in ("25-12-2026", "2027-02-30", "2026-1-5", "tomorrow", "20261225"):
        with pytest.raises(Exception) as refused:
            parse_date(wrong)
        assert refused.value.params == {"day": wrong}  # type: ignore[attr-defined]


def test_time_zones_are_iana_names_and_unknown_ones_get_suggestions() -> None:
    assert resolve_timezone("europe/amsterdam") == "Europe/Amsterdam"
    assert resolve_timezone("America/New York") == "America/New_York"
    with pytest.raises(UnknownTimezone) as near:
        resolve_timezone("Amsterdam")
    assert near.value.params["closest"] == "Europe/Amsterdam"
    with pytest.raises(UnknownTimezone) as typo:
        resolve_timezone("Europe/Londn")
    assert typo.value.params["closest"].startswith("Europe/London")
    with pytest.raises(UnknownTimezone) as nothing:
        resolve_timezone("Mars/Olympus_Mons")
    assert nothing.value.params["closest"] == "Europe/Amsterdam"


# -- the commands -----------------------------------------------------------------------------
@pytest.fixture
def journey_id(services: Services, clock: FixedClock, workspace_id: int) -> int:
    clock.set(MON_9_AMS)
    journey = services.journeys.start(
        workspace_id, "C-PLANT", "Plant Noord", "UFAC", Language.EN, "Europe/Amsterdam"
    )
    assert journey.id is not None
    with services.uow() as uow:
        uow.members.add(Member(workspace_id, journey.id, "UFOL", roles={Role.FOLLOWER}))
        uow.members.add(
            Member(workspace_id, journey.id, "UNL", roles={Role.FOLLOWER}, language=Language.NL)
        )
        uow.commit()
    return journey.id


def say(
    services: Services, workspace_id: int, text: str, user: str = "UFAC", admin: bool = False
) -> str:
    ctx = Context(
        platform="console",
        workspace_id=workspace_id,
        channel="C-PLANT",
        user=user,
        profile=lambda: Profile(is_admin=admin),
    )
    _, reply = execute(services, ctx, text)
    return reply.text


def test_holidays_are_added_listed_and_removed(
    services: Services, workspace_id: int, journey_id: int
) -> None:
    assert "has no holidays" in say(services, workspace_id, "holiday")
    added = say(services, workspace_id, "holiday add 2026-12-25 2026-12-26")
    assert added == (
        "Holidays added: 2026-12-25, 2026-12-26. *Plant Noord* has 2 holidays, on which "
        "nothing goes out: 2026-12-25, 2026-12-26."
    )
    # A follower may look, not change.
    assert "2026-12-25, 2026-12-26" in say(services, workspace_id, "holiday", user="UFOL")
    assert "Only a facilitator" in say(
        services, workspace_id, "holiday remove 2026-12-25", user="UFOL"
    )
    assert "Alleen een facilitator" in say(
        services, workspace_id, "feestdag weg 2026-12-25", user="UNL"
    )
    removed = say(services, workspace_id, "holiday remove 2026-12-25")
    assert removed.startswith("Holiday removed: 2026-12-25. *Plant Noord* has 1 holiday,")
    assert "is not a holiday" in say(services, workspace_id, "holiday remove 2026-12-31")
    with services.uow() as uow:
        schedule = uow.rituals.schedule(workspace_id, journey_id)
    assert schedule is not None and schedule.holidays == ["2026-12-26"]


def test_bad_and_past_holidays_are_refused_by_name(
    services: Services, workspace_id: int, journey_id: int
) -> None:
    assert say(services, workspace_id, "holiday add 2026-12-25 2027-02-30") == (
        "`2027-02-30` is not a date I can read. Write it as YYYY-MM-DD, for example `2026-12-25`."
    )
    assert "`25-12-2026` is geen datum" in say(
        services, workspace_id, "feestdag toevoegen 25-12-2026", user="UNL"
    )
    assert "2026-11-01 is already in the past" in say(
        services, workspace_id, "holiday add 2026-11-01"
    )
    assert "has no holidays" in say(services, workspace_id, "holiday")  # nothing half-stored


def test_working_days_and_the_rituals_they_leave_stranded(
    services: Services, workspace_id: int, journey_id: int
) -> None:
    assert "are `mon-fri`" in say(services, workspace_id, "workdays", user="UFOL")
    assert "Only a facilitator" in say(services, workspace_id, "workdays mon-thu", user="UFOL")
    changed = say(services, workspace_id, "werkdagen di-vr")
    # The shipped awareness plan has its digest on Monday: it would never go out.
    assert changed.startswith("The working days of *Plant Noord* are now `tue-fri`.")
    assert "Note: `digest` falls on `mon`, no longer a working day" in changed
    assert "`/pioneer schedule digest ‹days› ‹hh:mm›`" in changed
    assert "`mon,tue,thu`" in say(services, workspace_id, "workdays mon, tue, thu")
    assert "`weekend` as days" in say(services, workspace_id, "workdays weekend")
    with services.uow() as uow:
        schedule = uow.rituals.schedule(workspace_id, journey_id)
    assert schedule is not None and schedule.working_days == "mon,tue,thu"


def test_the_time_zone_is_shown_set_and_refused_helpfully(
    services: Services, workspace_id: int, journey_id: int
) -> None:
    assert "runs in the time zone Europe/Amsterdam" in say(services, workspace_id, "timezone")
    assert "Only a facilitator" in say(services, workspace_id, "timezone UTC", user="UFOL")
    assert say(services, workspace_id, "timezone Amsterdam") == (
        "`Amsterdam` is not a time zone I know. Use an IANA name, for example Europe/Amsterdam."
    )
    dutch = say(services, workspace_id, "tijdzone Mars/Base", user="UNL")
    assert dutch == (
        "`Mars/Base` is geen tijdzone die ik ken. Gebruik een IANA-naam, bijvoorbeeld "
        "Europe/Amsterdam."
    )
    assert "now runs in the time zone Europe/London" in say(
        services, workspace_id, "tz europe/london"
    )
    assert services.journeys.get(workspace_id, journey_id).timezone == "Europe/London"


def test_the_digest_channel_is_set_shown_and_switched_off(
    services: Services, workspace_id: int, journey_id: int
) -> None:
    assert "by direct message" in say(services, workspace_id, "digest channel", user="UFOL")
    assert "Only a facilitator" in say(
        services, workspace_id, "digest channel <#CLEAD>", user="UFOL"
    )
    assert "pick the channel from the list" in say(
        services, workspace_id, "digest channel #leaders"
    )
    assert "journey's own channel" in say(services, workspace_id, "digest channel <#C-PLANT>")
    assert "posted in <#CLEAD> too" in say(services, workspace_id, "digest kanaal <#CLEAD|leaders>")
    assert services.journeys.get(workspace_id, journey_id).leadership_channel == "CLEAD"
    assert "and in <#CLEAD>" in say(services, workspace_id, "status", user="UFOL")
    assert "only by direct message" in say(services, workspace_id, "digest channel off")
    assert services.journeys.get(workspace_id, journey_id).leadership_channel is None


@pytest.mark.parametrize(
    "text",
    [
        "holiday add 2026-12-25",
        "workdays mon-thu",
        "timezone Europe/London",
        "digest channel <#CLEAD>",
        "schedule pulse wed 10:00",
        "pause",
        "phase next",
        "role <@UFOL> frontrunner",
    ],
)
def test_a_workspace_admin_acts_as_facilitator_of_any_journey(
    services: Services, workspace_id: int, journey_id: int, text: str
) -> None:
    refused = say(services, workspace_id, text, user="UBOSS")
    assert "Only a facilitator" in refused
    done = say(services, workspace_id, text, user="UBOSS", admin=True)
    assert "Only a" not in done and "Alleen" not in done, done


def test_an_admins_phase_move_is_on_record_under_their_name(
    services: Services, workspace_id: int, journey_id: int
) -> None:
    say(services, workspace_id, "phase next", user="UBOSS", admin=True)
    (change,) = services.journeys.history(workspace_id, journey_id)
    boss = services.journeys.member(workspace_id, journey_id, "UBOSS")
    # On record, yet in no audience: a membership without roles.
    assert boss is not None and boss.roles == set() and change.actor_member_id == boss.id
