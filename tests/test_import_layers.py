"""No two modules of the package import each other (issue 12): every module-to-module import, at
the top of a file or inside a function, points one way. A circle means two modules that cannot be understood,
tested or moved apart; the fix is a lower module both can use."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "mentorkit"


def _module(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph(pkg: Path = PKG) -> dict[str, set[str]]:
    mods = {_module(p, pkg.parent): p for p in pkg.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and "TYPE_CHECKING" in ast.unparse(block.test) for n in ast.walk(block)}
        for node in ast.walk(tree):
            if id(node) in typing_only:  # for type checkers only: never imported at run time
                continue
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            for t in targets:
                if t in mods and t != mod and not mod.startswith(t + "."):  # a package's own __init__ is not a circle
                    graph[mod].add(t)
    return graph


def _two_way(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """Pairs of modules that import each other."""
    return {frozenset({a, b}) for a in graph for b in graph[a] if a in graph[b]}


def test_no_two_modules_import_each_other():
    circles = _two_way(_graph())
    assert circles == set(), sorted(sorted(c) for c in circles)


def test_a_circle_is_found(tmp_path):
    # the same reading on a made-up package: one import at the top, the other inside a function
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from pkg.sub import low\n")
    (pkg / "sub" / "low.py").write_text("def f():\n    from ..high import g\n    return g\n")
    (pkg / "high.py").write_text("from pkg.sub.low import f\n\ndef g():\n    return f\n")
    assert _two_way(_graph(pkg)) == {frozenset({"pkg.sub.low", "pkg.high"})}


def test_the_graph_sees_function_level_imports():
    g = _graph()
    assert "mentorkit.analysis.figures" in g["mentorkit.analysis.report"]  # imported inside report_figures
    assert "mentorkit.program.tables" in g["mentorkit.program.data"]
