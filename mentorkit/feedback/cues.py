"""Language cues the SBI grader reads from a spaCy parse.

Each cue is a small, pure function of one token (or a clause head). The
grader's learned model weighs them, so a cue only has to point the right way;
it does not have to decide on its own. The word lists describe the SBI
definitions (see ``datasets/sbi/README.md``), not any one writer's phrasing.
"""
from __future__ import annotations

from spacy.tokens import Doc, Token

__all__ = [
    "is_time_word", "is_event_noun", "is_habitual", "is_absolute", "is_trait_adjective",
    "is_consequence_marker", "is_feeling_word", "is_result_verb", "clause_head",
    "subject_kind", "clause_tense", "is_negated", "is_copular_trait", "prep_context",
    "is_specific_occasion", "is_habitual_setting", "has_request", "has_intent_statement",
    "has_recognition", "token_features",
]

TIME_WORDS = frozenset("""
yesterday today tonight tomorrow morning afternoon evening night overnight noon midnight
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri sat sun
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
am pm a.m. p.m. o'clock ago earlier eod weekend
""".split())
AMBIGUOUS_TIME_WORDS = frozenset({"may", "march", "sun", "sat", "wed", "mar", "jan", "sept", "august"})

# recurring gatherings and bounded occasions at work: only an occasion when made specific
EVENT_NOUNS = frozenset("""
meeting call standup stand-up sync check-in checkin 1:1 one-on-one retro retrospective demo review
presentation pitch session shift handover handoff huddle briefing debrief workshop webinar training
interview kickoff kick-off planning grooming round rounds ward consult appointment visit class lesson
lecture seminar period tutorial exam conference panel offsite all-hands townhall town hall launch
release deploy deployment incident outage escalation sprint board committee audit close deadline
livestream stream video post episode upload recording shoot podcast thread email mail message chat
ticket pr pull request commit merge code branch doc draft report deck proposal memo spreadsheet
negotiation closing quote contract deal visit tour inspection drill audit trial run experiment
lab seminar rotation surgery procedure clinic triage meeting huddle pairing
""".split())

HABITUAL_WORDS = frozenset("""
usually generally typically normally often sometimes frequently regularly lately recently
occasionally ordinarily habitually routinely mostly overall daily weekly
""".split())

ABSOLUTE_WORDS = frozenset("""
always never constantly forever everything nothing everyone nobody continually perpetually
""".split())

TRAIT_ADJECTIVES = frozenset("""
lazy rude unprofessional careless sloppy selfish arrogant incompetent useless disrespectful
lazy clueless hopeless disorganized disorganised unreliable irresponsible immature difficult
toxic aggressive passive-aggressive negative dismissive condescending abrasive stubborn
arrogant entitled incapable inept stupid dumb ignorant childish defensive bossy pushy
annoying obnoxious hostile cold uncaring unmotivated unmotivating apathetic sloppy messy
hopeless pathetic awful terrible horrible bad poor weak mediocre amateurish embarrassing
brilliant amazing awesome great fantastic wonderful natural talented smart gifted superstar
rockstar star genius excellent outstanding incredible phenomenal impressive professional
reliable organized organised dedicated passionate helpful nice kind friendly caring thoughtful
""".split())

NEGATIVE_TRAITS = frozenset("""
lazy rude unprofessional careless sloppy selfish arrogant incompetent useless disrespectful
clueless hopeless disorganized disorganised unreliable irresponsible immature difficult toxic
aggressive passive-aggressive dismissive condescending abrasive stubborn entitled incapable
inept stupid dumb ignorant childish defensive bossy pushy annoying obnoxious hostile uncaring
unmotivated apathetic messy pathetic amateurish mess disaster liability
""".split())

CONSEQUENCE_MARKERS = frozenset("""
so therefore thus consequently hence result because which meant means now thanks
""".split())

