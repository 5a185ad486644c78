"""Suggested rewrites for flagged key results: one LLM request per draft, grounded, verified, never fatal.

``suggest_rewrites(report, coach)`` is what ``okr-coach rewrite``, ``/v1/rewrite``
and ``check --rewrites`` call. The flow, and why:

1. Only key results with an error or warning finding get suggestions (info
   findings are advice, not problems to rewrite).
2. No LLM configured -> the offline coach, ``notice`` null (nothing went
   wrong; the operator chose offline).
3. A draft that contains text aimed at an AI ("ignore previous
   instructions"...) is not sent: a draft is data, and one that tries to steer
   the model gets the offline coach with a notice saying so.
4. ALL flagged key results go to the model in ONE request (cost and latency
   scale with drafts, not lines). The draft sits inside ``<draft>`` delimiters
   marked as data (``prompts/rewrite.j2``).
5. Grounding, in code: a suggestion may use only numbers that appear in its
   key result's own text or its objective's title (that is where a user
   states the numbers that key result is about; a number elsewhere in the
   draft belongs to another key result and means something else). Anything
   else is an invented number: the suggestion is dropped and counted in
   ``dropped_suggestions``. Missing values must be "[baseline]"/"[target]".
6. Verification: every suggestion is judged by the same engine
   (``coach.verify``); failures are dropped and counted.
7. One repair request for the key results left with no suggestion, quoting
   what the engine said about each failed suggestion; whatever is still
   missing is filled by the offline coach.
8. Any LLM failure (timeout, HTTP 429/5xx after retries, invalid JSON,
   refusal) -> the offline suggestions with ``notice`` = why.

``source`` is "llm" when at least one LLM suggestion is shown, else "offline";
each suggestion carries its own ``source`` too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from pydantic import BaseModel, ConfigDict

from coach.grounding import grounded_numbers, invented_numbers
from coach.llm import LLMClient, LLMError
from coach.models import KeyResultReport, KeyResultRewrite, Report, RewriteResult, Suggestion
from coach.offline import FLAGGED, MAX_SUGGESTIONS, offline_suggestions
from coach.verify import verify

if TYPE_CHECKING:
    from coach.pipeline import Coach

PROMPT = "rewrite"

# Text in a draft that addresses an AI rather than describing a goal.
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.\n]{0,40}\b(?:previous|prior|above|earlier|all|your|the)\b"
    r"[^.\n]{0,20}\b(?:instructions?|prompts?|rules|directions|guidelines)\b"
    r"|\b(?:system|developer)\s+(?:prompt|message|instructions?)\b"
    r"|\byou\s+are\s+now\b|\bact\s+as\s+(?:an?\s+)?(?:ai|assistant|chatbot|language model|llm)\b"
    r"|\bpretend\s+(?:to\s+be|you\s+are)\b|\bjailbreak\b|\bdo\s+anything\s+now\b"
    r"|\breveal\s+(?:your|the)\s+(?:system\s+)?(?:prompt|instructions)\b"
    r"|\bnew\s+instructions?\s*:|^\s*(?:system|assistant)\s*:|</?\s*(?:draft|system|instructions?)\s*>",
    re.IGNORECASE | re.MULTILINE,
)

INJECTION_NOTICE = (
    "the draft contains text addressed to an AI ({quote!r}), so it was not sent to the LLM; "
    "offline suggestions are shown"
)


class RewriteItem(BaseModel):
    """The model's suggestions for one key result, by the id the prompt gave it."""

    model_config = ConfigDict(extra="forbid")
    id: int
    suggestions: list[str]


class RewriteAnswer(BaseModel):
    """The JSON the rewrite prompt asks for (sent as a strict json_schema)."""

    model_config = ConfigDict(extra="forbid")
    key_results: list[RewriteItem]


def injection_in(text: str) -> str | None:
    """The first piece of text that talks to an AI instead of describing a goal, if any."""
    m = _INJECTION.search(text)
    return m.group(0).strip() if m else None


_clients: WeakKeyDictionary[object, LLMClient] = WeakKeyDictionary()


def client_for(coach: Coach) -> LLMClient:
    """One LLMClient per Coach, so the HTTP connection pool is reused across calls."""
    client = _clients.get(coach)
    if client is None:
        client = _clients[coach] = LLMClient(coach.settings)
    return client


class _Flagged:
    """A flagged key result with the id the prompt uses and the texts its numbers may come from."""

    def __init__(self, ident: int, objective_id: int, objective: str, kr: KeyResultReport) -> None:
        self.id = ident
        self.objective_id = objective_id
        self.objective = objective
        self.kr = kr
        self.findings = [f for f in kr.findings if f.severity in FLAGGED]
        self.sources = [kr.text, objective]
        self.kept: list[Suggestion] = []
        self.failures: list[dict[str, str]] = []

    def prompt_entry(self) -> dict[str, object]:
        return {
            "id": self.id,
            "objective_id": self.objective_id,
            "problems": [f"[{f.rule}] {f.message}" for f in self.findings],
            "numbers": grounded_numbers(self.sources),
            "failures": self.failures,
        }


