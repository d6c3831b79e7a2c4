"""``python -m hocvuso.cli``: the same as the ``hocvuso`` command."""

from hocvuso.cli import app

app()
