"""Grounding: is a move the detectors found about *this* conversation?

The skill detectors say which moves a reply makes (a situation, a behaviour, a
reflection, a question ...), by its form. Grounding checks the content against the
scenario's fact sheet (:mod:`mentorkit.scenarios.facts`) and the conversation so far;
only grounded moves earn credit and move the mentee. The rules, per finding key:

* ``sbi.situation``: the sentence names an occasion on the sheet (its *where* or *who*
  words, or a fact tied to it). Naming it with a time that is not its own
  ("yesterday's call" for this morning's review) is a **factual slip**: no credit, and
  the debrief names it.
* ``sbi.behavior``: the sentence refers to something the mentee did (a fact of kind
  ``action``).
* ``sbi.impact``: the sentence refers to what followed (``result``, ``number``,
  ``feeling`` or ``worry``), and a behaviour of hers is named in this reply or an
  earlier one, so the impact follows from it.
* ``four_step.observation``: an occasion, an action or a result on the sheet.
* ``active_listening.reflection``: says back a fact the mentee has already told (in
  her opening or later messages).
* questions (``question``, ``active_listening.open_question`` / ``closed_question``,
  ``four_step.perspective``): the question is about a topic or fact on the sheet, or it
  asks for her view (``what do you make of it?``) inside a reply that is on her situation.
* ``recap.*``, ``agreement.*``, ``four_step.solve_together``, ``active_listening.advice``:
  the sentence names something on the sheet (what was discussed, agreed or proposed).
* ``boundaries.*``: a concrete time, day or figure, not a filler.
* everything else (intent, supportive wording, the four-step intent): a sentence that
  says something (not only light verbs and fillers such as "a thing", "stuff") in a
  reply that is on her situation.
* ``intent_tone.harsh`` and ``sbi.judgement`` always count: a label costs trust
  whatever the topic.

A sentence that says its own words back ("success looks like success", "keeping the floor
open by keeping it open") or whose nouns are mostly not the scenario's own (another
occasion, other people) earns nothing from the sheet words it happens to contain.

A reply is **on topic** when one of its sentences refers to a fact, an occasion or a
topic of the sheet (a topic word counts only in a sentence whose nouns are mostly the
scenario's own words); **off topic** when it has content and none of it is hers.
Vacuous fillers ("a thing", "things", "stuff", "do the thing", "something") never
count as a match.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mentorkit.scenarios.facts import FactSheet, Match, fact_index

__all__ = ["Grounding", "ground_reply", "told_facts", "scenario_vocabulary", "FILLERS", "LIGHT_VERBS",
           "ALWAYS_COUNTS"]

#: nouns and pronouns that stand for content without giving any
FILLERS = frozenset({"thing", "things", "stuff", "something", "anything", "everything", "whatever",
                     "someone", "somebody", "somewhere", "bit", "lot", "kind", "sort", "etc", "blah",
                     "whatnot", "way", "one", "mine", "yours", "it", "this", "that", "issue", "point",
                     "aspect", "matter", "item", "step", "impact", "behaviour", "behavior", "takeaway"})
#: verbs that carry no content of their own
LIGHT_VERBS = frozenset({"be", "have", "do", "say", "tell", "want", "get", "go", "make", "happen", "mean",
                         "think", "know", "let", "need", "like", "see", "give", "take", "put", "come",
                         "try", "use", "share", "because", "lead", "cause", "result", "affect", "impact"})
#: finding keys that count whatever the content (they cost the trainee, not earn)
ALWAYS_COUNTS = frozenset({"intent_tone.harsh", "sbi.judgement", "empty"})
_TIME = frozenset({"yesterday", "today", "tonight", "tomorrow", "morning", "afternoon", "evening", "night",
                   "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend",
                   "week", "month", "earlier"})
_PERSPECTIVE = frozenset({"think", "see", "feel", "view", "side", "perspective", "take", "make", "look",
                          "experience", "sense", "seem", "go", "find", "land", "sound", "like"})
_IMPACT_KINDS = frozenset({"result", "number", "feeling", "worry"})
_NAMED_KEYS = ("recap.", "agreement.", "four_step.solve_together", "active_listening.advice")
_QUESTION_KEYS = frozenset({"question", "active_listening.open_question", "active_listening.closed_question",
                            "four_step.perspective"})
_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"})
_DIGIT = re.compile(r"\d")


@dataclass
class Grounding:
    """What one reply's moves are grounded in.

    ``credited`` maps each grounded finding key to the sheet entries it matched
    (``{"kind", "id", "phrase", "says"}``); ``refused`` maps each ungrounded key to the
    reason; ``slips`` lists factual slips (an occasion named with the wrong time).
    """
    on_topic: bool
    off_topic: bool
    matches: list[Match] = field(default_factory=list)
    credited: dict[str, list[dict]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    slips: list[dict] = field(default_factory=list)
    #: per sentence: about other people and things (its stray sheet words do not count)
    foreign: list[bool] = field(default_factory=list)


_VOCAB: dict[str, frozenset] = {}


def scenario_vocabulary(scenario) -> frozenset:
    """The content lemmas of everything the scenario says (context, opening, facts, lines), cached."""
    key = f"{scenario.path}|{scenario.name}"
    vocab = _VOCAB.get(key)
    if vocab is not None:
        return vocab
    from mentorkit.nlp import get_nlp
    texts = [scenario.context, scenario.opening, scenario.summary, scenario.title, scenario.persona.role,
             scenario.persona.name, scenario.mentor_role]
    texts += [t.focus for t in scenario.turns] + [v for t in scenario.turns for b in t.branches for v in b.say]
    sheet = scenario.facts
    if sheet is not None:
        texts.append(sheet.about)
        texts += [f.says for f in sheet.items] + [w for f in sheet.items for w in f.words]
        texts += [w for t in sheet.topics for w in t.words]
        texts += [w for o in sheet.occasions for w in (*o.when, *o.where, *o.who)]
    words = set()
    for doc in get_nlp("grader").pipe(texts):
        words.update(t.lemma_.lower() for t in doc if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ"))
        words.update(t.lower_ for t in doc if t.pos_ in ("NOUN", "PROPN"))
    vocab = frozenset(words)
    _VOCAB[key] = vocab
    return vocab


def told_facts(sheet: FactSheet, doc) -> set[str]:
    """What a mentee message (parsed *doc*) tells: the fact ids its sentences refer to, and
    ``topic:ID`` for each topic it raises."""
    return {m.id if m.kind == "fact" else f"topic:{m.id}" for m in fact_index(sheet).matches(doc)
            if m.kind in ("fact", "topic")}


def _substantive(tokens) -> list:
    """Content tokens that are not fillers, light verbs, time words or the persona's address."""
    out = []
    for t in tokens:
        lem = t.lemma_.lower()
        if t.pos_ not in _CONTENT_POS or t.is_stop and t.pos_ != "NUM":
            continue
        if lem in FILLERS or t.lower_ in FILLERS or lem in LIGHT_VERBS or lem in _TIME:
            continue
        out.append(t)
    return out


