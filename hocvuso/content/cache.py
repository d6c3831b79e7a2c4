"""A loaded content pack kept in the data directory, so that a restart does not parse YAML.

``load_pack_cached(root, cache_dir)`` returns the same :class:`Pack` as ``load_pack(root)``. The
first call parses the pack and writes it (pickled) to ``cache_dir``; later calls read it back
in about a hundredth of the time, as long as its key still matches. The key is a hash of every
file of the pack (names and contents) and of the code that defines what a pack is (this module,
the loader, the schema, the Python and pydantic versions): an edited, added or removed content
file, or a new release of hocvuso, means a fresh parse. A cache that cannot be read (truncated,
corrupt, from another version) is ignored and rewritten; one that cannot be written (a
read-only data directory) only costs the parse. Only a pack without problems is cached.

The cache lives next to the SQLite database in the data directory and is trusted like it: it
is a pickle, so whoever can write there can run code as the bot (as they could by editing the
database the bot trusts, or its content pack).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path

import pydantic

from hocvuso.content import loader, schema
from hocvuso.content.loader import SHIPPED_PACK, Pack, load_pack

log = logging.getLogger(__name__)

#: Bump when the cache file's layout changes.
FORMAT = b"hocvuso-pack-cache 1"


def _pack_root(root: Path | None) -> Path:
    root = (root or SHIPPED_PACK).resolve()
    return root.parent if root.is_file() else root


def fingerprint(root: Path) -> str:
    """The cache key of the pack at ``root``: its files and the code that loads them."""
    digest = hashlib.sha256(FORMAT)
    digest.update(f"{sys.version}|pydantic {pydantic.VERSION}".encode())
    for code in (__file__, loader.__file__, schema.__file__):
        digest.update(Path(code).read_bytes())
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_file(root: Path, cache_dir: Path) -> Path:
    """Where the pack at ``root`` is cached (one file per pack directory)."""
    name = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return cache_dir / f"pack-{name}.pickle"


def _read(path: Path, key: str) -> Pack | None:
    try:
        with path.open("rb") as file:
            if file.readline().rstrip(b"\n") != FORMAT + b" " + key.encode():
                return None  # another pack, another version of it or of the code
            pack = pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged file must never stop the bot: parse instead
        log.warning("content pack cache %s is unreadable (%s); parsing the pack", path, exc)
        return None
    return pack if isinstance(pack, Pack) else None


def _write(path: Path, key: str, pack: Pack) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(FORMAT + b" " + key.encode() + b"\n")
                pickle.dump(pack, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)  # readers see the old file or the new one, whole
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.info("content pack cache %s not written (%s)", path, exc)


def load_pack_cached(root: Path | None = None, cache_dir: Path | None = None) -> Pack:
    """``load_pack(root)``, read from ``cache_dir`` when the pack has not changed since."""
    root = _pack_root(root)
    if cache_dir is None:
        return load_pack(root)
    key = fingerprint(root)
    path = cache_file(root, cache_dir)
    pack = _read(path, key)
    if pack is None:
        pack = load_pack(root)  # raises PackError on any problem: nothing cached then
        _write(path, key, pack)
    return pack
