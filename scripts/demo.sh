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
echo "== align all pairs (lexical aligner, the default)"
$MT corpus align
echo "== statistics"
$MT corpus stats
echo "== export"
for pair in en-az en-ru az-ru; do
  for fmt in tmx moses tsv jsonl parquet; do
    $MT corpus export --pair "$pair" --format "$fmt" --method lexical --out "$OUT/bundle.$pair.$fmt"
  done
done
echo "== alignment quality on the gold"
.venv/bin/python benchmarks/align_quality.py
echo "== translation models"
$MT models list || true
echo "== translate a test-split release (en -> ru, az) and evaluate the default models"
release=corpora/000-mfa-human-rights/en.txt
if $MT translate "$release" --src en --tgt ru,az --out "$OUT/release.txt" -q; then
  head -c 600 "$OUT/release.ru.txt"; echo
  $MT eval run eval/bundle.toml --out "$OUT/eval" || echo "(some systems failed: see the report)"
  $MT eval history || true
else
  echo "(translation skipped: the models are not cached and the hub is unreachable;"
  echo " on a connected machine run: $MT models pull Helsinki-NLP/opus-mt-en-ru --ct2)"
fi
echo "== done: files in $OUT/"
ls -1 "$OUT"
