"""Rule-guided softening of harsh written messages, using the parse.

:func:`soften` keeps what the message says and changes how it says it:

1. **acknowledge** -- opens by naming the thing being discussed (the first noun phrase
   of the harsh sentence: "I can see the work that's gone into this approach.");
2. **reframe** each harsh sentence, by its form:

   * a negated verdict ("This approach won't work.") -> "I'm not sure this approach will
     work as it stands.";
   * a harsh predicate ("The report is sloppy.") -> "I think the report isn't quite where
     it needs to be yet.";
   * sweeping words ("You never listen") -> "You don't always listen";
   * a command ("Fix it before Friday.") -> "Could you fix it before Friday?";
     "Don't ever X again" -> "Please try not to X.";
   * a rhetorical question ("Why would you send that?") -> "Can you help me understand
     why you would send that?"; "Did you even read it?" -> "Did you get a chance to read it?";
   * any other statement with a harsh word -> "I'm concerned that ..." with intensifiers and
     shouting removed; a plain clause without one that still reads as a verdict ("This is the third
     time this week.") -> "I've noticed that ..."; a sarcastic fragment is kept as written rather
     than forced into a frame;

3. **offer alternatives** and 4. **state support**, unless the message already does.

A letter's greeting line and closing lines ("Hi Lily," ... "Regards, Meg") are its frame: kept in
place (the closing last), never reframed and never taken for the topic.

Sentences that were not harsh are kept as written, in place. Which ones are harsh is given
(:func:`mentorkit.skills.intent_tone.soften` asks the intent_tone model), so this module uses
no model.

>>> soften("This approach won't work.", None, [0])
"I can see the thinking behind this approach. I'm not sure this approach will work as it stands. Could we look at a couple of alternatives together? I'm happy to help you work through it."
"""
from __future__ import annotations

import re
from typing import Iterable

from spacy.tokens import Doc, Span as SpacySpan, Token

from mentorkit.nlp import get_nlp
from mentorkit.normalise import emoji_names
from mentorkit.skills import cues

__all__ = ["soften", "reframe", "topic_phrase", "acknowledge", "strip_intensifiers", "third_person",
           "written_here", "ALTERNATIVE", "SUPPORT"]

ALTERNATIVE = "Could we look at a couple of alternatives together?"
SUPPORT = "I'm happy to help you work through it."

_DROP = {"just", "obviously", "clearly", "simply", "seriously", "literally", "frankly", "honestly", "even",
         "totally", "completely", "absolutely", "utterly", "ever", "really", "ffs", "ugh", "wow", "nope",
         "again", "right", "now", "wildly", "massively", "hugely"}
_KEEP_NOW_AFTER = {"right"}  # "right now" is dropped as a pair; "now" alone only when it is an advmod
_INTERJECTIONS = {"ugh", "wow", "ffs", "nope", "seriously", "no", "ok", "honestly", "look", "well", "oh", "ah"}
_HARSH_PRED = {
    "wrong": "isn't quite right yet", "incorrect": "isn't quite right yet",
}
_DEFAULT_PRED = "isn't quite where it needs to be yet"
_STOP_TOPICS = {"time", "way", "thing", "everyone", "nobody", "anyone", "someone", "one", "lot", "bit",
                "attitude", "behaviour", "behavior", "tone", "lack", "preparation", "work", "effort",
                "mess", "waste", "joke", "garbage", "rubbish", "disaster", "nonsense", "problem", "excuses",
                "excuse", "standard", "minute", "times", "hour", "hours", "week", "day", "head", "question",
                "people", "person", "guys", "folks", "team", "colleagues", "everybody", "somebody", "anybody"}
_NEG_AUX = {"wo": "will", "ca": "can", "is": "is", "are": "are", "was": "was", "were": "were", "should": "should",
            "would": "would", "could": "could", "will": "will", "can": "can", "has": "has", "have": "have",
            "does": None, "do": None, "did": None, "'s": "is", "'re": "are", "must": "must"}
_IRREGULAR_3SG = {"have": "has", "do": "does", "go": "goes", "be": "is"}


def third_person(verb: str) -> str:
    """Third-person singular present of a base-form verb.

    >>> [third_person(v) for v in ("make", "fix", "try", "have", "go")]
    ['makes', 'fixes', 'tries', 'has', 'goes']
    """
    v = verb.lower()
    if v in _IRREGULAR_3SG:
        return _IRREGULAR_3SG[v]
    if re.search(r"(s|sh|ch|x|z|o)$", v):
        return v + "es"
    if re.search(r"[^aeiou]y$", v):
        return v[:-1] + "ies"
    return v + "s"


