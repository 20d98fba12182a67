"""How fast the dashboards open, against a bare one-widget Voila notebook served the same way.

What it does, in one run:

1. Starts Voila with the repository's ``voila.json`` (kernel cap, culling, the
   ``mentorkit`` template) on a free port, serving ``dashboards/`` and ``exercises/`` plus
   a bare notebook that shows one button.
2. **Time to interactive**: opens each page in Debian's chromium and times from the
   request until the page's main widget is drawn (the first view of the dashboard, which
   holds no chart: key figures, the ROI calculator, the trainee table; the bare notebook's
   button). One warm-up open per page is not counted (it fills the operating
   system's file cache and mentorkit's cache of redacted comments, as the first visitor
   after a data change does); then each page is opened ``--repeat`` times and the median
   is reported with its ratio to the bare notebook (target: 2x or less). Program health is
   timed a second way, until its "Act" tab shows the nudge outbox (target: 1.5x or less).
3. **Ten viewers at once**: opens the bare notebook, then the program-health dashboard, in
   ten browser tabs at the same moment, and times each tab until it is drawn (target for
   program health: all within 30 s). The browser runs on the same machine as the server,
   so the CPU seconds of the browser and of the server are printed apart. The memory of
   every kernel process (RSS and unique set size) and of the server is measured while the
   ten health tabs are open. Then ten plain HTTP requests for program health at once show
   the server's share alone (each response ends when the notebook has run in its kernel).
4. With ``--cold``, the same on a second server with pre-heating switched off, to show
   what the kernel pools buy.

A viewer whose page is not drawn within the time limit is reported, not hidden.

Run from the repository root::

    .venv/bin/python benchmarks/bench_dashboards.py           # about 4 minutes
    .venv/bin/python benchmarks/bench_dashboards.py --cold    # about 8 minutes
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
BARE = "bench/bare.ipynb"
OUTBOX = "dashboards/program_health.ipynb#outbox"
PAGES = {  # notebook -> selector that means "the main widget is drawn"; opened in this order each round
    # each dashboard opens on a tab without charts (chart tabs are drawn when first opened)
    "dashboards/program_health.ipynb": ".mk-health .mk-kpi-row .mk-kpi",
    "dashboards/outcomes_roi.ipynb": ".mk-roi-result .mk-kpi",
    "dashboards/trainer.ipynb": ".mk-trainer-trainees table",
    # program health until its "Act" tab shows the nudge outbox (the tab is opened as soon as the
    # page is drawn; the outbox is drafted when the tab opens)
    OUTBOX: ".mk-manage-outbox table, .mk-manage-outbox .mk-message",
    BARE: ".mk-bare-button",
}
#: pages with their own target (the outbox issue asks for 1.5x the bare notebook)
TARGETS = {OUTBOX: 1.5}
#: the bare notebook gets a pool of one too, so it is served the way the dashboards are
BARE_POOL = 1
VIEWERS = 10
VIEWER_LIMIT_S = 30.0
RATIO_TARGET = 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _site(preheat: bool) -> Path:
    """A temporary server root: the dashboards and exercises (copied), the bare notebook, voila.json.

    voila.json is the repository's; with *preheat* False, pre-heating is switched off (to
    measure what the pools buy); with it on, the bare notebook gets a pool like the dashboards.
    """
    import nbformat

    site = Path(tempfile.mkdtemp(prefix="mentorkit-bench-"))
    for folder in ("dashboards", "exercises"):  # copies: Voila's pools skip notebooks behind symlinks
        shutil.copytree(ROOT / folder, site / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "share"))
    (site / "bench").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import ipywidgets as w\n\nb = w.Button(description='Hello')\n"
                                          "b.add_class('mk-bare-button')\nb")]
    nbformat.write(nb, site / BARE)
    cfg = json.loads((ROOT / "voila.json").read_text())
    cfg["VoilaConfiguration"]["preheat_kernel"] = preheat
    if preheat:
        cfg["VoilaKernelManager"]["kernel_pools_config"][BARE] = {"pool_size": BARE_POOL}
    (site / "voila.json").write_text(json.dumps(cfg, indent=2))
    return site


def _pool_total(preheat: bool) -> int:
    if not preheat:
        return 0
    cfg = json.loads((ROOT / "voila.json").read_text())
    return sum(v["pool_size"] for k, v in cfg["VoilaKernelManager"]["kernel_pools_config"].items()
               if k != "default") + BARE_POOL


class Server:
    """Voila on a free port, started in *site* (so its voila.json applies), stopped on exit."""

    def __init__(self, site: Path):
        self.site = site
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = site / "voila.log"
        env = dict(os.environ)
        env.setdefault("MENTORKIT_SALT", "benchmark-salt")
        env["MENTORKIT_PRACTICE_DB"] = str(site / "practice.sqlite")
        env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(ROOT / "dashboards" / "share" / "jupyter"),
                                                          env.get("JUPYTER_PATH", "")) if p)
        self.proc = subprocess.Popen([sys.executable, "-m", "mentorkit.serving", "--no-browser", f"--port={self.port}",
                                      "--Voila.ip=127.0.0.1", "."], cwd=site, env=env,
                                     stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/voila/tree", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"voila did not start:\n{self.log.read_text()[-2000:]}")

    def kernels(self) -> list:
        """The kernel processes under the server (psutil.Process objects)."""
        import psutil

        out = []
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                if "ipykernel" in " ".join(child.cmdline()):
                    out.append(child)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return out

    def wait_until_quiet(self, expected: int, timeout: float = 300) -> float:
        """Wait until *expected* kernels run and all are idle (the pools have run their notebooks)."""
        import psutil

        t0 = time.time()
        quiet = 0
        seen: dict[int, psutil.Process] = {}  # cpu_percent compares with the previous call on the same object
        while time.time() - t0 < timeout:
            procs = [seen.setdefault(p.pid, p) for p in self.kernels()]
            busy = 0.0
            for p in procs:
                try:
                    busy += p.cpu_percent(interval=None)
                except psutil.NoSuchProcess:
                    continue
            quiet = quiet + 1 if len(procs) >= expected and busy < 5.0 else 0
            if quiet >= 4:
                return time.time() - t0
            time.sleep(0.75)
        return time.time() - t0

    def kernel_memory(self) -> tuple[list[tuple[float, float]], float]:
        """[(RSS MB, USS MB)] for every kernel process under the server, and the server's own RSS MB."""
        import psutil

        kernels = []
        for child in self.kernels():
            try:
                info = child.memory_full_info()
                kernels.append((info.rss / 2**20, info.uss / 2**20))
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return kernels, psutil.Process(self.proc.pid).memory_info().rss / 2**20

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds so far of the server (Voila and its live kernels) and of the browser."""
        import psutil

        out = {"server": 0.0, "browser": 0.0}
        root = psutil.Process(self.proc.pid)
        groups = [("server", [root] + root.children(recursive=True)),
                  ("browser", [p for p in psutil.Process().children(recursive=True) if "chrom" in p.name()])]
        for key, procs in groups:
            for p in procs:
                try:
                    t = p.cpu_times()
                    out[key] += t.user + t.system + t.children_user + t.children_system
                except psutil.NoSuchProcess:
                    continue
        return out

    def stop(self) -> None:
        problems = [ln for ln in self.log.read_text().splitlines()
                    if any(w in ln for w in ("kernel cap", " 503 ", "Traceback", "ERROR", "Timeout waiting"))
                    and "KeyboardInterrupt caught" not in ln]  # a kernel being shut down says that; harmless
        if problems:
            print("server log:\n  " + "\n  ".join(problems[-12:]))
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def time_to_interactive(server: Server, repeat: int, pause: float, quiet: int = 0) -> dict[str, list[float]]:
    """Seconds from request to the main widget drawn, *repeat* times per page (pages interleaved)."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {nb: [] for nb in PAGES}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for _ in range(repeat):
                for nb, selector in PAGES.items():
                    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = ctx.new_page()
                    t0 = time.perf_counter()
                    page.goto(f"{server.url}/voila/render/{nb.split('#')[0]}", timeout=180_000, wait_until="commit")
                    try:
                        if nb == OUTBOX:
                            page.wait_for_selector(PAGES["dashboards/program_health.ipynb"], timeout=90_000)
                            page.click(".mk-sections .lm-TabBar-tab:has-text('Act')")
                        page.wait_for_selector(selector, timeout=90_000)
                        times[nb].append(time.perf_counter() - t0)
                    except Exception as exc:  # noqa: BLE001 - reported, not fatal
                        print(f"  {nb}: not drawn within 90 s ({type(exc).__name__}); page says "
                              f"{page.inner_text('body')[:80]!r}")
                        times[nb].append(float("inf"))
                    page.close(run_before_unload=True)  # Voila shuts the kernel down, as when a tab closes
                    ctx.close()
                time.sleep(pause)  # then wait for the kernels (and any pools) to settle
                server.wait_until_quiet(quiet, timeout=120)
        finally:
            browser.close()
    return times


