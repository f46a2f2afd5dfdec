"""Text helpers for matching questions and options: normalise, tokenise, compare. Pure."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s+]")
_SPACE = re.compile(r"\s+")
STOPWORDS = frozenset(
    "a an the of to in for on at by with and or is are am be been being do does did you your yours i me my we our "
    "us this that these those it its as from will would can could should please any have has had which what who "
    "there their they them if so such than then also currently company".split()
)
# One spelling for words that mean the same in screening questions.
SYNONYMS = {
    "authorised": "authorized",
    "authorisation": "authorization",
    "authorization": "authorized",
    "lawfully": "legally",
    "eligible": "authorized",
    "permitted": "authorized",
    "entitled": "authorized",
    "need": "require",
    "needs": "require",
    "requires": "require",
    "required": "require",
    "requiring": "require",
    "sponsor": "sponsorship",
    "sponsored": "sponsorship",
    "sponsoring": "sponsorship",
    "organisation": "organization",
    "cv": "resume",
    "résumé": "resume",
    "yrs": "years",
    "aged": "age",
    "eighteen": "18",
    "us": "united states",
    "usa": "united states",
    "u.s.": "united states",
}
NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "without",
        "dont",
        "don't",
        "won't",
        "wont",
        "cannot",
        "can't",
        "isn't",
        "aren't",
        "doesn't",
        "didn't",
        "haven't",
        "hasn't",
        "neither",
        "nor",
        "none",
        "unable",
    }
)
YES = frozenset({"yes", "y", "true", "yeah", "yep"})
NO = frozenset({"no", "n", "false", "nope"})
# An option that declines to answer (EEO and other voluntary questions).
DECLINE = re.compile(
    r"decline|don.?t wish|do not wish|not wish|prefer not|choose not|not to (answer|disclose|self|say|identify)|"
    r"rather not|not (want|like) to (answer|say|disclose)|no answer|not specified|undisclosed",
    re.I,
)
# Options that only ask the person to choose (placeholders), never answers.
PLACEHOLDER = re.compile(r"^(select|choose|please select|pick|--|—)(\b.*)?$|^$", re.I)


def fold(text: str) -> str:
    """Lower case, accents off, punctuation to spaces, one space."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.replace("’", "'").casefold()
    return _SPACE.sub(" ", _PUNCT.sub(" ", text.replace("'", ""))).strip()


def _stem(word: str) -> str:
    word = SYNONYMS.get(word, word)
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    raw = fold(text.replace("'", "")).split()
    out: list[str] = []
    for w in raw:
        out.extend(SYNONYMS.get(w, w).split())
    return out


def content_words(text: str) -> set[str]:
    return {_stem(w) for w in words(text) if w not in STOPWORDS and w not in NEGATIONS}


def negated(text: str) -> bool:
    raw = text.casefold().replace("’", "'")
    return any(w in NEGATIONS for w in re.findall(r"[a-z']+", raw))


def similarity(a: str, b: str) -> float:
    """Dice overlap of the content words: 1.0 for the same words, 0.0 for none shared."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return 2 * len(wa & wb) / (len(wa) + len(wb))


def yes_no(text: str) -> bool | None:
    """True for an answer that means yes, False for no, None for anything else."""
    first = fold(text).split()
    if len(first) == 1 or (first and first[0] in YES | NO and len(first) <= 6):
        if first[0] in YES:
            return True
        if first[0] in NO:
            return False
    return None


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)
