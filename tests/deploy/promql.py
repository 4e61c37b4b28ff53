"""PromQL parsed by promql-parser (the Rust parser GreptimeDB uses): the selectors of an
expression, so tests can hold alert and dashboard queries against real metric names."""

from dataclasses import dataclass

import promql_parser


@dataclass(frozen=True)
class Selector:
    name: str
    matchers: dict[str, tuple[str, str]]  # label -> (operator, value)


def selectors(expr: str) -> list[Selector]:
    """Every vector selector of `expr`; a syntax error raises (the test fails with it)."""
    found: list[Selector] = []
    _walk(promql_parser.parse(expr), found)
    return found


_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


def _walk(node, found: list[Selector]) -> None:
    if isinstance(node, promql_parser.VectorSelector):
        matchers = {
            m.name: (_OPS[str(m.op).rpartition(".")[2]], m.value)
            for m in node.matchers.matchers
            if m.name != "__name__"
        }
        found.append(Selector(node.name, matchers))
        return
    for attr in ("lhs", "rhs", "expr", "vector_selector", "param"):
        child = getattr(node, attr, None)
        if child is not None and type(child).__module__.startswith("promql_parser"):
            _walk(child, found)
    for child in getattr(node, "args", None) or []:
        _walk(child, found)
