"""Interactive tracks' agent loop: a memory strategy compacts an agent's history before every
model call (``history``), the agent acts (``agents``, ``llm_agent``), the track's session answers
and verifies (``session``), and the episode is scored like any other (``episode``; ``compare``).

Only the session contract is imported here: tracks implement it and must not pull in memories,
agents or the loop. Import the other modules by name.
"""

from memgym.interactive.session import (
    AgentTurn,
    OraclePlan,
    OracleStep,
    Session,
    TaskOutcome,
    ToolCall,
    call,
)

__all__ = ["AgentTurn", "OraclePlan", "OracleStep", "Session", "TaskOutcome", "ToolCall", "call"]
