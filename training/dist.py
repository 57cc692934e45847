"""Stage what the published package ships besides its code: the default model, in the npz format.

``python -m training.dist`` (``make dist``, before ``python -m build``)
writes ``autoclass/default_model/`` (``model.npz``, ``metadata.json``, the
model card ``README.md``) from ``models/default``, a build output kept out
of git; ``autoclass.load_model()`` finds the model with
``importlib.resources`` in an installed package.  (The labeling guide,
``autoclass/GUIDE.md``, is a file of the package: every install has it.)
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np

from autoclass.persistence import SHIPPED_MODEL, load_model, save_model
from training import ROOT

PAGES = [
    [
        "Menu",
        "Tesla recalls 120,000 Model Y cars",
        "Tesla is recalling the cars over a seat belt fault.",
        "Share",
    ],
    [
        "Home",
        "Nio delivers 20,000 cars in May",
        "Nio delivered 20,000 vehicles in May, up 40 percent.",
        "Login",
    ],
]


def stage(model_dir: Path, package: Path) -> Path:
    """Write the model at ``model_dir`` into ``package`` as its default model.

    The staged copy is loaded back and must predict exactly as the original.

    Returns
    -------
    pathlib.Path
        The staged model directory.
    """
    model = load_model(model_dir)
    target = package / SHIPPED_MODEL
    if target.exists():
        shutil.rmtree(target)
    card = model_dir / "README.md"
    save_model(
        model, target, metadata=model.metadata, card=card.read_text() if card.is_file() else "", format="npz"
    )
    staged = load_model(target)
    for a, b in zip(model.classifier.predict_proba(PAGES), staged.classifier.predict_proba(PAGES)):
        if not np.array_equal(a, b):
            raise SystemExit(f"{target} does not predict as {model_dir}")
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default", help="the model to ship")
    parser.add_argument("--package", type=Path, default=ROOT / "autoclass", help="the package folder")
    args = parser.parse_args(argv)
    if not load_model(args.model).metadata.get("cross_validation"):
        # The model card that ships must carry the cross-validation; `make test` trains without it.
        raise SystemExit(f"{args.model} was trained without its cross-validation: run `make train` first")
    target = stage(args.model, args.package)
    size = sum(p.stat().st_size for p in target.iterdir()) / 1e6
    print(f"staged {args.model} as {target} ({size:.1f} MB)")


if __name__ == "__main__":
    main()
