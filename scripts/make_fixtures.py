#!/usr/bin/env python3
"""Writes the reference fixtures for tests/metrics*.test.ts and tests/detectors*.test.ts.

    python3 scripts/make_fixtures.py        (or: npm run fixtures)

Outputs (small JSON, deterministic for a given numpy version):
  tests/fixtures/metrics/score_sets.json    random score/label sets (ties, imbalance, edge cases)
                                            with AUROC, AP, AUPR, precision@n, ROC points and both
                                            FPR95 conventions (method.md §9)
  tests/fixtures/detectors/knn.json         a small bank/query set (with duplicate rows and queries
                                            equal to bank rows) with brute-force k-NN mean
                                            distances (method.md §7) and KNN* (Sun et al. 2022)
                                            k-th-neighbour distances on L2-normalised rows
  tests/fixtures/detectors/iforest.json     (only with scikit-learn) sklearn IsolationForest scores
                                            of a small set with many trees: a statistical reference,
                                            since the random streams differ (compare to ~0.02)

Reference implementations: written here directly in numpy, independently of the TypeScript code
(different algorithms where possible: AUROC by pairwise comparison and by the trapezoid rule rather
than by ranks, k-NN by a full float64 distance matrix rather than blocked search). Each numpy
reference follows the scikit-learn definition named next to it. When `import sklearn` works, the
script also checks every numpy reference against sklearn.metrics (roc_curve, roc_auc_score,
average_precision_score, precision_recall_curve + auc) and sklearn.neighbors.NearestNeighbors,
stopping on any mismatch, and writes the Isolation Forest reference. The committed fixtures were
generated with Debian's /usr/bin/python3 (numpy 1.24.2, scikit-learn 1.2.1, all checks passed);
numpy alone (e.g. numpy 2.4) reproduces the same metric and k-NN values; only the
"sklearn_checked" flag changes, and iforest.json is left as it is.
"""

from __future__ import annotations

import json
import os

import numpy as np

try:  # optional cross-check
    import sklearn.metrics as skm
    from sklearn.neighbors import NearestNeighbors

    HAVE_SKLEARN = True
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_SKLEARN = False

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METRICS_DIR = os.path.join(ROOT, "tests", "fixtures", "metrics")
DETECTORS_DIR = os.path.join(ROOT, "tests", "fixtures", "detectors")
RECALL_LEVEL = 0.95
ROC_POINTS_MAX_ITEMS = 300  # only small sets carry their full ROC curve, to keep fixtures small


# ----------------------------------------------------------------------------- metrics (numpy)


def binary_clf_curve(scores: np.ndarray, labels: np.ndarray):
    """Cumulative TP/FP counts at each distinct score, decreasing (sklearn _binary_clf_curve)."""
    order = np.argsort(-scores, kind="mergesort")
    s = scores[order]
    y = labels[order]
    last_of_group = np.r_[np.where(np.diff(s) != 0)[0], len(s) - 1]
    tps = np.cumsum(y)[last_of_group].astype(np.float64)
    fps = (1 + last_of_group - tps).astype(np.float64)
    return fps, tps, s[last_of_group]


def roc_curve(scores, labels):
    """sklearn.metrics.roc_curve(labels, scores, drop_intermediate=False)."""
    fps, tps, thr = binary_clf_curve(scores, labels)
    fps = np.r_[0.0, fps]
    tps = np.r_[0.0, tps]
    thr = np.r_[np.inf, thr]
    return fps / fps[-1], tps / tps[-1], thr


def auroc_pairwise(scores, labels):
    """P(score of a random anomaly > score of a random normal item), ties half (O(P*N))."""
    pos = scores[labels == 1][:, None]
    neg = scores[labels == 0][None, :]
    return float(np.mean((pos > neg) + 0.5 * (pos == neg)))


def auroc_trapezoid(scores, labels):
    """sklearn.metrics.roc_auc_score: trapezoidal area under the ROC curve."""
    fpr, tpr, _ = roc_curve(scores, labels)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def precision_recall_curve(scores, labels):
    """sklearn.metrics.precision_recall_curve (increasing thresholds, end point (R=0, P=1))."""
    fps, tps, thr = binary_clf_curve(scores, labels)
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thr[::-1]


