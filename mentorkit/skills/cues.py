"""Small, typed cue functions over a parsed sentence (a spaCy ``Span`` or ``Doc``).

Each function reads one thing a coder of mentoring talk looks for -- question
form, who the subject is, a modal of advice, a feeling word, a time window --
and returns a bool, a count or a short string. The detectors turn these into
features for their scikit-learn models; the tests pin each cue with a table of
examples.

Cues look at the form (the parse, the function words, small closed word lists)
rather than topic words, so that they carry over to talk the data never saw.

>>> from mentorkit.nlp import get_nlp
>>> nlp = get_nlp("grader")
>>> inverted_aux(nlp("Did you sleep at all?"))
True
"""
from __future__ import annotations

import re
from collections import OrderedDict
from typing import Union

from spacy.tokens import Doc, Span, Token

__all__ = [
    "Tokens", "norm", "lower_text", "content_tokens", "opening", "is_question", "wh_opening", "closed_wh",
    "inverted_aux", "either_or", "elaboration_request", "suggestion_question", "declarative_question",
    "reflection_stem", "subject_person", "second_person_subject", "first_person_subject",
    "feeling_words", "advice_modal", "imperative", "greeting_or_thanks", "backchannel", "praise",
    "self_disclosure", "generalisation", "has_number", "hedge", "future_commitment", "we_subject",
    "time_expression", "day_expression", "duration_promise", "frequency_expression", "n_tokens",
    "absolutes", "harsh_words", "intensifiers", "shouting", "lexicon_hits", "quoted_tokens", "split_quotes",
]

Tokens = Union[Doc, Span]

DISCOURSE_MARKERS = frozenset({
    "okay", "ok", "so", "right", "and", "well", "mm", "mm-hmm", "mmhmm", "hmm", "yeah", "yes", "um", "uh", "er",
    "ah", "oh", "alright", "now", "but", "then", "sure", "ugh", "oof", "wait", "hm", "mhm", "uh-huh", "ha", "haha",
})
WH_WORDS = frozenset({"what", "how", "why", "when", "where", "who", "which", "whose", "whom"})
# questions whose answer is a fact, a number or a choice rather than a story
CLOSED_WH_NEXT = frozenset({"many", "much", "long", "often", "old", "big", "far", "soon", "late", "early"})
CLOSED_WHAT_NOUNS = frozenset({"time", "day", "date", "year", "month", "week", "number", "size", "grade",
                               "level", "band", "salary", "percentage", "age"})
ELABORATION_VERBS = frozenset({"tell", "describe", "explain", "walk", "say", "talk", "share", "expand",
                               "elaborate", "unpack", "hear", "understand"})
FEELING_WORDS = frozenset("""
afraid angry annoyed anxious ashamed alone betrayed bored burnt burned calm confused content crushed
defeated disappointed discouraged down drained dread dreading embarrassed energised energized excited
exhausted fed frustrated glad grateful guilty happy heartbroken helpless hopeful hopeless humiliated hurt
insecure irritated isolated jealous keen lonely lost low miserable nervous numb overwhelmed panicky proud
relieved resentful sad scared shaky shame stressed stuck tense terrified tired torn trapped uncertain uneasy
unhappy unsure upset worn worried worry frightened anger fear sting stung hurtful wound rough brutal
""".split())
GREETING_WORDS = frozenset({"hi", "hello", "hey", "morning", "evening", "afternoon", "thanks", "thank", "thx",
                            "cheers", "bye", "goodbye", "welcome", "congrats", "congratulations", "ty",
                            "brb", "later", "soon", "luck", "weekend", "ttyl"})
BACKCHANNEL = frozenset(DISCOURSE_MARKERS | {"i", "see", "got", "it", "exactly", "absolutely", "fair", "enough",
                                             "totally", "yep", "yup", "true", "cool", "great", "good", "perfect",
                                             "np", "lol", "wow", "noted", "indeed", "definitely", "gotcha",
                                             "that", "'s", "makes", "sense", "hear", "you", "with", "me", "hmm",
                                             "sounds", "okey", "k", "kk", "nice", "thx", "thanks", "brilliant"})
