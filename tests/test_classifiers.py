"""The trained classifiers: loading safely, reproducible training, the hybrid's hard constraints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from classifiers.hybrid import HARD_PROBABILITY, attribute_findings, combine
from classifiers.model import ARTIFACT, LabelModel, ModelLoadError
from classifiers.train import BLIND_PREFIXES, _splits_by_blind_file, load_corpus, train
from coach.models import LABEL_CLASSES, Facts, Finding, Labels
from coach.pipeline import Coach
from coach.settings import Settings
from rules.engine import RuleEngine

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def model() -> LabelModel:
    m = LabelModel.load()
    assert m is not None, "the committed artifact classifiers/artifacts/labels.skops is missing"
    return m


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine()


def test_artifact_is_small_and_skops(model: LabelModel) -> None:
    assert ARTIFACT.suffix == ".skops"
    assert ARTIFACT.stat().st_size < 5_000_000


def _custom(x):  # a function skops cannot trust without being told
    return x


def test_untrusted_artifact_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.skops"
    sio.dump(make_pipeline(FunctionTransformer(_custom)), path)
    with pytest.raises(ModelLoadError, match="not trusted"):
        LabelModel.load(path)


def test_missing_artifact_means_rules_alone(tmp_path: Path) -> None:
    assert LabelModel.load(tmp_path / "none.skops") is None


def test_training_reproduces_committed_artifact(tmp_path: Path, model: LabelModel, engine: RuleEngine) -> None:
    """Same corpus + seed -> the same probabilities (tolerance 1e-9; the zip bytes may differ)."""
    summary = train(seed=0, out_dir=tmp_path, cv=False)
    fresh = LabelModel.load(tmp_path / summary["artifact"])
    texts = [r.text for r in load_corpus()][::7]
    facts = engine.facts_many(texts)
    rules = [engine.labels(t, f) for t, f in zip(texts, facts)]
    a = model.probabilities(texts, facts, rules)
    b = fresh.probabilities(texts, facts, rules)
    for label in a:
        assert np.allclose(a[label], b[label], atol=1e-9), label


def test_leave_one_blind_file_out_tests_each_blind_file_once_and_never_trains_on_it() -> None:
    records = load_corpus()
    voices = {r.source for r in records if r.source.startswith(BLIND_PREFIXES)}
    assert {v.split("-")[0] for v in voices} == {"voice", "shape"}, "the corpus should hold both kinds of blind file"
    seen = []
    for train_idx, test_idx in _splits_by_blind_file(records):
        (voice,) = {records[i].source for i in test_idx}
        assert voice in voices
        assert all(records[i].source != voice for i in train_idx)
        assert len(train_idx) + len(test_idx) == len(records)
        seen.append(voice)
    assert sorted(seen) == sorted(voices)


def test_the_contrast_set_is_never_training_data() -> None:
    """data/contrast is an authored held-out set: no text of it may reach the training corpus."""
    contrast = [json.loads(line)["text"].lower() for path in sorted((ROOT / "data" / "contrast").glob("*.jsonl"))
                for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]  # fmt: skip
    assert len(contrast) >= 400
    training = {r.text.lower() for r in load_corpus()}
    assert not training.intersection(contrast)


def test_probabilities_are_distributions(model: LabelModel, engine: RuleEngine) -> None:
    texts = ["Make 50 calls a day", "Cut churn from 3% to 2%", "Churn rate", "Ship the new portal"]
    facts = engine.facts_many(texts)
    labels = model.predict(texts, facts, [engine.labels(t, f) for t, f in zip(texts, facts)])
    for lab in labels:
        assert lab.source == "hybrid"
        for name, dist in lab.probabilities.items():
            assert set(dist) == set(LABEL_CLASSES[name])
            assert abs(sum(dist.values()) - 1) < 1e-6


def _uniform() -> dict[str, np.ndarray]:
    return {k: np.full(len(v), 1 / len(v)) for k, v in LABEL_CLASSES.items()}


def _rules(**kw) -> Labels:
    base = dict(phrasing="outcome", measurable=True, kpi_confusion=False, stretch="stretch")
    return Labels(**{**base, **kw})


def test_hard_constraint_no_quantity_is_not_measurable() -> None:
    probs = _uniform()
    probs["measurable"] = np.array([0.99, 0.01])  # classifier sure it is measurable
    out = combine(probs, Facts(), _rules(measurable=False, stretch="unknown"))
    assert out.measurable is False
    assert out.probabilities["measurable"]["false"] >= HARD_PROBABILITY
    assert out.stretch == "unknown"


def test_hard_constraint_maintain_is_kpi_and_safe() -> None:
    probs = _uniform()
    probs["kpi_confusion"] = np.array([0.05, 0.95])
    facts = Facts(is_maintain=True, target=95.0, quantities=[])
    out = combine(probs, facts, _rules(kpi_confusion=True, stretch="safe"))
    assert out.kpi_confusion is True and out.stretch == "safe"


def test_arithmetic_stretch_comes_from_the_rules() -> None:
    probs = _uniform()
    probs["stretch"] = np.array([0.9, 0.05, 0.03, 0.02])
    facts = Facts(baseline=10, target=30)
    assert combine(probs, facts, _rules(stretch="moonshot")).stretch == "moonshot"


@pytest.mark.parametrize(("p_task", "direction", "expected"), [
    (0.70, "decrease", "outcome"),  # a cut of a known metric needs a sure classifier to become a task
    (0.90, "decrease", "task"),  # ... which it can be ("Cut our status meetings from 5 to 2")
    (0.70, "increase", "task"),  # upward changes keep the plain 0.5 cut
])  # fmt: skip
def test_a_decrease_of_a_known_metric_needs_a_sure_classifier_to_become_a_task(p_task, direction, expected) -> None:
    probs = _uniform()
    probs["phrasing"] = np.array([1 - p_task, p_task])
    facts = Facts(is_outcome_verb=True, direction=direction, baseline=40, target=25)
    assert combine(probs, facts, _rules(phrasing="outcome")).phrasing == expected


def test_classifier_findings_are_credited(engine: RuleEngine) -> None:
    rules = _rules(phrasing="outcome")
    final = Labels(phrasing="task", measurable=True, kpi_confusion=False, stretch="stretch", source="hybrid",
                   probabilities={"phrasing": {"outcome": 0.2, "task": 0.8}})
    f = Finding(rule="OKR-K001", severity="error", message="Phrased as a task", start=0, end=4)
    other = Finding(rule="OKR-K011", severity="warning", message="Two metrics", start=0, end=4)
    out = attribute_findings([f, other], final, rules, engine.catalogue)
    assert out[0].source == "classifier" and "80%" in out[0].message
    assert out[1].source == "rule"


def test_pipeline_labels_and_findings_agree() -> None:
    coach = Coach(Settings(use_classifiers=True))
    assert coach.model is not None
    texts = ["Send 10 sales emails per week", "Raise trial conversion from 8% to 12%", "Monthly recurring revenue",
             "Keep uptime at 99.9%", "Book 40 demos with mid-market prospects"]
    for kr in coach.assess(texts):
        rules = {f.rule for f in kr.findings}
        assert ("OKR-K001" in rules) == (kr.phrasing == "task"), kr
        assert bool(rules & {"OKR-K002", "OKR-K003"}) == (not kr.measurable), kr
        assert bool(rules & {"OKR-K005", "OKR-K006", "OKR-K007"}) == kr.kpi_confusion, kr


def test_eval_command_reports_metrics(tmp_path: Path) -> None:
    rows = [
        {"id": "t1", "text": "Make 40 cold calls every day", "phrasing": "task", "measurable": True,
         "kpi_confusion": False, "stretch": "unknown"},
        {"id": "t2", "text": "Grow paid seats from 1,000 to 1,300", "phrasing": "outcome", "measurable": True,
         "kpi_confusion": False, "stretch": "stretch"},
        {"id": "t3", "text": "Keep CSAT at 90%", "phrasing": "outcome", "measurable": True,
         "kpi_confusion": True, "stretch": "safe"},
        {"id": "t4", "text": "Improve onboarding", "phrasing": "task", "measurable": False,
         "kpi_confusion": False, "stretch": "unknown"},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = subprocess.run([sys.executable, "-m", "coach.cli", "eval", str(path), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    ph = result["labels"]["phrasing"]
    assert set(ph) >= {"macro_f1", "classes", "confusion", "errors"}
    assert sum(map(sum, ph["confusion"]["matrix"])) == 4
    # t4 is labelled 'task' on purpose although it reads as an outcome: it must show up as an error
    assert any(e["id"] == "t4" for e in ph["errors"])
    text = subprocess.run([sys.executable, "-m", "coach.cli", "eval", str(path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert "macro-F1" in text.stdout and "confusion" in text.stdout


def test_macro_f1_averages_over_the_classes_that_occur() -> None:
    """A file whose statements are all outcomes, all labelled right, scores 1.0 (not 0.5 for an absent 'task')."""
    from classifiers.evaluate import evaluate

    records = [{"id": "a", "text": "x", "phrasing": "outcome"}, {"id": "b", "text": "y", "phrasing": "outcome"}]
    right = [Labels(phrasing="outcome", measurable=True, kpi_confusion=False, stretch="unknown")] * 2
    assert evaluate(records, right)["labels"]["phrasing"]["macro_f1"] == 1.0
    wrong = [right[0], Labels(phrasing="task", measurable=True, kpi_confusion=False, stretch="unknown")]
    assert evaluate(records, wrong)["labels"]["phrasing"]["macro_f1"] == pytest.approx((2 / 3 + 0) / 2, abs=1e-4)
    partly = evaluate([*records, {"id": "c", "text": "z"}], [*right, right[0]])["labels"]["phrasing"]
    assert partly["n"] == 2 and partly["unlabelled"] == 1


def test_eval_rejects_unknown_label_values(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "Grow revenue by 10%", "stretch": "huge"}) + "\n")
    out = subprocess.run([sys.executable, "-m", "coach.cli", "eval", str(path)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 2 and "stretch" in out.stderr and "Traceback" not in out.stderr


def test_fast_path_equals_scikit_learn(model: LabelModel, engine: RuleEngine) -> None:
    """The numpy predict path must give scikit-learn's probabilities (it exists only for speed)."""
    from classifiers.train import _transform

    texts = [r.text for r in load_corpus()][::5]
    facts = engine.facts_many(texts)
    rules = [engine.labels(t, f) for t, f in zip(texts, facts)]
    X = model.featurizer.transform(texts, facts, rules)
    X_ref = _transform((model.bundle["word"], model.bundle["char"], model.bundle["facts"]), texts, facts, rules)
    assert abs(X - X_ref).max() < 1e-12
    for label, clf in model.models.items():
        order = [list(clf.classes_).index(c) for c in LABEL_CLASSES[label]]
        assert np.allclose(clf.predict_proba(X_ref)[:, order], model.fast[label].predict_proba(X), atol=1e-12)
