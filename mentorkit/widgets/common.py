"""Pieces every dashboard shares: where the data comes from, privacy guards, charts, exports.

The dashboards in ``dashboards/`` only build one widget class each; those classes
(:mod:`mentorkit.widgets.health`, :mod:`mentorkit.widgets.outcomes`,
:mod:`mentorkit.widgets.trainer`) are made of the parts here:

* **data sources**: none here. :func:`mentorkit.sources.dashboard_program` loads what
  ``MENTORKIT_DATA`` names (unset: the bundled ``program_sample``; a folder, a shipped dataset
  or a database URL), the resolver the command line and the report use too; problems come
  back as one line, shown by :func:`message_html`, never a traceback.
* **a base class**: :class:`Dashboard` holds what every dashboard does the same way (title,
  status line, minimum group size, loading the program or saying why not, a blank view).
* **privacy**: the numbers arrive already suppressed by the library
  (:func:`mentorkit.privacy.suppress`, the flag column ``suppressed``, no reason shown, so
  nobody can tell which hidden group is the small one); :func:`table_html` escapes every
  cell and shows a suppressed row as "hidden (small group)".
* **charts**: :class:`FigureView` shows a plotly figure through the plotly MIME renderer
  that ships with the ``jupyterlab-plotly`` extension (no CDN, works offline).
* **exports**: :func:`csv_bytes` writes exactly the frame shown (spreadsheet-safe),
  :func:`snapshot_html` writes a standalone HTML page of the current view (plotly.js
  inline once), and :func:`download_link` turns bytes into a link that downloads them.

Example
-------
>>> import pandas as pd
>>> from mentorkit.privacy import suppress
>>> t = suppress(pd.DataFrame({"region": ["Europe", "Asia-Pacific", "Africa"], "pairs": [40, 3, 12]}),
...              "pairs", min_size=5, reason=False)
>>> format_frame(t)["suppressed"].tolist()
['', 'hidden (small group)', 'hidden (small group)']
"""
from __future__ import annotations

import base64
import html
import io
import json
from typing import Iterable, Sequence

import ipywidgets as w
import numpy as np
import pandas as pd

from mentorkit.privacy import FLAG
from mentorkit.sources import (DataSource, error_line, is_database_url, program_from_database, program_or_problem,
                               resolve_source, safe_url)
from mentorkit.sources import dashboard_program as load_program

__all__ = [
    "DataSource", "resolve_source", "load_program", "program_from_database", "Dashboard", "html_view",
    "format_frame", "table_html", "message_html", "kpi_html", "notice_html",
    "csv_bytes", "download_link", "snapshot_html", "FigureView", "ExportBar", "STYLE", "ALL",
    "is_database_url", "safe_url", "FLAG",
]

#: the label of the "no filter" choice in every dropdown
ALL = "All"

#: CSS shared by the dashboards (classes start with ``mk-``)
STYLE = """<style>
.mk-dash{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328}
.mk-dash h2{font-size:1.35rem;margin:.2rem 0 .1rem 0}
.mk-dash h3{font-size:1.05rem;margin:.9rem 0 .3rem 0;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
.mk-sub{color:#57606a;font-size:.88rem;margin:0 0 .5rem 0}
.mk-kpis{display:flex;flex-wrap:wrap;gap:10px;margin:.4rem 0}
.mk-kpi{background:#f6f8fa;border:1px solid #d0d7de;border-radius:8px;padding:8px 12px;min-width:130px}
.mk-kpi b{display:block;font-size:1.45rem;line-height:1.2}
.mk-kpi span{font-size:.8rem;color:#57606a}
.mk-kpi small{display:block;font-size:.75rem;color:#57606a}
table.mk-table{border-collapse:collapse;font-size:.82rem;margin:.3rem 0}
table.mk-table th,table.mk-table td{border:1px solid #d0d7de;padding:3px 7px;text-align:right;vertical-align:top}
table.mk-table th{background:#f6f8fa}
table.mk-table td:first-child,table.mk-table th:first-child{text-align:left}
table.mk-table td.mk-text,table.mk-table th.mk-text{text-align:left;white-space:normal;max-width:34rem}
.mk-tablewrap{max-height:360px;overflow:auto}
.mk-message{border-radius:8px;padding:10px 14px;margin:.4rem 0}
.mk-message.mk-error-message{background:#ffebe9;border:1px solid #ff8182}
.mk-message.mk-info{background:#ddf4ff;border:1px solid #54aeff}
.mk-message.mk-warn{background:#fff8c5;border:1px solid #d4a72c}
.mk-caveat{background:#fff8c5;border-left:4px solid #d4a72c;padding:6px 12px;margin:.4rem 0;font-size:.88rem}
.mk-download{display:inline-block;margin:2px 8px 2px 0;padding:3px 10px;border:1px solid #0969da;
 border-radius:6px;color:#0969da;text-decoration:none;font-size:.85rem}
.mk-hidden-cell{color:#8c959f}
.mk-comment{border-left:3px solid #d0d7de;padding:3px 10px;margin:4px 0;white-space:pre-wrap}
</style>"""


