"""Who holds a local TCP port, so a busy port can be reported with the process to stop."""

import os
from pathlib import Path


def listening_inodes(port: int) -> set[str]:
    """Socket inodes listening on `port` (IPv4 and IPv6), from /proc/net (Linux only)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(inode)
    return inodes


def port_holder(port: int) -> str | None:
    """'pid 1234 (python -m reverse_etl.sandbox)' for the process listening on `port`, or None
    when it cannot be told (another user's process, or not Linux)."""
    inodes = listening_inodes(port)
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        if inodes & _socket_inodes(proc):
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            return f"pid {proc.name} ({command[:80]})"
    return None


def _socket_inodes(proc: Path) -> set[str]:
    """Inodes of the sockets a process has open; empty when it cannot be read (another user's,
    or gone). A descriptor closed while it is read is skipped."""
    inodes = set()
    try:
        descriptors = list((proc / "fd").iterdir())
    except OSError:
        return inodes
    for descriptor in descriptors:
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes
