"""Import aiogram with its Bot API types built on first use, not all at import.

aiogram declares its ~450 Bot API types with pydantic's ``defer_build=True``, then undoes it at
the end of ``aiogram/types/__init__.py``: a loop calls ``model_rebuild()`` on every type, with a
namespace that resolves the forward references its modules import only for type checkers. Each
rebuild regenerates the schema of every type nested in it (most of them nest ``Message``), so the
loop costs about 2 s of CPU on this project's small machines; the whole ``import aiogram`` is
about 3 s, and a bot that restarts cannot answer anyone meanwhile. Building ``Update`` alone,
with everything nested in it, takes about 0.1 s.

:func:`import_aiogram` imports aiogram with that loop turned into bookkeeping: each type keeps
the loop's namespace as its ``__pydantic_parent_namespace__`` (pydantic's own field for
"the namespace to rebuild this model in"), and pydantic builds it, as ``defer_build`` intends,
the first time it validates or serializes one. aiogram's methods are deferred like this already.
Only ``hocvuso run`` and ``hocvuso chat`` use it; anything that imports aiogram before gets the
usual eager import, and so does any pydantic whose internals differ from what is expected here.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

_PACKAGE = "aiogram."


def import_aiogram() -> bool:
    """Import aiogram with its types deferred; False if it was imported the usual way."""
    if "aiogram" in sys.modules:
        return False
    from pydantic import BaseModel

    eager = BaseModel.__dict__.get("model_rebuild")
    if not isinstance(eager, classmethod) or "__pydantic_parent_namespace__" not in dir(BaseModel):
        import aiogram  # an unexpected pydantic: the usual import

        return False
    deferred: list[type[BaseModel]] = []
    namespaces: list[Mapping[str, Any]] = []

    def defer(cls: type[BaseModel], /, **kwargs: Any) -> bool | None:
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

    patched: Any = BaseModel  # model_rebuild is replaced for the import only
    patched.model_rebuild = classmethod(defer)
    try:
        import aiogram  # noqa: F401
    finally:
        patched.model_rebuild = eager
    # Where a type is built, its forward references resolve in its module's globals, whichever
    # model's schema it is built for: give each module the names it imports only for type
    # checkers (never replacing one it has).
    for module in {sys.modules[cls.__module__] for cls in deferred}:
        for namespace in namespaces[:1]:
            for name, value in namespace.items():
                vars(module).setdefault(name, value)
    log.debug("aiogram imported with %d types built on first use", len(deferred))
    return True