PRAISE_WORDS = frozenset({"great", "well", "impressive", "impressed", "brave", "courage", "courageous", "proud",
                          "excellent", "brilliant", "awesome", "fantastic", "amazing", "achievement", "win",
                          "nice", "strong", "determination", "mature", "love", "lovely", "superb", "admire",
                          "appreciate", "glad", "pleased", "congrats", "congratulations", "fab", "stellar",
                          "honest", "honesty", "milestone", "huge", "effort", "awesome", "clearly"})
GENERAL_WORDS = frozenset({"usually", "often", "normally", "typically", "tend", "most", "many", "people",
                           "research", "guideline", "guidelines", "policy", "rule", "handbook", "contract",
                           "generally", "common", "normal", "study", "studies", "evidence", "process"})
HEDGES = frozenset({"maybe", "perhaps", "might", "possibly", "probably", "kinda", "kind", "sort", "somewhat"})
ABSOLUTES = frozenset({"always", "never", "every", "nothing", "nobody", "everyone", "everything", "constantly",
                       "completely", "totally", "entirely", "again"})
HARSH_WORDS = frozenset("""
wrong useless pointless stupid ridiculous lazy unacceptable sloppy terrible awful horrible pathetic
incompetent careless mess garbage rubbish nonsense embarrassing disaster joke waste fail failed failure
hopeless clueless amateur amateurish shoddy poor bad worst lame dumb idiotic absurd unprofessional sick
ugly naive sloppy
tired fault blame seriously obviously clearly frankly
""".split())
INTENSIFIERS = frozenset({"just", "obviously", "clearly", "simply", "seriously", "literally", "frankly",
                          "honestly", "really", "even", "totally", "completely", "absolutely", "utterly"})
DAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue",
                  "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "weekday", "weekdays",
                  "weekend", "weekends", "mondays", "tuesdays", "wednesdays", "thursdays", "fridays",
                  "saturdays", "sundays", "mornings", "evenings", "afternoons", "nights", "lunchtime",
                  "lunchtimes"})

_TIME_RE = re.compile(
    r"\b(\d{1,2}([:.]\d{2})?\s*(am|pm|h)\b|\d{1,2}([:.]\d{2})?\s*(-|–|to|until|till)\s*\d{1,2}([:.]\d{2})?"
    r"|\d{1,2}:\d{2}|noon|midday|midnight|(cet|cest|gmt|bst|utc|est|edt|pst|pdt|ist|aest|sgt)\b"
    r"|(uk|us|my|your|our|local|berlin|london|new york|eastern|pacific|central) time\b|time ?zones?\b"
    r"|office hours|working hours|work hours|business hours)", re.I)
_DURATION_RE = re.compile(
    r"\b(within|in under|in less than|inside|by|before|up to|no later than|at most)\s+"
    r"(\d+|one|two|three|four|five|a|an|24|48|72|the next|the end of|end of|close of|tomorrow|the same|"
    r"same|next|a couple of|a few|couple of|one or two|1-2|2-3)\b[^.?!]{0,30}"
    r"\b(hours?|hrs?|h|days?|working days?|business days?|weeks?|day|eod|cob|tomorrow|morning|afternoon|"
    r"evening|week|monday|tuesday|wednesday|thursday|friday)\b"
    r"|\b(24|48|72)\s*(h|hrs?|hours?)\b|\bsame[- ]day\b|\bnext[- ](working|business)[- ]day\b"
    r"|\b(eod|cob|end of (the )?day)\b", re.I)
_FREQ_RE = re.compile(
    r"\b(every|each)\s+(other\s+|second\s+|two\s+|three\s+|four\s+|2\s+|3\s+|4\s+|few\s+|couple of\s+)?"
    r"(day|week|weeks|fortnight|month|months|monday|tuesday|wednesday|thursday|friday|sprint|quarter|term)\b"
    r"|\b(weekly|fortnightly|biweekly|bi-weekly|monthly|daily|quarterly)\b"
    r"|\b(once|twice|three times|one time|two times)\s+(a|per|every)\s+(week|month|fortnight|term|quarter)\b"
    r"|\b(mondays|tuesdays|wednesdays|thursdays|fridays)\b", re.I)
_NUMBER_RE = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|"
                        r"forty|fifty|hundred|thousand|half|dozen)\b", re.I)
