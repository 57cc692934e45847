"""Fold groups (autoclass.folds): sites that carry the same story are held out together."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import GroupKFold

from autoclass.folds import fold_groups
from autoclass.labels import Pages
from autoclass.training.data import load_pages
from training import LABELS

STORY = "Carmaker opens a battery plant in Ohio with 2,000 jobs, the company said on Monday."


def _pages(lines_by_site: list[tuple[str, list[str], list[bool]]]) -> Pages:
    return Pages(
        [f"{site}--{i}" for i, (site, _, _) in enumerate(lines_by_site)],
        [site for site, _, _ in lines_by_site],
        [texts for _, texts, _ in lines_by_site],
        [relevant for _, _, relevant in lines_by_site],
        [[None] * len(texts) for _, texts, _ in lines_by_site],
    )


def test_sites_whose_pages_open_with_the_same_story_line_are_one_group_named_by_the_first():
    pages = _pages(
        [
            ("b-site", ["Menu", STORY], [False, True]),
            ("c-site", ["Home", "  " + STORY.upper() + " "], [False, True]),  # case and spaces folded
            ("a-site", ["Other story entirely, reported here at some length for the test."], [True]),
            ("d-site", ["Menu", "Home"], [False, False]),
        ]
    )
    assert fold_groups(pages) == ["b-site", "b-site", "a-site", "d-site"]


def test_shared_boilerplate_stock_sentences_and_short_openings_do_not_join_sites():
    footer = "Copyright 2025 Example Media Group. All rights reserved. Terms of use apply."
    stock = "The financial terms of the agreement were not disclosed by either company."
    pages = _pages(
        [
            ("a-site", [footer, "Brand A opens a plant in Ohio", stock], [False, True, True]),
            ("b-site", [footer, "Brand B buys a stake in a maker of batteries", stock], [False, True, True]),
            ("c-site", ["Breaking", "More on this"], [True, True]),
            ("d-site", ["Breaking", "Other"], [True, True]),
        ]
    )
    assert fold_groups(pages) == ["a-site", "b-site", "c-site", "d-site"]


def test_no_story_of_the_training_corpus_is_on_both_sides_of_a_fold():
    pages = load_pages(LABELS / "train")
    groups = np.asarray(fold_groups(pages))
    assert 5 <= len(set(groups)) < len(set(pages.sites))  # stories composed in several sites
    story = [page_id.split("--")[1] for page_id in pages.ids]
    for train, test in GroupKFold(n_splits=5).split(groups, groups=groups):
        assert not {story[i] for i in train} & {story[i] for i in test}
