"""MemRM's data: compactions labelled by running memories, and the checks that run them.

Modules: ``replay`` (counterfactual labels of a question stream), ``dataset`` (build and splits),
``interactive`` and ``interactive_build`` (labels of interactive sessions), ``tau2_rows`` and
``proxy_rows`` (stored tau2 episodes and proxy records as rows), ``rank`` (strategies ranked by
replay and by MemRM). It stands above ``memory``, ``reasoners``, ``run`` and ``interactive``
(it runs them) and above ``rm`` (the model and its rows).
"""