_REFLECTION_RE = re.compile(
    r"^(it )?sounds (like|as if|as though)|^(it )?seems (like|as if|as though|that)|what i'?m hearing|"
    r"in other words|you'?re saying|you are saying|if i'?ve got (this|that|it) right|if i understand|"
    r"^it'?s (like|as if|as though)|on (the )?one hand|part of you|^you sound|^that must (have )?be(en)?|"
    r"^must (have )?be(en)?|^you mean|^meaning\b|^so (basically|for you)|you(')?re (feeling|saying)|"
    r"^you feel|^you felt|^feels like|^it feels", re.I)
_SUGGESTION_Q_RE = re.compile(
    r"^(have|has) (you|u) (thought|considered|tried|looked|asked|checked|explored)|^what if (you|u|we)|"
    r"^why not\b|^why (don'?t|dont) (you|u|we)|^how about\b|^what about (\w+ing|asking|trying|a|the)\b|"
    r"^would it (help|be worth|make sense)|^is it worth|^(could|can|would) (you|u) (maybe |perhaps |just )?"
    r"(try|consider|ask|look)|^would (you|u) consider|^wouldn'?t it be|^(maybe|perhaps) (ask|try|talk|check|"
    r"send|reach)|^might it (help|be worth)|^do you want to try|^shouldn'?t you", re.I)
_ELABORATE_RE = re.compile(
    r"\b(tell|telling|describe|explain|walk|talk|talking|share|say)\b[^.?!]{0,12}\b(me|us)\b|"
    r"\b(share|say|tell|talk|explain)( a| bit| little| some| few| more| of| words){0,4} (more|about)\b|"
    r"\bhelp me understand|i'?m curious|^i wonder|i'?d (love|like) to (hear|know|understand)|keen to hear|"
    r"\b(expand|elaborate) on\b|^tell me\b|^say more\b|\bsay (a bit |a little )?more\b|\btell me (a bit )?more",
    re.I)
_ADVICE_RE = re.compile(
    r"\b(you|u) ?(could|should|might|may|ought to|'ll want|will want|might want|may want|need to|'d better)\b|"
    r"\bi'?d (suggest|recommend|advise|say|put|wait|frame|mention|send|go)\b|\bi (suggest|recommend|advise)\b|"
    r"\bmy (advice|suggestion|tip|recommendation)\b|\bit (might|may|could|can|would|will) (help|be useful|"
    r"be worth|be good)\b|\b(it'?s|its|could be|might be) worth\b|\bmake sure\b|\bone (option|thing that|"
    r"approach|idea)\b|\ba good (first step|way|trick|idea|option)\b|^tip\b|\bit helps\b|\bhelps to\b|"
    r"^(try|start|keep|put|send|ask|book|write|make|take|limit|decline|remember|stick|get|go|be|turn|"
    r"speak|eat|practise|practice|rehearse|dm|frame|build|don'?t)\b", re.I)
_SELF_DISCLOSURE_RE = re.compile(
    r"\b(when i was|i remember|i used to|i had (a|the) (same|similar)|i switched|i've been (a|at|in)|"
    r"i was (a|so|terrible|the)|i failed|i made the same|my (own|first)|i went through|i found that|"
    r"same here|i had a rough|i've seen)\b", re.I)
_AFFIRM_RE = re.compile(
    r"well done|good (job|work|stuff|for you)|(worked|tried|pushed) (really |so |very )?hard|kept going|"
    r"(it'?s|it is) good that you|that took|you'?ve got this|the right thing|should be (really |so )?proud|"
    r"(handled|did|managed) (that|it|this) (really |so )?(well|brilliantly|great)|put a lot of|"
    r"you'?re (clearly )?(very |really |so )?good at|you did (a|so) (great|good|well)", re.I)
_FUTURE_RE = re.compile(r"\b(i|we|you|u)('ll| will| shall| am going to|'m going to| are going to|'re going to|"
                        r"'re gonna|'m gonna| plan to| promise to| commit to| agreed to)\b|^(me|you|both|mentor|"
                        r"mentee|i|we)\s*:", re.I)


def norm(text: str) -> str:
    """Straighten curly quotes so the patterns see one apostrophe.

    >>> norm("you’re")
    "you're"
    """
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')