def _render(tokens: Iterable[Token], replace: dict[int, str] | None = None, drop: set[int] | None = None) -> str:
    """Rebuild text from tokens, replacing or dropping some by index, keeping the original spacing."""
    replace, drop = replace or {}, drop or set()
    out: list[str] = []
    prev = None
    for t in tokens:
        if t.i in drop:
            if t.whitespace_ and out and not out[-1].endswith(" "):
                out[-1] += t.whitespace_
            continue
        # a word whose neighbour was left out of *tokens* ("like, I" without the comma) keeps a space
        if out and prev is not None and t.i > prev + 1 and not t.is_punct and not out[-1].endswith(" "):
            out[-1] += " "
        out.append(replace.get(t.i, t.text) + t.whitespace_)
        prev = t.i
    s = "".join(out)
    s = re.sub(r"\s+([,.;:!?])", r"\1", s)
    s = re.sub(r"\s{2,}", " ", s)
    return s.strip()


def _droppable(t: Token) -> bool:
    low = t.lower_
    if low == "now":
        return t.dep_ == "advmod"
    if low == "right":
        return t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "now"
    if low == "again":
        return t.dep_ == "advmod"
    if low in ("really", "ever", "wildly", "massively", "hugely"):
        return t.dep_ == "advmod"
    return low in _DROP and t.dep_ in ("advmod", "intj", "dep", "ROOT", "npadvmod", "amod", "punct", "")


# set phrases that frame a verdict without adding to it: an opening ("kindly note that", "no offence
# but", "with all due respect,") or a closing ("end of story", "period"); left out of the reframed sentence
# ("kindly remind your team ..." is a verb, not a formula; "with respect to the budget" and "no offence
# to you" go on, so those are left alone)
_FORMULA_OPEN = re.compile(r"^\s*(?:(?:kindly|please)\s+(?:note|be (?:reminded|advised|informed))(?:\s+that)?"
                           r"|no offen[cs]e(?:,)?(?:\s+but)?|with (?:all )?(?:due )?respect(?!\s+(?:to|for)\b)(?:,)?"
                           r"|for the record(?:,)?|just so you know(?:,)?|to be (?:honest|frank)(?:,)?)"
                           r"(?:[\s,:]+|$)(?!(?:to|intended|meant|taken)\b)", re.I)
# ("period" and "full stop" only after a comma or dash: "at the usual period." keeps its noun)
_FORMULA_CLOSE = re.compile(r"(?:[\s,;-]+end of (?:story|discussion)|\s*[,;-]\s*(?:period|full stop|no discussion|"
                            r"no excuses))\s*[.!]*\s*$", re.I)


def _formula_tokens(unit: SpacySpan) -> set[int]:
    """Indexes of the tokens of a formula opening or closing of *unit* (see ``_FORMULA_OPEN``)."""
    out: set[int] = set()
    text, base = unit.text, unit.start_char
    for m in (_FORMULA_OPEN.match(text), _FORMULA_CLOSE.search(text)):
        if m and m.group(0).strip(" ,.!"):
            out |= {t.i for t in unit if base + m.start() <= t.idx < base + m.end()}
    return out


def strip_intensifiers(unit: SpacySpan) -> tuple[list[Token], set[int], dict[int, str]]:
    """Tokens of *unit* and the indexes to drop (intensifiers, leading interjections) and respell
    (capitals, repeated ! and ?)."""
    toks = [t for t in unit if not t.is_space]
    drop = {t.i for t in toks if _droppable(t)} | _formula_tokens(unit)
    # a leading interjection or a one-word exclamation before the sentence proper ("ugh, ...", "seriously?")
    lead = [t for t in toks if t.i not in drop]
    while lead and (lead[0].lower_ in _INTERJECTIONS or lead[0].is_punct
                    or lead[0].dep_ == "cc" and lead[0] is toks[0]):  # "but this is sloppy", split off a clause
        drop.add(lead[0].i)
        lead = lead[1:]
    replace: dict[int, str] = {}
    for t in toks:
        if t.is_alpha and len(t.text) >= 3 and t.text.isupper():
            replace[t.i] = t.text.lower()
        if t.is_punct and re.fullmatch(r"[!?]{2,}|\?!|!\?", t.text):
            replace[t.i] = "?" if "?" in t.text else "."
        elif t.text == "!":
            replace[t.i] = "."
    return toks, drop, replace


