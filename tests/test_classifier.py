from __future__ import annotations

import numpy as np
import pytest

from autoclass import EVENT_TYPES, AutoclassError
from autoclass.classifier import ParagraphClassifier
from autoclass.features import LAYOUT_FEATURES, PageFeaturizer, word_form
from autoclass.markup import MARKUP_FEATURES
from tests.conftest import TINY_PAGES, tiny_corpus


def test_featurizer_shapes_and_page_index():
    pages, _, _ = tiny_corpus()
    batch = PageFeaturizer(min_df=1).fit(pages).transform(pages)
    n = sum(map(len, pages))
    assert batch.tfidf.shape[0] == n
    assert batch.layout.shape == (n, len(LAYOUT_FEATURES) + len(MARKUP_FEATURES))
    assert list(batch.page_offsets) == [0, 7, 13, 19, 23, 28, 33]
    assert batch.page_index.tolist() == [k for k, p in enumerate(pages) for _ in p]
    # Words and word pairs are two blocks, each of unit length.
    split = PageFeaturizer(min_df=1).fit(pages).n_words
    for block in (batch.tfidf[:, :split], batch.tfidf[:, split:]):
        norms = np.sqrt(block.multiply(block).sum(axis=1)).A1
        assert np.allclose(norms[norms > 0], 1.0)


def test_featurizer_handles_unseen_words_and_empty_batches():
    pages, _, _ = tiny_corpus()
    feat = PageFeaturizer(min_df=1).fit(pages)
    batch = feat.transform([["zzzz qqqq xxxx"], []])
    assert batch.tfidf.nnz == 0 and batch.layout.shape == (1, len(LAYOUT_FEATURES) + len(MARKUP_FEATURES))
    assert feat.transform([]).tfidf.shape[0] == 0


def test_letters_with_diacritics_are_read_as_their_base_letters():
    pages = [["ŠKODA builds cars in Mladá Boleslav", "Skoda sells cars"], ["Citroën and Citroen"]]
    feat = PageFeaturizer(min_df=1).fit(pages)
    names = set(feat.term_names()[: feat.n_words])
    assert {"skoda", "mlada", "citroen"} <= names and not {"škoda", "mladá", "citroën"} & names
    batch = feat.transform([["Škoda"], ["SKODA"], ["Ŝkodã"]])
    assert (batch.tfidf[0] != batch.tfidf[1]).nnz == 0 and (batch.tfidf[0] != batch.tfidf[2]).nnz == 0
    assert batch.tfidf[0].nnz > 0
    # Decomposed text (NFD: "S" and a combining caron), a Turkish capital I with its dot, fullwidth
    # letters: read as the same words ("Škoda" in NFD was the words "s" and "koda").
    import unicodedata

    same = feat.transform([["Škoda"], [unicodedata.normalize("NFD", "Škoda")], ["ＳＫＯＤＡ"]]).tfidf
    assert (same[0] != same[1]).nnz == 0 and (same[0] != same[2]).nnz == 0
    assert word_form("İzmit ２０２４") == "izmit 0000"
    # A model saved when letters were read as base letters but NFD and fullwidth text were not
    # (base_letters_ was a flag then) reads them as it did: as it was evaluated.
    assert feat.base_letters_ == 2
    feat.base_letters_ = True
    old = feat.transform([["Škoda"], [unicodedata.normalize("NFD", "Škoda")], ["ＳＫＯＤＡ"]]).tfidf
    assert (old[0] != same[0]).nnz == 0 and old[1].nnz < same[1].nnz and old[2].nnz == 0
    feat.base_letters_ = 2
    # A model saved before the folding has no base_letters_ and reads words as it was trained on them.
    del feat.base_letters_
    feat.vocabulary_["škoda"] = feat.vocabulary_["skoda"]
    del feat.vocabulary_["skoda"]
    assert feat.transform([["škoda"]]).tfidf.nnz > 0 and feat.transform([["skoda"]]).tfidf.nnz == 0


def test_unigrams_only_give_fewer_terms_than_bigrams():
    pages, _, _ = tiny_corpus()
    uni = PageFeaturizer(ngram_range=(1, 1), min_df=1).fit(pages)
    bi = PageFeaturizer(ngram_range=(1, 2), min_df=1).fit(pages)
    assert uni.n_terms < bi.n_terms


def test_fits_the_tiny_corpus_and_scores_every_type(tiny_model):
    pages, relevant, events = tiny_corpus()
    relevance, proba = tiny_model.classifier.predict_proba(pages)
    gold = np.array([r for page in relevant for r in page])
    assert ((relevance >= 0.5) == gold).mean() >= 0.9
    assert proba.shape == (len(gold), len(EVENT_TYPES))
    assert np.allclose(proba.sum(axis=1), 1.0)
    # Types never seen in training get exactly zero probability.
    seen = {e for page in events for e in page if e}
    unseen = [i for i, e in enumerate(EVENT_TYPES) if e not in seen]
    assert np.all(proba[:, unseen] == 0.0)


