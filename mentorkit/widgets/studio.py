"""The scenario studio: write or edit a practice scenario, see its problems as you type, play it, save it.

``dashboards/scenario_studio.ipynb`` shows :class:`ScenarioStudio`; ``exercises/your_scenarios.ipynb``
shows :func:`your_scenarios`. The widgets only lay out: the template, the check, the plays and
saving all come from :mod:`mentorkit.scenarios` (``template_text``, ``check_source``,
``play_replies``, ``library.save_scenario``). The editor's text is only ever *read* as YAML with
the safe reader (no tags, bounded aliases, 1 MB at most); nothing in it is executed.

While the author types, the check (every problem with its line, then the warnings) runs once
typing pauses for :attr:`ScenarioStudio.delay` seconds. *Play* opens the text in the same chat the
exercises use (never recorded); *Check the samples* plays the example replies and the sample
sets beside the saved file; *Save* writes ``NAME.yaml`` to the organisation's scenario folder and
is refused while the check finds problems. CSS classes (``mk-studio-*``) are stable for tests.

>>> studio = ScenarioStudio(delay=0)
>>> studio.problems_count
0
>>> studio.editor.value = studio.editor.value.replace("utc_offset: -5", "utc_offset: 99", 1)
>>> studio.problems_count, studio.report.errors[0].field
(1, 'persona.utc_offset')
"""
from __future__ import annotations

import html
import time

import ipywidgets as w

from mentorkit.errors import MentorkitError

__all__ = ["ScenarioStudio", "problems_html", "your_scenarios", "NEW"]

#: the picker's value for "start from the template"
NEW = "(new)"

_STYLE = """<style>
.mk-studio-editor textarea{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;
 line-height:1.4;white-space:pre;tab-size:2}
.mk-studio-problems{font-size:13px;max-height:560px;overflow-y:auto}
.mk-studio-problems li{margin-bottom:5px}
.mk-studio-problems .mk-line{display:inline-block;min-width:58px;color:#57606a}
.mk-studio-problems .mk-err{color:#b42318}.mk-studio-problems .mk-warn{color:#8a6100}
.mk-studio-ok{color:#1a7f37;font-weight:600}
.mk-studio-status .mk-error{color:#b42318;white-space:pre-wrap}.mk-studio-status .mk-note{color:#1a7f37}
</style>"""


def problems_html(report) -> str:
    """The check's problems as a list (errors first), each with its line; or that the text is clean."""
    e = html.escape
    errors = sorted(report.errors, key=lambda p: (p.file != report.where, p.line, p.field))
    if not errors and not report.warnings:
        return f"{_STYLE}<p class='mk-studio-ok'>No problems: this scenario loads and can be played.</p>"
    items = []
    for p in errors + sorted(report.warnings, key=lambda p: p.line):
        kind = "mk-err" if p.severity == "error" else "mk-warn"
        where = f"line {p.line}" if p.file == report.where else f"{str(p.file).replace(chr(92), '/').rsplit('/', 1)[-1]}:{p.line}"
        items.append(f"<li class='{kind}' data-line='{p.line}' data-field='{e(p.field)}'>"
                     f"<span class='mk-line'>{e(where)}</span> <b>{e(p.field)}</b>: {e(p.message)}</li>")
    head = (f"<b>{len(report.errors)} problem(s)</b>" if report.errors else "<b>No problems</b>") + (
        f", {len(report.warnings)} warning(s)" if report.warnings else "")
    return f"{_STYLE}<div>{head}<ul>{''.join(items)}</ul></div>"


