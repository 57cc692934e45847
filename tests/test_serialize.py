"""The npz model format: arrays and JSON, loaded without running code, bit-identical predictions."""

from __future__ import annotations

import io
import json
import zipfile

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from autoclass import ModelLoadError, load_model
from autoclass.persistence import save_model
from autoclass.serialize import MODEL_CLASSES, STRUCTURE, ContentError, dumps, loads

PAGES = [
    ["Menu", "Tesla recalls 120,000 Model Y cars", "Tesla is recalling cars over a seat belt.", "Share"],
    ["Home", "Ford recalls pickups over brake defect", "Ford is recalling 80,000 pickups.", "Related news"],
]


def assert_same(a, b, where="value"):
    """Equal values of equal types, all the way down (arrays: dtype, shape, order, bits)."""
    assert type(a) is type(b), where
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.flags.c_contiguous == b.flags.c_contiguous, where
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), where
    elif sp.issparse(a):
        assert (a != b).nnz == 0 and a.dtype == b.dtype, where
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, MODEL_CLASSES):
        assert_same(vars(a), vars(b), f"{where}.__dict__")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, where


def test_the_default_model_round_trips_bit_identically_to_joblib(default_model, tmp_path):
    payload = {"classifier": default_model.classifier, "tag_min_share": default_model.tag_min_share}
    joblib.dump(payload, tmp_path / "m.joblib", compress=3)
    from_joblib = joblib.load(tmp_path / "m.joblib")
    from_npz = loads(dumps(payload))
    assert_same(from_npz, from_joblib)
    r1, e1 = from_joblib["classifier"].predict_proba(PAGES)
    r2, e2 = from_npz["classifier"].predict_proba(PAGES)
    assert np.array_equal(r1, r2) and np.array_equal(e1, e2)


def test_saved_npz_model_loads_without_trust_and_predicts_the_same(tiny_model, tmp_path, trust_store):
    before = trust_store.read_text()
    save_model(tiny_model, tmp_path / "m", metadata={"note": "tiny"}, format="npz")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["metadata.json", "model.npz"]
    assert trust_store.read_text() == before  # nothing to trust
    trust_store.write_text("")
    loaded = load_model(tmp_path / "m")
    assert loaded.metadata["artifact"] == "model.npz"
    assert loaded.predict("\n".join(PAGES[0])) == tiny_model.predict("\n".join(PAGES[0]))
    r1, e1 = tiny_model.classifier.predict_proba(PAGES)
    r2, e2 = loaded.classifier.predict_proba(PAGES)
    assert np.array_equal(r1, r2) and np.array_equal(e1, e2)


def test_float64_values_exact_in_single_precision_take_half_the_space():
    exact = np.arange(1000, dtype=np.float64).reshape(100, 10) / 8  # exact in float32 too
    inexact = exact + 0.1
    archive = np.load(io.BytesIO(dumps({"exact": exact, "inexact": inexact})))
    assert sorted(str(archive[k].dtype) for k in archive.files if k != STRUCTURE) == ["float32", "float64"]
    back = loads(dumps({"exact": exact, "inexact": inexact, "fortran": np.asfortranarray(exact)}))
    assert_same(back, {"exact": exact, "inexact": inexact, "fortran": np.asfortranarray(exact)})


def test_same_model_same_bytes(tiny_model):
    payload = {"classifier": tiny_model.classifier, "set": {"b", "a", "c"}}
    assert dumps(payload) == dumps(payload)


def test_new_attributes_and_estimators_need_no_format_change(tiny_model):
    clf = loads(dumps(tiny_model.classifier))
    # What a new head might add: arrays, nested containers, a fitted scikit-learn estimator.
    head = LogisticRegression().fit(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 1, 1])
    clf.body_head_ = {"weights": np.linspace(0, 1, 5).reshape(5, 1), "names": ("a", "b"), "model": head}
    clf.body_threshold_ = np.float32(0.25)
    clf.sparse_ = sp.csr_matrix(np.eye(3))
    clf.columns_ = sp.csc_array(np.eye(2))
    clf.pairs_ = sp.coo_matrix(np.eye(2))
    clf.dtype_ = np.float32
    clf.limits_ = {1: float("-inf"), (2, 3): None, "frozen": frozenset({"x"})}
    back = loads(dumps(clf))
    assert_same(vars(back), vars(clf))
    assert np.array_equal(back.body_head_["model"].predict_proba([[1.5]]), head.predict_proba([[1.5]]))


