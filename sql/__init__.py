"""SQL relations, one file each: relation name = file name = DuckDB table name (docs/STYLE.md).

Layers: `staging/` (typed copies of feeds), `state/` (the as-of state of each feed after quarantine), `features/`
(as-of household features), `warnings/` (one file per rule or family; each yields candidate warnings), `queue/` (the
warning queue merge). Each file is a single SELECT; `build` materialises it as `CREATE OR REPLACE TABLE <name> AS ...`,
in dependency order within the layer (a relation that names another relation of its layer runs after it).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).parent


def relation_files(layer: str) -> dict[str, Path]:
    folder = ROOT / layer
    if not folder.is_dir():
        raise FileNotFoundError(f"no SQL layer '{layer}' under {ROOT}")
    return {p.stem: p for p in sorted(folder.glob("*.sql"))}


def _dependency_order(texts: dict[str, str]) -> list[str]:
    deps = {
        name: {other for other in texts if other != name and re.search(rf"\b{re.escape(other)}\b", text)}
        for name, text in texts.items()
    }
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            raise ValueError(f"SQL relations form a cycle through '{name}'")
        visiting.add(name)
        for dep in sorted(deps[name]):
            visit(dep)
        visiting.discard(name)
        order.append(name)

    for name in sorted(texts):
        visit(name)
    return order


def strip_comments(text: str) -> str:
    return re.sub(r"--[^\n]*", "", text)


def build(con, layer: str, only: list[str] | None = None) -> list[str]:
    """Materialise every relation of `layer` (or the named ones), in dependency order; return the names built."""
    files = relation_files(layer)
    texts = {name: strip_comments(path.read_text(encoding="utf-8")) for name, path in files.items()}
    built = []
    for name in _dependency_order(texts):
        if only is not None and name not in only:
            continue
        body = texts[name].strip().rstrip(";")
        try:
            con.execute(f"CREATE OR REPLACE TABLE {name} AS {body}")
        except Exception as exc:
            raise RuntimeError(f"sql/{layer}/{name}.sql failed: {exc}") from exc
        built.append(name)
    return built


def frame(con, query: str, params: list | dict | None = None):
    """A query's result as a Polars frame.

    DuckDB 2.0 gives `.pl()` only on relations, and `con.sql()` refuses while an earlier `execute()` result on the same
    connection is not drained; a cursor is a fresh connection to the same database, so it has neither problem.
    """
    return con.cursor().sql(query, params=params).pl()


class InThread:
    """`work(cursor)` run in a thread on a cursor of `con` of its own (made here, in the caller's thread: a DuckDB
    connection object serves one thread at a time; closed when the work ends), while the caller goes on. DuckDB releases
    the GIL while it executes, so the two share the cores. `wait` joins the thread and returns the work's result or
    raises its error."""

    def __init__(self, con, work: Callable, name: str):
        self._result = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(con.cursor(), work), name=name, daemon=True)
        self._thread.start()

    def _run(self, cursor, work: Callable) -> None:
        try:
            self._result = work(cursor)
        except BaseException as exc:  # handed to `wait`
            self._error = exc
        finally:
            cursor.close()

    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result
