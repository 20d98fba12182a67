"""Shared fixtures: a live Voila server and a Playwright page on Debian's chromium."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _voila(log_dir: Path, *args: str, **env_overrides: str):
    """Run mentorkit's Voila (``python -m mentorkit.serving``, as ``make serve`` does) in tree mode at the
    repo root with the repo's voila.json; *args* are more command-line options; yield its base URL."""
    port = _free_port()
    log = log_dir / "voila.log"
    env = dict(os.environ)
    env.setdefault("MENTORKIT_SALT", "browser-test-salt")
    # as `make serve` does: voila.json names the repo's "mentorkit" template, found through JUPYTER_PATH
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(ROOT / "dashboards" / "share" / "jupyter"),
                                                      env.get("JUPYTER_PATH", "")) if p)
    env.update(env_overrides)
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "mentorkit.serving", "--no-browser", f"--port={port}",
                                 "--Voila.ip=127.0.0.1", *args, "."], cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT,
                                env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"voila exited early:\n{log.read_text()}")
            try:
                urllib.request.urlopen(url + "/voila/tree", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"voila did not answer within 60 s:\n{log.read_text()}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def voila_server():
    """Start another Voila server: ``with voila_server(log_dir, NAME=value) as url: ...``."""
    return _voila


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory):
    """A Voila server in tree mode at the repo root, with the repo's voila.json; yields its base URL."""
    db = str(tmp_path_factory.mktemp("db") / "practice.sqlite")
    with _voila(tmp_path_factory.mktemp("voila"), MENTORKIT_PRACTICE_DB=db) as url:
        yield url


@pytest.fixture(scope="session")
def _browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium; run it, or apt-get install chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser):
    """A fresh Playwright page; console errors are collected on ``page.console_errors``."""
    context = _browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.console_errors = errors
    yield pg
    try:  # as a closing tab does: Voila's beforeunload handler asks the server to shut the page's kernel down
        pg.close(run_before_unload=True)
    except Exception:  # noqa: BLE001 - the page may already be gone
        pass
    context.close()
