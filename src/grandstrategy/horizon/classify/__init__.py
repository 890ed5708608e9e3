"""Topic classification of passages (which taxonomy categories a passage is about).

Not to be confused with security classification markings (``core.markings``).

* ``rules``: the taxonomy's terms matched in a passage;
* ``learn``: the TF-IDF model trained on labelled passages;
* ``labels``: the combined classifier (rules, model and sentence embeddings) and its
  :class:`~grandstrategy.horizon.classify.labels.Prediction`;
* ``evaluate``: scores, cross-validated tuning and the starter labelled set;
* ``engine``: the classifier in use, trained, stored and loaded from the database.

Only the horizon capability imports these modules; adapters go through ``horizon.service``.
"""
