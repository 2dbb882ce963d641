"""The house keeps its shape: the layers contract in pyproject.toml (import-linter) holds, so a lower
room never imports a higher one, and no module imports itself through others (no cycle), lazy imports
inside functions included. Both read the installed package `kadertoets`."""

from __future__ import annotations

import subprocess
import sys

import grimp

from conftest import ROOT


def test_the_layers_contract_is_kept():
    done = subprocess.run([sys.executable, "-c",
                           "import sys; from importlinter.cli import lint_imports; "
                           "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))",
                           str(ROOT / "pyproject.toml")], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a module importing itself
    (Tarjan, iterative: no recursion limit)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    out.append(sorted(component))
    return out


def test_cycles_finds_a_cycle_and_nothing_else():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"c"}}) == [["c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph("kadertoets", cache_dir=None)
    edges = {m: {i for i in graph.find_modules_directly_imported_by(m) if i.startswith("kadertoets")}
             for m in graph.modules}
    assert cycles(edges) == []


def test_the_readme_module_map_matches_the_tree():
    """Every room of the package is in the README's map, every room the map names exists, and the rooms
    of the map are the layers of the contract (the map is in pipeline order, the contract in import order)."""
    import re
    import tomllib

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Het pakket: de kamers volgen de pijplijn"):]
    named = re.findall(r"^\| `(engine/[a-z_]+(?:/|\.py)|cli\.py)` \|", section, flags=re.M)
    rooms = sorted(f"engine/{p.parent.name}/" for p in (ROOT / "engine").glob("*/__init__.py"))
    modules = sorted(f"engine/{p.name}" for p in (ROOT / "engine").glob("*.py") if not p.name.startswith("__"))
    assert sorted(named) == sorted(rooms + modules + ["cli.py"])
    layers = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
        "contracts"][0]["layers"]
    as_rooms = {name.removeprefix("engine/").rstrip("/").removesuffix(".py") for name in named}
    assert as_rooms == {layer.removeprefix("kadertoets.") for layer in layers}
