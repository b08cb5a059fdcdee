"""Corpus layer at scale: import rate, export rate per format, alignment time, peak memory.

Builds a synthetic corpus of statement-like en-ru sentence pairs (default 200,000, in
documents of 100 pairs), imports it through ``mt corpus import`` (JSONL with document ids),
exports it in every format, and aligns one 5,000 × 5,000-sentence document pair. Each export
runs in its own subprocess so its peak memory is its own; exports of a quarter-size store and
the full store are compared to show that memory stays flat (streaming).

Targets (issue 2): Moses/TSV export ≥ 50,000 pairs/s; export memory flat as the corpus grows;
a 5,000-sentence pair aligned in under 5 s. Issue 7: a 500,000-line Moses pair (and a TMX
without document ids, one document of the same size) imports in bounded memory, < 300 MiB
peak, at ≥ 22,000 pairs/s; each import runs in its own subprocess (``mt corpus import``),
so its peak memory (VmHWM) is its own.

With ``--postgres URL`` (an empty database it may wipe) or ``--postgres auto`` (a
throw-away server, as in the tests), the same import and exports also run against a
PostgreSQL store, and the summary prints pairs/s for both side by side.

    python benchmarks/corpus_scale.py [--pairs 200000] [--import-lines 500000] [--workdir DIR]
                                      [--postgres URL|auto]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EN_WORDS = tuple(
    "ministry foreign affairs statement cooperation agreement region security council "
    "delegation meeting relations peace development humanitarian programme support "
    "government parliament president minister citizens territory border trade energy "
    "transport corridor investment".split()
)
RU_WORDS = tuple(
    "министерство иностранных дел заявление сотрудничество соглашение регион "
    "безопасность совет делегация встреча отношения мир развитие гуманитарная "
    "программа поддержка правительство парламент президент министр граждане "
    "территория граница торговля энергетика транспорт коридор инвестиции".split()
)
EXPORT_SCRIPT = """
import sys, time
from collections import Counter
from pathlib import Path
from mt.corpus import formats
from mt.corpus.filters import apply_filters, build_filters
from mt.corpus.store import Store
db, fmt, out = sys.argv[1:4]
filters = build_filters(min_len=1, max_len=400, max_ratio=3.0, script=True, dedup="none",
                        include_machine=False)
t = time.perf_counter()
with Store.open(db, create=False) as store:
    n = formats.WRITERS[fmt](apply_filters(store.iter_pairs("en", "ru"), filters, Counter()),
                             Path(out), "en", "ru")
dt = time.perf_counter() - t
# VmHWM, not ru_maxrss: the latter survives exec and would report the parent's peak.
hwm = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(n, dt, hwm)
"""


IMPORT_SCRIPT = """
import sys, time
from mt.cli import main
t = time.perf_counter()
try:
    main(["corpus", "import", "--db", *sys.argv[1:]])
except SystemExit as exc:
    assert not exc.code, exc.code
dt = time.perf_counter() - t
hwm = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(dt, hwm)
"""


def sentence(rng: random.Random, words: tuple[str, ...] | list[str], n: int, num: int) -> str:
    body = " ".join(rng.choice(words) for _ in range(n))
    return f"{body[0].upper()}{body[1:]} {num:,} {rng.choice(words)}.".replace(",", " ")


def make_jsonl(path: Path, pairs: int, per_doc: int = 100, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(pairs):
            n = rng.randint(6, 30)
            num = rng.randint(1, 99999)
            row = {
                "en": sentence(rng, EN_WORDS, n, num),
                "ru": sentence(rng, RU_WORDS, n, num),
                "doc": f"synthetic-{i // per_doc:05d}",
                "origin": {"en": "original", "ru": "human"},
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def fresh_postgres(spec: str) -> str:
    """A URL of an empty PostgreSQL database: a throw-away server's, or ``spec`` wiped."""
    if spec == "auto":
        from tests.pg import get_server

        return get_server().new_database("bench")
    reset_postgres(spec)
    return spec


def _outputs(work: Path, name: str) -> list[bytes]:
    """The bytes of an export (Moses: both files), to compare SQLite's with PostgreSQL's."""
    return [p.read_bytes() for p in sorted(work.glob(name + "*"))]


def reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def timed_import(db: Path | str, jsonl: Path) -> tuple[int, float]:
    from mt.corpus.importer import import_paths
    from mt.corpus.store import Store

    t = time.perf_counter()
    with Store.open(db) as store:
        report = import_paths(store, [jsonl])
    return report.pairs, time.perf_counter() - t


def make_moses(prefix: Path, lines: int, seed: int = 3) -> tuple[Path, Path]:
    rng = random.Random(seed)
    en, ru = prefix.with_name(prefix.name + ".en"), prefix.with_name(prefix.name + ".ru")
    with en.open("w", encoding="utf-8") as fe, ru.open("w", encoding="utf-8") as fr:
        for _ in range(lines):
            n, num = rng.randint(6, 30), rng.randint(1, 99999)
            fe.write(sentence(rng, EN_WORDS, n, num) + "\n")
            fr.write(sentence(rng, RU_WORDS, n, num) + "\n")
    return en, ru


def timed_cli_import(db: Path, *paths: Path) -> tuple[float, float]:
    """``mt corpus import`` in a subprocess: (seconds, peak RSS in MiB)."""
    db.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_SCRIPT, str(db), *map(str, paths)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    dt, rss_kb = proc.stdout.split()[-2:]
    return float(dt), int(rss_kb) / 1024


def import_at_scale(work: Path, lines: int) -> list[tuple[str, int, float, float]]:
    """A Moses pair and the same pairs as a TMX without x-doc: one big document each."""
    from mt.corpus.formats import read_moses, write_tmx

    en, ru = make_moses(work / f"big-{lines}", lines)
    tmx = work / f"big-{lines}.tmx"
    write_tmx(read_moses(en, ru, "en", "ru"), tmx, "en", "ru")
    rows = []
    for label, paths in (("moses", (en, ru)), ("tmx", (tmx,))):
        size = sum(p.stat().st_size for p in paths) / 2**20
        dt, rss = timed_cli_import(work / f"import-{label}.sqlite", *paths)
        rows.append((label, lines, dt, rss))
        print(f"  import {label:6s} {lines:,} pairs ({size:,.0f} MiB) in {dt:6.2f} s ="
              f" {lines / dt:8,.0f} pairs/s, peak RSS {rss:6.1f} MiB")  # fmt: skip
    return rows


