"""A delivery as the person sees it now: question, scale, their answer, open or closed."""

from __future__ import annotations

from datetime import datetime

from bot.domain.deliveries import prompt_view
from bot.domain.model import Answer, Delivery, Journey, Member
from bot.domain.ports import Clock, PromptCatalog, UnitOfWorkFactory
from bot.domain.views import PromptView


class PromptViews:
    def __init__(self, uow: UnitOfWorkFactory, catalog: PromptCatalog, clock: Clock) -> None:
        self._uow = uow
        self._catalog = catalog
        self.clock = clock

    def build(
        self,
        delivery: Delivery,
        journey: Journey,
        member: Member,
        answer: Answer | None,
        now: datetime,
    ) -> PromptView:
        """The neutral view of one delivery, as it stands at `now`, in the member's language."""
        prompt = self._catalog.get(delivery.prompt_id)
        return prompt_view(delivery, journey, member, prompt, now, answer=answer)

    def view_for(self, workspace_id: int, delivery_id: int) -> PromptView | None:
        """The prompt as it stands now."""
        with self._uow() as uow:
            found = uow.deliveries.with_context(workspace_id, delivery_id)
            if found is None:
                return None
            delivery, journey, member = found
            answer = uow.answers.for_delivery(workspace_id, delivery_id)
        return self.build(delivery, journey, member, answer, self.clock.now())
