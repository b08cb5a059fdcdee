"""Bead file format: round trips and one clear UserError (with the line) per malformed case."""

from __future__ import annotations

import pytest

from mt.corpus.align.base import Bead
from mt.corpus.align.beads import format_bead, format_beads, parse_bead, read_beads
from mt.errors import UserError


@pytest.mark.parametrize(
    ("line", "bead"),
    [
        ("[0]:[0]", Bead((0,), (0,))),
        ("[1,2]:[1]", Bead((1, 2), (1,))),
        ("[3]:[2,3,4]", Bead((3,), (2, 3, 4))),
        ("[]:[5]", Bead((), (5,))),
        ("[4]:[]", Bead((4,), ())),
        ("[0]:[0]:0.25", Bead((0,), (0,), 0.25)),
        ("[0]:[0]:-1e-3", Bead((0,), (0,), -0.001)),
        ("  [ 7 , 8 ] : [ 9 ]  ", Bead((7, 8), (9,))),
    ],
)
def test_parse_valid(line: str, bead: Bead) -> None:
    assert parse_bead(line) == bead


@pytest.mark.parametrize(
    "bead",
    [Bead((0,), (0,)), Bead((1, 2), (1,)), Bead((), (3,)), Bead((4,), ()), Bead((0,), (1, 2))],
)
def test_round_trip(bead: Bead) -> None:
    assert parse_bead(format_bead(bead)) == bead


def test_format_with_score() -> None:
    bead = Bead((0, 1), (2,), 1.5)
    assert format_bead(bead) == "[0,1]:[2]"
    assert format_bead(bead, with_score=True) == "[0,1]:[2]:1.500000"
    assert format_bead(Bead((0,), (0,)), with_score=True) == "[0]:[0]"
    assert format_beads([Bead((0,), ()), Bead((), (0,))]) == "[0]:[]\n[]:[0]\n"


def test_read_file(tmp_path) -> None:
    path = tmp_path / "x.beads"
    path.write_text("[0]:[0]\n[1,2]:[1]\n\n[]:[2]\n[3]:[]:0.5\n", encoding="utf-8")
    beads = read_beads(path)
    assert [b.kind for b in beads] == ["1-1", "2-1", "0-1", "1-0"]
    assert beads[-1].score == 0.5
    assert read_beads(path, 4, 3) == beads


BAD_LINES = {
    "syntax": "[0]:[0]\n[1]-[1]\n",
    "letters": "[0]:[0]\n[a]:[1]\n",
    "missing bracket": "[0]:[0]\n[1:[1]\n",
    "negative": "[0]:[0]\n[-1]:[1]\n",
    "non-consecutive": "[0]:[0]\n[1,3]:[1]\n",
    "descending": "[0]:[0]\n[2,1]:[1]\n",
    "both empty": "[0]:[0]\n[]:[]\n",
    "overlap": "[0,1]:[0]\n[1]:[1]\n",
    "out of order": "[0]:[0]\n[2]:[1]\n[1]:[2]\n",
    "target overlap": "[0]:[0,1]\n[1]:[1]\n",
    "bad score": "[0]:[0]\n[1]:[1]:high\n",
    "nan score": "[0]:[0]\n[1]:[1]:nan\n",
    "trailing junk": "[0]:[0]\n[1]:[1]:0.5:7\n",
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_malformed_names_file_and_line(tmp_path, case: str) -> None:
    path = tmp_path / "bad.beads"
    path.write_text(BAD_LINES[case], encoding="utf-8")
    with pytest.raises(UserError) as info:
        read_beads(path)
    err = info.value
    assert err.path == str(path)
    bad_line = 3 if case == "out of order" else 2
    assert err.line == bad_line, err.format()
    assert f"{path}:{bad_line}: " in str(err)


def test_coverage_checks(tmp_path) -> None:
    path = tmp_path / "g.beads"
    path.write_text("[0]:[0]\n[2]:[1]\n", encoding="utf-8")
    assert len(read_beads(path)) == 2  # gaps are fine without counts
    with pytest.raises(UserError, match="in no bead") as info:
        read_beads(path, 3, 2)
    assert info.value.line == 2
    path.write_text("[0]:[0]\n[1]:[1]\n", encoding="utf-8")
    with pytest.raises(UserError, match="cover 2 source"):
        read_beads(path, 3, 2)
    with pytest.raises(UserError, match="beyond"):
        read_beads(path, 1, 2)


def test_empty_and_missing_files(tmp_path) -> None:
    empty = tmp_path / "e.beads"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(UserError, match="empty"):
        read_beads(empty)
    with pytest.raises(UserError, match="no such file"):
        read_beads(tmp_path / "missing.beads")