# ------------------------------------------------------------------ data sources
# (resolved in mentorkit.sources, shared with the command line and the report)

def html_view(css_class: str, value: str = "") -> w.HTML:
    """An HTML widget carrying *css_class* (how the browser tests and the page's CSS find it)."""
    view = w.HTML(value)
    view.add_class(css_class)
    return view


def program_problem_html(why: str) -> str:
    """The page's message when the program data cannot be loaded, with what to set."""
    return message_html(why + ". Set MENTORKIT_DATA to a program folder or database URL, or unset it to see "
                        "the bundled sample.", "error", "The program data could not be loaded")

# ------------------------------------------------------------------------- HTML

def _fmt(v, kind: str) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT or v is pd.NA:
        return ""
    if kind == "pct":
        return f"{v:.0%}"
    if kind == "int":
        return f"{v:,.0f}"
    if kind == "money":
        return f"${v:,.0f}"
    if kind == "p":
        return "<0.001" if v < 0.001 else f"{v:.3f}"
    if kind == "date":
        return pd.Timestamp(v).strftime("%Y-%m-%d")
    if isinstance(v, (float, np.floating)):
        if np.isinf(v):
            return "not reached"
        return f"{v:,.2f}"
    return str(v)


def format_frame(df: pd.DataFrame, formats: dict[str, str] | None = None) -> pd.DataFrame:
    """Cells as display text: ``formats`` maps a column to ``pct``, ``int``, ``money``, ``p``, ``date``.

    Suppressed cells become empty text; the ``suppressed`` flag column, when present, is
    shown as ``hidden (small group)`` / ``""``.

    >>> format_frame(pd.DataFrame({"rate": [0.5, np.nan]}), {"rate": "pct"})["rate"].tolist()
    ['50%', '']
    """
    formats = formats or {}
    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        if c == FLAG:
            out[c] = np.where(df[c].astype(bool), "hidden (small group)", "")
            continue
        kind = formats.get(c, "date" if pd.api.types.is_datetime64_any_dtype(df[c]) else "")
        out[c] = [_fmt(v, kind) for v in df[c]]
    return out