def average_precision(scores, labels):
    """sklearn.metrics.average_precision_score: sum_n (R_n - R_{n-1}) P_n."""
    precision, recall, _ = precision_recall_curve(scores, labels)
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def aupr(scores, labels):
    """sklearn.metrics.auc(recall, precision): trapezoid over the PR curve points."""
    precision, recall, _ = precision_recall_curve(scores, labels)
    return float(-np.sum(np.diff(recall) * (precision[1:] + precision[:-1]) / 2))


def fpr95_flagged(scores, labels):
    """[B] metrics.py: np.interp(0.95, tpr, fpr) with the anomaly as positive."""
    fpr, tpr, _ = roc_curve(scores, labels)
    return float(np.interp(RECALL_LEVEL, tpr, fpr))


def fpr95_accepted(scores, labels):
    """Sun et al.: normal = positive, scores negated; (first threshold with TPR >= 0.95, interpolated)."""
    fpr, tpr, _ = roc_curve(-scores, 1 - labels)
    first = int(np.argmax(tpr >= RECALL_LEVEL))
    return float(fpr[first]), float(np.interp(RECALL_LEVEL, tpr, fpr))


def precision_at_n(scores, labels):
    """Fraction of anomalies among the n = #anomalies top scores; ties by input order (stable)."""
    n = int(labels.sum())
    top = np.argsort(-scores, kind="mergesort")[:n]
    return float(labels[top].sum() / n)


def check_against_sklearn(scores, labels, entry):
    if not HAVE_SKLEARN:
        return
    close = lambda a, b: abs(a - b) <= 1e-12  # noqa: E731
    assert close(skm.roc_auc_score(labels, scores), entry["auroc"]), "roc_auc_score"
    assert close(skm.average_precision_score(labels, scores), entry["ap"]), "average_precision_score"
    p, r, _ = skm.precision_recall_curve(labels, scores)
    assert close(skm.auc(r, p), entry["aupr"]), "auc(recall, precision)"
    fpr, tpr, _ = skm.roc_curve(labels, scores)
    assert close(float(np.interp(RECALL_LEVEL, tpr, fpr)), entry["fpr95"]), "fpr95"
    fpr, tpr, _ = skm.roc_curve(1 - labels, -scores, drop_intermediate=False)
    assert close(float(fpr[np.argmax(tpr >= RECALL_LEVEL)]), entry["fpr95_id"]), "fpr95_id"


def score_set(name, scores, labels, description):
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    first, interpolated = fpr95_accepted(scores, labels)
    entry = {
        "name": name,
        "description": description,
        "scores": [float(s) for s in scores],
        "labels": [int(v) for v in labels],
        "auroc": auroc_trapezoid(scores, labels),
        "fpr95": fpr95_flagged(scores, labels),
        "fpr95_id": first,
        "fpr95_id_interpolated": interpolated,
        "ap": average_precision(scores, labels),
        "aupr": aupr(scores, labels),
        "precision_at_n": precision_at_n(scores, labels),
        "n_anomalies": int(labels.sum()),
        "n_normal": int((labels == 0).sum()),
    }
    # Two independent AUROC definitions must agree before the value is trusted.
    if len(scores) <= 5000:
        assert abs(auroc_pairwise(scores, labels) - entry["auroc"]) < 1e-12, name
    if len(scores) <= ROC_POINTS_MAX_ITEMS:
        fpr, tpr, thr = roc_curve(scores, labels)
        # JSON has no Infinity: the first threshold (+inf) is written as null.
        entry["roc"] = {
            "fpr": fpr.tolist(),
            "tpr": tpr.tolist(),
            "thresholds": [None] + thr[1:].tolist(),
        }
    check_against_sklearn(scores, labels, entry)
    return entry