FEELING_WORDS = frozenset("""
feel felt feeling worried worry nervous anxious frustrated frustrating annoyed upset stressed
relieved proud grateful thankful happy glad pleased excited confident confused lost embarrassed
disappointed disappointing surprised heard valued respected supported reassured overwhelmed
uncomfortable comfortable concerned hurt angry impressed delighted scared afraid calm calmer
""".split())

RESULT_VERBS = frozenset("""
lose lost miss missed cost delay delayed slip slipped break broke cancel cancelled canceled
sign signed close closed win won save saved reduce reduced drop dropped increase increased grow
grew stall stalled escalate escalated complain complained churn churned fail failed pass passed
finish finished ship shipped avoid avoided prevent prevented help helped enable enabled allow
allowed cause caused mean meant leave left end ended get got make made
""".split())

REQUEST_OPENERS = (
    "could you", "can you", "would you", "will you", "next time", "going forward", "from now on",
    "in future", "in the future", "let's", "lets ", "please", "i'd like you to", "i would like you to",
    "i'd love for you to", "how about", "what if you", "try ", "i suggest", "my suggestion",
    "consider ", "make sure", "i'd ask", "i'd recommend", "would it help", "can we", "could we",
    "shall we", "want to pair", "happy to help", "next step", "before next",
)
INTENT_OPENERS = (
    "i'm sharing this because", "i am sharing this because", "i'm telling you this because",
    "i'm raising this because", "i'm mentioning this because", "i'm bringing this up because",
    "i want you to", "my intent", "my intention", "my goal here", "i'm saying this because",
    "i mention it because", "because i want", "because i care", "i want this to", "i want to help",
    "i'm flagging this because", "i'm pointing this out because", "the reason i'm raising",
)
RECOGNITION_WORDS = frozenset("""
thanks thank thx ty appreciate appreciated great nice well good excellent brilliant impressive
love loved proud kudos bravo awesome superb fantastic solid strong
""".split())


def is_time_word(token: Token) -> bool:
    """A word that pins a moment: weekdays, months, 'yesterday', '3pm'.

    >>> from mentorkit.nlp import get_nlp
    >>> is_time_word(get_nlp("grader")("yesterday")[0])
    True
    """
    low = token.lower_
    if low in AMBIGUOUS_TIME_WORDS:
        return token.pos_ == "PROPN"
    if low in TIME_WORDS:
        return True
    if low.endswith(("am", "pm")) and low[:-2].replace(":", "").isdigit():
        return True
    doc = token.doc
    return token.like_num and token.i + 1 < len(doc) and doc[token.i + 1].lower_ in ("am", "pm")


def is_event_noun(token: Token) -> bool:
    return token.lemma_.lower() in EVENT_NOUNS or token.lower_ in EVENT_NOUNS


def is_habitual(token: Token) -> bool:
    return token.lower_ in HABITUAL_WORDS


def is_absolute(token: Token) -> bool:
    return token.lower_ in ABSOLUTE_WORDS


def is_trait_adjective(token: Token) -> bool:
    """A character label ('lazy', 'brilliant'): trait words, not observable acts."""
    return token.lower_ in TRAIT_ADJECTIVES


def is_consequence_marker(token: Token) -> bool:
    return token.lower_ in CONSEQUENCE_MARKERS


def is_feeling_word(token: Token) -> bool:
    return token.lower_ in FEELING_WORDS or token.lemma_.lower() in FEELING_WORDS


def is_result_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in RESULT_VERBS


_CLAUSE_DEPS = frozenset({"ROOT", "conj", "advcl", "ccomp", "xcomp", "relcl", "acl", "parataxis", "pcomp", "csubj"})


def clause_head(token: Token) -> Token:
    """The verb (or root) heading the clause *token* sits in."""
    t = token
    for _ in range(40):
        if t.pos_ in ("VERB", "AUX") and t.dep_ in _CLAUSE_DEPS:
            return t
        if t.head is t:
            return t
        t = t.head
    return t