def table_html(df: pd.DataFrame, formats: dict[str, str] | None = None, *, labels: dict[str, str] | None = None,
               css_class: str = "", text_cols: Iterable[str] = (), max_rows: int | None = None) -> str:
    """An escaped HTML table of *df* (every cell and header through :func:`html.escape`).

    >>> "&lt;script&gt;" in table_html(pd.DataFrame({"text": ["<script>x</script>"]}))
    True
    """
    shown = df if max_rows is None else df.head(max_rows)
    cells = format_frame(shown, formats)
    labels = labels or {}
    text_cols = set(text_cols) | {c for c in shown.columns
                                  if c != FLAG and not pd.api.types.is_numeric_dtype(shown[c])
                                  and not pd.api.types.is_datetime64_any_dtype(shown[c])}
    left = " class='mk-text'"
    head = "".join(f"<th{left if c in text_cols else ''}>{html.escape(str(labels.get(c, c)))}</th>"
                   for c in cells.columns)
    rows = []
    for _, r in cells.iterrows():
        tds = []
        for c in cells.columns:
            tds.append(f"<td{left if c in text_cols else ''}>{html.escape(str(r[c]))}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    more = ""
    if max_rows is not None and len(df) > max_rows:
        more = f"<p class='mk-sub'>Showing {max_rows} of {len(df)} rows; the CSV export holds all of them.</p>"
    cls = f"mk-table {css_class}".strip()
    return (f"<div class='mk-tablewrap'><table class='{html.escape(cls)}'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>{more}")


def message_html(text: str, kind: str = "error", title: str | None = None) -> str:
    """A message box for the page (``kind``: ``error``, ``info`` or ``warn``); the text is escaped.

    >>> "mk-error-message" in message_html("no such folder")
    True
    """
    cls = {"error": "mk-error-message", "info": "mk-info", "warn": "mk-warn"}[kind]
    head = f"<b>{html.escape(title)}</b><br>" if title else ""
    return f"<div class='mk-message {cls}'>{head}{html.escape(text)}</div>"


def notice_html(text: str) -> str:
    """A caveat box (escaped text)."""
    return f"<div class='mk-caveat'>{html.escape(text)}</div>"


def kpi_html(items: Sequence[tuple[str, str, str]]) -> str:
    """Key figures as cards: each item is ``(value, label, note)`` (all escaped).

    >>> kpi_html([("12", "active pairs", "")]).count("mk-kpi'")
    1
    """
    cards = []
    for value, label, note in items:
        n = f"<small>{html.escape(note)}</small>" if note else ""
        cards.append(f"<div class='mk-kpi'><b>{html.escape(value)}</b><span>{html.escape(label)}</span>{n}</div>")
    return f"<div class='mk-kpis'>{''.join(cards)}</div>"


# ---------------------------------------------------------------------- exports

def csv_bytes(df: pd.DataFrame) -> bytes:
    """*df* as spreadsheet-safe UTF-8 CSV (through :func:`mentorkit.privacy.to_csv_safe`).

    >>> csv_bytes(pd.DataFrame({"a": ["=1+1"]})).decode()
    "a\\n'=1+1\\n"
    """
    from mentorkit.privacy import to_csv_safe

    buf = io.BytesIO()
    to_csv_safe(df, buf)
    return buf.getvalue()


def download_link(payload: bytes, filename: str, label: str, *, mime: str = "text/csv",
                  css_class: str = "") -> str:
    """A link that downloads *payload* as *filename*, with the bytes inside the link (a ``data:`` URL).

    Nothing is written on the server and no script runs: the browser saves the bytes the
    link carries. (Scripts and ``on...`` attributes in widget HTML are stripped by the
    page's sanitiser anyway.)

    >>> link = download_link(b"a\\n1\\n", "x.csv", "CSV")
    >>> 'download="x.csv"' in link and "data:text/csv;base64," in link
    True
    """
    b64 = base64.b64encode(payload).decode("ascii")
    cls = html.escape(f"mk-download {css_class}".strip(), quote=True)
    return (f'<a class="{cls}" download="{html.escape(filename, quote=True)}" '
            f'href="data:{html.escape(mime, quote=True)};base64,{b64}">{html.escape(label)}</a>')


def snapshot_html(title: str, blocks: Sequence[tuple[str, object]], *, subtitle: str = "") -> str:
    """A standalone HTML page of a dashboard's current view.

    Parameters
    ----------
    title, subtitle : str
        Page heading and the line under it (filters, data source, as-of date).
    blocks : list of (heading, content)
        Content is a plotly figure, a DataFrame (escaped table), or a string of HTML the
        caller has already escaped. plotly.js is embedded once, so the file opens offline.

    Example
    -------
    >>> page = snapshot_html("Test", [("Table", pd.DataFrame({"a": [1]}))])
    >>> page.startswith("<!DOCTYPE html>") and "<td>1</td>" in page
    True
    """
    parts = []
    plotly_done = False
    for heading, content in blocks:
        parts.append(f"<h3>{html.escape(heading)}</h3>")
        if hasattr(content, "to_html") and hasattr(content, "to_plotly_json"):
            parts.append(content.to_html(full_html=False, include_plotlyjs=not plotly_done,
                                         config={"displaylogo": False}))
            plotly_done = True
        elif isinstance(content, pd.DataFrame):
            parts.append(table_html(content))
        else:
            parts.append(str(content))
    stamp = pd.Timestamp.now().strftime("%Y-%m-%d %H:%M")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title>{STYLE}</head><body class='mk-dash' "
            "style='max-width:1150px;margin:1.5rem auto'>"
            f"<h2>{html.escape(title)}</h2><p class='mk-sub'>{html.escape(subtitle)}</p>"
            f"{''.join(parts)}<p class='mk-sub'>Snapshot taken {stamp} with mentorkit. Groups smaller than "
            f"the minimum group size are hidden.</p></body></html>")


# ----------------------------------------------------------------------- charts

