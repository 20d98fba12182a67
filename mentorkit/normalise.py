"""Chat normalisation before the language cues, with a map back to the original text.

People write feedback and replies in chat the way they talk: lower case, no full stop,
"tmrw", "u", "pls", emoji between clauses, filler such as "lol". The spaCy model was
trained on edited text, so the parse (and every cue read from it) suffers. :func:`normalise`
rewrites the text into the form the parser knows and keeps, for every character of the
rewritten text, where it came from, so evidence found in the rewritten text is reported
as a span of what the person actually wrote.

What it does, in order, word by word:

* **abbreviations**: a table of common chat and note-taking shortenings (:data:`ABBREVIATIONS`),
  whole words only and case-insensitive ("tmrw" -> "tomorrow", "u" -> "you", "appt" ->
  "appointment"); "ur" becomes "you're" before a word that follows a verb slot and "your"
  otherwise;
* **emoji** (found with the `emoji` library, which tracks the Unicode emoji list): each run
  is taken out of the text; between two clauses it becomes a sentence break. The names
  stay available in :attr:`Normalised.emoji` for detectors that read them;
* **filler laughter and chat noise** ("lol", "lmao", "haha"): taken out, so they can never
  be evidence of anything;
* **case**: in text written without capitals, sentence starts, the pronoun "I" and day
  names get their capitals back;
* **missing punctuation**: a line break between two lines of chat becomes a sentence break,
  and a final full stop is added when the text ends without one.

Text that needs none of this comes back unchanged (the same string), so edited prose is
parsed exactly as before.

>>> n = normalise("u missed the appt tmrw lol")
>>> n.text
'You missed the appointment tomorrow.'
>>> n.to_original(*n.find("the appointment"))
(9, 17)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["ABBREVIATIONS", "FILLERS", "Normalised", "normalise", "emoji_names", "is_emoji_only", "parse", "parse_one",
           "parse_shared", "shared_key", "original_span", "original_text", "NORM_KEY"]

#: chat and note-taking shortenings -> their written form (lower case keys, whole words only)
ABBREVIATIONS: dict[str, str] = {
    # people and pronouns
    "u": "you", "ya": "you", "yu": "you", "r": "are", "im": "I'm", "ive": "I've",
"dont": "don't", "didnt": "didn't", "doesnt": "doesn't", "cant": "can't", "wont": "won't",
    "isnt": "isn't", "wasnt": "wasn't", "werent": "weren't", "havent": "haven't", "hasnt": "hasn't",
    "couldnt": "couldn't", "shouldnt": "shouldn't", "wouldnt": "wouldn't", "thats": "that's",
    "theyre": "they're", "youre": "you're", "youve": "you've", "itll": "it'll", "ppl": "people",
    "sb": "somebody", "sth": "something", "smth": "something",
    # times and days
    "tmrw": "tomorrow", "tmr": "tomorrow", "tmrrw": "tomorrow", "tomoz": "tomorrow", "2moro": "tomorrow",
    "2morrow": "tomorrow", "yday": "yesterday", "ytd": "yesterday", "yest": "yesterday", "2day": "today",
    "tonite": "tonight", "2nite": "tonight", "arvo": "afternoon", "aft": "afternoon", "eve": "evening",
    "mon": "Monday", "tues": "Tuesday", "tue": "Tuesday", "weds": "Wednesday", "thurs": "Thursday",
    "thur": "Thursday", "thu": "Thursday", "fri": "Friday", "wk": "week", "wks": "weeks", "wknd": "weekend",
    "hr": "hour", "hrs": "hours", "min": "minute", "mins": "minutes", "sec": "second", "secs": "seconds",
    "xmas": "Christmas", "b4": "before", "rn": "right now", "atm": "at the moment", "asap": "as soon as possible",
    "eod": "end of day", "eow": "end of week",
    # work words
    "appt": "appointment", "appts": "appointments", "mtg": "meeting", "mtgs": "meetings", "msg": "message",
    "msgs": "messages", "convo": "conversation", "convos": "conversations", "pres": "presentation",
    "preso": "presentation", "prezzo": "presentation", "dept": "department", "mgr": "manager",
    "info": "information", "docs": "documents", "pic": "picture", "pics": "pictures", "req": "request",
    "reqs": "requirements", "approx": "about", "cust": "customer", "custs": "customers",
    # linking words
    "abt": "about", "bc": "because", "b/c": "because", "cuz": "because", "coz": "because", "cos": "because",
    "bcoz": "because", "bcos": "because", "w/": "with", "w/o": "without", "thru": "through", "tho": "though",
    "altho": "although", "bout": "about", "n": "and", "&": "and", "ur": "your", "urs": "yours",
    "pls": "please", "plz": "please", "pl": "please", "thx": "thanks", "thnx": "thanks", "tx": "thanks",
    "ty": "thank you", "tysm": "thank you so much", "np": "no problem", "nvm": "never mind",
    "idk": "I don't know", "imo": "in my opinion", "imho": "in my opinion", "tbh": "to be honest",
    "btw": "by the way", "fyi": "for your information", "iirc": "if I remember right", "afaik": "as far as I know",
    "prob": "probably", "prolly": "probably", "def": "definitely", "defo": "definitely", "obvs": "obviously",
    "v": "very", "rly": "really", "srsly": "seriously", "esp": "especially",
    "ok": "okay", "k": "okay", "kk": "okay", "2": "to",
}
# "2" alone is "to" only between words ("talk 2 him"); numbers stay numbers (handled in _expand)

#: chat noise that carries no content: never a situation, a behaviour or anything else
FILLERS = frozenset({"lol", "lmao", "lmfao", "rofl", "haha", "hahaha", "hehe", "lolol", "omg", "ugh", "smh",
                     "xd", "xx", "xoxo"})

_DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
# words after which "ur" is "you're" (a state or an -ing verb follows), not "your"
_UR_YOURE_NEXT = frozenset({"late", "right", "welcome", "not", "so", "too", "very", "really", "always", "never",
                            "still", "doing", "going", "the", "a", "an", "on", "in", "at", "off", "out", "up",
                            "done", "back", "ok", "okay", "fine", "good", "great", "amazing", "allowed",
                            "supposed", "meant", "clearly", "being", "just", "gonna", "making"})
# a word is letters of any script and digits ("Tomás", "Müller", "3pm"), with inner apostrophes,
# slashes, "&" and "+"; ASCII-only classes would cut an accented name in two
_WORD = re.compile(r"[^\W_](?:[^\W_]|['’/&+])*|[&+]")
_SENT_END = ".!?…"


@dataclass(frozen=True)
class Normalised:
    """The rewritten text and, per character, the span of the original it came from.

    ``starts[i]`` / ``ends[i]`` bound the original characters behind ``text[i]``; a character
    that was inserted (an added full stop) has ``starts[i] == ends[i]``.
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    emoji: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def find(self, part: str) -> tuple[int, int]:
        """(start, end) of the first *part* in the rewritten text (for doctests and tests)."""
        i = self.text.index(part)
        return i, i + len(part)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) behind the rewritten ``text[start:end]``, whitespace trimmed.

        >>> n = normalise("pls send it tmrw")
        >>> n.to_original(*n.find("tomorrow"))
        (12, 16)
        """
        if not self.changed:
            return start, end
        real = [i for i in range(max(start, 0), min(end, len(self.text))) if self.ends[i] > self.starts[i]]
        if not real:
            pos = self.starts[min(max(start, 0), len(self.starts) - 1)] if self.starts else 0
            return pos, pos
        s, e = min(self.starts[i] for i in real), max(self.ends[i] for i in real)
        while s < e and self.original[s].isspace():
            s += 1
        while e > s and self.original[e - 1].isspace():
            e -= 1
        return s, e

    def from_original(self, start: int, end: int) -> tuple[int, int] | None:
        """The rewritten (start, end) covering the original ``original[start:end]``; None when all of
        it was taken out (an emoji or a filler)."""
        if not self.changed:
            return start, end
        hit = [i for i in range(len(self.text)) if self.ends[i] > self.starts[i]
               and self.starts[i] < end and self.ends[i] > start and not self.text[i].isspace()]
        if not hit:
            return None
        return min(hit), max(hit) + 1


class _Builder:
    def __init__(self, original: str):
        self.original = original
        self.out: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def copy(self, a: int, b: int) -> None:
        for i in range(a, b):
            self.out.append(self.original[i])
            self.starts.append(i)
            self.ends.append(i + 1)

    def replace(self, a: int, b: int, new: str) -> None:
        for ch in new:
            self.out.append(ch)
            self.starts.append(a)
            self.ends.append(b)

    def insert(self, at: int, new: str) -> None:
        for ch in new:
            self.out.append(ch)
            self.starts.append(at)
            self.ends.append(at)

    def last_visible(self) -> str:
        for ch in reversed(self.out):
            if not ch.isspace():
                return ch
        return ""


def _emoji_spans(text: str) -> list[tuple[int, int, str]]:
    import emoji

    found = emoji.emoji_list(text)
    out: list[tuple[int, int, str]] = []
    for e in found:
        name = emoji.demojize(e["emoji"], delimiters=("", "")).replace("_", " ")
        s, t = e["match_start"], e["match_end"]
        # a skin-tone or variation selector or joiner right after belongs to the same emoji
        while t < len(text) and (text[t] in "\ufe0f\u200d" or 0x1F3FB <= ord(text[t]) <= 0x1F3FF):
            t += 1
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], t, out[-1][2] + " " + name)
        else:
            out.append((s, t, name))
    return out


_EMOJI_HINT = re.compile("[\u2190-\u2bff\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d]")


def emoji_names(text: str) -> list[str]:
    """The names of the emoji in *text*, in order ("thumbs up", "red heart").

    >>> emoji_names("done 👍")
    ['thumbs up']
    """
    if not _EMOJI_HINT.search(text):
        return []
    return [n for _, _, n in _emoji_spans(text)]


def is_emoji_only(text: str) -> bool:
    """True when *text* holds emoji (and punctuation or space) but no words.

    >>> is_emoji_only("🙏🙏"), is_emoji_only("thanks 🙏")
    (True, False)
    """
    if not _EMOJI_HINT.search(text):
        return False
    rest = text
    for s, e, _ in reversed(_emoji_spans(text)):
        rest = rest[:s] + rest[e:]
    return bool(_emoji_spans(text)) and not re.search(r"[A-Za-z0-9]", rest)


def _lowercase_style(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and not any(c.isupper() for c in letters)


def _expand(word: str, nxt: str | None, prev: str | None) -> str | None:
    low = word.lower().replace("’", "'")
    if low == "2":
        return "to" if prev is not None and nxt is not None and prev.isalpha() and nxt.isalpha() else None
    if low in ("n", "r", "v", "k", "pl", "min", "sec", "eve", "aft", "def", "pres", "info", "docs", "mon", "cos",
               "thu", "tue", "ya") and word != low:
        return None  # written with capitals: a name or an initial, not chat shorthand
    if low == "ur":
        return "you're" if nxt is not None and (nxt.lower() in _UR_YOURE_NEXT or nxt.lower().endswith("ing")) \
            else "your"
    return ABBREVIATIONS.get(low)


#: characters a word may follow with no space in between ("e-mail", "'those'", "(see", "and/or", "@ana")
_JOINERS = frozenset("-‐‑'’‘\"“([/@#&_+")


def _joined(b: _Builder, text: str, at: int) -> bool:
    """The output so far ends in the joiner written right before the word at *at* in *text*."""
    return (at > 0 and text[at - 1] in _JOINERS and b.out[-1] == text[at - 1]
            and b.starts[-1] == at - 1 and b.ends[-1] == at)


@lru_cache(maxsize=4096)
def normalise(text: str, keep_emoji: bool = False) -> Normalised:
    """Rewrite chat-style *text* for the parser; see the module docstring.

    With *keep_emoji* the emoji stay in the text (as their own tokens, each run closing its
    clause) for the detectors that read tone from them; the grader takes them out.

    >>> normalise("proud of you 🥹 that talk was so good", keep_emoji=True).text
    'Proud of you 🥹. That talk was so good.'
    >>> normalise("In yesterday's call, you cut Ana off.").changed
    False
    >>> normalise("great job on the demo 🎉 the client signed").text
    'Great job on the demo. The client signed.'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalise expects a str, got {type(text).__name__}")
    emo = _emoji_spans(text) if _EMOJI_HINT.search(text) else []
    lower_style = _lowercase_style(text)
    b = _Builder(text)
    emoji_at = {s: e for s, e, _ in emo}
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    words = [w for w in words if not any(s <= w[0] < e for s, e, _ in emo)]  # keycap digits are emoji
    word_at = {w[0]: k for k, w in enumerate(words)}
    sentence_start = True
    pending_break = False  # an emoji or a line break sat between two clauses

    def trim_spaces() -> None:
        while b.out and b.out[-1] == " ":
            b.out.pop(), b.starts.pop(), b.ends.pop()

    def end_sentence(at: int) -> None:
        nonlocal sentence_start
        if not sentence_start and b.last_visible() not in _SENT_END + ",;:—–-(":
            trim_spaces()
            b.insert(at, ".")
            sentence_start = True

    i, n = 0, len(text)
    while i < n:
        if i in emoji_at:
            if keep_emoji:
                if b.out and not b.out[-1].isspace():
                    b.insert(i, " ")
                b.copy(i, emoji_at[i])
                sentence_start = False
            pending_break = True
            i = emoji_at[i]
            continue
        k = word_at.get(i)
        if k is not None:
            s, e, w = words[k]
            low = w.lower()
            if low in FILLERS:
                trim_spaces()
                i = e
                while i < n and text[i] in ",":
                    i += 1
                continue
            if pending_break:
                end_sentence(s)
                pending_break = False
            if b.out and not b.out[-1].isspace() and not _joined(b, text, s):
                b.insert(s, " ")
            nxt = words[k + 1][2] if k + 1 < len(words) else None
            prev = words[k - 1][2] if k > 0 else None
            new = _expand(w, nxt, prev)
            if new is None and lower_style:
                if low == "i":
                    new = "I"
                elif low.startswith(("i'", "i’")):
                    new = "I" + w[1:]
                elif low in _DAYS:
                    new = w.capitalize()
            if lower_style and sentence_start:
                base = new if new is not None else w
                if base[:1].islower():
                    new = base[:1].upper() + base[1:]
            if new is None:
                b.copy(s, e)
            else:
                b.replace(s, e, new)
            sentence_start = False
            i = e
            continue
        ch = text[i]
        if ch == "\n":
            end_sentence(i)
            trim_spaces()
            b.copy(i, i + 1)
            sentence_start = True
            pending_break = False
            i += 1
            continue
        if ch.isspace():
            if b.out and not b.out[-1].isspace():
                b.copy(i, i + 1)
            i += 1
            continue
        if pending_break and ch not in _SENT_END:
            end_sentence(i)
        pending_break = False
        if ch in _SENT_END:
            sentence_start = True
        elif ch not in "\"'()“”‘’[]":
            sentence_start = sentence_start and ch in "-*•–#>"
        b.copy(i, i + 1)
        i += 1
    while b.out and b.out[-1].isspace():
        b.out.pop(), b.starts.pop(), b.ends.pop()
    if b.out and b.last_visible() not in _SENT_END + "\"')”’" and (any(c.isalpha() for c in b.out) or
                                                                   keep_emoji and pending_break and emo):
        b.insert(len(text), ".")
    out = "".join(b.out)
    names = tuple(name for _, _, name in emo)
    if out == text:
        return Normalised(text, text, tuple(range(len(text))), tuple(range(1, len(text) + 1)), names)
    return Normalised(text, out, tuple(b.starts), tuple(b.ends), names)


