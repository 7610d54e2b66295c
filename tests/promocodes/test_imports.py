"""Dependencies of the promo-code app go one way: no loop between its modules, no ``payments``.

Every import counts, including those inside functions (which once hid a services <-> tasks
loop).
"""

from __future__ import annotations

import ast
from pathlib import Path

import promocodes

PACKAGE = Path(promocodes.__file__).parent


def _imports() -> dict[str, set[str]]:
    """``{module: modules it imports}`` for the app's modules (migrations aside)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        if "migrations" in relative.parts:
            continue
        name = ".".join(relative.parts).removesuffix(".__init__")
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{parent}.{base}" if base else parent
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = found
    return graph


def test_promocodes_never_imports_payments():
    offenders = {
        module: sorted(i for i in imported if i == "payments" or i.startswith("payments."))
        for module, imported in _imports().items()
    }
    assert {m: i for m, i in offenders.items() if i} == {}


def test_no_import_loop_between_promocodes_modules():
    graph = _imports()
    edges = {
        module: {i for i in imported if i in graph and i != module}
        for module, imported in graph.items()
    }
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for target in sorted(edges[module]):
            loop = visit(target, [*path, module])
            if loop:
                return loop
        done.add(module)
        return None

    loops = [loop for module in sorted(graph) if (loop := visit(module, []))]
    assert loops == []