def lower_text(sent: Tokens) -> str:
    """The sentence's text, lower-cased, apostrophes straightened, trimmed."""
    return _asked("lower", sent, lambda s: norm(s.text).lower().strip())


#: the last few hundred answers of the cues every other cue asks for, by (cue, doc, start, end): a
#: detector asks them a dozen times of each sentence (the key holds the Doc, so it cannot be another's)
_ASKED: OrderedDict = OrderedDict()
_ASKED_SIZE = 512


def _asked(cue: str, sent: Tokens, compute):
    key = (cue, sent.doc, sent.start, sent.end) if isinstance(sent, Span) else (cue, sent, 0, len(sent))
    if key in _ASKED:
        _ASKED.move_to_end(key)
        return _ASKED[key]
    value = _ASKED[key] = compute(sent)
    if len(_ASKED) > _ASKED_SIZE:
        _ASKED.popitem(last=False)
    return value


def _content(sent: Tokens) -> tuple[Token, ...]:
    return tuple(t for t in sent if not (t.is_punct or t.is_space or t.pos_ in ("SYM", "X") and not t.is_alpha))


def content_tokens(sent: Tokens) -> list[Token]:
    """Tokens that are not punctuation, spaces or emoji/symbols."""
    return list(_asked("content", sent, _content))


def opening(sent: Tokens) -> list[Token]:
    """The content tokens after any leading discourse markers ("Okay, so, um ...").

    >>> from mentorkit.nlp import get_nlp
    >>> [t.text for t in opening(get_nlp("grader")("Okay, so what happened?"))][:2]
    ['what', 'happened']
    """
    toks = content_tokens(sent)
    i = 0
    while i < len(toks) - 1 and toks[i].lower_ in DISCOURSE_MARKERS:
        i += 1
    return toks[i:]


def _opening_text(sent: Tokens) -> str:
    return _asked("opening_text", sent, _opening_text_of)


def _opening_text_of(sent: Tokens) -> str:
    toks = opening(sent)
    if not toks:
        return ""
    # the sentence's own text from its first content token (doc.text would join every token of the doc)
    return norm(sent.text[toks[0].idx - sent.start_char:]).lower().strip()


_QUESTION_END = re.compile(r"\?[\s\"')\]!?\W]*$")


def is_question(sent: Tokens) -> bool:
    """The sentence ends in a question mark (trailing emoji, quotes and spaces ignored)."""
    return _asked("question", sent, lambda s: bool(_QUESTION_END.search(s.text.strip())))


def wh_opening(sent: Tokens) -> str:
    """The wh-word that opens the sentence after discourse markers, or ``""``.

    >>> from mentorkit.nlp import get_nlp
    >>> wh_opening(get_nlp("grader")("And how did she react?"))
    'how'
    """
    toks = opening(sent)
    later = ""
    if is_question(sent):  # "And when you say 'fine', what does fine look like?"
        commas = [t.i for t in sent if t.text == ","]
        if commas:
            after = [t for t in sent.doc[commas[-1] + 1:sent.end] if not (t.is_punct or t.is_space)]
            if after and after[0].lower_ in WH_WORDS and after[0].lower_ != "when":
                later = after[0].lower_
    if toks and toks[0].lower_ in WH_WORDS:
        # a wh-word that opens a subordinate clause ("when you say ...,") does not make the question
        if later and toks[0].head.dep_ in ("advcl", "ccomp", "csubj"):
            return later
        return toks[0].lower_
    if len(toks) > 1 and toks[0].lower_ in ("in", "on", "at", "for", "with", "from") and toks[1].lower_ in WH_WORDS:
        return toks[1].lower_
    return later


def closed_wh(sent: Tokens) -> bool:
    """A wh-question that asks for a fact: how many/long/often, what time, when, where, who, which."""
    wh = wh_opening(sent)
    if not wh or not is_question(sent):
        return False
    toks = opening(sent)
    nxt = toks[1].lower_ if len(toks) > 1 else ""
    if wh == "how":
        return nxt in CLOSED_WH_NEXT
    if wh == "what":
        return nxt in CLOSED_WHAT_NOUNS
    return wh in ("when", "where", "who", "which", "whose", "whom")


