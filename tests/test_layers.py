"""The packages import in one direction: knowledge (the plan) → state (the shared state's stores) →
handlers (answering) → bot (the channels), with scheduler beside bot (it may use handlers, never
bot). No two modules import each other, directly or round a circle, even from inside a function;
and a function imports only what is worth loading late, saying so: an optional dependency, or a
start-up cost."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("knowledge", "state", "handlers", "scheduler", "bot")
# What each package may import from the product (itself included).
MAY_IMPORT = {
    "knowledge": {"knowledge"},
    "state": {"knowledge", "state"},
    "handlers": {"knowledge", "state", "handlers"},
    "scheduler": {"knowledge", "state", "handlers", "scheduler"},
    "bot": {"knowledge", "state", "handlers", "scheduler", "bot"},
}
REASONS = ("optional dependency", "start-up cost")


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _target(name: str) -> str | None:
    """The product module an imported name loads (a submodule, else its package), if any."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported product module, line, inside a function) for every import in the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            nested |= {id(n) for n in ast.walk(node) if n is not node}
    out = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" for a in node.names]
        for name in names:
            target = _target(name)
            if target is not None and target != module:
                out.append((target, node.lineno, id(node) in nested))
    return out


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def test_the_modules_are_found() -> None:
    assert {"knowledge.store", "state.migrations", "handlers.respond", "bot.server", "scheduler.jobs"} <= set(MODULES)


def test_no_import_goes_against_the_layers() -> None:
    wrong = [f"{MODULES[m].relative_to(ROOT)}:{line}: {m} imports {t}"
             for m, found in GRAPH.items() for t, line, _ in found
             if t.split(".")[0] not in MAY_IMPORT[m.split(".")[0]]]
    assert wrong == []


def test_no_modules_import_each_other() -> None:
    edges = {m: {t for t, _, _ in found} for m, found in GRAPH.items()}
    # Tarjan's strongly connected components: any with more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert circles == []


def test_an_import_inside_a_function_says_why() -> None:
    """Only an optional dependency or a start-up cost is imported late, with a comment saying which
    (on the import's line, or in a comment just above it or above the imports it begins)."""
    unexplained = []
    for path in MODULES.values():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                start = node.lineno - 1  # the import's first line, and the imports and comments just above it
                while start > 0 and (not lines[start - 1].strip()
                                     or lines[start - 1].strip().startswith(("#", "from ", "import "))):
                    start -= 1
                near = " ".join(lines[start:node.end_lineno or node.lineno])
                if not any(reason in near for reason in REASONS):
                    unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert sorted(set(unexplained)) == []
