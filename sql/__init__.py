"""SQL relations, one file each: relation name = file name = DuckDB table name (docs/STYLE.md).

Layers: `staging/` (typed copies of feeds), `state/` (the as-of state of each feed after quarantine), `features/`
(as-of household features), `warnings/` (one file per rule or family; each yields candidate warnings), `queue/` (the
warning queue merge), `exports/`. Each file is a single SELECT; `build` materialises it as
`CREATE OR REPLACE TABLE <name> AS ...`. `macros/` holds the DuckDB macros the relations call, one file per theme.

Every file opens with a `-- depends: a, b` line naming each relation it reads (docs/adr/0013): the build runs a layer in
that order and refuses, before running anything, a dependency that is neither a relation of the layer nor a table already
in the database, or a cycle. Declared rather than guessed from the text, so a word in a string or a column that happens
to be a relation's name orders nothing, and a reader sees what a file reads on its first line.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).parent
DEPENDS = re.compile(r"^-- depends:(.*)$", re.MULTILINE)


class DependencyError(ValueError):
    """A `-- depends:` header that is missing, names what does not exist, or closes a cycle."""


def relation_files(layer: str) -> dict[str, Path]:
    folder = ROOT / layer
    if not folder.is_dir():
        raise FileNotFoundError(f"no SQL layer '{layer}' under {ROOT}")
    return {p.stem: p for p in sorted(folder.glob("*.sql"))}


def declared_dependencies(path: Path) -> tuple[str, ...]:
    """The relations a file's `-- depends:` header names (an empty header: it reads none)."""
    found = DEPENDS.search(path.read_text(encoding="utf-8"))
    if found is None:
        raise DependencyError(f"{path.parent.name}/{path.name}: no '-- depends:' header")
    return tuple(n for n in (part.strip() for part in found.group(1).split(",")) if n)


def dependency_order(deps: dict[str, tuple[str, ...]]) -> list[str]:
    """Names sorted so each comes after those it depends on (only names of `deps` order); a cycle is an error."""
    order: list[str] = []
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            cycle = " -> ".join([*visiting[visiting.index(name) :], name])
            raise DependencyError(f"SQL relations depend on each other in a cycle: {cycle}")
        visiting.append(name)
        for dep in sorted(set(deps[name]) & set(deps)):
            visit(dep)
        visiting.pop()
        order.append(name)

    for name in sorted(deps):
        visit(name)
    return order


def _existing_relations(con) -> set[str]:
    return {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()"
        ).fetchall()
    }


def _check_present(con, label: str, needed: dict[str, set[str]]) -> None:
    if not any(needed.values()):
        return
    existing = _existing_relations(con)
    for name, deps in sorted(needed.items()):
        missing = sorted(deps - existing)
        if missing:
            raise DependencyError(
                f"sql/{label}/{name}.sql depends on {', '.join(missing)}: neither a relation of sql/{label}/ nor a"
                " table in the database"
            )


def strip_comments(text: str) -> str:
    return re.sub(r"--[^\n]*", "", text)


def build(con, layer: str, only: list[str] | None = None) -> list[str]:
    """Materialise every relation of `layer` (or the named ones), in dependency order; return the names built."""
    files = relation_files(layer)
    deps = {name: declared_dependencies(path) for name, path in files.items()}
    order = [n for n in dependency_order(deps) if only is None or n in only]
    # what is read from outside the relations built now must be there already
    _check_present(con, layer, {n: set(deps[n]) - set(order) for n in order})
    for name in order:
        body = strip_comments(files[name].read_text(encoding="utf-8")).strip().rstrip(";")
        try:
            con.execute(f"CREATE OR REPLACE TABLE {name} AS {body}")
        except Exception as exc:
            raise RuntimeError(f"sql/{layer}/{name}.sql failed: {exc}") from exc
    return order


def create_macros(con, theme: str) -> None:
    """Create the macros of sql/macros/<theme>.sql. DuckDB binds the tables a macro reads when it is created, so a
    theme whose header names relations is created after they are built (the header is checked first)."""
    path = ROOT / "macros" / f"{theme}.sql"
    _check_present(con, "macros", {theme: set(declared_dependencies(path))})
    try:
        con.execute(strip_comments(path.read_text(encoding="utf-8")))
    except Exception as exc:
        raise RuntimeError(f"sql/macros/{theme}.sql failed: {exc}") from exc


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
