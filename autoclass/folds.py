"""Fold groups: sites, joined when they carry the same story.

Every out-of-fold score (the stacked heads' second stages, cross-validation,
the label audit) holds whole sites out, so that a fold is judged on templates
it has not seen.  A story published by two sites (a wire story, a press
release, or a training body composed in two site templates) would still sit
in two folds, and the fold that holds one copy would be scored after reading
the other.  So the sites whose pages open their story with the same line
(its headline) form one group.  Lines further into a story are not compared:
stock sentences ("The terms of the deal were not disclosed.") recur across
unrelated stories and would chain a corpus's sites into one group.
"""

from __future__ import annotations

import re

from autoclass.labels import Pages

__all__ = ["fold_groups"]

# Shorter opening lines ("Breaking", "Update") recur across unrelated stories.
MIN_SHARED_CHARS = 25


def fold_groups(pages: Pages) -> list[str]:
    """One group per page: its site, or the first (sorted) site of the sites joined with it.

    Two sites are joined when a page of each opens its story (its first
    relevant or ``body`` line) with the same line of at least
    :data:`MIN_SHARED_CHARS` characters, after white space and case are
    folded.  Without shared stories the groups are the sites.
    """
    parent = {site: site for site in pages.sites}

    def root(site: str) -> str:
        while parent[site] != site:
            parent[site] = parent[parent[site]]
            site = parent[site]
        return site

    first_site: dict[str, str] = {}
    body = pages.body or [[None] * len(texts) for texts in pages.texts]
    for site, texts, relevant, own in zip(pages.sites, pages.texts, pages.relevant, body):
        opening = next((text for text, rel, is_body in zip(texts, relevant, own) if rel or is_body), "")
        key = re.sub(r"\s+", " ", opening).strip().casefold()
        if len(key) < MIN_SHARED_CHARS:
            continue
        a, b = root(first_site.setdefault(key, site)), root(site)
        if a != b:  # the smaller name leads, so the group names do not depend on order
            parent[max(a, b)] = min(a, b)
    return [root(site) for site in pages.sites]
