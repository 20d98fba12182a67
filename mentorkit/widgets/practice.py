"""The practice chat: talk to a simulated mentee, get a debrief, see your progress.

The exercise notebooks in ``exercises/`` only build and display
:class:`PracticeChat`. Every piece of text shown (the mentee's messages and the
trainee's own) is HTML-escaped. CSS classes (``mk-practice-*``) are stable so
browser tests can find the parts.
"""
from __future__ import annotations

import html

import ipywidgets as w

from mentorkit.errors import MentorkitError
from mentorkit.widgets.common import html_view

__all__ = ["PracticeChat", "transcript_html", "brief_html"]

_STYLE = """<style>
.mk-chat{display:flex;flex-direction:column;gap:6px;max-height:460px;overflow-y:auto;padding:6px;
 background:#fafbfc;border:1px solid #e1e4e8;border-radius:8px}
.mk-bubble{max-width:78%;padding:7px 11px;border-radius:12px;white-space:pre-wrap;line-height:1.35}
.mk-bubble .mk-who{display:block;font-size:11px;color:#57606a;margin-bottom:2px}
.mk-mentee{align-self:flex-start;background:#eef1f5}
.mk-mentor{align-self:flex-end;background:#dbeafe}
.mk-mentor.mk-empty{background:#fff4e5;font-style:italic}
.mk-rating{padding:1px 7px;border-radius:9px;font-weight:600}
.mk-good{background:#dafbe1}.mk-fair{background:#fff8c5}.mk-poor{background:#ffebe9}
.mk-criteria td,.mk-criteria th{padding:3px 8px;vertical-align:top;text-align:left}
.mk-ev{font-size:12px;color:#57606a}
.mk-brief{background:#f6f8fa;padding:8px 12px;border-radius:6px}
</style>"""


def brief_html(scenario, preference: str | None = None) -> str:
    """The scenario card shown above the chat: context, who the mentee is, what is scored."""
    e = html.escape
    p = scenario.persona
    ahead = scenario.hours_ahead
    offset = ("the same time zone as you" if ahead == 0 else
              f"{abs(ahead):g} hours {'ahead of' if ahead > 0 else 'behind'} you")
    pref = {"direct": "direct and quick", "warm": "with context and warmth",
            "ask": "ask them"}[p.feedback_preference]
    from mentorkit.scenarios.debrief import describe_key
    skills = ", ".join(describe_key(s) for s in scenario.skills)
    return (f"<div class='mk-brief'><b>{e(scenario.title)}</b><p>{e(scenario.context)}</p>"
            f"<p><b>{e(p.name)}</b>: {e(p.role)}; {e(p.time_zone)}, {e(offset)}. "
            f"Feedback preference: {e(pref)}. Mood: {e(p.mood)}.<br>You are: {e(scenario.mentor_role)}. "
            f"Practised here: {e(skills)}.</p></div>")


def transcript_html(session) -> str:
    """The conversation as chat bubbles (escaped text, one bubble per transcript line)."""
    e = html.escape
    name = session.scenario.persona.name
    out = []
    for ln in session.lines:
        if ln.speaker == "mentee":
            cls, who = "mk-mentee", name
        else:
            cls, who = "mk-mentor" + (" mk-empty" if not ln.text else ""), "You"
        text = ln.text or "(no reply)"
        out.append(f"<div class='mk-bubble {cls}' data-line='{ln.line}'>"
                   f"<span class='mk-who'>{e(who)} &middot; line {ln.line}</span>{e(text)}</div>")
    return f"{_STYLE}<div class='mk-chat'>{''.join(out)}</div>"