def _has_filler(tokens) -> bool:
    return any((t.lemma_.lower() in FILLERS or t.lower_ in FILLERS) and t.pos_ in ("NOUN", "PRON")
               and t.lower_ not in ("it", "this", "that", "one") for t in tokens)


def _sentences_for(finding, sents: list, text: str) -> list[int]:
    """Indexes of the sentences the finding's evidence lies in (all when it has none)."""
    idx = set()
    for span in getattr(finding, "evidence", None) or []:
        start, end = span.get("start"), span.get("end")
        if start is None or end is None:
            continue
        if start == 0 and end >= len(text.rstrip()):
            return list(range(len(sents)))
        for i, s in enumerate(sents):
            if s.start_char < end and start < s.end_char:
                idx.add(i)
    return sorted(idx) if idx else list(range(len(sents)))


def _entry(sheet: FactSheet, m: Match) -> dict:
    if m.kind == "fact":
        f = sheet.fact(m.id)
        return {"kind": f.kind, "id": f.id, "phrase": m.phrase, "says": f.says}
    if m.kind in ("topic", "view", "concrete", "reply"):
        return {"kind": m.kind, "id": m.id, "phrase": m.phrase, "says": ""}
    o = sheet.occasion(m.id)
    return {"kind": "occasion", "id": o.id, "phrase": m.phrase, "says": f"{o.where[0]} ({o.when[0]})"}


