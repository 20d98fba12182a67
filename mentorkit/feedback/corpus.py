"""The labelled SBI corpus: parse the marked-up source files into labelled records.

Source files live in ``datasets/sbi/src/*.tsv``. Each non-comment line holds five
tab-separated fields, or six with the writer's English variety::

    setting <TAB> style <TAB> polarity <TAB> person <TAB> marked text [<TAB> variety]

*variety* is ``native`` or ``non_native`` (how the statement is written: as a first-language
or a second-language speaker of English writes); five-field rows have variety ``unspecified``.
*setting* is a lower-case word or snake_case phrase naming the workplace (the first writers
used :data:`SETTINGS`; later writers named their own, such as ``warehouse`` or ``airline``).

The marked text wraps each present part in braces with a one-letter tag:
``{S:...}`` situation, ``{B:...}`` behaviour, ``{I:...}`` impact and ``{J:...}``
judgement words. A ``{J:...}`` may sit inside another span; other spans do not nest.
A part may be marked more than once (a behaviour split over two sentences).

The labels are derived from the marks, so a label and its evidence can never
disagree: ``situation`` is true exactly when at least one ``S`` span is present.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, asdict
from pathlib import Path

from mentorkit.errors import MentorkitError
from mentorkit.skills.corpus import hug

PARTS = ("situation", "behavior", "impact", "judgement")
TAGS = {"S": "situation", "B": "behavior", "I": "impact", "J": "judgement"}
SETTINGS = {
    "software", "healthcare", "finance", "education", "sales", "customer_support",
    "content_creation", "research_lab", "operations", "hr", "design", "marketing",
    "legal", "manufacturing", "nonprofit", "hospitality", "mentoring",
}
STYLES = {"spoken", "chat", "email", "async_update"}
POLARITIES = {"praise", "criticism", "mixed", "neutral"}
PERSONS = {"second", "third", "mixed"}
VARIETIES = {"native", "non_native"}
_SETTING_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TEST_FRACTION = 0.2


@dataclass
class Statement:
    id: str
    text: str
    setting: str
    style: str
    polarity: str
    person: str
    split: str
    variety: str = "unspecified"
    situation: bool = False
    behavior: bool = False
    impact: bool = False
    judgement: bool = False
    spans: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def parse_marked(marked: str, where: str = "<text>") -> tuple[str, list[dict]]:
    """Strip ``{X:...}`` marks from *marked*; return the plain text and its spans.

    >>> parse_marked("{S:In Monday's call}, {B:you cut Ana off}.")
    ("In Monday's call, you cut Ana off.", [{'label': 'situation', 'start': 0, 'end': 16}, {'label': 'behavior', 'start': 18, 'end': 33}])
    """
    out: list[str] = []
    spans: list[dict] = []
    stack: list[tuple[str, int]] = []
    i, pos = 0, 0
    while i < len(marked):
        ch = marked[i]
        if ch == "{" and i + 2 < len(marked) and marked[i + 2] == ":" and marked[i + 1] in TAGS:
            tag = marked[i + 1]
            if stack and (tag != "J" or stack[-1][0] == "J"):
                raise MentorkitError(f"{where}: span {{{tag}: opened inside {{{stack[-1][0]}: (only J may nest)")
            stack.append((tag, pos))
            i += 3
            continue
        if ch == "}":
            if not stack:
                raise MentorkitError(f"{where}: '}}' at character {i} closes nothing")
            tag, start = stack.pop()
            s, e = hug(out, start, pos)
            if e == s:
                raise MentorkitError(f"{where}: empty {{{tag}:}} span")
            spans.append({"label": TAGS[tag], "start": s, "end": e})
            i += 1
            continue
        if ch == "{":
            raise MentorkitError(f"{where}: '{{' at character {i} is not followed by S:, B:, I: or J:")
        out.append(ch)
        pos += 1
        i += 1
    if stack:
        raise MentorkitError(f"{where}: span {{{stack[-1][0]}: is never closed")
    spans.sort(key=lambda s: (s["start"], s["end"]))
    return "".join(out), spans


def _split_for(text: str) -> str:
    h = int(hashlib.sha256(text.strip().lower().encode("utf-8")).hexdigest()[:8], 16)
    return "test" if (h % 1000) < TEST_FRACTION * 1000 else "train"


def read_source(path: Path) -> list[Statement]:
    """The statements of one source file; a bad row raises an error naming file, line and field."""
    rows: list[Statement] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        where = f"{path.name}:{lineno}"
        fields = raw.split("\t")
        if len(fields) not in (5, 6):
            raise MentorkitError(f"{where}: expected 5 tab-separated fields (setting, style, polarity, person, "
                                 f"marked text) or 6 (with variety), found {len(fields)}")
        setting, style, polarity, person, marked = (f.strip() for f in fields[:5])
        variety = fields[5].strip() if len(fields) == 6 else "unspecified"
        if not _SETTING_RE.match(setting):
            raise MentorkitError(f"{where}: field 1 (setting) {setting!r} is not a lower-case word or "
                                 "snake_case phrase")
        for col, name, value, allowed in ((2, "style", style, STYLES), (3, "polarity", polarity, POLARITIES),
                                          (4, "person", person, PERSONS)):
            if value not in allowed:
                raise MentorkitError(f"{where}: field {col} ({name}) {value!r} is not one of {sorted(allowed)}")
        if len(fields) == 6 and variety not in VARIETIES:
            raise MentorkitError(f"{where}: field 6 (variety) {variety!r} is not one of {sorted(VARIETIES)}")
        text, spans = parse_marked(marked, where + " field 5 (marked text)")
        labels = {p: any(s["label"] == p for s in spans) for p in PARTS}
        rows.append(Statement(id=f"{path.stem}-{lineno:04d}", text=text, setting=setting, style=style,
                              polarity=polarity, person=person, split=_split_for(text), variety=variety,
                              spans=spans, **labels))
    return rows


def build(src_dir: Path, out_path: Path | None = None) -> list[Statement]:
    """Parse every ``*.tsv`` under *src_dir*; write ``corpus.jsonl`` when *out_path* is given."""
    rows: list[Statement] = []
    seen: dict[str, str] = {}
    for path in sorted(Path(src_dir).glob("*.tsv")):
        for st in read_source(path):
            key = " ".join(st.text.lower().split())
            if key in seen:
                raise MentorkitError(f"{st.id}: duplicate of {seen[key]}: {st.text!r}")
            seen[key] = st.id
            rows.append(st)
    if out_path is not None:
        with open(out_path, "w", encoding="utf-8") as fh:
            for st in rows:
                fh.write(json.dumps(st.to_dict(), ensure_ascii=False) + "\n")
    return rows


def summary(rows: list[Statement]) -> dict:
    """Counts per label, per S/B/I combination, per setting and style, per split."""
    from collections import Counter
    combos = Counter("".join(p[0].upper() if getattr(r, p) else "-" for p in ("situation", "behavior", "impact")) for r in rows)
    return {
        "n": len(rows),
        "labels": {p: sum(getattr(r, p) for r in rows) for p in PARTS},
        "combos": dict(sorted(combos.items())),
        "settings": dict(Counter(r.setting for r in rows).most_common()),
        "styles": dict(Counter(r.style for r in rows).most_common()),
        "polarity": dict(Counter(r.polarity for r in rows).most_common()),
        "person": dict(Counter(r.person for r in rows).most_common()),
        "variety": dict(Counter(r.variety for r in rows).most_common()),
        "split": dict(Counter(r.split for r in rows).most_common()),
        "sentences_hint": dict(Counter(min(5, max(1, sum(r.text.count(c) for c in ".!?"))) for r in rows)),
    }


if __name__ == "__main__":  # pragma: no cover - a developer's check while writing the corpus
    import sys
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "datasets/sbi/src")
    print(json.dumps(summary(build(src)), indent=1))
