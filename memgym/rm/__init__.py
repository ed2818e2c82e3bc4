"""MemRM, the compaction reward model: rows, features, models, metrics.

Modules: ``rows`` (the JSONL row), ``features`` and ``lite`` (the CPU model), ``trees`` (its
compiled trees), ``lm`` and ``tiny`` (the LoRA model and its tiny test base), ``metrics``,
``evaluate`` (the honest report of one split), ``models`` (loading either kind). This room runs
no memory: it stands below ``memory/`` (the ``gated`` memory scores with it); what labels
compactions by running memories is ``memgym.rmdata``. Import what you need: nothing here pulls
numpy, scikit-learn or torch until used.
"""