class PracticeChat(w.VBox):
    """A chat-like practice UI for one or more scenarios.

    Parameters
    ----------
    scenarios : list of str, optional
        Scenario names to offer; default all of *family*, or every scenario.
    family : str, optional
        Offer the scenarios of this family (see :func:`mentorkit.scenarios.families`).
    seed : int
        Seed for the mentee's wording; each restart adds one so wording varies.
    log_url : str, optional
        The practice log (default: the ``practice_db`` setting). Attempts are
        recorded only when a trainee name is given and a salt is configured.

    Examples
    --------
    >>> chat = PracticeChat(["written_recap"])
    >>> chat.session.scenario.name
    'written_recap'
    """

    def __init__(self, scenarios: list[str] | str | None = None, family: str | None = None, seed: int = 0,
                 log_url: str | None = None, **kwargs):
        from mentorkit.scenarios import list_scenarios, load_scenario
        if isinstance(scenarios, str):
            scenarios = [scenarios]
        if scenarios is None:
            scenarios = list_scenarios(family=family)["name"].tolist()
        self._scenarios = {name: load_scenario(name) for name in scenarios}
        if not self._scenarios:
            raise MentorkitError("PracticeChat: no scenarios to offer")
        self.seed = int(seed)
        self.log_url = log_url
        self._history: dict[str, list[float]] = {}
        self.picker = w.Dropdown(options=[(s.title, n) for n, s in self._scenarios.items()],
                                 description="Scenario", layout=w.Layout(width="620px"))
        self.picker.add_class("mk-practice-picker")
        self.trainee = w.Text(placeholder="your name (stored only as a pseudonym)", description="Trainee",
                              layout=w.Layout(width="420px"))
        self.trainee.add_class("mk-practice-trainee")
        self.brief = html_view("mk-practice-brief")
        self.transcript = html_view("mk-practice-transcript")
        self.hint = html_view("mk-practice-hint")
        self.reply_box = w.Textarea(placeholder="Write your reply to the mentee here.",
                                    layout=w.Layout(width="100%", height="96px"))
        self.reply_box.add_class("mk-practice-reply")
        self.send_button = w.Button(description="Send", button_style="primary", icon="paper-plane")
        self.send_button.add_class("mk-practice-send")
        self.restart_button = w.Button(description="Start again")
        self.restart_button.add_class("mk-practice-restart")
        self.status = html_view("mk-practice-status")
        self.debrief_view = html_view("mk-practice-debrief")
        self.progress = html_view("mk-practice-progress")
        self.picker.observe(lambda change: self.restart(), names="value")
        self.send_button.on_click(lambda _b: self.send(self.reply_box.value))
        self.restart_button.on_click(lambda _b: self.restart(new_seed=True))
        controls = [self.picker] if len(self._scenarios) > 1 else []
        super().__init__(controls + [self.trainee, self.brief, self.transcript, self.hint, self.reply_box,
                                     w.HBox([self.send_button, self.restart_button]), self.status,
                                     self.debrief_view, self.progress], **kwargs)
        self.add_class("mk-practice")
        self.session = None
        self.restart()

    @property
    def scenario(self):
        return self._scenarios[self.picker.value]

    def restart(self, new_seed: bool = False) -> None:
        """Start the chosen scenario from its opening message."""
        from mentorkit.scenarios import Session
        if new_seed:
            self.seed += 1
        self.session = Session(self.scenario, seed=self.seed)
        self.brief.value = brief_html(self.scenario, self.session.preference)
        self.debrief_view.value = ""
        self.status.value = ""
        self.reply_box.value = ""
        self.reply_box.disabled = False
        self.send_button.disabled = False
        self._refresh()
        self._show_progress()

    def _refresh(self) -> None:
        self.transcript.value = transcript_html(self.session)
        focus = self.session.focus
        self.hint.value = (f"<i>Your move: {html.escape(focus)}</i>" if focus else
                           "<i>The conversation has ended. Read the debrief, or press Start again.</i>")

    def send(self, text: str) -> str | None:
        """Send *text* as the trainee's reply; return the mentee's answer (None if nothing was sent)."""
        if self.session.done:
            return None
        try:
            answer = self.session.reply(text)
        except MentorkitError as exc:
            self.status.value = f"<p class='mk-error'>{html.escape(str(exc))}</p>"
            return None
        self.reply_box.value = ""
        self._refresh()
        if self.session.done:
            self._finish()
        return answer

    def _finish(self) -> None:
        self.reply_box.disabled = True
        self.send_button.disabled = True
        debrief = self.session.debrief()
        self.debrief_view.value = debrief.to_html()
        name = self.scenario.name
        self._history.setdefault(name, []).append(debrief.score)
        recorded = self._record()
        self.status.value = f"<p class='mk-note'>{html.escape(recorded)}</p>"
        self._show_progress()

    def _record(self) -> str:
        trainee = self.trainee.value.strip()
        if not trainee:
            return "Not saved to the practice log: enter your name above to keep your attempts."
        from mentorkit.sources import record_attempt

        try:
            attempt_id = record_attempt(self.session.to_attempt(trainee), self.log_url)
        except MentorkitError as exc:
            return f"Not saved to the practice log: {exc}"
        return f"Saved to the practice log (attempt {attempt_id})."

    def _show_progress(self) -> None:
        name = self.scenario.name
        trainee = self.trainee.value.strip()
        row = None
        if trainee:
            from mentorkit.sources import attempt_progress

            try:
                row = attempt_progress(trainee, name, self.log_url)
            except MentorkitError:
                row = None
        if row is None and self._history.get(name):
            scores = self._history[name]
            row = (len(scores), scores[0], max(scores), scores[-1])
        if row is None:
            self.progress.value = "<i>No finished attempts at this scenario yet.</i>"
            return
        n, first, best, latest = row
        self.progress.value = (f"<div class='mk-practice-scores'>Attempts: {n} &middot; first <b>{first:.0f}</b> "
                               f"&middot; best <b>{best:.0f}</b> &middot; latest <b>{latest:.0f}</b></div>")
