"""The method's two cases as scenarios of the demo: company A (focused, servitization, sales
resist) and company B (broad, robots chosen by the staff, a repair team)."""

from __future__ import annotations

from bot.demo.scenarios import Event, Mood, Scenario
from bot.domain.model import Perspective, Phase, Signal, Text, TouchpointKind

P = Phase
S = Signal
K = TouchpointKind


def T(nl: str, en: str) -> Text:  # noqa: N802 - reads like a literal
    return Text(nl=nl, en=en)


COMMON_MOODS: dict[tuple[Phase, Signal], Mood] = {
    (P.AWARENESS, S.URGENCY): Mood(3.9),
    (P.AWARENESS, S.SPARK): Mood(3.8),
    (P.AWARENESS, S.CURIOSITY): Mood(3.7, 0.1),
    (P.AWARENESS, S.ROOM_TO_EXPLORE): Mood(3.3),
    (P.AWARENESS, S.FUTURE_PICTURE): Mood(2.3, 0.1),
    (P.INTEREST, S.CURIOSITY): Mood(3.9),
    (P.INTEREST, S.ROOM_TO_EXPLORE): Mood(3.5),
    (P.INTEREST, S.FUTURE_PICTURE): Mood(2.6, 0.35),
    (P.DESIRE, S.FUTURE_PICTURE): Mood(3.6),
    (P.DESIRE, S.WHY_UNAVOIDABLE): Mood(3.0, 0.15),
    (P.DESIRE, S.HEARD): Mood(3.0, 0.1),
    (P.DESIRE, S.MY_ROLE): Mood(2.8, 0.15),
    (P.ACTION, S.HEARD): Mood(3.4, 0.05),
    (P.ACTION, S.MY_ROLE): Mood(3.4, 0.1),
    (P.ACTION, S.LEARNING): Mood(3.3, 0.15),
    (P.ACTION, S.EXPERIMENTS): Mood(3.2, 0.2),
}

