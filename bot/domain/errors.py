"""Domain errors carry a message key and parameters; adapters say them in the user's language."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the user can understand. `key` names a text in the message catalog."""

    key = "error.generic"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(f"{self.key} {params}" if params else self.key)


class NotFound(DomainError):
    key = "error.not_found"  # params: what


class PromptGone(NotFound):
    """An answer to a delivery that no longer exists (withdrawn, or erased by forget-me)."""

    key = "error.prompt_gone"


class NotAMember(DomainError):
    """A person's own setting asked for by someone in no journey of this workspace."""

    key = "error.not_a_member"


class NoJourney(DomainError):
    key = "error.no_journey"


class JourneyExists(DomainError):
    key = "error.journey_exists"  # params: name


class NotAllowed(DomainError):
    """Only certain roles may do this; `allowed` names them."""

    key = "error.not_allowed"  # params: action, allowed


class AlreadyInPhase(DomainError):
    key = "error.already_in_phase"  # params: phase


class NoNextPhase(DomainError):
    key = "error.no_next_phase"  # params: phase


class NoPreviousPhase(DomainError):
    key = "error.no_previous_phase"  # params: phase


class ReasonRequired(DomainError):
    key = "error.reason_required"


class InvalidValue(DomainError):
    key = "error.invalid_value"  # params: low, high


class InvalidText(DomainError):
    key = "error.invalid_text"  # params: max


class EmptyText(InvalidText):
    key = "error.empty_text"


class UnsafeText(DomainError):
    """Text with NUL or other control characters, which cannot or should not be stored."""

    key = "error.unsafe_text"


class WrongAnswerKind(DomainError):
    key = "error.wrong_answer_kind"  # params: kind


class DeliveryClosed(DomainError):
    key = "error.delivery_closed"


class NotYourDelivery(DomainError):
    key = "error.not_your_delivery"


class InvalidThreshold(DomainError):
    key = "error.invalid_threshold"  # params: minimum


class InvalidTimezone(DomainError):
    key = "error.invalid_timezone"  # params: timezone


class InvalidName(DomainError):
    key = "error.invalid_name"  # params: max


class LastFacilitator(DomainError):
    key = "error.last_facilitator"


class NotAChannel(DomainError):
    """A digest channel typed as plain text: only a channel picked from the list (a link
    carrying its id) says which channel it is."""

    key = "error.digest.not_a_channel"  # params: text


class OwnChannel(DomainError):
    """The journey's own channel as the leaders' channel: every member would read the
    digest meant for directors."""

    key = "error.digest.own_channel"


# -- not refusals, but what went wrong outside: a platform, another process ----------------
class SchedulerLocked(RuntimeError):
    """Another process is already the scheduler for this database."""


class DeliveryFailed(Exception):
    """A platform could not deliver a message. Subclasses say whether to try again."""


class RateLimited(DeliveryFailed):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = retry_after


class TemporaryFailure(DeliveryFailed):
    """Server error, timeout or connection reset: worth retrying with backoff."""


class Unreachable(DeliveryFailed):
    """The person cannot be reached (left, blocked the app, no permission): do not retry."""
