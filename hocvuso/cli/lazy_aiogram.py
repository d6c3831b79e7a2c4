"""Import aiogram with its Bot API types built on first use, not all at import.

aiogram declares its ~450 Bot API types with pydantic's ``defer_build=True``, then undoes it at
the end of ``aiogram/types/__init__.py``: a loop calls ``model_rebuild()`` on every type, with a
namespace that resolves the forward references its modules import only for type checkers. Each
rebuild regenerates the schema of every type nested in it (most of them nest ``Message``), so the
loop costs about 2 s of CPU on this project's small machines; the whole ``import aiogram`` is
about 3 s, and a bot that restarts cannot answer anyone meanwhile. Building ``Update`` alone,
with everything nested in it, takes about 0.1 s.

:func:`import_aiogram` imports aiogram with that loop turned into bookkeeping: the loop's
namespace is added to the globals of the types' modules (the names they import only for type
checkers, never replacing one they have), and pydantic builds each type, as ``defer_build``
intends, the first time it validates or serializes one. aiogram's ~230 methods
(``SendMessage``, ...), which pydantic builds as their classes are created, are deferred the
same way.
Only ``hocvuso run`` uses it (``hocvuso chat`` never imports aiogram); anything that imports
aiogram before gets the usual eager import, and so does any pydantic whose internals differ
from what is expected here.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

_PACKAGE = "aiogram."


def import_aiogram() -> bool:
    """Import aiogram with its models deferred; False if it was imported the usual way."""
    if "aiogram" in sys.modules:
        return False
    from pydantic import BaseModel

    try:
        from pydantic._internal import _model_construction

        construction: Any = _model_construction
        complete: Any = construction.complete_model_class
        mock: Any = construction.set_model_mocks
    except (ImportError, AttributeError):
        complete = mock = None
    eager = BaseModel.__dict__.get("model_rebuild")
    if complete is None or mock is None or not isinstance(eager, classmethod):
        import aiogram  # an unexpected pydantic: the usual import

        return False
    deferred: list[type[BaseModel]] = []
    namespaces: list[Mapping[str, Any]] = []

    def rebuild_later(cls: type[BaseModel], /, **kwargs: Any) -> bool | None:
        """aiogram.types' loop: keep its namespace, build nothing."""
        namespace = kwargs.get("_types_namespace")
        if (
            namespace is None
            or set(kwargs) != {"_types_namespace"}
            or not cls.__module__.startswith(_PACKAGE)
            or cls.__pydantic_complete__
            or not cls.model_config.get("defer_build")
        ):
            return eager.__func__(cls, **kwargs)  # type: ignore[no-any-return]
        namespaces.append(namespace)
        deferred.append(cls)
        return None

    def build_later(cls: type[BaseModel], *args: Any, **kwargs: Any) -> bool:
        """A model completed as its class is created (aiogram's ~230 methods): what
        ``defer_build`` does instead."""
        if cls.__module__.startswith(_PACKAGE):
            mock(cls)
            return False
        return bool(complete(cls, *args, **kwargs))

    patched: Any = BaseModel  # both are replaced for the import only
    patched.model_rebuild = classmethod(rebuild_later)
    construction.complete_model_class = build_later
    try:
        import aiogram  # noqa: F401
    finally:
        patched.model_rebuild = eager
        construction.complete_model_class = complete
    # Where a type is built, its forward references resolve in its module's globals, whichever
    # model's schema it is built for: give each module the names it imports only for type
    # checkers (never replacing one it has).
    for module in {sys.modules[cls.__module__] for cls in deferred}:
        for namespace in namespaces[:1]:
            for name, value in namespace.items():
                vars(module).setdefault(name, value)
    log.debug("aiogram imported with %d types built on first use", len(deferred))
    return True