SCENARIO_A = Scenario(
    key="a",
    title=T(
        "Bedrijf A: van machines verkopen naar betalen per gebruik",
        "Company A: from selling machines to pay-per-use",
    ),
    story=T(
        "Een klant vraagt om te betalen voor gebruik in plaats van de machine te kopen. Een "
        "kleine groep verkent gericht wat de machinedata opleveren, en het toekomstbeeld is "
        "snel helder. Als het de verkoop raakt, verzetten ervaren verkopers zich en raakt de "
        "techniek uit beeld; een veranderdeskundige helpt. In de actiefase gaat een deel van de "
        "verkopers in een oplossingsteam en laat een ander deel zich omscholen.",
        "A customer asks to pay for use instead of buying the machine. A small group explores, "
        "focused, what the machine data can offer, and the picture of the future is soon clear. "
        "When it reaches sales, experienced sales staff push back and technology drops out of "
        "sight; a change expert helps. In action, some sales managers join a solutions team "
        "and others retrain.",
    ),
    groups={"sales": 7, "service": 6, "production": 6},
    moods={
        **COMMON_MOODS,
        (P.AWARENESS, S.URGENCY): Mood(4.3),
        (P.AWARENESS, S.SPARK): Mood(4.4),
        (P.AWARENESS, S.ECOSYSTEM): Mood(2.6),
        # The spark is there at once; curiosity grows over the first weeks.
        (P.AWARENESS, S.CURIOSITY): Mood(3.1, 0.35),
        (P.INTEREST, S.FUTURE_PICTURE): Mood(2.8, 0.55),
        # Once the change expert works with sales, desire comes within reach week by week.
        (P.DESIRE, S.HEARD): Mood(3.0, 0.2),
        (P.DESIRE, S.WHY_UNAVOIDABLE): Mood(3.2, 0.2),
        (P.DESIRE, S.MY_ROLE): Mood(3.0, 0.2),
        (P.ACTION, S.LEARNING): Mood(3.0, 0.2),
        (P.ACTION, S.EXPERIMENTS): Mood(3.1, 0.25),
    },
    group_moods={
        ("sales", P.DESIRE, S.HEARD): -1.2,
        ("sales", P.DESIRE, S.WHY_UNAVOIDABLE): -1.0,
        ("sales", P.DESIRE, S.MY_ROLE): -1.3,
        ("sales", P.ACTION, S.MY_ROLE): -0.6,
        ("sales", P.ACTION, S.LEARNING): -0.4,
    },
    # During desire, technology falls into the shadow of the sales reorganisation.
    quiet={(P.DESIRE, Perspective.TECHNOLOGY): 0.45, (P.ACTION, Perspective.TECHNOLOGY): 0.6},
    quiet_offset={
        (P.DESIRE, Perspective.TECHNOLOGY): -1.4,
        (P.ACTION, Perspective.TECHNOLOGY): -0.6,
    },
    events=(
        Event(
            P.INTEREST,
            1,
            touchpoint=T(
                "Brainstorm met de klant over een contract per gebruiksuur",
                "Brainstorm with the customer about a contract per hour of use",
            ),
            kind=K.CUSTOMER,
        ),
        Event(
            P.DESIRE,
            2,
            touchpoint=T(
                "Externe veranderdeskundige aangetrokken voor het verkoopteam",
                "External change expert hired to work with the sales team",
            ),
            kind=K.EXPERT,
            lifts={"sales": {S.HEARD: 0.8, S.MY_ROLE: 0.6, S.WHY_UNAVOIDABLE: 0.6}},
        ),
        Event(
            P.ACTION,
            1,
            touchpoint=T(
                "Oplossingsteam gevormd; een deel van de verkopers stapt in, een deel schoolt om",
                "Solutions team formed; some sales managers join, others retrain",
            ),
            kind=K.TEAM,
            lifts={"sales": {S.MY_ROLE: 0.8, S.LEARNING: 0.6}},
        ),
        Event(
            P.ACTION,
            2,
            touchpoint=T(
                "Omscholing gestart met een opleider uit de regio",
                "Retraining started with a training partner from the region",
            ),
            kind=K.SUPPLIER,
            lifts={"*": {S.LEARNING: 0.4, S.EXPERIMENTS: 0.3}},
        ),
    ),
    texts={
        "*": (
            T(
                "Begin met één klant en meet wat de machine echt doet.",
                "Start with one customer and measure what the machine really does.",
            ),
            T("Wie gaat de data straks beheren?", "Who will look after the data later on?"),
            T(
                "Meer tijd om met de klant mee te kijken.",
                "More time to look along with the customer.",
            ),
        ),
        "sales": (
            T(
                "Ik verkoop al twintig jaar machines; een abonnement verkopen is iets anders.",
                "I have sold machines for twenty years; selling a subscription is something else.",
            ),
            T(
                "Wat betekent dit voor mijn bonus en mijn klanten?",
                "What does this mean for my bonus and my customers?",
            ),
            T(
                "Ik maak me zorgen dat klanten dit niet willen.",
                "I worry that customers will not want this.",
            ),
        ),
        "frontrunner": (
            T(
                "De sensordata van lijn 3 laten al patronen zien.",
                "The sensor data from line 3 already show patterns.",
            ),
            T("Ik wil een proef met twee klanten.", "I want a pilot with two customers."),
        ),
    },
    max_weeks={P.AWARENESS: 4, P.INTEREST: 6, P.DESIRE: 8, P.ACTION: 52},
)