NORM_KEY = "mentorkit_norm"


def parse(texts: list[str], nlp=None, batch_size: int = 64, progress: bool = False, desc: str = "parsing",
          keep_emoji: bool = True):
    """Parse the normalised form of each text (emoji kept unless *keep_emoji* is False: the
    skill detectors read tone from them); each Doc carries its :class:`Normalised` in
    ``doc.user_data["mentorkit_norm"]`` so evidence can be mapped back (:func:`original_span`)."""
    if nlp is None:
        from mentorkit.nlp import get_nlp
        nlp = get_nlp("grader")
    norms = [normalise(t, keep_emoji) for t in texts]
    it = nlp.pipe([n.text for n in norms], batch_size=batch_size) if len(norms) > 1 else \
        (nlp(n.text) for n in norms)
    if progress and len(norms) > 100:
        from tqdm.auto import tqdm
        it = tqdm(it, total=len(norms), desc=desc, leave=False)
    docs = []
    for n, d in zip(norms, it):
        d.user_data[NORM_KEY] = n
        docs.append(d)
    return docs


def parse_one(text: str, doc=None, keep_emoji: bool = True):
    """*text* parsed in its normalised form; *doc* (a parse of *text* as written) is reused when
    normalisation leaves the text as it is.

    Otherwise the parse comes from the shared parses (:func:`mentorkit.nlp.cached_parse`): the
    parse of *text* as written when normalisation leaves it as it is, else the parse of the
    normalised text, kept for *text* (so every detector reading the same reply shares one Doc).
    """
    if doc is not None and doc.user_data.get(NORM_KEY) is not None and doc.user_data[NORM_KEY].original == text:
        return doc
    n = normalise(text, keep_emoji)
    if doc is not None and not n.changed and doc.text == text:
        doc.user_data[NORM_KEY] = n
        return doc
    from mentorkit.nlp import cached_parse
    doc = cached_parse(n.text, key=shared_key(n))
    doc.user_data[NORM_KEY] = n
    return doc


