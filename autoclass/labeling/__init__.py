"""Labeling pages: drafts from a model, what to label next, and a labeling page in the browser.

- :mod:`~autoclass.labeling.drafts`: pages in the label format of the labeling guide,
  pre-filled with a model's predictions (``autoclass draft``);
- :mod:`~autoclass.labeling.suggest`: which unlabeled pages would teach the
  model most (``autoclass suggest``);
- :mod:`~autoclass.labeling.session`: a labeling session over a drafts file,
  every accepted page appended to the output at once;
- :mod:`~autoclass.labeling.server`: the local web page of ``autoclass label``.
"""
