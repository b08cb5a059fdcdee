"""The corpus layer: segmentation, the sentence-aligned store, alignment, import and export."""
