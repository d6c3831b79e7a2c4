"""scripts/services.sh sets a test PostgreSQL up with trust on the local socket and loopback
only (issue 11, item 12): a line for any other address keeps its password method."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HBA = """\
# TYPE  DATABASE        USER            ADDRESS                 METHOD
local   all             postgres                                peer
local   all             all                                     peer
host    all             all             127.0.0.1/32            scram-sha-256
host    all             all             ::1/128                 scram-sha-256
local   replication     all                                     peer
host    replication     all             127.0.0.1/32            md5
host    all             all             0.0.0.0/0               scram-sha-256
host    all             all             ::/0                    scram-sha-256
host    all             all             10.0.0.0/8              md5
host    all             all             samenet                 scram-sha-256
hostssl all             all             127.0.0.1/32            scram-sha-256
host    all             all             127.0.0.10/32           md5
"""


def test_only_the_local_socket_and_loopback_are_trusted(tmp_path: Path) -> None:
    hba = tmp_path / "pg_hba.conf"
    hba.write_text(HBA)
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "services.sh"), "--trust-loopback", str(hba)],
        check=True,
        timeout=30,
    )
    lines = [line.split() for line in hba.read_text().splitlines()[1:]]
    trusted = [
        (kind, address)
        for kind, _db, _user, *rest in lines
        if rest[-1] == "trust"
        for address in [rest[0] if len(rest) == 2 else ""]
    ]
    assert trusted == [
        ("local", ""),
        ("local", ""),
        ("host", "127.0.0.1/32"),
        ("host", "::1/128"),
        ("local", ""),
        ("host", "127.0.0.1/32"),
    ]
    untouched = HBA.splitlines()[7:]
    assert hba.read_text().splitlines()[7:] == untouched  # every other address: as it was
