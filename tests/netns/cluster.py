"""The processes of the multi-host test, each started on its host with `ip netns exec`: three
etcd members, two Patroni-managed PostgreSQL 15 nodes, tiegraph web processes (each through
its host's pgbouncer) and workers, and HAProxy (for the web processes and for the primary)."""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from tests.netns.network import Network

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = max(glob.glob("/usr/lib/postgresql/*/bin") or [""], key=lambda p: (len(p), p))
HAPROXY_CONFIG = ROOT / "docs" / "haproxy.cfg"
PATRONI_CONFIG = ROOT / "docs" / "patroni.yml"
PGBOUNCER_CONFIG = ROOT / "docs" / "pgbouncer.ini"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
ETCD = ("etcd1", "etcd2", "etcd3")
WEB_PORT = 8000
STREAMING = ("running", "streaming")
# Longer than a live worker's heartbeat can hang on a dead primary (tcp_user_timeout 10 s,
# then connect_timeout 5 s to the next host), as docs/deploy.md says to set it.
STALLED_AFTER = 16


@dataclass
class Cluster:
    """Everything started for one run; `stop_all` ends what is still running."""

    net: Network
    folder: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(
        self, name: str, host: str, command: list[str], *, user: str = "", **env: str
    ) -> None:
        """Start `command` on `host`, its output in `folder/name.log`."""
        as_user = ["runuser", "-u", user, "--"] if user else []
        with (self.folder / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                self.net.run(host, *as_user, *command),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**_environment(), **env},
            )

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash or a lost host would end it (the process only, not its host)."""
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait(10)

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    def on(self, host: str, *command: str, timeout: float = 60) -> str:
        """Run a short command on `host` and return its output (it must succeed)."""
        done = subprocess.run(
            self.net.run(host, *command),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_environment(),
        )
        if done.returncode != 0:
            raise AssertionError(f"{command} on {host} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def curl(self, host: str, url: str) -> str:
        """GET `url` from `host`; '' when it does not answer."""
        done = subprocess.run(
            self.net.run(host, "curl", "-s", "-m", "2", url), capture_output=True, text=True
        )
        return done.stdout if done.returncode == 0 else ""

    # --- etcd and Patroni -----------------------------------------------------------------

    def start_etcd(self) -> None:
        """Three etcd members, one per host: the cluster keeps its quorum with one of them gone."""
        peers = ",".join(f"{m}=http://{self.net.address(m)}:2380" for m in ETCD)
        for member in ETCD:
            address = self.net.address(member)
            self.start(
                member,
                member,
                [
                    "etcd",
                    f"--name={member}",
                    f"--data-dir={self.folder / member}",
                    f"--listen-client-urls=http://{address}:2379",
                    f"--advertise-client-urls=http://{address}:2379",
                    f"--listen-peer-urls=http://{address}:2380",
                    f"--initial-advertise-peer-urls=http://{address}:2380",
                    f"--initial-cluster={peers}",
                    "--initial-cluster-token=tiegraph",
                    "--enable-v2=true",  # Debian's Patroni 3.0 talks the v2 API (python3-etcd)
                ],
            )
        for member in ETCD:
            url = f"http://{self.net.address(member)}:2379/health"
            wait_for(lambda m=member, u=url: "true" in self.curl(m, u), 30, f"{member} healthy")

    def start_patroni(self, node: str) -> None:
        postgres = pwd.getpwnam("postgres")
        home = self.folder / node
        home.mkdir(mode=0o700)
        os.chown(home, postgres.pw_uid, postgres.pw_gid)
        config = home / "patroni.json"
        config.write_text(json.dumps(patroni_config(self.net, node, home), indent=2))
        os.chown(config, postgres.pw_uid, postgres.pw_gid)
        self.start(node, node, ["patroni", str(config)], user="postgres")

    def patroni(self, node: str) -> dict[str, object]:
        """The node's own view (Patroni's REST API), or {} when it does not answer."""
        answer = self.curl("client", f"http://{self.net.address(node)}:8008/patroni")
        try:
            found: dict[str, object] = json.loads(answer)
        except ValueError:
            return {}
        return found

    def leader_and_sync_standby(self) -> tuple[str, str] | None:
        """(leader, synchronous standby) once both stream, else None."""
        answer = self.curl("client", f"http://{self.net.address('pg1')}:8008/cluster")
        if not answer:
            answer = self.curl("client", f"http://{self.net.address('pg2')}:8008/cluster")
        try:
            members = json.loads(answer)["members"]
        except (ValueError, KeyError):
            return None
        roles = {m["name"]: (m["role"], m.get("state")) for m in members}
        leader = [n for n, (role, _) in roles.items() if role == "leader"]
        # Patroni 3.0 says "running" of a replica that streams (later ones say "streaming").
        sync = [n for n, (r, s) in roles.items() if r == "sync_standby" and s in STREAMING]
        return (leader[0], sync[0]) if leader and sync else None

    # --- tiegraph and HAProxy ---------------------------------------------------------------

    @property
    def database_url(self) -> str:
        """Every PostgreSQL node; libpq takes the one that accepts writes (workers, the probe)."""
        hosts = "&".join(f"host={self.net.address(n)}:5432" for n in ("pg1", "pg2"))
        return f"postgresql+psycopg://postgres:postgres@/postgres?{hosts}&target_session_attrs=read-write"

    # The web host's own pgbouncer (docs/pgbouncer.ini), in transaction mode.
    web_database_url = "postgresql+psycopg://postgres:postgres@127.0.0.1:6432/postgres?pgbouncer=1"

    def tiegraph_env(self) -> dict[str, str]:
        return {
            "TIEGRAPH_SECRET_KEY": "multi-host-test-secret-key",
            "TIEGRAPH_TRUSTED_PROXIES": self.net.address("lb"),
        }

    def start_pgbouncer(self, host: str) -> None:
        """docs/pgbouncer.ini on `host`, its user list in a folder of its own (run as nobody:
        pgbouncer refuses root)."""
        home = self.folder / f"{host}-pgbouncer"
        home.mkdir(mode=0o755)
        (home / "userlist.txt").write_text('"postgres" "postgres"\n')
        config = PGBOUNCER_CONFIG.read_text().replace(
            "/etc/pgbouncer/userlist.txt", str(home / "userlist.txt")
        )
        (home / "pgbouncer.ini").write_text(config)
        command = [PGBOUNCER, "-u", "nobody", str(home / "pgbouncer.ini")]
        self.start(f"{host}-pgbouncer", host, command)

    def start_web(self, host: str) -> None:
        """`serve` on `host`, through the host's pgbouncer (start_pgbouncer first)."""
        address = self.net.address(host)
        command = [python(), "-m", "tiegraph", "serve", "--host", address, "--port",
                   str(WEB_PORT), "--no-with-worker", "--db", self.web_database_url]  # fmt: skip
        self.start(host, host, command, **self.tiegraph_env())

    def start_worker(self, host: str) -> None:
        command = [python(), "-m", "tiegraph", "worker", "--heartbeat", "1", "--stalled-after",
                   str(STALLED_AFTER), "--sweep-every", "1", "--db", self.database_url]  # fmt: skip
        self.start(host, host, command, **self.tiegraph_env())

    def start_haproxy(self) -> None:
        self.start("lb", "lb", ["haproxy", "-db", "-f", str(HAPROXY_CONFIG)])

    def web_up(self, host: str) -> bool:
        return '"ok"' in self.curl("client", f"http://{self.net.address(host)}:{WEB_PORT}/healthz")


def patroni_config(net: Network, node: str, home: Path) -> dict[str, Any]:
    """docs/patroni.yml as this node runs it: its name, address and folders."""
    config: dict[str, Any] = yaml.safe_load(PATRONI_CONFIG.read_text())
    address = net.address(node)
    config["name"] = node
    config["restapi"] = {"listen": f"{address}:8008", "connect_address": f"{address}:8008"}
    config["etcd"]["hosts"] = [f"{net.address(member)}:2379" for member in ETCD]
    postgresql = config["postgresql"]
    postgresql.update(
        listen=f"{address}:5432",
        connect_address=f"{address}:5432",
        data_dir=str(home / "data"),
        bin_dir=PG_BIN,
        pgpass=str(home / "pgpass"),
    )
    postgresql["parameters"]["unix_socket_directories"] = str(home)
    return config


def _environment() -> dict[str, str]:
    """Ours, with the tree under test first on the path (the tiegraph processes)."""
    path = os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]).strip(os.pathsep)
    return {**os.environ, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}


def python() -> str:
    return sys.executable


def wait_for(predicate: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
