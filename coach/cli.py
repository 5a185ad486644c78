"""The ``okr-coach`` command.

Every sub-command reads FILE or ``-`` (stdin), prints a readable report or
JSON, and turns any problem with the input into one line on stderr and exit
code 2, never a traceback: people paste all sorts of things into a terminal.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from coach.errors import InputError
from coach.models import Report

app = typer.Typer(
    name="okr-coach",
    help="Explained feedback on OKR drafts, grounded rewrites and example OKRs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# A pasted draft over this size is almost surely the wrong file.
MAX_DRAFT_BYTES = 1_000_000
# classify/eval read JSON Lines; allow big batches but not unbounded memory.
MAX_JSONL_BYTES = 200_000_000


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


class ExampleFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


FileArg = Annotated[str, typer.Argument(help="A file, or - for standard input.", metavar="FILE|-")]
ProfileOpt = Annotated[
    Optional[Path], typer.Option("--profile", help="Profile YAML (default: $OKR_COACH_PROFILE).")
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr and a non-zero exit: the CLI's only way of reporting bad input."""
    typer.echo(f"okr-coach: error: {message}", err=True)
    raise typer.Exit(code)


def read_input(source: str, limit: int = MAX_DRAFT_BYTES) -> str:
    """Read FILE or stdin as text, refusing binary and oversized input with a clear message."""
    try:
        if source == "-":
            raw = sys.stdin.buffer.read(limit + 1)
            name = "standard input"
        else:
            path = Path(source)
            if path.is_dir():
                fail(f"{source} is a directory, not a file")
            with path.open("rb") as fh:
                raw = fh.read(limit + 1)
            name = source
    except FileNotFoundError:
        fail(f"cannot read {source}: no such file")
    except PermissionError:
        fail(f"cannot read {source}: permission denied")
    except OSError as exc:
        fail(f"cannot read {source}: {exc.strerror or exc}")
    if len(raw) > limit:
        fail(f"{name} is larger than {limit // 1_000_000 or limit} {'MB' if limit >= 1_000_000 else 'bytes'}; "
             "paste one draft at a time")
    if b"\x00" in raw:
        fail(f"{name} looks like a binary file, not text")
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        fail(f"{name} is not UTF-8 text")
    if encoding == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(f"{name} is not UTF-8 text")
    if not text.strip():
        fail(f"{name} is empty")
    return text


def get_coach(profile: Path | None = None):
    """Build the Coach, turning profile and settings problems into one-line errors."""
    from coach.pipeline import Coach
    from coach.settings import Settings

    try:
        settings = Settings()
        if profile is not None:
            settings = settings.model_copy(update={"profile": profile})
        return Coach(settings)
    except InputError as exc:
        fail(exc.message)
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"invalid setting {'.'.join(str(p) for p in first['loc'])}: {first['msg']}")
    except (OSError, ValueError) as exc:
        fail(str(exc))


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# ---------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SEVERITY_MARK = {"error": "✗", "warning": "!", "info": "i"}


def _line_of(text: str, offset: int) -> tuple[int, int, str]:
    """(line number, column, line text) for an offset: findings are shown under their line."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    if line_end == -1:
        line_end = len(text)
    return text.count("\n", 0, offset) + 1, offset - line_start, text[line_start:line_end]


def _count(n: int, noun: str) -> str:
    """'1 error', '2 errors': the summary line is read by people."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def render_report(report: Report, console: Console) -> None:
    """Human report: each key result with its labels, each finding under the line it points at."""
    text = report.text

    def show_findings(findings, indent: str = "    ") -> None:
        for f in findings:
            lineno, col, line = _line_of(text, f.start)
            # one column per character, so the caret stays under its span (a tab would expand to 8)
            line = line.replace("\t", " ").replace("\r", " ")
            width = max(1, min(f.end, f.start + len(line) - col) - f.start)
            style = _SEVERITY_STYLE[f.severity]
            console.print(Text(f"{indent}{lineno:>4} | {line}", style="dim"), soft_wrap=True)
            console.print(Text(f"{indent}     | {' ' * col}{'^' * width}", style=style), soft_wrap=True)
            head = Text(f"{indent}{_SEVERITY_MARK[f.severity]} {f.rule} {f.severity}: ", style=style)
            head.append(f.message, style="bold")
            if f.source != "rule":
                head.append(f"  [{f.source}]", style="dim")
            console.print(head, soft_wrap=True)
            if f.suggestion:
                console.print(Text(f"{indent}  fix: {f.suggestion}", style="green"), soft_wrap=True)

    for obj in report.objectives:
        title = obj.title or "(no objective title)"
        console.print(f"[bold]Objective:[/bold] {escape(title)}" + (f"  [dim]owner: {escape(obj.owner)}[/dim]" if obj.owner else ""))
        show_findings(obj.findings, indent="  ")
        for kr in obj.key_results:
            badges = (
                f"[{'green' if kr.phrasing == 'outcome' else 'red'}]{kr.phrasing}[/] · "
                f"[{'green' if kr.measurable else 'red'}]{'measurable' if kr.measurable else 'not measurable'}[/] · "
                f"[{'red' if kr.kpi_confusion else 'green'}]{'KPI, not a change' if kr.kpi_confusion else 'a change'}[/] · "
                f"stretch: {kr.stretch}"
            )
            console.print(f"  • {escape(kr.text)}")
            console.print(f"    {badges}")
            show_findings(kr.findings)
        console.print()
    if report.findings:
        console.print("[bold]Whole draft[/bold]")
        show_findings(report.findings, indent="  ")
    if report.rewrites and any(k.suggestions for k in report.rewrites.key_results):
        console.print(f"[bold]Suggested rewrites[/bold] [dim]({report.rewrites.source})[/dim]")
        if report.rewrites.notice:
            console.print(f"  [dim]{escape(report.rewrites.notice)}[/dim]")
        for k in report.rewrites.key_results:
            if not k.suggestions:
                continue
            console.print(f"  • {escape(k.text)}")
            for s in k.suggestions:
                console.print(f"    → [green]{escape(s.text)}[/green]")
    s = report.summary
    console.print(
        f"[bold]Score {report.score}/100[/bold] · {_count(s.objectives, 'objective')}, "
        f"{_count(s.key_results, 'key result')} · [red]{_count(s.errors, 'error')}[/red], "
        f"[yellow]{_count(s.warnings, 'warning')}[/yellow], [cyan]{s.infos} info[/cyan]"
    )


