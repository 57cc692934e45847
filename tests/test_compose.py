"""The composer's page shapes (training.compose): excerpt pages keep the article and little around it."""

from __future__ import annotations

import pytest

from training import compose

SITE = {
    "site": "test-site",
    "name": "Test Site",
    "top": [[f"Menu item {i}" for i in range(6)]],
    "meta": [["By Staff", "{date}", "Share", "Print"]],
    "inline": [["ADVERTISEMENT"]],
    "after": [[f"Tag {i}" for i in range(5)]],
    "bottom": [[f"Footer line {i}" for i in range(5)]],
    "related_headers": ["Related"],
    "comments": [["Leave a reply", "Name", "Email"]],
    "ads": ["Cheap flights"],
    "layout": {"title_first": 0.0},
}


def _body(n: int) -> dict:
    paragraphs = [{"role": "headline", "text": f"Carmaker {n} opens a plant", "event": "manufacturing"}]
    paragraphs += [
        {
            "role": "body",
            "text": f"Paragraph {k} of story {n} says the plant will build cars.",
            "event": "manufacturing",
        }
        for k in range(5)
    ]
    return {"body_id": f"T-{n:03d}", "topic": "automotive", "paragraphs": paragraphs}


@pytest.mark.parametrize("n", range(40))
def test_an_excerpt_page_is_its_article_with_at_most_a_few_lines_around_it(monkeypatch, n):
    monkeypatch.setattr(compose, "EXCERPT_SHARE", 1.0)
    monkeypatch.setattr(compose, "SNIPPET_SHARE", 0.0)
    body = _body(n)
    lines = compose.compose_page(
        body, SITE, related=[f"Other story {i}" for i in range(8)], sidebar=["Sidebar"]
    )
    texts = [line[0] for line in lines]
    own = [p["text"] for p in body["paragraphs"]]
    relevant = [i for i, line in enumerate(lines) if line[1]]
    if texts == own[: len(texts)] or texts[relevant[-1]] not in own:
        return  # a feed item, or a page cut short mid-sentence: drawn before the excerpt
    assert [texts[i] for i in relevant] == own  # the whole article, in order
    assert relevant[0] <= 2 and len(lines) - 1 - relevant[-1] <= 3
    # Two meta lines at most between the headline and the body; no related list, sidebar or comments.
    assert relevant[1] - relevant[0] - 1 <= 2
    assert not {line[4] for line in lines} & {"related", "related_header", "sidebar", "comments"}


def _share_without_tail(corpus: dict) -> float:
    """Share of training pages with no related list, sidebar, comments or ads."""
    pages: dict[str, set[str]] = {}
    for records in corpus["train"].values():
        for record in records:
            pages.setdefault(record["article_id"], set()).add(record["role"])
    tails = {"related", "related_header", "sidebar", "comments", "ads"}
    return sum(1 for roles in pages.values() if not roles & tails) / len(pages)


def test_one_page_in_about_five_is_an_excerpt():
    # Whole pages lack a tail now and then too (feed items, snippets, pages cut short,
    # templates without one): the excerpts are what the share rises by over them.
    whole = _share_without_tail(compose.compose_corpus(roles=True, excerpts=False, compositions=1))
    rise = _share_without_tail(compose.compose_corpus(roles=True, compositions=1)) - whole
    assert 0.5 * compose.EXCERPT_SHARE < rise < compose.EXCERPT_SHARE, (whole, rise)


def test_a_training_body_is_composed_again_in_other_sites_of_its_family_cut_to_its_article():
    corpus = compose.compose_corpus(roles=True)
    families = compose.fold_families([{"site": site} for site in corpus["train"]])
    pages: dict[str, dict[str, set[str]]] = {}  # body id -> site -> roles of its page there
    on_topic: set[str] = set()
    for site, records in corpus["train"].items():
        for r in records:
            pages.setdefault(r["article_id"].split("--")[1], {}).setdefault(site, set()).add(r["role"])
            if r["relevant"]:
                on_topic.add(r["article_id"].split("--")[1])
    n = compose.TRAIN_COMPOSITIONS
    auto = [len(sites) for body, sites in pages.items() if body in on_topic]
    off = [len(sites) for body, sites in pages.items() if body not in on_topic]
    assert set(auto) <= set(range(2, n + 1)) and auto.count(n) > 0.9 * len(auto)
    # Off-topic stories in more sites: their own words are what tells them apart.
    assert set(off) <= set(range(2, n + compose.OFF_TOPIC_EXTRA + 1))
    assert sum(off) / len(off) > n + 0.7 * compose.OFF_TOPIC_EXTRA
    assert all(len({families[site] for site in sites}) == 1 for sites in pages.values())
    # Only a body's own site gives it a whole page: elsewhere no list of other stories,
    # sidebar or comments follows it.
    tails = {"related", "related_header", "sidebar", "comments"}
    whole = [sum(bool(roles & tails) for roles in sites.values()) for sites in pages.values()]
    assert max(whole) == 1 and sum(whole) > 0.4 * len(pages)
    heldout: dict[str, int] = {}
    for records in corpus["heldout"].values():
        for article_id in {r["article_id"] for r in records}:
            heldout[article_id.split("--")[1]] = heldout.get(article_id.split("--")[1], 0) + 1
    assert set(heldout.values()) == {1} and not set(heldout) & set(pages)


