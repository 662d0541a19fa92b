"""Schemas that reference each other in a cycle share a module (generator/lower/modules.py): the rule rests on
`strongly_connected`, checked here against the definition of a strongly connected component."""

from __future__ import annotations

import random

from generator.lower.modules import strongly_connected


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, pending = {start}, [start]
    while pending:
        for child in graph[pending.pop()]:
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen


def test_components_are_the_mutually_reachable_sets() -> None:
    for seed in range(300):
        rng = random.Random(seed)
        size = rng.randint(1, 10)
        graph = {str(i): {str(rng.randrange(size)) for _ in range(rng.randint(0, 3))} for i in range(size)}
        components = strongly_connected(graph)
        assert sorted(node for c in components for node in c) == sorted(graph), seed  # a partition
        reach = {node: reachable(graph, node) for node in graph}
        for component in components:
            for node in graph:
                mutual = all(node in reach[m] and m in reach[node] for m in component)
                assert (node in component) == mutual, (seed, component, node)


def test_a_deep_chain_does_not_overflow_recursion() -> None:
    depth = 20_000  # deeper than Python's recursion limit
    graph = {str(i): {str(i + 1)} for i in range(depth)} | {str(depth): {"0"}}
    assert [sorted(c) for c in strongly_connected(graph)] == [sorted(graph)]


def test_components_come_out_dependencies_first() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"b"}, "d": set()}
    assert [sorted(c) for c in strongly_connected(graph)] == [["b", "c"], ["a"], ["d"]]
