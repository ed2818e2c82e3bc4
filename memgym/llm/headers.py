"""The HTTP headers memgym sends beside a chat request: the question's spec (which ``memgym
serve`` answers from), the track's name, and the interactive track an agent's turn is taken on. Defined here, below the reasoners that send them and
the proxy and server that read them."""

from __future__ import annotations

SPEC_HEADER = "X-Memgym-Spec"
TRACK_HEADER = "X-Memgym-Track"
SESSION_HEADER = "X-Memgym-Session"
"""Sent by the interactive ``llm`` agent: the interactive track whose session the turn is in
(``memgym serve`` answers such a turn as the ``noop`` agent would)."""
PROBE_HEADER = "X-Memgym-Probe"
"""Sent by ``memgym eval``'s throughput probe (``memgym.protocol.throughput``): ``memgym serve``
answers it with a word."""
