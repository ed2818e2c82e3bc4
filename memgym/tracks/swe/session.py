"""A swe session: issues in a row in one code base, repaired with ``bash`` and ``edit`` tools.

The agent works in a fresh temporary copy of the bugged module (every bug of the session in
place); ``bash`` runs in the sandbox (``sandbox``), ``edit`` replaces one exact, unique text in a
file of the working directory. A text turn ends the task in progress: its hidden tests run on
the module as the agent left it (in the sandbox) and the next issue is the reply. Before a redo
issue (``redo``) the working directory is reset to the bugged module alone. The gold plan of a
fix issue reads the outline of the file once at the start of the session, then views the
function (which needs the outline line of that function: where it is, learned earlier), edits
the bug away (which needs the buggy lines in view) and runs the issue's call; the plan of a redo
issue views the function and makes the same edit, which also needs the fix as the agent's edit
of the earlier issue wrote it (``redo.fix_needle``: nowhere in the reset tree). The working
directory lives in a folder of bounded size (``disk_cap``): a command that fills it ends the
session (the task in progress scores 0, later ones are never reached), never the run.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path
from typing import Any

from memgym.errors import InfraError
from memgym.tracks.session import (
    AgentTurn,
    ChatMessage,
    OraclePlan,
    OracleStep,
    Session,
    TaskOutcome,
    ToolCall,
    call,
)
from memgym.tracks.swe.disguise import Variant
from memgym.tracks.swe.disk_cap import DiskCap
from memgym.tracks.swe.hidden import Verifier, read_module
from memgym.tracks.swe.redo import FIX, REDO, Issue, fix_needle, redo_id
from memgym.tracks.swe.sandbox import INSTALL_HINT, Sandbox, SandboxLimits, bwrap
from memgym.tracks.swe.tasks import TaskSpec

OUTLINE = "grep -n -E '^\\s*(def|class) ' {file}"
SYSTEM = (
    "You repair bugs in a Python code base, one issue after another, in the same working "
    "directory. Tools: `bash` runs a shell command in the working directory (no network; only "
    "that directory is writable; long output is cut), `edit` replaces one exact, unique piece "
    "of text in a file. What you learned about the code in earlier issues stays true: the "
    "functions do not move. When an issue is fixed, reply with a short message and no tool call."
)
OPENING = (
    "A session of issues in this working directory begins: they come one at a time, and each "
    "ends when you reply without a tool call."
)
"""The first user message, pinned with the system prompt: it holds nothing of any issue."""
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "bash",
            "description": "Run a bash command in the working directory; returns its output.",
            "parameters": {
                "type": "object",
                "properties": {"command": {"type": "string"}},
                "required": ["command"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "edit",
            "description": "Replace the text `old` (which must occur exactly once) by `new` in "
            "the file `path` (relative to the working directory).",
            "parameters": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "old": {"type": "string"},
                    "new": {"type": "string"},
                },
                "required": ["path", "old", "new"],
            },
        },
    },
]


class SweSession(Session):
    """One session over ``specs`` in ``code``: ``issues`` (fixes, then redos; default: a fix of
    each spec) with their opening texts ``texts``."""

    tools = TOOLS

    def __init__(
        self,
        code: Variant,
        bugged: str,
        specs: list[TaskSpec],
        texts: list[str],
        reads: list[list[tuple[int, int]]],
        limits: SandboxLimits,
        issues: list[Issue] | None = None,
    ) -> None:
        if bwrap() is None:
            raise InfraError(INSTALL_HINT)  # the world cannot start: excluded, counted
        self.code, self.specs, self.texts, self.reads = code, specs, texts, reads
        self.issues = issues or [Issue(FIX, k, True) for k in range(len(specs))]
        self.bugged = bugged
        self.disk = DiskCap(limits.disk_mb)
        self.root = self.disk.root
        self.tree = self.root / "work"
        self.tree.mkdir()
        (self.tree / code.filename).write_text(bugged, encoding="utf-8")
        self.sandbox = Sandbox(self.tree, limits, hidden=(code.codebase.name,))
        self.verifier = Verifier(code, self.sandbox)
        try:
            self.verifier.healthy()  # the world cannot start: excluded, counted
        except InfraError:
            self.close()
            raise
        self.task = 0
        self.results: list[TaskOutcome] = []
        self.ended = ""
        """Why the session ended before its last issue (``""``: it did not)."""
        self._before = bugged
        self._calls = self._errors = 0

    def start(self) -> list[ChatMessage]:
        """The system prompt and a session line (the pinned head, which every memory keeps),
        then the first issue as a message of its own: a memory may drop it like any other, so
        under ``none`` the redo of issue #1 finds its report in no pinned text."""
        return [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": OPENING},
            {"role": "user", "content": self.texts[0]},
        ]

    def call(self, tool_call: ToolCall) -> str:
        if self.ended:
            return f"error: the session is over: {self.ended}"
        self._calls += 1
        result = self._call(tool_call)
        self._errors += result.startswith("error:")
        if self.disk.reached():
            self._end(self.disk.message())
            result += (
                f"\n[the session is over: {self.ended}; this issue scores 0 and no other comes]"
            )
        return result

    def _end(self, why: str) -> None:
        """End the session now: the task in progress scores 0 (with ``why``), later ones are
        never reached, and the next text turn of the agent gets no reply."""
        self.ended = why
        if self.task >= len(self.issues):
            return
        issue = self.issues[self.task]
        spec = self.specs[issue.spec]
        info = {"function": spec.function, "kind": spec.kind, "issue": issue.kind}
        detail = f"{why}; the session ended; {self._calls} tool calls ({self._errors} refused)"
        self.results.append(
            TaskOutcome(_task_id(issue, spec), 0.0, "ok", detail, info, scored=issue.scored)
        )
        self.task += 1

    def _call(self, tool_call: ToolCall) -> str:
        try:
            args = tool_call.parsed()
        except ValueError as exc:
            return f"error: {exc}"
        unusable = _unusable_text(args)
        if unusable:
            return f"error: {unusable}"
        if tool_call.name == "bash":
            command = args.get("command")
            if not isinstance(command, str) or not command.strip():
                return "error: bash needs a non-empty string `command`"
            return self.sandbox.shell(command).render()
        if tool_call.name == "edit":
            return self._edit(args)
        return f"error: unknown tool {tool_call.name!r}; the tools are bash and edit"

    def _edit(self, args: dict[str, Any]) -> str:
        path, old, new = args.get("path"), args.get("old"), args.get("new")
        if not all(isinstance(v, str) for v in (path, old, new)) or not old:
            return "error: edit needs strings `path`, `old` (not empty) and `new`"
        assert isinstance(path, str) and isinstance(old, str) and isinstance(new, str)
        target = (self.tree / path).resolve()
        if not target.is_relative_to(self.tree.resolve()) or not target.is_file():
            return f"error: {path} is not a file in the working directory"
        text = target.read_text(encoding="utf-8", errors="replace")
        found = text.count(old)
        if found != 1:
            return f"error: `old` occurs {found} times in {path}; it must occur exactly once"
        try:
            target.write_text(text.replace(old, new), encoding="utf-8")
        except OSError as exc:  # the disk cap: the file may be cut, as a command's write would
            return f"error: {path} could not be written: {exc.strerror}"
        self.sandbox.own()
        return f"edited {path}: {old.count(chr(10)) + 1} line(s) replaced"

    def reply(self, turn: AgentTurn | None) -> str | None:
        if self.task >= len(self.issues) or self.ended:
            return None
        issue = self.issues[self.task]
        spec = self.specs[issue.spec]
        text = read_module(self.tree / self.code.filename)  # once: verified and compared
        passed, detail = self.verifier.verify(spec.hidden_tests(), text)
        reward = float(passed == len(spec.tests))
        now = text or ""
        detail += "; module edited" if now != self._before else "; module unchanged"
        detail += f"; {self._calls} tool calls ({self._errors} refused)"
        self._before, self._calls, self._errors = now, 0, 0
        if turn is None:
            detail += "; out of turns"
        info = {"function": spec.function, "kind": spec.kind, "issue": issue.kind}
        self.results.append(
            TaskOutcome(_task_id(issue, spec), reward, "ok", detail, info, scored=issue.scored)
        )
        self.task += 1
        if self.task >= len(self.issues):
            return None
        if self.issues[self.task].kind == REDO:
            self._reset()
        return self.texts[self.task]

    def _reset(self) -> None:
        """The working directory back to the bugged module alone (a redo issue's world): the old
        one is moved out of the sandbox's reach whole (whatever its permissions), then removed."""
        stale = self.root / f"stale-{self.task}"
        self.tree.rename(stale)
        remove_tree(stale)  # first: the new tree must fit in the disk cap
        self.tree.mkdir()
        (self.tree / self.code.filename).write_text(self.bugged, encoding="utf-8")
        self.sandbox.own()
        self._before = self.bugged

    def position(self) -> int:
        return self.task

    def outcomes(self) -> list[TaskOutcome]:
        why = f"never reached: the session ended ({self.ended})" if self.ended else "never reached"
        never = [
            TaskOutcome(_task_id(i, self.specs[i.spec]), 0.0, "ok", why, scored=i.scored)
            for i in self.issues[self.task :]
        ]
        return self.results + never

    def oracle(self) -> OraclePlan | None:
        if self.task >= len(self.issues) or self.ended:
            return None
        issue = self.issues[self.task]
        spec, file = self.specs[issue.spec], self.code.filename
        steps: list[OracleStep] = []
        if self.task == 0:
            steps.append(_bash(OUTLINE.format(file=file)))
        if issue.kind == FIX:
            steps += [_bash(f"sed -n '{a},{b}p' {file}") for a, b in self.reads[issue.spec]]
        first = max(spec.start, spec.line - 40)
        last = min(spec.end, first + 80)
        steps.append(_bash(f"sed -n '{first},{last}p' {file}", spec.outline_line))
        needs = (spec.old,) if issue.kind == FIX else (spec.old, fix_needle(spec))
        edit = call("e", "edit", path=file, old=spec.old, new=spec.new)
        steps.append(OracleStep(AgentTurn(tool_calls=(edit,)), needs))
        steps.append(_bash(reproduce(self.code, spec.issue[0])))
        return OraclePlan(_task_id(issue, spec), tuple(steps))

    def close(self) -> None:
        self.verifier.close()
        self.sandbox.close()
        self.disk.close()
        remove_tree(self.root)


