"""What reading one spec may cost. A spec is untrusted input (it arrives in pull requests and is generated in
CI), so every quantity that could grow faster than the document itself is bounded here, and exceeding a bound
is a SpecError naming the pointer, exit 2. Documented in the README ("Hostile specs")."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

# Levels of nested mappings and lists in a file. The deepest of the 2,536 APIs.guru specs has 34.
MAX_DEPTH = 100
# Schemas lowered inside schemas, counting each $ref followed: lowering follows a reference to a component it
# has not lowered yet, so a chain (or ring) of components that each refer to the next is as deep as it is long.
# The deepest of the 2,536 APIs.guru specs reaches 34.
MAX_SCHEMA_NESTING = 10_000
# Fields of all models together. Each model of an allOf repeats the fields of its pieces, so a chain of
# components that each extend the next yields quadratically many. GitHub's REST API has 39,000.
MAX_FIELDS = 250_000
# Nodes YAML aliases may add by repeating what their anchor holds (a 1 KB "billion laughs" expands to 10^9).
MAX_ALIAS_NODES = 1_000_000
# Nodes copied where a $ref to a non-schema object is inlined (other files, callbacks); references to
# references that each repeat the next would otherwise grow exponentially.
MAX_INLINED_NODES = 250_000
# References inlined inside inlined references (a callback whose operation has a callback, ...).
MAX_INLINE_NESTING = 32

# The limits above keep every recursion of the generator within this many frames (lowering takes about eight
# per level; Python 3.11 keeps them on the heap, not the C stack, so they cost memory: some 15 KB a level).
RECURSION_LIMIT = 120_000


@contextmanager
def recursion_headroom() -> Iterator[None]:
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
