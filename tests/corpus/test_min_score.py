"""`mt corpus export --min-score`: a confidence threshold for the aligners that give
confidences, never applied to Gale-Church's costs or to gold/imported beads."""

from __future__ import annotations

import json

from mt.corpus.store import Store
from tests.conftest import CORPORA


def _export(run_mt, db, tmp_path, *extra) -> list[dict]:
    out = tmp_path / "out.jsonl"
    code, _, err = run_mt("corpus", "export", "--db", db, "--pair", "en-ru", "--format", "jsonl",
                          "--out", out, "--dedup", "none", *extra)  # fmt: skip
    assert code == 0, err
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_min_score_filters_confident_aligners_only(run_mt, tmp_path):
    db = tmp_path / "s.db"
    folder = sorted(p for p in CORPORA.iterdir() if (p / "meta.toml").is_file())[0]
    assert run_mt("corpus", "import", "--db", db, folder)[0] == 0
    for method in ("lexical", "gale-church"):
        assert run_mt("corpus", "align", "--db", db, "--pair", "en-ru", "--method", method)[0] == 0
    with Store.open(db, readonly=True) as store:
        doc = store.documents()[0].key
        scores = sorted(b.score for b in store.beads(doc, "en", "ru", "lexical"))
    assert 0.0 <= scores[0] <= scores[-1] <= 1.0
    threshold = scores[len(scores) // 2]
    kept = _export(run_mt, db, tmp_path, "--method", "lexical", "--min-score", str(threshold),
                   "--no-script", "--max-ratio", "100")  # fmt: skip
    every = _export(run_mt, db, tmp_path, "--method", "lexical", "--no-script", "--max-ratio",
                    "100")  # fmt: skip
    assert len(kept) == sum(1 for s in scores if s >= threshold) < len(every)
    assert all(r["score"] >= threshold for r in kept)
    # Gale-Church scores are costs: the threshold does not apply; gold has no scores.
    costs = _export(run_mt, db, tmp_path, "--method", "gale-church", "--min-score", "0.99")
    assert len(costs) == len(_export(run_mt, db, tmp_path, "--method", "gale-church"))
    gold = _export(run_mt, db, tmp_path, "--method", "gold", "--min-score", "0.99")
    assert gold and all(r["score"] is None for r in gold)