def subject_kind(head: Token) -> str:
    """Who the clause is about: 'you', 'i', 'we', 'named' (a person), 'it' (a thing) or 'none'."""
    subj = None
    for child in head.children:
        if child.dep_ in ("nsubj", "nsubjpass", "expl"):
            subj = child
            break
    if subj is None and head.dep_ == "conj" and head.head is not head:
        return subject_kind(head.head)
    if subj is None:
        return "none"
    low = subj.lower_
    if low in ("you", "u", "ya", "y'all", "yourself"):
        return "you"
    if low in ("i", "me"):
        return "i"
    if low in ("we", "us"):
        return "we"
    if low in ("he", "she", "they") or subj.pos_ == "PROPN" or subj.ent_type_ == "PERSON":
        return "named"
    return "it"


def clause_tense(head: Token) -> str:
    """'past', 'present', 'future', 'modal' or 'none' for the clause headed by *head*."""
    for child in head.children:
        if child.dep_ == "aux":
            low = child.lower_
            if low in ("will", "'ll", "shall", "gonna"):
                return "future"
            if low in ("could", "would", "should", "might", "can", "may", "must"):
                return "modal"
            if low in ("did", "had", "was", "were", "'d"):
                return "past"
    tense = head.morph.get("Tense")
    if tense:
        return "past" if tense[0] == "Past" else "present"
    return "none"


def is_negated(head: Token) -> bool:
    return any(c.dep_ == "neg" for c in head.children)


def is_copular_trait(head: Token) -> bool:
    """'you were rude', 'she is a natural leader': a copula with an adjective or noun label."""
    if head.lemma_ not in ("be", "seem", "look", "sound", "appear", "come", "act"):
        return False
    return any(c.dep_ in ("acomp", "attr", "oprd") for c in head.children)


def prep_context(token: Token) -> Token | None:
    """The preposition or subordinator that introduces *token*'s phrase, if any."""
    t = token
    for _ in range(12):
        if t.dep_ in ("prep", "agent") or (t.dep_ == "mark" and t.head is not t) or _is_root_prep(t):
            return t
        if t.dep_ == "advcl":
            for c in t.children:
                if c.dep_ in ("mark", "advmod") and c.i < t.i:
                    return c
            return None
        if t.head is t or t.pos_ in ("VERB", "AUX") and t.dep_ in _CLAUSE_DEPS:
            return None
        t = t.head
    return None


def _is_root_prep(token: Token) -> bool:
    """A sentence-opening preposition the parser made the root ("In meetings you ..." read as
    "In [meetings you interrupt people]")."""
    return token.dep_ == "ROOT" and token.tag_ == "IN"


def _pp_words(phrase_head: Token) -> list[Token]:
    """The words of a prepositional phrase without any clause hung on it (a relative clause the
    parser attached to its noun)."""
    out = []
    stack = [phrase_head]
    while stack:
        t = stack.pop()
        out.append(t)
        stack.extend(c for c in t.children if c.dep_ not in _CLAUSE_DEPS and c.dep_ != "punct")
    return sorted(out, key=lambda w: w.i)


def _phrase_nouns(token: Token) -> list[Token]:
    return [t for t in token.subtree if t.pos_ in ("NOUN", "PROPN", "NUM", "ADV", "ADJ")]


def is_specific_occasion(phrase_head: Token) -> bool:
    """A bounded occasion: a time word, or an event noun tied down by 'this/last/yesterday's/the'.

    'in yesterday's client call' and 'during Tuesday's standup' are; 'in meetings' is not.
    """
    words = _pp_words(phrase_head)
    if any(is_time_word(w) for w in words):
        return True
    for w in words:
        if is_event_noun(w) and w.tag_ in ("NN", "NNP"):
            if any(c.lower_ in ("this", "that", "the", "your", "our", "last", "today", "yesterday", "her", "his", "their")
                   or c.dep_ == "poss" for c in w.children):
                return True
    return False