def make_score_sets(rng: np.random.Generator):
    sets = []
    # 1. Continuous Gaussian scores, balanced: no ties.
    y = np.r_[np.zeros(100), np.ones(100)].astype(np.int64)
    s = rng.normal(size=200) + 1.2 * y
    sets.append(score_set("gaussian-balanced", s, y, "200 items, shift 1.2, no ties"))
    # 2. Heavy ties: scores rounded to one decimal.
    y = (rng.random(250) < 0.4).astype(np.int64)
    s = np.round(rng.normal(size=250) + 0.8 * y, 1)
    sets.append(score_set("rounded-ties", s, y, "250 items rounded to 0.1: many ties"))
    # 3. Integer scores in 0..4: ties everywhere, few distinct thresholds.
    y = (rng.random(120) < 0.5).astype(np.int64)
    s = np.clip(rng.integers(0, 4, size=120) + y, 0, 4).astype(np.float64)
    sets.append(score_set("integer-scores", s, y, "120 items with 5 distinct scores"))
    # 4. Strong imbalance: 5 % anomalies.
    y = np.r_[np.zeros(950), np.ones(50)].astype(np.int64)
    rng.shuffle(y)
    s = rng.exponential(size=1000) + 1.5 * y * rng.random(1000)
    sets.append(score_set("imbalanced-5pct", s, y, "1000 items, 50 anomalies, no roc points stored"))
    # 5. Majority anomalous (OOD benchmark style with more OOD than ID).
    y = np.r_[np.zeros(30), np.ones(170)].astype(np.int64)
    s = np.round(rng.gamma(2.0, size=200) + 0.7 * y, 2)
    sets.append(score_set("majority-anomalous", s, y, "200 items, 170 anomalies, scores to 0.01"))
    # 6. Perfect separation and 7. perfectly reversed.
    y = np.r_[np.zeros(20), np.ones(20)].astype(np.int64)
    s = np.r_[rng.random(20), 1 + rng.random(20)]
    sets.append(score_set("perfect", s, y, "anomalies all above normal items"))
    sets.append(score_set("reversed", -s, y, "anomalies all below normal items"))
    # 8. Every score equal: one threshold, AUROC 0.5.
    y = np.r_[np.zeros(7), np.ones(3)].astype(np.int64)
    sets.append(score_set("all-tied", np.full(10, 2.5), y, "one distinct score"))
    # 9. 20 anomalies so that 95 % recall (19/20) falls exactly on a ROC point; mixed ties.
    y = np.r_[np.zeros(40), np.ones(20)].astype(np.int64)
    s = np.round(rng.normal(size=60) + y, 1)
    sets.append(score_set("exact-95-point", s, y, "19/20 anomalies is exactly TPR 0.95"))
    # 10. Tiny: two items.
    sets.append(score_set("two-items", [0.3, 0.7], [0, 1], "smallest valid input"))
    # 11. Negative and large-magnitude scores.
    y = (rng.random(150) < 0.3).astype(np.int64)
    s = -1e6 + 1e3 * (rng.normal(size=150) + y)
    sets.append(score_set("negative-large", s, y, "scores around -1e6"))
    return sets


# ----------------------------------------------------------------------------- detectors (numpy)


def knn_reference(bank32: np.ndarray, queries32: np.ndarray, k: int):
    """Brute-force Euclidean k-NN in float64 on the float32 values; ties broken by bank index."""
    bank = bank32.astype(np.float64)
    queries = queries32.astype(np.float64)
    distances = np.sqrt(((queries[:, None, :] - bank[None, :, :]) ** 2).sum(axis=2))
    order = np.argsort(distances, axis=1, kind="mergesort")[:, :k]
    return order, np.take_along_axis(distances, order, axis=1)


def l2_normalize(x32: np.ndarray) -> np.ndarray:
    """Rows divided by max(||row||, 1e-12) (torch F.normalize / faiss.normalize_L2 style)."""
    x = x32.astype(np.float64)
    norms = np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return x / norms


def f32_list(matrix: np.ndarray):
    # str(np.float32) is the shortest text that parses back to the same float32.
    return [[float(str(v)) for v in row] for row in matrix.astype(np.float32)]