async def _viewers(url: str, n: int, notebook: str = "dashboards/program_health.ipynb",
                   while_open=None) -> list[float]:
    """Open *notebook* in *n* tabs at once; seconds until each draws; call *while_open* before closing."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        contexts = [await browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(n)]
        pages = [await c.new_page() for c in contexts]

        async def one(page) -> float:
            t0 = time.perf_counter()
            try:
                await page.goto(f"{url}/voila/render/{notebook}", timeout=120_000, wait_until="commit")
                await page.wait_for_selector(PAGES[notebook], timeout=120_000)
            except Exception as exc:  # noqa: BLE001 - report it with the others
                text = (await page.inner_text("body"))[:200].replace("\n", " ") if not page.is_closed() else ""
                print(f"  a viewer failed after {time.perf_counter() - t0:.0f} s: {type(exc).__name__}; page: {text!r}")
                return float("inf")
            return time.perf_counter() - t0

        try:
            times = list(await asyncio.gather(*(one(p) for p in pages)))
            if while_open is not None:
                while_open()
            return times
        finally:
            for p in pages:
                await p.close(run_before_unload=True)
            await browser.close()


def _plain_requests(url: str, n: int, notebook: str) -> list[tuple[float, bool]]:
    """*n* GETs of *notebook* at once: (seconds to the end of each response, holds a widget view)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(_i: int) -> tuple[float, bool]:
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{url}/voila/render/{notebook}", timeout=180) as r:
                body = r.read().decode("utf-8", "replace")
        except OSError as exc:
            print(f"  a plain request failed: {exc}")
            return float("inf"), False
        return time.perf_counter() - t0, "application/vnd.jupyter.widget-view+json" in body

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def _report_tti(label: str, times: dict[str, list[float]]) -> dict[str, float]:
    med = {nb: statistics.median(v) for nb, v in times.items()}
    base = med[BARE]
    print(f"\n{label}: time to interactive (median of {len(times[BARE])}; seconds)")
    print(f"  {'page':<34} {'median':>7} {'runs':<24} {'x bare':>7}")
    for nb in [BARE] + [n for n in times if n != BARE]:
        v = times[nb]
        runs = " ".join(f"{x:.2f}" for x in v)
        ratio = med[nb] / base
        target = TARGETS.get(nb, RATIO_TARGET)
        flag = "" if nb == BARE else ("  ok" if ratio <= target else f"  above the {target:g}x target")
        print(f"  {nb:<34} {med[nb]:>7.2f} {runs:<24} {ratio:>7.2f}{flag}")
    return med