class FigureView(w.Output):
    """An output area showing one plotly figure through the offline plotly MIME renderer.

    :meth:`show` replaces the figure; :attr:`figure` keeps the one shown (for snapshots
    and exports). A view inside a closed :class:`Sections` tab keeps its figure and sends
    it to the page only when the tab is first opened (:meth:`reveal`): a viewer who never
    opens it never pays for drawing it, and a page whose first tab has no chart does not
    run plotly.js (about a second of a viewer's CPU) until a chart tab is opened.
    """

    def __init__(self, css_class: str, **kwargs):
        super().__init__(**kwargs)
        self.add_class("mk-chart")
        self.add_class(css_class)
        self.drawn = True  # False while its tab is closed (set by Sections)
        self._make = None  # makes the figure shown (see show)
        self._figure = None
        self._pending = False

    @property
    def figure(self):
        """The figure shown (made now if it was given as a function and not made yet), or None."""
        if self._figure is None and self._make is not None:
            self._figure = self._make()
        return self._figure

    def show(self, fig) -> None:
        """Show *fig* in place of the current one.

        *fig* is a ``plotly.graph_objects.Figure``, or a function of no arguments that makes
        one: then it is called only when the chart is drawn or :attr:`figure` is asked for,
        so a chart in a tab nobody opens costs nothing (not even importing plotly).

        The output is set directly on the widget's ``outputs`` (synced to the page like
        any widget state) rather than captured from ``display`` calls inside ``with self``:
        the capture path routes messages through the kernel's output hooks, and under
        load it left pages waiting for a cell that had finished.
        """
        self._make = fig if callable(fig) else (lambda: fig)
        self._figure = None
        self._pending = True
        if self.drawn:
            self._draw()

    def reveal(self) -> None:
        """Draw from now on (its tab is open); send the figure kept while it was closed."""
        self.drawn = True
        if self._pending:
            self._draw()

    def _draw(self) -> None:
        fig = self.figure
        self._pending = False
        spec = json.loads(fig.to_json())  # plain JSON types (numpy arrays and dates converted by plotly)
        spec["config"] = {"displaylogo": False, "responsive": True}
        bundle = {"application/vnd.plotly.v1+json": spec,
                  "text/plain": f"<chart: {fig.layout.title.text or 'figure'}>"}
        self.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)


def figure_views(widget) -> list[FigureView]:
    """Every :class:`FigureView` inside *widget* (itself included), depth first."""
    if isinstance(widget, FigureView):
        return [widget]
    found: list[FigureView] = []
    for child in getattr(widget, "children", ()):
        found.extend(figure_views(child))
    return found


class Sections(w.Tab):
    """A dashboard's sections as tabs; the charts of a tab are drawn when it is first opened.

    *sections* is ``[(title, widget), ...]``; the first tab is open.
    """

    def __init__(self, sections: Sequence[tuple[str, w.Widget]], css_class: str):
        super().__init__(children=[widget for _title, widget in sections],
                         titles=[title for title, _widget in sections], selected_index=0)
        self.add_class("mk-sections")
        self.add_class(css_class)
        for i, (_title, widget) in enumerate(sections):
            if i > 0:
                for view in figure_views(widget):
                    view.drawn = False
        self.observe(lambda _change: self._reveal_open_tab(), names="selected_index")

    def open_tab(self, title: str) -> None:
        """Open the tab called *title* (a :class:`KeyError` names the titles there are)."""
        if title not in self.titles:
            raise KeyError(f"no tab {title!r}; the tabs are {', '.join(self.titles)}")
        self.selected_index = list(self.titles).index(title)

    def _reveal_open_tab(self) -> None:
        i = self.selected_index
        if i is not None:
            for view in figure_views(self.children[i]):
                view.reveal()