def make_knn_fixture(rng: np.random.Generator):
    dims = 12
    bank = rng.normal(size=(150, dims)).astype(np.float32)
    bank[100:110] += 4.0  # a second cluster
    bank[120] = bank[7]  # duplicate rows: exact distance ties, broken by index
    bank[121] = bank[7]
    bank[140] = bank[33]
    queries = rng.normal(size=(40, dims)).astype(np.float32)
    queries[0] = bank[7]  # a query equal to a triplicated bank row: distances 0, 0, 0
    queries[1] = bank[33]
    queries[2] = 0.0  # the zero vector (KNN* leaves it at zero)
    queries[3] *= 10.0  # a far outlier
    bank = np.array(f32_list(bank), dtype=np.float32)
    queries = np.array(f32_list(queries), dtype=np.float32)

    cases = []
    for k in (1, 3, 7):
        idx, dist = knn_reference(bank, queries, k)
        cases.append({
            "k": k,
            "indices": idx.tolist(),
            "distances": dist.tolist(),
            "scores": dist.mean(axis=1).tolist(),
        })
    star_cases = []
    bank_unit = l2_normalize(bank)
    queries_unit = l2_normalize(queries)
    for k in (1, 5, 50):
        # On float64 unit vectors: the TS code normalises in float64 and stores float32 (1e-5 tolerance).
        distances = np.sqrt(((queries_unit[:, None, :] - bank_unit[None, :, :]) ** 2).sum(axis=2))
        kth = np.sort(distances, axis=1)[:, k - 1]
        star_cases.append({"k": k, "scores": kth.tolist()})

    if HAVE_SKLEARN:
        for case in cases:
            model = NearestNeighbors(n_neighbors=case["k"]).fit(bank.astype(np.float64))
            d, _ = model.kneighbors(queries.astype(np.float64))
            assert np.allclose(d.mean(axis=1), case["scores"], atol=1e-9), "NearestNeighbors"

    # Leave-one-out on the bank itself (row i may not be its own neighbour; duplicates still count).
    loo = []
    for k in (1, 3):
        bank64 = bank.astype(np.float64)
        d = np.sqrt(((bank64[:, None, :] - bank64[None, :, :]) ** 2).sum(axis=2))
        np.fill_diagonal(d, np.inf)
        order = np.argsort(d, axis=1, kind="mergesort")[:, :k]
        loo.append({
            "k": k,
            "indices": order.tolist(),
            "scores": np.take_along_axis(d, order, axis=1).mean(axis=1).tolist(),
        })

    return {
        "description": "bank 150x12 float32 (duplicate rows 7=120=121, 33=140; cluster 100..109), "
                       "40 queries (0 = bank[7], 1 = bank[33], 2 = zero vector, 3 = far outlier); "
                       "distances in float64 on the float32 values, ties by bank index",
        "bank": f32_list(bank),
        "queries": f32_list(queries),
        "knn": cases,
        "knn_star": star_cases,
        "knn_leave_one_out": loo,
    }


def make_iforest_fixture(rng: np.random.Generator):
    """sklearn IsolationForest (Liu et al. 2008) scores s(x) = -score_samples(x) with many trees."""
    from sklearn.ensemble import IsolationForest

    train = rng.normal(size=(300, 4)).astype(np.float32)
    test = np.r_[rng.normal(size=(30, 4)), 4 * rng.normal(size=(10, 4))].astype(np.float32)
    train = np.array(f32_list(train), dtype=np.float32)
    test = np.array(f32_list(test), dtype=np.float32)
    model = IsolationForest(n_estimators=4000, max_samples=256, random_state=0).fit(train)
    return {
        "description": "300x4 N(0,1) training rows; 30 N(0,1) and 10 N(0,16) test rows; "
                       "sklearn IsolationForest(n_estimators=4000, max_samples=256) scores",
        "train": f32_list(train),
        "test": f32_list(test),
        "scores": (-model.score_samples(test)).tolist(),
    }


def write_json(directory, name, payload):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


def main():
    rng = np.random.default_rng(20240601)
    write_json(METRICS_DIR, "score_sets.json", {
        "generator": "scripts/make_fixtures.py",
        "sklearn_checked": HAVE_SKLEARN,
        "recall_level": RECALL_LEVEL,
        "sets": make_score_sets(rng),
    })
    write_json(DETECTORS_DIR, "knn.json", {
        "generator": "scripts/make_fixtures.py",
        "sklearn_checked": HAVE_SKLEARN,
        **make_knn_fixture(rng),
    })
    if HAVE_SKLEARN:
        write_json(DETECTORS_DIR, "iforest.json", {
            "generator": "scripts/make_fixtures.py",
            **make_iforest_fixture(np.random.default_rng(7)),
        })
        print("cross-checked against scikit-learn")
    else:
        print("scikit-learn not available: numpy references only; tests/fixtures/detectors/iforest.json left as is")


if __name__ == "__main__":
    main()