class ScenarioStudio(w.VBox):
    """Pick a scenario or start from the template, edit, check as you type, play, save.

    Parameters
    ----------
    folder : str or Path, optional
        Where *Save* writes (default: the first folder of ``MENTORKIT_SCENARIOS``).
    delay : float
        Seconds typing must pause before the check runs (0: check on every change, synchronously).
    """

    def __init__(self, folder: str | None = None, delay: float = 0.4, **kwargs):
        self.folder = folder
        self.delay = float(delay)
        self.report = None
        self.check_seconds: float | None = None
        self._source_path: str | None = None
        self._pending = None
        self.picker = w.Dropdown(description="Scenario", layout=w.Layout(width="560px"))
        self.picker.add_class("mk-studio-picker")
        self.name = w.Text(value="our_scenario", description="Name", layout=w.Layout(width="300px"))
        self.name.add_class("mk-studio-name")
        self.family = w.Text(value="our_programme", description="Family", layout=w.Layout(width="300px"))
        self.family.add_class("mk-studio-family")
        self.start_button = w.Button(description="Start from the template", icon="file")
        self.start_button.add_class("mk-studio-start")
        self.editor = w.Textarea(layout=w.Layout(width="100%", height="560px"), continuous_update=True)
        self.editor.add_class("mk-studio-editor")
        self.problems = w.HTML()
        self.problems.add_class("mk-studio-problems")
        self.play_button = w.Button(description="Play", icon="comments")
        self.play_button.add_class("mk-studio-play")
        self.samples_button = w.Button(description="Check the samples", icon="check")
        self.samples_button.add_class("mk-studio-samples")
        self.save_button = w.Button(description="Save", button_style="primary", icon="save")
        self.save_button.add_class("mk-studio-save")
        self.status = w.HTML()
        self.status.add_class("mk-studio-status")
        self.player = w.VBox()
        self.player.add_class("mk-studio-player")
        self._refresh_picker()
        self.picker.observe(lambda ch: self.open_file(ch["new"]), names="value")
        self.start_button.on_click(lambda _b: self.start_from_template())
        self.editor.observe(lambda ch: self._edited(), names="value")
        self.play_button.on_click(lambda _b: self.play())
        self.samples_button.on_click(lambda _b: self.check_samples())
        self.save_button.on_click(lambda _b: self.save())
        left = w.VBox([self.editor], layout=w.Layout(width="60%"))
        right = w.VBox([self.problems], layout=w.Layout(width="40%", padding="0 0 0 12px"))
        super().__init__([w.HTML(_STYLE), self.picker, w.HBox([self.name, self.family, self.start_button]),
                          w.HBox([left, right]), w.HBox([self.play_button, self.samples_button, self.save_button]),
                          self.status, self.player], **kwargs)
        self.add_class("mk-studio")
        self.start_from_template()

    # ------------------------------------------------------------ loading
    def _refresh_picker(self, value: str = NEW) -> None:
        from mentorkit.scenarios.library import SHIPPED, library
        options = [("New scenario (from the template)", NEW)]
        folders = None if self.folder is None else [self.folder]
        for e in sorted(library(folders=folders).entries, key=lambda e: (e.source != SHIPPED, e.name)):
            tag = "shipped" if e.source == SHIPPED else ("yours" if e.ok else "yours, broken")
            options.append((f"{e.name} ({tag})", str(e.path)))
        self._opening = True
        try:
            self.picker.options = options
            self.picker.value = value if value in dict(options).values() else NEW
        finally:
            self._opening = False

    def open_file(self, value: str) -> None:
        """Load the file *value* (a path from the picker) into the editor; :data:`NEW` starts from the template."""
        if getattr(self, "_opening", False):
            return
        if value == NEW:
            self.start_from_template()
            return
        from mentorkit.scenarios.library import read_source
        try:
            text, shipped = read_source(value)
        except MentorkitError as exc:
            self.status.value = f"<p class='mk-error'>{html.escape(str(exc))}</p>"
            return
        self._source_path = None if shipped else value
        self._set_text(text)
        self.status.value = ("<p class='mk-note'>A shipped scenario: change its <code>name</code> to save your "
                             "own version.</p>" if shipped else "")

    def start_from_template(self) -> None:
        """Fill the editor with the commented template for the name and family typed above."""
        from mentorkit.scenarios.template import template_text
        try:
            text = template_text(self.name.value.strip(), self.family.value.strip())
        except MentorkitError as exc:
            self.status.value = f"<p class='mk-error'>{html.escape(str(exc))}</p>"
            return
        self._source_path = None
        self._set_text(text)
        self.status.value = ""

    def _set_text(self, text: str) -> None:
        self.player.children = ()
        self.editor.value = text
        self.check_now()

    # ------------------------------------------------------------ checking
    @property
    def problems_count(self) -> int:
        return len(self.report.errors) if self.report is not None else 0

    def _edited(self) -> None:
        if self.delay <= 0:
            self.check_now()
            return
        import asyncio
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.check_now()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(self.delay, self.check_now)

    def check_now(self) -> None:
        """Check the editor's text now (no sample plays) and show the problems beside it."""
        from mentorkit.scenarios.check import check_source
        self._pending = None
        t0 = time.perf_counter()
        self.report = check_source(self.editor.value, self._where(), play=False)
        self.problems.value = problems_html(self.report)
        self.check_seconds = time.perf_counter() - t0

    def _where(self) -> str:
        return self._source_path.name if self._source_path is not None else "<editor>"

    def _samples(self):
        """The sample file for the scenario as it would be saved (beside its file in the save folder)."""
        from mentorkit.scenarios.library import save_folder
        from mentorkit.scenarios.samples import samples_path
        if self.report is None or self.report.scenario is None:
            return None
        try:
            folder = self._source_path.parent if self._source_path is not None else save_folder(self.folder)
        except MentorkitError:
            return samples_path(self.report.scenario)
        path = samples_path(self.report.scenario, folder)
        return path if path.is_file() else samples_path(self.report.scenario)

    def check_samples(self) -> None:
        """The full check: also play the example replies and the sample sets, and show their scores."""
        from mentorkit.scenarios.check import check_source
        self.check_now()
        if self.report.errors:
            self.status.value = "<p class='mk-error'>Fix the problems first: the samples cannot be played.</p>"
            return
        report = check_source(self.editor.value, self._where(), play=True, samples=self._samples())
        self.report = report
        self.problems.value = problems_html(report)
        lines = [ln for ln in report.lines() if "sample" in ln]
        verdict = "mk-note" if not report.errors else "mk-error"
        self.status.value = (f"<p class='{verdict}'>" + "<br>".join(html.escape(ln.split(": ", 1)[-1])
                                                                    for ln in lines) + "</p>")

    # ------------------------------------------------------------ playing and saving
    def play(self) -> None:
        """Open the editor's scenario in the exercises' chat (a preview: nothing is recorded)."""
        from mentorkit.widgets.practice import PracticeChat
        self.check_now()
        if self.report.scenario is None:
            self.status.value = "<p class='mk-error'>Fix the problems first: a broken scenario cannot be played.</p>"
            self.player.children = ()
            return
        self.status.value = ""
        self.player.children = (PracticeChat([self.report.scenario], record=False),)

    @property
    def chat(self):
        """The chat opened by :meth:`play` (None before)."""
        return self.player.children[0] if self.player.children else None

    def save(self) -> str | None:
        """Save to the organisation's folder; refused (with the reason) while the check finds problems."""
        from mentorkit.scenarios.library import save_scenario
        if self._pending is not None:
            self._pending.cancel()
        self.check_now()
        try:
            path = save_scenario(self.editor.value, self.folder, replaces=self._source_path)
        except MentorkitError as exc:
            self.status.value = f"<p class='mk-error'>{html.escape(str(exc))}</p>"
            return None
        self._source_path = path
        self._refresh_picker(str(path))
        self.status.value = (f"<p class='mk-note'>Saved as {html.escape(str(path))}. It is offered in "
                             f"<i>Your scenarios</i> and in its family's exercise.</p>")
        return path