def inverted_aux(sent: Tokens) -> bool:
    """Yes/no question form: an auxiliary or modal opens the clause and a subject follows it.

    >>> from mentorkit.nlp import get_nlp
    >>> inverted_aux(get_nlp("grader")("You're feeling stuck?"))
    False
    """
    toks = opening(sent)
    if len(toks) < 2:
        return False
    first = toks[0]
    if first.lower_ in ("any", "anything", "anyone", "got"):  # "any news?", "anything else?" (elliptical yes/no)
        return is_question(sent)
    if not (first.pos_ == "AUX" or first.tag_ == "MD" or first.lower_ in ("do", "does", "did", "shall", "r")):
        return False
    for t in toks[1:5]:
        if t.dep_ in ("nsubj", "nsubjpass", "expl") or t.lower_ in ("you", "u", "i", "we", "it", "they", "he",
                                                                      "she", "there", "that", "this"):
            return True
    return False


def either_or(sent: Tokens) -> bool:
    """A question offering alternatives joined by *or* ("mornings or evenings?")."""
    return is_question(sent) and any(t.lower_ == "or" for t in sent)


def elaboration_request(sent: Tokens) -> bool:
    """An invitation to say more: "tell me about", "can you describe", "walk me through", "I'm curious"."""
    return bool(_ELABORATE_RE.search(_opening_text(sent)))


def suggestion_question(sent: Tokens) -> bool:
    """Advice phrased as a question: "Have you thought about...", "What if you...", "Why not..."."""
    return bool(_SUGGESTION_Q_RE.search(_opening_text(sent)))


def declarative_question(sent: Tokens) -> bool:
    """A statement said with a rising tone ("You're feeling stuck?"): a question mark without
    inversion or wh-word."""
    return is_question(sent) and not inverted_aux(sent) and not wh_opening(sent) and not suggestion_question(sent)


def reflection_stem(sent: Tokens) -> bool:
    """A phrase that frames a reflection: "it sounds like", "so you're saying", "part of you", "in other words"."""
    return bool(_REFLECTION_RE.search(_opening_text(sent)))


def subject_person(sent: Tokens) -> str:
    """Who the main clause is about: ``"1"`` (I/we), ``"2"`` (you), ``"3"`` (anyone else) or ``"none"``
    (imperatives, fragments).

    >>> from mentorkit.nlp import get_nlp
    >>> subject_person(get_nlp("grader")("So the deadline moved."))
    '3'
    """
    roots = [t for t in sent if t.dep_ == "ROOT"]
    for root in roots:
        subs = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass", "expl")]
        if not subs:
            # "You sound tired" parses fine; "It sounds like you..." -> look into the complement clause
            continue
        s = subs[0]
        low = s.lower_
        if low in ("i", "we"):
            return "1"
        if low in ("you", "u", "ya", "ye"):
            return "2"
        return "3"
    return "none"


def second_person_subject(sent: Tokens) -> bool:
    """*you* is the subject of some clause of the sentence."""
    return any(t.dep_ in ("nsubj", "nsubjpass") and t.lower_ in ("you", "u", "ya") for t in sent)


def first_person_subject(sent: Tokens) -> bool:
    """*I* or *we* is the subject of some clause of the sentence."""
    return any(t.dep_ in ("nsubj", "nsubjpass") and t.lower_ in ("i", "we") for t in sent)


def feeling_words(sent: Tokens) -> int:
    """How many words of feeling the sentence holds ("worried", "stuck", "worn out")."""
    return sum(1 for t in sent if t.lower_ in FEELING_WORDS or t.lemma_.lower() in FEELING_WORDS)


def advice_modal(sent: Tokens) -> bool:
    """Wording that recommends: "you could/should/might want to", "I'd suggest", "it might help", "try ..."."""
    return bool(_ADVICE_RE.search(_opening_text(sent)))


