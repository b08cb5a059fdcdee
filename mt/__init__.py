"""mt: translate, evaluate and build parallel corpora of official statements (en, az, ru)."""

__version__ = "0.1.0"
