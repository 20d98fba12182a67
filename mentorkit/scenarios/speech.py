"""The two marks inside a mentee line that the engine, its answers and its wording all read.

* a **speaker tag** at the head of a line, ``[Marco, private chat] I did jump in first.``,
  where a scene has several voices (a bracket that describes the scene, ``[Grace nods]``,
  is not a speaker);
* a **placeholder**, ``{name}``, filled from the scenario's persona when the line is said.

They live here, below :mod:`mentorkit.scenarios.engine`, :mod:`~mentorkit.scenarios.answers`
and :mod:`~mentorkit.scenarios.wording`, so that those three do not import each other for them.
"""
from __future__ import annotations

import re

__all__ = ["PLACEHOLDER", "render", "split_tag", "last_speaker", "join_voiced"]

#: a ``{name}``-style placeholder (lower-case letters and underscores)
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_TAG = re.compile(r"^\s*(\[[^\]]{1,60}\])\s*")
_ANY_TAG = re.compile(r"\[[^\]]{1,60}\]")


def render(text: str, values: dict[str, str]) -> str:
    """Fill ``{name}``-style placeholders from *values*; other braces stay as they are.

    >>> render("Hi, it's {name}.", {"name": "Ana"})
    "Hi, it's Ana."
    """
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def split_tag(line: str) -> tuple[str, str]:
    """A line's leading speaker tag and the rest (``("", line)`` when it has none).

    >>> split_tag("[Marco, private chat] I did jump in first.")
    ('[Marco, private chat]', 'I did jump in first.')
    >>> split_tag("No tag here.")
    ('', 'No tag here.')
    """
    m = _TAG.match(line)
    return (m.group(1), line[m.end():]) if m else ("", line)


def _stage_direction(tag: str) -> bool:
    """A bracket that describes the scene ('[the room goes quiet]', '[Grace nods]'), not one that
    names a speaker ('[Marco]', '[Li Wei, unmuting]'): a speaker tag is capitalised names up to a comma."""
    words = tag[1:-1].split(",")[0].split()
    return not words or len(words) > 3 or not all(w[:1].isupper() for w in words)


def last_speaker(text: str) -> str:
    """The last speaker tag in *text* ('' when none); scene descriptions do not count."""
    tags = [t for t in _ANY_TAG.findall(text) if not _stage_direction(t)]
    return tags[-1] if tags else ""


def join_voiced(parts: list[str], voice: str = "", sep: str = " ") -> str:
    """Join message parts so each speaker tag is said once per run of the same speaker.

    An untagged part is spoken in *voice* (the speaker the message is in, e.g. the tag
    of the reaction that follows); a part whose tag is the current speaker's drops it.

    >>> join_voiced(["[Marco] I went first.", "[Marco] And I cut in.", "[Grace] Hm."])
    '[Marco] I went first. And I cut in. [Grace] Hm.'
    >>> join_voiced(["Like I said, yes.", "[Marco] Fair."], voice="[Marco]")
    '[Marco] Like I said, yes. Fair.'
    """
    out: list[str] = []
    current = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        tag, body = split_tag(part)
        if tag and _stage_direction(tag):
            tag, body = "", part
        speaker = tag or voice
        if speaker and speaker != current:
            out.append(f"{speaker} {body}")
        else:
            out.append(body)
        current = last_speaker(part) or speaker or current
    return sep.join(out)