def imperative(sent: Tokens) -> bool:
    """The main verb is a bare command form with no subject ("Write the summary first")."""
    toks = opening(sent)
    if not toks:
        return False
    first = toks[0]
    if first.lower_ in ("do", "don't", "dont") and len(toks) > 1 and toks[1].lower_ in ("n't", "not"):
        return True
    if first.lower_ == "please" and len(toks) > 1:
        first = toks[1]
    lo, hi = sent[0].i, sent[-1].i
    if first.tag_ == "VB" and first.dep_ in ("ROOT", "conj"):
        # a subject outside the unit is the parser joining lines ("Hi Lily,\nPlease stop ..."
        # parsed with "Lily" as the subject of "stop"), not a subject of this command
        return not any(c.dep_ in ("nsubj", "nsubjpass", "expl") and lo <= c.i <= hi for c in first.children)
    # "When the urge comes, wait ten minutes": a bare root verb after an opening clause
    roots = [t for t in sent if t.dep_ == "ROOT"]
    if roots and roots[0].tag_ == "VB" and not is_question(sent):
        r = roots[0]
        return not any(c.dep_ in ("nsubj", "nsubjpass", "expl", "aux", "auxpass") for c in r.children)
    return False


def greeting_or_thanks(sent: Tokens) -> bool:
    """A greeting, thanks, farewell or congratulations word."""
    return any(t.lower_ in GREETING_WORDS for t in sent) and n_tokens(sent) <= 12


def backchannel(sent: Tokens) -> bool:
    """The whole sentence is a listening noise or acknowledgement ("Mm-hmm.", "Right, right.", "I see")."""
    toks = content_tokens(sent)
    return bool(toks) and len(toks) <= 5 and all(t.lower_ in BACKCHANNEL for t in toks)


def praise(sent: Tokens) -> bool:
    """Affirming or appreciative wording ("well done", "that took courage", "proud of you")."""
    return any(t.lower_ in PRAISE_WORDS for t in sent) or bool(_AFFIRM_RE.search(lower_text(sent)))


def self_disclosure(sent: Tokens) -> bool:
    """The speaker tells about themselves ("When I was training, I ...", "I used to ...")."""
    return bool(_SELF_DISCLOSURE_RE.search(lower_text(sent)))


def generalisation(sent: Tokens) -> int:
    """Words that state how things generally are ("usually", "most people", "the policy")."""
    return sum(1 for t in sent if t.lower_ in GENERAL_WORDS or t.lemma_.lower() in GENERAL_WORDS)


def has_number(sent: Tokens) -> bool:
    """A digit or a number word."""
    return bool(_NUMBER_RE.search(sent.text))


def hedge(sent: Tokens) -> bool:
    """A softener: maybe, perhaps, might, kind of."""
    return any(t.lower_ in HEDGES for t in sent)


def future_commitment(sent: Tokens) -> str:
    """Who commits to a future action: ``"1"`` (I/we will), ``"2"`` (you will) or ``""``.

    >>> from mentorkit.nlp import get_nlp
    >>> future_commitment(get_nlp("grader")("I'll send you the slides."))
    '1'
    """
    m = _FUTURE_RE.search(lower_text(sent))
    if not m:
        return ""
    who = (m.group(1) or m.group(3) or "").lower()
    if who in ("i", "we", "me", "mentor"):
        return "1"
    if who in ("you", "u", "mentee"):
        return "2"
    return "both"


def we_subject(sent: Tokens) -> bool:
    """*we* or *let's* frames the action as shared."""
    low = lower_text(sent)
    return any(t.dep_ in ("nsubj", "nsubjpass") and t.lower_ == "we" for t in sent) or bool(
        re.search(r"\blet'?s\b|\btogether\b|\bboth of us\b|\bjointly\b", low))


def time_expression(sent: Tokens) -> bool:
    """A clock time, a time range, a time zone or office hours ("9-11 CET", "after 6pm")."""
    return bool(_TIME_RE.search(norm(sent.text)))


def day_expression(sent: Tokens) -> bool:
    """A day name, weekdays/weekends, or a part of the day as a regular slot ("Tuesday mornings")."""
    return any(t.lower_ in DAYS for t in sent)


def duration_promise(sent: Tokens) -> bool:
    """A turnaround: "within 24 hours", "by the next working day", "same day", "by end of day"."""
    return bool(_DURATION_RE.search(norm(sent.text)))


def frequency_expression(sent: Tokens) -> bool:
    """How often: "every two weeks", "fortnightly", "once a month", "on Tuesdays"."""
    return bool(_FREQ_RE.search(norm(sent.text)))


