"""The SBI practice widget: pick a situation, write feedback, press Grade, see why."""
from __future__ import annotations

import html

import ipywidgets as w

from mentorkit.feedback.practice import AttemptHistory, situations
from mentorkit.widgets.common import html_view

__all__ = ["SBIPractice"]


class SBIPractice(w.VBox):
    """Write feedback for a remote-mentoring situation and get an explained SBI grade.

    Every grade shows the highlighted parts, the score, up to three tips, and the
    first / best / latest score for the chosen situation.
    """

    def __init__(self, **kwargs):
        self.history = AttemptHistory()
        self._situations = {s.id: s for s in situations()}
        self.picker = w.Dropdown(options=[(s.title, s.id) for s in self._situations.values()],
                                 description="Situation", layout=w.Layout(width="480px"))
        self.picker.add_class("mk-sbi-picker")
        self.context = html_view("mk-sbi-context")
        self.box = w.Textarea(placeholder="Write your feedback here: the occasion, what they did, what it led to.",
                              layout=w.Layout(width="100%", height="110px"))
        self.box.add_class("mk-sbi-input")
        self.grade_button = w.Button(description="Grade", button_style="primary")
        self.grade_button.add_class("mk-sbi-grade")
        self.model_button = w.Button(description="Show a model answer")
        self.model_button.add_class("mk-sbi-model")
        self.result = html_view("mk-sbi-result")
        self.progress = html_view("mk-sbi-progress")
        self.picker.observe(self._on_pick, names="value")
        self.grade_button.on_click(self._on_grade)
        self.model_button.on_click(self._on_model)
        super().__init__([self.picker, self.context, self.box, w.HBox([self.grade_button, self.model_button]),
                          self.result, self.progress], **kwargs)
        self.add_class("mk-sbi-practice")
        self._on_pick()

    @property
    def situation(self):
        return self._situations[self.picker.value]

    def _on_pick(self, change=None) -> None:
        s = self.situation
        tag = "Recognise good work" if s.kind == "praise" else "Give corrective feedback"
        self.context.value = (f"<div style='background:#f6f8fa;padding:8px 12px;border-radius:6px'>"
                              f"<b>{html.escape(tag)}</b><p>{html.escape(s.context)}</p></div>")
        self.box.value = ""
        self.result.value = ""
        self._show_progress()

    def _show_progress(self) -> None:
        p = self.history.progress(self.picker.value)
        if p is None:
            self.progress.value = "<i>No attempts yet for this situation.</i>"
            return
        self.progress.value = (f"<div class='mk-sbi-scores'>Attempts: {p['attempts']} &middot; "
                               f"first <b>{p['first']:.0f}</b> &middot; best <b>{p['best']:.0f}</b> &middot; "
                               f"latest <b>{p['latest']:.0f}</b></div>")

    def grade(self, text: str):
        """Grade *text* for the current situation, record it and update the display."""
        from mentorkit.feedback.grade import grade_feedback, MAX_CHARS
        if len(text) > MAX_CHARS:
            self.result.value = (f"<p class='mk-error'>That is {len(text):,} characters; keep feedback under "
                                 f"{MAX_CHARS:,} characters.</p>")
            return None
        g = grade_feedback(text)
        self.result.value = g.to_html()
        if text.strip():
            self.history.add(self.picker.value, g.score)
        self._show_progress()
        return g

    def _on_grade(self, _button) -> None:
        self.grade(self.box.value)

    def _on_model(self, _button) -> None:
        s = self.situation
        self.result.value = (f"<div class='mk-sbi-model-answer'><b>One way to write it:</b>"
                             f"<p>{html.escape(s.model_answer)}</p></div>")
