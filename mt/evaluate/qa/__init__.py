"""Quality checks for translated statements: the errors that matter in official texts.

Each check is one small class with the same interface (:class:`~mt.evaluate.qa.base.QACheck`:
``score`` → ``accept`` → ``explain``), so a report, a filter or a new check all plug in the same
way. :func:`run_qa` runs a set of checks over aligned source/hypothesis lines and returns a
:class:`~mt.evaluate.qa.base.QAReport` with findings per segment and a summary per check.
"""

from __future__ import annotations

from collections.abc import Sequence

from mt.errors import UserError
from mt.evaluate.qa.base import CHECKS, ERROR, WARNING, Finding, QACheck, QAReport, Segment
from mt.evaluate.qa.dates import DatesCheck, find_dates
from mt.evaluate.qa.empty import EmptyCheck
from mt.evaluate.qa.glossary import (
    GlossaryCheck,
    TermChecker,
    TranslateGlossary,
    TsvGlossary,
    load_glossary,
)
from mt.evaluate.qa.length import LengthRatioCheck

# Imported in report order: each module registers its check in CHECKS as it is imported.
from mt.evaluate.qa.numbers import NumbersCheck, find_numbers  # noqa: I001
from mt.evaluate.qa.repetition import RepetitionCheck
from mt.evaluate.qa.script import WrongScriptCheck
from mt.evaluate.qa.truncated import TruncatedCheck
from mt.evaluate.qa.untranslated import UntranslatedCheck
from mt.lang import check_lang

#: The checks by name, in report order. Each check class registers itself with
#: ``@CHECKS.register(name)`` in its module; the glossary check needs a glossary to build.
CHECK_NAMES: tuple[str, ...] = CHECKS.names()


def default_checks(glossary: TermChecker | None = None) -> list[QACheck]:
    """All checks; the glossary check only when a glossary is given."""
    return [
        cls(glossary) if cls is GlossaryCheck else cls()
        for name, cls in CHECKS.items()
        if cls is not GlossaryCheck or glossary is not None
    ]


def run_qa(
    srcs: Sequence[str],
    hyps: Sequence[str],
    src_lang: str,
    tgt_lang: str,
    checks: Sequence[QACheck] | None = None,
    glossary: TermChecker | None = None,
) -> QAReport:
    """Run the checks over aligned lines; every segment goes through every check."""
    src_lang, tgt_lang = check_lang(src_lang), check_lang(tgt_lang)
    if src_lang == tgt_lang:
        raise UserError(f"source and target language are both {src_lang}")
    if len(srcs) != len(hyps):
        raise UserError(f"line counts differ: {len(srcs)} source lines, {len(hyps)} hypotheses")
    checks = list(checks) if checks is not None else default_checks(glossary)
    segments = [Segment(i, s, h, src_lang, tgt_lang)
                for i, (s, h) in enumerate(zip(srcs, hyps, strict=True))]  # fmt: skip
    for check in checks:
        check.fit(segments)
    report = QAReport(len(segments), [c.name for c in checks])
    for seg in segments:
        for check in checks:
            finding = check.check(seg)
            if finding is not None:
                report.findings.append(finding)
    return report


__all__ = [
    "CHECK_NAMES", "CHECKS", "ERROR", "WARNING", "DatesCheck", "EmptyCheck", "Finding",
    "GlossaryCheck", "LengthRatioCheck", "NumbersCheck", "QACheck", "QAReport", "RepetitionCheck",
    "Segment", "TermChecker", "TranslateGlossary", "TruncatedCheck", "TsvGlossary",
    "UntranslatedCheck", "WrongScriptCheck", "default_checks", "find_dates", "find_numbers",
    "load_glossary", "run_qa",
]  # fmt: skip
