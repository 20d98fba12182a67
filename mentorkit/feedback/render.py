"""HTML for a grade: the statement with its parts highlighted, a legend, the score and tips.

Every piece of user text goes through :func:`html.escape`; nothing from the
statement reaches the page as markup.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING

from mentorkit.feedback.model import COLORS, LABELS, SBI_PARTS

if TYPE_CHECKING:  # the grade is only read here; importing it would close a circle (grade -> render)
    from mentorkit.feedback.grade import FeedbackGrade

__all__ = ["highlight_html", "legend_html", "grade_html"]


def legend_html() -> str:
    items = "".join(
        f'<span class="mk-legend-item mk-{p}" style="background:{COLORS[p]};padding:1px 6px;'
        f'border-radius:3px;margin-right:6px">{LABELS[p]}</span>' for p in (*SBI_PARTS, "judgement"))
    return f'<div class="mk-legend" style="font-size:0.85em;margin:4px 0">{items}</div>'


def highlight_html(text: str, spans) -> str:
    """*text* with each span wrapped in ``<mark class="mk-part mk-LABEL">``, escaped throughout."""
    labels: list[set[str]] = [set() for _ in text]
    for s in spans:
        for i in range(max(0, s.start), min(len(text), s.end)):
            labels[i].add(s.label)
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and labels[j] == labels[i]:
            j += 1
        chunk = html.escape(text[i:j])
        lab = labels[i]
        if not lab:
            out.append(chunk)
        else:
            main = next((p for p in SBI_PARTS if p in lab), "judgement")
            style = f"background:{COLORS[main]};padding:1px 2px;border-radius:3px"
            if "judgement" in lab:
                style += ";text-decoration:underline wavy #c92a2a"
            classes = " ".join(f"mk-{p}" for p in sorted(lab))
            title = " + ".join(LABELS[p] for p in (*SBI_PARTS, "judgement") if p in lab)
            out.append(f'<mark class="mk-part {classes}" title="{title}" style="{style}">{chunk}</mark>')
        i = j
    return f'<div class="mk-highlight" style="line-height:1.9;white-space:pre-wrap">{"".join(out)}</div>'


def grade_html(g: FeedbackGrade) -> str:
    rows = "".join(
        f"<tr><td>{LABELS[p]}</td><td class='mk-present-{p}'>{'yes' if g.part(p).present else 'no'}</td>"
        f"<td>{g.part(p).confidence:.0%}</td></tr>" for p in SBI_PARTS)
    flags = ""
    if g.judgement:
        flags = ("<p class='mk-judgement-flags'>Judgement flagged: "
                 + ", ".join(f"<b>{html.escape(s.text)}</b>" for s in g.judgement) + "</p>")
    tips = "".join(f"<li>{html.escape(t.message)}<br><i>e.g. {html.escape(t.example)}</i></li>" for t in g.tips)
    return (
        f'<div class="mk-grade">'
        f'<div class="mk-score" style="font-size:1.4em;font-weight:bold">Score: {g.score:.0f}/100'
        f'{" - complete SBI" if g.complete else ""}</div>'
        f"{legend_html()}{highlight_html(g.text, g.spans())}"
        f"<table class='mk-parts'><tr><th>Part</th><th>Found</th><th>Confidence</th></tr>{rows}</table>"
        f"{flags}<div class='mk-tips'><b>Tips</b><ul>{tips}</ul></div></div>"
    )