def ground_reply(scenario, doc, findings: dict[str, Any], told: set[str], history: dict[str, Any]
                 ) -> Grounding:
    """Ground the *findings* of one reply (parsed *doc*) in the scenario's fact sheet.

    *told* is the set of fact ids (and ``topic:ID``) the mentee has told so far; *history*
    carries what earlier replies grounded (``history["behavior"]``: a behaviour has been
    named; ``history["on_topic"]``: the last reply was about her situation).
    """
    sheet: FactSheet = scenario.facts
    text = doc.text
    sents = list(doc.sents)
    matches = fact_index(sheet).matches(doc)
    vocab = scenario_vocabulary(scenario)
    slips = _slips(sheet, sents, matches)
    slipped = {(sl["sentence"], sl["occasion"]) for sl in slips}
    foreign = [_foreign(s, vocab) or _tautology(s) for s in sents]
    by_sent: dict[int, list[Match]] = {}
    for m in matches:
        if foreign[m.sentence]:
            continue  # a sentence about other people and things: its stray words are not hers
        occ = m.id if m.kind in ("occasion", "when", "who") else (
            sheet.fact(m.id).occasion if m.kind == "fact" else None)
        if occ and (m.sentence, occ) in slipped:
            continue  # the wrong occasion: what it says happened there is not what happened
        by_sent.setdefault(m.sentence, []).append(m)

    def facts_in(i: int, kinds: frozenset | set | None = None) -> list[Match]:
        return [m for m in by_sent.get(i, []) if m.kind == "fact"
                and (kinds is None or sheet.fact(m.id).kind in kinds)]

    sentence_on: list[bool] = []       # names a fact, an occasion or a person of her situation
    sentence_topical: list[bool] = []  # at least touches one of her topics
    for i, s in enumerate(sents):
        here = by_sent.get(i, [])
        own = bool(facts_in(i)) or any(m.kind in ("occasion", "who") for m in here)
        sentence_on.append(own and not _filler_only(s))
        sentence_topical.append(own or any(m.kind == "topic" for m in here))
    on_topic = any(sentence_on)
    if not on_topic and history.get("on_topic") and not any(foreign):
        # a follow-up ("what's your take on it?") to a reply about her situation stays with it
        on_topic = any(sentence_topical) or any(_asks_view(s) for s in sents)
    # a label or a sharp line is about her, whatever else it says: it is answered as that, not as a tangent
    personal = any(k in findings for k in ("intent_tone.harsh", "sbi.judgement"))
    off_topic = (not on_topic and not personal and not any(sentence_topical)
                 and any(bool(_substantive(s)) for s in sents))
    slip_sents = {sl["sentence"] for sl in slips}

    g = Grounding(on_topic=on_topic, off_topic=off_topic, matches=matches, slips=slips, foreign=foreign)
    for key, finding in findings.items():
        if key in ALWAYS_COUNTS or key in ("on_topic", "off_topic"):
            continue
        if "." not in key and key != "question":
            continue  # a skill-level key: settled below from its components
        idx = _sentences_for(finding, sents, text)
        got: list[Match] = []
        reason = ""
        if key == "sbi.situation":
            got = [m for i in idx if i not in slip_sents for m in by_sent.get(i, [])
                   if m.kind in ("occasion", "who") or (m.kind == "fact" and sheet.fact(m.id).occasion)]
            named = _span_names_occasion(sheet, doc, finding)
            if named is False:
                got, reason = [], "the occasion it names is not one that happened in this scenario"
            elif not got and any(i in slip_sents for i in idx):
                sl = next(sl for sl in slips if sl["sentence"] in idx)
                reason = (f"factual slip: it was {sl['actual']}'s {sl['where']}, not \u201c{sl['said']}\u201d")
            elif not got:
                reason = "names no occasion that happened in this scenario"
        elif key == "sbi.behavior":
            got = [m for i in idx for m in facts_in(i, {"action"})]
            reason = "names nothing the person actually did"
        elif key == "sbi.impact":
            got = [m for i in idx for m in facts_in(i, _IMPACT_KINDS)]
            named = history.get("behavior") or "sbi.behavior" in g.credited or any(
                facts_in(i, {"action"}) for i in range(len(sents)))
            if got and not named:
                got, reason = [], "the consequence does not follow from anything she did that the reply names"
            elif not got:
                reason = "names no consequence that actually followed"
        elif key == "four_step.observation":
            got = [m for i in idx for m in by_sent.get(i, []) if m.kind == "occasion"
                   or (m.kind == "fact" and sheet.fact(m.id).kind != "option")]
            reason = "observes nothing that happened in this scenario"
        elif key == "active_listening.reflection":
            got = [m for i in idx for m in by_sent.get(i, []) if (m.kind == "fact" and m.id in told)
                   or (m.kind == "topic" and f"topic:{m.id}" in told and not _filler_only(sents[i]))]
            reason = "does not say back anything she has said"
        elif key in _QUESTION_KEYS:
            q_idx = [i for i in idx if "?" in sents[i].text] or idx
            got = [m for i in q_idx for m in by_sent.get(i, []) if m.kind in ("fact", "occasion", "who")
                   or (m.kind == "topic" and len({t.lemma_.lower() for t in _substantive(sents[i])}) >= 2)]
            if not got and on_topic and any(_asks_view(sents[i]) for i in q_idx):
                got = [Match("view", "her_view", sents[q_idx[0]].text.strip(), q_idx[0],
                             sents[q_idx[0]].start_char, sents[q_idx[0]].end_char)]
            reason = "asks about nothing in her situation"
        elif key.startswith(_NAMED_KEYS):
            got = [m for i in idx for m in by_sent.get(i, []) if m.kind in ("fact", "topic") and sentence_topical[i]
                   and (m.kind == "fact" or on_topic)]
            reason = "names nothing that was discussed or proposed in this conversation"
        elif key.startswith("boundaries."):
            concrete = [i for i in idx if _concrete(sents[i]) and not _filler_only(sents[i]) and not foreign[i]]
            got = [Match("concrete", "concrete", sents[i].text.strip(), i, sents[i].start_char, sents[i].end_char)
                   for i in concrete]
            reason = "gives no concrete time or figure"
        else:
            ok = [i for i in idx if _substantive(sents[i]) and not _vacuous_reason(sents[i])]
            if key in ("intent_tone.explicit_intent", "four_step.intent"):
                ok = [i for i in ok if len({t.lemma_.lower() for t in _substantive(sents[i])} - _INTENT_WORDS) >= 1]
            if on_topic and ok:
                got = [m for i in ok for m in by_sent.get(i, [])] or [
                    Match("reply", "on_topic", sents[ok[0]].text.strip(), ok[0], sents[ok[0]].start_char,
                          sents[ok[0]].end_char)]
            reason = "says nothing of substance" if not ok else "the reply is not about her situation"
        if got and all(_filler_only(sents[m.sentence]) for m in got):
            got, reason = [], "a filler ('a thing', 'stuff') stands where the content should be"
        if got:
            seen, entries = set(), []
            for m in got:
                if (m.kind, m.id) not in seen:
                    seen.add((m.kind, m.id))
                    entries.append(_entry(sheet, m))
            g.credited[key] = entries
        else:
            g.refused[key] = reason
    for key in findings:
        if "." not in key and key not in ALWAYS_COUNTS and key != "question":
            if any(k.startswith(key + ".") for k in g.credited):
                g.credited[key] = [e for k, v in g.credited.items() if k.startswith(key + ".") for e in v][:3]
            else:
                g.refused[key] = "none of its parts is grounded in this conversation"
    return g


