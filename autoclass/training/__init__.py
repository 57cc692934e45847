"""Training and evaluation: the library behind ``autoclass train`` and ``autoclass evaluate``.

Training needs the ``train`` extra (``datasets``); the HTML report needs the
``report`` extra (matplotlib).  Prediction never imports this package.
"""