@app.command()
def check(
    file: FileArg,
    format: FormatOpt = OutputFormat.text,
    profile: ProfileOpt = None,
    rewrites: Annotated[bool, typer.Option("--rewrites/--no-rewrites", help="Add suggested rewrites.")] = False,
) -> None:
    """Score a draft. Exit 0: no errors; 1: error-level findings; 2: unreadable input."""
    text = read_input(file)
    coach = get_coach(profile)
    try:
        report = coach.check(text, rewrites=rewrites)
    except InputError as exc:
        fail(exc.message)
    if format is OutputFormat.json:
        print_json(report.model_dump(mode="json"))
    else:
        render_report(report, Console(highlight=False, soft_wrap=True))
    raise typer.Exit(1 if report.summary.errors else 0)


# ---------------------------------------------------------------------------
# parse
# ---------------------------------------------------------------------------


@app.command()
def parse(file: FileArg) -> None:
    """Print the objectives and key results found in a draft, with spans, as JSON."""
    from coach.parser import parse_draft

    text = read_input(file)
    try:
        draft = parse_draft(text)
    except InputError as exc:
        fail(exc.message)
    print_json(
        {
            "objectives": [
                {
                    "title": o.title,
                    "owner": o.owner,
                    "key_results": [
                        {"text": k.text, "owner": k.owner, "progress": k.progress, "start": k.start, "end": k.end}
                        for k in o.key_results
                    ],
                }
                for o in draft.objectives
            ]
        }
    )


# ---------------------------------------------------------------------------
# classify and eval (JSON Lines in)
# ---------------------------------------------------------------------------


def read_jsonl(source: str) -> list[dict]:
    """Parse JSON Lines, naming the line of the first bad record."""
    text = read_input(source, limit=MAX_JSONL_BYTES)
    records = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(f"line {n}: not valid JSON ({exc.msg})")
        if not isinstance(record, dict):
            fail(f"line {n}: expected a JSON object with 'id' and 'text'")
        if not isinstance(record.get("text"), str) or not record["text"].strip():
            fail(f"line {n}: missing or empty 'text'")
        records.append(record)
    if not records:
        fail("no records found")
    return records


@app.command()
def classify(file: FileArg, profile: ProfileOpt = None) -> None:
    """Label key-result statements from JSON Lines ({"id", "text"}); one JSON line out per line in."""
    records = read_jsonl(file)
    coach = get_coach(profile)
    out = sys.stdout
    batch = 2000
    for i in range(0, len(records), batch):
        chunk = records[i : i + batch]
        for rec, item in zip(chunk, coach.classify(chunk)):
            row = item.model_dump(mode="json")
            if "id" in rec:
                row["id"] = rec["id"]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


@app.command("eval")
def eval_(file: FileArg, format: FormatOpt = OutputFormat.text, profile: ProfileOpt = None,
          rules_only: Annotated[bool, typer.Option("--rules-only", help="Ignore the classifiers.")] = False) -> None:
    """Per-label precision/recall/F1, confusion matrices and misclassified statements."""
    from classifiers.evaluate import evaluate, render_evaluation

    records = read_jsonl(file)
    coach = get_coach(profile)
    if rules_only:
        coach.model = None
    try:
        result = evaluate(records, coach.classify(records))
    except InputError as exc:
        fail(exc.message)
    if format is OutputFormat.json:
        print_json(result)
    else:
        render_evaluation(result, Console(highlight=False))


