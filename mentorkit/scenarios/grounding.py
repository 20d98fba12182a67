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

__all__ = ["Grounding", "ground_reply", "told_facts", "sharp_evidence", "vocatives", "scenario_vocabulary", "FILLERS", "LIGHT_VERBS",
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
    foreign = [_foreign(s, vocab) or _tautology(s) or _echo(s) for s in sents]
    addressed = [vocatives(s) for s in sents]
    listed = _listed_only(sheet, sents)
    by_sent: dict[int, list[Match]] = {}
    named_only: dict[int, list[Match]] = {}   # listed without a verb: counts only as a recap or agenda item
    for m in matches:
        if foreign[m.sentence]:
            continue  # a sentence about other people and things: its stray words are not hers
        if m.kind in ("who", "topic") and m.phrase.lower() in addressed[m.sentence] and _strangers(
                sents[m.sentence], vocab, addressed[m.sentence]):
            continue  # "Grace, how's the new flat?": the name she is addressed by does not make the flat hers
        if (m.sentence, m.kind, m.id) in listed:
            named_only.setdefault(m.sentence, []).append(m)
            continue  # "Sales leadership, engineering: I noticed these." - her words listed, nothing said of them
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
        # a list of her words with no verb ("Interview, recording, prototype - all noted!") says nothing about them
        sentence_on.append(own and not _filler_only(s) and not _verbless(s))
        sentence_topical.append(own or any(m.kind == "topic" for m in here))
    on_topic = any(sentence_on)
    if not on_topic and history.get("on_topic") and not any(foreign):
        # a follow-up ("what's your take on it?") to a reply about her situation stays with it
        on_topic = any(sentence_topical) or any(_asks_view(s) for s in sents)
    # a label or a sharp line is about her, whatever else it says: it is answered as that, not as a tangent
    personal = "sbi.judgement" in findings or (
        "intent_tone.harsh" in findings and sharp_evidence(doc, findings["intent_tone.harsh"], False))
    off_topic = (not on_topic and not personal and not any(sentence_topical)
                 and any(bool(_substantive(s)) for s in sents))
    slip_sents = {sl["sentence"] for sl in slips}

    g = Grounding(on_topic=on_topic, off_topic=off_topic, matches=matches, slips=slips, foreign=foreign)
    harsh = findings.get("intent_tone.harsh")
    if harsh is not None and not sharp_evidence(doc, harsh, "sbi.judgement" in findings):
        g.refused["intent_tone.harsh"] = ("flagged as harsh, but nothing in it is sharp (no label, blame, "
                                          "order or brush-off; quotes and questions about her view are not)")
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
            if not got and "sbi.behavior" in g.credited:
                # what followed from the behaviour this reply names, in words of her situation
                # ("... so we didn't learn about their workflow"): the sheet need not list every consequence
                b_sents = {e_i for e_i in _sentences_for(findings["sbi.behavior"], sents, text)}
                got = [m for i in idx if i not in b_sents or len(idx) == 1 for m in by_sent.get(i, [])
                       if m.kind in ("fact", "topic") and len(_substantive(sents[i])) >= 3
                       and not _filler_only(sents[i])]
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
            got = [m for i in idx for m in by_sent.get(i, []) + (named_only.get(i, []) if key.startswith(_LIST_KEYS)
                                                                 else [])
                   if m.kind in ("fact", "topic") and (sentence_topical[i] or key.startswith(_LIST_KEYS))
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
                # a reason about her: it names her ("so you get ...") or something of her situation
                ok = [i for i in ok if len({t.lemma_.lower() for t in _substantive(sents[i])} - _INTENT_WORDS) >= 1
                      and (by_sent.get(i) or {"you", "your", "yours"} & {t.lower_ for t in sents[i]})]
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
            if key in _SKILL_NEEDS and _SKILL_NEEDS[key] not in g.credited:
                g.refused[key] = f"no grounded {_SKILL_NEEDS[key].split('.')[1]}: without it the parts are not {key} feedback"
            elif any(k.startswith(key + ".") for k in g.credited):
                g.credited[key] = [e for k, v in g.credited.items() if k.startswith(key + ".") for e in v][:3]
            else:
                g.refused[key] = "none of its parts is grounded in this conversation"
    return g


_GREETINGS = frozenset({"hi", "hey", "hello", "thanks", "thank", "dear", "morning", "ok", "okay", "so", "and",
                        "right", "well", "oh", "yes", "no", "sure", "sorry", "great", "good"})


def vocatives(sent) -> set[str]:
    """The names a sentence addresses someone by, lower-cased ("Grace, what ...?", "..., Li Wei?", "Thanks Marco").

    >>> from mentorkit.nlp import get_nlp
    >>> sorted(vocatives(next(get_nlp("grader")("Grace, how are you finding the new flat?").sents)))
    ['grace']
    >>> vocatives(next(get_nlp("grader")("Grace barely spoke today.").sents))
    set()
    """
    toks = [t for t in sent if not t.is_space]
    out: set[str] = set()
    i = 0
    while i < len(toks):
        if toks[i].lower_ in _GREETINGS or (
                toks[i].pos_ != "PROPN" and not (toks[i].is_title and toks[i].pos_ == "NOUN")):
            i += 1
            continue
        j = i
        while j + 1 < len(toks) and toks[j + 1].pos_ == "PROPN" and toks[j + 1].lower_ not in _GREETINGS:
            j += 1
        before = [t for t in toks[:i] if not t.is_punct]
        after = toks[j + 1] if j + 1 < len(toks) else None
        prev = toks[i - 1] if i else None
        opens = (not before or all(t.lower_ in _GREETINGS for t in before)) and (
            after is None or after.is_punct)
        closes = prev is not None and prev.text in (",", "-", "\u2013", "\u2014") and (
            after is None or after.is_punct and after.text in (".", "?", "!", ",", ";", ":"))
        if opens or closes:
            out.add(" ".join(t.lower_ for t in toks[i:j + 1]))
        i = j + 1
    return out


#: a skill shown as a whole needs this part grounded (SBI without a behaviour is not feedback)
_SKILL_NEEDS = {"sbi": "sbi.behavior"}


#: moves whose items may be listed without verbs ("Takeaways: the returns policy, the launch date.")
_LIST_KEYS = ("recap.", "agreement.")
_SEGMENT_BREAKS = frozenset({":", ";", "-", "\u2013", "\u2014"})


def _listed_only(sheet: FactSheet, sents: list) -> set[tuple[int, str, str]]:
    """(sentence, kind, id) of sheet entries a sentence only lists: named in a segment with no verb
    ("Rematch: yes.", "Sales leadership, engineering, first-time manager: I noticed these.")."""
    index = fact_index(sheet)
    out = set()
    for i, sent in enumerate(sents):
        segments, cur = [], []
        for t in sent:
            if t.text in _SEGMENT_BREAKS:
                segments.append(cur)
                cur = []
            else:
                cur.append(t)
        segments.append(cur)
        if len(segments) == 1:
            continue  # a whole sentence without a verb is more likely a mis-tagged order ("Block time ...")
        said, listed = set(), set()
        for seg in segments:
            found = {(k, e) for k, e, _p in index.find(seg)}
            (listed if _verbless(seg) else said).update(found)
        out |= {(i, k, e) for k, e in listed - said}
    return out


def _verbless(sent) -> bool:
    """A sentence with no full verb: a list or a label ('Rematch: yes. Sales director: open slots.')."""
    return not any(t.pos_ == "VERB" or t.tag_ in ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ")
                   or (t.pos_ == "AUX" and t.dep_ == "ROOT") for t in sent)


#: nouns too general to say whose situation a sentence is about
_GENERIC_NOUNS = frozenset({"time", "way", "people", "person", "thanks", "hand", "part", "couple", "sense",
                            "idea", "question", "chance", "moment", "place", "fact", "end", "start", "side"})


def _strangers(sent, vocab: frozenset, names: set[str]) -> list:
    """The nouns of a sentence that are not the scenario's own (names it addresses aside)."""
    return [t for t in sent if t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() not in FILLERS
            and t.lemma_.lower() not in _TIME and t.lemma_.lower() not in _GENERIC_NOUNS
            and t.lemma_.lower() not in vocab and t.lower_ not in vocab
            and not any(t.lower_ in n.split() for n in names)]


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


#: word pairs that repeat a stem by idiom, not by stuffing
_IDIOM_STEMS = frozenset({"step", "day", "one", "time", "face", "side", "week", "back", "year"})


def _echo(sent) -> bool:
    """A sentence that says a word back within a few words ('feedback about feedback', 'the impact was
    impactful', 'how did that land, landing-wise?', 'the fit is fitting'): a form filled with itself."""
    toks = [t for t in sent if not t.is_punct and not t.is_space]
    content = [(j, t) for j, t in enumerate(toks) if t.pos_ in ("NOUN", "VERB", "ADJ", "ADV", "PROPN")
               and not t.is_stop and len(t.lemma_) > 2]
    every = list(sent)
    if any(t.lower_.endswith("-wise") or (t.lower_ == "wise" and j and every[j - 1].text == "-") for j, t in
           enumerate(every)):
        return True
    for a in range(len(content)):
        for b in range(a + 1, len(content)):
            (ja, ta), (jb, tb) = content[a], content[b]
            if jb - ja > 4:
                break
            sa, sb = ta.lemma_.lower()[:5], tb.lemma_.lower()[:5]
            if sa == sb and sa not in _IDIOM_STEMS and ta.lemma_.lower() not in _IDIOM_STEMS:
                return True
    return False


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
    return bool({"you", "your", "yours", "yourself"} & {t.lower_ for t in sent}) and bool(lemmas & _PERSPECTIVE)


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




# ------------------------------------------------------------------ sharpness of a harsh flag

#: labels of a person: sharp wherever they stand, unless negated ("not careless")
_LABELS = frozenset({"careless", "lazy", "rude", "unreliable", "unprofessional", "stupid", "ridiculous", "useless",
                     "pathetic", "incompetent", "sloppy", "terrible", "awful", "hopeless", "selfish", "arrogant",
                     "annoying", "disappointing", "disappointed", "dramatic", "sensitive", "defensive",
                     "childish", "immature", "negative", "difficult", "clueless", "naive"})
#: blame words: sharp in a plain statement, not negated, not in an if/when clause, not reported or asked
_BLAME = frozenset({"wrong", "bad", "waste", "wasted", "fail", "failure", "mess", "blame", "fault", "pointless",
                    "mistake", "chore", "poor", "worse", "worst"})
#: brush-offs and orders ("just do your best", "don't worry about it", "obviously")
_BRUSH_OFFS = ("just do", "just give", "just send", "just get", "just try", "just deal", "get over", "calm down",
               "don't worry about", "whatever you think", "whatever works", "my way", "not a big deal",
               "no big deal", "obviously", "you should", "you need to", "you have to", "you must", "you always",
               "you never", "your fault", "it always happens", "that always happens", "deal with it",
               "doesn't matter", "don't care", "not my problem", "find someone else", "waste of time")
_REPORTING = frozenset({"say", "feel", "think", "mention", "tell", "worry", "believe", "sound", "seem", "call",
                        "describe", "notice", "spot", "find"})
_CONDITIONS = frozenset({"if", "when", "whether", "unless", "once", "whenever"})
_QUOTED = re.compile(r"(?:(?<=\s)|^)['\"\u2018\u201c][^'\"\u2019\u201d]{2,120}['\"\u2019\u201d](?=\W|$)")


def _negated(tok) -> bool:
    for t in (tok, *list(tok.ancestors)[:2]):
        if any(c.dep_ == "neg" or c.lower_ in ("no", "never", "not", "n't") for c in t.children):
            return True
    return tok.i > 0 and tok.doc[tok.i - 1].lower_ in ("no", "not", "never", "n't")


def _hedged(tok) -> bool:
    """Inside an if/when clause, a question, or what someone said, felt or noticed."""
    sent = tok.sent
    if "?" in sent.text:
        return True
    for t in (tok, *tok.ancestors):
        if any(c.dep_ == "mark" and c.lower_ in _CONDITIONS for c in t.children):
            return True
        if t.dep_ == "advcl" and any(c.lower_ == "time" for c in t.subtree):   # "next time you spot ..."
            return True
        if t is not tok and t.lemma_.lower() in _REPORTING:
            return True
    return False


def sharp_evidence(doc, finding, judged: bool) -> bool:
    """Whether a harsh flag's evidence holds something sharp: a label, blame, an order, a brush-off.

    The tone detector flags by form; a line that quotes her ("you said 'those numbers are
    wrong'"), asks about what went wrong, or says "there's no wrong answer" is not sharp.
    *judged* is True when the judgement detector found a label or sweeping word in the reply.

    >>> from mentorkit.nlp import get_nlp
    >>> nlp = get_nlp("grader")
    >>> class F: evidence = []
    >>> sharp_evidence(nlp("There's no wrong answer."), F(), False)
    False
    >>> sharp_evidence(nlp("Just do your best."), F(), False)
    True
    """
    spans = []
    for e in getattr(finding, "evidence", None) or []:
        if e.get("start") is not None and e.get("end") is not None:
            span = doc.char_span(e["start"], e["end"], alignment_mode="expand")
            if span is not None:
                spans.append(span)
    if not spans:
        spans = [doc[:]]
    if judged:
        return True
    for span in spans:
        text = " " + _QUOTED.sub(" ", span.text.lower().replace("\u2019", "'")) + " "
        if any(f" {b} " in text or f" {b}," in text or f" {b}." in text for b in _BRUSH_OFFS):
            return True
        words = [t for t in span if not t.is_punct]
        if words and words[0].lower_ == "just" and len(words) > 1 and words[1].tag_ == "VB":
            return True
        quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(doc.text)]
        for t in span:
            if any(a <= t.idx < b for a, b in quoted):
                continue
            lem = t.lemma_.lower()
            if (lem in _LABELS or t.lower_ in _LABELS) and not _negated(t):
                return True
            if (lem in _BLAME or t.lower_ in _BLAME) and not _negated(t) and not _hedged(t):
                return True
    return False