def _flagged(report: Report) -> list[_Flagged]:
    out = []
    for oi, obj in enumerate(report.objectives, start=1):
        for kr in obj.key_results:
            if any(f.severity in FLAGGED for f in kr.findings):
                out.append(_Flagged(len(out) + 1, oi, obj.title, kr))
    return out


def _listing(report: Report) -> str:
    """The draft as the model sees it: objectives and key results, with the ids the answer must use."""
    lines = []
    ident = 0
    for oi, obj in enumerate(report.objectives, start=1):
        lines.append(f"Objective {oi}: {obj.title}")
        for kr in obj.key_results:
            if any(f.severity in FLAGGED for f in kr.findings):
                ident += 1
                lines.append(f"  KR id {ident}: {kr.text}")
            else:
                lines.append(f"  KR (fine, keep): {kr.text}")
    return "\n".join(lines)


def _ask(client: LLMClient, report: Report, items: list[_Flagged], repair: bool) -> RewriteAnswer:
    context = {
        "draft_listing": _listing(report),
        "key_results": [item.prompt_entry() for item in items],
        "repair": repair,
        "max_suggestions": MAX_SUGGESTIONS,
    }
    return client.complete(PROMPT, context, RewriteAnswer)


def _accept(answer: RewriteAnswer, items: list[_Flagged], coach: Coach) -> int:
    """Ground and verify the model's suggestions; keep the good ones on each item, return how many were dropped."""
    by_id = {item.id: item for item in items}
    dropped = 0
    pending: list[tuple[_Flagged, str]] = []
    for entry in answer.key_results:
        item = by_id.get(entry.id)
        if item is None:
            continue
        seen: set[str] = set()
        for raw in entry.suggestions[:MAX_SUGGESTIONS]:
            text = "\n".join(line.strip() for line in raw.strip().splitlines() if line.strip())
            if not text or text.casefold() in seen:
                continue
            seen.add(text.casefold())
            invented = invented_numbers(text, item.sources)
            if invented:
                dropped += 1
                item.failures.append({"text": text, "why": f"uses numbers the user never gave: {', '.join(invented)}"})
                continue
            pending.append((item, text))
    verdicts = verify(coach, [t for _, t in pending], [item.kr.text for item, _ in pending])
    for (item, text), verdict in zip(pending, verdicts):
        if verdict.ok and len(item.kept) < MAX_SUGGESTIONS:
            fixes = sorted({f.rule for f in item.findings})
            item.kept.append(Suggestion(text=text, source="llm", placeholders=verdict.placeholders, fixes=fixes))
        elif not verdict.ok:
            dropped += 1
            item.failures.append({"text": text, "why": verdict.why})
    return dropped


def _result(items: list[_Flagged], source: str, notice: str | None, dropped: int) -> RewriteResult:
    return RewriteResult(
        source=source,  # type: ignore[arg-type]
        notice=notice,
        dropped_suggestions=dropped,
        key_results=[
            KeyResultRewrite(
                text=item.kr.text,
                start=item.kr.start,
                end=item.kr.end,
                findings=item.findings,
                suggestions=item.kept,
            )
            for item in items
        ],
    )


def _fill_offline(items: list[_Flagged], coach: Coach) -> None:
    missing = [item for item in items if not item.kept]
    if missing:
        objectives: list[str | None] = [i.objective for i in missing]
        for item, suggestions in zip(missing, offline_suggestions([i.kr for i in missing], coach, objectives=objectives)):
            item.kept = suggestions


def suggest_rewrites(report: Report, coach: Coach, llm: LLMClient | None = None) -> RewriteResult:
    """Up to 3 verified rewrites for every flagged key result; never raises because of the LLM."""
    items = _flagged(report)
    client = llm or client_for(coach)
    if not items:
        return RewriteResult(source="offline", notice=None)
    if not client.configured:
        _fill_offline(items, coach)
        return _result(items, "offline", None, 0)
    quote = injection_in(report.text)
    if quote:
        _fill_offline(items, coach)
        return _result(items, "offline", INJECTION_NOTICE.format(quote=quote[:60]), 0)

    dropped = 0
    failure: str | None = None
    try:
        dropped += _accept(_ask(client, report, items, repair=False), items, coach)
        unfixed = [item for item in items if not item.kept]
        if unfixed:
            try:
                dropped += _accept(_ask(client, report, unfixed, repair=True), unfixed, coach)
            except LLMError as exc:
                failure = f"{exc.reason} on the repair request"
    except LLMError as exc:
        failure = exc.reason

    used_llm = any(s.source == "llm" for item in items for s in item.kept)
    missing = sum(1 for item in items if not item.kept)
    _fill_offline(items, coach)
    notice = None
    if not used_llm:
        notice = f"{failure or 'the LLM suggestions did not pass the checks'}; offline suggestions are shown"
    elif missing:
        why = failure or "the LLM suggestions did not pass the checks"
        plural = "s" if missing > 1 else ""
        notice = f"{why}; offline suggestions are shown for {missing} key result{plural}"
    return _result(items, "llm" if used_llm else "offline", notice, dropped)