def test_event_head_on_a_new_page(tiny_model):
    article = tiny_model.predict(
        "Menu | Sports | Travel\n"
        "Honda recalls 50,000 cars over airbag defect\n"
        "Honda is recalling 50,000 vehicles after the regulator found an airbag defect.\n"
        "Share this article"
    )
    assert article.main_event == "recall"
    assert [p.relevant for p in article.paragraphs][1:] == [True, True, False]


def test_training_is_deterministic():
    pages, relevant, events = tiny_corpus()
    a = ParagraphClassifier(min_df=1, cv_folds=3).fit(pages, relevant, events)
    b = ParagraphClassifier(min_df=1, cv_folds=3).fit(pages, relevant, events)
    ra, pa = a.predict_proba(pages)
    rb, pb = b.predict_proba(pages)
    assert np.array_equal(ra, rb) and np.array_equal(pa, pb)


def test_context_blocks_change_the_event_head():
    pages, relevant, events = tiny_corpus()
    own = ParagraphClassifier(min_df=1, cv_folds=3, event_contexts=()).fit(pages, relevant, events)
    ctx = ParagraphClassifier(min_df=1, cv_folds=3, event_contexts=("page", "neighbours", "headline")).fit(
        pages, relevant, events
    )
    k = len(EVENT_TYPES)
    assert own.event2_context_weights_.shape == (0, k)
    assert ctx.event2_context_weights_.shape == (3 * k, k)
    assert not np.allclose(own.predict_proba(pages)[1], ctx.predict_proba(pages)[1])


def test_pages_do_not_leak_into_each_other():
    """Page context is per page: a batch gives what each page gives alone."""
    pages, relevant, events = tiny_corpus()
    clf = ParagraphClassifier(min_df=1, cv_folds=3, event_contexts=("page", "neighbours", "headline"))
    clf.fit(pages, relevant, events)
    relevance, proba = clf.predict_proba(pages)
    alone = [clf.predict_proba([page]) for page in pages]
    assert np.allclose(relevance, np.concatenate([r for r, _ in alone]))
    assert np.allclose(proba, np.concatenate([p for _, p in alone]))


def test_needs_both_classes_and_two_event_types():
    pages, relevant, events = tiny_corpus()
    with pytest.raises(AutoclassError, match="both relevant and irrelevant"):
        ParagraphClassifier(min_df=1).fit(pages, [[True] * len(p) for p in pages], events)
    only_sales = [[("sales" if e else None) for e in page] for page in events]
    with pytest.raises(AutoclassError, match="at least two event types"):
        ParagraphClassifier(min_df=1).fit(pages, relevant, only_sales)
    with pytest.raises(ValueError, match="unknown event contexts"):
        ParagraphClassifier(event_contexts=("title",)).fit(pages, relevant, events)


def test_two_event_types_are_told_apart():
    # A binary regression holds one row of weights; given to both types, every line scored 0.5 / 0.5
    # (a user's set of recall stories with a few manufacturing lines; any two-type taxonomy).
    pages, relevant, events = tiny_corpus()
    two = [[(e if e in (None, "recall") else "sales") for e in page] for page in events]
    clf = ParagraphClassifier(min_df=1, cv_folds=3, random_state=0).fit(pages, relevant, two)
    _, proba = clf.predict_proba(pages)
    gold = [e for page, rel in zip(two, relevant) for e, r in zip(page, rel)]
    rows = [i for i, e in enumerate(gold) if e]
    predicted = [EVENT_TYPES[j] for j in proba[rows].argmax(axis=1)]
    assert np.mean([p == gold[i] for p, i in zip(predicted, rows)]) >= 0.9
    assert {"recall", "sales"} == set(predicted)


def test_a_fold_of_off_topic_sites_alone_trains():
    # A small corpus of one user's: the off-topic pages' site held out on its own leaves a fold
    # whose training part has no relevant line; its fit raised scikit-learn's "liblinear does
    # not support multiclass" in train and audit (a new user's probe).
    pages, relevant, events = tiny_corpus()
    off_topic = [i for i, page in enumerate(relevant) if not any(page)]
    groups = ["off" if i in off_topic else "cars" for i in range(len(pages))]
    classifier = ParagraphClassifier(min_df=1, cv_folds=2, random_state=0)
    model = classifier.fit(pages, relevant, events, groups=groups)
    relevance, _ = model.predict_proba([["Ford recalls 80,000 pickups over a brake defect."]])
    assert 0 <= relevance[0] <= 1
    body_of_all = [[True] * len(page) for page in pages]
    with pytest.raises(AutoclassError, match="outside the article body too"):
        ParagraphClassifier(min_df=1).fit(pages, relevant, events, body=body_of_all)


def test_tiny_pages_constant_is_consistent():
    for page in TINY_PAGES:
        for _, rel, ev in page:
            assert (ev is not None) == rel


def test_a_fit_that_does_not_converge_says_so_once():
    # scikit-learn warns once per regression: a user training on a few pages read up to 22 lines.
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    pages, relevant, events = tiny_corpus()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ParagraphClassifier(min_df=1, cv_folds=3, random_state=0, max_iter=1).fit(pages, relevant, events)
    said = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(said) == 1 and said[0].startswith(
        "some of the model's logistic regressions stopped at max_iter=1 "
    )
