"""A real OpenID Connect provider (node-oidc-provider, tests/oidc) run on loopback for SSO tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.servers import free_port, wait_for_port

FOLDER = Path(__file__).resolve().parent / "oidc"
NODE = shutil.which("node") or ""
# .ci/run sets it: a missing node or `npm ci` then fails the tests instead of skipping them.
REQUIRE = os.environ.get("TIEGRAPH_REQUIRE_E2E", "") == "1"
CLIENT_ID = "tiegraph-tests"
CLIENT_SECRET = "test-client-secret-0123456789"


def needs_provider() -> None:
    missing = ""
    if not NODE:
        missing = "node (Node.js 20+) is not on PATH"
    elif not (FOLDER / "node_modules" / "oidc-provider").is_dir():
        missing = f"oidc-provider is not installed: run `npm ci --prefix {FOLDER}` (.ci/run does)"
    if missing and REQUIRE:
        pytest.fail(f"TIEGRAPH_REQUIRE_E2E=1 but {missing}")
    if missing:
        pytest.skip(missing)


class OidcProvider:
    """The provider process; `accounts` maps a login to the claims it signs in with (re-read at
    every sign-in, so a test can change what the provider says about someone)."""

    def __init__(self, folder: Path, redirect_uri: str) -> None:
        needs_provider()
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.accounts_file = folder / "accounts.json"
        self.log = folder / "oidc-provider.log"
        self.set_accounts({})
        env = {
            "PATH": os.environ.get("PATH", ""),
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_REDIRECT_URI": redirect_uri,
            "OIDC_ACCOUNTS": str(self.accounts_file),
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [NODE, str(FOLDER / "provider.mjs")], env=env, stdout=log, stderr=log
            )
        wait_for_port(self.port, self.process, self.log)

    def set_accounts(self, accounts: dict[str, dict[str, object]]) -> None:
        self.accounts_file.write_text(json.dumps(accounts), encoding="utf-8")

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
