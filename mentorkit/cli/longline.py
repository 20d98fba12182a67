"""Read one reply from the terminal without the terminal's silent cut at 4,095 characters.

A terminal in canonical mode (the normal line editing of a Unix tty) keeps at most
4,095 characters of a line and drops the rest without a word, so a long pasted reply
reached ``input()`` cut. :func:`read_reply` reads a tty with line editing off
(``termios``: no ICANON, no ECHO) and does the little editing itself (echo, backspace,
Ctrl-U, Ctrl-D), so a line of any length arrives whole. Pipes and files have no such
limit and are read with ``input()``. Where ``termios`` is missing (Windows consoles),
``input()`` is used and a line that reaches the limit is reported: :data:`CUT_WARNING`
names where it was cut.
"""
from __future__ import annotations

import codecs
import os
import sys
from typing import TextIO

__all__ = ["read_reply", "TTY_LINE_LIMIT", "CUT_WARNING"]

#: the longest line a canonical-mode tty passes on (N_TTY's 4,096-byte buffer less the newline)
TTY_LINE_LIMIT = 4095
CUT_WARNING = ("(your reply reached the terminal's {limit:,}-character line limit and may have been cut "
               "after \u201c...{tail}\u201d; use --script for replies this long)")


def read_reply(prompt: str = "", out: TextIO | None = None, stdin: TextIO | None = None) -> str:
    """One line of input, whole, however long; raises EOFError at end of input (Ctrl-D on an empty line)."""
    out = out or sys.stdout
    stdin = stdin or sys.stdin
    try:
        fd = stdin.fileno()
        tty = os.isatty(fd)
    except (AttributeError, OSError, ValueError):
        tty = False
    if tty:
        try:
            import termios
        except ImportError:
            termios = None
        if termios is not None:
            return _read_tty(fd, prompt, out, termios)
    out.write(prompt)
    out.flush()
    line = stdin.readline() if stdin is not sys.stdin else input()
    if stdin is not sys.stdin:
        if not line:
            raise EOFError
        line = line.rstrip("\n").rstrip("\r")
    if tty and len(line) >= TTY_LINE_LIMIT:
        print(CUT_WARNING.format(limit=TTY_LINE_LIMIT, tail=line[-40:]), file=out)
    return line


def _read_tty(fd: int, prompt: str, out: TextIO, termios) -> str:
    old = termios.tcgetattr(fd)
    new = termios.tcgetattr(fd)
    new[3] &= ~(termios.ICANON | termios.ECHO)
    new[6][termios.VMIN] = 1
    new[6][termios.VTIME] = 0
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    chars: list[str] = []
    termios.tcsetattr(fd, termios.TCSANOW, new)
    try:
        out.write(prompt)
        out.flush()
        while True:
            data = os.read(fd, 65536)
            if not data:
                if not chars:
                    raise EOFError
                break
            text = decoder.decode(data)
            done = False
            for ch in text:
                if ch in "\r\n":
                    done = True
                    break
                if ch == "\x04":               # Ctrl-D
                    if not chars:
                        raise EOFError
                    continue
                if ch in "\x7f\x08":           # backspace
                    if chars:
                        chars.pop()
                        out.write("\b \b")
                    continue
                if ch == "\x15":               # Ctrl-U: clear the line
                    out.write("\b \b" * len(chars))
                    chars.clear()
                    continue
                if ch == "\x1b" or (ch < " " and ch != "\t"):
                    continue                   # escape sequences and other controls are not text
                chars.append(ch)
                out.write(ch)
            out.flush()
            if done:
                break
        out.write("\n")
        out.flush()
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
    return "".join(chars)
