"""What a translation gives back: the document and a record per sentence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from mt.translate.glossary import GlossaryIssue

if TYPE_CHECKING:
    pass


@dataclass
class SentenceRecord:
    """One sentence of the document as translated (markup stripped from both sides)."""

    index: int  # 0-based over the document
    paragraph: int
    source: str
    translation: str
    model: str | None  # None when the translation memory or a verbatim copy gave it
    from_tm: bool = False
    glossary_issues: list[GlossaryIssue] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["glossary_issues"] = [i.as_dict() for i in self.glossary_issues]
        return data


@dataclass
class TranslationResult:
    """The translated document and what produced it."""

    text: str  # the translation with the input's layout and markup
    src: str
    tgt: str
    format: str
    sentences: list[SentenceRecord]
    model: str  # the model id, or "first+second" for a pivot
    provenance: dict[str, Any]

    @property
    def glossary_issues(self) -> list[tuple[int, GlossaryIssue]]:
        """(sentence index, issue) for every term that was not honoured."""
        return [(s.index, i) for s in self.sentences for i in s.glossary_issues]

    def plain_text(self, side: str = "translation") -> str:
        """Sentences as paragraphs of plain text (what the corpus store keeps)."""
        paragraphs: dict[int, list[str]] = {}
        for s in self.sentences:
            paragraphs.setdefault(s.paragraph, []).append(getattr(s, side))
        return "\n\n".join(" ".join(p) for _, p in sorted(paragraphs.items())) + "\n"

    def qa(self) -> dict[int, list[Any]]:
        """The evaluation layer's QA checks, source against translation, sentence by
        sentence: flagged sentence index -> findings (:class:`mt.evaluate.qa.Finding`).
        Glossary terms are left out: the pipeline checks them itself
        (:attr:`glossary_issues`) with the same matcher."""
        from mt.evaluate.qa import default_checks, run_qa

        if not self.sentences:
            return {}
        sources = [s.source for s in self.sentences]
        translations = [s.translation for s in self.sentences]
        report = run_qa(sources, translations, self.src, self.tgt, checks=default_checks(None))
        return report.by_segment()