@app.command()
def train(
    seed: Annotated[int, typer.Option(help="Random seed (fixed for reproducible artifacts).")] = 0,
    out: Annotated[Optional[Path], typer.Option(help="Output directory for the artifacts.")] = None,
) -> None:
    """Retrain the classifiers on data/corpus and write the skops artifacts and model card."""
    from classifiers.train import train as run_training

    summary = run_training(seed=seed, out_dir=out)
    print_json(summary)


# ---------------------------------------------------------------------------
# rules
# ---------------------------------------------------------------------------


@app.command()
def rules(
    format: Annotated[str, typer.Option("--format", "-f", help="text, json or markdown.")] = "text",
    profile: ProfileOpt = None,
) -> None:
    """The rule catalogue with its examples (generated from the same data the engine runs)."""
    from rules.catalogue import load_catalogue, render_markdown

    catalogue = load_catalogue()
    if format == "json":
        print_json(catalogue.model_dump(mode="json"))
    elif format == "markdown":
        sys.stdout.write(render_markdown(catalogue))
    elif format == "text":
        console = Console(highlight=False)
        for rule in catalogue.rules:
            status = " [dim](retired)[/dim]" if rule.retired else ""
            console.print(f"[bold]{rule.id}[/bold] {escape(rule.name)} [{_SEVERITY_STYLE[rule.severity]}]{rule.severity}[/]{status}")
            console.print(f"  {escape(rule.title)}")
            for bad in rule.examples.bad[:2]:
                console.print(f"  [red]bad:[/red]  {escape(bad)}")
            for good in rule.examples.good[:2]:
                console.print(f"  [green]good:[/green] {escape(good)}")
    else:
        fail("--format must be text, json or markdown")


# ---------------------------------------------------------------------------
# rewrite and examples
# ---------------------------------------------------------------------------


@app.command()
def rewrite(file: FileArg, format: FormatOpt = OutputFormat.text, profile: ProfileOpt = None) -> None:
    """Suggest rewrites for every flagged key result (LLM when configured, offline coach otherwise)."""
    from coach.rewrite import suggest_rewrites

    text = read_input(file)
    coach = get_coach(profile)
    try:
        report = coach.check(text)
    except InputError as exc:
        fail(exc.message)
    result = suggest_rewrites(report, coach)
    if format is OutputFormat.json:
        print_json(result.model_dump(mode="json"))
        return
    console = Console(highlight=False)
    console.print(f"[dim]source: {result.source}[/dim]" + (f" [dim]· {escape(result.notice)}[/dim]" if result.notice else ""))
    for k in result.key_results:
        console.print(f"• {escape(k.text)}")
        for f in k.findings:
            console.print(f"  [{_SEVERITY_STYLE[f.severity]}]{f.rule}[/] {escape(f.message)}")
        for s in k.suggestions:
            console.print(f"  → [green]{escape(s.text)}[/green]")
    if not result.key_results:
        console.print("Nothing to rewrite: no key result has an error or a warning.")


@app.command()
def examples(
    department: Annotated[Optional[str], typer.Option("--department", "-d", help="Department id (see --list).")] = None,
    count: Annotated[int, typer.Option(help="Objectives, 1-10.")] = 3,
    key_results: Annotated[int, typer.Option("--key-results", help="Key results per objective, 3-5.")] = 3,
    level: Annotated[str, typer.Option(help="company, team or individual.")] = "team",
    parent: Annotated[Optional[str], typer.Option(help="A parent objective the examples should serve.")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Seed for a reproducible set.")] = None,
    workshop: Annotated[bool, typer.Option("--workshop", help="Flawed key results with their fixes.")] = False,
    format: Annotated[ExampleFormat, typer.Option("--format", "-f")] = ExampleFormat.text,
    list_: Annotated[bool, typer.Option("--list", help="List department ids and exit.")] = False,
) -> None:
    """Department-specific example OKRs for trainers."""
    from coach.examples import generate_examples, list_departments, render_markdown, render_text

    if list_:
        sys.stdout.write("\n".join(list_departments()) + "\n")
        return
    if not department:
        fail("--department is required (see okr-coach examples --list)")
    coach = get_coach()
    try:
        result = generate_examples(
            department, count=count, level=level, parent=parent, seed=seed, workshop=workshop,
            key_results=key_results, coach=coach,
        )
    except InputError as exc:
        fail(exc.message)
    if format is ExampleFormat.json:
        print_json(result.model_dump(mode="json"))
    elif format is ExampleFormat.markdown:
        sys.stdout.write(render_markdown(result))
    else:
        sys.stdout.write(render_text(result))


# ---------------------------------------------------------------------------
# serve
# ---------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the web app and JSON API with uvicorn."""
    import uvicorn

    if not 0 < port < 65536:
        fail("--port must be between 1 and 65535")
    if workers < 1:
        fail("--workers must be at least 1")
    uvicorn.run("web.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
