"""``python -m tests.reliability.offline [--require] -- COMMAND …``: run COMMAND with the network cut.

The command runs in a new, empty network namespace (``unshare(CLONE_NEWNET)``) in which only the
loopback interface is up: servers that the tests start on 127.0.0.1 work, every other address is
unreachable. Where creating a namespace is not permitted (not root, no user namespaces), a note is
printed and the command runs with the network as it is, unless ``--require`` is given (exit code 3).

``make test`` runs pytest through this module; ``tests/reliability/test_offline.py`` runs the README's
demo through it.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import socket
import struct
import sys

CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
ENV_MARK = "VORLAGEN_OFFLINE_NETNS"
"""Set to ``1`` in the command's environment when it really runs without network."""


def enter_empty_network_namespace() -> str | None:
    """Move this process into a new network namespace; None on success, else the reason (German)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        return f"unshare(CLONE_NEWNET) nicht erlaubt ({errno.errorcode.get(code, code)}: {os.strerror(code)})"
    bring_loopback_up()
    return None


def bring_loopback_up() -> None:
    """``ip link set lo up`` without iproute2."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def network_interfaces() -> list[str]:
    """Names of the interfaces this process sees (only ``lo`` inside the empty namespace)."""
    return [name for _, name in socket.if_nameindex()]


def main(argv: list[str]) -> int:
    require = "--require" in argv[: argv.index("--")] if "--" in argv else "--require" in argv
    command = argv[argv.index("--") + 1 :] if "--" in argv else [a for a in argv if a != "--require"]
    if not command:
        print("Aufruf: python -m tests.reliability.offline [--require] -- BEFEHL …", file=sys.stderr)
        return 2
    reason = enter_empty_network_namespace()
    if reason is None:
        os.environ[ENV_MARK] = "1"
        print(f"Ohne Netz (eigener Netz-Namensraum, nur Loopback: {', '.join(network_interfaces())}).", flush=True)
    elif require:
        print(f"Kein Lauf ohne Netz möglich: {reason}.", file=sys.stderr)
        return 3
    else:
        print(f"Hinweis: {reason}; der Befehl läuft mit Netz.", flush=True)
    sys.stdout.flush()
    os.execvp(command[0], command)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
