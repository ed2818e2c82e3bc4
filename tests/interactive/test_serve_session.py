"""``memgym serve`` drives an interactive session: the ``llm`` agent's turns carry the track in
``X-Memgym-Session`` and the server answers each as the ``noop`` agent would, so a session runs
end to end over real HTTP with no model (what ``memgym eval``'s smoke test runs on tau2, swe and
web). Checked against the ``noop`` agent run in process on the same scenario."""

from __future__ import annotations

from memgym.interactive.episode import evaluate_interactive
from memgym.serve import running
from tests.interactive.world import CodesTrack


def test_serve_answers_every_turn_as_noop(codes_track: CodesTrack):
    scenario = codes_track.generate(0, None, tasks=2)
    with running() as server:
        agent = f"llm:model=memgym-scripted,base_url={server.base_url},max_retries=0"
        served = evaluate_interactive(codes_track, scenario, "full", agent)
        turns = server.stats["session_turns"]
    noop = evaluate_interactive(codes_track, scenario, "full", "noop")
    assert served.status == "ok" and served.usage["calls"] == turns == served.usage["turns"]
    assert turns == noop.usage["turns"] and turns >= 2
    assert [(a.question_id, a.correct, a.status) for a in served.answers] == [
        (a.question_id, a.correct, a.status) for a in noop.answers
    ]
    assert served.usage["prompt_tokens"] > 0 and served.usage["tool_calls"] == 0
