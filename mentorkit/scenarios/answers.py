"""The mentee who answers: questions answered from the fact sheet, proposals answered by name.

After the detectors and grounding have read a reply, the mentee's message is composed
of three parts: her reaction (the turn branch the state and the grounded moves pick,
which also moves toward the turn's goal), her **answers** to what the trainee asked, and
her **responses to what the trainee proposed**. This module writes the last two.

Questions
    Each question sentence (a ``?``, or "tell me / walk me through ...") is matched
    against the fact sheet. An *open* question ("what", "how", "why", "tell me") on a
    topic brings out that topic's facts she has not told yet, hidden ones included (at
    most two). A *closed* question ("did you ...?", "is it ...?") gets the fact's short
    answer. A fact she has already told is not told again as news: she refers back to it
    ("Like I said, ..."). A question on her situation that the sheet does not cover gets
    an in-character "I'm not sure; I hadn't thought about that".
Proposals
    A sentence that proposes something ("let's ...", "how about ...", "you could ...",
    "I'll ...") is answered by name: her reply repeats the proposal in her own words
    ("Send the ops lead a short note - okay, I can do that"). A proposal that matches an
    ``option`` fact gets that fact's line (which may welcome it or push back); otherwise
    she accepts when trust is high enough and hesitates when not. She never agrees to
    something the trainee did not say.

Every wording has at least four variants; :meth:`mentorkit.scenarios.engine.Session._say`
picks one from the seed, the reply and the conversation so far, and never repeats a line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from mentorkit.scenarios.facts import Fact, FactSheet, Match
from mentorkit.scenarios.speech import join_voiced, render, split_tag

__all__ = ["Answer", "stock_lines", "compose_answers", "question_sentences", "proposal_sentences", "proposal_phrase",
           "ANSWER_TRUST", "split_tag", "join_voiced"]

#: the least trust at which she takes up a proposal that is not on her sheet
ANSWER_TRUST = 0.45
_OPEN = frozenset({"what", "how", "why", "which", "tell", "walk", "describe", "talk", "share", "explain"})
_CLOSED = frozenset({"do", "does", "did", "is", "are", "was", "were", "can", "could", "would", "will", "have",
                     "has", "should", "shall", "may", "might", "am"})
_CHECK = frozenset({"sound", "work", "okay", "ok", "fair", "sense", "right", "alright", "good", "fine"})
_PROPOSE_HEADS = ("let's", "let us", "how about", "what about", "what if", "why don't", "why not", "i suggest",
                  "i'd suggest", "i would suggest", "i propose", "my suggestion", "you could", "you might",
                  "maybe you", "perhaps you", "we could", "could we", "shall we", "i'll", "i will", "i can",
                  "i'm going to", "could you", "would you", "can you", "try ", "i'd go", "i would go",
                  "we should", "you should", "i recommend", "i'd recommend", "my advice", "the plan is",
                  "next step", "maybe we", "perhaps we", "i'd like you to", "i want you to", "can we", "i'd use",
                  "i would use", "i'd pick", "go with")
#: verbs that ask for words, not for an action: "could you tell me ...?", "would you say ...?" are questions
_TELL_VERBS = frozenset({"say", "tell", "explain", "describe", "think", "feel", "know", "remember", "recall",
                         "guess", "imagine", "expect", "mean", "agree", "consider", "rate", "reckon", "believe"})
#: verbs that ask for words when a wh-clause or "me" follows ("could you share what went wrong?",
#: "can you walk me through it?"), and are actions otherwise ("could you share the slides with him?")
_TELL_IF = frozenset({"share", "talk", "walk", "give", "see", "find", "help", "name", "show", "clarify", "elaborate"})
_WH = frozenset({"what", "how", "why", "which", "when", "where", "who", "whom", "whose"})
#: a leading speaker tag in a group scene: "[Marco, private chat] ..."
_SWAP = {"your": "my", "yours": "mine", "you": "me", "my": "your", "mine": "yours", "me": "you",
         "i": "you", "yourself": "myself", "myself": "yourself", "we": "we", "us": "us", "our": "our"}

REFER_BACK = ("Like I said, {fact}", "As I mentioned, {fact}", "I think I said: {fact}",
              "Same as I said before: {fact}", "Right, as I told you, {fact}")
UNSURE = ("I'm not sure, honestly. I hadn't thought about that.",
          "Hm, I don't know. That's not something I've thought about.",
          "I'm not sure I can answer that one yet.",
          "Good question. I honestly don't know.",
          "I hadn't thought about that, to be honest.")
CHECK_YES = ("Yes, I think so.", "I think that works, yes.", "Yes, that makes sense to me.",
             "Mostly, yes.", "Yes. I can work with that.")
CHECK_UNSURE = ("I'm not sure yet.", "Maybe. I need to think about it.", "I don't know yet, honestly.",
                "Possibly. Let me sit with it.", "Not sure, to be honest.")
ACCEPT_THEY = ("{P}: okay, I can do that.", "Okay, I'll {p}.", "{P}? Yes, that I can do.",
               "Fine by me: I'll {p}.", "Alright, I'll {p}. That's doable.")
ACCEPT_WE = ("Okay, let's {p}.", "{P}: yes, let's do that.", "Let's {p}, then. That works for me.",
             "Yes, we can {p}.", "Sure, let's {p}.")
ADVICE = ("{P}, got it. Thanks.", "Okay, {p} it is.", "Great, I'll go with {p}.", "{P} then. That helps.",
          "Thanks, {p} makes sense.")
ACCEPT_MENTOR = ("Thanks, that would help: you'd {p}.", "If you could {p}, that would be great.",
                 "Thank you for offering to {p}.", "Yes please, {p} would help.",
                 "That's kind. You'll {p}, then?")
HESITATE = ("{P}? Maybe. I'm not sure yet.", "I don't know about that: {p}. Let me think.",
            "{P}... I'd need to think about it.", "Hm, {p}? I'm not convinced yet.",
            "Maybe. I'm not sure I want to {p}.")


def _lead(frame: str) -> str:
    """A frame's own words, without its slot ("Fair question. {fact}" -> "Fair question.")."""
    return frame.replace("{fact}", " ").strip()


