"""`mt align` for any language pair on presplit files, and `mt align score` against gold."""

from __future__ import annotations

import json

from tests.reliability.conftest import assert_one_line

DE = [
    "Der Bundesrat hat am 3. März 2024 die Botschaft verabschiedet.",
    "Sie betrifft die Zusammenarbeit mit Aserbaidschan.",
    "Die Verhandlungen beginnen in Genf.",
    "Weitere Informationen folgen.",
]
FR = [
    "Le Conseil fédéral a adopté le message le 3 mars 2024.",
    "Il concerne la coopération avec l'Azerbaïdjan.",
    "Les négociations commenceront à Genève, où les délégations se réuniront.",
    "D'autres informations suivront.",
]


def _files(tmp_path):
    src, tgt = tmp_path / "src.txt", tmp_path / "tgt.txt"
    src.write_text("\n".join(DE) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(FR) + "\n", encoding="utf-8")
    return src, tgt


def test_presplit_any_language_pair(run_mt, tmp_path):
    src, tgt = _files(tmp_path)
    code, out, err = run_mt("align", src, tgt, "--src", "de", "--tgt", "fr", "--presplit",
                            "--format", "beads")  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == ["[0]:[0]", "[1]:[1]", "[2]:[2]", "[3]:[3]"]
    code, out, _ = run_mt("align", src, tgt, "--src", "de", "--tgt", "fr", "--presplit",
                          "--format", "json")  # fmt: skip
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[2]["de"] == DE[2] and rows[2]["fr"] == FR[2]
    assert all(0.0 <= r["score"] <= 1.0 for r in rows)


def test_score_prints_vecalign_figures(run_mt, tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text("[0]:[0]\n[1]:[1]\n[2,3]:[2]\n[]:[3]\n", encoding="utf-8")
    perfect = tmp_path / "a.beads"
    perfect.write_text("[0]:[0]\n[1]:[1]\n[2,3]:[2]\n[]:[3]\n", encoding="utf-8")
    half = tmp_path / "b.beads"
    half.write_text("[0]:[0]\n[1]:[1]\n[2]:[2]\n[3]:[3]\n", encoding="utf-8")
    code, out, err = run_mt("align", "score", gold, perfect, half, "--json")
    assert code == 0, err
    scores = json.loads(out)
    assert scores[str(perfect)]["f1_strict"] == 1.0
    # As vecalign's score_bitext: precision over all 4 test beads (2 right), recall over the
    # 3 gold beads that are not null (2 found): P 1/2, R 2/3, F1 4/7.
    row = scores[str(half)]
    assert (row["precision_strict"], row["recall_strict"]) == (0.5, 2 / 3)
    assert abs(row["f1_strict"] - 4 / 7) < 1e-9
    code, out, _ = run_mt("align", "score", gold, half)
    assert out.splitlines()[0].split("\t")[:4] == ["test", "strict_p", "strict_r", "strict_f1"]


def test_align_errors(run_mt, tmp_path):
    src, tgt = _files(tmp_path)
    assert_one_line(run_mt("align", src, tgt, "--src", "de", "--tgt", "de", "--presplit"), 2,
                    "both de")  # fmt: skip
    assert_one_line(run_mt("align", src, tgt, "--src", "de", "--tgt", "fr", "--method", "x"),
                    2, "unknown aligner")  # fmt: skip
    assert_one_line(run_mt("align", "score", tmp_path / "none.txt", src), 2, "no such file")
