"""The translation pipeline: a document in, the same document in another language out.

paragraphs → sentences (the corpus segmenter) → normalization → identical sentences once →
translation memory (a human translation in the store wins) → glossary terms and inline markup
masked by placeholders → length-sorted batches under a token budget → decoding → placeholders
restored, glossary verified → original order and layout.

Why placeholders: a model that sees ``The [1] said`` keeps the sentence whole (good
translation) while the markup or glossary term behind ``[1]`` is restored exactly. Models do
not always copy a placeholder, so every restoration is checked and has a fallback that
cannot lose markup: a sentence whose term placeholders got lost is translated again without
them; one whose markup placeholders got lost is translated run by run (the text between
markup), which keeps every tag.

Why the glossary is "repaired" by default rather than masked up front: masking hides the
term from the model, so Russian and Azerbaijani lose the case ending (``встретился с [1]``
→ ``с Гейдар Алиев``). So each sentence is first translated as it is; only the sentences
whose terms the verification misses are translated again with the terms masked.
``glossary_mode="mask"`` masks every term first (consistency over grammar).

Pivot directions (az↔ru through en) chain engines: placeholders travel through both.

The package, one job per module: :mod:`.translator` (the :class:`Translator`, the steps
above), :mod:`.results` (:class:`TranslationResult`, :class:`SentenceRecord`),
:mod:`.decoding` (:class:`DecodeOptions`, loop detection), :mod:`.sentences` (the inner
document of sentences and markup slots, sentence cutting), :mod:`.placeholders` (``[n]``
masking and restoring), :mod:`.memory` (translation memory keys and loading) and
:mod:`.repair` (glossary loading, modes and the repair check). Everything is importable from
here as before the split.
"""

from mt.translate.batching import BATCHES_PER_CALL
from mt.translate.pipeline.decoding import _LOOP as _LOOP
from mt.translate.pipeline.decoding import DecodeOptions
from mt.translate.pipeline.decoding import _degenerate as _degenerate
from mt.translate.pipeline.memory import _tm_key as _tm_key
from mt.translate.pipeline.memory import load_memory
from mt.translate.pipeline.placeholders import _PLACEHOLDER as _PLACEHOLDER
from mt.translate.pipeline.placeholders import _Request as _Request
from mt.translate.pipeline.placeholders import build_request
from mt.translate.pipeline.repair import GLOSSARY_MODES, misses
from mt.translate.pipeline.repair import _check_glossary_mode as _check_glossary_mode
from mt.translate.pipeline.repair import _load_glossary as _load_glossary
from mt.translate.pipeline.results import SentenceRecord, TranslationResult
from mt.translate.pipeline.sentences import _SPACES as _SPACES
from mt.translate.pipeline.sentences import _boundaries as _boundaries
from mt.translate.pipeline.sentences import _cut as _cut
from mt.translate.pipeline.sentences import _merge_text as _merge_text
from mt.translate.pipeline.sentences import _Sent as _Sent
from mt.translate.pipeline.sentences import _Slot as _Slot
from mt.translate.pipeline.sentences import _split_sentences as _split_sentences
from mt.translate.pipeline.sentences import _squash as _squash
from mt.translate.pipeline.sentences import _strip as _strip
from mt.translate.pipeline.sentences import _Unit as _Unit
from mt.translate.pipeline.sentences import _walk as _walk
from mt.translate.pipeline.sentences import _wordy as _wordy
from mt.translate.pipeline.translator import Progress, Translator
from mt.translate.pipeline.translator import _check_chain as _check_chain

__all__ = [
    "BATCHES_PER_CALL",
    "GLOSSARY_MODES",
    "DecodeOptions",
    "Progress",
    "SentenceRecord",
    "TranslationResult",
    "Translator",
    "build_request",
    "load_memory",
    "misses",
]
