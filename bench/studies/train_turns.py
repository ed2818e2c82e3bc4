"""What a fine-tuned answerer learnt, turn by turn: held-out expert conversations, teacher-forced.

Run: ``python bench/studies/train_turns.py --before URL --after URL [--seed 1000] [--seeds 5] [--rows 20]``
against two OpenAI-compatible endpoints (e.g. ``memgym train serve`` of the base and of the
fine-tuned model). For each held-out question (the expert's conversation, as ``memgym run`` has
it), each model is given the conversation up to each of the expert's turns and its greedy reply is
compared with the expert's: the first turn (``CALL memory_search`` with the expert's query), and
the last (``CALL submit_answer`` with the expert's answer, after the expert's own search results).
The base model is the baseline, measured in the same run; the ratio is after / before.

``memgym train lift`` measures the lift on whole episodes; this says which turn it comes from
(the protocol, or reading the value out of the search results).
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from typing import Any

from memgym.envs.expert import run_expert
from memgym.envs.trajectories import chat_record
from memgym.llm.textcalls import parse_calls
from memgym.tracks import get_track
from memgym.train.dataset import answer_conversations


def ask(url: str, messages: list[dict[str, Any]], max_tokens: int) -> str:
    body = json.dumps({"model": "m", "messages": messages, "max_tokens": max_tokens}).encode()
    request = urllib.request.Request(
        url.rstrip("/") + "/chat/completions", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=900) as reply:
        return str(json.loads(reply.read())["choices"][0]["message"]["content"])


def first_call(text: str) -> tuple[str, dict[str, Any]] | None:
    calls = parse_calls(text)
    if not calls:
        return None
    try:
        return calls[0].name, json.loads(calls[0].arguments)
    except json.JSONDecodeError:
        return calls[0].name, {}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", required=True, help="base model endpoint (…/v1)")
    p.add_argument("--after", required=True, help="fine-tuned model endpoint (…/v1)")
    p.add_argument("--seed", type=int, default=1000)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--rows", type=int, default=20, help="held-out questions asked (default 20)")
    p.add_argument("--max-tokens", type=int, default=64)
    args = p.parse_args()
    track = get_track("entities")
    rows = []
    for seed in range(args.seed, args.seed + args.seeds):
        scenario = track.generate(seed, "lite")
        record = json.loads(json.dumps(chat_record(run_expert(scenario, tier="lite"))))
        rows += [r for r in answer_conversations(record) if r["memgym"]["correct"]]
    rows = rows[: args.rows]
    counts = {
        name: {"search": 0, "query": 0, "submit": 0, "answer": 0} for name in ("before", "after")
    }
    for row in rows:
        messages = row["messages"]
        turns = [i for i, m in enumerate(messages) if m["role"] == "assistant"]
        want_search = first_call(messages[turns[0]]["content"])
        want_answer = first_call(messages[turns[-1]]["content"])
        for name in ("before", "after"):
            url = getattr(args, name)
            got = first_call(ask(url, messages[: turns[0]], args.max_tokens))
            if got and want_search and got[0] == want_search[0]:
                counts[name]["search"] += 1
                counts[name]["query"] += got[1].get("query") == want_search[1].get("query")
            got = first_call(ask(url, messages[: turns[-1]], args.max_tokens))
            if got and want_answer and got[0] == want_answer[0]:
                counts[name]["submit"] += 1
                answer = str(got[1].get("answer", "")).strip().lower()
                counts[name]["answer"] += answer == str(want_answer[1]["answer"]).strip().lower()
    n = len(rows)
    print(
        f"{n} held-out questions the expert answered right (seeds {args.seed}..{args.seed + args.seeds - 1})"
    )
    labels = {
        "search": "first turn calls memory_search",
        "query": "... with the expert's query",
        "submit": "last turn calls submit_answer",
        "answer": "... with the expert's answer",
    }
    for key, label in labels.items():
        b, a = counts["before"][key], counts["after"][key]
        ratio = f"x{a / b:.1f}" if b else ("-" if not a else "from 0")
        print(f"{label:34} before {b:3}/{n}  after {a:3}/{n}  {ratio}")


if __name__ == "__main__":
    main()