class ExportBar(w.VBox):
    """The export row of a dashboard: CSV links for every table shown, and an HTML snapshot.

    *tables* is a callable returning ``{name: DataFrame}`` (exactly what is on screen);
    *snapshot* returns the snapshot page. CSV links are rebuilt by :meth:`refresh` after
    every change of view; the snapshot is built when its button is pressed.
    """

    def __init__(self, prefix: str, tables, snapshot):
        self.prefix = prefix
        self._tables = tables
        self._snapshot = snapshot
        self.csv_links = w.HTML()
        self.csv_links.add_class("mk-csv-links")
        self.snapshot_button = w.Button(description="Make HTML snapshot", tooltip="a standalone page of this view")
        self.snapshot_button.add_class("mk-snapshot-button")
        self.snapshot_link = w.HTML()
        self.snapshot_link.add_class("mk-snapshot-link")
        self.snapshot_button.on_click(lambda _b: self.make_snapshot())
        super().__init__([w.HTML("<h3>Export</h3>"), self.csv_links,
                          w.HBox([self.snapshot_button, self.snapshot_link])])
        self.add_class("mk-export")

    def refresh(self) -> None:
        """Rebuild the CSV links from the tables now shown; drop a stale snapshot link."""
        links = []
        for name, df in self._tables().items():
            if df is None:
                continue
            fname = f"{self.prefix}-{name.replace(' ', '-')}.csv"
            links.append(download_link(csv_bytes(df), fname, f"CSV: {name}",
                                       css_class=f"mk-csv-{name.replace(' ', '-')}"))
        self.csv_links.value = "".join(links) or "<i>Nothing to export for this selection.</i>"
        self.snapshot_link.value = ""

    def make_snapshot(self) -> str:
        """Build the snapshot of the current view and show its download link; return the page."""
        page = self._snapshot()
        stamp = pd.Timestamp.now().strftime("%Y%m%d-%H%M")
        size = len(page.encode("utf-8")) / 1e6
        self.snapshot_link.value = download_link(page.encode("utf-8"), f"{self.prefix}-snapshot-{stamp}.html",
                                                 f"Download the snapshot ({size:.1f} MB)", mime="text/html",
                                                 css_class="mk-snapshot-download")
        return page


# --------------------------------------------------------------------- the base

class Dashboard(w.VBox):
    """What every dashboard does the same way: the title and status line, the minimum group
    size, loading the program data (or saying on the page why not), and a blank view.

    A subclass sets :attr:`title` and :attr:`css_class`, calls :meth:`open_program` (or loads
    its own data), builds ``self.export`` and its sections, calls :meth:`lay_out`, and fills
    ``self._view`` with the tables on screen.

    Parameters (of the program dashboards)
    --------------------------------------
    data : ProgramData, optional
        The program; default loaded from *source*.
    source : str, optional
        A folder, shipped dataset or database URL; default ``MENTORKIT_DATA``, else the bundled sample.
    min_size : int, optional
        Smallest group shown (default ``MENTORKIT_MIN_GROUP``, 5).

    Attributes
    ----------
    error : str or None
        Why the data could not be shown (also on the page), else None.
    min_size : int
        Smallest group shown (``MENTORKIT_MIN_GROUP`` unless given).
    """

    title = ""
    css_class = ""

    def __init__(self, *, min_size: int | None = None, **kwargs):
        from mentorkit.privacy import min_group_size

        super().__init__(**kwargs)
        self.add_class("mk-dash")
        if self.css_class:
            self.add_class(self.css_class)
        self.min_size = min_group_size(min_size)
        self.error: str | None = None
        self.data = None
        self.header = w.HTML(STYLE + f"<h2>{html.escape(self.title)}</h2>")
        self.status = html_view("mk-status")
        self._view: dict = {}

    def lay_out(self, controls: w.Widget, sections: "Sections") -> None:
        """The page: title, status line, *controls* (the filters), the *sections* tabs, the export row."""
        self.sections = sections
        self.body = w.VBox([sections])
        self.children = [self.header, self.status, controls, self.body, self.export]

    def open_program(self, source: str | None, data=None) -> bool:
        """Load the program (*data* as given, else *source* or ``MENTORKIT_DATA``); on failure show why."""
        self.source = resolve_source(source)
        self.data, problem = program_or_problem(self.source, data)
        if problem:
            self.fail(program_problem_html(problem), problem)
            return False
        return True

    def fail(self, page: str, text: str) -> None:
        """Show only the title and *page* (escaped HTML saying what went wrong); keep *text* in :attr:`error`."""
        self.error = text
        self.status.value = page
        self.children = [self.header, self.status]

    def blank(self, message: str) -> None:
        """Show *message* instead of the figures (a selection too small or empty) and export nothing."""
        self._view = {}
        self.status.value = message
        self.body.layout.display = "none"
        self.export.refresh()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables on screen, exactly as shown (hidden cells empty): what the CSV links export."""
        return {name: self._view[name] for name in self.table_names if self._view.get(name) is not None}

    #: the names of the tables :meth:`tables` exports, in order
    table_names: tuple[str, ...] = ()
