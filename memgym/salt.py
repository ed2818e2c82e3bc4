"""Secret evaluation seeds: a salt turns public seeds into scenarios nobody can regenerate.

Seeds are public and small, so anyone can generate seeds 0-199 and match a question's text to
its gold. An evaluator who sets a salt (``MEMGYM_SALT``, or a file named by ``MEMGYM_SALT_FILE``)
generates seed ``s`` of a track as ``evaluation_seed(track, s)``: an HMAC-SHA256 of the track
and the seed under the salt, so without the salt neither the scenario nor any other seed of the
run can be found. The salt is never stored: results record ``salt_digest()``, a digest that
tells salted runs apart (and runs with the same salt together) without revealing it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Protocol, TypeVar

SALT_ENV = "MEMGYM_SALT"
SALT_FILE_ENV = "MEMGYM_SALT_FILE"
SALT_VARIABLES = (SALT_ENV, SALT_FILE_ENV)
"""The environment variables that carry the salt: never passed to evaluated code."""
SALTED_SEED_BASE = 2**40
"""Salted seeds start here, far above any public seed, so the two never meet."""


def current_salt() -> bytes | None:
    """The salt from ``MEMGYM_SALT`` (its text) or the file ``MEMGYM_SALT_FILE`` names (its bytes,
    surrounding whitespace stripped); None when neither is set. An empty salt, or a file that
    cannot be read, is a ``ValueError`` naming the variable."""
    text = os.environ.get(SALT_ENV)
    path = os.environ.get(SALT_FILE_ENV)
    if text is not None and path is not None:
        raise ValueError(f"set {SALT_ENV} or {SALT_FILE_ENV}, not both")
    if text is not None:
        salt = text.strip().encode()
        name = SALT_ENV
    elif path is not None:
        try:
            salt = Path(path).read_bytes().strip()
        except OSError as exc:
            raise ValueError(f"{SALT_FILE_ENV}: cannot read {path!r}: {exc.strerror}") from None
        name = SALT_FILE_ENV
    else:
        return None
    if not salt:
        raise ValueError(f"{name} is set but empty: give a secret salt or unset it")
    return salt


def salt_digest(salt: bytes | None = None) -> str:
    """16 hex digits naming the salt (``current_salt()`` by default) without revealing it; ""
    when unsalted."""
    salt = current_salt() if salt is None else salt
    if salt is None:
        return ""
    return hashlib.sha256(b"memgym salt digest\0" + salt).hexdigest()[:16]


def evaluation_seed(track: str, seed: int, salt: bytes | None = None) -> int:
    """The seed a track generates for public ``seed``: ``seed`` itself when unsalted, else a
    64-bit number derived from the salt, the track and the seed (``SALTED_SEED_BASE`` and up)."""
    salt = current_salt() if salt is None else salt
    if salt is None:
        return seed
    mac = hmac.new(salt, f"memgym seed\0{track}\0{seed}".encode(), hashlib.sha256).digest()
    return SALTED_SEED_BASE + int.from_bytes(mac[:8], "big")


class _Seeded(Protocol):
    seed: int
    salt: str


SeededT = TypeVar("SeededT", bound=_Seeded)


def stamp_seed(result: SeededT, seed: int) -> SeededT:
    """``result`` with its public ``seed`` and the current salt's digest recorded (the digest is
    "" when unsalted), so a salted run's results say which public seed they stand for."""
    result.seed, result.salt = seed, salt_digest()
    return result


def seeds_note() -> str:
    """`` on seeds salted under 3f9a12cd`` (the digest's first 8 digits) for a command's closing
    line; "" when unsalted."""
    digest = salt_digest()
    return f" on seeds salted under {digest[:8]}" if digest else ""
