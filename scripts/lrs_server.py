"""Run ralph-malph's LRS on its file-system backend (``.venv-lrs/bin/python scripts/lrs_server.py
--port P``), for the xAPI tests and ``bench/xapi.py``.

ralph 5.1's file-system LRS backend writes with the data backend's default operation, ``create``,
which refuses to touch a file that exists: every POST after the first fails with a 500 ("already
exists and overwrite is not allowed"). Appending is what an LRS file needs, so it is set here
before the app is loaded. The other settings come from the environment (``RALPH_*``).
"""

from __future__ import annotations

import argparse

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    uvicorn.run("ralph.api:app", host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
