"""A local OpenAI-compatible server for a transformers model: ``memgym train serve``.

``POST /v1/chat/completions`` renders the messages with the model's chat template, generates
greedily (up to the request's ``max_tokens``, default 256) and answers with the text, its finish
reason (``stop`` at the end-of-turn token, ``length`` at the limit) and the real token counts;
``GET /v1/models`` lists the served name. One request runs at a time (a lock around the model).
Tools travel as text: run the ``llm`` reasoner with ``tools=text`` (the protocol the fine-tuning
rows use); a request carrying native ``tools`` is refused with a 400 saying so. A prompt that
does not fit the model's positions is a 400 ``context_length_exceeded``, which memgym scores as a
context overflow.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from memgym.background import in_background
from memgym.envs.play import turn_end_ids

MAX_BODY = 64 << 20
DEFAULT_MAX_TOKENS = 256
NATIVE_TOOLS = (
    "this server takes tools as text only: run memgym's llm reasoner with tools=text "
    "(--tools text on run, compare and eval, or --reasoner llm:model=NAME,base_url=URL,tools=text)"
)


class ModelServer(ThreadingHTTPServer):
    """Serves one loaded model; ``port=0`` picks a free port (read it back from ``base_url``)."""

    daemon_threads = True

    def __init__(
        self, model: Any, tokenizer: Any, name: str, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        super().__init__((host, port), _Handler)
        self.model, self.tokenizer, self.name = model, tokenizer, name
        self.model.eval()
        self.stats: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.positions = int(getattr(model.config, "max_position_embeddings", 0) or 0)

    @property
    def base_url(self) -> str:
        """``http://host:port/v1``, the base URL clients take."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def complete(
        self, messages: list[dict[str, Any]], max_tokens: int
    ) -> tuple[str, str, int, int]:
        """Greedy completion: (text, finish reason, prompt tokens, completion tokens).
        ``ValueError("context_length_exceeded ...")`` when the prompt leaves no room."""
        import torch

        prompt = self.tokenizer.apply_chat_template(
            messages, tokenize=True, add_generation_prompt=True, return_dict=False
        )
        if hasattr(prompt, "keys"):
            prompt = prompt["input_ids"]
        ids = [int(i) for i in prompt]
        if self.positions and len(ids) + 1 > self.positions:
            raise ValueError(
                f"context_length_exceeded: the prompt has {len(ids)} tokens, the model takes"
                f" {self.positions}"
            )
        limit = max_tokens if not self.positions else min(max_tokens, self.positions - len(ids))
        stops = set(turn_end_ids(self.tokenizer))
        with self._lock, torch.no_grad():
            x = torch.tensor([ids], device=self.model.device)
            out = self.model.generate(
                x,
                attention_mask=torch.ones_like(x),
                max_new_tokens=limit,
                do_sample=False,
                eos_token_id=sorted(stops),
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
            )
        new = [int(i) for i in out[0][len(ids) :]]
        stopped = bool(new) and new[-1] in stops
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        return text.strip(), "stop" if stopped else "length", len(ids), len(new)


class _Handler(BaseHTTPRequestHandler):
    server: ModelServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: ``stats`` counts what happened."""

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            model = {"id": self.server.name, "object": "model", "owned_by": "memgym"}
            self._send(200, {"object": "list", "data": [model]})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._error(404, f"no route {self.path}")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._error(413, "request body too large")
            return
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            messages = body["messages"]
            if not isinstance(messages, list) or not messages:
                raise ValueError("messages must be a non-empty list")
        except (json.JSONDecodeError, KeyError, ValueError) as exc:
            self._error(400, f"bad request: {exc}")
            return
        if body.get("tools"):
            self._error(400, NATIVE_TOOLS, "tools_unsupported")
            return
        messages = [{"role": m["role"], "content": m.get("content") or ""} for m in messages]
        max_tokens = int(body.get("max_tokens") or DEFAULT_MAX_TOKENS)
        try:
            text, finish, prompt, completion = self.server.complete(messages, max_tokens)
        except ValueError as exc:
            self._error(400, str(exc), "context_length_exceeded")
            return
        self.server.stats["completions"] += 1
        self.server.stats["prompt_tokens"] += prompt
        self.server.stats["completion_tokens"] += completion
        self._send(
            200,
            {
                "id": f"chatcmpl-{self.server.stats['completions']}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model") or self.server.name,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": finish,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            },
        )

    def _error(self, status: int, message: str, code: str | None = None) -> None:
        self.server.stats[f"http_{status}"] += 1
        self._send(status, {"error": {"message": message, "type": "memgym_train", "code": code}})

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def serving(
    model: Any, tokenizer: Any, name: str, host: str = "127.0.0.1", port: int = 0
) -> Iterator[ModelServer]:
    """A ``ModelServer`` serving in a background thread for the ``with`` block, then shut down."""
    server = ModelServer(model, tokenizer, name, host, port)
    with in_background(server):
        yield server
