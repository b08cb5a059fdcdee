"""``mt eval score|compare|qa`` end to end, and every bad input as one line with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.evaluate.test_metrics import README_REFS, README_SYS, RU_HYP, RU_REF, RU_REF2

SRC_EN = [
    "Azerbaijan’s Foreign Ministry called on international human rights organizations to "
    "support the trilateral statement signed on November 10, 2020.",
    "The Constitution adopted on November 12, 1995 contains 48 articles.",
    "About 95,000 displaced persons will return.",
    "The ministry expressed its deep concern.",
]
HYP_RU = [
    "МИД Азербайджана призвал международные правозащитные организации поддержать "
    "трехстороннее заявление, подписанное 10 ноября 2020 года.",
    "Конституция, принятая 12 ноября 1995 года, содержит 84 статьи.",
    "Около 95 000 вынужденных переселенцев вернутся.",
    "",
]


@pytest.fixture
def files(tmp_path):
    def write(name: str, lines: list[str]):
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return {
        "hyp": write("hyp.ru", RU_HYP), "ref": write("ref.ru", RU_REF),
        "ref2": write("ref2.ru", RU_REF2), "other": write("other.ru", RU_REF2),
        "short": write("short.ru", RU_REF[:5]), "src_en": write("src.en", SRC_EN),
        "qa_hyp": write("qa.ru", HYP_RU), "readme_sys": write("sys.en", README_SYS),
        "readme_ref1": write("ref1.en", README_REFS[0]),
        "readme_ref2": write("ref2.en", README_REFS[1]),
    }  # fmt: skip


def _one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mt: error: ")
    for needle in needles:
        assert needle in lines[0]


# ---------------------------------------------------------------------------- score


def test_score_json_is_keyed_by_metric_and_equals_sacrebleu_cli(files, run_mt):
    code, out, err = run_mt("eval", "score", "--hyp", files["hyp"], "--ref", files["ref"],
                            "--ref", files["ref2"], "--tgt", "ru", "--metrics",
                            "bleu,chrf,chrf++,ter", "--format", "json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"bleu", "chrf", "chrf++", "ter"}
    assert all({"score", "signature"} <= set(v) for v in data.values())
    assert data["bleu"]["intl"]["signature"].split("|")[3] == "tok:intl"
    assert "TER is case-insensitive by default" in err
    files_args = [str(files[k]) for k in ("ref", "ref2")] + ["-i", str(files["hyp"])]
    options = ["-m", "bleu", "chrf", "ter", "-w", "10", "-f", "json", "-q"]
    cmd = [sys.executable, "-m", "sacrebleu", *files_args, *options]
    theirs = {
        d["name"]: d
        for d in json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    }
    for key, name in (("bleu", "BLEU"), ("chrf", "chrF2"), ("ter", "TER")):
        assert theirs[name]["score"] == round(data[key]["score"], 10)
    assert theirs["BLEU"]["tok"] == "13a" and data["bleu"]["signature"].endswith(
        f"version:{theirs['BLEU']['version']}"
    )


def test_score_readme_example_text(files, run_mt):
    code, out, err = run_mt("eval", "score", "--hyp", files["readme_sys"], "--ref",
                            files["readme_ref1"], "--ref", files["readme_ref2"], "--tgt", "en",
                            "--metrics", "bleu")  # fmt: skip
    assert code == 0, err
    first = out.splitlines()[0]
    assert first.split()[:2] == ["BLEU", "48.53"]
    assert "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:" in first
    assert "3 segments; empty lines: hyp 0, refs 0, 0" in out
    for tok, expected in (("none", "49.19"), ("intl", "43.92")):
        code, out, _ = run_mt("eval", "score", "--hyp", files["readme_sys"], "--ref",
                              files["readme_ref1"], "--ref", files["readme_ref2"], "--tgt",
                              "en", "--metrics", "bleu", "--tokenize", tok)  # fmt: skip
        assert code == 0 and out.split()[1] == expected


def test_score_markdown_sentences_documents_and_worst(files, tmp_path, run_mt):
    docs = tmp_path / "docs.txt"
    docs.write_text("a\na\na\na\nb\nb\nb\nb\n", encoding="utf-8")
    code, out, err = run_mt("eval", "score", "--hyp", files["hyp"], "--ref", files["ref"],
                            "--tgt", "ru", "--format", "markdown", "--sentence", "--doc-ids",
                            docs, "--worst", "2", "--src", files["other"])  # fmt: skip
    assert code == 0, err
    assert "| Metric | Score | Signature | Details |" in out
    assert "| segment | BLEU | BLEU (intl) | chrF2 |" in out
    assert "| document | BLEU | BLEU (intl) | chrF2 |" in out
    assert "Worst 2 segments by sentence chrF2:" in out
    assert "  src: " in out and "  ref: " in out and "  hyp: " in out
    assert "1 empty hypothesis line(s)" in err and "1 empty line(s) in reference 1" in err
    code, out, _ = run_mt("eval", "score", "--hyp", files["hyp"], "--ref", files["ref"],
                          "--tgt", "ru", "--format", "json", "--sentence", "--doc-ids", docs,
                          "--worst", "1", "--worst-by", "bleu")  # fmt: skip
    data = json.loads(out)
    assert len(data["bleu"]["sentences"]) == 8 and set(data["chrf"]["documents"]) == {"a", "b"}
    assert len(data["bleu"]["worst"]) == 1 and data["bleu"]["empty_lines"]["hyp"] == 1


def test_score_language_aware_options_are_recorded(files, run_mt):
    code, out, _ = run_mt("eval", "score", "--hyp", files["hyp"], "--ref", files["ref"],
                          "--tgt", "ru", "--format", "json", "--yo-fold", "--lowercase",
                          "--no-nfc")  # fmt: skip
    assert code == 0
    bleu = json.loads(out)["bleu"]
    assert bleu["options"]["yo_fold"] is True and bleu["options"]["nfc"] is False
    assert bleu["options"]["case"] == "lc" and "case:lc" in bleu["signature"]
    assert bleu["mt_signature"] == "mt:nfc:no|case:lc|yo:yes|lang:ru"
    assert "intl" in bleu
    code, out, _ = run_mt("eval", "score", "--hyp", files["hyp"], "--ref", files["ref"],
                          "--tgt", "ru", "--format", "json", "--no-intl")  # fmt: skip
    assert code == 0 and "intl" not in json.loads(out)["bleu"]


# --------------------------------------------------------------------------- compare


def test_compare_text_and_analysis(files, run_mt):
    code, out, err = run_mt("eval", "compare", "--ref", files["ref"], "--hyp", files["hyp"],
                            "--hyp", files["other"], "--tgt", "ru", "--paired-bs", "200",
                            "--analysis", "--src", files["ref2"])  # fmt: skip
    assert code == 0, err
    assert out.startswith("Paired bootstrap resampling (200 resamples, seed 12345)")
    assert "hyp.ru (baseline)" in out and "p=" in out
    assert "Scores by reference length (words):" in out
    assert "Word F-measure by reference frequency:" in out
    assert "bs:200|seed:12345" in out


def test_compare_json_ar(files, run_mt):
    code, out, err = run_mt("eval", "compare", "--ref", files["ref"], "--hyp", files["hyp"],
                            "--hyp", files["other"], "--tgt", "ru", "--paired-ar", "500",
                            "--metrics", "chrf", "--format", "json", "--analysis")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["test"] == "approximate randomization" and data["n_samples"] == 500
    base, other = data["systems"]
    assert base["chrf"]["p_value"] is None and 0 < other["chrf"]["p_value"] <= 1
    assert "significant" not in base["chrf"] and isinstance(other["chrf"]["significant"], bool)
    assert other["chrf"]["ci_low"] <= other["chrf"]["mean"] <= other["chrf"]["ci_high"]
    assert {"length_buckets", "word_fmeasure_by_frequency", "most_different"} <= set(
        data["analysis"]
    )


# -------------------------------------------------------------------------------- qa


def test_qa_text_and_json(files, run_mt):
    code, out, err = run_mt("eval", "qa", "--src", files["src_en"], "--hyp", files["qa_hyp"],
                            "--src-lang", "en", "--tgt", "ru")  # fmt: skip
    assert code == 0, err
    assert out.startswith("4 segments, 2 flagged")
    assert "error: numbers: source numbers missing: 48; numbers not in the source: 84" in out
    assert "error: empty: empty hypothesis for a non-empty source" in out
    code, out, _ = run_mt("eval", "qa", "--src", files["src_en"], "--hyp", files["qa_hyp"],
                          "--src-lang", "en", "--tgt", "ru", "--format", "json",
                          "--checks", "numbers,dates")  # fmt: skip
    data = json.loads(out)
    assert data["summary"] == {"numbers": 1, "dates": 0}
    assert data["flagged"][0]["hyp"] == HYP_RU[1]


# ------------------------------------------------------------------------- bad input


def test_line_count_mismatch(files, run_mt):
    code, out, err = run_mt("eval", "score", "--hyp", files["hyp"], "--ref", files["short"],
                            "--tgt", "ru")  # fmt: skip
    _one_line_error(code, out, err, "line counts differ", f"{files['hyp']} has 8",
                    f"{files['short']} has 5")  # fmt: skip
    code, out, err = run_mt("eval", "compare", "--ref", files["ref"], "--hyp", files["hyp"],
                            "--hyp", files["short"], "--tgt", "ru")  # fmt: skip
    _one_line_error(code, out, err, "line counts differ")
    code, out, err = run_mt("eval", "qa", "--src", files["src_en"], "--hyp", files["hyp"],
                            "--src-lang", "en", "--tgt", "ru")  # fmt: skip
    _one_line_error(code, out, err, "line counts differ")


def test_non_utf8_and_missing_files(files, tmp_path, run_mt):
    bad = tmp_path / "latin1.ru"
    bad.write_bytes("Министр провёл встречу.\n".encode("cp1251"))
    code, out, err = run_mt("eval", "score", "--hyp", bad, "--ref", files["ref"], "--tgt", "ru")
    _one_line_error(code, out, err, str(bad), "not UTF-8")
    code, out, err = run_mt("eval", "score", "--hyp", tmp_path / "nope.ru", "--ref",
                            files["ref"], "--tgt", "ru")  # fmt: skip
    _one_line_error(code, out, err, "no such file")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--metrics", "bleu,meteor"], "unknown metric 'meteor'"),
        (["--tgt", "de"], "unsupported language 'de'"),
        (["--tokenize", "moses"], "unknown tokenizer 'moses'"),
        (["--format", "xml"], "unknown format 'xml'"),
        (["--yo-fold", "--tgt", "az"], "Russian targets only"),
        (["--worst", "2", "--worst-by", "ter"], "not among --metrics"),
    ],
)
def test_score_option_errors(files, run_mt, args, needle):
    base = ["eval", "score", "--hyp", files["hyp"], "--ref", files["ref"], "--tgt", "ru"]
    code, out, err = run_mt(*base, *args)
    _one_line_error(code, out, err, needle)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--paired-bs", "100", "--paired-ar", "100"], "alternatives"),
        (["--metrics", "bleu,rouge"], "unknown metric 'rouge'"),
        (["--tgt", "tr"], "unsupported language 'tr'"),
        (["--paired-bs", "99999999999"], "--paired-bs"),  # would allocate ~40 TiB
        (["--paired-bs", "100001"], "100000"),
        (["--paired-bs", "0"], "--paired-bs"),  # was silently taken as 1000
        (["--paired-ar", "-5"], "--paired-ar"),
        (["--paired-ar", "99999999999"], "--paired-ar"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_compare_option_errors(files, run_mt, args, needle):
    base = ["eval", "compare", "--ref", files["ref"], "--hyp", files["hyp"], "--hyp",
            files["other"], "--tgt", "ru"]  # fmt: skip
    code, out, err = run_mt(*base, *args)
    _one_line_error(code, out, err, needle)


@pytest.mark.parametrize(("option", "what"), [("--paired-bs", "resamples"),
                                              ("--paired-ar", "trials")])  # fmt: skip
def test_compare_refuses_resamples_times_segments_over_budget(files, run_mt, monkeypatch,
                                                             option, what):  # fmt: skip
    """Within 1..100000, the work (resamples × segments) is still bounded, before scoring."""
    import mt.evaluate.recipe as recipe
    import mt.evaluate.significance as significance

    def never(*args, **kwargs):
        raise AssertionError("scored although the budget check should have refused")

    monkeypatch.setattr(recipe, "MAX_RESAMPLE_CELLS", 8 * 100)  # the files have 8 lines
    monkeypatch.setattr(significance, "compare", never)
    base = ["eval", "compare", "--ref", files["ref"], "--hyp", files["hyp"], "--hyp",
            files["other"], "--tgt", "ru"]  # fmt: skip
    code, out, err = run_mt(*base, option, "101")
    _one_line_error(code, out, err, f"101 {what} of 8 segments is too much work",
                    "use at most 100,")  # fmt: skip


def test_compare_paired_ar_at_the_bounds_runs(files, run_mt):
    base = ["eval", "compare", "--ref", files["ref"], "--hyp", files["hyp"], "--hyp",
            files["other"], "--tgt", "ru", "--format", "json"]  # fmt: skip
    code, out, err = run_mt(*base, "--paired-ar", "1")
    assert code == 0, err
    assert json.loads(out)["n_samples"] == 1


def test_compare_needs_two_systems(files, run_mt):
    code, out, err = run_mt("eval", "compare", "--ref", files["ref"], "--hyp", files["hyp"],
                            "--tgt", "ru")  # fmt: skip
    _one_line_error(code, out, err, "at least two")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--src-lang", "xx"], "unsupported language 'xx'"),
        (["--checks", "numbers,spelling"], "unknown check 'spelling'"),
        (["--format", "markdown"], "unknown format 'markdown'"),
    ],
)
def test_qa_option_errors(files, run_mt, args, needle):
    base = ["eval", "qa", "--src", files["src_en"], "--hyp", files["qa_hyp"], "--src-lang",
            "en", "--tgt", "ru"]  # fmt: skip
    code, out, err = run_mt(*base, *args)
    _one_line_error(code, out, err, needle)


def test_bad_glossary_is_one_line(files, tmp_path, run_mt):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("english\trussian\nMinistry\tМинистерство\n", encoding="utf-8")
    code, out, err = run_mt("eval", "qa", "--src", files["src_en"], "--hyp", files["qa_hyp"],
                            "--src-lang", "en", "--tgt", "ru", "--glossary", glossary)  # fmt: skip
    _one_line_error(code, out, err, str(glossary))
