"""τ²-bench's own user simulator (``UserSimulator``) as the customer, on any OpenAI-compatible
endpoint (through litellm, as τ²-bench calls models: ``openai/<model>`` with ``api_base``).

The simulator reads the task's user scenario with τ²-bench's simulation guidelines. Its opening
answers τ²-bench's usual agent greeting; on a callback's first call it is told to give its
request and details and say it will call back; on the callback it opens with the scripted line
and is told not to repeat what it already gave. Its tool calls (telecom's phone) run in the
task's world. An endpoint that cannot be reached is an ``InfraError`` (the session ends, the
tasks left are excluded and counted); any other failure of the simulator ends the call as
τ²-bench's ``user_error`` (the task scores 0, its detail says why).
"""

from __future__ import annotations

import os
from typing import Any

from memgym.errors import InfraError
from memgym.tracks.tau2 import loader
from memgym.tracks.tau2.customer import DeviceTool, Part, Reply, ScriptedCustomer

GREETING = "Hi! How can I help you today?"
FIRST = (
    "\nIn this call, only tell the agent your request and the details it needs, then say you "
    "will call back later to go ahead, and end the call with ###STOP###."
)
CALLBACK = (
    "\nYou already called earlier (call {n}) and told the agent your request and details; you "
    "are calling back now to have it done. Do not repeat your details: say you gave them in "
    "call {n}."
)
INFRA = ("APIConnectionError", "Timeout", "ServiceUnavailableError", "RateLimitError",
         "InternalServerError", "BadGatewayError", "ConnectionError")  # fmt: skip


def parse_user(spec: str) -> dict[str, str]:
    """``llm:model=M,base_url=U,api_key_env=E`` as its options."""
    body = spec.split(":", 1)[1] if ":" in spec else ""
    options = dict(part.split("=", 1) for part in body.split(",") if "=" in part)
    unknown = set(options) - {"model", "base_url", "api_key_env"}
    if "model" not in options or unknown:
        raise ValueError(
            f"user must be llm:model=NAME[,base_url=URL][,api_key_env=VAR], got {spec!r}"
        )
    return options


class SimulatedCustomer:
    """One call of τ²-bench's user simulator."""

    def __init__(self, spec: str, domain: str, task: Any, part: Part, first_call: int) -> None:
        loader.require()
        from tau2.user.user_simulator import UserSimulator

        options = parse_user(spec)
        self.part, self.first_call = part, first_call
        args: dict[str, Any] = {"temperature": 0.0}
        if options.get("base_url"):
            args["api_base"] = options["base_url"]
        args["api_key"] = os.environ.get(options.get("api_key_env", "OPENAI_API_KEY"), "none")
        instructions = str(task.user_scenario)
        instructions += FIRST if part == "first" else ""
        instructions += CALLBACK.format(n=first_call) if part == "callback" else ""
        env = loader.environment(domain)
        tools = env.get_user_tools() if env.user_tools is not None else None
        self.sim = UserSimulator(
            tools=tools, instructions=instructions, llm=f"openai/{options['model']}", llm_args=args
        )
        self.state: Any = None
        self.calls = 0

    def opening(self) -> str:
        from tau2.data_model.message import AssistantMessage, UserMessage

        greeting = AssistantMessage(role="assistant", content=GREETING)
        if self.part == "callback":
            line = ScriptedCustomer("", "callback", self.first_call, set()).opening()
            self.state = self.sim.get_init_state([greeting, UserMessage(role="user", content=line)])
            return line
        self.state = self.sim.get_init_state()
        reply = self._next(greeting)
        return reply.content or "Hello."

    def respond(self, agent_text: str, device: DeviceTool) -> Reply:
        from tau2.data_model.message import AssistantMessage, MultiToolMessage, ToolMessage
        from tau2.user.user_simulator import UserSimulator

        try:
            reply = self._next(AssistantMessage(role="assistant", content=agent_text))
            rounds = 0
            while reply.is_tool_call() and rounds < 10:
                rounds += 1
                results = [
                    ToolMessage(id=c.id, role="tool", requestor="user",
                                content=device(c.name, dict(c.arguments)))
                    for c in reply.tool_calls
                ]  # fmt: skip
                feed = (
                    results[0]
                    if len(results) == 1
                    else MultiToolMessage(role="tool", tool_messages=results)
                )
                reply = self._next(feed)
        except InfraError:
            raise
        except Exception as exc:  # noqa: BLE001 - the simulator's failure ends the call, counted
            return Reply(
                f"(the simulated customer failed: {str(exc)[:160]})", stop=True, error=True
            )
        text = reply.content or ""
        return Reply(text, stop=UserSimulator.is_stop(reply) if text else True, error=not text)

    def _next(self, message: Any) -> Any:
        """One simulator turn; endpoint failures become ``InfraError``."""
        try:
            reply, self.state = self.sim.generate_next_message(message, self.state)
        except Exception as exc:
            if type(exc).__name__ in INFRA:
                raise InfraError(f"user simulator endpoint: {type(exc).__name__}: {exc}") from exc
            raise
        self.calls += 1
        return reply
