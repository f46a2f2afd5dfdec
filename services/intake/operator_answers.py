"""An operator's answers to a task's questions go to the user's answer bank, where the user allows it
(`preferences.save_operator_answers`), so the same question never needs a person twice."""

from datetime import datetime

import asyncpg

from contracts.human import HumanResolved
from contracts.profile import BankAnswer, Profile


def merged(profile: Profile, answers: dict[str, str], at: datetime) -> tuple[Profile, int]:
    """The profile with the operator's answers banked, and how many were new or changed.

    The user's own words win: an answer the user gave (or imported from a resume) is never replaced
    by an operator's; an operator's earlier answer is replaced by a newer one.
    """
    bank = dict(profile.answers)
    changed = 0
    for question, text in answers.items():
        question, text = question.strip(), text.strip()
        prior = bank.get(question)
        if not question or not text or (prior is not None and prior.provenance != "operator"):
            continue
        if prior is not None and prior.answer == text:
            continue
        bank[question] = BankAnswer(answer=text, provenance="operator", saved_at=at)
        changed += 1
    return profile.model_copy(update={"answers": bank}), changed


async def save(conn: asyncpg.Connection, event: HumanResolved) -> int:
    """Banks the answers in the transaction that records the event; returns how many were banked."""
    if not event.answers:
        return 0
    raw = await conn.fetchval("SELECT data FROM profiles WHERE user_id = $1 FOR UPDATE", event.user_id)
    if raw is None:
        return 0  # no profile (or the user is deleted): nothing to add to
    profile = Profile.model_validate_json(raw)
    if not profile.preferences.save_operator_answers:
        return 0
    updated, changed = merged(profile, event.answers, event.occurred_at)
    if changed:
        await conn.execute(
            "UPDATE profiles SET data = $2::jsonb, updated_at = now() WHERE user_id = $1",
            event.user_id,
            updated.model_dump_json(),
        )
    return changed
