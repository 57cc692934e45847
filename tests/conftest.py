from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# Headless Chromium from Debian's package, for the tests that render pages (CI installs it).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_or_skip() -> Path:
    """The browser's path; skips the test without it, or fails it when AUTOCLASS_REQUIRE_BROWSER=1."""
    if CHROMIUM.is_file():
        return CHROMIUM
    if os.environ.get("AUTOCLASS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing and AUTOCLASS_REQUIRE_BROWSER=1 (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); .ci/run installs it")


def _real_trust_store() -> str:
    from autoclass.trust import trust_store_path

    try:
        return trust_store_path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


# Read once, before any test points the store elsewhere: the models trusted on
# this machine (the default model `make train` recorded) stay trusted in tests.
REAL_TRUST_STORE = _real_trust_store()


def _copy_of_real_trust_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("trust") / "trusted-models"
    store.write_text(REAL_TRUST_STORE, encoding="utf-8")
    return store


@pytest.fixture(scope="session", autouse=True)
def _session_trust_store(tmp_path_factory):
    """A copy of the real trust store for session- and module-scoped fixtures."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUTOCLASS_TRUST_STORE", str(_copy_of_real_trust_store(tmp_path_factory)))
        yield


@pytest.fixture(autouse=True)
def trust_store(tmp_path_factory, monkeypatch):
    """Each test gets its own trust store, a copy of the real one; subprocesses inherit it.

    Tests must never write to the user's store (``save_model`` records what it saves).
    """
    store = _copy_of_real_trust_store(tmp_path_factory)
    monkeypatch.setenv("AUTOCLASS_TRUST_STORE", str(store))
    return store


# A tiny hand-written corpus: pages as (text, relevant, event) lines.
TINY_PAGES: list[list[tuple[str, bool, str | None]]] = [
    [
        ("Home | News | Autos | Contact", False, None),
        ("Nio delivers 20,000 cars in May, a monthly record", True, "sales"),
        ("Published: 01 June 2024", False, None),
        ("Nio delivered 20,000 vehicles in May, up 40 percent from a year earlier.", True, "sales"),
        ("Deliveries of its smaller Onvo brand reached 6,000 units in the month.", True, "sales"),
        ("Share this article", False, None),
        ("Subscribe to our newsletter", False, None),
    ],
    [
        ("Tesla recalls 120,000 Model Y cars over seat belt fault", True, "recall"),
        ("By Staff Reporter", False, None),
        ("Tesla is recalling 120,000 Model Y vehicles because a seat belt may not latch.", True, "recall"),
        ("The safety regulator opened an investigation after owners reported the defect.", True, "recall"),
        ("Related news", False, None),
        ("Leave a Reply", False, None),
    ],
    [
        ("Menu | Sports | Travel", False, None),
        ("Toyota and Panasonic sign battery supply agreement", True, "partnership"),
        ("Toyota signed an agreement with Panasonic to supply battery cells from 2026.", True, "partnership"),
        ("The two companies will jointly develop cells for hybrid cars.", True, "partnership"),
        ("Cheap football jerseys on sale", False, None),
        ("Share this article", False, None),
    ],
    [
        ("Local team wins the cup final", False, None),
        ("The striker scored twice in the second half to win the cup.", False, None),
        ("Fans celebrated in the city centre until late at night.", False, None),
        ("Subscribe to our newsletter", False, None),
    ],
    [
        ("BYD sales rise 30 percent as exports surge", True, "sales"),
        ("Published: 03 March 2024", False, None),
        ("BYD sold 300,000 vehicles in February, up 30 percent from a year earlier.", True, "sales"),
        ("Exports reached 40,000 units as the carmaker ships more cars abroad.", True, "trade"),
        ("Leave a Reply", False, None),
    ],
    [
        ("Ford recalls pickups over brake defect", True, "recall"),
        ("Ford is recalling 80,000 pickups after the regulator found a brake defect.", True, "recall"),
        ("Owners will be notified by mail and dealers will replace the part.", True, "recall"),
        ("Related news", False, None),
        ("Cheap football jerseys on sale", False, None),
    ],
]


# Raw page texts for the command-line tests.
CLI_PAGES = [
    "Nio delivers 20,000 cars in May, a monthly record\nPublished: 01 June 2024\n"
    "Nio delivered 20,000 vehicles in May, up 40 percent from a year earlier.\nShare this article",
    "Tesla recalls 120,000 Model Y cars over seat belt fault\nBy Staff Reporter\n"
    "Tesla is recalling 120,000 Model Y vehicles because a seat belt may not latch.\nRelated news",
    "Toyota and Panasonic sign battery supply agreement\n"
    "Toyota signed an agreement with Panasonic to supply battery cells from 2026.\nShare this article",
    "Local team wins the cup final\nThe striker scored twice in the second half to win the cup.",
]


def tiny_corpus():
    pages = [[t for t, _, _ in page] for page in TINY_PAGES]
    relevant = [[r for _, r, _ in page] for page in TINY_PAGES]
    events = [[e for _, _, e in page] for page in TINY_PAGES]
    return pages, relevant, events


@pytest.fixture(scope="session")
def tiny_model():
    from autoclass.classifier import ParagraphClassifier
    from autoclass.model import Model

    pages, relevant, events = tiny_corpus()
    clf = ParagraphClassifier(min_df=1, cv_folds=3, random_state=0)
    return Model(clf.fit(pages, relevant, events), tag_min_share=0.2)


@pytest.fixture(scope="session")
def default_model():
    from autoclass import ModelNotFoundError, load_model

    try:
        return load_model()
    except ModelNotFoundError:
        pytest.fail("no default model: run `make test` (it trains one) or `make train`")


# A taxonomy of its own: a model trained on one names its types (``Model.event_types``).
CUSTOM_TYPES = tuple(f"kind-{i}" for i in range(15))


def custom_model(model):
    """``model`` (its classifier and settings) presented as a model whose event types have other names."""
    from autoclass.model import Model

    class _Custom(Model):
        event_types = CUSTOM_TYPES

    return _Custom(model.classifier, tag_min_share=model.tag_min_share)