#: nouns too general to say whose situation a sentence is about
_GENERIC_NOUNS = frozenset({"time", "way", "people", "person", "thanks", "hand", "part", "couple", "sense",
                            "idea", "question", "chance", "moment", "place", "fact", "end", "start", "side"})


def _foreign(sent, vocab: frozenset) -> bool:
    """A sentence whose nouns are mostly not the scenario's own (other people, places, things)."""
    nouns = [t for t in sent if t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() not in FILLERS
             and t.lemma_.lower() not in _TIME and t.lemma_.lower() not in _GENERIC_NOUNS]
    if len(nouns) < 2:
        return False
    familiar = sum(1 for t in nouns if t.lemma_.lower() in vocab or t.lower_ in vocab)
    return 3 * familiar < len(nouns)


def _tautology(sent) -> bool:
    """A sentence that says its words back to itself ('success looks like success', 'you need what you need')."""
    from collections import Counter
    lemmas = [t.lemma_.lower() for t in sent if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") and not t.is_stop
              and t.lemma_.lower() not in LIGHT_VERBS]
    if len(lemmas) < 2:
        return False
    counts = Counter(lemmas)
    if max(counts.values()) >= 3:
        return True
    return any(c >= 2 for c in counts.values()) and len(counts) / len(lemmas) <= 0.67