def _framed(session, frame: str, said: str) -> str:
    """Her line *said* (a fact's wording) put into *frame*, noted as made of the two."""
    from mentorkit.scenarios.wording import frame_answer
    return session._compose(frame_answer(frame, said), _lead(frame), said)


def stock_lines() -> list[str]:
    """Every fixed line and frame wording the answers and uptakes use (not a scenario's own words):
    a line composed from them and a scenario's lines tells what its parts tell."""
    from mentorkit.scenarios.wording import ANSWER_FRAMES, CLOSED_FRAMES, OPTION_FRAMES, UPTAKES
    frames = (*ANSWER_FRAMES, *CLOSED_FRAMES, *OPTION_FRAMES, *REFER_BACK)
    lines = [_lead(f) for f in frames] + [*UNSURE, *CHECK_YES, *CHECK_UNSURE]
    lines += [u for pool in UPTAKES.values() for u in pool]
    return [ln for ln in dict.fromkeys(lines) if ln]


@dataclass
class Answer:
    """One part of the mentee's message: what it answers, the line, the facts it tells."""
    kind: str            # open | closed | unsure | check | proposal
    text: str            # the trainee's sentence it answers
    line: str            # what she says
    facts: tuple[str, ...] = ()


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and not text.startswith("I "):
        return text[0].lower() + text[1:]
    return text