def n_tokens(sent: Tokens) -> int:
    """Number of content tokens."""
    return len(content_tokens(sent))


def absolutes(sent: Tokens) -> int:
    """Sweeping words: always, never, nothing, everyone."""
    return sum(1 for t in sent if t.lower_ in ABSOLUTES)


def harsh_words(sent: Tokens) -> int:
    """Blunt verdict or blame words: wrong, useless, sloppy, ridiculous, unacceptable."""
    return sum(1 for t in sent if t.lower_ in HARSH_WORDS or t.lemma_.lower() in HARSH_WORDS)


def intensifiers(sent: Tokens) -> int:
    """Pushy intensifiers: just, obviously, clearly, seriously."""
    return sum(1 for t in sent if t.lower_ in INTENSIFIERS)


def shouting(sent: Tokens, skip: set[int] = frozenset()) -> bool:
    """A word of three or more letters in capitals, or repeated ! / ?; tokens whose index is in *skip*
    (someone else's quoted words, :func:`quoted_tokens`) do not count.

    >>> from mentorkit.nlp import get_nlp
    >>> d = get_nlp("grader")('The ticket says "Fix it NOW" so I escalated.')
    >>> shouting(d), shouting(d, skip=quoted_tokens(d))
    (True, False)
    """
    return bool(re.search(r"[!?]{2,}", sent.text)) or any(
        t.is_alpha and len(t.text) >= 3 and t.text.isupper() and t.text not in ("CEO", "CTO", "API", "PDF", "HR")
        and t.i not in skip for t in sent)


def lexicon_hits(sent: Tokens, patterns: dict[str, re.Pattern]) -> dict[str, int]:
    """Count matches of each named regular expression in the sentence's lower-cased text.

    >>> from mentorkit.nlp import get_nlp
    >>> lexicon_hits(get_nlp("grader")("Zoom or Slack?"), {"tool": re.compile(r"zoom|slack")})
    {'tool': 2}
    """
    low = lower_text(sent)
    return {name: len(p.findall(low)) for name, p in patterns.items()}


_QUOTE_RE = re.compile(r'"[^"\n]{2,}?"|“[^”\n]{2,}?”|(?<![A-Za-z])\'[^\'\n]{3,}?\'(?![A-Za-z])')


def split_quotes(text: str) -> tuple[str, str]:
    """(*text* with quoted words replaced by ``"…"``, the quoted words): someone else's words
    quoted in a message are not the writer's own tone.

    >>> split_quotes('She called it "sloppy at best." What do you think?')
    ('She called it "…" What do you think?', 'sloppy at best.')
    """
    quoted = [m.group()[1:-1] for m in _QUOTE_RE.finditer(text)]
    return _QUOTE_RE.sub('"…"', text), " ".join(quoted)


def _quote_ranges(doc) -> tuple[tuple[int, int], ...]:
    """The character ranges of the quoted stretches of *doc*, found once per Doc (``doc.text`` is
    rebuilt from the tokens on every read, and a detector asks for each unit of the text)."""
    got = doc.user_data.get("mentorkit.quote_ranges")
    if got is None:
        text = doc.text
        got = () if '"' not in text and "'" not in text and "“" not in text else tuple(
            (m.start() + 1, m.end() - 1) for m in _QUOTE_RE.finditer(text))
        doc.user_data["mentorkit.quote_ranges"] = got
    return got


def quoted_tokens(sent: Tokens) -> set[int]:
    """Indexes (in the doc) of the tokens inside a quoted stretch of *sent*.

    >>> from mentorkit.nlp import get_nlp
    >>> d = get_nlp("grader")('He said "this is garbage" today.')
    >>> sorted(d[i].text for i in quoted_tokens(d))
    ['garbage', 'is', 'this']
    """
    # quotes are found in the whole text: a quoted stretch can be cut into two units ('"Fix it NOW | or we cancel."')
    doc = sent.doc if isinstance(sent, Span) else sent
    ranges = _quote_ranges(doc)
    if not ranges:
        return set()
    return {t.i for t in sent if any(a <= t.idx < b for a, b in ranges) and not t.is_punct}
