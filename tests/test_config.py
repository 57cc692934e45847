"""A config file of one's own: every setting is checked before anything is fitted."""

import pytest

from autoclass.errors import AutoclassError
from autoclass.training.config import TrainConfig


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[relevance]\nthreshold = 1.5\n", "relevance.threshold is 1.5; it must be a number from 0 to 1"),
        ("[article]\ntag_min_share = 2\n", "article.tag_min_share is 2.0; it must be a number from 0 to 1"),
        ('[event]\ncontexts = ["page", "galaxy"]\n', "event.contexts has unknown contexts ['galaxy']"),
        ("[relevance]\nC = -1\n", "relevance.C is -1.0; it must be above 0"),
        ("[event]\nC = 0\n", "event.C is 0.0; it must be above 0"),
        ("seed = -5\n", "seed is -5; it must be from 0 to 2**32 - 1"),
        ("[features]\nngram_range = [2, 1]\n", "features.ngram_range is [2, 1]; it must be [1, 1]"),
        ("[features]\nmin_df = 0\n", "features.min_df is 0; it must be at least 1"),
        ('[features]\nmarkup = ["tags", "colour"]\n', "features.markup has unknown groups ['colour']"),
        ('[relevance]\ncontext = "false"\n', "relevance.context is 'false'; it must be true or false"),
        ("[training]\ncv_folds = 1\n", "training.cv_folds is 1; it must be at least 2"),
        ("[evaluation]\ncrossval_folds = 1\n", "evaluation.crossval_folds is 1; it must be at least 2"),
        ("[evaluation]\nlearning_curve = [0.5, 1.0]\n", "evaluation.learning_curve is [0.5, 1.0]"),
    ],
)
def test_a_setting_out_of_its_range_is_named_with_its_file(tmp_path, toml, message):
    path = tmp_path / "mine.toml"
    path.write_text(toml)
    with pytest.raises(AutoclassError) as caught:
        TrainConfig.from_toml(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_the_default_config_and_settings_in_range_load():
    assert TrainConfig.from_toml().problem() is None
    assert TrainConfig(relevance_threshold=0.0, tag_min_share=1.0, ngram_range=(1, 1)).problem() is None


def test_a_min_df_that_leaves_no_word_is_an_error_that_names_it():
    from autoclass.features import PageFeaturizer

    with pytest.raises(AutoclassError, match=r"no word occurs in at least min_df = 100 of the 3 training"):
        PageFeaturizer(min_df=100).fit([["Voltra raises $40m", "Plant opens"], ["Recall of 2,000 vans"]])
