"""What a program manager acts on, as a panel of the program-health dashboard.

The nudge outbox (with "nudged 3 days ago" for pairs in their quiet period), mentor load
beside it, pairs with little or no common working time and what to do about it, and the
templates a pair uses, one click from the pair. Everything comes from
:mod:`mentorkit.manage`; this module lays it out and is built only when its tab is opened.

People appear as the pseudonyms the program data carries; a signed-in program manager sees
names from the roster beside them in the outbox, mentor load and pairs (the rule is
:mod:`mentorkit.manage.access`; the kernel learns the user from the server). Sending is done
with ``mentorkit nudges --send``.
"""
from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from mentorkit.widgets.common import download_link, html_view, message_html, table_html

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["ManagerPanel", "outbox_rows", "overlap_rows", "nudged_ago", "links_html", "template_links",
           "LOW_OVERLAP_MINUTES"]

#: a pair whose tightest week of the next four has less common working time than this is listed
LOW_OVERLAP_MINUTES = 60
_RULES = {"no_session": "no recent session", "goal_blocked": "goal blocked",
          "unanswered_message": "message unanswered", "silent_mentee": "no async update"}
_LOAD_RULES = {"over_capacity": "over capacity", "outside_hours": "messages outside hours",
               "slow_replies": "replies past 48 h"}


def nudged_ago(days) -> str:
    """``"nudged today"``, ``"nudged 1 day ago"``, ``"nudged 3 days ago"``; ``""`` for never.

    >>> nudged_ago(3), nudged_ago(0), nudged_ago(float("nan"))
    ('nudged 3 days ago', 'nudged today', '')
    """
    if days is None or pd.isna(days):
        return ""
    d = int(days)
    return "nudged today" if d == 0 else f"nudged {d} day{'s' if d != 1 else ''} ago"


def outbox_rows(outbox, viewer=None, contacts=None) -> pd.DataFrame:
    """The outbox as shown: drafts waiting and nudges held back by the quiet period.

    People are pseudonyms, or "Name (pseudonym)" where :func:`mentorkit.manage.access.sees_names`
    lets *viewer* see names in the "nudges" view.
    """
    from mentorkit.manage.access import person_labels
    d = outbox.drafts
    slots = (d["slot_1"].str.slice(0, 16).str.replace("T", " ") + " / " +
             d["slot_2"].str.slice(0, 16).str.replace("T", " ")).where(d["slot_1"] != "", "")
    drafts = pd.DataFrame({
        "pair": d["pair_id"],
        "to": d["recipient_role"] + " " + person_labels(d["recipient_id"], viewer, "nudges", contacts), "reason": d["rule"].map(_RULES),
        "detail": d["reason"], "stage": d["stage"], "slots (UTC)": slots.str.replace(" / $", "", regex=True),
        "status": ("cannot send: " + d["problem"]).where(d["problem"] != "", "draft ready"),
    })
    h = outbox.held
    held = pd.DataFrame({"pair": h["pair_id"], "to": person_labels(h["recipient_id"], viewer, "nudges", contacts), "reason": h["rule"].map(_RULES),
                         "detail": "", "stage": "", "slots (UTC)": "",
                         "status": h["days_since_nudge"].map(nudged_ago)})
    return pd.concat([drafts, held], ignore_index=True)


def overlap_rows(plans, viewer=None, contacts=None) -> pd.DataFrame:
    """Pairs whose tightest week has under :data:`LOW_OVERLAP_MINUTES` of common time, and what to do."""
    from mentorkit.manage.access import person_labels
    rows = [{"pair": p.key, "people": " / ".join(person_labels([x.id for x in p.people], viewer, "pairs", contacts)),
             "tightest week (min)": p.min_weekly_overlap_minutes, "cadence": p.cadence, "what to do": p.why}
            for p in plans if p.min_weekly_overlap_minutes < LOW_OVERLAP_MINUTES]
    return pd.DataFrame(rows, columns=["pair", "people", "tightest week (min)", "cadence", "what to do"])