SCENARIO_B = Scenario(
    key="b",
    title=T(
        "Bedrijf B: breed verkennen, robots kiezen en een reparatieteam",
        "Company B: broad exploration, choosing robots and a repair team",
    ),
    story=T(
        "Aandacht in de regio maakt de directie nieuwsgierig. Zij bezoekt bedrijven, werkt aan "
        "een businessmodel en laat een futuroloog spreken, maar de koplopers houden weinig "
        "ruimte naast het dagelijkse werk. Later kiest het personeel zelf de eerste "
        "technologie; wie liever met de hand werkt, krijgt een plek in een nieuw reparatieteam.",
        "Regional attention makes the board curious. It visits companies, works on a business "
        "model and invites a futurist, but the frontrunners have little room beside the daily "
        "work. Later the staff choose the first technology themselves; those who prefer manual "
        "work find a place in a new repair team.",
    ),
    groups={"production": 9, "manual": 6, "office": 4},
    moods={
        **COMMON_MOODS,
        # Curious at once; the sense that it must happen grows with the visits.
        (P.AWARENESS, S.URGENCY): Mood(3.0, 0.3),
        (P.AWARENESS, S.CURIOSITY): Mood(4.1),
        (P.AWARENESS, S.ECOSYSTEM): Mood(3.9),
        (P.AWARENESS, S.ROOM_TO_EXPLORE): Mood(2.4),
        (P.INTEREST, S.ROOM_TO_EXPLORE): Mood(2.2),
        (P.INTEREST, S.CURIOSITY): Mood(4.2),
        (P.INTEREST, S.ECOSYSTEM): Mood(4.1),
        (P.INTEREST, S.FUTURE_PICTURE): Mood(2.4, 0.05),
        (P.DESIRE, S.HEARD): Mood(3.7, 0.05),
        (P.DESIRE, S.WHY_UNAVOIDABLE): Mood(3.7, 0.1),
        (P.DESIRE, S.MY_ROLE): Mood(3.4, 0.1),
        (P.ACTION, S.LEARNING): Mood(3.7, 0.1),
        (P.ACTION, S.EXPERIMENTS): Mood(3.5, 0.15),
    },
    group_moods={
        ("manual", P.DESIRE, S.MY_ROLE): -2.0,
        ("manual", P.DESIRE, S.HEARD): -0.8,
        ("manual", P.ACTION, S.MY_ROLE): -0.4,
    },
    quiet={},
    quiet_offset={},
    events=(
        Event(
            P.AWARENESS,
            1,
            touchpoint=T(
                "Regionale bijeenkomst over digitalisering", "Regional meeting on digitalisation"
            ),
            kind=K.COMMUNITY,
        ),
        Event(
            P.INTEREST,
            1,
            touchpoint=T("Bezoek aan een fieldlab robotica", "Visit to a robotics fieldlab"),
            kind=K.FIELDLAB,
        ),
        Event(
            P.INTEREST,
            2,
            touchpoint=T("Futuroloog sprak het personeel toe", "A futurist spoke to the staff"),
            kind=K.EXPERT,
        ),
        Event(
            P.INTEREST,
            4,
            touchpoint=T(
                "Twee bedrijven in het netwerk bezocht",
                "Visited two companies in the regional network",
            ),
            kind=K.COMPANY,
        ),
        Event(
            P.INTEREST,
            7,
            touchpoint=T(
                "Directie kiest met het personeel: eerst industriële robots, de rest wacht",
                "Board and staff choose: industrial robots first, the rest waits",
            ),
            kind=K.DECISION,
            lifts={"*": {S.FUTURE_PICTURE: 1.3}},
        ),
        Event(
            P.DESIRE,
            3,
            touchpoint=T(
                "Reparatieteam opgericht voor wie liever met de hand werkt",
                "Repair team formed for those who prefer manual work",
            ),
            kind=K.TEAM,
            lifts={"manual": {S.MY_ROLE: 2.0, S.HEARD: 0.8}},
        ),
        Event(
            P.ACTION,
            1,
            touchpoint=T(
                "Training op de industriële robots door de leverancier",
                "Training on the industrial robots by the supplier",
            ),
            kind=K.SUPPLIER,
            lifts={"*": {S.LEARNING: 0.4, S.EXPERIMENTS: 0.3}},
        ),
    ),
    texts={
        "*": (
            T(
                "Laat ons eerst de robot zien voordat we kiezen.",
                "Let us see the robot before we choose.",
            ),
            T(
                "Goed dat we zelf mogen kiezen welke technologie eerst komt.",
                "Good that we may choose which technology comes first.",
            ),
            T("Plan de training niet midden in de piek.", "Do not plan the training in the peak."),
        ),
        "manual": (
            T(
                "Ik werk graag met mijn handen; is daar straks nog plek voor?",
                "I like working with my hands; will there still be room for that?",
            ),
            T("Ik maak me zorgen dat mijn vak verdwijnt.", "I worry that my trade will disappear."),
        ),
        "frontrunner": (
            T(
                "Ik kom niet aan verkennen toe door de orders van deze week.",
                "I cannot get to exploring because of this week's orders.",
            ),
            T(
                "Het fieldlab gaf veel ideeën; nu tijd om ze uit te werken.",
                "The fieldlab gave plenty of ideas; now we need time to work them out.",
            ),
        ),
    },
    max_weeks={P.AWARENESS: 5, P.INTEREST: 10, P.DESIRE: 8, P.ACTION: 52},
)

SCENARIOS = {"a": SCENARIO_A, "b": SCENARIO_B}
