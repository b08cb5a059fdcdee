"""Build each statement's text files and gold alignments from its hand-written ``units.txt``.

Why: the gold sentence alignment must be hand-made, and writing beads by index for three
pairs is error-prone. So each statement is authored once as *units*: the smallest groups of
sentences that translate each other across all three languages. This script writes en.txt,
az.txt and ru.txt (sentences of a paragraph joined by a space, paragraphs by a blank line)
and gold/{en-az,en-ru,az-ru}.beads, and checks that the project's segmenter splits every text
back into exactly the authored sentences (``--check``).

units.txt format::

    # comment
    @@ para            a unit that starts a new paragraph in every language
    @@ para=en,ru      ... a new paragraph only in the listed languages
    @@                 a unit in the same paragraph
    @@ keep=en-ru      do not split an n-n group into n 1-1 beads for that pair
    en: One English sentence.
    az: Bir azərbaycanca cümlə.
    az: İkinci cümlə.
    ru: Одно русское предложение.

Usage: python corpora/build.py [--check] [STATEMENT_DIR ...]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

LANGS = ("en", "az", "ru")
PAIRS = (("en", "az"), ("en", "ru"), ("az", "ru"))


@dataclass
class Unit:
    sents: dict[str, list[str]] = field(default_factory=lambda: {lang: [] for lang in LANGS})
    para: set[str] = field(default_factory=set)
    keep: set[tuple[str, str]] = field(default_factory=set)


def parse_units(path: Path) -> list[Unit]:
    units: list[Unit] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@@"):
            unit = Unit()
            for opt in line[2:].split():
                if opt == "para":
                    unit.para = set(LANGS)
                elif opt.startswith("para="):
                    unit.para = set(opt[5:].split(","))
                elif opt.startswith("keep="):
                    for p in opt[5:].split(","):
                        a, b = p.split("-")
                        unit.keep.add((a, b))
                else:
                    sys.exit(f"{path}:{lineno}: unknown unit option {opt!r}")
            if not units:
                unit.para = set(LANGS)
            units.append(unit)
            continue
        lang, sep, text = line.partition(":")
        if not sep or lang not in LANGS or not units:
            sys.exit(f"{path}:{lineno}: expected '@@' or 'en|az|ru: sentence'")
        units[-1].sents[lang].append(text.strip())
    return units


def texts(units: list[Unit]) -> dict[str, list[list[str]]]:
    """Paragraphs of sentences per language."""
    out: dict[str, list[list[str]]] = {lang: [] for lang in LANGS}
    for unit in units:
        for lang in LANGS:
            if lang in unit.para or not out[lang]:
                out[lang].append([])
            out[lang][-1].extend(unit.sents[lang])
    return {lang: [p for p in paras if p] for lang, paras in out.items()}


def beads(units: list[Unit], a: str, b: str) -> list[tuple[list[int], list[int]]]:
    pos = dict.fromkeys(LANGS, 0)
    result: list[tuple[list[int], list[int]]] = []
    for unit in units:
        ia = list(range(pos[a], pos[a] + len(unit.sents[a])))
        ib = list(range(pos[b], pos[b] + len(unit.sents[b])))
        for lang in LANGS:
            pos[lang] += len(unit.sents[lang])
        if not ia and not ib:
            continue
        if len(ia) == len(ib) > 1 and (a, b) not in unit.keep:
            result.extend(([x], [y]) for x, y in zip(ia, ib, strict=True))
        else:
            result.append((ia, ib))
    return result


def fmt(ids: list[int]) -> str:
    return "[" + ",".join(map(str, ids)) + "]"


def build(folder: Path, check: bool) -> int:
    units = parse_units(folder / "units.txt")
    paras = texts(units)
    problems = 0
    for lang in LANGS:
        body = "\n\n".join(" ".join(p) for p in paras[lang]) + "\n"
        (folder / f"{lang}.txt").write_text(body, encoding="utf-8")
    (folder / "gold").mkdir(exist_ok=True)
    for a, b in PAIRS:
        lines = [f"{fmt(x)}:{fmt(y)}" for x, y in beads(units, a, b)]
        (folder / "gold" / f"{a}-{b}.beads").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if check:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from mt.corpus.segment import segment

        for lang in LANGS:
            text = (folder / f"{lang}.txt").read_text(encoding="utf-8")
            got = [s for p in segment(text, lang) for s in p]
            want = [s for p in paras[lang] for s in p]
            if got != want:
                problems += 1
                print(f"{folder.name}/{lang}: segmenter disagrees with the authored sentences")
                for i, (g, w) in enumerate(zip(got, want, strict=False)):
                    if g != w:
                        print(f"  first difference at sentence {i}:")
                        print(f"    got:  {g!r}\n    want: {w!r}")
                        break
                else:
                    print(f"  counts differ: got {len(got)}, want {len(want)}")
    return problems


def main(argv: list[str]) -> int:
    check = "--check" in argv
    dirs = [Path(a) for a in argv if a != "--check"]
    if not dirs:
        dirs = sorted(p.parent for p in Path(__file__).parent.glob("*/units.txt"))
    problems = sum(build(d, check) for d in dirs)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
