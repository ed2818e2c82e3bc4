"""The two kinds of failure: the model's (scored) and the infrastructure's (excluded, counted)."""


class MemgymError(Exception):
    """Base of memgym's own errors."""


class ModelError(MemgymError):
    """The model's fault: a bad tool call, an unparsable answer. Scored as a wrong answer."""


class InfraError(MemgymError):
    """Not the model's fault: timeout, 5xx, rate limit. Retried, then excluded and counted."""
