"""Interactive tracks' agent loop: a memory strategy compacts an agent's history before every
model call (``memgym.memory.history``), the agent acts (``agents``, ``llm_agent``), the track's
session answers and verifies (``memgym.tracks.session``), and the episode is scored like any other
(``episode``; ``compare``).

Only the session contract is re-exported here (it lives below, in ``memgym.tracks.session``, so
tracks implement it without importing this package). Import the other modules by name.
"""

from memgym.tracks.session import (
    AgentTurn,
    OraclePlan,
    OracleStep,
    Session,
    TaskOutcome,
    ToolCall,
    call,
)

__all__ = ["AgentTurn", "OraclePlan", "OracleStep", "Session", "TaskOutcome", "ToolCall", "call"]
