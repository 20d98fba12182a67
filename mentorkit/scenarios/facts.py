"""A scenario's fact sheet: what really happened, what the mentee feels and wants, what she says only when asked.

Like a standardized patient's case script, the fact sheet is the single source the
simulated mentee answers from and the debrief credits against. A reply earns credit
for a part (a situation, a behaviour, a reflection, a question, a recap item ...) only
when the part refers to something on this sheet (see :mod:`mentorkit.scenarios.grounding`).

The format (the ``facts`` field of a scenario file)
----------------------------------------------------

.. code-block:: yaml

    facts:
      about: the review call this morning   # what the talk is about, in the mentee's words;
                                            # she steers back to it after an off-topic reply
      occasions:                            # the occasion(s) that really happened
        - id: review_call                   # [a-z0-9_]+, unique among the occasions
          when: [this morning, today]       # words for *when*; a reply that names this occasion
                                            # with another time ("yesterday's call") is a factual slip
          where: [quarterly review, review call, client call]   # words for the event / place
          who: [CEO, ops lead]              # who was there (optional)
      items:                                # one fact each
        - id: said_wrong
          kind: action                      # see KINDS below
          occasion: review_call             # optional: the occasion it belongs to
          says: I said their numbers were wrong while the CEO was presenting.
                                            # how the mentee tells it (first person)
          short: Yes, while he was still presenting.   # optional: her answer to a yes/no question
          words: [numbers were wrong, contradicted, interrupted, cut in]
                                            # words and synonyms that refer to this fact
          topics: [what_happened]           # topic ids: a question on the topic brings it out
          hidden: false                     # true: she tells it only when asked about its topic
      topics:                               # what the trainee may ask about
        - id: what_happened                 # a topic no fact lists is on-topic, but she has
          words: [what happened, the call, your side]   # no answer yet ("I hadn't thought about that")

*kind* is one of :data:`KINDS`: ``action`` (something the mentee did or did not do),
``result`` (what it led to), ``number`` (a figure), ``feeling``, ``worry``, ``goal``,
``background`` (anything else she knows) and ``option`` (a way forward she would accept
or push back on; ``says`` is her response when the trainee proposes it).

Matching
--------
Every phrase in ``words`` (and an occasion's ``when`` / ``where`` / ``who``) is reduced to
its content words (spaCy lemmas; articles, pronouns, prepositions and auxiliaries
dropped). A sentence of a reply refers to the fact when the content words of one of
its phrases occur in it in order, as lemma or as written, with at most a few other
words between them (:data:`SLACK`). Matching is
deterministic and offline; the phrases of a scenario are parsed once and cached.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

__all__ = ["KINDS", "Occasion", "Fact", "Topic", "FactSheet", "Match", "parse_facts", "content_keys",
           "FactIndex", "fact_index"]

KINDS = ("action", "result", "number", "feeling", "worry", "goal", "background", "option")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
#: parts of speech that carry no content of their own in a phrase
_FUNCTION_POS = {"DET", "PRON", "ADP", "AUX", "CCONJ", "SCONJ", "PART", "PUNCT", "SPACE", "INTJ"}


@dataclass(frozen=True)
class Occasion:
    id: str
    when: tuple[str, ...]
    where: tuple[str, ...]
    who: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    id: str
    kind: str
    says: str
    words: tuple[str, ...]
    topics: tuple[str, ...] = ()
    occasion: str | None = None
    short: str | None = None
    hidden: bool = False


@dataclass(frozen=True)
class Topic:
    id: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class FactSheet:
    """The validated ``facts`` of one scenario."""
    about: str
    occasions: tuple[Occasion, ...]
    items: tuple[Fact, ...]
    topics: tuple[Topic, ...]

    def fact(self, fact_id: str) -> Fact:
        return next(f for f in self.items if f.id == fact_id)

    def occasion(self, occasion_id: str) -> Occasion:
        return next(o for o in self.occasions if o.id == occasion_id)

    def topic_facts(self, topic_id: str) -> list[Fact]:
        """The facts on one topic, in sheet order."""
        return [f for f in self.items if topic_id in f.topics]


def parse_facts(c, raw: Any, path: str = "facts") -> FactSheet:
    """Validate the ``facts`` mapping with the scenario checker *c* (names file and field on error)."""
    raw = c.mapping(raw, path)
    c.no_extra(raw, {"about", "occasions", "items", "topics"}, path)
    about = c.text(raw, "about", path)
    seen: dict[tuple[str, str], str] = {}

    def new_id(value: Any, where: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            c.fail(where, f"{value!r} must be lower-case letters, digits and _")
        section = where.split("[")[0]
        if (section, value) in seen:
            c.fail(where, f"duplicate id {value!r} (already used at {seen[section, value]})")
        seen[section, value] = where
        return value

    def entries(key: str, what: str, allowed: set[str]):
        """Each mapping of the non-empty list *key*, with its path, checked for unknown fields."""
        items = c.require(raw, key, path)
        if not isinstance(items, list) or not items:
            c.fail(f"{path}.{key}", f"expected a non-empty list of {what}")
        for i, item in enumerate(items):
            p = f"{path}.{key}[{i}]"
            item = c.mapping(item, p)
            c.no_extra(item, allowed, p)
            yield p, item

    def optional_texts(data: dict, key: str, p: str) -> tuple[str, ...]:
        return c.texts(data[key], f"{p}.{key}") if data.get(key) is not None else ()

    occasions = [Occasion(id=new_id(c.require(o, "id", p), f"{p}.id"),
                          when=c.texts(c.require(o, "when", p), f"{p}.when"),
                          where=c.texts(c.require(o, "where", p), f"{p}.where"),
                          who=optional_texts(o, "who", p))
                 for p, o in entries("occasions", "occasions", {"id", "when", "where", "who"})]
    topics = [Topic(id=new_id(c.require(t, "id", p), f"{p}.id"),
                    words=c.texts(c.require(t, "words", p), f"{p}.words"))
              for p, t in entries("topics", "topics", {"id", "words"})]
    topic_ids = {t.id for t in topics}
    occasion_ids = {o.id for o in occasions}
    items = []
    for p, f in entries("items", "facts", {"id", "kind", "says", "short", "words", "topics", "occasion", "hidden"}):
        fid = new_id(c.require(f, "id", p), f"{p}.id")
        kind = c.text(f, "kind", p)
        if kind not in KINDS:
            c.fail(f"{p}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        occ = f.get("occasion")
        if occ is not None and occ not in occasion_ids:
            c.fail(f"{p}.occasion", f"unknown occasion {occ!r}; the sheet's occasions: {', '.join(sorted(occasion_ids))}")
        tops = optional_texts(f, "topics", p)
        for j, t in enumerate(tops):
            if t not in topic_ids:
                c.fail(f"{p}.topics[{j}]", f"unknown topic {t!r}; the sheet's topics: {', '.join(sorted(topic_ids))}")
        hidden = f.get("hidden", False)
        if not isinstance(hidden, bool):
            c.fail(f"{p}.hidden", f"expected true or false, got {hidden!r}")
        if hidden and not tops:
            c.fail(f"{p}.topics", "a hidden fact is told only when its topic is asked about, so it needs a topic")
        items.append(Fact(id=fid, kind=kind, says=c.text(f, "says", p),
                          words=c.texts(c.require(f, "words", p), f"{p}.words"), topics=tops,
                          occasion=occ, short=c.text(f, "short", p) if f.get("short") is not None else None,
                          hidden=hidden))
    return FactSheet(about=about, occasions=tuple(occasions), items=tuple(items), topics=tuple(topics))


# ------------------------------------------------------------------ matching

#: verbs too common to identify a fact alone ('before asking about' keeps its 'before' and 'about')
_WEAK = frozenset({"be", "have", "do", "say", "tell", "want", "get", "go", "make", "ask", "see", "think",
                   "know", "take", "give", "come", "feel", "like", "look", "put", "let"})


_NEGATIONS = frozenset({"no", "not", "n't", "never", "without", "nothing", "nobody"})
_ARTICLES = frozenset({"a", "an", "the"})


def when_keys(tokens: Iterable) -> tuple[str, ...]:
    """The words of a *when* phrase: all but articles, so "this session" is not every "session".

    >>> from mentorkit.nlp import get_nlp
    >>> when_keys(get_nlp("grader")("this session"))
    ('this', 'session')
    """
    return tuple(t.lemma_.lower() for t in tokens if not t.is_punct and not t.is_space and t.lower_ not in _ARTICLES)


def content_keys(tokens: Iterable) -> tuple[str, ...]:
    """The content words of a parsed phrase, lower-cased lemmas (function words dropped).

    A phrase whose content words are only common verbs keeps its function words too,
    so it does not match every sentence with that verb.

    >>> from mentorkit.nlp import get_nlp
    >>> content_keys(get_nlp("grader")("the numbers were wrong"))
    ('number', 'wrong')
    >>> content_keys(get_nlp("grader")("before asking about"))
    ('before', 'ask', 'about')
    >>> content_keys(get_nlp("grader")("it works"))
    ('it', 'work')
    """
    toks = [t for t in tokens if not t.is_punct and not t.is_space]
    # a negation is content: "no space" is not every sentence with "space"
    kept = [t for t in toks if t.pos_ not in _FUNCTION_POS or t.lower_ in _NEGATIONS]
    if kept and all(t.lemma_.lower() in _WEAK for t in kept):
        kept = toks
    elif len(kept) == 1 and len(toks) > 1:
        # 'it works' is not every sentence with 'work': keep all but articles and possessives
        kept = [t for t in toks if t.pos_ != "DET" and t.tag_ != "PRP$"]
    return tuple(t.lemma_.lower() for t in (kept or toks))


@dataclass(frozen=True)
class Match:
    """A sentence of a reply that refers to an entry of the fact sheet."""
    kind: str          # occasion | when | who | fact | topic
    id: str            # the occasion, fact or topic id
    phrase: str        # the sheet's phrase that matched
    sentence: int      # index of the sentence in the reply
    start: int         # character span of the sentence
    end: int


@dataclass
class FactIndex:
    """Every phrase of a fact sheet, parsed once: ``(kind, id, phrase, content keys)``."""
    entries: list[tuple[str, str, str, tuple[str, ...]]] = field(default_factory=list)
    #: each entry's content keys as a set (a sentence without all of them cannot match it)
    _keysets: list[frozenset] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        self._keysets = [frozenset(e[3]) for e in self.entries]

    def matches(self, doc) -> list[Match]:
        """Every (sentence, entry) pair where one of the entry's phrases occurs in the sentence.

        A phrase occurs when its content words appear in order, as lemma or as written,
        within a window of the phrase's length plus :data:`SLACK` words.
        """
        return [Match(kind, eid, phrase, si, sent.start_char, sent.end_char)
                for si, sent in enumerate(doc.sents) for kind, eid, phrase in self.find(sent)]

    def find(self, tokens) -> list[tuple[str, str, str]]:
        """The ``(kind, id, phrase)`` entries whose phrases occur in *tokens* (a sentence or span)."""
        toks = [({t.lemma_.lower(), t.lower_}) for t in tokens if not t.is_punct and not t.is_space]
        have = set().union(*toks) if toks else set()
        seen: set[tuple[str, str]] = set()
        out = []
        for (kind, eid, phrase, keys), keyset in zip(self.entries, self._keysets):
            if (kind, eid) in seen or not keys or not keyset <= have:
                continue
            if _in_window(toks, keys):
                seen.add((kind, eid))
                out.append((kind, eid, phrase))
        return out


#: words a phrase match may skip between its content words ("said *their* numbers were wrong")
SLACK = 4


def _in_window(toks: list[set[str]], keys: tuple[str, ...]) -> bool:
    """True when *keys* occur in order in *toks* within len(keys) + SLACK positions."""
    limit = len(keys) + SLACK
    for start, forms in enumerate(toks):
        if keys[0] not in forms:
            continue
        pos, ok = start, True
        for k in keys[1:]:
            pos = next((j for j in range(pos + 1, min(len(toks), start + limit)) if k in toks[j]), None)
            if pos is None:
                ok = False
                break
        if ok:
            return True
    return False


_INDEXES: dict[tuple, FactIndex] = {}


def fact_index(sheet: FactSheet) -> FactIndex:
    """The cached :class:`FactIndex` of *sheet* (phrases parsed with ``get_nlp("grader")``)."""
    key = (sheet.about, sheet.occasions, sheet.items, sheet.topics)
    index = _INDEXES.get(key)
    if index is not None:
        return index
    from mentorkit.nlp import get_nlp
    rows: list[tuple[str, str, str]] = []
    for o in sheet.occasions:
        rows += [("occasion", o.id, w) for w in o.where] + [("when", o.id, w) for w in o.when]
        rows += [("who", o.id, w) for w in o.who]
    for f in sheet.items:
        rows += [("fact", f.id, w) for w in f.words]
    for t in sheet.topics:
        rows += [("topic", t.id, w) for w in t.words]
    from mentorkit.scenarios.precompute import cached, parse_phrases

    def build():
        docs = parse_phrases([r[2] for r in rows])
        return [list(when_keys(d) if k == "when" else content_keys(d)) for (k, _i, _p), d in zip(rows, docs)]
    keys = cached("fact_index", [f"{k}|{i}|{p}" for k, i, p in rows], build)
    index = FactIndex([(k, i, p, tuple(ks)) for (k, i, p), ks in zip(rows, keys)])
    if len(_INDEXES) > 64:
        _INDEXES.clear()
    _INDEXES[key] = index
    return index
