"""The program data model: table specifications and pandera schemas.

Eight tables, one row per thing, joined by ids. Seven are required
(``participants, pairs, sessions, goals, messages, surveys, outcomes``);
``comments`` (free-text survey comments) is optional. Each table is described
once, as a :class:`TableSpec`; the loader validates raw files against these
specs, and :func:`schema_for` turns a spec into a pandera ``DataFrameSchema``
that the *loaded* (normalised) frames satisfy.

Column kinds and the dtype each has after loading:

============  =====================  ===========================================
kind          dtype after loading    accepted in files
============  =====================  ===========================================
``id``        ``object`` (str)       any text; surrounding spaces are removed
``text``      ``object`` (str)       any text; surrounding spaces are removed
``category``  ``object`` (str)       one of the allowed values; case and the
                                     choice of space, ``_`` or ``-`` do not matter
``timezone``  ``object`` (str)       an IANA name such as ``Europe/Berlin``
``number``    ``float64``            a decimal number (``.`` as the point)
``bool``      ``bool``               true/false, yes/no, y/n, t/f, 1/0
``date``      ``datetime64[ns]``     ISO 8601 (``2024-03-01``) or the mapping's
                                     ``date_format``
``datetime``  ``datetime64[ns]``     ISO 8601 with time; offsets are converted
                                     to UTC and dropped (all times are UTC)
============  =====================  ===========================================

Survey items: confidence items are named ``conf_<skill>`` and scored 1-10;
the mentoring-functions scale has three subscales of three items each,
``career_1..3`` (career support), ``psychosocial_1..3`` (psychosocial
support) and ``rolemodel_1..3`` (role modelling), scored 1-7 (1 = strongly
disagree, 7 = strongly agree). Other items are accepted; their range can be
declared in a mapping file (``item_ranges``). In simulated data, mentees answer
the confidence items at pre, mid, post and 90-day and the functions scale at
mid and post; the comparison group answers the confidence items at pre and
post only.

Time to exit: ``outcomes`` carries ``index_date`` (start of follow-up: the
cohort start) and ``followup_end`` (24 months later). Duration runs from
``index_date`` to ``exit_date`` for an exit within the follow-up, else to
``followup_end`` (censored); see ``ProgramData.time_to_exit()``.

Example
-------
>>> from mentorkit.program.schema import TABLES, item_range
>>> TABLES["pairs"].key
('pair_id',)
>>> item_range("conf_networking"), item_range("career_2")
((1.0, 10.0), (1.0, 7.0))
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Protocol, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "Column", "RowRule", "RowValues", "TableSpec", "TABLES", "TABLE_ORDER", "REQUIRED_TABLES",
    "ROLES", "MODELS", "CADENCES", "CADENCE_DAYS", "GOAL_STATUSES", "WAVES", "CHANNELS",
    "SENDERS", "SPONSORSHIP_KINDS", "SPONSORSHIP_OUTCOMES", "SKILLS", "CONFIDENCE_ITEMS", "FUNCTION_SUBSCALES",
    "FUNCTION_ITEMS",
    "ITEM_RANGES", "DATE_RANGE", "item_range", "item_ranges", "schema_for", "schemas",
]

# ------------------------------------------------------------------ vocabularies

ROLES = ("mentor", "mentee", "comparison")
MODELS = ("one-to-one", "group", "peer", "reverse", "async")
CADENCES = ("weekly", "biweekly", "monthly")
#: days between planned check-ins; "monthly" means every four weeks
CADENCE_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 28}
GOAL_STATUSES = ("on track", "behind", "blocked")
WAVES = ("pre", "mid", "post", "90-day")
CHANNELS = ("video", "phone", "in person", "chat")
SENDERS = ("mentor", "mentee")
#: kinds of sponsorship a programme documents, and what became of an opportunity
SPONSORSHIP_KINDS = ("stretch assignment", "introduction", "promotion nomination")
SPONSORSHIP_OUTCOMES = ("accepted", "declined", "pending")

SKILLS = ("giving_feedback", "goal_setting", "networking", "presenting", "career_planning")
CONFIDENCE_ITEMS = tuple(f"conf_{s}" for s in SKILLS)
FUNCTION_SUBSCALES = {
    "career": ("career_1", "career_2", "career_3"),
    "psychosocial": ("psychosocial_1", "psychosocial_2", "psychosocial_3"),
    "rolemodel": ("rolemodel_1", "rolemodel_2", "rolemodel_3"),
}
FUNCTION_ITEMS = tuple(i for items in FUNCTION_SUBSCALES.values() for i in items)

#: item-name patterns (fnmatch) and their inclusive score range; first match wins
ITEM_RANGES: dict[str, tuple[float, float]] = {
    "conf_*": (1.0, 10.0),
    "career_*": (1.0, 7.0),
    "psychosocial_*": (1.0, 7.0),
    "rolemodel_*": (1.0, 7.0),
}

#: dates outside this window are rejected as impossible for program data
DATE_RANGE = (pd.Timestamp("1950-01-01"), pd.Timestamp("2100-12-31"))


# ----------------------------------------------------------------------- specs

KINDS = ("id", "text", "category", "timezone", "number", "bool", "date", "datetime")


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    name : str
        The column name in mentorkit's data model.
    kind : str
        One of ``id, text, category, timezone, number, bool, date, datetime``.
    required : bool
        The column must be present in the file (a missing required column
        rejects every row of the file unless the mapping gives a default).
    nullable : bool
        Cells may be empty.
    allowed : tuple of str, optional
        The values a ``category`` column may hold.
    min, max : float, optional
        Inclusive bounds of a ``number`` column.
    references : str, optional
        ``"table.column"`` this id must exist in (checked across tables).
    description : str
        What the column means, for data cards and docs.
    """

    name: str
    kind: str
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    references: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")