def _measure(server: Server, label: str, args, quiet: int) -> dict:
    """Warm-up, time to interactive, then ten viewers; print everything; return the medians."""
    server.wait_until_quiet(quiet)
    time_to_interactive(server, 1, 0, quiet)  # warm-up round, not counted
    med = _report_tti(label, time_to_interactive(server, args.repeat, args.pause, quiet))
    print(f"\n{label}: {VIEWERS} viewers at once (one headless chromium, {VIEWERS} tabs, on this machine)")
    slowest, kernels, server_mb = {}, [], 0.0
    for nb in (BARE, "dashboards/program_health.ipynb"):
        server.wait_until_quiet(quiet)
        memory: list = []
        cpu: list = [server.cpu_seconds()]

        def while_open(m=memory, c=cpu):
            c.append(server.cpu_seconds())
            m.append(server.kernel_memory())

        t0 = time.perf_counter()
        viewer_times = asyncio.run(_viewers(server.url, VIEWERS, nb, while_open=while_open))
        wall = time.perf_counter() - t0
        slowest[nb] = max(viewer_times)
        print(f"  {nb:<34} slowest {max(viewer_times):5.1f} s, median {statistics.median(viewer_times):5.1f} s, "
              f"fastest {min(viewer_times):5.1f} s (all done after {wall:.1f} s)")
        print("    each viewer (s): " + " ".join(f"{t:.1f}" for t in sorted(viewer_times)))
        used = {k: cpu[1][k] - cpu[0].get(k, 0.0) for k in cpu[1]}
        print(f"    CPU seconds until all were drawn: browser (ten tabs) {used['browser']:.1f}, server "
              f"(Voila and kernels) {used['server']:.1f}, on {os.cpu_count()} cores")
        kernels, server_mb = memory[0]  # measured while the tabs were open
    health = slowest["dashboards/program_health.ipynb"]
    print(f"  program health: slowest viewer {health:.1f} s -> "
          f"{'ok' if health <= VIEWER_LIMIT_S else 'ABOVE'} the {VIEWER_LIMIT_S:g} s target; "
          f"{health / slowest[BARE]:.2f}x the bare notebook's slowest")
    # the server's share alone: ten plain requests at once, no browser; a response ends when the
    # notebook has run in its kernel, and must hold the dashboard's widget (not just the text)
    server.wait_until_quiet(quiet)
    plain = _plain_requests(server.url, VIEWERS, "dashboards/program_health.ipynb")
    times = [t for t, _ok in plain]
    print(f"  program health, server side only ({VIEWERS} plain HTTP requests at once, no browser): slowest "
          f"{max(times):.1f} s, median {statistics.median(times):.1f} s; {sum(ok for _t, ok in plain)} of {VIEWERS} "
          "responses hold the dashboard")
    if kernels:
        rss = [k[0] for k in kernels]
        uss = [k[1] for k in kernels]
        print(f"  server memory with the ten health tabs open: {len(kernels)} kernels; per kernel RSS median "
              f"{statistics.median(rss):.0f} MB (max {max(rss):.0f}), unique (USS) median {statistics.median(uss):.0f} MB "
              f"(max {max(uss):.0f}); kernels together {sum(uss):.0f} MB unique; Voila process {server_mb:.0f} MB")
    return med


