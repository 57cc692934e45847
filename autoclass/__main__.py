"""``python -m autoclass``: the ``autoclass`` command."""

from __future__ import annotations

if __name__ == "__main__":
    from autoclass.cli import main

    raise SystemExit(main())
