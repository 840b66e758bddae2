"""A private network of namespaces for the multi-host test: one host per namespace, a bridge in
a namespace of its own, the test subnet blackholed in the root namespace so no packet leaves."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

SUBNET = "10.200.0.0/16"
# host name -> its address on the bridge
HOSTS = {
    "etcd1": "10.200.0.10",
    "etcd2": "10.200.0.13",
    "etcd3": "10.200.0.14",
    "pg1": "10.200.0.11",
    "pg2": "10.200.0.12",
    "web1": "10.200.0.21",
    "web2": "10.200.0.22",
    "worker1": "10.200.0.31",
    "worker2": "10.200.0.32",
    "lb": "10.200.0.40",
    "client": "10.200.0.50",
}


def missing() -> str:
    """Why the namespaces cannot be made here, or '' when they can."""
    if os.geteuid() != 0:
        return "needs root (ip netns, veth pairs, a bridge)"
    for tool in ("ip", "nft", "etcd", "patroni", "haproxy", "pgbouncer", "runuser"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            return f"{tool} is not installed (.ci/run installs it)"
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return "PostgreSQL is not installed"
    probe = f"tgprobe{uuid.uuid4().hex[:6]}"
    if _ip("netns", "add", probe, check=False).returncode != 0:
        return "ip netns does not work here"
    _ip("netns", "del", probe, check=False)
    return ""


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


@dataclass
class Network:
    """The namespaces of one test run; `ns(host)` names a host's namespace."""

    tag: str
    hosts: dict[str, str] = field(default_factory=lambda: dict(HOSTS))

    @property
    def bridge_ns(self) -> str:
        return f"{self.tag}-br"

    def ns(self, host: str) -> str:
        return f"{self.tag}-{host}"

    def address(self, host: str) -> str:
        return self.hosts[host]

    def port_name(self, host: str) -> str:
        """The bridge's side of the host's veth pair (at most 15 characters)."""
        return f"p{self.tag[-4:]}{host}"[:15]

    def run(self, host: str, *command: str) -> list[str]:
        """`command` as run on `host`."""
        return ["ip", "netns", "exec", self.ns(host), *command]

    def link(self, host: str, up: bool) -> None:
        """Plug the host's cable in or out (the bridge's side of its veth pair)."""
        state = "up" if up else "down"
        _ip("-n", self.bridge_ns, "link", "set", self.port_name(host), state)

    def drop_packets(self, host: str, percent: int) -> None:
        """Lose `percent` of the packets the host receives (nftables; 0 removes the rule)."""
        ns = self.ns(host)
        subprocess.run(
            ["ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "loss"],
            capture_output=True,
            check=False,
        )
        if percent:
            rules = (
                "table inet loss {\n chain input {\n  type filter hook input priority 0;\n"
                f"  iifname eth0 numgen random mod 100 < {percent} drop\n }}\n}}\n"
            )
            subprocess.run(
                ["ip", "netns", "exec", ns, "nft", "-f", "-"], input=rules, text=True, check=True
            )

    def root_route(self) -> str:
        """How the root namespace would send a packet to the test subnet."""
        found = _ip("route", "get", self.address("pg1"), check=False)
        return (found.stdout + found.stderr).strip()


def _create(net: Network) -> None:
    _ip("route", "replace", "blackhole", SUBNET)  # FIRST: nothing for 10.200/16 leaves this machine
    _ip("netns", "add", net.bridge_ns)
    _ip("-n", net.bridge_ns, "link", "add", "br0", "type", "bridge")
    _ip("-n", net.bridge_ns, "link", "set", "br0", "up")
    for host, address in net.hosts.items():
        ns, port = net.ns(host), net.port_name(host)
        _ip("netns", "add", ns)
        # Created inside the host's namespace, the pair never appears in the root namespace.
        _ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", port)
        _ip("-n", ns, "link", "set", port, "netns", net.bridge_ns)
        _ip("-n", net.bridge_ns, "link", "set", port, "master", "br0", "up")
        _ip("-n", ns, "addr", "add", f"{address}/16", "dev", "eth0")
        _ip("-n", ns, "link", "set", "eth0", "up")
        _ip("-n", ns, "link", "set", "lo", "up")


def _kill_all(ns: str) -> None:
    """SIGKILL every process left in the namespace (Patroni's postmasters detach themselves)."""
    for _ in range(50):
        pids = _ip("netns", "pids", ns, check=False).stdout.split()
        if not pids:
            return
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        time.sleep(0.1)


def _destroy(net: Network) -> None:
    existing = set(_ip("netns", "list", check=False).stdout.split())
    for host in [*net.hosts, "br"]:
        ns = net.bridge_ns if host == "br" else net.ns(host)
        if ns in existing:
            _kill_all(ns)
            _ip("netns", "del", ns, check=False)  # its veth ends go with it
    _ip("route", "del", "blackhole", SUBNET, check=False)


@contextmanager
def private_network() -> Iterator[Network]:
    """The namespaces, bridge and blackhole route; all removed at the end, even on failure."""
    net = Network(tag=f"tg{uuid.uuid4().hex[:4]}")
    try:
        _create(net)
        yield net
    finally:
        _destroy(net)
