"""The labelled data behind the skill detectors, read from ``datasets/``.

Two formats, both tab-separated UTF-8 text with ``#`` comment lines:

``datasets/listening/src/<setting>.tsv``
    ``label <TAB> kind <TAB> utterance`` -- one mentor utterance per line; *label*
    is one of :data:`~mentorkit.skills.base.LISTENING_LABELS`, *kind* is ``plain``
    or ``hard`` (a deliberately tricky case), the setting is the file name.

``datasets/skills/<skill>/*.tsv`` (``<skill>.tsv`` first, then further writers' files)
    ``style <TAB> marked text`` -- a short message with its components marked as
    ``{tag:...}`` spans (``{tag1+tag2:...}`` when one stretch carries two). The
    tags of each skill are in :data:`TAGS`. Labels come from the marks, so a
    label and its evidence cannot disagree. A literal ``\\n`` stands for a line
    break (chat messages and bullet lists).

The train/test split is fixed by a hash of the normalised text (20 % test), so
it never changes when rows are added or reordered. A line repeated word for word in a
later file (a short "Mm-hmm." written by two writers) is kept, with ``repeat_of`` naming the
first; both copies fall in the same split. A repeat with a different label, or a repeat
inside one file, is an error naming both lines.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.skills.base import COMPONENTS, LISTENING_LABELS

__all__ = [
    "TAGS", "STYLES", "TEST_FRACTION", "datasets_dir", "split_for", "parse_marked", "hug",
    "Utterance", "MarkedText", "read_listening", "read_skill", "listening_frame", "skill_frame",
    "sentence_labels", "data_hash", "skill_files", "set_aside", "ASIDE_FILE",
]

TEST_FRACTION = 0.2
KINDS = ("plain", "hard")
STYLES = ("spoken", "chat", "email")

#: mark tag -> component name, per sentence-level skill
TAGS: dict[str, dict[str, str]] = {
    "intent_tone": {"intent": "explicit_intent", "support": "supportive", "harsh": "harsh"},
    "four_step": {"obs": "observation", "intent": "intent", "persp": "perspective", "solve": "solve_together"},
    "agreement": {"goals": "goals", "expertise": "expertise", "cadence": "cadence", "channels": "channels",
                  "confid": "confidentiality", "length": "length", "success": "success_measures",
                  "conflict": "conflict_resolution"},
    "recap": {"take": "takeaways", "mentor": "mentor_next_steps", "mentee": "mentee_next_steps"},
    "boundaries": {"avail": "availability_window", "reply": "response_time"},
}
for _skill, _tags in TAGS.items():  # the catalogue and the marks must agree
    assert set(_tags.values()) == set(COMPONENTS[_skill]), _skill


def datasets_dir(root: str | Path | None = None) -> Path:
    """The ``datasets/`` folder: *root* when given, else the one beside the package (a source checkout)."""
    path = Path(root) if root is not None else Path(__file__).resolve().parents[2] / "datasets"
    if not path.is_dir():
        raise MentorkitError(f"{path}: datasets folder not found (the skill data ships with the source "
                             "checkout; pass the folder explicitly)")
    return path


def split_for(text: str) -> str:
    """``"test"`` for a fixed 20 % of texts (by a hash of the lower-cased, space-normalised text).

    >>> split_for("You're feeling stuck?") in ("train", "test")
    True
    """
    key = " ".join(text.lower().split())
    h = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16)
    return "test" if (h % 1000) < TEST_FRACTION * 1000 else "train"


def _read_lines(path: Path):
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MentorkitError(f"{path}: cannot read ({exc.strerror})") from None
    for lineno, line in enumerate(raw.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            raise MentorkitError(f"{path}:{lineno}: not valid UTF-8 (byte {exc.start + 1})") from None
        if text.strip() and not text.lstrip().startswith("#"):
            yield lineno, text


# ------------------------------------------------------------------ listening

@dataclass(frozen=True)
class Utterance:
    id: str
    setting: str
    kind: str
    label: str
    text: str
    split: str
    repeat_of: str = ""


def read_listening(root: str | Path | None = None, subset: str = "src") -> list[Utterance]:
    """Every labelled mentor utterance under ``datasets/listening/<subset>``.

    *subset* ``"src"`` is the training/test data; ``"transfer"`` holds the held-out sets of
    transcript-style turns, never trained on (their rows have split ``"transfer"``; a row that
    repeats a training line word for word has ``repeat_of`` ``"src:<id>"`` and is left out of
    held-out scores).

    >>> rows = read_listening()
    >>> sorted({r.label for r in rows}) == sorted(LISTENING_LABELS)
    True
    """
    if subset not in ("src", "transfer"):
        raise MentorkitError(f"unknown listening subset {subset!r}; choose 'src' or 'transfer'")
    src = datasets_dir(root) / "listening" / subset
    files = sorted(src.glob("*.tsv"))
    if not files:
        raise MentorkitError(f"{src}: no .tsv files")
    rows: list[Utterance] = []
    seen: dict[str, tuple[str, str, Path]] = {}
    # a held-out line that repeats a training line word for word is flagged, so scores can leave it out
    trained = {" ".join(r.text.lower().split()): r.id for r in read_listening(root, "src")} \
        if subset == "transfer" else {}
    for path in files:
        for lineno, line in _read_lines(path):
            where = f"{path}:{lineno}"
            fields = line.split("\t")
            if len(fields) != 3:
                raise MentorkitError(f"{where}: expected 3 tab-separated fields (label, kind, text), found {len(fields)}")
            label, kind, text = (f.strip() for f in fields)
            if label not in LISTENING_LABELS:
                raise MentorkitError(f"{where}: field 1 (label) {label!r} is not one of {list(LISTENING_LABELS)}")
            if kind not in KINDS:
                raise MentorkitError(f"{where}: field 2 (kind) {kind!r} is not one of {list(KINDS)}")
            if not text:
                raise MentorkitError(f"{where}: field 3 (utterance) is empty")
            uid = f"{path.stem}-{lineno:04d}"
            key = " ".join(text.lower().split())
            repeat_of = ""
            if key in seen:
                first_where, first_label, first_path = seen[key]
                if first_path == path or first_label != label:
                    why = "in the same file" if first_path == path else f"labelled {first_label!r} there"
                    raise MentorkitError(f"{where}: duplicate of {first_where} ({why})")
                repeat_of = first_where.rsplit("/", 1)[-1]
            else:
                seen[key] = (where, label, path)
            if not repeat_of and key in trained:
                repeat_of = "src:" + trained[key]
            split = split_for(text) if subset == "src" else "transfer"
            rows.append(Utterance(uid, path.stem, kind, label, text, split, repeat_of))
    return rows


def listening_frame(root: str | Path | None = None, split: str | None = None, subset: str = "src") -> pd.DataFrame:
    """The listening data as a tidy frame: id, setting, kind, label, text, split.

    >>> listening_frame(split="test").split.unique().tolist()
    ['test']
    """
    df = pd.DataFrame([r.__dict__ for r in read_listening(root, subset)],
                      columns=["id", "setting", "kind", "label", "text", "split", "repeat_of"])
    return df[df.split == split].reset_index(drop=True) if split else df


# ------------------------------------------------------------ marked skill texts

@dataclass
class MarkedText:
    id: str
    skill: str
    style: str
    text: str
    split: str
    spans: list[dict] = field(default_factory=list)
    source: str = ""
    repeat_of: str = ""

    @property
    def labels(self) -> dict[str, bool]:
        found = {s["label"] for s in self.spans}
        return {c: c in found for c in COMPONENTS[self.skill]}


def hug(chars: Sequence[str], start: int, end: int, punct: bool = False) -> tuple[int, int]:
    """*start* and *end* moved inward past white space (and punctuation too, with *punct*), so
    that a marked span hugs its words.

    >>> hug(" two words ", 0, 11)
    (1, 10)
    >>> hug("(two words.)", 0, 12, punct=True)
    (1, 10)
    """
    def loose(ch: str) -> bool:
        return ch.isspace() or punct and unicodedata.category(ch).startswith("P")
    while start < end and loose(chars[start]):
        start += 1
    while end > start and loose(chars[end - 1]):
        end -= 1
    return start, end


def parse_marked(marked: str, tags: dict[str, str], where: str = "<text>") -> tuple[str, list[dict]]:
    """Strip ``{tag:...}`` marks; return the plain text and its labelled spans.

    >>> parse_marked("Hi. {reply:I answer within a day.}", TAGS["boundaries"])
    ('Hi. I answer within a day.', [{'label': 'response_time', 'start': 4, 'end': 26}])
    """
    out: list[str] = []
    spans: list[dict] = []
    open_at: tuple[list[str], int] | None = None
    i = 0
    while i < len(marked):
        ch = marked[i]
        if ch == "{":
            colon = marked.find(":", i)
            names = marked[i + 1:colon].split("+") if colon > 0 else []
            if not names or any(n not in tags for n in names):
                raise MentorkitError(f"{where}: '{{' at character {i} is not followed by a known tag "
                                     f"({', '.join(sorted(tags))}) and ':'")
            if open_at is not None:
                raise MentorkitError(f"{where}: span opened at character {i} inside another span")
            open_at = (names, len(out))
            i = colon + 1
            continue
        if ch == "}":
            if open_at is None:
                raise MentorkitError(f"{where}: '}}' at character {i} closes nothing")
            names, start = open_at
            start, end = hug(out, start, len(out))
            if start == end:
                raise MentorkitError(f"{where}: empty span")
            spans.extend({"label": tags[n], "start": start, "end": end} for n in names)
            open_at = None
            i += 1
            continue
        out.append(ch)
        i += 1
    if open_at is not None:
        raise MentorkitError(f"{where}: span is never closed")
    spans.sort(key=lambda s: (s["start"], s["end"], s["label"]))
    return "".join(out), spans


def _span_cores(spans: list[dict], text: str) -> list[tuple[str, int, int]]:
    """Each span as ``(label, start, end)`` with punctuation and spaces at its edges left out, and
    spans of one label that only punctuation and spaces part joined: two writers who mark the same
    words agree, one with the closing full stop and one without, one as a single span and one split
    at a sentence end.

    >>> t = "Typical. Absolutely typical."
    >>> _span_cores([{"label": "harsh", "start": 0, "end": 8},
    ...              {"label": "harsh", "start": 9, "end": 28}], t)
    [('harsh', 0, 27)]
    """
    cores: list[tuple[str, int, int]] = []
    for label, start, end in sorted((sp["label"], *hug(text, sp["start"], sp["end"], punct=True))
                                    for sp in spans):
        if cores and cores[-1][0] == label and cores[-1][2] <= start \
                and hug(text, cores[-1][2], start, punct=True)[0] == start:
            cores[-1] = (label, cores[-1][1], max(end, cores[-1][2]))
        else:
            cores.append((label, start, end))
    return cores


def read_skill(skill: str, root: str | Path | None = None) -> list[MarkedText]:
    """Every marked text of *skill* (one of :data:`TAGS`).

    >>> rows = read_skill("boundaries")
    >>> all(r.text[s["start"]:s["end"]] for r in rows for s in r.spans)
    True
    """
    if skill not in TAGS:
        raise MentorkitError(f"no marked dataset for skill {skill!r}; choose one of {sorted(TAGS)}")
    rows: list[MarkedText] = []
    seen: dict[str, tuple[str, list, Path]] = {}
    aside = _aside_list(skill, root)
    found: set[tuple[str, int]] = set()
    for path in skill_files(skill, root):
        for lineno, line in _read_lines(path):
            where = f"{path}:{lineno}"
            if (path.name, lineno) in aside:
                found.add((path.name, lineno))
                continue
            fields = line.split("\t")
            if len(fields) != 2:
                raise MentorkitError(f"{where}: expected 2 tab-separated fields (style, marked text), "
                                     f"found {len(fields)}")
            style, marked = fields[0].strip(), fields[1].strip().replace("\\n", "\n")
            if style not in STYLES:
                raise MentorkitError(f"{where}: field 1 (style) {style!r} is not one of {list(STYLES)}")
            text, spans = parse_marked(marked, TAGS[skill], where + " field 2 (marked text)")
            key = " ".join(text.lower().split())
            repeat_of = ""
            if key in seen:
                first_where, first_spans, first_path = seen[key]
                if first_path == path or _span_cores(first_spans, text) != _span_cores(spans, text):
                    why = "in the same file" if first_path == path else "marked differently there"
                    raise MentorkitError(f"{where}: duplicate of {first_where} ({why})")
                repeat_of = first_where.rsplit("/", 1)[-1]
            else:
                seen[key] = (where, spans, path)
            uid = f"{skill}-{lineno:04d}" if path.stem == skill else f"{skill}-{path.stem}-{lineno:04d}"
            rows.append(MarkedText(uid, skill, style, text, split_for(text), spans, path.stem, repeat_of))
    missing = sorted(set(aside) - found)
    if missing:
        name, lineno = missing[0]
        raise MentorkitError(f"{_aside_path(skill, root)}: sets aside {name}:{lineno}, which is not a text line")
    return rows


ASIDE_FILE = "set_aside.txt"


def _aside_path(skill: str, root: str | Path | None = None) -> Path:
    return datasets_dir(root) / "skills" / skill / ASIDE_FILE


def _aside_list(skill: str, root: str | Path | None = None) -> dict[tuple[str, int], str]:
    """``(file name, line) -> why`` from the skill folder's ``set_aside.txt``: lines two writers
    marked differently for the same text (a labelling disagreement), kept in their files as
    delivered but read by neither training nor test. Each line is ``file:line <TAB> why``."""
    path = _aside_path(skill, root)
    if not path.exists():
        return {}
    out: dict[tuple[str, int], str] = {}
    for lineno, line in _read_lines(path):
        ref, _, why = line.partition("\t")
        name, _, num = ref.strip().rpartition(":")
        if not name or not num.isdigit() or not why.strip():
            raise MentorkitError(f"{path}:{lineno}: expected 'file.tsv:line<TAB>why', found {line!r}")
        out[(name, int(num))] = why.strip()
    return out


def set_aside(skill: str, root: str | Path | None = None) -> list[dict[str, str]]:
    """The lines of *skill*'s data kept out of training and test (see :func:`_aside_list`), each
    with its text as written and why, for the data card.

    >>> [r["where"] for r in set_aside("intent_tone")]
    ['writer_h.tsv:15', 'writer_r.tsv:52']
    """
    aside = _aside_list(skill, root)
    out = []
    for path in skill_files(skill, root):
        for lineno, line in _read_lines(path):
            if (path.name, lineno) in aside:
                out.append({"where": f"{path.name}:{lineno}", "line": line, "why": aside[(path.name, lineno)]})
    return out


def skill_files(skill: str, root: str | Path | None = None) -> list[Path]:
    """The source files of *skill*: ``<skill>.tsv`` first, then any other ``*.tsv`` beside it (sorted).

    >>> [p.name for p in skill_files("recap")]
    ['recap.tsv', 'writer_p.tsv']
    """
    folder = datasets_dir(root) / "skills" / skill
    main = folder / f"{skill}.tsv"
    if not main.exists():
        raise MentorkitError(f"{main}: dataset file not found")
    return [main] + sorted(p for p in folder.glob("*.tsv") if p != main)


def skill_frame(skill: str, root: str | Path | None = None, split: str | None = None) -> pd.DataFrame:
    """One row per marked text: id, style, text, split and a boolean column per component.

    >>> df = skill_frame("recap")
    >>> {"takeaways", "mentor_next_steps", "mentee_next_steps"} <= set(df.columns)
    True
    """
    rows = read_skill(skill, root)
    df = pd.DataFrame([{"id": r.id, "style": r.style, "source": r.source, "text": r.text, "split": r.split,
                        **r.labels} for r in rows],
                      columns=["id", "style", "source", "text", "split", *COMPONENTS[skill]])
    return df[df.split == split].reset_index(drop=True) if split else df


def sentence_labels(spans: list[dict], start: int, end: int, text: str) -> set[str]:
    """Labels of the marked *spans* that a sentence ``text[start:end]`` carries.

    A sentence carries a label when it holds at least half of the marked span or
    the marked span covers at least half of the sentence (whitespace trimmed).

    >>> sorted(sentence_labels([{"label": "goals", "start": 0, "end": 10}], 0, 12, "Grow as a PM."))
    ['goals']
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    out = set()
    for s in spans:
        overlap = min(end, s["end"]) - max(start, s["start"])
        if overlap > 0 and overlap >= 0.5 * min(end - start, s["end"] - s["start"]):
            out.add(s["label"])
    return out


def data_hash(root: str | Path | None = None, skill: str | None = None) -> str:
    """SHA-256 (first 16 hex digits) of the source files a model is trained from."""
    base = datasets_dir(root)
    files = (sorted((base / "listening" / "src").glob("*.tsv")) if skill in (None, "active_listening")
             else skill_files(skill, root))
    if skill not in (None, "active_listening") and _aside_path(skill, root).exists():
        files = [*files, _aside_path(skill, root)]  # what is set aside changes what is trained on
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes().replace(b"\r\n", b"\n"))
    return h.hexdigest()[:16]
