"""The softer rewrite shown in the debrief: tidied, checked, and left out when it is not sound.

The tone detector (``mentorkit.skills``) proposes a softer wording of a sharp reply. The
debrief shows it only when it reads as English the trainee could send: this module mends
what a rewrite by rules tends to break, and refuses what it cannot mend.

Mended
    doubled punctuation ("data,. And" -> "data. And"); words run together where a clause
    was cut ("leavingit always happens" -> "leaving, it always happens"); names and
    acronyms that lost their capitals ("their ceo" -> "their CEO"); a sentence that starts
    in lower case.
Refused (no rewrite shown)
    a clause glued to a connective ("I'm concerned that and ..."), a sign-off or a wish
    turned into a request ("Could you talk soon?", "Could you hope that helps?").
"""
from __future__ import annotations

import re

__all__ = ["tidy_rewrite", "rewrite_problems"]

_DOUBLED = re.compile(r"([,;:.!?])(\s*[,;:.!?])+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_GLUED = re.compile(r"\b(?:that|because|and|but)\s+(?:and|but|or|so|hey|well|yeah|um)\b", re.I)
_ODD_REQUEST = re.compile(r"\b(?:could|can|would) you (?:please )?(?:hope|think|know|seem|like|love|want|need|"
                          r"talk soon|see you|bye|thanks|cheers)\b", re.I)


def _mend_punctuation(text: str) -> str:
    def keep(m: re.Match) -> str:
        marks = [m.group(1)] + [g.strip() for g in re.findall(r"\s*[,;:.!?]", m.group(0)[1:])]
        for strong in ("?", "!", "."):
            if strong in marks:
                return strong
        return marks[-1]
    return _DOUBLED.sub(keep, text)


def _mend_run_together(original: str, text: str) -> str:
    orig_words = _WORD.findall(original)
    known = {w.lower() for w in orig_words}
    pairs = {}
    for a, b in zip(orig_words, orig_words[1:]):
        pairs[(a + b).lower()] = (a, b)
    out = []
    for tok in re.split(r"(\s+)", text):
        core = tok.strip(",.;:!?\"'")
        low = core.lower()
        if core and low not in known and low in pairs:
            a, b = pairs[low]
            sep = ", " if re.search(re.escape(a) + r"\s*[,;]\s*" + re.escape(b), original, re.I) else " "
            tok = tok.replace(core, f"{a}{sep}{b}")
        out.append(tok)
    return "".join(out)


def _mend_capitals(original: str, text: str) -> str:
    caps = {}
    for m in _WORD.finditer(original):
        w = m.group(0)
        at_start = m.start() == 0 or re.search(r"[.!?]\s*$", original[:m.start()]) is not None
        if (w.isupper() and len(w) > 1) or (w[0].isupper() and not at_start and w != "I"):
            caps[w.lower()] = w
    if caps:
        text = re.sub(r"[A-Za-z][A-Za-z'\-]*", lambda m: caps.get(m.group(0).lower(), m.group(0))
                      if m.group(0).islower() else m.group(0), text)
    # every sentence opens with a capital
    return re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def rewrite_problems(original: str, text: str) -> list[str]:
    """What is wrong with a rewrite *text* of *original* (empty when it reads soundly).

    >>> rewrite_problems("Ask their CEO.", "Could you ask their ceo?")
    ["'ceo' lost its capitals (CEO)"]
    >>> rewrite_problems("Fix it.", "Could you fix it?")
    []
    """
    problems = []
    if _DOUBLED.search(text):
        problems.append(f"doubled punctuation: {_DOUBLED.search(text).group(0)!r}")
    orig = {w.lower() for w in _WORD.findall(original)}
    for a, b in zip(_WORD.findall(original), _WORD.findall(original)[1:]):
        glued = (a + b).lower()
        if glued not in orig and re.search(rf"\b{re.escape(glued)}\b", text, re.I):
            problems.append(f"words run together: {glued!r}")
    for m in _WORD.finditer(original):
        w = m.group(0)
        at_start = m.start() == 0 or re.search(r"[.!?]\s*$", original[:m.start()]) is not None
        named = (w.isupper() and len(w) > 1) or (w[0].isupper() and not at_start and w != "I")
        if named and re.search(rf"\b{re.escape(w.lower())}\b", text) and w.lower() != w:
            problems.append(f"{w.lower()!r} lost its capitals ({w})")
    if re.search(r"(^|[.!?]\s+)[a-z]", text):
        problems.append("a sentence starts in lower case")
    if _GLUED.search(text):
        problems.append(f"a clause glued to a connective: {_GLUED.search(text).group(0)!r}")
    if _ODD_REQUEST.search(text):
        problems.append(f"a wish or sign-off turned into a request: {_ODD_REQUEST.search(text).group(0)!r}")
    return problems


def tidy_rewrite(original: str, suggestion: str | None) -> str | None:
    """The rewrite mended (punctuation, run-together words, capitals), or None when it stays unsound.

    >>> tidy_rewrite("Don't worry about people leaving, it always happens.",
    ...              "Please try not to worry about people leavingit always happens.")
    'Please try not to worry about people leaving, it always happens.'
    >>> tidy_rewrite("And obviously it's fine.", "I'm concerned that and it's fine.") is None
    True
    """
    if not suggestion:
        return None
    text = _mend_capitals(original, _mend_run_together(original, _mend_punctuation(suggestion)))
    text = re.sub(r"\s{2,}", " ", text).strip()
    return None if rewrite_problems(original, text) else text
