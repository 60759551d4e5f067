"""Privacy: spotting personal details (``detectors``), what may be stored about a conversation
(``redaction``, the ``metadata`` allow-list) and for how long (``retention``)."""
