"""What must be true to leave a phase, and what says the previous phase's work is not done.

One definition for the whole domain: the pulse design asks these signals of whole groups
every week, the digest's scorecard shows them, the nudges suggest a move on them
(docs/method.md, "What it means for the bot": a phase is ready to be left when its exit
signals score well for at least two weeks in the phase).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.model import Phase, Signal

# What must be true to leave a phase. Action is the last phase: it has none.
EXIT_SIGNALS: Mapping[Phase, tuple[Signal, ...]] = {
    Phase.AWARENESS: (Signal.URGENCY, Signal.CURIOSITY),
    Phase.INTEREST: (Signal.FUTURE_PICTURE,),
    Phase.DESIRE: (Signal.WHY_UNAVOIDABLE, Signal.HEARD, Signal.MY_ROLE),
}
# What, when it collapses, says the previous phase's work is not done.
BACK_SIGNALS: Mapping[Phase, tuple[Signal, ...]] = {
    Phase.INTEREST: (Signal.URGENCY, Signal.CURIOSITY),
    Phase.DESIRE: (Signal.FUTURE_PICTURE,),
    Phase.ACTION: (Signal.WHY_UNAVOIDABLE,),
}
# An exit signal "scores well" from this mean up (on the 1-5 scale) ...
EXIT_LEVEL = 3.5
# ... and the phase is ready to be left when every exit signal did so this many weeks in a row.
EXIT_MIN_WEEKS = 2
# An exit signal of the previous phase below this has collapsed: suggest going back.
BACK_LEVEL = 2.5
