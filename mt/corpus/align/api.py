"""One call from two plain texts to beads: what ``mt align`` and the store's aligner use.

Why a separate entry point: the CLI, the store and the benchmarks must all segment the same
way before aligning, or sentence indexes would not match the gold and the stored segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mt.corpus.align.base import DEFAULT_METHOD, Bead, get_aligner


def flatten(paragraphs: Sequence[Sequence[str]]) -> list[str]:
    """Sentences of all paragraphs in order: the 0-based index space beads refer to."""
    return [s for p in paragraphs for s in p]


def align_segmented(
    src: Sequence[Sequence[str]],
    tgt: Sequence[Sequence[str]],
    src_lang: str,
    tgt_lang: str,
    method: str = DEFAULT_METHOD,
) -> list[Bead]:
    """Align documents already segmented into paragraphs of sentences."""
    return get_aligner(method).align(src, tgt, src_lang, tgt_lang)


def align_documents(
    src_text: str,
    tgt_text: str,
    src_lang: str,
    tgt_lang: str,
    method: str = DEFAULT_METHOD,
) -> tuple[list[str], list[str], list[Bead]]:
    """Segment both texts (blank lines = paragraphs) and align them.

    Returns the flattened source and target sentences and the beads over their indexes.
    Unsupported languages and unknown methods raise :class:`~mt.errors.UserError`.
    """
    from mt.corpus.segment import segment

    src = segment(src_text, src_lang)
    tgt = segment(tgt_text, tgt_lang)
    beads = align_segmented(src, tgt, src_lang, tgt_lang, method)
    return flatten(src), flatten(tgt), beads


def bead_texts(
    src: Sequence[str], tgt: Sequence[str], beads: Sequence[Bead]
) -> list[tuple[str, str]]:
    """Each bead's source and target text, sentences joined by a space (for tsv output)."""
    return [(" ".join(src[i] for i in b.src), " ".join(tgt[j] for j in b.tgt)) for b in beads]


def align_presplit(
    src_sents: Sequence[str],
    tgt_sents: Sequence[str],
    src_lang: str,
    tgt_lang: str,
    method: str = DEFAULT_METHOD,
) -> list[Bead]:
    """Align sentence lists that are already split (one sentence per item), no segmentation.

    Why: published gold (vecalign's format) indexes its own sentence split, so resegmenting
    would break the indexes; and such data comes in any language. Codes are only checked for
    their shape (ISO 639-1/3), so de, fr, is, el... work. Aligners without a presplit entry
    point get the lists as one paragraph each (Gale-Church also accepts any code here, with
    its default priors and the document's own length ratio).
    """
    aligner = get_aligner(method)
    presplit = getattr(aligner, "align_presplit", None)
    if presplit is not None:
        return presplit(list(src_sents), list(tgt_sents), src_lang, tgt_lang)
    return aligner.align([list(src_sents)], [list(tgt_sents)], src_lang, tgt_lang)


def align_files(
    src_file: str | Path,
    tgt_file: str | Path,
    src_lang: str,
    tgt_lang: str,
    method: str = DEFAULT_METHOD,
    *,
    presplit: bool = False,
) -> tuple[list[str], list[str], list[Bead]]:
    """``mt align SRC TGT``: read two renderings (``-``: stdin, for one of them), bring each
    into its language's standard script, segment (unless ``presplit``: one sentence per
    line already) and align. Returns the sentences of both sides and the beads."""
    from mt.errors import UserError
    from mt.lang import check_code, standard_script
    from mt.textio import read_lines, read_text

    src_lang, tgt_lang = check_code(src_lang), check_code(tgt_lang)
    if src_lang == tgt_lang:
        raise UserError(f"source and target language are both {src_lang}")
    if str(src_file) == "-" and str(tgt_file) == "-":
        raise UserError("only one of the two renderings can come from standard input (-)")
    if presplit:
        src_sents = [standard_script(line, src_lang) for line in read_lines(src_file)]
        tgt_sents = [standard_script(line, tgt_lang) for line in read_lines(tgt_file)]
        return src_sents, tgt_sents, align_presplit(src_sents, tgt_sents, src_lang, tgt_lang,
                                                    method=method)  # fmt: skip
    src_text = standard_script(read_text(src_file), src_lang)
    tgt_text = standard_script(read_text(tgt_file), tgt_lang)
    return align_documents(src_text, tgt_text, src_lang, tgt_lang, method)
