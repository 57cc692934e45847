"""The formats of other labeling tools, to and from autoclass labels (``autoclass labels convert``).

- :mod:`~autoclass.formats.label_studio`: Label Studio tasks (JSON), one task per page;
- :mod:`~autoclass.formats.prodigy`: Prodigy and doccano JSON Lines, one record per page,
  the page's lines as character spans.

Both carry every label of the labeling guide both ways: relevance and event type as
labels on lines (an event type on a line makes it relevant), ``body`` as a
``body`` label on lines that are not relevant but are the page's own story,
and, for exact round trips, every line's ``body`` value (true, false or
unknown) in the page's data.
"""
