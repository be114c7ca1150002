"""The model registry: which model version is active on which date, and its pickle-free artifact.

    store table `models`  (model_id, kind, sha256, training_data_sha256, trained_as_of, activation_date, params_json,
                           registered_seq)
    <store>/models/<model_id>/model.skops   the fitted estimator, skops format (no pickle), canonical bytes
    <store>/models/<model_id>/card.md       the model card, for people
    <store>/models/<model_id>/card.json     the same card, for machines (metrics, fairness, hashes)
    <store>/models/<model_id>/timings.json  the seconds training took (the only part that varies from run to run)

The model active on date D for a kind is the one with the latest activation_date on or before D (then the latest
registered). Loading verifies the artifact's sha256 against the registry and refuses anything that is not a skops
archive or that holds a type outside the explicit trusted list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flows import store as stored
from flows.store import models as stored_models

KINDS = ("confirmation", "proxy_means")
# Every type a safetynet model file may hold beyond skops' defaults; anything else is refused at load.
TRUSTED_TYPES = [
    "models.ml.confirmation.estimator.ConfirmationScorer",
    "models.ml.proxy_means.estimator.ProxyMeansRegressor",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor",
    "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.loss.HalfSquaredError",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.IdentityLink",
    "sklearn._loss.link.Interval",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn._loss._loss.CyHalfSquaredError",
    "numpy.dtype",
    # the booster keeps its input check as partial(check_array, ...); both are named, nothing else callable is trusted
    "functools.partial",
    "sklearn.utils.validation.check_array",
]


class ModelFileRefused(ValueError):
    pass


@dataclass(frozen=True)
class ModelEntry:
    model_id: str
    kind: str
    sha256: str
    training_data_sha256: str
    trained_as_of: dt.date
    activation_date: dt.date

    def folder(self, store_root: Path) -> Path:
        return artifact_dir(store_root, self.model_id)


def artifact_dir(store_root: Path, model_id: str) -> Path:
    return Path(store_root) / "models" / model_id


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save_model(estimator, path: Path) -> str:
    """Write `estimator` as a skops file (atomically, in canonical form: `canonical_skops`); return its sha256."""
    import skops.io as sio  # imported where used: slow to import (docs/adr/0013), and a night with no model never needs it

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    tmp.write_bytes(canonical_skops(sio.dumps(estimator)))
    os.replace(tmp, path)
    return sha256_file(path)


def canonical_skops(data: bytes) -> bytes:
    """The same skops archive with nothing of the process that wrote it: skops names each array file and tags each
    object (`__id__`, which ties shared references together) by its memory address, and stamps every zip entry with the
    clock. Each address becomes its rank of first appearance in the schema, entries are sorted with a fixed time, so
    the same fitted model always gives the same bytes, sha256 and model id."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
        compression = {info.filename: info.compress_type for info in zf.infolist()}
    schema = json.loads(members.pop("schema.json"))
    ids: dict[int, int] = {}
    files: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "__id__" and isinstance(value, int):
                    node[key] = ids.setdefault(value, len(ids) + 1)
                elif key == "file" and isinstance(value, str) and value in members:
                    node[key] = files.setdefault(value, f"{len(files) + 1:06d}{Path(value).suffix}")
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    if set(files) != set(members):
        raise ValueError(f"skops archive: files not named in its schema: {sorted(set(members) - set(files))[:3]}")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        entries = [("schema.json", json.dumps(schema, indent=2).encode(), compression["schema.json"])]
        entries += sorted((files[name], blob, compression[name]) for name, blob in members.items())
        for name, blob, method in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            info.external_attr = 0o644 << 16
            zf.writestr(info, blob)
    return out.getvalue()


def load_model(path: Path, expected_sha256: str | None = None):
    """Load a skops model file; refuse a non-skops file, a changed file, or any type outside TRUSTED_TYPES."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileRefused(f"{path}: no such model file")
    if path.suffix != ".skops" or not zipfile.is_zipfile(path):
        raise ModelFileRefused(f"{path}: not a skops archive (pickle and other formats are never loaded)")
    with zipfile.ZipFile(path) as zf:
        if "schema.json" not in zf.namelist():
            raise ModelFileRefused(f"{path}: a zip file without skops' schema.json: not a skops model")
    if expected_sha256 is not None:
        found = sha256_file(path)
        if found != expected_sha256:
            raise ModelFileRefused(f"{path}: sha256 {found}, the registry expects {expected_sha256}: the file changed")
    try:
        import skops.io as sio  # imported where used (see save_model)

        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # a damaged archive
        raise ModelFileRefused(f"{path}: not a readable skops archive: {exc}") from exc
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise ModelFileRefused(f"{path}: holds types outside the trusted list: {refused}")
    return sio.load(path, trusted=sorted(set(untrusted)))


def _connect(store_root: Path, con=None):
    """The store's tables: through the night's connection when it has the store attached as `store`."""
    if con is not None:
        attached = {r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
        if "store" in attached:
            return con, "store"
    return stored.connect(store_root), "main"


def register(
    store_root: Path,
    kind: str,
    model_id: str,
    sha256: str,
    training_data_sha256: str,
    trained_as_of: dt.date,
    activation_date: dt.date,
    params: dict,
    con=None,
) -> ModelEntry:
    if kind not in KINDS:
        raise ValueError(f"model kind {kind!r}; expected one of {KINDS}")
    c, schema = _connect(store_root, con)
    try:
        stored_models.register(
            c,
            model_id,
            kind,
            sha256,
            training_data_sha256,
            trained_as_of,
            activation_date,
            json.dumps(params, sort_keys=True, ensure_ascii=False, default=str),
            db=schema,
        )
    finally:
        if c is not con:
            c.close()
    return ModelEntry(model_id, kind, sha256, training_data_sha256, trained_as_of, activation_date)


def active(store_root: Path, kind: str, as_of: dt.date, con=None) -> ModelEntry | None:
    """The model of `kind` active on `as_of`, or None (no registry, no model yet)."""
    if con is None and not stored.database.exists(store_root):
        return None
    c, schema = _connect(store_root, con)
    try:
        row = stored_models.active(c, kind, as_of, db=schema)
    finally:
        if c is not con:
            c.close()
    return ModelEntry(*row) if row else None


def load_active(store_root: Path, kind: str, as_of: dt.date, con=None):
    """(entry, estimator, card) of the model active on `as_of`, or (None, None, None)."""
    entry = active(store_root, kind, as_of, con)
    if entry is None:
        return None, None, None
    folder = entry.folder(store_root)
    estimator = load_model(folder / "model.skops", entry.sha256)
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    return entry, estimator, card