def _sentence_case(s: str) -> str:
    s = s.strip()
    return s[:1].upper() + s[1:] if s else s


def _lower_first(s: str, first: Token | None) -> str:
    if not s:
        return s
    if first is not None and (first.text == "I" or first.pos_ == "PROPN" or first.text.isupper() and len(first.text) > 1):
        return s
    return s[:1].lower() + s[1:]


def _end(s: str, mark: str = ".") -> str:
    s = s.rstrip(" .!?,;:")
    return s + mark if s else s


def topic_phrase(unit: SpacySpan) -> str | None:
    """The thing a harsh sentence passes a verdict on (its subject noun phrase), or None.

    >>> topic_phrase(get_nlp("grader")("This approach won't work.")[:])
    'this approach'
    """
    root = _root(unit)
    subj = _subject(root, unit) if root is not None else None
    if subj is None or subj.pos_ in ("PRON", "PROPN") or subj.lower_ in _STOP_TOPICS \
            or subj.lemma_.lower() in _STOP_TOPICS:
        return None  # a name is the person spoken to or about, not the thing the verdict is on
    left = [t for t in subj.subtree if t.i <= subj.i]
    det = ""
    if left and (left[0].dep_ == "det" or left[0].tag_ == "PRP$"):
        det = left[0].lower_
        det = {"a": "the", "an": "the", "no": "the", "any": "the", "every": "the", "each": "the",
               "my": "the", "another": "the"}.get(det, det)
        left = left[1:]
    # start after the last harsh or superlative word ("the worst pull request" -> "pull request")
    cut = 0
    for k, t in enumerate(left):
        if t.lower_ in cues.HARSH_WORDS or t.lower_ in _DROP or t.tag_ == "JJS":
            cut = k + 1
    left = left[cut:]
    if not left:
        return None
    words = unit.doc[left[0].i:subj.i + 1].text
    if left[0].pos_ != "PROPN":
        words = words[:1].lower() + words[1:]
    return f"{det or 'the'} {words}"


def acknowledge(topic: str | None, about_you: bool) -> str:
    """The opening line: name the thing under discussion, or the person's effort."""
    if topic:
        return f"I can see the thinking behind {topic}."
    if about_you:
        return "I know you've been putting a lot into this."
    return "I can see the work that's gone into this."


def _root(unit: SpacySpan) -> Token | None:
    roots = [t for t in unit if t.dep_ == "ROOT"]
    return roots[0] if roots else None


def _subject(root: Token, unit: SpacySpan | None = None) -> Token | None:
    """The subject of *root*, inside *unit* when given (the parser may join a greeting line to the
    next one and take the name for a subject)."""
    for c in root.children:
        if c.dep_ in ("nsubj", "nsubjpass", "expl") and (unit is None or unit.start <= c.i < unit.end):
            return c
    return None


def _negated_verdict(unit: SpacySpan, toks, drop, replace) -> str | None:
    root = _root(unit)
    if root is None or cues.is_question(unit):
        return None
    neg = [c for c in root.children if c.dep_ == "neg"]
    aux = [c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i]
    subj = _subject(root, unit)
    if not neg or subj is None or subj.lower_ in ("i", "we"):
        return None
    if root.lemma_ == "be" and not any(c.dep_ == "acomp" for c in root.children):
        return None  # "That's not my problem": no verdict to hedge
    if root.lemma_ == "be" and not aux:  # "This isn't good enough"
        aux = [root]
    if not aux:
        return None
    a = aux[-1]
    key = a.lower_
    if key not in _NEG_AUX:
        return None
    new_drop = set(drop) | {n.i for n in neg}
    new_rep = dict(replace)
    if _NEG_AUX[key] is None:  # do-support: "doesn't make sense" -> "makes sense"
        if key == "did":
            return None
        new_drop.add(a.i)
        if key == "does":
            new_rep[root.i] = third_person(root.text)
    else:
        new_rep[a.i] = _NEG_AUX[key] if a.text[:1].islower() or a.i != unit.start else _NEG_AUX[key].capitalize()
        if key == "'s":
            new_rep[a.i] = " is"
        elif key == "'re":
            new_rep[a.i] = " are"
    start = min(t.i for t in subj.subtree)
    cut = {t.i for c in root.children if c.dep_ in ("cc", "conj") and c.i > root.i for t in c.subtree}
    body = _render([t for t in toks if t.i >= start and t.i not in cut], new_rep, new_drop)
    body = _lower_first(body, unit.doc[start])
    tail = " as it stands" if subj.lower_ not in ("you", "u") and key in ("wo", "will", "ca", "can", "is", "'s",
                                                                         "are", "'re") else ""
    return _end(f"I'm not sure {body.rstrip(' .!?,;:')}{tail}")


