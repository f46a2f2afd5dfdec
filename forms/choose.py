"""Choosing the option that means the answer. Pure; never a random or nearest-looking option.

Passes, as the best fillers do (form-anchors.md): the same words; a yes/no answer to the option
that starts with it, or else to the only option of the same polarity; the answer inside the option
or the option inside the answer; then most words in common. Two options equally good are
ambiguous, and ambiguity chooses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from forms.countries import mentioned
from forms.records import Option
from forms.text import DECLINE, PLACEHOLDER, content_words, fold, negated, similarity, yes_no

# Least word overlap (Dice) for the last pass.
MIN_OVERLAP = 0.5


def real_options(options: Sequence[Option]) -> list[Option]:
    return [o for o in options if not PLACEHOLDER.match(fold(o.label)) or fold(o.label) in ("yes", "no")]


def _unique(found: list[Option]) -> Option | None:
    labels = {fold(o.label) for o in found}
    return found[0] if len(labels) == 1 else None


def decline_option(options: Sequence[Option]) -> Option | None:
    return _unique_first([o for o in real_options(options) if DECLINE.search(o.label)])


def _unique_first(found: list[Option]) -> Option | None:
    return found[0] if found else None


def _by_yes_no(answer: str, options: list[Option], question: str) -> Option | None:
    want = yes_no(answer)
    if want is None:
        return None
    word = "yes" if want else "no"
    leading = [o for o in options if fold(o.label).split()[:1] == [word]]
    if leading:
        return _unique(leading)
    if any(yes_no(o.label) is not None for o in options):
        return None
    # Statements without yes/no ("I will not require sponsorship"): the only one of the right polarity,
    # and only when no option brings in a country the question does not name.
    asked = mentioned(question)
    if any(mentioned(o.label) - asked for o in options):
        return None
    same = [o for o in options if not DECLINE.search(o.label) and negated(o.label) != want]
    return _unique(same)


def choose(answer: str, options: Sequence[Option], question: str = "") -> Option | None:
    """The option that means `answer`, or None when none does or several do."""
    opts = real_options(options)
    if not opts or not answer.strip():
        return None
    target = fold(answer)
    exact = [o for o in opts if fold(o.label) == target or (o.value and fold(o.value) == target)]
    if exact:
        return _unique(exact)
    ranged = _by_range(answer, opts)
    if ranged is not None:
        return ranged
    by_polarity = _by_yes_no(answer, opts, question)
    if by_polarity is not None or yes_no(answer) is not None:
        return by_polarity
    inside = [o for o in opts if _contains(target, fold(o.label))]
    if inside:
        return _unique(inside) or _best([o for o in inside if negated(o.label) == negated(answer)], answer)
    return _best(opts, answer)


_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(years?|yrs?)?\s*$", re.I)


def _span(label: str) -> tuple[float, float] | None:
    """The numbers an option covers: "5-7 years", "10+ years", "More than 10", "Less than 1 year"."""
    text = fold(label.replace("–", "-"))
    nums = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", label)]
    if len(nums) == 2 and re.search(r"\d\s*(-|to)\s*\d", label.replace("–", "-")):
        return nums[0], nums[1]
    if len(nums) == 1:
        n = nums[0]
        if re.search(r"more than|over|above|greater", text):
            return n + 0.001, float("inf")
        if "+" in label or re.search(r"or more|and (above|over)|at least", text):
            return n, float("inf")
        if re.search(r"less than|under|below|fewer", text):
            return 0.0, n - 0.001
        return n, n
    return None


def _by_range(answer: str, options: list[Option]) -> Option | None:
    """A number picks the option whose range holds it ("6" picks "5-7 years")."""
    match = _NUMBER.match(answer)
    spans = [(_span(o.label), o) for o in options]
    if match is None or not spans or any(span is None for span, _ in spans):
        return None
    value = float(match.group(1))
    holding = [o for span, o in spans if span is not None and span[0] <= value <= span[1]]
    return _unique(holding)


def _contains(answer: str, option: str) -> bool:
    """One inside the other, both at least 3 characters (so "No" is not inside "Nope")."""
    return len(answer) >= 3 and len(option) >= 3 and (answer in option or option in answer)


def _best(opts: list[Option], answer: str) -> Option | None:
    if not content_words(answer):
        return None
    scored = sorted(((similarity(answer, o.label), o) for o in opts), key=lambda t: t[0], reverse=True)
    if not scored or scored[0][0] < MIN_OVERLAP:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def choose_many(answers: Sequence[str], options: Sequence[Option]) -> list[Option] | None:
    """One option per answer (checkbox groups, multi-selects); None if any answer has no option."""
    picked = [choose(a, options) for a in answers]
    if any(p is None for p in picked):
        return None
    return [p for p in picked if p is not None]