def test_a_held_out_body_is_composed_again_cut_in_another_held_out_site():
    corpus = compose.compose_corpus(roles=True)
    cut = corpus[compose.HELDOUT_CUT]
    assert set(cut) <= set(corpus["heldout"]) and not set(cut) & set(corpus["train"])

    def site_of_body(split: dict[str, list[dict]]) -> dict[str, str]:
        ids = {r["article_id"] for records in split.values() for r in records}
        return {i.split("--")[1]: i.split("--")[0] for i in ids}

    own, again = site_of_body(corpus["heldout"]), site_of_body(cut)
    assert again.keys() == own.keys() and all(again[b] != own[b] for b in own)
    # Cut to the article: no list of other stories, sidebar or comments after it.
    tails = {"related", "related_header", "sidebar", "comments"}
    assert not any(r["role"] in tails for rs in cut.values() for r in rs)
    # The held-out pages themselves are as they were: composed once, whole pages among them.
    assert compose.compose_corpus(roles=True, compositions=1)["heldout"] == corpus["heldout"]


def test_some_lists_of_other_stories_carry_a_date_an_age_or_a_section():
    heads = [f"Carmaker {n} opens a plant" for n in range(40)]
    related = [
        r for n in range(60) for r in compose.compose_page(_body(n), SITE, related=heads[:], sidebar=[])
    ]
    listed = [r for r in related if r[4] == "related"]
    decorated = [r for r in listed if r[0] not in heads]
    # Every decorated line is another story's headline with something beside it, labeled as before.
    assert all(any(h in r[0] and r[0] != h for h in heads) for r in decorated)
    assert all(not r[1] and not r[3] and r[2] is None for r in listed)
    share = len(decorated) / len(listed)
    assert 0.5 * compose.RELATED_DECORATED_SHARE < share < 1.5 * compose.RELATED_DECORATED_SHARE, share


def test_some_training_sites_set_their_headlines_in_title_case_and_held_out_sites_do_not():
    corpus = compose.compose_corpus(roles=True, compositions=1)

    def titled(records: list[dict]) -> bool:
        heads = [r["text"] for r in records if r["role"] == "headline"]
        return bool(heads) and all(
            h == compose.title_case(h) or h == compose.title_case(h, every_word=True) for h in heads
        )

    train = [titled(records) for records in corpus["train"].values()]
    assert 0.5 * compose.TITLE_CASE_SHARE < sum(train) / len(train) < 2 * compose.TITLE_CASE_SHARE
    assert not any(titled(records) for records in corpus["heldout"].values())


def test_another_draw_seed_draws_other_pages_of_the_same_split():
    def bodies_by_part(corpus: dict[str, dict[str, list[dict]]]) -> dict[str, set[str]]:
        return {
            part: {r["article_id"].split("--")[1] for rs in by_site.values() for r in rs}
            for part, by_site in corpus.items()
        }

    page = compose.compose_page(_body(1), SITE, related=[], sidebar=[])
    ours, other = compose.compose_corpus(), compose.compose_corpus(draw_seed=compose.SEED + 1)
    assert bodies_by_part(ours) == bodies_by_part(other)
    assert {part: set(sites) for part, sites in ours.items()} == {p: set(s) for p, s in other.items()}
    assert ours["train"] != other["train"]
    # The module's draw is back: a page composed outside compose_corpus is as before.
    assert compose.compose_page(_body(1), SITE, related=[], sidebar=[]) == page


def test_compose_refuses_to_write_another_draw_over_labels(capsys):
    with pytest.raises(SystemExit):
        compose.main(["--draw-seed", "11"])
    assert "give it an --out folder" in capsys.readouterr().err