class RowValues(Protocol):
    """The columns of many rows, as a :class:`RowRule` reads them.

    The loader gives its parsed columns this shape and :func:`schema_for` a loaded frame, so a
    rule is written once and checked in both places.
    """

    #: extra survey-item score ranges (a mapping file's ``item_ranges``)
    item_ranges: Mapping[str, Iterable[float]] | None

    def __getitem__(self, name: str) -> np.ndarray:
        """The values of column *name*, one per row (NaT/NaN/None where empty)."""

    def blank(self, name: str) -> np.ndarray:
        """True where the cell of column *name* was left empty."""

    def coded(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Column *name* as ``(codes, uniques)``: per row an index into its distinct values."""


@dataclass(frozen=True)
class RowRule:
    """A rule across the columns of one row, stated once on a :class:`TableSpec`.

    Parameters
    ----------
    column : str
        The column a row that breaks the rule is reported under.
    needs : tuple of str
        The columns the rule reads; it is skipped when the data lack one of them.
    broken : callable
        ``broken(values: RowValues) -> bool array``: True for each row that breaks it.
    message : str or callable
        What is wrong, with ``{column}`` placeholders filled from the row's values, or
        ``message(values, rows, fmt) -> list of str`` for the given row indices (values
        shown with ``fmt``).

    Example
    -------
    >>> rule = TABLES["pairs"].row_rules[0]
    >>> rule.column, rule.needs
    ('end_date', ('end_date', 'start_date'))
    """

    column: str
    needs: tuple[str, ...]
    broken: Callable[[RowValues], np.ndarray]
    message: str | Callable[[RowValues, np.ndarray, Callable[[object], str]], Sequence[str]]

    def messages(self, values: RowValues, rows: np.ndarray, fmt: Callable[[object], str] = str) -> list[str]:
        """The message for each of *rows* (indices), values shown with *fmt*."""
        if callable(self.message):
            return list(self.message(values, rows, fmt))
        fields = [n for n in self.needs if "{" + n + "}" in self.message]
        if not fields:
            return [self.message] * len(rows)
        cols = {n: values[n] for n in fields}
        return [self.message.format(**{n: fmt(cols[n][i]) for n in fields}) for i in rows]


def not_before(later: str, earlier: str, message: str | None = None) -> RowRule:
    """The rule that date *later* is not before date *earlier* (both given).

    >>> not_before("end_date", "start_date").message
    'end_date {end_date} is before start_date {start_date}'
    """
    def broken(v: RowValues) -> np.ndarray:
        a, b = _dates(v[later]), _dates(v[earlier])
        return ~np.isnat(a) & ~np.isnat(b) & (a < b)
    return RowRule(later, (later, earlier), broken,
                   message or f"{later} {{{later}}} is before {earlier} {{{earlier}}}")


def _dates(values) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[ns]")


def _numbers(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _present(values) -> np.ndarray:
    return np.array([x is not None for x in values], dtype=bool)


def _item_bounds(v: RowValues) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = v.coded("item")
    lo_u, hi_u = item_ranges([("" if u is None else u) for u in uniques], v.item_ranges)
    lo_u, hi_u = np.append(lo_u, np.nan), np.append(hi_u, np.nan)   # code -1 (empty): no range
    return lo_u[codes], hi_u[codes]


def _value_out_of_range(v: RowValues) -> np.ndarray:
    lo, hi = _item_bounds(v)
    x = _numbers(v["value"])
    with np.errstate(invalid="ignore"):
        return ~np.isnan(lo) & ~np.isnan(x) & ((x < lo) | (x > hi))


def _value_range_messages(v: RowValues, rows: np.ndarray, fmt: Callable[[object], str]) -> list[str]:
    lo, hi = _item_bounds(v)
    x, items = _numbers(v["value"]), v["item"]
    return [f"value {fmt(x[i])} is out of range {fmt(lo[i])}-{fmt(hi[i])} for item {items[i]}" for i in rows]


def _exit_after_followup(v: RowValues) -> np.ndarray:
    a, b = _dates(v["exit_date"]), _dates(v["followup_end"])
    return ~np.isnat(a) & ~np.isnat(b) & (a > b)


@dataclass(frozen=True)
class TableSpec:
    """A table of the data model: its columns, key, rules across columns and whether it is required.

    ``key`` lists the columns that identify a row; a second row with the same
    key is rejected as a duplicate (the first one loads). ``row_rules`` are the
    checks that read more than one column of a row (:class:`RowRule`); the loader
    quarantines a row that breaks one, and :func:`schema_for` checks them again on
    loaded frames.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    description: str = ""
    row_rules: tuple[RowRule, ...] = ()
    _by_name: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({c.name: c for c in self.columns})

    def column(self, name: str) -> Column:
        """The :class:`Column` called *name* (KeyError when unknown)."""
        return self._by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    @property
    def names(self) -> list[str]:
        """All column names, required first in spec order."""
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def optional_columns(self) -> list[str]:
        return [c.name for c in self.columns if not c.required]


C = Column
TABLES: dict[str, TableSpec] = {
    "participants": TableSpec(
        "participants",
        (
            C("participant_id", "id", description="pseudonymous person id"),
            C("role", "category", allowed=ROLES,
              description="mentor, mentee, or comparison (a non-mentored comparison-group member)"),
            C("cohort", "text", nullable=True, description="program cohort (comparison members: the cohort they are compared with)"),
            C("region", "text", nullable=True, description="work region"),
            C("timezone", "timezone", nullable=True, description="IANA time zone of the person's working hours"),
            C("department", "text", nullable=True),
            C("hire_date", "date"),
            C("exit_date", "date", nullable=True, description="date the person left the organisation; empty while employed"),
            C("mentored", "bool", description="received mentoring in the program"),
            C("tenure_years", "number", required=False, nullable=True, min=0, max=60,
              description="years of service at the index date"),
            C("prior_engagement", "number", required=False, nullable=True, min=-10, max=10,
              description="standardised engagement-survey score in the year before the program (mean 0, SD 1 in the workforce)"),
            C("capacity", "number", required=False, nullable=True, min=1, max=50,
              description="mentors: most mentees they take on at once (empty for group facilitators)"),
            C("index_date", "date", required=False, nullable=True,
              description="start of the person's follow-up: their cohort's start date"),
            C("gender", "text", required=False, nullable=True,
              description="self-described gender, for the equity lens (shown only for groups of the minimum size)"),
            C("ethnicity", "text", required=False, nullable=True,
              description="self-described ethnicity, for the equity lens (shown only for groups of the minimum size)"),
            C("level", "number", required=False, nullable=True, min=0, max=20,
              description="job level (higher is more senior); a mentor's level is the seniority a mentee gets"),
        ),
        key=("participant_id",),
        description="one row per person: mentors, mentees and the comparison group",
        row_rules=(
            not_before("exit_date", "hire_date"),
            RowRule("mentored", ("role", "mentored"),
                    lambda v: (v["role"] == "comparison") & (v["mentored"] == True),  # noqa: E712 - object array
                    "a comparison-group participant cannot be mentored"),
        ),
    ),
    "pairs": TableSpec(
        "pairs",
        (
            C("pair_id", "id"),
            C("mentor_id", "id", references="participants.participant_id"),
            C("mentee_id", "id", references="participants.participant_id"),
            C("model", "category", allowed=MODELS),
            C("cadence", "category", allowed=CADENCES, description="planned check-in cadence"),
            C("start_date", "date"),
            C("end_date", "date", nullable=True, description="planned or actual end; empty while ongoing"),
            C("group_id", "text", required=False, nullable=True,
              description="group model: the group this mentee belongs to (one row per mentee)"),
            C("planned_sessions", "number", required=False, nullable=True, min=0, max=500),
            C("overlap_hours", "number", required=False, nullable=True, min=0, max=24,
              description="overlap of the two people's 09:00-17:00 working hours, in hours"),
        ),
        key=("pair_id",),
        description="one row per mentor-mentee link; a group is one row per member",
        row_rules=(
            not_before("end_date", "start_date"),
            RowRule("mentee_id", ("mentor_id", "mentee_id"),
                    lambda v: (v["mentor_id"] == v["mentee_id"]) & _present(v["mentor_id"]),
                    "mentor and mentee are the same person"),
        ),
    ),
    "sessions": TableSpec(
        "sessions",
        (
            C("pair_id", "id", references="pairs.pair_id"),
            C("date", "date"),
            C("attended", "bool"),
            C("duration_min", "number", nullable=True, min=0, max=480,
              description="minutes; empty or 0 when the session was missed"),
            C("channel", "category", nullable=True, allowed=CHANNELS),
        ),
        key=("pair_id", "date"),
        description="one row per planned check-in, attended or not",
        row_rules=(
            RowRule("duration_min", ("attended", "duration_min"),
                    lambda v: (v["attended"] == False) & (_numbers(v["duration_min"]) > 0),  # noqa: E712
                    "a missed session (attended is false) has a duration"),
        ),
    ),
    "goals": TableSpec(
        "goals",
        (
            C("pair_id", "id", references="pairs.pair_id"),
            C("goal", "text"),
            C("status", "category", allowed=GOAL_STATUSES),
            C("due_date", "date", nullable=True),
            C("done_date", "date", nullable=True, description="date the goal was met; empty while open"),
            C("as_of", "date", required=False, nullable=True,
              description="date of this status snapshot (one row per goal per check-in)"),
        ),
        key=("pair_id", "goal", "as_of"),
        description="goal status snapshots; a goal's status drifts between on track, behind and blocked",
    ),
    "messages": TableSpec(
        "messages",
        (
            C("pair_id", "id", references="pairs.pair_id"),
            C("sent_at", "datetime"),
            C("replied_at", "datetime", nullable=True, description="empty when never answered"),
            C("sender", "category", required=False, nullable=True, allowed=SENDERS),
        ),
        key=(),
        description="asynchronous messages within a pair, for response times (UTC)",
        row_rules=(not_before("replied_at", "sent_at"),),
    ),
    "surveys": TableSpec(
        "surveys",
        (
            C("participant_id", "id", references="participants.participant_id"),
            C("wave", "category", allowed=WAVES),
            C("item", "text"),
            C("value", "number"),
            C("responded_at", "date", required=False, nullable=True),
        ),
        key=("participant_id", "wave", "item"),
        description="one row per answer (long format)",
        row_rules=(RowRule("value", ("item", "value"), _value_out_of_range, _value_range_messages),),
    ),
    "outcomes": TableSpec(
        "outcomes",
        (
            C("participant_id", "id", references="participants.participant_id"),
            C("promoted", "bool", description="promoted within the follow-up"),
            C("salary_change_pct", "number", nullable=True, min=-100, max=500,
              description="salary change over the follow-up, percent"),
            C("exited", "bool", description="left the organisation within the follow-up"),
            C("exit_date", "date", nullable=True, description="required when exited is true"),
            C("index_date", "date", required=False, nullable=True, description="start of follow-up"),
            C("followup_end", "date", required=False, nullable=True,
              description="end of follow-up (index_date + 24 months); non-exits are censored here"),
        ),
        key=("participant_id",),
        description="24-month outcomes for mentees and the comparison group",
        row_rules=(
            RowRule("exit_date", ("exited", "exit_date"), lambda v: (v["exited"] == True) & v.blank("exit_date"),  # noqa: E712
                    "exited is true but exit_date is empty"),
            RowRule("exit_date", ("exited", "exit_date"),
                    lambda v: (v["exited"] == False) & ~np.isnat(_dates(v["exit_date"])),  # noqa: E712
                    "exit_date is given but exited is false"),
            not_before("exit_date", "index_date",
                       "exit_date {exit_date} is before the start of follow-up index_date {index_date}"),
            not_before("followup_end", "index_date"),
            RowRule("exit_date", ("exit_date", "followup_end"), _exit_after_followup,
                    "exit_date {exit_date} is after followup_end {followup_end}"),
        ),
    ),
    "comments": TableSpec(
        "comments",
        (
            C("participant_id", "id", references="participants.participant_id"),
            C("wave", "category", allowed=WAVES),
            C("text", "text"),
        ),
        key=(),
        required=False,
        description="free-text survey comments (may name people: redact before display)",
    ),
    "sponsorship": TableSpec(
        "sponsorship",
        (
            C("participant_id", "id", references="participants.participant_id",
              description="the person offered the opportunity"),
            C("sponsor_id", "id", nullable=True, references="participants.participant_id",
              description="who offered it (often the mentor); empty when not recorded"),
            C("date", "date"),
            C("kind", "category", allowed=SPONSORSHIP_KINDS),
            C("outcome", "category", nullable=True, allowed=SPONSORSHIP_OUTCOMES),
        ),
        key=(),
        required=False,
        description="sponsorship: stretch assignments, introductions and promotion nominations offered, by whom, "
                    "and what became of them",
    ),
}
del C

#: tables in dependency order: a table's references are loaded before it
TABLE_ORDER = ("participants", "pairs", "sessions", "goals", "messages", "surveys", "outcomes", "comments",
               "sponsorship")
REQUIRED_TABLES = tuple(t for t in TABLE_ORDER if TABLES[t].required)


# ---------------------------------------------------------------- item ranges

def item_range(item: str, extra: Mapping[str, Iterable[float]] | None = None) -> tuple[float, float] | None:
    """The inclusive score range of survey *item*, or None when unknown.

    *extra* maps more item patterns (``fnmatch`` style, e.g. ``"eng_*"``) to
    ``(low, high)``; they are tried before the built-in :data:`ITEM_RANGES`.

    >>> item_range("conf_presenting")
    (1.0, 10.0)
    >>> item_range("eng_1", {"eng_*": (1, 5)})
    (1.0, 5.0)
    >>> item_range("open_text") is None
    True
    """
    patterns = {**{k: tuple(v) for k, v in (extra or {}).items()}, **ITEM_RANGES}
    for pattern, (lo, hi) in patterns.items():
        if fnmatch.fnmatchcase(item, pattern):
            return float(lo), float(hi)
    return None


def item_ranges(items: Iterable[str], extra: Mapping[str, Iterable[float]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Low and high bounds for each of *items* (NaN where the item is unknown)."""
    items = list(items)
    lo = np.full(len(items), np.nan)
    hi = np.full(len(items), np.nan)
    for i, item in enumerate(items):
        r = item_range(str(item), extra)
        if r is not None:
            lo[i], hi[i] = r
    return lo, hi


# -------------------------------------------------------------- pandera schemas

def _pandera():
    """pandera, which only :func:`schema_for` needs (the loader checks rows itself, by the specs)."""
    try:
        import pandera.pandas as pa
    except ImportError:  # pragma: no cover - pandera < 0.24, or not installed
        try:
            import pandera as pa
        except ImportError:
            from mentorkit.errors import MentorkitError

            raise MentorkitError("schema_for needs pandera, which is not installed: "
                                 "pip install 'mentorkit[test]' (or pip install pandera)") from None
    return pa


def schema_for(table: str, extra_item_ranges: Mapping[str, Iterable[float]] | None = None):
    """The pandera ``DataFrameSchema`` a loaded *table* satisfies.

    The schema checks dtypes, nullability, allowed values, ranges, unique keys
    and the table's :attr:`~TableSpec.row_rules` (the same rules the loader applies,
    e.g. each survey item's score range). Extra columns are allowed. Cross-table
    references are checked by the loader, not here.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"participant_id": ["P1"], "wave": ["pre"], "text": ["fine"]})
    >>> schema_for("comments").validate(df).shape
    (1, 3)
    """
    pa = _pandera()
    spec = TABLES[table]
    cols = {}
    for c in spec.columns:
        checks = []
        if c.allowed:
            checks.append(pa.Check.isin(list(c.allowed)))
        if c.min is not None or c.max is not None:
            lo = -np.inf if c.min is None else c.min
            hi = np.inf if c.max is None else c.max
            checks.append(pa.Check.in_range(lo, hi))
        dtype = {"number": "float64", "bool": "bool", "date": "datetime64[ns]",
                 "datetime": "datetime64[ns]"}.get(c.kind, object)
        cols[c.name] = pa.Column(dtype, checks=checks, nullable=c.nullable, required=c.required)
    frame_checks = [pa.Check(_rule_check(rule, extra_item_ranges), error=_rule_label(rule))
                    for rule in spec.row_rules]
    key = [k for k in spec.key if k in spec.required_columns] or None
    if table == "goals":
        key = None  # the key includes the optional as_of column; checked by the loader
    return pa.DataFrameSchema(cols, checks=frame_checks, unique=key, strict=False, coerce=False,
                              name=table)


class _FrameValues:
    """A loaded frame seen as :class:`RowValues`."""

    def __init__(self, df: pd.DataFrame, item_ranges=None):
        self.df, self.item_ranges = df, item_ranges

    def __getitem__(self, name: str) -> np.ndarray:
        return self.df[name].to_numpy()

    def blank(self, name: str) -> np.ndarray:
        return self.df[name].isna().to_numpy()

    def coded(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        codes, uniques = pd.factorize(self.df[name], use_na_sentinel=True)
        return codes, np.asarray(uniques, dtype=object)


def _rule_check(rule: RowRule, extra_item_ranges):
    def holds(df: pd.DataFrame) -> pd.Series:
        if any(n not in df.columns for n in rule.needs):
            return pd.Series(True, index=df.index)
        with np.errstate(invalid="ignore"):
            return pd.Series(~np.asarray(rule.broken(_FrameValues(df, extra_item_ranges)), dtype=bool),
                             index=df.index)
    return holds


def _rule_label(rule: RowRule) -> str:
    text = rule.message if isinstance(rule.message, str) else f"{rule.column} breaks a rule of its row"
    return text.replace("{", "").replace("}", "")


def schemas(extra_item_ranges: Mapping[str, Iterable[float]] | None = None) -> dict:
    """``{table: DataFrameSchema}`` for every table."""
    return {t: schema_for(t, extra_item_ranges) for t in TABLE_ORDER}
