#!/usr/bin/env python3
"""Module dependency check for the library crate (issue 8): lists which module uses
which, and fails when a module imports from one of its ancestors or when two modules
depend on each other (directly or through others).

usage: scripts/module_deps.py [FOLDER]     (default: src; e.g. src/pipeline)
       scripts/module_deps.py --top        (the crate's top-level modules only)

A "module" is a file (`foo.rs` or `foo/mod.rs`). Dependencies are read from paths in
the production code (everything before the first `#[cfg(test)]`): `crate::…`,
`super::…`, `self::…`, brace groups (`super::{a, b}`) and, in a `mod.rs` or the crate
root, bare paths into its own child modules. The binary (`main.rs`, `cli/`) is a
separate crate and is skipped. A textual check, not a compiler: a path written inside
a string or a macro counts too.
"""
import os
import re
import sys

SRC = "src"


def modules(root):
    """Module path (tuple) → file, for every .rs file under `root`."""
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, SRC)[:-3].split(os.sep)
            if rel[0] in ("main", "cli"):
                continue
            if rel[-1] in ("mod", "lib"):
                rel = rel[:-1]
            found[tuple(rel)] = path
    return found


def resolve(mods, current, is_dir, path):
    """The deepest known module that `path`, written in `current`, points into."""
    parts = path.split("::")
    base = list(current) if is_dir else list(current[:-1])
    if parts[0] == "crate":
        base, parts = [], parts[1:]
    elif parts[0] == "self":
        base, parts = list(current), parts[1:]
    elif parts[0] == "super":
        base = list(current)
        while parts and parts[0] == "super":
            parts = parts[1:]
            base = base[:-1]
    else:
        base = list(current)
    best = tuple(base)
    for part in parts:
        if best + (part,) not in mods:
            break
        best = best + (part,)
    return best


def dependencies(mods):
    edges = {}
    for module, path in mods.items():
        text = open(path, encoding="utf-8").read().split("#[cfg(test)]")[0]
        is_dir = path.endswith(("mod.rs", "lib.rs"))
        paths = re.findall(r"\b((?:crate|super|self)(?:::\w+)+)", text)
        for prefix, group in re.findall(r"\b((?:crate|super|self)(?:::\w+)*)::\{([^}]*)\}", text):
            for item in group.split(","):
                item = item.strip().split("::")[0].split(" ")[0]
                paths.append(prefix if item == "self" else f"{prefix}::{item}" if item else prefix)
        if is_dir:
            for word in re.findall(r"(?<![:\w])(\w+)::", text):
                if module + (word,) in mods:
                    paths.append(f"self::{word}")
        deps = {resolve(mods, module, is_dir, p) for p in paths}
        deps.discard(module)
        # `crate::lang` and `crate::text_position` are re-exports of the runtime crate
        # in lib.rs, not modules of this crate: they resolve to the root, not an edge.
        deps.discard(())
        edges[module] = deps
    return edges


def reachable(edges, start):
    seen, stack = set(), [start]
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def top_level(edges):
    """Collapses the graph to the crate's top-level modules (`config`, `content`, …),
    where the pipeline's stages must point one way; fails on any cycle among them."""
    graph = {}
    for module, deps in edges.items():
        if not module:
            continue
        targets = graph.setdefault(module[0], set())
        targets.update(d[0] for d in deps if d and d[0] != module[0])
    for module in sorted(graph):
        print(f"{module:10} -> {', '.join(sorted(graph[module])) or '-'}")
    cycles = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if a in reachable(graph, b)})
    print()
    print("cycles:", ", ".join(f"{a} <-> {b}" for a, b in cycles) or "none")
    return 1 if cycles else 0


def main():
    if sys.argv[1:] == ["--top"]:
        return top_level(dependencies(modules(SRC)))
    root = sys.argv[1] if len(sys.argv) > 1 else SRC
    mods = modules(SRC)
    edges = dependencies(mods)
    prefix = tuple(os.path.relpath(root, SRC).split(os.sep)) if root != SRC else ()
    name = lambda m: "crate" + "".join("::" + p for p in m)
    shown = sorted(m for m in edges if m[: len(prefix)] == prefix)
    for module in shown:
        deps = ", ".join(sorted(name(d) for d in edges[module])) or "-"
        print(f"{name(module):36} -> {deps}")
    upward = [(m, d) for m in shown for d in edges[m] if m[: len(d)] == d]
    cycles = sorted(
        {tuple(sorted((name(a), name(b)))) for a in shown for b in edges[a] if a in reachable(edges, b)}
    )
    print()
    print("imports from an ancestor:", ", ".join(f"{name(a)} -> {name(b)}" for a, b in upward) or "none")
    print("cycles:", ", ".join(f"{a} <-> {b}" for a, b in cycles) or "none")
    return 1 if upward or cycles else 0


if __name__ == "__main__":
    sys.exit(main())