def _pred_clause(verb: Token, drop: set[int], replace: dict[int, str]) -> str | None:
    """``subject + softened predicate (+ what follows)`` for a copular clause with a harsh predicate."""
    if verb.lemma_ != "be" or any(c.dep_ == "neg" for c in verb.children):
        return None
    subj = _subject(verb)
    preds = [c for c in verb.children if c.dep_ in ("acomp", "attr")]
    if subj is None or not preds or subj.lower_ in ("i", "we"):
        return None
    pred = preds[0]
    pred_words = {t.lower_ for t in pred.subtree} | {t.lemma_.lower() for t in pred.subtree}
    if not pred_words & cues.HARSH_WORDS:
        return None
    harsh_word = next((w for w in pred_words if w in _HARSH_PRED), None)
    phrase = _HARSH_PRED.get(harsh_word, _DEFAULT_PRED) if harsh_word else _DEFAULT_PRED
    if verb.tag_ == "VBD":
        phrase = phrase.replace("isn't", "wasn't").replace(" yet", "")
    plural = subj.lower_ in ("you", "u", "they", "we") or subj.tag_ in ("NNS", "NNPS")
    if plural:
        phrase = phrase.replace("isn't", "aren't").replace("wasn't", "weren't")
    if subj.lower_ in ("this", "that", "it") and pred.dep_ == "attr" and pred.pos_ == "NOUN" \
            and pred.lower_ not in _STOP_TOPICS:
        left = [t for t in pred.subtree if t.i <= pred.i]
        cut = max([k + 1 for k, t in enumerate(left) if t.lower_ in cues.HARSH_WORDS or t.tag_ == "JJS"
                   or t.dep_ == "det"] or [0])
        noun = verb.doc[left[cut].i:pred.i + 1].text.lower() if cut < len(left) else pred.lower_
        return f"{subj.lower_} {noun} {phrase}"
    subj_words = [t for t in subj.subtree if t.i not in drop]
    subj_text = _lower_first(_render(subj_words, replace), subj_words[0] if subj_words else None)
    # "sloppy and full of errors": keep what the other conjunct names ("I spotted some errors in it")
    found = [t for c in pred.children if c.dep_ == "conj" for t in c.subtree
             if t.pos_ == "NOUN" and t.dep_ == "pobj" and t.lower_ not in cues.HARSH_WORDS]
    conj_ids = {t.i for c in pred.children if c.dep_ in ("conj", "cc") for t in c.subtree}
    last = max(x.i for x in pred.subtree if x.i not in conj_ids)
    after = [t for t in verb.subtree if t.i > last and not t.is_punct and t.i not in conj_ids
             and not any(a.dep_ in ("cc", "conj") and a.head == verb for a in [t] + list(t.ancestors))]
    tail = (" " + _render(after, replace, drop)) if after else ""
    extra = f"; I spotted some {found[0].lower_} in it" if found else ""
    return f"{subj_text} {phrase}{tail}{extra}"


def _harsh_predicate(unit: SpacySpan, toks, drop, replace) -> str | None:
    root = _root(unit)
    if root is None or cues.is_question(unit):
        return None
    main = _pred_clause(root, drop, replace)
    if main is None:
        return None
    parts = [main]
    for c in root.children:
        if c.dep_ == "conj":
            extra = _pred_clause(c, drop, replace)
            if extra:
                parts.append(extra)
    return _end("I think " + ", and ".join(parts))


def _sweeping(unit: SpacySpan, toks, drop, replace) -> str | None:
    changed = False
    rep = dict(replace)
    new_drop = set(drop)
    for t in toks:
        if t.lower_ == "always" and t.dep_ == "advmod":
            rep[t.i] = "often"
            changed = True
        elif t.lower_ == "never" and t.dep_ in ("neg", "advmod"):
            head = t.head
            if any(c.dep_ == "aux" and c.tag_ == "MD" for c in head.children):  # "it'll never pass"
                rep[t.i] = "not always"
            elif head.tag_ == "VBZ":
                rep[t.i] = "doesn't always"
                rep[head.i] = head.lemma_
            elif head.tag_ == "VBD":
                rep[t.i] = "didn't always"
                rep[head.i] = head.lemma_
            elif head.tag_ in ("VB", "VBP"):
                rep[t.i] = "don't always"
            else:
                rep[t.i] = "not always"
            changed = True
    if not changed or cues.is_question(unit):
        return None
    body = _render(toks, rep, new_drop)
    if cues.second_person_subject(unit):
        return _end("I've noticed that " + _lower_first(body, toks[0] if toks else None))
    return _end(_sentence_case(body))


