"""Evaluation runs: recipes, `mt eval run`, storage, history, failures, COMET unavailable.

End to end with the tiny real-architecture models of the translation tests (their output is
gibberish, which is fine: we check that runs, systems and scores are stored and reported, not
how good the translations are); the finer cases with a fake translator, which is instant.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import types
from pathlib import Path

import pytest

from mt.corpus.store import Store
from mt.errors import UserError
from mt.evaluate.recipe import ALL_DIRECTIONS, load_recipe, parse_recipe
from mt.evaluate.runs import RunOptions, honest_tm, load_run, load_test_set, run_recipe
from tests.conftest import CORPORA, ROOT
from tests.translate import tiny

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


# ---------------------------------------------------------------------------- helpers


@pytest.fixture
def db(tmp_path, run_mt) -> Path:
    """A store holding the bundled corpus (gold alignments included)."""
    path = tmp_path / "corpus.sqlite"
    code, _, err = run_mt("corpus", "import", CORPORA, "--db", path)
    assert code == 0, err
    return path


def write_recipe(folder: Path, text: str, name: str = "recipe.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


class FakeTranslator:
    """Copies the source, reversed for system names containing "rev"; fails for "broken"."""

    def __init__(self, spec, src, tgt, **kw):
        if "broken" in spec.name:
            raise RuntimeError("weights file is corrupt")
        self.reverse = "rev" in spec.name

    def translate_sentences(self, sentences):
        return [" ".join(s.split()[::-1]) if self.reverse else s for s in sentences]


def fake_recipe(**top) -> dict:
    data = {"name": "fake", "directions": ["en-ru", "ru-en"], "metrics": ["bleu", "chrf"],
            "bootstrap": 50, "system": [{"name": "copy"}, {"name": "rev"}]}  # fmt: skip
    data.update(top)
    return data


def run_fake(db: Path, data: dict, limit: int = 8, factory=FakeTranslator) -> tuple[int, dict]:
    recipe = parse_recipe(data, text="# fake")
    with Store.open(db) as store:
        run_id = run_recipe(recipe, store, RunOptions(limit=limit, translator_factory=factory))
        return run_id, load_run(store, run_id)


def one_error_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("mt: error: "), err
    assert "Traceback" not in err
    return lines[0]


# ---------------------------------------------------------------------------- recipes


def test_bundle_recipe_is_valid_and_covers_six_directions():
    recipe = load_recipe(ROOT / "eval" / "bundle.toml")
    assert set(recipe.directions) == set(ALL_DIRECTIONS)
    assert recipe.split == "test"
    assert all(s.model is None for s in recipe.systems)  # the directions' default models


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('name = "x"\ncolour = "red"\n[[system]]\nname = "a"\n', "unknown key 'colour'", 2),
        ('[[system]]\nname = "a"\n\n[[system]]\nname = "b"\nbeems = 5\n',
         "unknown key 'beems' in [[system]] #2", 6),
        ('directions = ["en-fr"]\n[[system]]\nname = "a"\n', "invalid direction 'en-fr'", 1),
        ('metrics = ["bleu", "meteor"]\n[[system]]\nname = "a"\n', "unknown metric 'meteor'", 1),
        ('split = "validation"\n[[system]]\nname = "a"\n', "'split' in recipe must be", 1),
        ('name = "x"\n', "no [[system]] table", None),
        ('[[system]]\nname = "a"\n[[system]]\nname = "a"\n', "two systems are named 'a'", None),
        ('[[system]]\nname = "a"\nbeam = 0\n', "'beam' in system 'a' must be an integer", 3),
        ('[[system]]\nname = "a"\ntm = "yes"\n', "'tm' in system 'a' must be true or false", 3),
        ('[[system]]\nname = "a"\nbackend = "onnx"\n', "'backend' in system 'a' must be", 3),
        ('[[system]]\nname = "a"\nmodel = "./no/such/model"\n', "model directory not found", 3),
        ('[[system]]\nname = "a"\nglossary = "missing.tsv"\n', "glossary file not found", 3),
        ('directions = ["ru-en"]\n[[system]]\nname = "a"\nmodel = "Helsinki-NLP/opus-mt-en-ru"\n',
         "translates en-ru, not ru-en", 4),
        ('name = "x\n', "invalid TOML", None),
        ('bootstrap = 100001\n[[system]]\nname = "a"\n',
         "'bootstrap' in recipe must be at most 100,000, not 100001", 1),
        ('bootstrap = 99999999999\n[[system]]\nname = "a"\n', "'bootstrap' in recipe", 1),
        ('bootstrap = -1\n[[system]]\nname = "a"\n', "'bootstrap' in recipe", 1),
    ],
)  # fmt: skip
def test_bad_recipes_exit_2_with_one_line(tmp_path, run_mt, text, message, line):
    path = write_recipe(tmp_path, text)
    code, _, err = run_mt("eval", "run", path, "--db", tmp_path / "unused.sqlite")
    assert code == 2
    error = one_error_line(err)
    assert message in error
    where = f"{path}:{line}:" if line else f"{path}"
    assert error.startswith(f"mt: error: {where}"), error
    assert not (tmp_path / "unused.sqlite").exists()  # validated before the store is touched


def test_model_table_per_direction_and_local_dirs(tmp_path):
    model = tmp_path / "m"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "marian"}')
    text = '[[system]]\nname = "a"\nmodel = { en-ru = "m" }\n'
    recipe = parse_recipe({"directions": ["en-ru", "ru-en"],
                           "system": [{"name": "a", "model": {"en-ru": "m"}}]},
                          text=text, path=tmp_path / "r.toml")  # fmt: skip
    spec = recipe.systems[0]
    assert spec.model_for("en-ru") == str(model.resolve())
    assert spec.model_for("ru-en") is None  # the direction's default
    with pytest.raises(UserError, match="not among the recipe's directions"):
        parse_recipe({"directions": ["ru-en"], "system": [{"name": "a", "model": {"en-ru": "m"}}]},
                     path=tmp_path / "r.toml")  # fmt: skip
    (model / "config.json").write_text('{"model_type": "gpt2"}')
    with pytest.raises(UserError, match="unsupported model type 'gpt2'"):
        parse_recipe({"directions": ["en-ru"], "system": [{"name": "a", "model": "m"}]},
                     path=tmp_path / "r.toml")  # fmt: skip


def test_missing_store_and_empty_store(tmp_path, run_mt):
    path = write_recipe(tmp_path, '[[system]]\nname = "a"\n')
    code, _, err = run_mt("eval", "run", path, "--db", tmp_path / "none.sqlite")
    assert code == 2 and "mt corpus import" in one_error_line(err)
    Store.open(tmp_path / "empty.sqlite").close()
    code, _, err = run_mt("eval", "run", path, "--db", tmp_path / "empty.sqlite")
    assert code == 2
    assert "no documents (run `mt corpus import corpora` first" in one_error_line(err)


# ---------------------------------------------------------------------------- test sets


def test_test_set_is_the_gold_test_split_and_limit_keeps_every_document(db):
    with Store.open(db) as store:
        full = load_test_set(store, "en", "ru", "test")
        test_docs = {d.key for d in store.documents(split="test")}
        limited = load_test_set(store, "en", "ru", "test", limit=10)
    assert len(full) > 50 and set(full.doc_keys) == test_docs
    assert all(s.strip() for s in full.srcs + full.refs)  # no empty side
    assert len(limited) == 10
    assert set(limited.documents) == set(full.documents[: len(limited.documents)])
    assert len(limited.documents) == min(10, len(test_docs))


def test_translation_memory_never_holds_the_evaluated_documents(db):
    from mt.lang import normalize

    with Store.open(db) as store:
        test = load_test_set(store, "en", "ru", "test")
        tm = honest_tm(store, "en", "ru", test.documents)
        full = store.translation_memory("en", "ru")
    assert tm and len(tm) < len(full)
    leaked = [s for s in test.srcs if normalize(s, "en").strip() in tm]
    # Only sentences that also occur verbatim in another document may be found.
    assert len(leaked) <= 3, leaked


# ---------------------------------------------------------------------------- runs (fake)


def test_run_stores_systems_scores_and_reports_data(db):
    run_id, data = run_fake(db, fake_recipe())
    assert data["run"]["status"] == "ok"
    assert [d["direction"] for d in data["directions"]] == ["en-ru", "ru-en"]
    d = data["directions"][0]
    assert d["baseline"] == "copy" and d["segments"] == 8
    copy, rev = d["systems"]
    assert copy["scores"]["bleu"]["signature"].startswith("nrefs:1|")
    assert copy["scores"]["bleu"]["p_value"] is None
    assert rev["scores"]["bleu"]["p_value"] is not None
    assert copy["scores"]["bleu"]["ci_low"] <= copy["scores"]["bleu"]["score"]
    assert "bleu@intl" in copy["scores"]  # intl BLEU shown alongside for a Russian target
    assert set(copy["documents"]) == set(d["documents"])
    assert copy["length_buckets"] and copy["worst"]
    assert copy["qa"]["segments"] == 8 and "numbers" in copy["qa"]["summary"]
    with Store.open(db) as store:
        rows = store.conn.execute(
            "SELECT name, status, params_json, details_json FROM systems WHERE run_id = ?",
            (run_id,)).fetchall()  # fmt: skip
        n_scores = store.conn.execute(
            "SELECT count(*) FROM scores JOIN systems s ON s.id = system_id WHERE run_id = ?",
            (run_id,)).fetchone()[0]  # fmt: skip
    assert len(rows) == 4 and {r[1] for r in rows} == {"ok"}
    assert json.loads(rows[0][2])["beam"] == 4
    assert len(json.loads(rows[0][3])["hypotheses"]) == 8
    assert n_scores > 4 * 3


def test_one_failing_system_does_not_lose_the_others(db):
    data = fake_recipe(system=[{"name": "copy"}, {"name": "broken"}, {"name": "rev"}])
    _, report = run_fake(db, data)
    assert report["run"]["status"] == "partial"
    for d in report["directions"]:
        by_name = {s["name"]: s for s in d["systems"]}
        assert by_name["broken"]["status"] == "failed"
        assert by_name["broken"]["error"] == "RuntimeError: weights file is corrupt"
        assert by_name["broken"]["scores"] == {}
        assert by_name["rev"]["scores"]["bleu"]["p_value"] is not None  # still compared


def test_output_identical_to_the_baseline_gets_no_p_value(db):
    from mt.evaluate.report import render

    _, data = run_fake(db, fake_recipe(system=[{"name": "copy"}, {"name": "copy-again"}]))
    again = data["directions"][0]["systems"][1]["scores"]["bleu"]
    assert again["p_value"] is None and again["identical_to_baseline"]  # not "p=0.02*"
    assert "= baseline" in render(data, "md")


def test_bootstrap_too_large_for_the_test_set_fails_before_translating(db, monkeypatch):
    import mt.evaluate.recipe as recipe_module
    from mt.evaluate.storage import RunStore, has_schema

    def no_model(*args, **kwargs):
        raise AssertionError("a model was loaded although the bootstrap is refused")

    monkeypatch.setattr(recipe_module, "MAX_RESAMPLE_CELLS", 50 * 7)
    refused = r"en-ru: 50 bootstrap resamples of 8 segments is too much work .* use at most 43,"
    with pytest.raises(UserError, match=refused):
        run_fake(db, fake_recipe(), limit=8, factory=no_model)
    with Store.open(db) as store:  # no run was started
        assert not has_schema(store) or RunStore(store).last_run_id("eval") is None
    _, data = run_fake(db, fake_recipe(bootstrap=0), limit=8)  # no bootstrap: nothing to check
    assert data["run"]["status"] == "ok"


def test_all_systems_failing_marks_the_run_failed(db):
    _, report = run_fake(db, fake_recipe(system=[{"name": "broken"}]))
    assert report["run"]["status"] == "failed"


def test_interrupted_run_keeps_finished_directions(db):
    class Interrupting(FakeTranslator):
        def __init__(self, spec, src, tgt, **kw):
            if src == "ru":
                raise KeyboardInterrupt
            super().__init__(spec, src, tgt)

    with pytest.raises(KeyboardInterrupt), Store.open(db) as store:
        run_recipe(parse_recipe(fake_recipe()), store,
                   RunOptions(limit=5, translator_factory=Interrupting))  # fmt: skip
    with Store.open(db) as store:
        data = load_run(store, 1)
    assert data["run"]["status"] == "interrupted"
    assert [d["direction"] for d in data["directions"]] == ["en-ru"]


def test_history_shows_how_scores_moved(db, run_mt):
    run_fake(db, fake_recipe())
    run_fake(db, fake_recipe(), limit=12)
    from mt.evaluate.history import history

    with Store.open(db) as store:
        rows = history(store, "chrf", direction="en-ru", system="rev")
    assert [r.run_id for r in rows] == [1, 2]
    assert rows[0].delta is None and rows[1].delta == pytest.approx(rows[1].score - rows[0].score)
    code, out, _ = run_mt("eval", "history", "--db", db, "--metric", "chrf", "--system", "rev")
    assert code == 0 and "rev" in out and "copy" not in out
    code, out, _ = run_mt("eval", "history", "--db", db, "--json", "--last", "1")
    assert code == 0 and {r["run_id"] for r in json.loads(out)} == {2}
    code, _, err = run_mt("eval", "history", "--db", db, "--metric", "meteor")
    assert code == 2 and "no 'meteor' scores" in one_error_line(err)
    code, _, err = run_mt("eval", "history", "--db", db, "--direction", "en-xx")
    assert code == 2


def test_report_command_rerenders_a_stored_run(db, run_mt, tmp_path):
    run_id, data = run_fake(db, fake_recipe())
    out = tmp_path / "again.json"
    code, _, err = run_mt("eval", "report", str(run_id), "--db", db, "--format", "json",
                          "--out", out)  # fmt: skip
    assert code == 0, err
    assert json.loads(out.read_text()) == json.loads(json.dumps(data))
    code, md, _ = run_mt("eval", "report", "last", "--db", db, "--format", "md")
    assert code == 0 and md.startswith(f"# Evaluation run {run_id}: fake")
    for bad in (["99"], ["abc"], [str(run_id), "--format", "pdf"]):
        code, _, err = run_mt("eval", "report", *bad, "--db", db)
        assert code == 2, bad
        one_error_line(err)


# ---------------------------------------------------------------------------- COMET


def test_comet_missing_package_is_reported_cleanly(db, monkeypatch, run_mt, tmp_path):
    monkeypatch.setitem(sys.modules, "comet", None)  # import comet -> ImportError
    _, data = run_fake(db, fake_recipe(metrics=["bleu", "comet"]))
    assert data["notes"] == ["COMET unavailable: unbabel-comet is not installed "
                             "(pip install 'mt[comet]')"]  # fmt: skip
    assert all("comet" not in s["scores"] and "bleu" in s["scores"]
               for d in data["directions"] for s in d["systems"])  # fmt: skip
    from mt.evaluate.report import render

    for fmt in ("md", "html"):
        assert "COMET unavailable: unbabel-comet is not installed" in render(data, fmt)


def _fake_comet(monkeypatch, scores=None) -> types.ModuleType:
    module = types.ModuleType("comet")

    class Model:
        def predict(self, samples, **kw):
            values = [scores(s) for s in samples]
            return types.SimpleNamespace(scores=values, system_score=sum(values) / len(values))

    def load_from_checkpoint(path):
        if scores is None:
            raise OSError("xlm-roberta-large is not cached")
        return Model()

    module.load_from_checkpoint = load_from_checkpoint
    monkeypatch.setitem(sys.modules, "comet", module)
    return module


def test_comet_offline_without_cached_model_is_reported_cleanly(db, monkeypatch, tmp_path):
    _fake_comet(monkeypatch, scores=lambda s: 0.5)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    _, data = run_fake(db, fake_recipe(metrics=["bleu", "chrf", "comet"]))
    assert len(data["notes"]) == 1
    assert data["notes"][0].startswith(
        "COMET unavailable: model Unbabel/wmt22-comet-da is not in the local cache"
    )
    assert data["run"]["status"] == "ok"


def test_comet_load_failure_is_reported_cleanly(db, monkeypatch, tmp_path):
    _fake_comet(monkeypatch, scores=None)
    ckpt = tmp_path / "model.ckpt"
    ckpt.write_bytes(b"x")
    _, data = run_fake(db, fake_recipe(metrics=["bleu", "comet"], comet_model=str(ckpt)))
    assert data["notes"] == [f"COMET unavailable: cannot load {ckpt}: "
                             "OSError: xlm-roberta-large is not cached"]  # fmt: skip


def test_comet_scores_are_stored_when_available(db, monkeypatch, tmp_path):
    _fake_comet(monkeypatch, scores=lambda s: 0.9 if s["mt"] == s["src"] else 0.2)
    ckpt = tmp_path / "model.ckpt"
    ckpt.write_bytes(b"x")
    _, data = run_fake(db, fake_recipe(metrics=["bleu", "comet"], comet_model=str(ckpt)))
    assert data["notes"] == []
    copy, rev = data["directions"][0]["systems"]
    assert copy["scores"]["comet"]["score"] == pytest.approx(0.9)
    assert rev["scores"]["comet"]["p_value"] is not None
    assert rev["scores"]["comet"]["ci_low"] <= rev["scores"]["comet"]["score"]
    assert all("comet" in per_doc for per_doc in copy["documents"].values())
    assert copy["scores"]["comet"]["signature"].startswith(f"comet:{ckpt}|")


# ---------------------------------------------------------------------------- tiny models


def _assert_self_contained(html: str) -> None:
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert "@import" not in html and "url(http" not in html


def test_run_end_to_end_with_tiny_models(db, tmp_path, run_mt, tiny_marian_en_ru,
                                         tiny_marian_ru_en):  # fmt: skip
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text((tiny_marian_en_ru / "config.json").read_text())
    recipe = write_recipe(
        tmp_path,
        f"""
