"""The dependencies point one way (docs/architecture.md, "Dependency direction").

The contracts are import-linter's, written in ``pyproject.toml`` ([tool.importlinter]); the
import graph is grimp's, built from the source, so imports inside functions count as much as
those at the top of a module. There is also no import cycle between any two modules of the
product. The last tests prove each check can fail: they add one forbidden import to an
in-memory copy of the graph.
"""

from __future__ import annotations

import copy
from pathlib import Path

import grimp
import pytest
from importlinter import api
from importlinter.contracts.forbidden import ForbiddenContract

ROOT = Path(__file__).resolve().parents[2]
CONFIG = api.read_configuration(str(ROOT / "pyproject.toml"))
ROOT_PACKAGES = CONFIG["session_options"]["root_packages"]
CONTRACTS = {options["id"]: options for options in CONFIG["contracts_options"]}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*ROOT_PACKAGES, cache_dir=None)


def contract(contract_id: str) -> ForbiddenContract:
    options = CONTRACTS[contract_id]
    assert options["type"] == "forbidden"
    return ForbiddenContract(options["name"], CONFIG["session_options"], options)


def broken_chains(graph: grimp.ImportGraph, contract_id: str) -> list:
    # check() may set ignored imports aside on the graph it is given: give it a copy.
    result = contract(contract_id).check(copy.deepcopy(graph), verbose=False)
    return [] if result.kept else result.metadata["invalid_chains"]


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan)."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        # Iterative depth-first search: (module, its next neighbour to visit).
        work = [(start, 0)]
        while work:
            module, position = work.pop()
            if position == 0:
                index[module] = low[module] = len(index)
                stack.append(module)
                on_stack.add(module)
            neighbours = edges[module]
            if position < len(neighbours):
                work.append((module, position + 1))
                nxt = neighbours[position]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[module] = min(low[module], index[nxt])
                continue
            for neighbour in neighbours:
                if neighbour in on_stack:
                    low[module] = min(low[module], low[neighbour])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))
    return cycles


@pytest.mark.parametrize("contract_id", sorted(CONTRACTS))
def test_the_contract_is_kept(graph, contract_id):
    assert broken_chains(graph, contract_id) == [], CONTRACTS[contract_id]["name"]


def test_no_import_cycle_between_modules(graph):
    # The graph holds the imports made inside functions too (this one is in a function).
    assert graph.direct_import_exists(importer="monitoring.health", imported="webexcommerce.celery")
    assert import_cycles(graph) == []


def test_the_gateway_and_simulator_contracts_name_every_other_payments_module(graph):
    """A new module of ``payments`` is forbidden to the gateways and the simulator at once."""
    children = {m for m in graph.find_children("payments")}
    for contract_id, own in (
        ("gateways-stand-alone", "payments.gateways"),
        ("simulator-stands-alone", "payments.sandbox"),
    ):
        forbidden = set(CONTRACTS[contract_id]["forbidden_modules"])
        assert children - {own, "payments.gateways"} <= forbidden | {"payments.gateways"}
    assert "payments.gateways" in CONTRACTS["simulator-stands-alone"]["forbidden_modules"]


# --- Each check can fail ------------------------------------------------------------------


def with_import(graph: grimp.ImportGraph, importer: str, imported: str) -> grimp.ImportGraph:
    changed = copy.deepcopy(graph)
    changed.add_import(
        importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}"
    )
    return changed


@pytest.mark.parametrize(
    ("contract_id", "importer", "imported"),
    [
        ("ground-floor", "sites.navigation", "payments.models"),
        ("promocodes-below-payments", "promocodes.redemption", "payments.checkout"),
        ("gateways-stand-alone", "payments.gateways.payflow", "payments.models"),
        ("simulator-stands-alone", "payments.sandbox.server", "payments.gateways.base"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(graph, contract_id, importer, imported):
    assert broken_chains(with_import(graph, importer, imported), contract_id)


def test_a_function_level_import_back_is_a_cycle(graph):
    # payments.settlement imports payments.receipts; a receipt reaching back into settlement
    # (even from inside a function) closes a loop.
    assert graph.direct_import_exists(importer="payments.settlement", imported="payments.receipts")
    cycles = import_cycles(with_import(graph, "payments.receipts", "payments.settlement"))
    assert any({"payments.settlement", "payments.receipts"} <= set(group) for group in cycles)
