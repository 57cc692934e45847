"""Fitted models as arrays and JSON: a model file that runs no code when it is loaded.

:func:`dumps` walks an object's attributes and writes an ``.npz`` archive:
every numpy array (and the parts of every scipy sparse matrix) as an ``.npy``
member, and one JSON document, the *structure*, that says how to put them
back together.  :func:`loads` reads the archive with
``numpy.load(allow_pickle=False)`` and ``json.loads``, so nothing in the file
is ever executed.

What the structure can hold:

* ``None``, booleans, integers, floats (``inf`` and ``nan`` too), strings;
* lists, tuples, sets, frozensets, dicts (keys of any of these kinds);
* numpy arrays of any dtype but ``object``, numpy scalars, dtypes and scalar
  types; scipy sparse matrices and arrays in CSR, CSC or COO format (a
  float64 array whose values are all exact in single precision, such as the
  rounded word weights of :class:`ParagraphClassifier`, is stored as float32
  and read back as float64: the same values in half the space);
* instances of the classes in :data:`MODEL_CLASSES` only (autoclass's own
  estimators and the scikit-learn estimators they use): rebuilt with
  ``cls.__new__(cls)`` and their attribute dictionary, without calling any
  method of theirs.  A class is looked up by name in that tuple, never
  imported from a name in the file.

New attributes and new heads of a model therefore need no change here, as
long as they are made of the kinds above; a new class of estimator goes into
:data:`MODEL_CLASSES`.  Anything else is refused when saving, and a file
naming anything else is refused when loading (:class:`ContentError`).
The archive's bytes depend only on the object (fixed member dates), so the
same model always has the same sha256.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from autoclass.classifier import ParagraphClassifier
from autoclass.features import PageFeaturizer

FORMAT = "autoclass-npz"
VERSION = 1
STRUCTURE = "__structure__"
MODEL_CLASSES: tuple[type, ...] = (ParagraphClassifier, PageFeaturizer, LogisticRegression)
"""The only classes whose instances a model file may hold."""

_SPARSE_FORMATS = {"csr": ("data", "indices", "indptr"), "csc": ("data", "indices", "indptr")}
_SPARSE_FORMATS["coo"] = ("data", "row", "col")
_DATE = (1980, 1, 1, 0, 0, 0)  # fixed member dates: the same model gives the same bytes
_MAX_DEPTH = 200
_PLAIN = (str, int, float, bool, type(None))
_PLAIN_JSON = (str, int, bool, type(None))  # floats may be inf or nan, which JSON cannot hold


class ContentError(ValueError):
    """A value that a model file cannot hold (saving), or a file that is not a valid one (loading)."""


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


_CLASSES = {_name(cls): cls for cls in MODEL_CLASSES}
_SPARSE_CLASSES = {
    f"{fmt}_{kind}": getattr(sp, f"{fmt}_{kind}") for fmt in _SPARSE_FORMATS for kind in ("matrix", "array")
}


class _Writer:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, value: np.ndarray) -> str:
        key = f"a{len(self.arrays)}"
        self.arrays[key] = value
        return key

    def encode(self, value: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise ContentError("nested too deeply for a model file")
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int) and type(value) is int:
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"float": repr(value)}
        enc = self.encode
        if type(value) is list:
            return [enc(v, depth + 1) for v in value]
        if type(value) is tuple:
            return {"tuple": [enc(v, depth + 1) for v in value]}
        if type(value) in (set, frozenset):
            items = sorted(value, key=repr)  # set order depends on the hash seed; the file must not
            return {type(value).__name__: [enc(v, depth + 1) for v in items]}
        if type(value) is dict:
            if all(type(k) is str for k in value) and all(type(v) in _PLAIN_JSON for v in value.values()):
                return {"plain_dict": value}  # a vocabulary: json builds it in one C call
            return {"dict": [[enc(k, depth + 1), enc(v, depth + 1)] for k, v in value.items()]}
        if isinstance(value, np.ndarray) and type(value) is np.ndarray:
            if value.dtype.hasobject:
                raise ContentError(f"cannot store a numpy array of dtype {value.dtype} (Python objects)")
            if value.dtype == np.float64 and value.size:
                single = value.astype(np.float32)
                if np.array_equal(single, value, equal_nan=True):
                    return {"single": self.array(single)}
            return {"array": self.array(value)}
        if isinstance(value, np.generic):
            if value.dtype.hasobject:
                raise ContentError("cannot store a numpy object scalar")
            return {"scalar": self.array(np.asarray(value))}
        if isinstance(value, np.dtype):
            if value.hasobject or value.names is not None:
                raise ContentError(f"cannot store the dtype {value}")
            return {"dtype": value.str}
        if isinstance(value, type) and issubclass(value, np.generic) and value is not np.object_:
            return {"numpy_type": np.dtype(value).str}
        if sp.issparse(value):
            kind = type(value).__name__
            if kind not in _SPARSE_CLASSES:
                raise ContentError(f"cannot store a scipy {kind}; convert it to CSR, CSC or COO")
            parts = {p: self.array(np.asarray(getattr(value, p))) for p in _SPARSE_FORMATS[value.format]}
            return {"sparse": kind, "shape": list(value.shape), **parts}
        if type(value) in _CLASSES.values():
            state = getattr(value, "__dict__", None)
            if state is None:
                raise ContentError(f"cannot store a {_name(type(value))} without an attribute dictionary")
            return {"object": _name(type(value)), "state": self.encode(dict(state), depth + 1)}
        raise ContentError(
            f"cannot store a {_name(type(value))} in a model file; it holds arrays, plain Python values "
            f"and instances of {', '.join(_CLASSES)} (add a new estimator class to MODEL_CLASSES)"
        )


def dumps(value: Any) -> bytes:
    """The ``.npz`` archive of ``value`` (see the module docstring for what it may hold).

    Parameters
    ----------
    value : object
        Typically a dict holding a fitted classifier and its settings.

    Returns
    -------
    bytes
        The archive; the same value always gives the same bytes.

    Raises
    ------
    ContentError
        If ``value`` holds anything a model file cannot hold.

    Examples
    --------
    >>> data = dumps({"weights": np.arange(3.0), "names": ("a", "b"), "limit": float("inf")})
    >>> loads(data)
    {'weights': array([0., 1., 2.]), 'names': ('a', 'b'), 'limit': inf}
    """
    writer = _Writer()
    structure = {"format": FORMAT, "version": VERSION, "root": writer.encode(value)}
    text = json.dumps(structure, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    members = {STRUCTURE: np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **writer.arrays}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in members.items():
            with archive.open(zipfile.ZipInfo(f"{name}.npy", date_time=_DATE), "w", force_zip64=True) as f:
                np.lib.format.write_array(f, array, allow_pickle=False)
    return buffer.getvalue()


class _Reader:
    def __init__(self, archive: Any, built: set[str]) -> None:
        self.archive = archive
        self.built = built

    def array(self, key: Any) -> np.ndarray:
        if not isinstance(key, str) or key == STRUCTURE or key not in self.archive.files:
            raise ContentError(f"the structure names an array {key!r} that is not in the file")
        return self.archive[key]

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, bool | int | float | str):
            return node
        dec = self.decode
        if isinstance(node, list):
            return [dec(v) for v in node]
        if not isinstance(node, dict) or not node:
            raise ContentError(f"unexpected {type(node).__name__} in the structure")
        tag = next(iter(node))
        if tag == "tuple":
            return tuple(dec(v) for v in _list(node[tag]))
        if tag in ("set", "frozenset"):
            return (set if tag == "set" else frozenset)(dec(v) for v in _list(node[tag]))
        if tag == "plain_dict":
            value = node[tag]
            if type(value) is not dict or not all(type(v) in _PLAIN for v in value.values()):
                raise ContentError("a plain dict of the structure holds more than plain values")
            return value
        if tag == "dict":
            out = {}
            for pair in _list(node[tag]):
                if type(pair) is not list or len(pair) != 2:
                    raise ContentError("a dict entry of the structure is not a [key, value] pair")
                k, v = pair
                # Plain keys and values (a vocabulary's words and ids) need no decoding.
                out[k if type(k) in _PLAIN else dec(k)] = v if type(v) in _PLAIN else dec(v)
            return out
        if tag == "float":
            if node[tag] not in ("inf", "-inf", "nan"):
                raise ContentError(f"unexpected float {node[tag]!r} in the structure")
            return float(node[tag])
        if tag == "array":
            return self.array(node[tag])
        if tag == "single":
            value = self.array(node[tag])
            if value.dtype != np.float32:
                raise ContentError(f"a single-precision array of the structure is {value.dtype}")
            return value.astype(np.float64)
        if tag == "scalar":
            value = self.array(node[tag])
            if value.shape != ():
                raise ContentError("a numpy scalar of the structure is not a 0-d array")
            return value[()]
        if tag in ("dtype", "numpy_type"):
            try:
                dtype = np.dtype(str(node[tag]))
            except TypeError as exc:
                raise ContentError(f"unknown dtype {node[tag]!r} in the structure") from exc
            if dtype.hasobject:
                raise ContentError("an object dtype in the structure")
            return dtype if tag == "dtype" else dtype.type
        if tag == "sparse":
            cls = _SPARSE_CLASSES.get(node[tag])
            if cls is None:
                raise ContentError(f"unknown sparse kind {node[tag]!r} in the structure")
            shape = tuple(int(n) for n in _list(node.get("shape")))
            parts = [self.array(node.get(p)) for p in _SPARSE_FORMATS[node[tag][:3]]]
            try:
                if node[tag].startswith("coo"):
                    return cls((parts[0], (parts[1], parts[2])), shape=shape)
                return cls(tuple(parts), shape=shape)
            except (ValueError, TypeError) as exc:
                raise ContentError(f"a sparse matrix of the structure is inconsistent ({exc})") from exc
        if tag == "object":
            cls = _CLASSES.get(node[tag])
            if cls is None:
                raise ContentError(
                    f"the file holds a {node[tag]!r} object; an autoclass model file holds only "
                    f"{', '.join(_CLASSES)}, arrays and plain values"
                )
            state = dec(node.get("state"))
            if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
                raise ContentError(f"the state of a {node[tag]} is not a dict of attributes")
            obj = cls.__new__(cls)
            obj.__dict__.update(state)
            self.built.add(node[tag])
            return obj
        raise ContentError(f"unknown entry {tag!r} in the structure")


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ContentError(f"expected a list in the structure, found {type(value).__name__}")
    return value


def loads(data: bytes, *, built: set[str] | None = None) -> Any:
    """Rebuild the value that :func:`dumps` stored, running no code from ``data``.

    Parameters
    ----------
    data : bytes
        An archive written by :func:`dumps`.
    built : set of str, optional
        Filled with the names of the classes whose instances were rebuilt.

    Returns
    -------
    object
        The stored value.

    Raises
    ------
    ContentError
        If ``data`` is not such an archive, is of another format version, or
        names a class outside :data:`MODEL_CLASSES`.
    """
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            if not hasattr(archive, "files") or STRUCTURE not in archive.files:
                raise ContentError("not an autoclass model archive (no structure)")
            structure = json.loads(archive[STRUCTURE].tobytes().decode("utf-8"))
            if not isinstance(structure, dict) or structure.get("format") != FORMAT:
                raise ContentError("not an autoclass model archive")
            if structure.get("version") != VERSION:
                raise ContentError(
                    f"model archive of version {structure.get('version')!r}; this autoclass reads {VERSION}"
                )
            return _Reader(archive, built if built is not None else set()).decode(structure.get("root"))
    except ContentError:
        raise
    except RecursionError:
        raise ContentError("the structure is nested too deeply") from None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        # ValueError covers JSON and UTF-8 errors and numpy's refusal of pickled members.
        raise ContentError(f"not a readable model archive ({exc})") from exc
