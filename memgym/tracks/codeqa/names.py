"""Word pools for repositories and for filler, disjoint by construction (checked at import).

World identifiers (package, module, function, constant and error names) come from the first
group; filler (debug logs, scratch code) draws only from the second, so filler can never name a
world entity.
"""

from __future__ import annotations

PACKAGES = (
    "orbitkit", "quarrydb", "lumenflow", "tesserapi", "brackenio", "halyard", "corvidsync",
    "mistral_ops", "pylonet", "ferrule", "kestrelq", "vantage_core",
)  # fmt: skip
MODULES = (
    "ledger", "router", "spool", "registry", "gateway", "planner", "ingest", "billing",
    "catalog", "scheduler", "vault", "relay", "archive", "telemetry", "quota", "session",
    "mapper", "inventory", "dispatch", "audit",
)  # fmt: skip
VERBS = (
    "load", "resolve", "flush", "merge", "render", "validate", "encode", "decode", "rebuild",
    "prune", "stage", "commit", "refresh", "expand", "collect", "rotate", "settle", "probe",
    "replay", "seal", "index", "split", "score", "align",
)  # fmt: skip
NOUNS = (
    "cursor", "batch", "manifest", "token", "segment", "envelope", "snapshot", "shard",
    "voucher", "packet", "lease", "bundle", "digest", "fragment", "roster", "beacon",
    "tariff", "parcel", "journal", "matrix", "ticket", "stencil", "quorum", "ballast",
)  # fmt: skip
CONST_STEMS = (
    "SPOOL", "CURSOR", "GRID", "HANDSHAKE", "LEDGER", "ROUTE", "VAULT", "RELAY", "SHARD",
    "LEASE", "DIGEST", "BEACON", "QUORUM", "TARIFF", "PARCEL", "STENCIL", "JOURNAL", "ROSTER",
)  # fmt: skip
DEPENDENCIES = ("grpcio", "urllib3", "redis", "kombu", "boto3", "httpx", "celery", "psycopg")
"""Vendored dependencies whose settings config audits also report (``DEP_PART_SUFFIX`` names:
no word of them but the family suffix is a repository constant's). The decoy changes' settings
are named as constants are instead (``stream.decoy_settings``); audits restating them cite a
dependency's path."""
DEPENDENCY_PARTS = ("SOCKET", "CLIENT", "WORKER", "QUEUE", "CHANNEL", "BROKER", "CACHE", "SESSION")
ERRORS = (
    "QuotaExceededError", "StaleCursorError", "LeaseExpiredError", "ShardMissingError",
    "DigestMismatchError", "RouteLoopError", "VoucherRejectedError", "ManifestCorruptError",
    "BeaconTimeoutError", "TariffConflictError", "ParcelTooLargeError", "QuorumLostError",
)  # fmt: skip

FILLER_SERVICES = ("worker", "poller", "webhook", "cron", "healthd", "sidecar", "metricsd")
FILLER_WORDS = (
    "heartbeat", "gc pause", "connection pool", "cache warm", "retry scheduled", "tick",
    "socket reused", "config reloaded", "span flushed", "lock acquired", "lock released",
    "queue drained", "temp file removed", "idle", "ping ok",
)  # fmt: skip
FILLER_HELPERS = (
    "clamp", "chunked", "pairwise_sum", "dedupe_keep_order", "slugify", "flatten_once",
    "rolling_mean", "safe_div", "first_true", "take_every", "pad_left", "count_vowels",
    "is_palindrome", "running_max", "head_tail", "interleave",
)  # fmt: skip
FILLER_FILES = ("notebook", "sandbox", "snippet", "playground", "drafts", "experiment")


def _words(pool: tuple[str, ...]) -> set[str]:
    return {w.casefold() for item in pool for w in item.replace("_", " ").split()}


_WORLD = _words(PACKAGES + MODULES + VERBS + NOUNS + CONST_STEMS)
_FILLER = _words(FILLER_SERVICES + FILLER_WORDS + FILLER_HELPERS + FILLER_FILES)
assert not _WORLD & _FILLER, f"filler words overlap world words: {sorted(_WORLD & _FILLER)}"