name = "tiny"
directions = ["en-ru", "ru-en"]
metrics = ["bleu", "chrf", "ter", "comet"]
bootstrap = 100

[[system]]
name = "marian"
model = {{ en-ru = "{tiny_marian_en_ru}", ru-en = "{tiny_marian_ru_en}" }}
device = "cpu"

[[system]]
name = "marian-beam2"
model = {{ en-ru = "{tiny_marian_en_ru}", ru-en = "{tiny_marian_ru_en}" }}
backend = "ct2"
beam = 2
tm = true
glossary = true

[[system]]
name = "broken"
model = {{ en-ru = "{broken}" }}
""",
    )
    out = tmp_path / "reports"
    code, stdout, err = run_mt("eval", "run", recipe, "--db", db, "--out", out, "--limit", "8")
    assert code == 0, err
    assert "Traceback" not in err and "COMET unavailable" in err
    assert "run 1: partial" in err
    with Store.open(db) as store:
        run = store.conn.execute("SELECT kind, name, status, recipe FROM runs").fetchone()
        systems = store.conn.execute(
            "SELECT name, src_lang, tgt_lang, status, error, model, backend, seconds"
            " FROM systems ORDER BY id").fetchall()  # fmt: skip
        corpus = store.conn.execute(
            "SELECT count(*) FROM scores WHERE doc_key IS NULL").fetchone()[0]  # fmt: skip
        per_doc = store.conn.execute(
            "SELECT count(*) FROM scores WHERE doc_key IS NOT NULL").fetchone()[0]  # fmt: skip
    assert run[:3] == ("eval", "tiny", "partial") and "marian-beam2" in run[3]
    assert [(s[0], s[1], s[3]) for s in systems] == [
        ("marian", "en", "ok"),
        ("marian-beam2", "en", "ok"),
        ("broken", "en", "failed"),
        ("marian", "ru", "ok"),
        ("marian-beam2", "ru", "ok"),
        ("broken", "ru", "failed"),
    ]
    assert systems[2][4]  # the broken model's error is recorded
    assert systems[0][5] == str(tiny_marian_en_ru.resolve()) and systems[1][6] == "ct2"
    assert all(s[7] > 0 for s in systems if s[3] == "ok")
    assert corpus == 2 * 4 + 2 * 3  # bleu, bleu@intl, chrf, ter for ru; no intl for en
    assert per_doc > 0
    html, md, js = (out / "run-1.html", out / "run-1.md", out / "run-1.json")
    for path in (html, md, js):
        text = path.read_text(encoding="utf-8")
        for name in ("marian", "marian-beam2", "broken"):
            assert name in text
    page = html.read_text(encoding="utf-8")
    _assert_self_contained(page)
    assert page.count("<svg") >= 3 and "COMET unavailable" in page
    assert json.loads(js.read_text())["run"]["status"] == "partial"
    assert "marian" in stdout  # the summary table
    code, hist, _ = run_mt("eval", "history", "--db", db, "--metric", "chrf")
    assert code == 0 and "marian" in hist and "failed" in hist


@pytest.mark.slow
def test_bundle_recipe_runs_offline_with_tiny_default_models(
    db, tmp_path, monkeypatch, run_mt, tiny_marian_en_ru, tiny_marian_ru_en, tiny_marian_en_az,
    tiny_marian_az_en,
):  # fmt: skip
    """eval/bundle.toml as shipped: six directions (two pivots), default models from the hub
    cache, glossary and TM on for the second system."""
    cache = tmp_path / "hub"
    for path, repo in ((tiny_marian_en_ru, "en-ru"), (tiny_marian_ru_en, "ru-en"),
                       (tiny_marian_en_az, "en-az"), (tiny_marian_az_en, "az-en")):  # fmt: skip
        tiny.install_in_hub_cache(path, cache, f"Helsinki-NLP/opus-mt-{repo}")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    out = tmp_path / "reports"
    code, _, err = run_mt("eval", "run", ROOT / "eval" / "bundle.toml", "--db", db, "--out", out,
                          "--limit", "5")  # fmt: skip
    assert code == 0, err
    data = json.loads((out / "run-1.json").read_text())
    assert data["run"]["status"] == "ok", err
    assert {d["direction"] for d in data["directions"]} == set(ALL_DIRECTIONS)
    pivot = next(d for d in data["directions"] if d["direction"] == "az-ru")
    assert pivot["systems"][0]["model"] == "Helsinki-NLP/opus-mt-az-en → Helsinki-NLP/opus-mt-en-ru"
    assert pivot["systems"][0]["revision"]  # the snapshot commit of the cached models
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM systems").fetchone()[0] == 12