def remove_tree(path: Path) -> None:
    """Remove ``path`` and all in it, folders an agent made unreadable or unwritable included
    (each is opened up before it is walked); links are removed, never followed."""
    if not path.is_dir() or path.is_symlink():
        return
    path.chmod(0o700)
    for root, folders, _ in os.walk(path):  # top down: a folder is opened up before its walk
        for name in folders:
            folder = Path(root) / name
            if not folder.is_symlink():
                folder.chmod(0o700)
    shutil.rmtree(path, ignore_errors=True)


def _unusable_text(args: dict[str, Any]) -> str | None:
    """Why an argument cannot reach a command line or a file (a NUL character, a lone
    surrogate), or None: such a call is refused, never raised out of the session."""
    for name, value in args.items():
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            return f"`{name}` holds a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"`{name}` is not valid UTF-8 text (a lone surrogate)"
    return None


def _task_id(issue: Issue, spec: TaskSpec) -> str:
    return spec.task_id if issue.kind == FIX else redo_id(spec)


def _bash(command: str, *needs: str) -> OracleStep:
    return OracleStep(AgentTurn(tool_calls=(call("b", "bash", command=command),)), tuple(needs))


def reproduce(code: Variant, probe: str) -> str:
    """A shell command that runs an issue's call against the working directory's module."""
    script = f"import {code.module} as m\n{code.codebase.setup}\nprint(repr({probe}))\n"
    return f"python -c {shlex.quote(script)}"
