"""The interface every QA check shares (OpusFilter style: ``score`` then ``accept``).

A check looks at one segment (source and hypothesis with their languages) and returns a score,
a plain value such as a ratio or the list of missing numbers; ``accept`` decides whether that
score is fine and ``explain`` turns a rejected score into one readable line. Keeping the three
apart lets a report show raw scores, lets thresholds change without touching the extraction,
and lets corpus-level checks (length ratios) look at the whole batch first through ``fit``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from mt.registry import Registry

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Segment:
    """One translated segment as the checks see it."""

    index: int
    src: str
    hyp: str
    src_lang: str
    tgt_lang: str


@dataclass
class Finding:
    """A rejected segment: which check, how bad, and why in one line."""

    check: str
    index: int
    severity: str
    message: str
    score: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "index": self.index, "severity": self.severity,
                "message": self.message, "score": _jsonable(self.score)}  # fmt: skip


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


#: QA checks by name, in report order (the order their modules are imported in
#: :mod:`mt.evaluate.qa`); each check class registers itself with ``@CHECKS.register``.
CHECKS: Registry[type[QACheck]] = Registry("QA check")


class QACheck(ABC):
    """One check. Subclasses set ``name`` (and ``severity``) and implement the three steps."""

    name: ClassVar[str] = ""
    severity: ClassVar[str] = ERROR

    def fit(self, segments: Sequence[Segment]) -> None:  # noqa: B027 (optional hook)
        """Look at the whole batch before scoring (most checks need not)."""

    @abstractmethod
    def score(self, seg: Segment) -> Any:
        """The raw measurement for one segment."""

    @abstractmethod
    def accept(self, score: Any) -> bool:
        """Whether the measurement is acceptable."""

    @abstractmethod
    def explain(self, score: Any) -> str:
        """One line saying what is wrong with a rejected segment."""

    def check(self, seg: Segment) -> Finding | None:
        """Score, accept or turn into a :class:`Finding`."""
        value = self.score(seg)
        if self.accept(value):
            return None
        return Finding(self.name, seg.index, self.severity_of(value), self.explain(value), value)

    def severity_of(self, score: Any) -> str:
        return self.severity


@dataclass
class QAReport:
    """Findings per segment plus a per-check summary."""

    n_segments: int
    checks: list[str]
    findings: list[Finding] = field(default_factory=list)

    def by_segment(self) -> dict[int, list[Finding]]:
        out: dict[int, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.index, []).append(f)
        return dict(sorted(out.items()))

    def summary(self) -> dict[str, int]:
        """Flagged segments per check (every check listed, zeros included)."""
        counts = {name: 0 for name in self.checks}
        for f in self.findings:
            counts[f.check] = counts.get(f.check, 0) + 1
        return counts

    def to_dict(self, segments: Sequence[Segment] | None = None) -> dict[str, Any]:
        flagged = self.by_segment()
        rows = []
        for index, found in flagged.items():
            row: dict[str, Any] = {"index": index}
            if segments is not None:
                row |= {"src": segments[index].src, "hyp": segments[index].hyp}
            row["findings"] = [f.to_dict() for f in found]
            rows.append(row)
        return {"segments": self.n_segments, "flagged_segments": len(flagged),
                "summary": self.summary(), "flagged": rows}  # fmt: skip