def is_habitual_setting(phrase_head: Token) -> bool:
    """'in meetings', 'at work', 'with clients': a general setting, not one occasion."""
    words = _pp_words(phrase_head)
    if any(is_habitual(w) for w in words):
        return True
    # the phrase's head nouns (its objects, not their modifiers): "in (team) meetings", "with clients"
    heads = [w for w in words if w.dep_ == "pobj" and w.pos_ in ("NOUN", "PROPN")]
    return bool(heads) and all(w.tag_ == "NNS" and not any(c.dep_ in ("det", "poss", "nummod") for c in w.children)
                               for w in heads) \
        or any(w.lower_ in ("work", "general") and w.dep_ == "pobj" for w in words)


def _lower_text(doc_or_text) -> str:
    return (doc_or_text.text if isinstance(doc_or_text, Doc) else str(doc_or_text)).lower()


def has_request(doc_or_text) -> bool:
    """A next step or request: 'could you ...', 'next time ...', 'let's ...'."""
    low = _lower_text(doc_or_text)
    return any(op in low for op in REQUEST_OPENERS)


def has_intent_statement(doc_or_text) -> bool:
    """An explicit statement of why the feedback is given."""
    low = _lower_text(doc_or_text).replace("’", "'")
    return any(op in low for op in INTENT_OPENERS)


def has_recognition(doc: Doc) -> bool:
    """Recognition words used as praise (not 'not great')."""
    for t in doc:
        if t.lower_ in RECOGNITION_WORDS:
            if not any(c.dep_ == "neg" for c in t.head.children) and not (t.i > 0 and doc[t.i - 1].lower_ in ("not", "n't")):
                return True
    return False


def _bucket(n: int) -> str:
    return str(n) if n < 3 else "3+"