def timed_export(db: Path | str, fmt: str, out: Path) -> tuple[int, float, float]:
    proc = subprocess.run(
        [sys.executable, "-c", EXPORT_SCRIPT, str(db), fmt, str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    n, dt, rss_kb = proc.stdout.split()
    return int(n), float(dt), int(rss_kb) / 1024


def synthetic_document(n: int, seed: int = 7) -> tuple[list[list[str]], list[list[str]]]:
    """Two renderings of n sentences with some merges, splits and omissions."""
    rng = random.Random(seed)
    src: list[str] = []
    tgt: list[str] = []
    while len(src) < n:
        k = rng.randint(5, 40)
        num = rng.randint(1, 9999)
        s = sentence(rng, EN_WORDS, k, num)
        t = sentence(rng, RU_WORDS, int(k * rng.uniform(0.8, 1.2)) + 1, num)
        r = rng.random()
        src.append(s)
        if r < 0.03 and tgt:
            tgt[-1] = tgt[-1] + " " + t  # 2-1 merge
        elif r < 0.06:
            tgt.extend([t[: len(t) // 2] + ".", t[len(t) // 2 :]])  # 1-2 split
        elif r < 0.07:
            pass  # 1-0
        else:
            tgt.append(t)
    return [src[i : i + 50] for i in range(0, len(src), 50)], [tgt]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pairs", type=int, default=200_000)
    ap.add_argument("--import-lines", type=int, default=500_000)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument(
        "--postgres",
        default=None,
        metavar="URL|auto",
        help="also run import and export on PostgreSQL (URL: wiped first)",
    )
    ap.add_argument(
        "--skip-big-import", action="store_true", help="skip the 500,000-line import section"
    )
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="mt-corpus-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"workdir: {work}")

    if not args.skip_big_import:
        print(f"\n[import at scale: {args.import_lines:,}-line files, one document each]")
    imports = [] if args.skip_big_import else import_at_scale(work, args.import_lines)
    pg_url = fresh_postgres(args.postgres) if args.postgres else None
    pg: dict[str, float] = {}

    sizes = [args.pairs // 4, args.pairs]
    results: dict[int, dict[str, tuple[int, float, float]]] = {}
    for size in sizes:
        jsonl = work / f"pairs-{size}.jsonl"
        make_jsonl(jsonl, size)
        db = work / f"store-{size}.sqlite"
        db.unlink(missing_ok=True)
        n, dt = timed_import(db, jsonl)
        print(f"\n[{size:,} pairs] import: {n:,} pairs in {dt:.2f} s = {n / dt:,.0f} pairs/s")
        results[size] = {"import": (n, dt, 0.0)}
        for fmt in ("moses", "tsv", "jsonl", "tmx", "parquet"):
            n, dt, rss = timed_export(db, fmt, work / f"out-{size}.{fmt}")
            results[size][fmt] = (n, dt, rss)
            print(
                f"  export {fmt:8s} {n:,} pairs in {dt:6.2f} s = {n / dt:10,.0f} pairs/s,"
                f" peak RSS {rss:6.1f} MiB"
            )
        if pg_url is not None and size == sizes[-1]:
            reset_postgres(pg_url)
            n, dt = timed_import(pg_url, jsonl)
            pg["import"] = n / dt
            print(f"  [postgres] import: {n:,} pairs in {dt:.2f} s = {n / dt:,.0f} pairs/s")
            for fmt in ("moses", "tsv", "jsonl", "tmx", "parquet"):
                n, dt, rss = timed_export(pg_url, fmt, work / f"out-pg-{size}.{fmt}")
                pg[fmt] = n / dt
                same = _outputs(work, f"out-pg-{size}.{fmt}") == _outputs(work, f"out-{size}.{fmt}")
                print(f"  [postgres] export {fmt:8s} {n:,} pairs in {dt:6.2f} s ="
                      f" {n / dt:10,.0f} pairs/s, peak RSS {rss:6.1f} MiB"
                      f", same bytes as SQLite: {same}")  # fmt: skip

    small, big = sizes
    print("\nexport memory, full store vs quarter store (flat = streaming):")
    for fmt in ("moses", "tsv", "jsonl", "tmx", "parquet"):
        r_small, r_big = results[small][fmt][2], results[big][fmt][2]
        print(
            f"  {fmt:8s} {r_small:6.1f} MiB -> {r_big:6.1f} MiB  (x{r_big / r_small:.2f}"
            f" for x{big / small:.0f} pairs)"
        )

    from mt.corpus.align.base import get_aligner

    src, tgt = synthetic_document(5000)
    n_src, n_tgt = sum(map(len, src)), sum(map(len, tgt))
    aligner = get_aligner("gale-church")
    t = time.perf_counter()
    beads = aligner.align(src, tgt, "en", "ru")
    dt = time.perf_counter() - t
    print(
        f"\nalign {n_src:,} x {n_tgt:,} sentences (no paragraph anchors on one side):"
        f" {dt:.2f} s, {len(beads):,} beads (target < 5 s)"
    )

    moses = results[big]["moses"]
    tsv = results[big]["tsv"]
    print("\nsummary:")
    print(f"  moses export {moses[0] / moses[1]:,.0f} pairs/s (target >= 50,000)")
    print(f"  tsv export   {tsv[0] / tsv[1]:,.0f} pairs/s (target >= 50,000)")
    print(f"  5k alignment {dt:.2f} s (target < 5 s)")
    for label, lines, secs, rss in imports:
        rate = lines / secs
        print(f"  {label} import of {lines:,} lines: {rate:,.0f} pairs/s (target >= 22,000),"
              f" peak {rss:.0f} MiB (target < 300 MiB)")  # fmt: skip
    if pg:
        print(f"\nSQLite vs PostgreSQL, {big:,} pairs (pairs/s):")
        n, dt, _ = results[big]["import"]
        print(f"  {'import':8s} {n / dt:10,.0f}  {pg['import']:10,.0f}")
        for fmt in ("moses", "tsv", "jsonl", "tmx", "parquet"):
            n, dt, _ = results[big][fmt]
            print(f"  {fmt:8s} {n / dt:10,.0f}  {pg[fmt]:10,.0f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of this process {peak:.0f} MiB")


if __name__ == "__main__":
    main()
