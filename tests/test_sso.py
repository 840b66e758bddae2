"""Single sign-on without a browser: ID-token checks, linking rules, configuration and the CLI."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey
from sqlalchemy import select
from tests.test_cli import run

from tiegraph.connectors import oidc
from tiegraph.errors import InvalidInputError
from tiegraph.services.org import sso
from tiegraph.services.org.auth import PasswordSignInOffError, set_password, verify_sign_in
from tiegraph.services.org.members import add_member, leave_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.services.org.sso_sign_in import SsoRefusedError, link_identity
from tiegraph.store import Store
from tiegraph.store.schema import member_identity, organization

ISSUER = "https://idp.example"
CLIENT = "tiegraph-app"
NONCE = "n-0123456789"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
KEYS = KeySet([KEY])


def id_token(key: Any = KEY, alg: str = "RS256", **changes: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "s-1", "iat": now, "exp": now + 300}
    claims |= {"nonce": NONCE, "email": "ana@us.example", "email_verified": True}
    claims.update(changes)
    return jwt.encode({"alg": alg, "kid": "k1"}, claims, key)


def test_a_good_id_token_names_the_identity() -> None:
    identity = oidc.verify_id_token(id_token(name="Ana"), KEYS, ISSUER, CLIENT, NONCE)
    assert identity == oidc.Identity(ISSUER, "s-1", "ana@us.example", True, "Ana")
    unverified = oidc.verify_id_token(id_token(email_verified=False), KEYS, ISSUER, CLIENT, NONCE)
    assert not unverified.email_verified


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (lambda: id_token(nonce="replayed"), "nonce"),
        (lambda: id_token(aud="another-app"), "aud"),
        (lambda: id_token(iss="https://evil.example"), "iss"),
        (lambda: id_token(exp=int(time.time()) - 600), "exp"),
        (lambda: id_token(key=RSAKey.generate_key(2048, parameters={"kid": "k1"})), "signature"),
        (lambda: id_token(key=OctKey.generate_key(256), alg="HS256"), "signature"),
        (lambda: id_token()[:-8] + "AAAAAAAA", "signature"),
        (lambda: "not.a.token", "signature"),
    ],
)
def test_a_bad_id_token_is_refused(token: Any, reason: str) -> None:
    with pytest.raises(oidc.IdTokenError, match=reason):
        oidc.verify_id_token(token(), KEYS, ISSUER, CLIENT, NONCE)


def test_an_id_token_without_the_nonce_is_refused() -> None:
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "s", "iat": 1, "exp": int(time.time()) + 60}
    token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, KEY)
    with pytest.raises(oidc.IdTokenError, match="nonce"):
        oidc.verify_id_token(token, KEYS, ISSUER, CLIENT, NONCE)


def _identity(subject: str, email: str | None, verified: bool = True) -> oidc.Identity:
    return oidc.Identity(ISSUER, subject, email, verified, "")


def test_first_sign_in_links_by_email_then_by_subject(store: Store) -> None:
    org = resolve_org(store)
    ana = add_member(store, org, email="ana@us.example", name="Ana", addresses=("a@us.example",))
    bo = add_member(store, org, email="bo@us.example", name="Bo")
    assert link_identity(store, org, _identity("s-ana", "A@US.example")).member.id == ana.id
    # The provider later says s-ana has Bo's address: still Ana, never Bo.
    assert link_identity(store, org, _identity("s-ana", "bo@us.example")).member.id == ana.id
    with pytest.raises(SsoRefusedError, match="already linked"):
        link_identity(store, org, _identity("s-other", "ana@us.example"))
    with pytest.raises(SsoRefusedError, match="not a member"):
        link_identity(store, org, _identity("s-eve", "eve@elsewhere.example"))
    with pytest.raises(SsoRefusedError, match="verified"):
        link_identity(store, org, _identity("s-bo", "bo@us.example", verified=False))
    with pytest.raises(SsoRefusedError, match="email address"):
        link_identity(store, org, _identity("s-bo", None))
    leave_member(store, org, bo)
    with pytest.raises(SsoRefusedError, match="not a member"):
        link_identity(store, org, _identity("s-bo", "bo@us.example"))
    with store.read() as conn:
        links = conn.execute(select(member_identity.c.subject)).scalars().all()
    assert links == ["s-ana"]


def test_the_client_secret_is_sealed_and_never_shown(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = resolve_org(sqlite_store)
    secret = "very-secret-client-secret"
    monkeypatch.delenv("TIEGRAPH_SECRET_KEY", raising=False)
    with pytest.raises(InvalidInputError, match="TIEGRAPH_SECRET_KEY"):
        sso.set_sso(sqlite_store, org, issuer=ISSUER, client_id=CLIENT, client_secret=secret)
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", "a-server-secret-of-some-length")
    config = sso.set_sso(sqlite_store, org, issuer=ISSUER, client_id=CLIENT, client_secret=secret)
    with sqlite_store.read() as conn:
        stored = json.dumps(conn.execute(select(organization.c.settings)).scalars().all())
    assert secret not in stored and secret not in json.dumps(config.as_dict())
    assert sso.client_secret(config) == secret
    assert config.provider_name == "idp.example"
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", "another-server-secret-now")
    with pytest.raises(sso.SsoUnavailableError, match="cannot be opened"):
        sso.client_secret(config)


def test_issuers_and_secret_sources_are_checked(sqlite_store: Store) -> None:
    org = resolve_org(sqlite_store)
    for issuer in ("http://idp.example", "ftp://idp.example", "https://idp.example/?x=1", ""):
        with pytest.raises(InvalidInputError, match="issuer"):
            sso.set_sso(sqlite_store, org, issuer=issuer, client_id="c", client_secret_env="X")
    with pytest.raises(InvalidInputError, match="client-secret-env"):
        sso.set_sso(sqlite_store, org, issuer=ISSUER, client_id="c", client_secret_env="not a name")
    with pytest.raises(InvalidInputError, match="client secret is missing"):
        sso.set_sso(sqlite_store, org, issuer=ISSUER, client_id="c")
    google = sso.set_sso(
        sqlite_store, org, issuer="https://accounts.google.com", client_id="c",
        client_secret_env="G_SECRET",
    )  # fmt: skip
    assert google.provider_name == "Google" and google.as_dict()["client_secret"].startswith("$")
    with pytest.raises(sso.SsoUnavailableError, match="G_SECRET is not set"):
        sso.client_secret(google)


def test_password_sign_in_off(sqlite_store: Store) -> None:
    org = resolve_org(sqlite_store)
    ana = add_member(sqlite_store, org, email="ana@us.example", name="Ana", role="admin")
    set_password(sqlite_store, org, ana, "a good password")
    with pytest.raises(InvalidInputError, match="configure single sign-on first"):
        sso.set_password_sign_in(sqlite_store, org, False)
    sso.set_sso(sqlite_store, org, issuer=ISSUER, client_id=CLIENT, client_secret_env="S")
    assert verify_sign_in(sqlite_store, "ana@us.example", "a good password") is not None
    sso.set_password_sign_in(sqlite_store, org, False)
    with pytest.raises(PasswordSignInOffError, match=r"Sign in with idp\.example"):
        verify_sign_in(sqlite_store, "ana@us.example", "a good password")
    with pytest.raises(InvalidInputError, match="switch it on first"):
        sso.remove_sso(sqlite_store, org)
    sso.set_password_sign_in(sqlite_store, org, True)
    sso.remove_sso(sqlite_store, org)
    assert sso.get_sso(sqlite_store, org) is None


def test_cli_configures_single_sign_on(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    args = ("--db", db_url)
    assert run(capsys, "init", *args)[0] == 0
    code, out, _ = run(
        capsys, "org", "sso", "set", "--issuer", "https://dev-1.okta.com/oauth2/default",
        "--client-id", "abc", "--client-secret-env", "OKTA_SECRET", *args,
    )  # fmt: skip
    assert code == 0 and "provider name: Okta" in out and "$OKTA_SECRET" in out
    assert run(capsys, "org", "sso", "password-sign-in", "off", *args)[0] == 0
    code, out, _ = run(capsys, "org", "sso", "show", "--json", *args)
    assert json.loads(out)["sso"]["password_sign_in"] is False
    code, _, err = run(capsys, "org", "sso", "remove", *args)
    assert code == 2 and "switch it on first" in err
    code, _, err = run(capsys, "org", "sso", "set", "--issuer", "http://x.example",
                       "--client-id", "c", "--client-secret-env", "S", *args)  # fmt: skip
    assert code == 2 and "must use https" in err and "Traceback" not in err
