"""``mt align SRC TGT`` (two files, no store) and ``mt align score GOLD TEST...``."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from mt.cli.options import QuietOption, VerboseOption
from mt.cli.output import detail
from mt.corpus.align.base import DEFAULT_METHOD  # the registry loads aligners only when asked

METHOD_HELP = "Aligner: {aligners}."


class AlignFormat(StrEnum):
    beads = "beads"
    tsv = "tsv"
    json = "json"


class _AlignGroup(TyperGroup):
    """``mt align SRC TGT ...`` aligns two files; ``mt align score GOLD TEST...`` scores.

    A group whose first argument, when it is not a subcommand, selects the hidden ``files``
    command: aligning two files stays the short form users type most.
    """

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["files", *args]
        return super().parse_args(ctx, args)


align_app = typer.Typer(
    cls=_AlignGroup,
    no_args_is_help=True,
    help="Align two renderings (mt align SRC TGT --src L1 --tgt L2; either file may be - for "
    "stdin), or score alignments against gold (mt align score GOLD TEST...). Any ISO 639 "
    "language code works.",
)


@align_app.command("files", hidden=True)
def align_command(
    src_file: Annotated[
        Path, typer.Argument(metavar="SRC", help="Source rendering (UTF-8 text; -: stdin).")
    ],
    tgt_file: Annotated[
        Path, typer.Argument(metavar="TGT", help="Target rendering (UTF-8 text; -: stdin).")
    ],
    src: Annotated[
        str, typer.Option("--src", metavar="LANG", help="Source language (any ISO 639 code).")
    ],
    tgt: Annotated[
        str, typer.Option("--tgt", metavar="LANG", help="Target language (any ISO 639 code).")
    ],
    fmt: Annotated[
        AlignFormat, typer.Option("--format", help="Output format.")
    ] = AlignFormat.beads,
    method: Annotated[str, typer.Option(metavar="NAME", help=METHOD_HELP)] = DEFAULT_METHOD,
    presplit: Annotated[
        bool,
        typer.Option(
            "--presplit", help="One sentence per line already (vecalign/hunalign); no splitting."
        ),
    ] = False,
    scores: Annotated[bool, typer.Option("--scores", help="Append each bead's score.")] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Align two plain-text renderings of one document (no store needed)."""
    from mt.corpus.align.api import align_files
    from mt.corpus.align.beads import format_bead
    from mt.corpus.formats._common import one_line

    src_sents, tgt_sents, beads = align_files(src_file, tgt_file, src, tgt, method,
                                              presplit=presplit)  # fmt: skip
    detail(f"{len(src_sents)} + {len(tgt_sents)} sentences, {len(beads)} beads ({method})")
    out = sys.stdout
    for bead in beads:
        s = " ".join(src_sents[i] for i in bead.src)
        t = " ".join(tgt_sents[i] for i in bead.tgt)
        if fmt is AlignFormat.beads:
            out.write(format_bead(bead, with_score=scores) + "\n")
        elif fmt is AlignFormat.tsv:
            out.write(f"{one_line(s)}\t{one_line(t)}\n")
        else:
            row = {"src": list(bead.src), "tgt": list(bead.tgt), src: s, tgt: t,
                   "score": bead.score}  # fmt: skip
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


@align_app.command("score")
def align_score_command(
    gold: Annotated[Path, typer.Argument(metavar="GOLD", help="Gold beads (vecalign format).")],
    tests: Annotated[
        list[Path],
        typer.Argument(metavar="TEST", help="Bead files to score against the gold."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Score bead files against gold: strict and lax precision, recall and F1.

    As vecalign's scorer computes them: null beads ignored in strict, pairs of sentences in
    lax."""
    from mt.corpus.align.score import score_files

    rows = {str(test): score_files([gold], [test]) for test in tests}
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    print("test\tstrict_p\tstrict_r\tstrict_f1\tlax_p\tlax_r\tlax_f1")
    for name, r in rows.items():
        figures = [r[f"{m}_{k}"] for k in ("strict", "lax") for m in ("precision", "recall", "f1")]
        print(name + "".join(f"\t{x:.4f}" for x in figures))