@pytest.mark.parametrize(
    "value",
    [lambda x: x, np.array([object()]), io.BytesIO(), sp.lil_matrix((2, 2)), type("Own", (), {})()],
    ids=["function", "object-array", "file", "lil-matrix", "unknown-class"],
)
def test_what_a_model_file_cannot_hold_is_refused_when_saving(value):
    with pytest.raises(ContentError, match="cannot store"):
        dumps({"x": value})


def _archive(structure: dict, **arrays) -> bytes:
    buffer = io.BytesIO()
    members = {STRUCTURE: np.frombuffer(json.dumps(structure).encode(), dtype=np.uint8), **arrays}
    np.savez(buffer, allow_pickle=True, **members)
    return buffer.getvalue()


def _root(node) -> dict:
    return {"format": "autoclass-npz", "version": 1, "root": node}


@pytest.mark.parametrize(
    ("structure", "arrays", "message"),
    [
        (_root({"object": "os.system", "state": {"dict": []}}), {}, "holds a 'os.system' object"),
        (_root({"object": "builtins.eval", "state": {"dict": []}}), {}, "holds a 'builtins.eval' object"),
        (_root({"array": "a0"}), {"a0": np.array([print], dtype=object)}, "not a readable model archive"),
        (_root({"array": "missing"}), {}, "names an array 'missing' that is not in the file"),
        (_root({"dtype": "O"}), {}, "object dtype"),
        ({"format": "autoclass-npz", "version": 99, "root": None}, {}, "version 99"),
        ({"format": "pickle", "root": None}, {}, "not an autoclass model archive"),
        (_root({"eval": "print(1)"}), {}, "unknown entry 'eval'"),
        (_root({"single": "a0"}), {"a0": np.zeros(3)}, "single-precision array of the structure is float64"),
    ],
    ids=[
        "os-system",
        "eval",
        "pickled-array",
        "missing-array",
        "object-dtype",
        "version",
        "format",
        "tag",
        "single",
    ],
)
def test_a_hostile_archive_is_refused_without_running_anything(structure, arrays, message):
    with pytest.raises(ContentError, match=message):
        loads(_archive(structure, **arrays))


def test_an_archive_holding_a_pickle_is_refused_and_the_pickle_never_runs(tmp_path):
    marker = tmp_path / "ran"
    pickled = io.BytesIO()
    np.save(pickled, np.array([_Marker(marker)], dtype=object), allow_pickle=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{STRUCTURE}.npy", pickled.getvalue())
    with pytest.raises(ContentError):
        loads(buffer.getvalue())
    with pytest.raises(ContentError):
        loads(b"not a zip file")
    assert not marker.exists()


class _Marker:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):  # noqa: ANN204 - pickle protocol
        return (open, (str(self.path), "w"))


def test_a_broken_npz_model_directory_says_what_to_do(tiny_model, tmp_path):
    save_model(tiny_model, tmp_path, metadata={}, format="npz")
    data = _archive(_root({"object": "os.system", "state": {"dict": []}}))
    meta = json.loads((tmp_path / "metadata.json").read_text())
    (tmp_path / "model.npz").write_bytes(data)
    import hashlib

    meta["artifact_sha256"] = hashlib.sha256(data).hexdigest()
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match=r"model\.npz: the file holds a 'os\.system' object"):
        load_model(tmp_path)
    # An entry this autoclass does not know may be a newer one's (as "single" was to older ones).
    data = _archive(_root({"newer": [1, 2]}))
    (tmp_path / "model.npz").write_bytes(data)
    meta["artifact_sha256"] = hashlib.sha256(data).hexdigest()
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(
        ModelLoadError, match=r"unknown entry 'newer' .*upgrade autoclass if a newer one wrote it"
    ):
        load_model(tmp_path)
