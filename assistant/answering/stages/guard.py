"""Guard: refuse voting advice, opinions on parties or candidates and out-of-remit requests."""

from __future__ import annotations

import logging

from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.messages import message
from assistant.safety import guard

log = logging.getLogger(__name__)


def refuse_if_guarded(ctx: AnswerContext, res: Resources) -> Ending | None:
    if not res.settings.guard.safety:  # off only for the attack benchmark's baseline
        return None
    refusal = guard.check(ctx.question, res.settings.guard)
    if refusal is None:
        return None
    log.info("refused (%s%s)", refusal.reason, f": {refusal.detail}" if refusal.detail else "")
    return Ending("refused", message(f"refused_{refusal.reason}", ctx.language))
