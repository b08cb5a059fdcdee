#!/usr/bin/env bash
# The main job on the bundled corpus: build the store from corpora/, align every pair,
# show statistics, and export each pair in every format. Run through `make demo`.
set -euo pipefail
OUT=${1:-out}
MT=${MT:-.venv/bin/mt}
mkdir -p "$OUT"
export MT_DB="$OUT/corpus.sqlite"

echo "== import corpora/ into $MT_DB"
$MT corpus import corpora
echo "== align all pairs (Gale-Church)"
$MT corpus align
echo "== statistics"
$MT corpus stats
echo "== export"
for pair in en-az en-ru az-ru; do
  for fmt in tmx moses tsv jsonl parquet; do
    $MT corpus export --pair "$pair" --format "$fmt" --method gale-church --out "$OUT/bundle.$pair.$fmt"
  done
done
echo "== alignment quality on the gold"
.venv/bin/python benchmarks/align_quality.py
echo "== done: files in $OUT/"
ls -1 "$OUT"