def _command(unit: SpacySpan, toks, drop, replace) -> str | None:
    kept = [t for t in toks if t.i not in drop and not t.is_punct]
    if not kept:
        return None
    first = kept[0]
    if first.lower_ in ("do", "don't", "dont") and len(kept) > 1 and kept[1].lower_ in ("n't", "not"):
        rest = kept[2:]
        if first.lower_ in ("don't", "dont"):
            rest = kept[1:]
        if not rest:
            return None
        body = _render(rest, replace, drop)
        return _end(f"Please try not to {_lower_first(body, rest[0])}")
    if first.lower_ in ("don't", "dont"):
        body = _render(kept[1:], replace, drop)
        return _end(f"Please try not to {_lower_first(body, kept[1] if len(kept) > 1 else None)}") if body else None
    if first.lower_ == "please" and len(kept) > 1:  # "Please stop sending drafts." is still a bare command
        first = kept[1]
    if not cues.imperative(unit) or first.tag_ != "VB":
        return None
    body = _render([t for t in toks if t.i >= first.i], replace, drop)
    # "... or don't bother" / "... or don't do it" tails are threats: drop them
    body = re.sub(r",?\s+or (else|don'?t\b.*)$", "", body, flags=re.I)
    return _end(f"Could you {_lower_first(body, first)}", "?")


def _looks_like_question(unit: SpacySpan) -> bool:
    toks = cues.opening(unit)
    return cues.is_question(unit) or (len(toks) > 1 and toks[0].lower_ in cues.WH_WORDS
                                       and (toks[1].pos_ == "AUX" or toks[1].tag_ == "MD"))


def _question(unit: SpacySpan, toks, drop, replace) -> str | None:
    if not _looks_like_question(unit):
        return None
    kept = [t for t in toks if t.i not in drop and not t.is_punct]
    if not kept:
        return None
    low = [t.lower_ for t in kept]
    if low[:3] == ["what", "were", "you"] and "thinking" in low:
        return "Can you walk me through your thinking?"
    if low[0] in ("why", "how") and len(kept) >= 3 and (kept[1].pos_ == "AUX" or kept[1].tag_ == "MD"):
        wh, aux = kept[0], kept[1]
        rest = kept[2:]
        neg = [t for t in rest if t.lower_ in ("n't", "not")] + ([aux] if aux.lower_ in ("n't",) else [])
        subj = next((t for t in rest if t.dep_ in ("nsubj", "nsubjpass", "expl")), None)
        if subj is None:
            return None
        body_toks = [t for t in rest if t.i > subj.i and t.lower_ not in ("n't", "not")]
        body = _render(body_toks, replace, drop)
        if wh.lower_ == "how" and low[1:3] != ["could", "you"]:
            return None
        if neg and subj.lower_ in ("you", "u"):
            return _end(f"Can you help me understand what makes it hard to {body}", "?")
        if aux.lower_ in ("did", "do", "does") and subj.lower_ in ("you", "u"):
            return _end(f"Can you help me understand what led you to {body}", "?")
        aux_text = aux.text.lower()
        aux_text = {"'s": "is", "'re": "are", "ca": "can", "wo": "will"}.get(aux_text, aux_text)
        subj_text = _render([t for t in subj.subtree if t.i not in drop], replace)
        subj_text = _lower_first(subj_text, subj)
        body = _render([t for t in rest if t.i > max(x.i for x in subj.subtree) and t.lower_ != "n't"],
                       replace, drop)
        negword = " not" if any(t.lower_ == "n't" for t in rest) else ""
        return _end(f"Can you help me understand why {subj_text} {aux_text}{negword} {body}".replace("  ", " "),
                    "?")
    if low[:2] in (["did", "you"], ["have", "you"]) and len(kept) > 2:
        verb = kept[2]
        body = _render([t for t in toks if t.i > verb.i], replace, drop)
        base = verb.lemma_ if low[0] == "have" else verb.text
        return _end(f"Did you get a chance to {base} {body}".strip(), "?")
    return None


