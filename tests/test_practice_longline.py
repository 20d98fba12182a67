"""A long reply typed or pasted into the terminal arrives whole (no silent cut at 4,095 characters).

The tests run the reader in a child process whose stdin is a real pseudo-terminal, the
way a trainee's shell is, and type into it.
"""
from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")

CHILD_LONGLINE = ("import sys; from mentorkit.cli.longline import read_reply; "
                  "s = read_reply('You> '); sys.stderr.write(f'{len(s)}|{s[-12:]}')")
CHILD_INPUT = "import sys; sys.stdout.write('You> '); sys.stdout.flush(); s = input(); sys.stderr.write(f'{len(s)}|')"


def _type_into(child_code: str, text: str, end: str = "\r") -> str:
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", child_code], stdin=slave, stdout=slave,
                            stderr=subprocess.PIPE, env=env, close_fds=True)
    os.close(slave)
    seen = bytearray()
    stop = threading.Event()

    def drain():
        while not stop.is_set():
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    deadline = time.time() + 60
    while b"You> " not in seen and time.time() < deadline:
        time.sleep(0.05)
    data = (text + end).encode()
    for i in range(0, len(data), 1024):
        os.write(master, data[i:i + 1024])
        time.sleep(0.01)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        stop.set()
        os.close(master)
    return err.decode()


def test_a_6000_character_reply_typed_into_a_terminal_arrives_whole():
    reply = ("I noticed you left the call early. " * 200)[:6000] + "END-MARKER"
    got = _type_into(CHILD_LONGLINE, reply)
    assert got == f"{len(reply)}|{reply[-12:]}"


def test_backspace_edits_the_line():
    got = _type_into(CHILD_LONGLINE, "helloo\x7f there")
    assert got == "11|hello there"


def test_the_terminal_limit_this_guards_against_is_real_here():
    # plain input() on a canonical-mode tty: the same reply does not arrive whole
    reply = "x" * 6000
    got = _type_into(CHILD_INPUT, reply, end="\n")
    assert int(got.split("|")[0]) < 6000
