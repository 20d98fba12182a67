"""British and American spellings of skill and component names: both are accepted in scenario files.

The skill catalogue spells ``sbi.behavior`` the American way and ``sbi.judgement`` the
British way; an author writes either spelling of either. :func:`normalise_spelling`
rewrites a file's skill names and finding keys to the catalogue's spelling before it is
validated, so both load and the debrief reads the same.
"""
from __future__ import annotations

from typing import Any

from mentorkit.scenarios.schema import COMPONENTS, ENGINE_KEYS

__all__ = ["ALL_KEYS", "SPELLINGS", "normalise_key", "normalise_spelling"]

#: every finding key any scenario may use (engine keys, then each skill and its components)
ALL_KEYS: tuple[str, ...] = tuple(ENGINE_KEYS) + tuple(
    k for s, comps in COMPONENTS.items() for k in (s, *(f"{s}.{c}" for c in comps)))
#: spellings of words in skill names, one side British, the other American; either is accepted
SPELLINGS: dict[str, str] = {
    "behaviour": "behavior", "judgment": "judgement", "summarise": "summarize", "organise": "organize",
    "recognise": "recognize", "prioritise": "prioritize", "apologise": "apologize", "centre": "center",
    "colour": "color", "favour": "favor", "honour": "honor", "practise": "practice", "analyse": "analyze",
    "emphasise": "emphasize", "realise": "realize", "empathise": "empathize", "summarising": "summarizing",
}
_BOTH_WAYS = {**SPELLINGS, **{v: k for k, v in SPELLINGS.items()}}


def normalise_key(key: Any, known: tuple[str, ...] = ALL_KEYS) -> Any:
    """*key* in the catalogue's spelling when another spelling of it is known, else *key* unchanged.

    >>> normalise_key("sbi.behaviour"), normalise_key("sbi.judgment"), normalise_key("sbi.nothing")
    ('sbi.behavior', 'sbi.judgement', 'sbi.nothing')
    """
    if not isinstance(key, str) or key in known:
        return key
    swapped = ".".join("_".join(_BOTH_WAYS.get(w, w) for w in part.split("_")) for part in key.split("."))
    return swapped if swapped in known else key


def normalise_spelling(data: Any) -> Any:
    """A copy of scenario *data* with every skill and finding key in the catalogue's spelling.

    Only the places that hold skill names or finding keys are touched: ``skills``,
    ``effects`` keys, condition lists (``all`` / ``any`` / ``none``) and criteria's
    ``look_for`` / ``avoid``.
    """
    if not isinstance(data, dict):
        return data
    out = dict(data)
    if isinstance(out.get("skills"), list):
        out["skills"] = [normalise_key(s, tuple(COMPONENTS)) for s in out["skills"]]
    if isinstance(out.get("effects"), dict):
        out["effects"] = {normalise_key(k): v for k, v in out["effects"].items()}

    def lists(d: Any, keys: tuple[str, ...]) -> Any:
        if not isinstance(d, dict):
            return d
        return {k: ([normalise_key(x) for x in v] if k in keys and isinstance(v, list) else
                    normalise_key(v) if k in keys else v) for k, v in d.items()}

    if isinstance(out.get("rubric"), dict) and isinstance(out["rubric"].get("criteria"), list):
        out["rubric"] = dict(out["rubric"], criteria=[lists(c, ("look_for", "avoid"))
                                                      for c in out["rubric"]["criteria"]])
    if isinstance(out.get("turns"), list):
        turns = []
        for t in out["turns"]:
            if isinstance(t, dict) and isinstance(t.get("branches"), list):
                t = dict(t, branches=[dict(b, **{"if": lists(b["if"], ("all", "any", "none"))})
                                      if isinstance(b, dict) and "if" in b else b for b in t["branches"]])
            turns.append(t)
        out["turns"] = turns
    return out