def token_features(doc: Doc) -> list[list[str]]:
    """One list of string features per token, for the grader's hashed linear models."""
    n = len(doc)
    lemmas = [t.lemma_.lower() for t in doc]
    tags = [t.tag_ for t in doc]
    heads = [clause_head(t) for t in doc]
    clause_cache: dict[int, list[str]] = {}
    prep_cache: dict[int, list[str]] = {}
    sent_index = {}
    for si, sent in enumerate(doc.sents):
        for t in sent:
            sent_index[t.i] = (si, t.i - sent.start, len(sent))
    # does each sentence name one occasion (a time word or a bounded event)? An "always" or
    # "never" beside one is about that occasion, not a sweeping habit
    sent_occasion: dict[int, bool] = {}
    for si, sent in enumerate(doc.sents):
        sent_occasion[si] = any(is_time_word(w) for w in sent) or any(
            w.dep_ == "prep" and is_specific_occasion(w) for w in sent)
    label_of = _label_positions(doc)
    # the statement's only setting is a habitual one: its words are no situation (the guide)
    setting_only = habitual_setting_only(doc)
    out: list[list[str]] = []
    for t in doc:
        i = t.i
        low = t.lower_
        lem, head = lemmas[i], lemmas[t.head.i]
        before = lemmas[i - 1] if i > 0 else "<s>"
        after = lemmas[i + 1] if i + 1 < n else "</s>"
        f = [
            "b", "w=" + low, "l=" + lem, "p=" + tags[i], "d=" + t.dep_,
            "hl=" + head, "hp=" + tags[t.head.i], "hd=" + t.head.dep_,
            "pd=" + tags[i] + "|" + t.dep_,
            "l-1=" + before, "l+1=" + after,
            "l-2=" + (lemmas[i - 2] if i > 1 else "<s>"), "l+2=" + (lemmas[i + 2] if i + 2 < n else "</s>"),
            "p-1=" + (tags[i - 1] if i > 0 else "<s>"), "p+1=" + (tags[i + 1] if i + 1 < n else "</s>"),
            "sh=" + t.shape_,
            # the lemma pairs the token stands in (with its neighbours, with its head, and the two words
            # around it): a label is often a set phrase whose words are harmless alone ("dead weight",
            # "asleep at the wheel", "of the year")
            "bg-=" + before + "|" + lem, "bg+=" + lem + "|" + after,
            "hb=" + head + "|" + lem, "sk=" + before + "|" + after,
        ]
        if len(low) > 4 and low.isalpha():
            # word endings and beginnings: a form of a label the corpus holds in another form
            # ("sloppier" beside "sloppy", "messiest", "negligent" beside "negligence") or misspelt
            f.extend(("suf3=" + low[-3:], "suf4=" + low[-4:], "pre4=" + low[:4]))
        si, pos, slen = sent_index[i]
        f.append("sp=" + ("first" if pos < slen / 3 else "mid" if pos < 2 * slen / 3 else "last"))
        f.append("si=" + _bucket(si))
        if t.is_punct:
            f.append("punct")
        if is_time_word(t):
            f.append("c:time")
        if is_event_noun(t):
            f.append("c:event" + ("_pl" if t.tag_ == "NNS" else ""))
        if is_habitual(t):
            f.append("c:habit")
        if is_absolute(t):
            f.append("c:abs")
        if low in NEGATIVE_TRAITS:
            f.append("c:negtrait")
        elif is_trait_adjective(t):
            f.append("c:trait")
        if is_consequence_marker(t):
            f.append("c:conseq")
        if is_feeling_word(t):
            f.append("c:feel")
        # clause-level context, shared by every token of the clause
        h = heads[i]
        cf = clause_cache.get(h.i)
        if cf is None:
            sk = subject_kind(h)
            tense = clause_tense(h)
            cf = ["cv=" + lemmas[h.i], "cdep=" + h.dep_, "csubj=" + sk, "ctense=" + tense,
                  "cst=" + sk + "|" + tense]
            if is_negated(h):
                cf.append("cneg")
                cf.append("cneg|" + sk)
            if is_copular_trait(h):
                cf.append("ccop")
                cf.append("ccop|" + sk)
            if is_feeling_word(h) or any(is_feeling_word(c) for c in h.children if c.dep_ in ("acomp", "oprd", "attr")):
                cf.append("cfeel|" + sk)
            if is_result_verb(h):
                cf.append("cresult")
            for c in h.children:
                if c.dep_ == "mark" or (c.dep_ == "advmod" and c.i < h.i and c.lower_ in ("when", "while", "after", "before", "so", "now")):
                    cf.append("cmark=" + c.lower_)
                if c.dep_ == "aux" and c.lower_ in ("could", "can", "would", "should", "had", "ca", "wo", "have"):
                    cf.append("caux=" + c.lower_)
                if c.dep_ in ("acomp", "attr") and c.lower_ in NEGATIVE_TRAITS:
                    cf.append("cnegtrait")
            hw = list(h.subtree)
            if any(is_time_word(w) for w in hw):
                cf.append("c_has_time")
            if any(is_consequence_marker(w) for w in hw if w.i < h.i):
                cf.append("c_conseq_before")
            clause_cache[h.i] = cf
        f.extend(cf)
        f.append("tokverb" if t.i == h.i else "tokin")
        p = prep_context(t)
        if p is not None:
            pf = prep_cache.get(p.i)
            if pf is None:
                pf = ["pp=" + p.lower_]
                if is_specific_occasion(p):
                    pf.append("pp:specific")
                if is_habitual_setting(p):
                    pf.append("pp:habitual")
                    if setting_only:
                        pf.append("pp:setting_only")
                prep_cache[p.i] = pf
            f.extend(pf)
        if t.dep_ == "poss" and (is_time_word(t) or t.lower_ in ("last", "this")):
            f.append("c:timeposs")
        # judgement in context: the same word is a label of a person or a word about the work
        occ = sent_occasion[si]
        if "c:abs" in f or low in ("every", "single", "constantly", "typical"):
            f.append("abs&occasion" if occ else "abs&no_occasion")
            f.append("abs&tense=" + cf[3][7:])
            if low == "never" and occ:
                f.append("never&occasion&" + cf[3][7:])
        lab = label_of.get(i)
        if lab is not None:
            f.append("label_of=" + lab)
            if t.pos_ in ("ADJ", "NOUN"):
                f.append("label_head=" + lab)
        if ("c:negtrait" in f or "c:trait" in f):
            f.append("trait&subj=" + cf[2][6:])
        out.append(f)
    return out