def _fallback(unit: SpacySpan, toks, drop, replace) -> str:
    kept = [t for t in toks if t.i not in drop]
    content = [t for t in kept if not t.is_punct]
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in content)
    if not has_verb:
        nouns = [t for t in content if t.pos_ in ("NOUN", "PROPN") and t.lower_ not in _STOP_TOPICS]
        if nouns and len(content) > 1:  # a one-word fragment ("Amateur.") is the verdict, not its topic
            return f"I have some concerns about the {nouns[0].lower_}."
        return "I have some concerns about this."
    body = _render(kept, replace, drop)
    if _looks_like_question(unit):
        return "Can you walk me through your thinking here?"
    root = _root(unit)
    subj = _subject(root, unit) if root is not None else None
    negated = any(t.dep_ == "neg" for t in unit)
    you = subj is not None and subj.lower_ in ("you", "u")
    if not cues.harsh_words(unit) and not (you and negated):
        if you and root is not None and root.tag_ == "VBD":  # "You promised this last week."
            return _end("I know " + _lower_first(body, kept[0] if kept else None))
        if subj is not None and subj.lower_ in ("i", "we"):
            return _end(body)  # the writer's own plain fact ("I asked for it last week") stays as it is
        # a statement with no harsh word that still reads as a verdict ("This is the third time this
        # week."): said as what the writer noticed, when it is a plain clause that opens with its
        # subject; anything else (sarcasm, a fragment) stays as it is rather than turn into nonsense
        plain = subj is not None and root.tag_ != "VB" and kept and min(t.i for t in subj.subtree) == kept[0].i \
            and not emoji_names(unit.text)
        return _end("I've noticed that " + _lower_first(body, kept[0])) if plain else _end(body)
    return _end("I'm concerned that " + _lower_first(body, kept[0] if kept else None))


_SPECIAL = [
    (re.compile(r"^i'?m (so |really |just )?(tired|sick|fed up) (of|with) (.+)$", re.I),
     lambda m: f"I'd like us to find a way to avoid {m.group(4)}"),
    (re.compile(r"^i'?m (so |really |just )?(shocked|stunned|amazed) (that )?(.+)$", re.I),
     lambda m: f"I was surprised {m.group(4)}"),
    (re.compile(r"^i (can'?t|cannot) believe (that )?(.+)$", re.I), lambda m: f"I was surprised that {m.group(3)}"),
    (re.compile(r"^i'?m (so |really |very )?disappointed\b.*$", re.I),
     lambda m: "I was hoping for something different here"),
    (re.compile(r"^i expected (much |a lot |far )?better( from you)?\b.*$", re.I),
     lambda m: "I know you can take this further"),
    (re.compile(r"^i don'?t know what you were thinking$", re.I), lambda m: "Can you walk me through your thinking"),
    (re.compile(r"^you should (know|have known) better\b.*$", re.I), lambda m: "I know you know how this should go"),
    (re.compile(r"^you (need|have|ought) to (.+)$", re.I), lambda m: f"I think it would help to {m.group(2)}"),
    # an order, not a guess ("you must be kidding", "you must have known", "you must think ..."")
    (re.compile(r"^you must (?!(?:be|have|think|know|feel|see|realise|realize)\b)(.+)$", re.I),
     lambda m: f"I think it would help to {m.group(1)}"),
    (re.compile(r"^i don'?t care (how|what|when|who)\b([^,]*),\s*(.+)$", re.I),
     lambda m: f"I'm flexible on {m.group(1)}{m.group(2)}, but could you {m.group(3)}"),
    (re.compile(r"^why is (this|it|that) so (hard|difficult) for you$", re.I),
     lambda m: f"What's making {m.group(1).lower()} hard for you at the moment"),
    (re.compile(r"^how many times do i have to (.+)$", re.I),
     lambda m: f"I feel like I've had to {m.group(1)} a few times, so could we find a way to make it stick"),
    (re.compile(r"^(that'?s|this is|it'?s) not my (problem|job|concern)$", re.I),
     lambda m: "I don't think this one is mine to solve, so let's work out who is best placed to help"),
    (re.compile(r"^i don'?t have time for (this|that)$", re.I),
     lambda m: f"I'm short on time for {m.group(1)} right now, so let's find a slot that works"),
]