class ManagerPanel(w.VBox):
    """The outbox, mentor load, low-overlap pairs and templates for the health dashboard's selection.

    :meth:`set_view` gives it the data, the as-of date and the selected pairs; nothing is
    computed until :meth:`reveal` (the dashboard calls it when the tab is opened).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_class("mk-manage")
        self._ctx: tuple | None = None
        self.drawn = False
        self.tables: dict[str, pd.DataFrame] = {}
        self.note = w.HTML()
        self.outbox_html = html_view("mk-manage-outbox")
        self.load_html = html_view("mk-manage-load")
        self.overlap_html = html_view("mk-manage-overlap")
        self.pair_pick = w.Dropdown(description="Pair", layout=w.Layout(width="320px"))
        self.pair_pick.add_class("mk-manage-pair")
        self.template_links = html_view("mk-manage-templates")
        self.pair_pick.observe(lambda _c: self._templates(), names="value")
        self.children = [w.HTML("<p class='mk-sub'>Opening this tab drafts the nudges…</p>")]

    def set_view(self, data: ProgramData, as_of: pd.Timestamp, selection) -> None:
        """The program, the as-of date and the filtered program (its pairs are the ones listed)."""
        self._ctx = (data, pd.Timestamp(as_of), selection)
        if self.drawn:
            self.draw()

    def reveal(self) -> None:
        if not self.drawn and self._ctx is not None:
            self.draw()

    def draw(self) -> None:
        from mentorkit import config
        from mentorkit.errors import MentorkitError
        from mentorkit.manage.load import mentor_load
        from mentorkit.manage.outbox import draft_nudges
        from mentorkit.manage.planner import plans_for_pairs
        from mentorkit.manage.access import current_viewer, person_labels, sees_names
        from mentorkit.manage.roster import RosterStore

        data, as_of, sel = self._ctx
        viewer = current_viewer()  # from the environment the server started this kernel with
        self.drawn = True
        try:
            store = RosterStore()
            contacts = store.contacts()
        except MentorkitError as exc:
            store, contacts = None, None
            self.note.value = message_html(f"The roster could not be opened, so no message can be addressed: {exc}",
                                           "warn")
        else:
            who = (f"Signed in as {html.escape(viewer.label)}: names from the roster beside the pseudonyms."
                   if sees_names(viewer, "nudges") else
                   "People appear as pseudonyms. Names are for a signed-in program manager.")
            self.note.value = (
                f"<p class='mk-sub'><span class='mk-manage-viewer'>{who}</span> "
                "Send the drafts with <code>mentorkit nudges SOURCE --send</code>. "
                f"Roster: {len(contacts)} contact(s). A pair nudged in the last "
                f"{config.get('nudge_quiet_days')} day(s) is held back.</p>")
        ob = draft_nudges(sel, store if store is not None else None, as_of=as_of)
        shown = outbox_rows(ob, viewer, contacts)
        self.tables["outbox"] = shown
        if shown.empty:
            self.outbox_html.value = message_html(f"No pair needs a nudge as of {as_of:%d %b %Y}.", "info")
        else:
            self.outbox_html.value = (f"<p class='mk-sub'>{len(ob)} draft(s) ready, {len(ob.held)} held back.</p>"
                                      + table_html(shown, text_cols=["detail", "status"], max_rows=200))
        load = mentor_load(sel, contacts, as_of=as_of)
        load_shown = pd.DataFrame({"mentor": person_labels(load["mentor_id"], viewer, "mentor_load", contacts),
                                   "pair": load["pair_id"],
                                   "flag": load["rule"].map(_LOAD_RULES), "detail": load["detail"]})
        self.tables["mentor load"] = load_shown
        self.load_html.value = (message_html("No mentor is over capacity, messaging outside hours or slow to reply.",
                                             "info") if load_shown.empty else
                                table_html(load_shown, text_cols=["detail"], max_rows=200))
        active = sel.pairs[(sel.pairs["start_date"] <= as_of)
                           & (sel.pairs["end_date"].isna() | (sel.pairs["end_date"] >= as_of))]
        window = active.assign(start_date=as_of, end_date=as_of + pd.Timedelta(days=27))
        plans = plans_for_pairs(_with_pairs(sel, window), contacts, agenda="")
        low = overlap_rows(plans, viewer, contacts)
        self.tables["little overlap"] = low
        self.overlap_html.value = (
            f"<p class='mk-sub'>Active pairs whose tightest week of the next four has under "
            f"{LOW_OVERLAP_MINUTES} minutes of common working time ({len(low)} of {len(plans)}).</p>"
            + (table_html(low, {"tightest week (min)": "int"}, text_cols=["what to do"], max_rows=200)
               if len(low) else ""))
        flagged = list(dict.fromkeys(ob.drafts["pair_id"].tolist() + active["pair_id"].tolist()))
        self._sel, self._viewer, self._contacts = sel, viewer, contacts
        self.pair_pick.options = flagged
        self.pair_pick.value = flagged[0] if flagged else None
        self._templates()
        self.children = [self.note, w.HTML("<h3>Nudge outbox</h3>"), self.outbox_html,
                         w.HTML("<h3>Mentor load</h3>"), self.load_html,
                         w.HTML("<h3>Little or no overlap of working hours</h3>"), self.overlap_html,
                         w.HTML("<h3>Templates for a pair</h3>"), w.HBox([self.pair_pick]), self.template_links]

    def _templates(self) -> None:
        from mentorkit.manage.access import sees_names
        from mentorkit.manage.templates import pair_details
        pid = self.pair_pick.value
        if not pid:
            self.template_links.value = ""
            return
        self.template_links.value = links_html(None, pair_details(self._sel, pid, contacts=self._contacts,
                                                               names=sees_names(self._viewer, "pairs")), prefix=f"{pid}-")


def links_html(names=None, details: dict | None = None, *, prefix: str = "") -> str:
    """Download links (HTML and Markdown) for templates *names* (default all), filled with *details*."""
    from mentorkit.manage.templates import TEMPLATES, render, render_page
    items = []
    for name in names or list(TEMPLATES):
        items.append(f"<li>{html.escape(TEMPLATES[name])}: "
                     + download_link(render_page(name, details).encode("utf-8"), f"{prefix}{name}.html", "HTML",
                                     mime="text/html")
                     + " · " + download_link(render(name, details).encode("utf-8"), f"{prefix}{name}.md",
                                             "Markdown", mime="text/markdown") + "</li>")
    return f"<ul class='mk-template-list'>{''.join(items)}</ul>"


def template_links(names=None) -> w.HTML:
    """The templates pairs use, blank, as download links: for the practice exercises.

    >>> "agreement.md" in template_links(["agreement"]).value
    True
    """
    box = w.HTML(links_html(names))
    box.add_class("mk-template-links")
    return box


def _with_pairs(data: ProgramData, pairs: pd.DataFrame):
    import dataclasses
    if dataclasses.is_dataclass(data):
        return dataclasses.replace(data, pairs=pairs)
    import copy
    out = copy.copy(data)
    out.pairs = pairs
    return out
