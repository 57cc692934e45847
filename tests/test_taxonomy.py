"""A taxonomy of one's own: read from taxonomy.json, carried by the model into every output."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from autoclass import AutoclassError, LabelDataError, ModelLoadError, load_model
from autoclass.audit import audit_records
from autoclass.classifier import ParagraphClassifier
from autoclass.explain import explain_page, top_event_terms
from autoclass.labels import check_records, pages_from_records, read_records
from autoclass.model import Model
from autoclass.persistence import save_model
from autoclass.taxonomy import DEFAULT_SOURCE, EVENT_TYPES, find_taxonomy, read_taxonomy, resolve_taxonomy

TYPES = ("funding", "launch", "lawsuit", "other")

# Pages as (text, relevant, event) lines, on two sites.
PAGES: list[list[tuple[str, bool, str | None]]] = [
    [
        ("Home | Startups | Contact", False, None),
        ("Battery startup Voltra raises $40 million in Series B round", True, "funding"),
        ("Voltra raised $40 million from investors led by a sovereign fund.", True, "funding"),
        ("The funding round values the startup at $300 million.", True, "funding"),
        ("Share this article", False, None),
    ],
    [
        ("Menu | Cars | Reviews", False, None),
        ("Kia launches the EV3 compact crossover in Europe", True, "launch"),
        ("Kia unveiled the EV3 at an event in Frankfurt, with sales starting in June.", True, "launch"),
        ("The new model comes with two battery sizes.", True, "launch"),
        ("Subscribe to our newsletter", False, None),
    ],
    [
        ("Home | Startups | Contact", False, None),
        ("Drivers sue carmaker over faulty software update", True, "lawsuit"),
        ("A group of owners filed a lawsuit in federal court over the software update.", True, "lawsuit"),
        ("The court will hear the case in the autumn.", True, "lawsuit"),
        ("Share this article", False, None),
    ],
    [
        ("Menu | Cars | Reviews", False, None),
        ("Charging network startup Plugly raises new funding from investors", True, "funding"),
        ("Plugly raised $12 million to expand its network of chargers.", True, "funding"),
        ("Readers also liked: ten road trips", False, None),
    ],
    [
        ("Home | Startups | Contact", False, None),
        ("Toyota launches a new hybrid pickup for Asian markets", True, "launch"),
        ("The pickup launches in Thailand first, then in Indonesia.", True, "launch"),
        ("Car clubs meet at the weekend to show classic models.", True, "other"),
        ("Share this article", False, None),
    ],
    [
        ("Menu | Cars | Reviews", False, None),
        ("Supplier settles lawsuit with former partner over unpaid parts", True, "lawsuit"),
        ("The court approved the settlement of the lawsuit on Monday.", True, "lawsuit"),
        ("Car clubs gather old models for a summer show.", True, "other"),
        ("Subscribe to our newsletter", False, None),
    ],
]
SITES = ["startup-wire", "car-weekly"]


def records(pages=PAGES) -> list[dict]:
    return [
        {
            "article_id": f"p{k}",
            "position": i,
            "text": t,
            "relevant": r,
            "event": e,
            "site": SITES[k % 2],
            "source_file": "x.jsonl",
            "line": 1,
        }
        for k, page in enumerate(pages)
        for i, (t, r, e) in enumerate(page)
    ]


@pytest.fixture(scope="module")
def four_type_model() -> Model:
    pages = pages_from_records(records(), event_types=TYPES)
    clf = ParagraphClassifier(min_df=1, cv_folds=2, event_types=TYPES)
    return Model(clf.fit(pages.texts, pages.relevant, pages.events, groups=pages.sites))


PAGE = "Home\nBus maker Solaris raises $50 million funding from investors\nShare this article"


def test_predictions_carry_only_the_models_types(four_type_model):
    assert four_type_model.event_types == TYPES
    article = four_type_model.predict(PAGE)
    relevance, events = four_type_model.classifier.predict_proba([PAGE.splitlines()])
    assert events.shape == (3, 4)
    for p in article.paragraphs:
        assert tuple(p.event_scores) == TYPES
        assert p.event in (*TYPES, None)
    assert set(article.tags) <= set(TYPES) and article.main_event in TYPES
    # A result sent to another process keeps its types.
    assert (
        pickle.loads(pickle.dumps(article.paragraphs[1])).event_scores == article.paragraphs[1].event_scores
    )


def test_explanations_and_model_card_terms_use_the_models_types(four_type_model):
    why = explain_page(four_type_model, PAGE.splitlines())
    assert all(w.event in TYPES and w.runner_up in TYPES for w in why)
    assert set(top_event_terms(four_type_model.classifier)) <= set(TYPES)


def test_the_saved_model_records_its_types_and_loads_them_back(four_type_model, tmp_path):
    save_model(four_type_model, tmp_path, metadata={"taxonomy": {"source": "mine.json"}}, format="npz")
    meta = json.loads((tmp_path / "metadata.json").read_text())
    assert meta["taxonomy"] == {"source": "mine.json", "events": list(TYPES)}
    loaded = load_model(tmp_path)
    assert loaded.event_types == TYPES
    assert loaded.predict(PAGE) == four_type_model.predict(PAGE)
    meta["taxonomy"]["events"] = list(EVENT_TYPES)
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="event types in .* are not those of"):
        load_model(tmp_path)


def test_training_data_outside_the_taxonomy_is_refused():
    pages = pages_from_records(records())
    clf = ParagraphClassifier(min_df=1, cv_folds=2)  # the default fifteen types
    with pytest.raises(AutoclassError, match=r"event types \['funding', 'launch', 'lawsuit'\] .* not in the"):
        clf.fit(pages.texts, pages.relevant, pages.events)
    with pytest.raises(ValueError, match="at least two distinct names"):
        ParagraphClassifier(event_types=("a", "a")).fit(pages.texts, pages.relevant, pages.events)


def test_the_audit_uses_the_classifiers_types():
    result = audit_records(records(), ParagraphClassifier(min_df=1, cv_folds=2, event_types=TYPES), folds=2)
    assert result.paragraphs == sum(map(len, PAGES))
    assert all(d.predicted in (*TYPES, "irrelevant") for d in result.disputes)


# ---------------------------------------------------------------- files


def write_labels(path, recs) -> None:
    path.write_text(
        "".join(
            json.dumps({k: v for k, v in r.items() if k != "line" and k != "source_file"}) + "\n"
            for r in recs
        )
    )


def test_labels_are_validated_against_the_taxonomy(tmp_path):
    path = tmp_path / "a.jsonl"
    write_labels(path, records())
    assert len(read_records([path], events=TYPES)) == sum(map(len, PAGES))
    with pytest.raises(LabelDataError, match="unknown event 'funding'; expected one of partnership, "):
        read_records([path])
    write_labels(path, [{**records()[1], "event": "sales"}])
    with pytest.raises(
        LabelDataError, match="unknown event 'sales'; expected one of funding, launch, lawsuit, other"
    ):
        read_records([path], events=TYPES)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"events": ["a", "b", "a"]}', "'a' is listed twice"),
        ('{"events": ["Fleetdeal", "b", "fleetdeal"]}', "'Fleetdeal' and 'fleetdeal' differ only in case"),
        ('{"events": ["a"]}', "2 to 1000 event types, not 1"),
        ('{"events": ["a", "b c"]}', "'b c' is not a name"),
        ('{"events": ["a", "x;y"]}', "'x;y' is not a name"),
        ('{"events": "a, b"}', 'an "events" list'),
        ('["a", "b"]', 'an "events" list'),
        ('{"events": [', "not valid JSON"),
    ],
)
def test_a_broken_taxonomy_file_names_the_problem(tmp_path, content, problem):
    path = tmp_path / "taxonomy.json"
    path.write_text(content)
    with pytest.raises(LabelDataError, match=problem) as info:
        read_taxonomy(path)
    assert str(info.value).startswith(f"{path}: ")


def test_a_folder_named_like_the_taxonomy_is_an_error_not_the_default_types(tmp_path):
    (tmp_path / "labels" / "train").mkdir(parents=True)
    (tmp_path / "labels" / "taxonomy.json").mkdir()
    with pytest.raises(LabelDataError, match="taxonomy.json: is not a file"):
        find_taxonomy([tmp_path / "labels" / "train"])


def test_the_taxonomy_is_found_beside_the_labels_or_one_folder_up(tmp_path):
    (tmp_path / "labels" / "train").mkdir(parents=True)
    (tmp_path / "labels" / "heldout").mkdir()
    train = tmp_path / "labels" / "train" / "a.jsonl"
    train.write_text("")
    assert find_taxonomy([train]) is None
    assert resolve_taxonomy([train]) == (EVENT_TYPES, DEFAULT_SOURCE)
    top = tmp_path / "labels" / "taxonomy.json"
    top.write_text(json.dumps({"events": list(TYPES), "descriptions": {"funding": "money"}}))
    assert find_taxonomy([train]) == top
    assert find_taxonomy([tmp_path / "labels" / "train", tmp_path / "labels" / "heldout"]) == top
    assert resolve_taxonomy([train]) == (TYPES, str(top))
    own = tmp_path / "labels" / "heldout" / "taxonomy.json"
    own.write_text(json.dumps({"events": ["x", "y"]}))
    with pytest.raises(LabelDataError, match="two taxonomies .* --taxonomy FILE"):
        find_taxonomy([train, tmp_path / "labels" / "heldout"])
    assert resolve_taxonomy([train, tmp_path / "labels" / "heldout"], own) == (("x", "y"), str(own))


def test_the_repository_taxonomy_is_the_default():
    from tests.conftest import ROOT

    assert read_taxonomy(ROOT / "labels" / "taxonomy.json") == EVENT_TYPES


# ---------------------------------------------------------------- every problem


def test_every_problem_of_a_file_is_reported_without_follow_on_problems(tmp_path):
    good = records()[:5]
    lines = [json.dumps({k: v for k, v in r.items() if k not in ("line", "source_file")}) for r in good]
    lines[1] = lines[1].replace('"funding"', '"weather"')
    lines[2] = "{broken"
    lines[4] = lines[4].replace('"position": 4', '"position": 3')
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = check_records([path], events=TYPES)
    assert [(p.line, p.problem.split(" ")[0]) for p in result.problems] == [
        (2, "unknown"),
        (3, "invalid"),
        (5, "duplicate"),
    ]
    assert result.n_problems == 3 and not result.ok
    assert len(result.records) == 2  # the valid lines
    with pytest.raises(LabelDataError) as first:
        read_records([path], events=TYPES)
    assert str(first.value) == str(result.problems[0])


def test_problems_are_capped_but_counted(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("{\n" * 250)
    result = check_records([path, tmp_path / "missing.jsonl"], limit=10)
    assert len(result.problems) == 10 and result.n_problems == 251
    assert result.records == []
    assert np.all([p.line == i + 1 for i, p in enumerate(result.problems)])
