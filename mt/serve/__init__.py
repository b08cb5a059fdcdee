"""``mt serve``: a LibreTranslate-compatible HTTP API with dynamic batching, our own
endpoints under ``/v1/`` and a review page for post-editing (see :mod:`mt.serve.app`).

FastAPI and uvicorn are optional (``pip install -e ".[serve]"``) and imported only when an
app is made.
"""

from mt.serve.app import ServeConfig, create_app

__all__ = ["ServeConfig", "create_app"]