def your_scenarios(**kwargs) -> w.Widget:
    """The exercise of the organisation's own scenarios: their chat, and any broken files named.

    With none (or no folder set), a message says how to add some.
    """
    from mentorkit.scenarios.library import ORGANISATION, library
    from mentorkit.widgets.practice import PracticeChat
    lib = library()
    notes = [f"<li>{html.escape(p)}</li>" for p in lib.problems]
    notes += [f"<li><b>{html.escape(e.name)}</b> is broken and cannot be played: {html.escape(e.problem or '')}</li>"
              for e in lib.broken() if e.source == ORGANISATION]
    header = w.HTML(f"<div class='mk-your-notes'><ul>{''.join(notes)}</ul></div>" if notes else "")
    header.add_class("mk-your-notes")
    ours = [e.name for e in lib.playable() if e.source == ORGANISATION]
    if not ours:
        where = ", ".join(str(f) for f in lib.folders) or "no folder (MENTORKIT_SCENARIOS is not set)"
        body = w.HTML(f"<p class='mk-your-empty'>Your organisation has no playable scenarios yet "
                      f"(looked in: {html.escape(where)}). Write one in the scenario studio, or with "
                      f"<code>mentorkit scenario new</code>.</p>")
        return w.VBox([header, body])
    return w.VBox([header, PracticeChat(ours, **kwargs)])