def shared_key(n: Normalised) -> tuple:
    """The shared-parse key of the parse behind ``parse_one(n.original)``: the parse as written
    when normalisation changes nothing, else a Doc of the normalised text of its own, kept by the
    whole :class:`Normalised` (so the detectors, which keep emoji, and the SBI grader, which takes
    them out, share one when the two forms are the same)."""
    return ("grader", n.original) if not n.changed else ("grader", "normalised", n)


def parse_shared(texts: list[str], keep_emoji: bool = True) -> list:
    """:func:`parse_one` of each of *texts*, every parse not shared yet made in one batch
    (:func:`mentorkit.nlp.parse_many`): the texts as written and, for those normalisation
    changes, their normalised forms.

    >>> a, b = parse_shared(["pls send it tmrw", "Please send it tomorrow."])
    >>> a.text, a is parse_one("pls send it tmrw"), original_text(a)
    ('Please send it tomorrow.', True, 'pls send it tmrw')
    """
    from mentorkit.nlp import parse_many
    norms = [normalise(t, keep_emoji) for t in texts]
    parse_many([n.text for n in norms], keys=[shared_key(n) for n in norms])
    return [parse_one(t, keep_emoji=keep_emoji) for t in texts]


def original_span(doc, start: int, end: int) -> tuple[int, int, str]:
    """(start, end, text) in the text as written of the characters ``doc.text[start:end]``."""
    n = doc.user_data.get(NORM_KEY)
    if n is None:
        return start, end, doc.text[start:end]
    a, b = n.to_original(start, end)
    return a, b, n.original[a:b]


def original_text(doc) -> str:
    n = doc.user_data.get(NORM_KEY)
    return doc.text if n is None else n.original
