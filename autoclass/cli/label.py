"""``autoclass label``: label drafts in the browser, one page at a time, with the keyboard.

Argument wiring only; the session is :class:`autoclass.labeling.session.LabelSession`
and the page :class:`autoclass.labeling.server.LabelServer`.
"""

from __future__ import annotations

import argparse
import sys
import threading
import webbrowser
from pathlib import Path

from autoclass.cli.errors import UsageError
from autoclass.cli.options import add_model_options, add_taxonomy_option, check_output_folder, labels_taxonomy
from autoclass.labeling.drafts import drafted_event_types, model_event_types, read_drafts
from autoclass.labeling.server import LabelServer
from autoclass.labeling.session import LabelSession
from autoclass.persistence import load_model

DESCRIPTION = """\
Open a labeling page in the browser, served on 127.0.0.1 only: the pages of
DRAFTS (from `autoclass draft` or `autoclass suggest`, or any labeled file)
one at a time, each line's labels pre-filled and the model's suggestion and
probability beside them. Keys: arrows move, Space toggles relevance, digits
and letters set the event type (listed on the page), b toggles body, Enter
accepts the page, n skips it. Every accepted page is appended to OUTPUT at
once, so closing the browser or stopping the server loses nothing; run the
command again to resume after the pages already in OUTPUT. Ctrl-C stops.

Event types come from the drafts (the model that drafted them), else from
--model, else from --taxonomy or a taxonomy.json beside the drafts (or one
folder up), else the default taxonomy.
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``label`` on the ``autoclass`` parser's subcommands."""
    parser = subparsers.add_parser(
        "label",
        help="label drafts in the browser, by keyboard",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("drafts", metavar="DRAFTS", help="drafts file (JSON Lines in the label format)")
    parser.add_argument(
        "-o", "--output", metavar="OUTPUT", help="labeled pages go here (default: DRAFTS-labeled.jsonl)"
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--no-browser", action="store_true", help="print the page's address, open no browser")
    add_model_options(parser, model_help="model whose event types to use when the drafts do not name them")
    add_taxonomy_option(parser)
    parser.set_defaults(run=run)
    return parser


def default_output(drafts: str) -> Path:
    """``drafts.jsonl`` -> ``drafts-labeled.jsonl``.

    Examples
    --------
    >>> default_output("work/drafts.jsonl").as_posix()
    'work/drafts-labeled.jsonl'
    """
    path = Path(drafts)
    stem = path.name.removesuffix(".jsonl").removesuffix(".ndjson")
    return path.with_name(f"{stem}-labeled.jsonl")


def run(args: argparse.Namespace) -> int:
    """Run ``autoclass label`` with parsed arguments; returns the exit status."""
    if not 0 <= args.port < 65536:
        raise UsageError(f"--port must be from 0 to 65535, not {args.port}")
    output = Path(args.output) if args.output else default_output(args.drafts)
    if output.exists() and output.resolve() == Path(args.drafts).resolve():
        raise UsageError("the output must be another file than the drafts")
    if not output.parent.is_dir():
        raise UsageError(f"no folder {output.parent} for the output {output}: create it first")
    # Before the page is served: an output that cannot be written lost the first page accepted.
    if output.is_file():
        try:
            open(output, "ab").close()
        except OSError as exc:
            raise UsageError(f"cannot write the output {output}: {exc.strerror or exc}") from None
    elif not output.exists():
        check_output_folder(str(output.parent))
    types = drafted_event_types(args.drafts)
    if types is None:
        types = (
            model_event_types(load_model(args.model, trust=args.trust_model))
            if args.model
            else labels_taxonomy([args.drafts], args.taxonomy)[0]
        )
    session = LabelSession(read_drafts(args.drafts, event_types=types), output, event_types=types)
    if not session.pages:
        raise UsageError(f"{args.drafts} holds no pages")
    if session.recovered_bytes:
        print(
            f"autoclass label: moved an incomplete last page ({session.recovered_bytes:,} bytes, the first "
            f"lines of a page of the drafts: a session stopped while writing it, or the drafts gained lines "
            f"since) from {output} to {session.removed_to}; the page is labeled again in this session",
            file=sys.stderr,
        )
    try:
        server = LabelServer(session, port=args.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}") from exc
    state = session.state()
    print(
        f"autoclass label: {state['done']} of {state['total']} pages done; accepted pages go to {output}\n"
        f"autoclass label: labeling page at {server.url} (Ctrl-C to stop)",
        flush=True,
    )
    if not args.no_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        return 130
    finally:
        server.server_close()
        done = session.state()["done"]
        print(
            f"autoclass label: stopped; {done} of {len(session.pages)} pages done in {output}",
            file=sys.stderr,
        )
    return 0
