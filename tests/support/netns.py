"""Several "hosts" on one Linux machine: network namespaces on one bridge.

A `Network` is a hub namespace holding a bridge, and one namespace per host, each
joined to the bridge by a veth link (`eth0` inside the host, `p-<host>` on the
hub side). The namespace the caller runs in (the test, the script) is joined too, as
the client that reaches every host. Nothing has a default route, so no host can
reach anything but its peers.

Names carry a random run id (`sl<id>-<host>`), and the subnet is a random
10.x.y.0/24 not used on this machine, so parallel runs do not collide. `close()`
SIGKILLs whatever still runs in the namespaces and deletes them, their links
and the client's link; the context manager runs it on any exit, failures
included (a run killed with SIGKILL cannot: `ip netns list` shows what it left, named
`sl<id>-*`; `ip netns delete` each). Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and iproute2.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import random
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

BRIDGE = "br0"


def ip(*args: str, check: bool = True) -> str:
    """Run `ip ARGS...`; returns its output, raises with its error when `check`."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check and done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


def unavailable() -> str | None:
    """Why namespaces cannot be made here (not root, no `ip`, not permitted); None when they can."""
    if os.geteuid() != 0:
        return "needs root: network namespaces and veth links need CAP_NET_ADMIN/CAP_SYS_ADMIN"
    if shutil.which("ip") is None:
        return "needs iproute2 (`ip`): apt-get install iproute2"
    probe = f"slprobe-{uuid.uuid4().hex[:8]}"
    try:
        ip("netns", "add", probe)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        return f"`ip netns add` is not permitted here ({exc})"
    ip("netns", "delete", probe, check=False)
    return None


def _free_subnet(rng: random.Random) -> ipaddress.IPv4Network:
    """A 10.x.y.0/24 that no address or route of this machine's namespace overlaps."""
    taken = [
        ipaddress.ip_network(word, strict=False)
        for line in (ip("-4", "-o", "addr") + ip("-4", "route")).splitlines()
        for word in line.split()
        if "/" in word and word[0].isdigit()
    ]
    for _ in range(200):
        net = ipaddress.IPv4Network(f"10.{rng.randint(64, 250)}.{rng.randint(0, 255)}.0/24")
        if not any(net.overlaps(other) for other in taken):
            return net
    raise RuntimeError("no free 10.x.y.0/24 subnet")


class Host:
    """One namespace on the network: run processes in it, kill them all, cut its link."""

    def __init__(self, network: Network, name: str, address: str) -> None:
        self.network = network
        self.name = name
        self.netns = f"{network.prefix}-{name}"
        self.ip = address
        self.port = f"p-{name}"  # its link's end on the hub's bridge

    def argv(self, command: Sequence[str]) -> list[str]:
        """`command` run inside this host (`ip netns exec` execs it: the pid is the command's)."""
        return ["ip", "netns", "exec", self.netns, *command]

    def spawn(
        self, command: Sequence[str], *, env: Mapping[str, str], cwd: Path, log: Path
    ) -> subprocess.Popen[bytes]:
        cwd.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:  # the child keeps its own descriptor
            return _popen(self.argv(command), env, cwd, out)

    def pids(self) -> list[int]:
        """Every process running in this host's namespace."""
        return [int(p) for p in ip("netns", "pids", self.netns, check=False).split()]

    def kill_all(self, timeout_s: float = 10) -> list[int]:
        """SIGKILL every process in the host (a lost machine); returns the pids killed."""
        killed: set[int] = set()
        deadline = time.monotonic() + timeout_s
        while pids := self.pids():  # a process forking meanwhile is caught on the next round
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                    killed.add(pid)
            if time.monotonic() > deadline:
                raise RuntimeError(f"processes of {self.netns} survive SIGKILL: {pids}")
            time.sleep(0.02)
        return sorted(killed)

    def link_down(self) -> None:
        """Pull the host's cable: its port on the bridge goes down, its packets go nowhere."""
        ip("-n", self.network.hub, "link", "set", self.port, "down")

    def link_up(self) -> None:
        ip("-n", self.network.hub, "link", "set", self.port, "up")


class Network:
    """The hub, its bridge, the client's link, and the hosts added with `add_host`."""

    def __init__(self) -> None:
        self.run_id = uuid.uuid4().hex[:6]
        self.prefix = f"sl{self.run_id}"
        self.hub = f"{self.prefix}-hub"
        self.subnet = _free_subnet(random.Random())
        self._addresses = iter(self.subnet.hosts())
        self.client_link = f"{self.prefix}c"  # in the caller's namespace (at most 15 characters)
        self.client_ip = ""
        self.hosts: dict[str, Host] = {}
        self._made: list[str] = []

    def __enter__(self) -> Network:
        try:
            self.open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _address(self) -> str:
        return str(next(self._addresses))

    def open(self) -> None:
        """The hub and its bridge, and the caller's own link to it."""
        ip("netns", "add", self.hub)
        self._made.append(self.hub)
        ip("-n", self.hub, "link", "set", "lo", "up")
        ip("-n", self.hub, "link", "add", BRIDGE, "type", "bridge")
        ip("-n", self.hub, "link", "set", BRIDGE, "up")
        ip("link", "add", self.client_link, "type", "veth", "peer", "name", "p-client", "netns", self.hub)
        self.client_ip = self._address()
        self._plug("p-client")
        ip("addr", "add", f"{self.client_ip}/{self.subnet.prefixlen}", "dev", self.client_link)
        ip("link", "set", self.client_link, "up")

    def _plug(self, port: str) -> None:
        ip("-n", self.hub, "link", "set", port, "master", BRIDGE)
        ip("-n", self.hub, "link", "set", port, "up")

    def add_host(self, name: str) -> Host:
        """A new namespace with loopback and `eth0` on the bridge, at the next free address."""
        if not name.isalnum() or len(name) > 13:
            raise ValueError(f"bad host name {name!r}")
        host = Host(self, name, self._address())
        ip("netns", "add", host.netns)
        self._made.append(host.netns)
        self.hosts[name] = host
        ip("-n", host.netns, "link", "set", "lo", "up")
        ip(
            "-n",
            host.netns,
            "link",
            "add",
            "eth0",
            "type",
            "veth",
            "peer",
            "name",
            host.port,
            "netns",
            self.hub,
        )
        ip("-n", host.netns, "addr", "add", f"{host.ip}/{self.subnet.prefixlen}", "dev", "eth0")
        ip("-n", host.netns, "link", "set", "eth0", "up")
        self._plug(host.port)
        return host

    def close(self) -> None:
        """Kill every process in the namespaces, delete them and the links; never raises."""
        for netns in reversed(self._made):
            for pid in ip("netns", "pids", netns, check=False).split():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
        for netns in reversed(self._made):
            deadline = time.monotonic() + 5
            while ip("netns", "pids", netns, check=False).strip() and time.monotonic() < deadline:
                time.sleep(0.02)
            ip("netns", "delete", netns, check=False)
        self._made.clear()
        ip("link", "delete", self.client_link, check=False)  # gone with the hub already, normally


def _popen(argv: list[str], env: Mapping[str, str], cwd: Path, out: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
    )
