"""SBI practice: the situations a trainee writes feedback for, and the attempt history.

The history keeps every attempt per situation and gives first / best / latest
score, which the exercise shows after each try.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import yaml

from mentorkit.errors import MentorkitError

__all__ = ["Situation", "situations", "AttemptHistory"]

_FILE = Path(__file__).resolve().parent / "data" / "practice_situations.yaml"


@dataclass(frozen=True)
class Situation:
    id: str
    title: str
    kind: str
    context: str
    model_answer: str


@lru_cache(maxsize=1)
def situations() -> tuple[Situation, ...]:
    """The practice situations shipped with mentorkit, validated."""
    try:
        raw = yaml.safe_load(_FILE.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MentorkitError(f"{_FILE}: not valid YAML: {exc}") from None
    if not isinstance(raw, list) or not raw:
        raise MentorkitError(f"{_FILE}: expected a list of situations")
    out = []
    for i, item in enumerate(raw):
        missing = [k for k in ("id", "title", "kind", "context", "model_answer") if not item.get(k)]
        if missing:
            raise MentorkitError(f"{_FILE}: situation {i + 1}: missing field(s) {missing}")
        if item["kind"] not in ("praise", "correction"):
            raise MentorkitError(f"{_FILE}: situation {item['id']}: kind must be praise or correction")
        out.append(Situation(**{k: str(item[k]).strip() for k in ("id", "title", "kind", "context", "model_answer")}))
    return tuple(out)


@dataclass
class AttemptHistory:
    """Scores per situation, in the order they were made."""
    attempts: dict[str, list[tuple[datetime, float]]] = field(default_factory=dict)

    def add(self, situation_id: str, score: float) -> None:
        self.attempts.setdefault(situation_id, []).append((datetime.now(timezone.utc), float(score)))

    def progress(self, situation_id: str) -> dict | None:
        """``{"attempts", "first", "best", "latest"}`` for one situation, or None before any attempt."""
        items = self.attempts.get(situation_id)
        if not items:
            return None
        scores = [s for _, s in items]
        return {"attempts": len(scores), "first": scores[0], "best": max(scores), "latest": scores[-1]}
