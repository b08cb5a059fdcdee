"""Sentence alignment: bead model, aligners, bead files and scoring."""

from mt.corpus.align.base import Aligner, Bead, get_aligner, register

__all__ = ["Aligner", "Bead", "get_aligner", "register"]
