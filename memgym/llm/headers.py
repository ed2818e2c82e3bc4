"""The HTTP headers memgym sends beside a chat request: the question's spec (which ``memgym
serve`` answers from) and the track's name. Defined here, below the reasoners that send them and
the proxy and server that read them."""

from __future__ import annotations

SPEC_HEADER = "X-Memgym-Spec"
TRACK_HEADER = "X-Memgym-Track"