def _slips(sheet: FactSheet, sents: list, matches: list[Match]) -> list[dict]:
    """Sentences that name an occasion of the sheet with a time that is not its own.

    The time word must stand next to the occasion's word ("yesterday's call", "the call
    on Monday"): a sentence that names the occasion and, elsewhere, next week's plan is
    no slip.
    """
    where_keys: dict[str, set[str]] = {}
    for kind, eid, _phrase, keys in fact_index(sheet).entries:
        if kind == "occasion":
            where_keys.setdefault(eid, set()).update(keys)
    slips = []
    for i, s in enumerate(sents):
        here = [m for m in matches if m.sentence == i]
        occ_ids = {m.id for m in here if m.kind == "occasion"}
        when_ok = {m.id for m in here if m.kind == "when"}
        toks = list(s)
        for oid in sorted(occ_ids - when_ok):
            near = []
            for j, t in enumerate(toks):
                if not (t.lemma_.lower() in _TIME or t.lower_ in _TIME):
                    continue
                window = toks[max(0, j - 3):j + 4]
                if any(w.lemma_.lower() in where_keys.get(oid, ()) or w.lower_ in where_keys.get(oid, ())
                       for w in window if w.i != t.i) and not any(w.lower_ in ("next", "tomorrow") for w in window):
                    near.append(t)
            if near:
                occ = sheet.occasion(oid)
                slips.append({"sentence": i, "occasion": oid, "said": " ".join(t.text for t in near),
                              "actual": occ.when[0], "where": occ.where[0], "text": s.text.strip()})
    return slips


#: the words of the intent formula itself ("I'm sharing this because I care")
_INTENT_WORDS = frozenset({"share", "sharing", "raise", "mention", "intent", "intention", "intentional",
                           "reason", "care", "caring", "help", "helpful", "support", "supportive", "transparent",
                           "honest", "clear", "clarity", "expectation", "set", "intend", "hope", "open", "kind",
                           "bring", "flag", "note", "sure", "important", "matter", "really", "just", "also"})


def _span_names_occasion(sheet: FactSheet, doc, finding) -> bool | None:
    """Whether a situation's own evidence names an occasion of the sheet.

    True: it names one (by its where/who words, or only by its time); False: it names an
    event, but none of the sheet's ("Friday's usability test"); None: no usable span.
    """
    index = fact_index(sheet)
    verdicts = []
    for span in getattr(finding, "evidence", None) or []:
        start, end = span.get("start"), span.get("end")
        if start is None or end is None or (start == 0 and end >= len(doc.text.rstrip())):
            continue
        toks = doc.char_span(start, end, alignment_mode="expand")
        if toks is None:
            continue
        found = index.find(toks)
        if any(kind in ("occasion", "who") for kind, _i, _p in found):
            verdicts.append(True)
        elif any(kind == "when" for kind, _i, _p in found):
            event = [t for t in toks if t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() not in _TIME]
            verdicts.append(not event)
        else:
            verdicts.append(False)
    if not verdicts:
        return None
    return any(verdicts)


def _asks_view(sent) -> bool:
    """A question that asks for the other person's view ('how did you see it?', 'what do you think?')."""
    if "?" not in sent.text:
        return False
    lemmas = {t.lemma_.lower() for t in sent}
    return "you" in {t.lower_ for t in sent} and bool(lemmas & _PERSPECTIVE)


_NUMBER_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                           "eleven", "twelve", "twenty", "thirty", "forty", "noon", "midday", "midnight"})
_DAYPARTS = frozenset({"morning", "afternoon", "evening", "lunchtime", "weekday", "weekdays", "weekend",
                       "tomorrow", "tonight", "monday", "tuesday", "wednesday", "thursday", "friday",
                       "saturday", "sunday"})
_UNITS = frozenset({"day", "hour", "week", "minute"})
_COUNTERS = frozenset({"a", "an", "one", "same", "next", "working", "business", "per", "each", "every", "half"})


def _concrete(sent) -> bool:
    """A time, day or figure: '9 to 11', 'Tuesday mornings', 'within a day' (not 'my available hours')."""
    if _DIGIT.search(sent.text):
        return True
    toks = list(sent)
    for j, t in enumerate(toks):
        low = t.lower_
        if low in _NUMBER_WORDS or low in _DAYPARTS or t.lemma_.lower() in _DAYPARTS:
            return True
        if t.lemma_.lower() in _UNITS and j and toks[j - 1].lower_ in _COUNTERS:
            return True
    return False


def _vacuous_reason(sent) -> bool:
    """True when the sentence's content is only fillers ('I want to say a thing')."""
    return not _substantive(sent) or (_has_filler(sent) and len(_substantive(sent)) <= 1)


def _filler_only(sent) -> bool:
    """A sentence whose matched words sit among fillers ('you do the thing by Friday') with nothing else."""
    return _has_filler(sent) and len(_substantive(sent)) <= 1


