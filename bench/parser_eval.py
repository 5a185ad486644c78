"""Measure the draft parser against hand-made document structures.

Usage: python bench/parser_eval.py [PATH_OR_GLOB ...] [--json] [--fuzzy 0.9]

Each PATH (a file, a folder of ``*.jsonl`` or a glob such as ``tests/parser_docs/*.jsonl``)
is a JSON Lines file of ``{"id", "format", "text", "objectives": [{"title",
"key_results": [str, ...]}]}`` records (default: ../shared/eval/docs-dev.jsonl
relative to the repository root). The files are read to measure only. With
several files the figures are printed per file and then over all of them.

Reported:
- exact documents: same number of objectives, same titles in order and the same
  key-result list per objective, after a light normalisation (casefold, collapse
  whitespace, drop Markdown emphasis/backticks, strip trailing punctuation);
- key-result precision/recall/F1: multiset match of normalised KR strings per
  document (a KR counts once); with ``--fuzzy R`` a leftover predicted KR also
  matches a leftover gold KR when difflib's ratio >= R (default 0.9; 1.0 turns
  fuzzy matching off). Both the strict and the fuzzy figures are printed;
- objective-title F1 with the same matching (empty titles included).
"""

from __future__ import annotations

import argparse
import difflib
import glob
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.errors import InputError  # noqa: E402
from coach.parser import parse_draft  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "eval" / "docs-dev.jsonl"
_EMPH = re.compile(r"[*_`]+")
_WS = re.compile(r"\s+")


def norm(s: str) -> str:
    s = _EMPH.sub("", s)
    s = _WS.sub(" ", s).strip().casefold()
    return s.rstrip(" .,;:!?").strip()


def match(pred: list[str], gold: list[str], fuzzy: float) -> tuple[int, int]:
    """(strict matches, matches including fuzzy) between two lists of normalised strings."""
    g = Counter(gold)
    left_pred = []
    strict = 0
    for p in pred:
        if g[p] > 0:
            g[p] -= 1
            strict += 1
        else:
            left_pred.append(p)
    left_gold = list(g.elements())
    extra = 0
    if fuzzy < 1.0:
        for p in left_pred:
            best, best_r = None, fuzzy
            for i, q in enumerate(left_gold):
                r = difflib.SequenceMatcher(None, p, q).ratio()
                if r >= best_r:
                    best, best_r = i, r
            if best is not None:
                left_gold.pop(best)
                extra += 1
    return strict, strict + extra


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def expand(specs: list[str]) -> list[Path]:
    """Files named by paths, folders (their *.jsonl) or globs, in order, without duplicates."""
    out: list[Path] = []
    for spec in specs:
        p = Path(spec)
        if p.is_dir():
            found = sorted(p.glob("*.jsonl"))
        elif any(c in spec for c in "*?["):
            found = [Path(x) for x in sorted(glob.glob(spec))]
        else:
            found = [p]
        if not found:
            raise SystemExit(f"parser_eval: nothing matches {spec!r}")
        out.extend(f for f in found if f not in out)
    return out


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(path: Path | list[Path], fuzzy: float) -> dict:
    """Figures over one file, or over several files taken together."""
    paths = path if isinstance(path, list) else [path]
    docs = [d for p in paths for d in load(p)]
    totals = Counter()
    per_doc = []
    seconds = 0.0
    for d in docs:
        gold = [(norm(o.get("title", "")), [norm(k) for k in o.get("key_results", [])]) for o in d["objectives"]]
        t0 = time.perf_counter()
        try:
            draft = parse_draft(d["text"])
            pred = [(norm(o.title), [norm(k.text) for k in o.key_results]) for o in draft.objectives]
            error = None
        except InputError as exc:
            pred, error = [], str(exc)
        seconds += time.perf_counter() - t0
        exact = pred == gold
        gk = [k for _, ks in gold for k in ks]
        pk = [k for _, ks in pred for k in ks]
        kr_s, kr_f = match(pk, gk, fuzzy)
        ti_s, ti_f = match([t for t, _ in pred], [t for t, _ in gold], fuzzy)
        totals.update(
            docs=1, exact=int(exact), kr_pred=len(pk), kr_gold=len(gk), kr_tp=kr_s, kr_tp_fuzzy=kr_f,
            ti_pred=len(pred), ti_gold=len(gold), ti_tp=ti_s, ti_tp_fuzzy=ti_f,
        )
        per_doc.append({
            "id": d.get("id"), "format": d.get("format_category") or d.get("format"), "exact": exact,
            "objectives": [len(pred), len(gold)], "key_results": [len(pk), len(gk)], "kr_matched": kr_s,
            "error": error,
            "missing": [k for k in gk if k not in pk][:5], "extra": [k for k in pk if k not in gk][:5],
            "titles": {"pred": [t for t, _ in pred], "gold": [t for t, _ in gold]} if not exact else None,
        })
    n = totals["docs"]
    return {
        "path": ", ".join(str(p) for p in paths),
        "documents": n,
        "exact_documents": totals["exact"],
        "exact_share": round(totals["exact"] / n, 4) if n else 0.0,
        "key_results": prf(totals["kr_tp"], totals["kr_pred"], totals["kr_gold"]),
        "key_results_fuzzy": {**prf(totals["kr_tp_fuzzy"], totals["kr_pred"], totals["kr_gold"]), "threshold": fuzzy},
        "objective_titles": prf(totals["ti_tp"], totals["ti_pred"], totals["ti_gold"]),
        "objective_titles_fuzzy": prf(totals["ti_tp_fuzzy"], totals["ti_pred"], totals["ti_gold"]),
        "parse_ms_per_doc": round(1000 * seconds / n, 3) if n else 0.0,
        "documents_detail": per_doc,
    }


