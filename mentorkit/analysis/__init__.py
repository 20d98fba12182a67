"""Outcomes research on mentoring program data: one topic module per question.

Every function returns a tidy :class:`pandas.DataFrame` (named columns, one row per thing),
so notebooks, the CLI and the dashboards share the same numbers.

=================  =========================================================
module             question
=================  =========================================================
``engagement``     are pairs meeting, progressing and answering? who needs a nudge?
``outcomes``       did confidence in each skill change from pre to post?
``reliability``    do the multi-item scales hang together (Cronbach's alpha)?
``retention``      do mentored people stay longer, once selection is accounted for?
``roi``            what does the program return per dollar (Phillips)?
``power``          how many mentees does a study need?
``matching``       who should mentor whom?
``themes``         what do free-text comments talk about, and in what mood?
``report``         everything above as one standalone HTML file
=================  =========================================================
"""
from __future__ import annotations

from mentorkit.analysis.matching import MatchResult, match, rematch_suggestions
from mentorkit.analysis.outcomes import paired_change, prepost
from mentorkit.analysis.reliability import cronbach_alpha, scale_reliability
from mentorkit.analysis.retention import (balance_table, compare_retention, cox_hr, km_curves, km_medians,
                                          logrank, propensity_weights)
from mentorkit.analysis.roi import roi, roi_table
from mentorkit.analysis.themes import comment_themes, sentiment

__all__ = [
    "MatchResult", "match", "rematch_suggestions", "paired_change", "prepost", "cronbach_alpha",
    "scale_reliability", "balance_table", "compare_retention", "cox_hr", "km_curves", "km_medians",
    "logrank", "propensity_weights", "roi", "roi_table", "comment_themes", "sentiment",
]
