"""The `models` table: the model registry's rows (models/ml/registry.py holds the rules: which model is active when,
and the artifacts). Every read and write of the table."""

from __future__ import annotations

COLUMNS = (
    "model_id",
    "kind",
    "sha256",
    "training_data_sha256",
    "trained_as_of",
    "activation_date",
    "params_json",
    "registered_seq",
)


def register(con, model_id, kind, sha256, training_data_sha256, trained_as_of, activation_date, params_json, db="main"):
    """Register a model, replacing the row of the same id; it becomes the latest registered (`registered_seq`)."""
    con.execute(f"DELETE FROM {db}.models WHERE model_id = ?", [model_id])
    con.execute(
        f"INSERT INTO {db}.models ({', '.join(COLUMNS)}) SELECT ?, ?, ?, ?, ?, ?, ?, coalesce(max(registered_seq), 0) + 1 "
        f"FROM {db}.models",
        [model_id, kind, sha256, training_data_sha256, trained_as_of, activation_date, params_json],
    )


def active(con, kind: str, as_of, db: str = "main") -> tuple | None:
    """(model id, kind, sha256, training data sha256, trained as of, activation date) of the model of `kind` active
    on `as_of`: the latest activation on or before it, then the latest registered."""
    # fetchall, not fetchone: a result left unfinished on the night's connection makes its next write fail
    rows = con.execute(
        f"""SELECT model_id, kind, sha256, training_data_sha256, trained_as_of, activation_date FROM {db}.models
            WHERE kind = ? AND activation_date <= ? ORDER BY activation_date DESC, registered_seq DESC LIMIT 1""",
        [kind, as_of],
    ).fetchall()
    return rows[0] if rows else None


def kind_of(con, model_id: str, db: str = "main") -> str | None:
    rows = con.execute(f"SELECT kind FROM {db}.models WHERE model_id = ?", [model_id]).fetchall()
    return rows[0][0] if rows else None


def count(con, db: str = "main") -> int:
    return int(con.execute(f"SELECT count(*) FROM {db}.models").fetchone()[0])


def copy(con, model_id: str, src: str, dst: str, activate_on=None, activated: str | None = None) -> None:
    """Copy a model's row from one attached store to another; when `activated` is this model, it is made active on
    `activate_on` (an audit what-if)."""
    cols = ", ".join(COLUMNS)
    con.execute(
        f"INSERT INTO {dst}.models ({cols}) SELECT * REPLACE (CASE WHEN model_id = $o THEN $d ELSE activation_date END "
        f"AS activation_date) FROM (SELECT {cols} FROM {src}.models WHERE model_id = $m)",
        {"o": activated, "d": activate_on, "m": model_id},
    )
