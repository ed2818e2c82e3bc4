"""MemRM, the compaction reward model: replay labels, dataset, models, metrics, ranking.

Modules: ``replay`` (counterfactual labels), ``rows`` (the JSONL row), ``dataset`` (build and
splits), ``features`` and ``lite`` (the CPU model), ``lm`` and ``tiny`` (the LoRA model and its
tiny test base), ``metrics``, ``models`` (loading either kind), ``rank``. Import what you need:
nothing here pulls numpy, scikit-learn or torch until used.
"""