_PERSON_WORDS = frozenset({"you", "u", "he", "she", "they", "him", "her", "them", "yourself", "himself", "herself"})
_DEGREE_WORDS = frozenset({"such", "so", "bit", "total", "complete", "absolute", "real", "proper", "right",
                           "utter", "typical", "kind", "sort"})


def _label_positions(doc: Doc) -> dict[int, str]:
    """Tokens inside a description of a person rather than of an act or a thing.

    Returns token index -> where the description sits: ``person_attr`` (the complement of
    "you are / he was / she's being ..."), ``thing_attr`` (the same after a subject that is a
    thing: "the deploy was a disaster"), ``vocative`` (a name-like phrase addressed to someone
    after a comma, "nice one, Captain Early") or ``degree`` (a label after "such a", "a bit",
    "a total"). The tagger learns which of these are judgement; the positions carry unlisted
    and multi-word labels ("a nightmare to deal with") that no word list holds.
    """
    out: dict[int, str] = {}
    for t in doc:
        if t.dep_ in ("acomp", "attr", "oprd") and t.head.lemma_ in ("be", "seem", "sound", "look", "act", "get"):
            subj = next((c for c in t.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is None and t.head.dep_ == "conj":
                subj = next((c for c in t.head.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            person = subj is not None and (subj.lower_ in _PERSON_WORDS or subj.pos_ == "PROPN"
                                           or subj.ent_type_ == "PERSON")
            kind = "person_attr" if person else "thing_attr"
            for w in t.subtree:
                if not w.is_punct:
                    out.setdefault(w.i, kind)
        if t.lower_ in _DEGREE_WORDS and t.head.pos_ in ("NOUN", "ADJ") and t.i < t.head.i:
            for w in t.head.subtree:
                if not w.is_punct and w.i >= t.i:
                    out[w.i] = out.get(w.i, "") + "|degree" if w.i in out else "degree"
        if t.dep_ in ("npadvmod", "appos", "dep", "intj") and t.pos_ == "PROPN" and t.i > 0 \
                and doc[t.i - 1].text == ",":
            for w in t.subtree:
                out.setdefault(w.i, "vocative")
    return out


def _settings(doc: Doc) -> tuple[bool, bool, bool, bool]:
    """(a time word, a specific occasion, a habitual word or setting, a habitual setting phrase)."""
    time_word = any(is_time_word(t) for t in doc)
    specific = habitual = setting_phrase = False
    for t in doc:
        if t.dep_ in ("prep", "mark") or _is_root_prep(t) or (t.dep_ == "advmod" and t.lower_ in ("when", "while")):
            if is_specific_occasion(t):
                specific = True
            elif is_habitual_setting(t):
                habitual = setting_phrase = True
        if is_habitual(t):
            habitual = True
    return time_word, specific, habitual, setting_phrase


def habitual_setting_only(doc: Doc) -> bool:
    """A general setting ("in meetings", "with clients") and nothing that names one occasion: the
    guide's clearest "not a situation"."""
    time_word, specific, _, setting_phrase = _settings(doc)
    return _setting_only(doc, time_word, specific, setting_phrase)


def _setting_only(doc: Doc, time_word: bool, specific: bool, setting_phrase: bool) -> bool:
    return setting_phrase and not specific and not time_word and not _names_an_occasion(doc)


#: prepositions that place an act at an occasion ("at the Christmas market", "during the survey");
#: "to", "over", "with" and the like take the act's object or its people instead
_OCCASION_PREPS = frozenset({"at", "during", "on", "in", "for", "after", "before", "from", "throughout"})
#: verbs whose "at" takes the person the act is aimed at ("shout at Priya"), not a place
_AIMED_AT_VERBS = frozenset({"shout", "yell", "snap", "scream", "swear", "laugh", "stare", "glare",
                             "point", "look", "roll", "wink", "smile", "bark", "lash", "get", "throw", "aim"})
#: nouns for people: a phrase about them names who, not when ("in front of the rest of the team")
_PEOPLE_NOUNS = frozenset({"team", "rest", "client", "customer", "colleague", "people", "everyone", "everybody",
                           "staff", "manager", "guest", "patient", "student", "parent", "child", "kid", "user",
                           "member", "boss", "lead", "peer", "group", "class", "crew", "coworker", "co-worker",
                           "friend", "family", "visitor", "caller", "resident", "pupil", "audience"})
_DETERMINERS = frozenset({"the", "this", "that", "our", "your", "his", "her", "their", "my"})


def _names_an_occasion(doc: Doc) -> bool:
    """Something in the statement may pin one occasion that the occasion test does not read: a
    "last / this / next" before a noun that says when ("last shift", "last week's pilot", "on
    that call"), or the object of a placing preposition made definite ("at the Christmas market",
    "during the survey", "at mondays qc") or named ("at Heathrow"). The habitual-setting cue
    stands back for these. The act's own objects do not count: "you shout at Priya", "you talk
    over the rest of the team", "you promise that thing" name no occasion."""
    for t in doc:
        if t.lower_ in ("last", "this", "next", "that") and t.dep_ in ("amod", "det") \
                and t.head.pos_ in ("NOUN", "PROPN") and t.head.lower_ not in _PEOPLE_NOUNS \
                and (t.head.dep_ in ("pobj", "npadvmod", "poss", "nmod", "compound") or is_time_word(t.head)):
            return True
        if t.dep_ != "pobj" or t.pos_ not in ("NOUN", "PROPN") or t.head.lower_ not in _OCCASION_PREPS:
            continue
        if t.lemma_.lower() in _PEOPLE_NOUNS or t.lower_ in _PERSON_WORDS:
            continue
        if t.head.lower_ == "at" and t.head.head.lemma_.lower() in _AIMED_AT_VERBS:
            continue
        if t.pos_ == "PROPN" or any(c.dep_ == "poss" or c.lower_ in _DETERMINERS for c in t.children):
            return True
    return False


DOC_CUES = ("time_word", "specific_occasion", "habitual", "action_by_person", "copular_trait",
            "feeling_of_speaker", "consequence_marker", "negative_trait", "absolute_word", "result_verb",
            "habitual_setting_only")


def doc_cues(doc: Doc) -> list[float]:
    """Statement-level cue flags (order: :data:`DOC_CUES`), read by the statement classifiers."""
    time_word, specific, habitual, setting_phrase = _settings(doc)
    action = trait = feeling = result = False
    for t in doc:
        if t.pos_ in ("VERB", "AUX") and t.dep_ in _CLAUSE_DEPS:
            sk = subject_kind(t)
            if is_copular_trait(t):
                trait = trait or sk in ("you", "named")
                feeling = feeling or (sk in ("i", "we") and any(is_feeling_word(c) for c in t.subtree))
            elif t.pos_ == "VERB":
                if sk in ("you", "named") and clause_tense(t) in ("past", "present"):
                    action = True
                if sk in ("i", "we") and is_feeling_word(t):
                    feeling = True
                if is_result_verb(t) and sk not in ("you",):
                    result = True
    # a general setting ("in meetings", "with clients") and nothing that names one occasion: the
    # guide's clearest "not a situation", which the separate flags leave to a sum of weights
    setting_only = _setting_only(doc, time_word, specific, setting_phrase)
    return [float(x) for x in (
        time_word, specific, habitual, action, trait, feeling,
        any(is_consequence_marker(t) for t in doc), any(t.lower_ in NEGATIVE_TRAITS for t in doc),
        any(is_absolute(t) for t in doc), result, setting_only)]