def main() -> int:
    ap = argparse.ArgumentParser(description="Time to interactive of the dashboards, and ten viewers at once.")
    ap.add_argument("--repeat", type=int, default=3, help="opens per page (median reported)")
    ap.add_argument("--pause", type=float, default=2.0, help="seconds between rounds")
    ap.add_argument("--cold", action="store_true", help="also measure with pre-heating switched off")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing; `make test` installs it")
        return 1
    cfg = json.loads((ROOT / "voila.json").read_text())
    pools = {k: v["pool_size"] for k, v in cfg.get("VoilaKernelManager", {}).get("kernel_pools_config", {}).items()
             if k != "default"}
    print(f"cpus: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.1f}; pre-heating in voila.json: "
          f"{cfg['VoilaConfiguration'].get('preheat_kernel', False)} (pools {pools}, bare notebook {BARE_POOL}); "
          f"kernel cap: {cfg.get('CappedKernelManager', {}).get('max_kernels')}")
    shipped = bool(cfg["VoilaConfiguration"].get("preheat_kernel", False))
    runs = [("as shipped (voila.json)", shipped)] + ([("pre-heating off", False)] if args.cold and shipped else [])
    for label, preheat in runs:
        site = _site(preheat=preheat)
        try:
            server = Server(site)
            try:
                _measure(server, label, args, _pool_total(preheat))
            finally:
                server.stop()
        finally:
            shutil.rmtree(site, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
