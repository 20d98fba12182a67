"""The widgets are a front, not a second analysis layer (issue 12).

No module under ``mentorkit/widgets/`` computes a statistic or resolves a data source: each
is imported in a fresh interpreter and must leave scipy, statsmodels and lifelines
unimported; its source must hold no statistics calls and no file access; and, with an audit
hook watching every ``open`` the interpreter makes, building and exporting each dashboard
opens no file from widget code (the library under it may: that is where data comes from).
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WIDGETS = sorted(p for p in (ROOT / "mentorkit" / "widgets").glob("*.py"))
MODULES = [f"mentorkit.widgets.{p.stem}" if p.stem != "__init__" else "mentorkit.widgets" for p in WIDGETS]

#: what a front may not import: the statistics libraries, and the ways to reach files
FORBIDDEN_IMPORTS = {"scipy", "statsmodels", "lifelines", "sklearn", "pingouin", "os", "tempfile", "pathlib",
                     "shutil", "glob", "sqlite3", "sqlalchemy", "mentorkit.program.loader", "mentorkit.store"}
#: calls that compute statistics or touch files
FORBIDDEN_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "read_csv", "read_parquet",
                   "read_sql", "read_sql_table", "to_csv", "to_parquet", "mkstemp", "iterdir", "glob",
                   "groupby", "mean", "median", "std", "var", "quantile", "cumprod", "pivot_table",
                   "resolve_url", "PracticeLog", "create_engine"}


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("module", MODULES)
def test_importing_a_widget_module_loads_no_statistics_library(module):
    code = (f"import sys, json\nimport {module}\n"
            "print(json.dumps(sorted(m for m in ('scipy', 'statsmodels', 'lifelines', 'sklearn', 'pingouin') "
            "if m in sys.modules)))")
    assert json.loads(_run(code)) == [], f"{module} pulls in a statistics library when imported"


@pytest.mark.parametrize("path", WIDGETS, ids=lambda p: p.name)
def test_widget_source_computes_nothing_and_reads_no_file(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in FORBIDDEN_IMPORTS
                      or a.name in FORBIDDEN_IMPORTS]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in FORBIDDEN_IMPORTS or node.module.split(".")[0] in FORBIDDEN_IMPORTS:
                found.append(node.module)
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            if name in FORBIDDEN_CALLS:
                found.append(f"{name}() at line {node.lineno}")
    assert not found, f"{path.name}: {found}"


def test_building_and_exporting_every_dashboard_opens_no_file_from_widget_code():
    widgets = str(ROOT / "mentorkit" / "widgets")
    code = f"""
import json, sys, sysconfig
WIDGETS = {widgets!r}
STDLIB = sysconfig.get_paths()["stdlib"]
seen = []
def hook(event, args):
    if event != "open":
        return
    frame = sys._getframe(1)
    # skip the standard library (pathlib, io, tempfile): the first frame above it asked for the file;
    # the import machinery reading a module's code is not the widget opening a file
    while frame is not None and (frame.f_code.co_filename.startswith("<")
                                 or frame.f_code.co_filename.startswith(STDLIB)):
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return
        frame = frame.f_back
    if frame is not None and frame.f_code.co_filename.startswith(WIDGETS):
        seen.append(f"{{frame.f_code.co_filename}}:{{frame.f_lineno}} {{args[0]!r}}")
sys.addaudithook(hook)
from mentorkit.widgets.health import ProgramHealth
from mentorkit.widgets.outcomes import OutcomesROI
from mentorkit.widgets.trainer import TrainerDashboard
for dash in (ProgramHealth(), OutcomesROI(), TrainerDashboard(url="")):
    assert dash.error is None, dash.error
    dash.export.refresh()
    dash.export.make_snapshot()
print(json.dumps(seen))
"""
    assert json.loads(_run(code)) == []
