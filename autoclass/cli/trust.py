"""``autoclass trust``: record a model directory as trusted on this machine.

Argument wiring and output only; the work is :func:`autoclass.persistence.trust_model`.
"""

from __future__ import annotations

import argparse
import sys

from autoclass.errors import AutoclassError
from autoclass.persistence import SAFE_ARTIFACTS, trust_model
from autoclass.trust import trust_store_path

DESCRIPTION = """\
Record a model directory's artifact as trusted, so that it loads without
--trust-model. A joblib model (model.joblib) is a pickle: loading it runs code
it holds, so trust only models whose origin you trust (models trained on this
machine are recorded by training). Checks that the artifact matches the sha256
in its metadata.json, then adds that sha256 to the trust store
($AUTOCLASS_TRUST_STORE, else $XDG_CONFIG_HOME/autoclass/trusted-models,
~/.config/autoclass/trusted-models by default).
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``trust`` on the ``autoclass`` parser's subcommands."""
    parser = subparsers.add_parser(
        "trust",
        help="mark a model directory as trusted (its joblib artifact may then be loaded)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("directory", metavar="DIR", help="the model directory")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``autoclass trust`` with parsed arguments; returns the exit status."""
    store = trust_store_path()
    try:
        artifact, digest, added = trust_model(args.directory)
    except OSError as exc:
        if isinstance(exc, AutoclassError):  # no model there: said by the command's handler
            raise
        # A service account's HOME is often not writable (HOME=/nonexistent).
        raise AutoclassError(
            f"cannot write the trust store {store}: {exc.strerror or exc}; set AUTOCLASS_TRUST_STORE "
            "to a file you can write"
        ) from None
    if added:
        print(f"autoclass trust: recorded {artifact} (sha256 {digest}) as trusted in {store}")
    else:
        print(f"autoclass trust: {artifact} (sha256 {digest}) is already trusted in {store}")
    if artifact.name in SAFE_ARTIFACTS:
        print(f"autoclass trust: note: a {artifact.name} model loads without trust", file=sys.stderr)
    return 0
