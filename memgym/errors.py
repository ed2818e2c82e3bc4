"""The two kinds of failure: the model's (scored) and the infrastructure's (excluded, counted).

A context overflow (the prompt does not fit the model's window) is the model's, or its memory's:
it is scored as a wrong answer, under its own status ``context_overflow``, and counted."""


class MemgymError(Exception):
    """Base of memgym's own errors."""


class ModelError(MemgymError):
    """The model's fault: a bad tool call, an unparsable answer. Scored as a wrong answer."""


class InfraError(MemgymError):
    """Not the model's fault: timeout, 5xx, rate limit. Retried, then excluded and counted."""


class ContextOverflow(ModelError):
    """The prompt does not fit the model's context window. Scored wrong (``context_overflow``)."""