def _special(unit: SpacySpan, toks, drop, replace) -> str | None:
    kept = [t for t in toks if t.i not in drop]
    body = _render(kept, replace).rstrip(" .!?")
    for pattern, build in _SPECIAL:
        m = pattern.match(cues.norm(body))
        if m:
            out = build(m)
            mark = "?" if "could we find" in out or "could you" in out or out.startswith(("Can you", "What")) else "."
            return _end(out, mark)
    return None


def reframe(unit: SpacySpan, last_resort: bool = False) -> str:
    """A softer sentence that keeps what *unit* (one harsh sentence) says.

    Where no frame fits (sarcasm, a plain clause that is not a verdict), the sentence is kept as
    written; with *last_resort* (the model still reads that sentence as harsh after one rewrite) it
    is said as a plain concern instead, since a suggestion must not keep the harm.

    >>> reframe(get_nlp("grader")("Fix it before anyone else sees it.")[:])
    'Could you fix it before anyone else sees it?'
    >>> reframe(get_nlp("grader")("Sure, take another week, the client can wait.")[:], last_resort=True)
    'I have some concerns about this.'
    >>> reframe(get_nlp("grader")("No offence,")[:])
    ''
    """
    toks, drop, replace = strip_intensifiers(unit)
    if not any(t.i not in drop and not t.is_punct for t in toks):
        return ""  # only a formula or an interjection ("No offence,", "Ugh."): nothing to say again
    for rule in (_special, _negated_verdict, _harsh_predicate, _question, _command, _sweeping):
        out = rule(unit, toks, drop, replace)
        if out:
            return _sentence_case(out)
    out = _sentence_case(_fallback(unit, toks, drop, replace))
    if last_resort and not written_here(out):
        # not the sentence's subject: in sarcasm that is rarely what the concern is about
        return "I have some concerns about this."
    return out


_SALUTATION = re.compile(r"^((?:dear|hi|hello|hey)\s+[A-Z][\w'\u00C0-\u024F-]*\s*,)\s*", re.I)
_ACK_RE = re.compile(r"\b(thanks?|thank you|appreciate|i can see|i know|great|good work|well done)\b", re.I)
_ALTERNATIVE_RE = re.compile(r"\b(alternative|option|another way|other ways|instead|could we|shall we|let'?s)\b", re.I)
_SUPPORT_RE = re.compile(r"\b(happy to help|i'?m here|let me know|i can help|support you|help you|with you)\b", re.I)


def soften(text: str, doc: Doc | None, harsh_units: Iterable[int], last_resort: bool = False) -> str:
    """A softer phrasing of *text* that keeps its content (see the module docstring).

    *doc* is the parse of *text* (parsed here when None); *harsh_units* are the indexes (into
    :func:`mentorkit.skills.tagger.units`) of the sentences to reframe. Which sentences read
    as harsh is the intent_tone model's call: :func:`mentorkit.skills.intent_tone.soften`
    asks it and calls this. *last_resort* is passed on to :func:`reframe` (the second reading).

    >>> soften("You never reply on time. Fix it.", None, [0])
    "I know you've been putting a lot into this. I've noticed that you don't always reply on time. Could you fix it? Could we look at a couple of alternatives together? I'm happy to help you work through it."
    """
    from mentorkit.skills.tagger import salutation_only, units as split_units

    if doc is None:
        doc = get_nlp("grader")(text)
    us = split_units(doc)
    if not us:
        return text
    harsh = {i for i in harsh_units if 0 <= i < len(us)}
    if not harsh:
        return text
    flagged = set(harsh)
    # a bare command in a message that already reads as harsh is part of the harshness
    harsh |= {i for i, u in enumerate(us) if cues.imperative(u) and "please" not in cues.lower_text(u)}
    # a greeting line ("Hi Lily,") and a closing name line ("Andrew") are the letter's frame, not
    # its tone: never reframed, never the topic, and the name stays last, after the added lines
    # (a one-word line the model reads as harsh, "Amateur.", is a verdict, not a signature)
    frame = {i for i, u in enumerate(us) if _frame_line(u) and (salutation_only(u) or i not in flagged)}
    harsh -= frame
    if not harsh:
        return text
    # the closing lines ("Regards," and "Meg"): the trailing run of frame lines that are not a greeting
    tail = len(us)
    while tail > 1 and (tail - 1) in frame and not salutation_only(us[tail - 1]):
        tail -= 1
    sign_off = " ".join(u.text.strip() for u in us[tail:]) or None
    first_i = min(harsh)
    bodies = {i: _after_greeting(us[i]) for i in harsh}
    topic = next((t for t in (topic_phrase(bodies[i][1]) or _attr_topic(bodies[i][1]) for i in sorted(harsh))
                  if t), None)
    before = " ".join(u.text for u in us[:first_i])
    parts: list[str] = []
    for i, u in enumerate(us):
        body = u
        if i in harsh:
            greeting, body = bodies[i]
            if greeting:  # "Dear Tomás, I'm disappointed" -> keep the greeting, soften the rest
                parts.append(greeting)
        if i == first_i and not _ACK_RE.search(before):
            parts.append(acknowledge(topic, cues.second_person_subject(body) or "your" in cues.lower_text(body)))
        if i in harsh:
            parts.append(reframe(body, last_resort))
        elif i >= tail:
            continue
        elif i in frame:
            parts.append(u.text.strip())
        else:
            kept = _sentence_case(u.text.strip().rstrip(",;"))
            parts.append(kept if re.search(r"[.!?:)]$", kept) else kept + ".")
    rest = " ".join(u.text for i, u in enumerate(us) if i not in harsh)
    if not _ALTERNATIVE_RE.search(rest):
        parts.append(ALTERNATIVE)
    if not _SUPPORT_RE.search(rest):
        parts.append(SUPPORT)
    if sign_off:
        parts.append(sign_off)
    # two harsh fragments can soften to the same line ("Great. Just great." -> two concerns): say it once
    parts = [p for k, p in enumerate(parts) if p and (k == 0 or p != parts[k - 1])]
    return " ".join(parts)