def _content(sent) -> list:
    return [t for t in sent if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ", "NUM") and not t.is_stop]


def question_sentences(doc) -> list[tuple[int, object, str]]:
    """The question sentences of a parsed reply: ``(index, sentence, 'open' | 'closed')``."""
    out = []
    for i, s in enumerate(doc.sents):
        words = [t for t in s if not t.is_punct and not t.is_space]
        if not words:
            continue
        first = words[0].lower_
        asks = "?" in s.text or (first in ("tell", "walk", "describe") and any(t.lower_ == "me" for t in words[:3]))
        if not asks:
            continue
        wh = next((t.lower_ for t in words[:4] if t.lower_ in _OPEN), None)
        kind = "closed" if first in _CLOSED and wh is None else "open" if wh else "closed"
        out.append((i, s, kind))
    return out


def proposal_sentences(doc) -> list[tuple[int, object]]:
    """The sentences of a parsed reply that propose something."""
    out = []
    for i, s in enumerate(doc.sents):
        low = " " + s.text.lower().replace("\u2019", "'") + " "
        first = low.split()[0] if low.split() else ""
        if first in ("what", "how", "why", "which", "when", "where", "who") and not any(
                low.startswith(f" {h}") for h in ("how about", "what about", "what if", "why don't", "why not")):
            continue  # "how would you like to ...?" asks, it does not propose
        if any(f" {head}" in low for head in _PROPOSE_HEADS) and not _asks_for_words(s):
            out.append((i, s))
    return out


def _asks_for_words(sent) -> bool:
    """A question that asks her to say something, not to do it.

    "Would you say the relationship should take most of your attention?", "Could you tell
    me what happened?", "Can you walk me through it?", "Would you agree ...?": the main
    verb asks for her words or view, so it is a question to answer, never a proposal to
    take up. "What would you ...?" with a wh-word before the verb is a question too.
    """
    if "?" not in sent.text:
        return False
    low = sent.text.lower().replace("\u2019", "'")
    if any(h in low for h in ("how about", "what about", "what if", "why don't", "why not", "shall we")):
        return False
    root = next((t for t in sent if t.dep_ == "ROOT"), None)
    verbs = [t for t in sent if t.pos_ in ("VERB", "AUX") and t.dep_ not in ("aux", "auxpass")]
    first = next((t for t in verbs if t.pos_ == "VERB"), root)
    for v in (first, root):
        if v is None:
            continue
        if v.lemma_.lower() in _TELL_VERBS:
            return True
        if v.lemma_.lower() in _TELL_IF and any(t.lower_ in _WH or t.lower_ in ("me", "us") for t in sent
                                                if t.i > v.i):
            return True
    # an embedded wh-clause or a wh-word before the main verb: "could you see which ...", "when could you ..."
    head = first or root
    return head is not None and any(t.lower_ in _WH and t.i < head.i for t in sent)


def proposal_phrase(sent) -> tuple[str, str] | None:
    """The proposal of a sentence as a verb phrase in her words, and who would do it.

    Returns ``(phrase, actor)`` with actor ``mentee``, ``both``, ``mentor`` or ``advice``
    ("I'd go with a feature flag": the phrase is then the thing advised), or None when no
    verb phrase can be read.

    >>> from mentorkit.nlp import get_nlp
    >>> proposal_phrase(next(get_nlp("grader")("You could send their ops lead a short note tonight.").sents))
    ('send their ops lead a short note tonight', 'mentee')
    """
    toks = list(sent)
    low = sent.text.lower()
    verbs = [t for t in toks if t.pos_ in ("VERB",) and t.dep_ not in ("amod", "acomp")]
    if not verbs:
        return None
    # the verb the proposal is about: after the marker, the first non-light main verb
    head = None
    for v in verbs:
        if v.lemma_.lower() in ("let", "suggest", "propose", "think", "wonder", "mean", "like", "want", "say"):
            continue
        head = v
        break
    if head is None:
        return None
    subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    subj_low = subj.lower_ if subj is not None else ""
    if subj_low == "i" and head.lemma_.lower() in ("go", "recommend", "use", "pick", "choose", "prefer", "suggest"):
        obj = next((c for c in head.subtree if c.dep_ in ("dobj", "pobj") and c.pos_ in ("NOUN", "PROPN")), None)
        if obj is not None:
            words = [t.text for t in obj.subtree][:8]
            return " ".join(_SWAP.get(w.lower(), w) if w.lower() in ("your", "my") else w for w in words), "advice"
    if subj_low in ("i",) and "let" not in low:
        actor = "mentor"
    elif subj_low in ("we", "us") or "let's" in low or "let us" in low or "shall we" in low or "could we" in low:
        actor = "both"
    else:
        actor = "mentee"
    keep = []
    for t in head.subtree:
        if t.i < head.i and t.dep_ in ("nsubj", "aux", "advmod", "mark", "neg", "nsubjpass", "auxpass", "intj"):
            continue
        if t.i > head.i and t.dep_ in ("cc", "conj") and t.head.i == head.i:
            break
        if t.i > head.i and t.is_punct and t.text in ",;:?!.-\u2013\u2014":
            break
        keep.append(t)
    keep = [t for t in keep if t.i >= head.i][:12]
    if not keep:
        return None
    words = []
    for t in keep:
        if t.i == head.i:
            words.append(t.lemma_.lower() if t.tag_ != "VB" else t.lower_)
            continue
        swap = _SWAP.get(t.lower_)
        words.append(swap if swap is not None and t.pos_ == "PRON" else t.text)
    phrase = " ".join(words).replace(" 's", "'s").replace(" n't", "n't").replace(" ,", ",").strip()
    return (phrase, actor) if len(words) >= 2 else None


def _fact_line(fact: Fact, closed: bool, values: dict) -> str:
    return render(fact.short if closed and fact.short else fact.says, values)


def compose_answers(session, doc, matches: list[Match], already: set[str], foreign: list[bool],
                    reaction_told: frozenset[str] | set[str] = frozenset()) -> list[Answer]:
    """What the mentee answers to the questions and proposals of one reply.

    *matches* are the reply's fact-sheet matches, *already* the facts she has told
    (including in this message's reaction), *foreign* flags sentences about other things,
    *reaction_told* the facts this message's reaction tells: a question the reaction
    already answers (a fact of its topic) gets no second answer, and "I'm not sure" is
    never said beside a reaction that does answer.
    """
    sheet: FactSheet = session.scenario.facts
    values = session._values
    answers: list[Answer] = []
    told_now: set[str] = set()
    referred: set[str] = set()
    by_sent: dict[int, list[Match]] = {}
    for m in matches:
        if not foreign[m.sentence]:
            by_sent.setdefault(m.sentence, []).append(m)
    proposals = proposal_sentences(doc)
    proposal_idx = {i for i, _ in proposals}

    for i, sent, kind in question_sentences(doc)[:2]:
        if foreign[i] or i in proposal_idx:
            continue  # a proposal put as a question ("could we ...?") is answered as a proposal
        here = by_sent.get(i, [])
        direct = [sheet.fact(m.id) for m in here if m.kind == "fact"]
        topical = [f for m in here if m.kind == "topic" for f in sheet.topic_facts(m.id)]
        lemmas = {t.lemma_.lower() for t in sent}
        if not direct and lemmas & _CHECK and len(_content(sent)) <= 3:
            if not proposal_idx:  # "does that work?" after a proposal: the proposal's answer covers it
                pool = CHECK_YES if session.state["trust"] >= ANSWER_TRUST else CHECK_UNSURE
                answers.append(Answer("check", sent.text.strip(), session._say(pool, doc.text)))
            continue
        if not direct and not topical:
            asked_topics = {m.id for m in here if m.kind == "topic"}
            # the reaction answers it: a fact on the asked topic, or (a question naming nothing) any fact
            answered = any(asked_topics & set(sheet.fact(f).topics) for f in reaction_told) if asked_topics \
                else bool(reaction_told)
            if (any(m.kind in ("topic", "occasion", "who") for m in here) or (
                    not here and session._history.get("on_topic"))) and not answered and not any(
                    a.kind == "unsure" for a in answers):
                answers.append(Answer("unsure", sent.text.strip(), session._say(UNSURE, doc.text)))
            continue
        candidates = list(dict.fromkeys(direct + topical))
        if not direct and any(f.id in reaction_told for f in topical):
            continue  # her reaction already tells what this question asks about
        if kind == "open":
            fresh = [f for f in candidates if f.id not in already and f.id not in told_now and f.kind != "option"]
            fresh += [f for f in candidates if f.id not in already and f.id not in told_now and f.kind == "option"
                      and f.hidden and i not in proposal_idx]
            if fresh:
                chosen = fresh[:2]
                told_now.update(f.id for f in chosen)
                from mentorkit.scenarios.wording import ANSWER_FRAMES, frame_answer
                said = [_fact_line(f, False, values) for f in chosen]
                frame = session._say(ANSWER_FRAMES, doc.text + "|" + sent.text)
                lines = [frame_answer(frame, said[0]), *said[1:]]
                line = session._compose(join_voiced(lines), _lead(frame), *said)
                answers.append(Answer("open", sent.text.strip(), line, tuple(f.id for f in chosen)))
                continue
        else:
            best = next((f for f in candidates if f.id not in told_now), None)
            if best is not None and best.id not in already:
                told_now.add(best.id)
                from mentorkit.scenarios.wording import CLOSED_FRAMES
                frame = session._say(CLOSED_FRAMES, doc.text + "|" + sent.text)
                line = _framed(session, frame, _fact_line(best, True, values))
                answers.append(Answer("closed", sent.text.strip(), line, (best.id,)))
                continue
        # told before: she refers back to it, once per message (a second question on the same
        # fact gets no second copy of the same answer)
        told = [f for f in candidates if f.id in already and f.id not in told_now and f.id not in referred]
        if told:
            referred.add(told[0].id)
            said = _fact_line(told[0], True, values)
            tag, body = split_tag(said)
            frame = session._say(REFER_BACK, doc.text)
            line = frame.format(fact=_lower_first(body))
            line = session._compose(f"{tag} {line}" if tag else line, _lead(frame), said)
            answers.append(Answer("refer", sent.text.strip(), line, (told[0].id,)))

    for i, sent in proposals[:2]:
        if foreign[i]:
            continue
        here = by_sent.get(i, [])
        options = [sheet.fact(m.id) for m in here if m.kind == "fact" and sheet.fact(m.id).kind == "option"]
        fresh = [f for f in options if f.id not in already and f.id not in told_now]
        if fresh:
            told_now.add(fresh[0].id)
            from mentorkit.scenarios.wording import OPTION_FRAMES
            frame = session._say(OPTION_FRAMES, doc.text + "|" + sent.text)
            line = _framed(session, frame, _fact_line(fresh[0], False, values))
            answers.append(Answer("proposal", sent.text.strip(), line, (fresh[0].id,)))
            continue
        read = proposal_phrase(sent)
        if read is None:
            continue
        phrase, actor = read
        if session.state["trust"] >= ANSWER_TRUST or options:
            pool = {"mentee": ACCEPT_THEY, "both": ACCEPT_WE, "mentor": ACCEPT_MENTOR, "advice": ADVICE}[actor]
        else:
            pool = HESITATE
        line = session._say(pool, doc.text)
        line = line.replace("{P}", phrase[:1].upper() + phrase[1:]).replace("{p}", phrase)
        answers.append(Answer("proposal", sent.text.strip(), line, tuple(f.id for f in options[:1])))
    # never the same words twice in one message, whatever asked for them
    out, seen = [], set()
    for a in answers:
        key = " ".join(split_tag(a.line)[1].lower().split())
        if key and key not in seen:
            seen.add(key)
            out.append(a)
    return out
