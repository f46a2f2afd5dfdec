"""The answer bank: which of the user's saved answers a question asks for. Pure.

A question finds a saved answer when both say the same (after normalising), or when both are about
the same screening topic and name no different country, or, for questions of no known topic, when
their words mostly agree with the same negations. Opposite topics (authorised to work, needing
sponsorship) never match each other, however similar their words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contracts.profile import BankAnswer
from forms.countries import mentioned
from forms.keys import topic_of
from forms.text import content_words, fold, negated, similarity

# Words in common (Dice) needed between two questions of no known topic.
MIN_SIMILARITY = 0.72
# Two candidates closer than this with different answers are ambiguous: nothing is chosen.
TIE = 0.05


# Topics whose questions are about one thing each: the thing must be the same.
SUBJECT_TOPICS = frozenset({"years_of_experience"})
_FRAME_WORDS = frozenset(
    "how many year years work working professional experience experienc have do you of with in using total "
    "overall industry the your hands on".split()
)


def _subject(question: str) -> frozenset[str]:
    return frozenset(w for w in content_words(question) if w not in _FRAME_WORDS)


@dataclass(frozen=True)
class BankHit:
    question: str
    answer: BankAnswer
    score: float


def _score(asked: str, asked_topic: str, saved: str) -> float:
    if fold(asked) == fold(saved):
        return 2.0
    saved_topic = topic_of(saved)
    if asked_topic or saved_topic:
        if asked_topic != saved_topic:
            return 0.0
        a, b = mentioned(asked), mentioned(saved)
        if a and b and a != b:
            return 0.0  # authorised to work in the UK is not authorised to work in the US
        if asked_topic in SUBJECT_TOPICS and _subject(asked) != _subject(saved):
            return 0.0  # years with Terraform are not years with Go
        return 1.0 + similarity(asked, saved)
    if negated(asked) != negated(saved):
        return 0.0
    sim = similarity(asked, saved)
    return sim if sim >= MIN_SIMILARITY else 0.0


def lookup(bank: Mapping[str, BankAnswer], question: str, topic: str = "") -> BankHit | None:
    """The saved answer this question asks for, or None (none, or several that disagree)."""
    if not question.strip():
        return None
    asked_topic = topic or topic_of(question)
    scored = sorted(
        ((_score(question, asked_topic, q), q, a) for q, a in bank.items()), key=lambda t: t[0], reverse=True
    )
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        return None
    best, question_saved, answer = scored[0]
    rivals = [s for s in scored[1:] if best - s[0] < TIE and fold(s[2].answer) != fold(answer.answer)]
    if rivals:
        return None
    return BankHit(question_saved, answer, best)