def _after_greeting(unit: SpacySpan) -> tuple[str | None, SpacySpan]:
    """A unit that opens with a greeting ("Dear Tomás, I'm disappointed"): the greeting, and the rest."""
    m = _SALUTATION.match(unit.text)
    if not m:
        return None, unit
    rest = unit.doc.char_span(unit.start_char + m.end(), unit.end_char, alignment_mode="expand")
    return m.group(1).strip(), (rest if rest is not None and len(rest) else unit)


def _frame_line(unit: SpacySpan) -> bool:
    """A unit that is only a greeting ("Hi Lily,", "Dear Mr Kowalski,": the tone tagger's own
    :func:`~mentorkit.skills.tagger.salutation_only`) or only a name or sign-off ("Andrew", "Best, Meg")."""
    from mentorkit.skills.tagger import salutation_only

    words = [t for t in unit if not (t.is_punct or t.is_space)]
    if not words:
        return False
    if salutation_only(unit):
        return True
    closers = {"best", "thanks", "regards", "cheers", "kind", "warm", "warmly", "sincerely", "many", "yours"}
    return len(words) <= 3 and all(t.pos_ == "PROPN" or t.lower_ in closers for t in words) \
        and any(t.pos_ == "PROPN" or t.lower_ in ("regards", "sincerely", "cheers", "best") for t in words)


_WRITTEN_HERE = re.compile(r"^(I can see the|I know you've been|I'm not sure|I think|Could you|Can you|"
                          r"I'm concerned that|I've noticed|Please try not to|Did you get a chance|"
                          r"I have some concerns|I was hoping|I was surprised|I'd like us to|I know )")


def written_here(sentence: str) -> bool:
    """Whether *sentence* is one :func:`soften` writes (an opening, a reframed sentence, the added
    offers), not one kept from the message.

    >>> written_here(ALTERNATIVE), written_here("It's unprofessional.")
    (True, False)
    """
    s = sentence.strip()
    return s in (ALTERNATIVE, SUPPORT) or bool(_WRITTEN_HERE.match(s))


def _attr_topic(unit: SpacySpan) -> str | None:
    """"This is the worst pull request ..." -> "this pull request"."""
    root = _root(unit)
    if root is None or root.lemma_ != "be":
        return None
    subj = _subject(root, unit)
    attr = next((c for c in root.children if c.dep_ == "attr" and c.pos_ == "NOUN"), None)
    if subj is None or attr is None or subj.lower_ not in ("this", "that", "it") or attr.lower_ in _STOP_TOPICS:
        return None
    left = [t for t in attr.subtree if t.i <= attr.i]
    cut = max([k + 1 for k, t in enumerate(left) if t.lower_ in cues.HARSH_WORDS or t.tag_ == "JJS"
               or t.dep_ == "det"] or [0])
    if cut >= len(left):
        return f"this {attr.lower_}"
    return "this " + unit.doc[left[cut].i:attr.i + 1].text.lower()