def _print(res: dict, label: str) -> None:
    kr, krf, ti = res["key_results"], res["key_results_fuzzy"], res["objective_titles"]
    print(f"== {label}")
    print(f"documents exactly right: {res['exact_documents']}/{res['documents']} ({res['exact_share']:.1%})")
    print(f"key results (normalised exact match): P={kr['precision']:.3f} R={kr['recall']:.3f} F1={kr['f1']:.3f}")
    print(f"key results (fuzzy >= {krf['threshold']}): P={krf['precision']:.3f} R={krf['recall']:.3f} "
          f"F1={krf['f1']:.3f}")
    print(f"objective titles: P={ti['precision']:.3f} R={ti['recall']:.3f} F1={ti['f1']:.3f}")
    print(f"parse time: {res['parse_ms_per_doc']:.2f} ms/document")


def _print_failures(res: dict) -> None:
    for d in res["documents_detail"]:
        if d["exact"]:
            continue
        print(f"FAIL {d['id']} [{d['format']}] objectives {d['objectives'][0]}/{d['objectives'][1]} "
              f"KRs {d['key_results'][0]}/{d['key_results'][1]} matched {d['kr_matched']}"
              + (f" error: {d['error']}" if d["error"] else ""))
        for k in d["missing"]:
            print(f"    missing: {k[:100]}")
        for k in d["extra"]:
            print(f"    extra:   {k[:100]}")
        if d["titles"] and d["titles"]["pred"] != d["titles"]["gold"]:
            print(f"    titles pred: {[t[:40] for t in d['titles']['pred']]}")
            print(f"    titles gold: {[t[:40] for t in d['titles']['gold']]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=[str(DEFAULT)], metavar="PATH_OR_GLOB")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--fuzzy", type=float, default=0.9, help="difflib ratio for fuzzy KR matches (1.0 = off)")
    ap.add_argument("--quiet", action="store_true", help="figures only, no per-document failures")
    args = ap.parse_args(argv)
    paths = expand(args.paths)
    per_file = [evaluate(p, args.fuzzy) for p in paths]
    overall = evaluate(paths, args.fuzzy) if len(paths) > 1 else per_file[0]
    if args.json:
        if len(paths) == 1:
            print(json.dumps(overall, ensure_ascii=False, indent=2))
        else:
            print(json.dumps({"files": per_file, "overall": overall}, ensure_ascii=False, indent=2))
        return 0
    for res in per_file:
        if not args.quiet:
            _print_failures(res)
        _print(res, res["path"])
    if len(paths) > 1:
        _print(overall, f"all {len(paths)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
