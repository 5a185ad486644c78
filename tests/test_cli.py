"""The okr-coach command as a user runs it: a real subprocess, real files, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DRAFT = """Objective: Win back customers who drifted away
KR1: Call every customer who cancelled last quarter
KR2: Raise win-back rate from 4% to 9%
KR3: Keep support CSAT at 92%
"""

CLEAN = """Objective: Make the first week with our product feel effortless
- Raise 7-day activation from 38% to 52%
- Cut median time to first dashboard from 2 days to 4 hours
- Grow the share of trials that invite a teammate from 20% to 35%
"""


def run(*args: str, stdin: bytes | str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run([sys.executable, "-m", "coach.cli", *args], input=data, capture_output=True,
                          timeout=timeout, cwd=Path(__file__).resolve().parent.parent)


def test_check_reports_errors_with_exit_1(tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT)
    result = run("check", str(draft))
    assert result.returncode == 1, result.stderr.decode()
    out = result.stdout.decode()
    assert "OKR-K001" in out  # the call-every-customer task
    assert "fix:" in out
    assert "Traceback" not in result.stderr.decode()


def test_check_json_is_the_report_with_spans() -> None:
    result = run("check", "-", "--format", "json", stdin=DRAFT)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["text"] == DRAFT
    krs = report["objectives"][0]["key_results"]
    assert [k["text"] for k in krs] == [
        "Call every customer who cancelled last quarter",
        "Raise win-back rate from 4% to 9%",
        "Keep support CSAT at 92%",
    ]
    for kr in krs:
        assert DRAFT[kr["start"]:kr["end"]] == kr["text"]
        for f in kr["findings"]:
            assert kr["start"] <= f["start"] <= f["end"] <= kr["end"]
            assert set(f) == {"rule", "severity", "message", "start", "end", "suggestion", "source"}
    assert krs[0]["phrasing"] == "task"
    assert krs[1]["phrasing"] == "outcome" and krs[1]["measurable"] is True and krs[1]["stretch"] == "moonshot"
    assert krs[2]["kpi_confusion"] is True
    assert 0 <= report["score"] <= 100


def test_clean_draft_exits_0() -> None:
    result = run("check", "-", stdin=CLEAN)
    assert result.returncode == 0, result.stdout.decode()


def test_parse_prints_structure() -> None:
    result = run("parse", "-", stdin=DRAFT)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["objectives"][0]["title"] == "Win back customers who drifted away"
    assert len(data["objectives"][0]["key_results"]) == 3
    assert set(data["objectives"][0]["key_results"][0]) == {"text", "owner", "progress", "start", "end"}


def test_classify_contract_keeps_input_order() -> None:
    lines = [
        {"id": "z", "text": "Make 50 calls a day"},
        {"id": "a", "text": "Cut churn from 3% to 2%", "extra": 1},
        {"id": "m", "text": "Churn rate"},
    ]
    result = run("classify", "-", stdin="\n".join(json.dumps(x) for x in lines) + "\n")
    assert result.returncode == 0, result.stderr.decode()
    rows = [json.loads(x) for x in result.stdout.decode().splitlines()]
    assert [r["id"] for r in rows] == ["z", "a", "m"]
    for r in rows:
        assert {"id", "phrasing", "measurable", "kpi_confusion", "stretch", "probabilities"} <= set(r)
    assert rows[0]["phrasing"] == "task"
    assert rows[1]["stretch"] == "stretch" and rows[1]["measurable"] is True
    assert rows[2]["kpi_confusion"] is True and rows[2]["measurable"] is False


@pytest.mark.parametrize(
    "name, payload, expected",
    [
        ("empty", b"", "empty"),
        ("whitespace", b"  \n\t \n", "empty"),
        ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("five-megabytes", b"Objective: grow\n" + b"- Raise revenue from 1 to 2\n" * 190_000, "larger than"),
        ("emoji-only", "🚀🚀🔥💯\n✨✨\n".encode(), ""),
        ("latin-1", "Objective: Réduire les coûts\n- Baisser de 10 %\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(name: str, payload: bytes, expected: str) -> None:
    result = run("check", "-", stdin=payload)
    err = result.stderr.decode()
    assert result.returncode == 2, (name, result.stdout[:300], err)
    assert err.startswith("okr-coach: error: ")
    assert expected in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_and_directory() -> None:
    for arg in ("/no/such/file.txt", "/tmp"):
        result = run("check", arg)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr.decode()


def test_rtl_and_ten_thousand_lines_do_not_crash() -> None:
    rtl = "الهدف: تحسين تجربة العملاء\n- زيادة رضا العملاء من 70% إلى 85%\n- Raise NPS from 20 to 35\n"
    result = run("check", "-", "--format", "json", stdin=rtl)
    assert result.returncode in (0, 1), result.stderr.decode()
    json.loads(result.stdout)
    big = "Objective: Scale the support desk\n" + "".join(f"- Cut backlog item {i} from 9 to 3 days\n" for i in range(10_000))
    result = run("check", "-", "--format", "json", stdin=big, timeout=300)
    assert result.returncode in (0, 1), result.stderr.decode()[:500]
    assert len(json.loads(result.stdout)["objectives"][0]["key_results"]) == 10_000


def test_rules_lists_catalogue_with_examples() -> None:
    result = run("rules")
    assert result.returncode == 0
    out = result.stdout.decode()
    assert "OKR-K001" in out and "bad:" in out and "good:" in out
    data = json.loads(run("rules", "--format", "json").stdout)
    assert len(data["rules"]) >= 14


def test_classify_rejects_bad_jsonl() -> None:
    result = run("classify", "-", stdin='{"id": 1, "text": "ok"}\nnot json\n')
    assert result.returncode == 2
    assert "line 2" in result.stderr.decode()
