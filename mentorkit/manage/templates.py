"""Templates pairs use: the agreement, the async weekly update, the pre-call note, the call
recap and the monthly reflection, with the pair's details filled in.

The templates are Markdown files in ``mentorkit/manage/data/templates/`` with ``$name``
placeholders (:class:`string.Template`). Every value put in is escaped first, so a name or a
goal can never add Markdown formatting or HTML to the page; HTML is rendered from the
Markdown by markdown-it-py with raw HTML switched off. Blanks (``______``) are left for the
pair to fill in; a detail the program data does not hold is left blank the same way.

Examples
--------
>>> text = render("call_recap", {"pair": "R1", "mentee": "Ana <b>", "mentor": "Bo", "date": "2026-03-02"})
>>> text.splitlines()[0]
'# Recap of our call on 2026-03-02'
>>> "&lt;b&gt;" in render("call_recap", {"mentee": "Ana <b>"}, fmt="html")
True
"""
from __future__ import annotations

import html
import re
import string
from functools import lru_cache
from importlib import resources

import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.manage.hours import CADENCE_RULES

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["TEMPLATES", "render", "render_page", "pair_details", "escape_markdown", "BLANK"]

#: name -> title
TEMPLATES = {
    "agreement": "Mentoring agreement",
    "async_weekly_update": "Async weekly update",
    "pre_call_note": "Pre-call note",
    "call_recap": "Call recap",
    "monthly_reflection": "Monthly reflection",
}
BLANK = "______"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&])")
_MD_LEADING = re.compile(r"^(\s*)([#+\-=>])")
_MD_NUMBERED = re.compile(r"^(\s*\d+)([.)])")
_FIELDS = ("pair", "mentee", "mentor", "model", "start", "end", "date", "cadence", "call_length", "channels",
           "availability", "goals", "next_call")


def escape_markdown(text) -> str:
    """*text* with every Markdown special character backslash-escaped and line breaks flattened.

    >>> escape_markdown("*bold* <i>")
    '\\\\*bold\\\\* \\\\<i\\\\>'
    """
    flat = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    flat = _MD_LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), flat)
    return _MD_NUMBERED.sub(lambda m: m.group(1) + "\\" + m.group(2), flat)


def _value(v) -> str:
    if v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)) or v == "":
        return BLANK
    if isinstance(v, (list, tuple)):
        if not v:
            return f"- {BLANK}"
        return "\n".join(f"- {escape_markdown(x)}" for x in v)
    return escape_markdown(v)


@lru_cache(maxsize=None)
def _source(name: str) -> string.Template:
    if name not in TEMPLATES:
        raise MentorkitError(f"no template {name!r}; the templates are: {', '.join(TEMPLATES)}")
    text = resources.files("mentorkit.manage").joinpath("data", "templates", f"{name}.md").read_text("utf-8")
    return string.Template(text)


def render(name: str, details: dict | None = None, *, fmt: str = "markdown") -> str:
    """Template *name* filled with *details* (missing ones left blank), as Markdown or an HTML fragment."""
    details = details or {}
    values = {f: _value(details.get(f)) for f in _FIELDS}
    md = _source(name).safe_substitute(values)
    if fmt == "markdown":
        return md
    if fmt == "html":
        return _markdown_html(md)
    raise MentorkitError(f"template format must be 'markdown' or 'html', got {fmt!r}")


@lru_cache(maxsize=1)
def _md():
    from markdown_it import MarkdownIt
    return MarkdownIt("commonmark", {"html": False})


def _markdown_html(md: str) -> str:
    return _md().render(md)


def render_page(name: str, details: dict | None = None) -> str:
    """A standalone HTML page of template *name* (no scripts, nothing loaded from outside)."""
    body = render(name, details, fmt="html")
    title = html.escape(f"{TEMPLATES[name]}: {details.get('pair', '') if details else ''}".rstrip(": "))
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:46em;"
            "margin:2em auto;line-height:1.5;padding:0 1em}</style></head>"
            f"<body>{body}</body></html>")


def pair_details(data: ProgramData, pair_id: str, *, contacts: pd.DataFrame | None = None, names: bool = False,
                 pseudonym=None) -> dict:
    """What the templates need about one pair, from the program data (and the roster when allowed).

    Parameters
    ----------
    data : ProgramData
    pair_id : str
    contacts : DataFrame, optional
        Roster rows (:mod:`mentorkit.manage.roster`): working hours always, names only when
        *names* is true (a signed-in program manager, or the pair itself).
    names : bool
        Put the people's names in; otherwise they appear by id (*pseudonym* maps an id to the
        shown pseudonym, default the id itself).
    """
    pairs = data.pairs
    row = pairs[pairs["pair_id"] == str(pair_id)]
    if row.empty:
        raise MentorkitError(f"templates: pair {pair_id!r} is not in the program")
    r = row.iloc[0]
    show = pseudonym or (lambda x: x)
    who = {"mentor": show(r["mentor_id"]), "mentee": show(r["mentee_id"])}
    hours = {}
    if contacts is not None and len(contacts):
        c = contacts.set_index("participant_id")
        for role in ("mentor", "mentee"):
            pid = r[f"{role}_id"]
            if pid in c.index:
                if names:
                    who[role] = c.at[pid, "name"]
                wh = c.at[pid, "working_hours"] or "Mon-Fri 09:00-17:00"
                hours[role] = f"{who[role]}: {wh} ({c.at[pid, 'timezone']})"
    if not hours:
        tz = data.participants.set_index("participant_id")["timezone"]
        for role in ("mentor", "mentee"):
            pid = r[f"{role}_id"]
            if pid in tz.index:
                hours[role] = f"{who[role]}: working hours not in the roster ({tz[pid]})"
    goals = data.goals
    goal_list = list(dict.fromkeys(goals.loc[goals["pair_id"] == r["pair_id"], "goal"].astype(str)))
    sess = data.sessions
    channels = sorted(set(sess.loc[sess["pair_id"] == r["pair_id"], "channel"].dropna().astype(str)))
    cadence = str(r["cadence"])
    minutes = CADENCE_RULES.get(cadence, (None, 45))[1] or 45
    return {
        "pair": r["pair_id"], **who, "model": r["model"],
        "start": f"{r['start_date']:%Y-%m-%d}" if pd.notna(r["start_date"]) else None,
        "end": f"{r['end_date']:%Y-%m-%d}" if pd.notna(r["end_date"]) else None,
        "cadence": cadence, "call_length": f"{minutes} minutes",
        "channels": ", ".join(channels) if channels else None,
        "availability": list(hours.values()), "goals": goal_list,
    }
