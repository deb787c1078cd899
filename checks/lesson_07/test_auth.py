"""Lesson 07 checks: registering, logging in, tokens, the login throttle and the secret key.

The checks register users through the API (POST /users) and log in with the OAuth2 form
(POST /token). To test how your app treats bad tokens they forge their own, signed with the
SECRET_KEY they gave your app - so a token they make is exactly one your app could have issued,
except for the one thing each check changes. They read and change a user's row directly (the
`users` table: `hashed_password`, `is_active`) where no endpoint does it, and replace
`app.security.now` to move time forward instead of waiting.
"""

import base64
import importlib
import json
import re
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
from jose import jwt
from passlib.context import CryptContext
from passlib.hash import bcrypt, pbkdf2_sha256

from workbook import expect

where = pytest.mark.where

# The key and the cheap hashing settings conftest.py gives the app.
SECRET_KEY = "checks-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz"
CHEAP_HASHING = ["ARGON2_MEMORY_COST", "ARGON2_TIME_COST", "ARGON2_PARALLELISM", "BCRYPT_ROUNDS", "PBKDF2_ROUNDS"]

PASSWORD = "correct horse battery staple"
ISSUER = AUDIENCE = "task-tracker"
KNOWN_SCHEMES = CryptContext(schemes=["argon2", "bcrypt", "pbkdf2_sha256"])
OLD_HASHES = {
    "pbkdf2_sha256": lambda password: pbkdf2_sha256.using(rounds=1000).hash(password),
    "bcrypt": lambda password: bcrypt.using(rounds=4).hash(password),
}


# --------------------------------------------------------------------------- set-up through the API


def loaded(module):
    """A module of the app under check, as the running app imported it."""
    return sys.modules.get(module) or importlib.import_module(module)


def register(client, name="Ann", email=None, password=PASSWORD):
    email = email or f"{name.lower()}@example.com"
    response = client.post("/users", json={"name": name, "email": email, "password": password})
    expect.prerequisite(
        response.status_code == 201 and isinstance(response.json(), dict) and "id" in response.json(),
        f"POST /users registers a user and answers 201 with its id (got {expect.phrase(response.status_code)}).",
        where="app/users.py, TODO(register)",
    )
    return {**response.json(), "email": email, "password": password}


def login(client, email, password=PASSWORD):
    return client.post("/token", data={"username": email, "password": password})


def log_in(client, user):
    """Set-up step: log `user` in; the token pair."""
    response = login(client, user["email"], user["password"])
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
    expect.prerequisite(
        response.status_code == 200 and isinstance(body, dict) and "access_token" in body,
        f"POST /token with the right email and password answers 200 with an access_token (got {expect.phrase(response.status_code)}).",
        where="app/auth.py, TODO(login)",
    )
    return body


def me(client, token):
    return client.get("/users/me", headers={"Authorization": f"Bearer {token}"})


def b64(data):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_for(user_id, token_type="access", **changes):
    """The claims of a token the app could have issued; a change of None leaves that claim out."""
    issued = int(time.time())
    claims = {"sub": str(user_id), "type": token_type, "iat": issued, "exp": issued + 600, "iss": ISSUER, "aud": AUDIENCE}
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def mint(user_id, token_type="access", key=SECRET_KEY, algorithm="HS256", **changes):
    return jwt.encode(claims_for(user_id, token_type, **changes), key, algorithm=algorithm)


def accepted_first(client, user_id):
    """Set-up step: a token minted by the check like the app's own is accepted."""
    response = me(client, mint(user_id))
    expect.prerequisite(
        response.status_code == 200,
        "GET /users/me accepts a valid access token signed with SECRET_KEY (HS256; sub, type, iat, exp, iss and aud "
        f"as the README says) - got {expect.phrase(response.status_code)}.",
        where="app/security.py, TODO(read-token) and app/auth.py, TODO(current-user)",
    )


def expect_bearer_401(response, why):
    expect.status(response, 401, why)
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.lower().startswith("bearer"), (
        f"A 401 says how to authenticate: expected the header `WWW-Authenticate: Bearer`, got {challenge or 'none'}."
    )


def stored_hash(sql, email):
    rows = sql("SELECT hashed_password FROM users WHERE email = :email", email=email)
    assert rows, f"Expected a row for {email} in the users table."
    return rows[0][0]


def scheme_of(hashed):
    try:
        return KNOWN_SCHEMES.identify(hashed)
    except (ValueError, TypeError):
        return None


# --------------------------------------------------------------------------- registering


@where("app/users.py, TODO(register)")
def test_register_answers_the_user_without_the_password(client):
    """POST /users answers 201 with the user's id, name and email - never the password, never its hash."""
    response = client.post("/users", json={"name": "Ann", "email": "ann@example.com", "password": PASSWORD})
    expect.status(response, 201, "Registering creates a user.")
    body = expect.json_body(response)
    expect.has_keys(body, {"id", "name", "email"})
    assert PASSWORD not in response.text, "The answer contains the password: answer UserPublic (id, name, email) only."
    leaked = sorted(key for key in body if "password" in key.lower() or "hash" in key.lower())
    assert not leaked, f"The answer shows {leaked}: a password's hash never leaves the server."


@where("app/users.py, TODO(register)")
def test_register_stores_a_hash_not_the_password(client, sql):
    """The users table keeps a hash of the password (argon2id, bcrypt or pbkdf2_sha256), never the password itself."""
    user = register(client)
    hashed = stored_hash(sql, user["email"])
    assert hashed and PASSWORD not in hashed, "users.hashed_password holds the password itself: store hash_password(password)."
    assert scheme_of(hashed), f"users.hashed_password holds {hashed[:20]!r}..., which is not a password hash passlib knows."


@where("app/users.py, TODO(register) and app/problems.py")
def test_a_password_is_never_echoed(client):
    """An invalid registration or login form answers 422 without the password it was sent."""
    register(client)
    secret = "Sup3r-secret-passphrase"
    attempts = [
        ("POST /users with an invalid email", lambda: client.post("/users", json={"name": "Bob", "email": "not-an-email", "password": secret})),
        ("POST /users with a password that is too short", lambda: client.post("/users", json={"name": "Bob", "email": "bob@example.com", "password": "Sup3r"})),
        ("POST /token without a username", lambda: client.post("/token", data={"password": secret})),
    ]
    for what, send in attempts:
        response = send()
        expect.status(response, 422, f"{what} is invalid input.")
        shown = secret if "short" not in what else "Sup3r"
        assert shown not in response.text, f"{what}: the 422 shows the password that was sent. Never echo input back."


@where("app/schemas.py, UserCreate")
def test_short_passwords_are_refused(client):
    """POST /users refuses a password shorter than 8 characters with 422."""
    register(client)
    response = client.post("/users", json={"name": "Bob", "email": "bob@example.com", "password": "short"})
    expect.status(response, 422, "A password needs at least 8 characters (OWASP's minimum).")


# --------------------------------------------------------------------------- password hashes


def owasp_verdict(hashed):
    """None when the hash's scheme and cost meet OWASP's minimum, else what falls short."""
    if hashed.startswith("$argon2"):
        match = re.match(r"\$(argon2\w+)\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$", hashed)
        if not match:
            return f"an argon2 hash passlib does not describe: {hashed[:40]}"
        variant, m, t, p = match[1], int(match[2]), int(match[3]), int(match[4])
        if variant != "argon2id":
            return f"{variant}; OWASP recommends argon2id (argon2__type='ID')"
        # OWASP's equivalent argon2id settings: memory in KiB, passes.
        if any(m >= memory and t >= passes for memory, passes in [(47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5)]):
            return None
        return f"argon2id with m={m} KiB, t={t}, p={p}; OWASP's minimum is m=19456 KiB (19 MiB), t=2, p=1"
    if hashed.startswith(("$2b$", "$2a$", "$2y$")):
        cost = int(hashed.split("$")[2])
        return None if cost >= 10 else f"bcrypt with cost {cost}; OWASP's minimum is 10"
    if hashed.startswith("$pbkdf2-sha256$"):
        rounds = int(hashed.split("$")[2])
        return None if rounds >= 600_000 else f"pbkdf2_sha256 with {rounds} rounds; OWASP's minimum is 600000"
    return f"a hash of another scheme ({hashed[:20]}...); use argon2id"


@where("app/security.py, TODO(context)")
def test_production_hashing_cost_meets_owasp(lesson, hashing_env, monkeypatch, tmp_path):
    """With no hashing settings in the environment, app.security.pwd_context hashes new passwords at OWASP's minimum cost or above (argon2id: 19 MiB, 2 passes)."""
    for name in CHEAP_HASHING:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    security = lesson.import_fresh("app.security")
    context = getattr(security, "pwd_context", None)
    expect.prerequisite(
        isinstance(context, CryptContext),
        "app/security.py defines `pwd_context`, a passlib CryptContext.",
        where="app/security.py, TODO(context)",
    )
    verdict = owasp_verdict(context.hash("a probe password"))
    assert verdict is None, (
        f"With the default settings, new passwords are hashed with {verdict}. The checks make hashing cheap through "
        "the environment; the defaults are what production gets."
    )


@where("app/security.py, TODO(context) and TODO(verify)")
@pytest.mark.parametrize("old_scheme", sorted(OLD_HASHES))
def test_an_old_hash_still_verifies(client, sql, old_scheme):
    """A user whose stored hash was made by an older scheme (bcrypt, pbkdf2_sha256) still logs in with the right password."""
    user = register(client)
    if scheme_of(stored_hash(sql, user["email"])) == old_scheme:
        old_scheme = next(s for s in OLD_HASHES if s != old_scheme)  # "older" than the scheme your app uses
    sql("UPDATE users SET hashed_password = :h WHERE email = :e", h=OLD_HASHES[old_scheme](PASSWORD), e=user["email"])
    response = login(client, user["email"])
    expect.status(
        response, 200,
        f"A {old_scheme} hash from an older version of the app must still verify: list the scheme in the CryptContext.",
    )


@where("app/security.py, TODO(verify) and app/auth.py, TODO(login)")
@pytest.mark.parametrize("old_scheme", sorted(OLD_HASHES))
def test_an_old_hash_is_upgraded_at_login(client, sql, old_scheme):
    """After a successful login, a hash of an older scheme is replaced by a hash of the app's own scheme (argon2id)."""
    user = register(client)
    current = scheme_of(stored_hash(sql, user["email"]))
    if current == old_scheme:
        old_scheme = next(s for s in OLD_HASHES if s != old_scheme)
    old = OLD_HASHES[old_scheme](PASSWORD)
    sql("UPDATE users SET hashed_password = :h WHERE email = :e", h=old, e=user["email"])
    expect.prerequisite(
        login(client, user["email"]).status_code == 200,
        f"a user with a {old_scheme} hash logs in with the right password.",
        where="app/security.py, TODO(context)",
    )
    new = stored_hash(sql, user["email"])
    assert new != old, (
        f"The {old_scheme} hash is still stored after a successful login: use verify_and_update and store the new "
        "hash it gives."
    )
    assert scheme_of(new) == current, f"The new hash should be of the scheme registration uses ({current}); it is {scheme_of(new)}."
    if current == "argon2":
        assert new.startswith("$argon2id$"), f"The new hash should be argon2id; it starts with {new[:12]!r}."
    expect.status(login(client, user["email"]), 200, "The upgraded hash must verify the same password.")


# --------------------------------------------------------------------------- logging in


@where("app/auth.py, TODO(login)")
def test_login_answers_a_token_pair(client):
    """POST /token with the form fields username (the email) and password answers 200 with an access_token, a refresh_token and token_type "bearer"."""
    user = register(client)
    response = login(client, user["email"])
    expect.status(response, 200, "The right email and password log the user in.")
    body = expect.json_body(response)
    expect.has_keys(body, {"access_token", "refresh_token", "token_type"})
    assert str(body["token_type"]).lower() == "bearer", f"token_type is 'bearer' (OAuth2), got {body['token_type']!r}."
    expect.status(me(client, body["access_token"]), 200, "The access token from POST /token opens GET /users/me.")


@where("app/security.py, TODO(create-token)")
def test_access_token_claims(client):
    """The access token is an HS256 JWT signed with SECRET_KEY whose claims are sub (the user's id, a string), type "access", iat, exp (at most 30 minutes later), iss and aud."""
    user = register(client)
    token = log_in(client, user)["access_token"]
    try:
        claims = jwt.decode(token, SECRET_KEY, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"The access token does not verify with SECRET_KEY, HS256, iss and aud {ISSUER!r}: {exc}") from None
    assert claims.get("sub") == str(user["id"]), f"`sub` is the user's id as a string ({str(user['id'])!r}); got {claims.get('sub')!r}."
    assert claims.get("type") == "access", f"`type` is 'access' in an access token; got {claims.get('type')!r}."
    expect.has_keys(claims, {"iat", "exp"}, "the token's claims")
    lifetime = claims["exp"] - claims["iat"]
    assert 0 < lifetime <= 30 * 60, f"An access token lives a short time (at most 30 minutes); this one lives {lifetime} seconds."
    assert abs(claims["iat"] - time.time()) < 120, "`iat` is when the token was issued: now."


@where("app/auth.py, TODO(login)")
def test_unknown_user_and_wrong_password_look_the_same(client):
    """An unknown email and a wrong password get the identical answer: 401, the same body, the same headers."""
    user = register(client)
    wrong = login(client, user["email"], "not the password")
    unknown = login(client, "nobody@example.com", "not the password")
    expect_bearer_401(wrong, "A wrong password is 401 Unauthorized.")
    expect.status(unknown, 401, "An unknown email is 401 Unauthorized, like a wrong password.")
    assert unknown.json() == wrong.json(), (
        f"The two answers differ, which tells an attacker which emails have accounts.\nWrong password: {wrong.text}\n"
        f"Unknown email:  {unknown.text}"
    )
    assert dict(unknown.headers) == dict(wrong.headers), (
        f"The headers differ: {dict(wrong.headers)} versus {dict(unknown.headers)}."
    )


@where("app/auth.py, TODO(login)")
def test_unknown_user_still_costs_a_hash_check(client, monkeypatch):
    """A login with an unknown email still verifies the password against a (dummy) hash, so it takes as long as a wrong password."""
    user = register(client)
    calls = []
    for name in ("verify", "verify_and_update", "dummy_verify"):
        original = getattr(CryptContext, name)

        def counting(self, *args, _original=original, **kwargs):
            calls.append(1)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(CryptContext, name, counting)
    expect.status(login(client, user["email"], "not the password"), 401, "A wrong password is 401.")
    known = len(calls)
    calls.clear()
    expect.status(login(client, "nobody@example.com", "not the password"), 401, "An unknown email is 401.")
    assert calls, (
        f"A wrong password ran {known} password verification(s); an unknown email ran none, so it answers faster and "
        "gives away that the account does not exist. Verify the password against a dummy hash (verify_dummy)."
    )


@where("app/auth.py, TODO(login)")
def test_a_disabled_account_cannot_log_in(client, sql):
    """A user whose account is disabled (users.is_active false) gets the same 401 as a wrong password, even with the right one."""
    user = register(client)
    sql("UPDATE users SET is_active = :active WHERE email = :e", active=False, e=user["email"])
    expect_bearer_401(login(client, user["email"]), "A disabled account cannot log in.")


@where("app/auth.py and app/security.py")
def test_openapi_offers_the_password_flow(client):
    """The OpenAPI document declares OAuth2's password flow with tokenUrl "token", so the Authorize button of /docs logs in."""
    log_in(client, register(client))
    schemes = expect.json_body(client.get("/openapi.json")).get("components", {}).get("securitySchemes", {})
    flows = [s.get("flows", {}).get("password", {}) for s in schemes.values() if s.get("type") == "oauth2"]
    assert flows, f"No OAuth2 security scheme in /openapi.json (found {schemes}): depend on OAuth2PasswordBearer(tokenUrl='token')."
    assert any(str(flow.get("tokenUrl", "")).strip("/") == "token" for flow in flows), f"tokenUrl should be 'token', got {flows}."


# --------------------------------------------------------------------------- tokens


@where("app/security.py, TODO(read-token) and app/auth.py, TODO(current-user)")
def test_a_valid_access_token_opens_users_me(client):
    """GET /users/me with a valid access token answers 200 with the user the token names."""
    user = register(client)
    other = register(client, "Bob")
    response = me(client, mint(user["id"]))
    expect.status(response, 200, "A valid access token (signed with SECRET_KEY, claims as the README says) is accepted.")
    body = expect.json_body(response)
    assert body.get("id") == user["id"] and body.get("email") == user["email"], (
        f"GET /users/me answers the token's user ({user['email']}), got {body}."
    )
    assert expect.json_body(me(client, mint(other["id"]))).get("email") == other["email"], "Each token names its own user."


@where("app/auth.py, TODO(current-user)")
def test_no_token_is_401(client):
    """GET /users/me without a token answers 401 with WWW-Authenticate: Bearer."""
    accepted_first(client, register(client)["id"])
    expect_bearer_401(client.get("/users/me"), "Without a token there is nobody to answer for.")


def _alg_none(user_id):
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims_for(user_id))}."


def _alg_hs(user_id):
    return f"{b64({'alg': 'HS', 'typ': 'JWT'})}.{b64(claims_for(user_id))}.{b64(b'not a signature')}"


BAD_TOKENS = {
    "alg none": _alg_none,
    "alg HS": _alg_hs,
    "wrong signature": lambda uid: mint(uid, key="another-key-0123456789-another-key-0123456789"),
    "wrong algorithm HS512": lambda uid: mint(uid, algorithm="HS512"),
    "expired": lambda uid: mint(uid, iat=int(time.time()) - 3600, exp=int(time.time()) - 60),
    "no exp": lambda uid: mint(uid, exp=None),
    "nbf in the future": lambda uid: mint(uid, nbf=int(time.time()) + 3600),
    "wrong audience": lambda uid: mint(uid, aud="another-api"),
    "wrong issuer": lambda uid: mint(uid, iss="someone-else"),
    "refresh as access": lambda uid: mint(uid, token_type="refresh"),
    "no type": lambda uid: mint(uid, type=None),
    "no sub": lambda uid: mint(uid, sub=None),
    "sub not a user": lambda uid: mint(uid, sub="999999"),
    "not a jwt": lambda uid: "not-a-token",
}


@where("app/security.py, TODO(read-token)")
@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_a_bad_token_is_401(client, case):
    """Every token the app did not issue as an access token - forged, expired, for another audience, a refresh token... - answers 401 with WWW-Authenticate: Bearer, never 200 or 500."""
    user = register(client)
    accepted_first(client, user["id"])
    response = me(client, BAD_TOKENS[case](user["id"]))
    expect_bearer_401(response, f"A token with {case} must be refused.")


@where("app/auth.py, TODO(current-user)")
def test_a_token_of_a_deleted_user_is_401(client, sql):
    """A valid access token whose user has been deleted answers 401."""
    user = register(client)
    token = log_in(client, user)["access_token"]
    sql("DELETE FROM users WHERE id = :id", id=user["id"])
    expect_bearer_401(me(client, token), "The token's user no longer exists.")


@where("app/auth.py, TODO(current-user)")
def test_a_token_of_a_disabled_user_is_401(client, sql):
    """A valid access token stops working as soon as its user is disabled (users.is_active false)."""
    user = register(client)
    token = log_in(client, user)["access_token"]
    expect.status(me(client, token), 200, "The token works while the account is active.")
    sql("UPDATE users SET is_active = :active WHERE id = :id", active=False, id=user["id"])
    expect_bearer_401(me(client, token), "The token's user is disabled.")


@where("app/auth.py, TODO(refresh)")
def test_refresh_gives_a_new_access_token(client):
    """POST /token/refresh with {"refresh_token": ...} answers 200 with a new access_token that opens GET /users/me."""
    user = register(client)
    pair = log_in(client, user)
    response = client.post("/token/refresh", json={"refresh_token": pair["refresh_token"]})
    expect.status(response, 200, "A valid refresh token gets a new access token.")
    body = expect.json_body(response)
    expect.has_keys(body, {"access_token"})
    expect.status(me(client, body["access_token"]), 200, "The new access token opens GET /users/me.")


@where("app/auth.py, TODO(refresh)")
@pytest.mark.parametrize("case", ["an access token", "an expired refresh token", "a forged refresh token", "a refresh token of a disabled user"])
def test_refresh_refuses_anything_but_a_valid_refresh_token(client, sql, case):
    """POST /token/refresh answers 401 for an access token, an expired or forged refresh token, and a refresh token of a disabled user."""
    user = register(client)
    pair = log_in(client, user)
    expect.prerequisite(
        client.post("/token/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 200,
        "POST /token/refresh accepts the refresh token from POST /token.",
        where="app/auth.py, TODO(refresh)",
    )
    token = {
        "an access token": pair["access_token"],
        "an expired refresh token": mint(user["id"], "refresh", iat=int(time.time()) - 7200, exp=int(time.time()) - 60),
        "a forged refresh token": mint(user["id"], "refresh", key="another-key-0123456789-another-key-0123456789"),
        "a refresh token of a disabled user": pair["refresh_token"],
    }[case]
    if case.endswith("disabled user"):
        sql("UPDATE users SET is_active = :active WHERE id = :id", active=False, id=user["id"])
    expect_bearer_401(client.post("/token/refresh", json={"refresh_token": token}), f"{case} does not get a new access token.")


@where("app/security.py, TODO(read-token)")
def test_the_refresh_token_is_not_an_access_token(client):
    """The refresh token POST /token answers does not open GET /users/me: only an access token does."""
    pair = log_in(client, register(client))
    expect.status(me(client, pair["access_token"]), 200, "The access token opens GET /users/me.")
    expect_bearer_401(me(client, pair["refresh_token"]), "A refresh token is for POST /token/refresh only (check `type`).")


# --------------------------------------------------------------------------- the login throttle

MAX_FAILURES = 5


def fail_logins(client, email, times=MAX_FAILURES):
    for attempt in range(1, times + 1):
        response = login(client, email, "not the password")
        expect.prerequisite(
            response.status_code == 401,
            f"failed login {attempt} of {times} for {email} answers 401 (got {expect.phrase(response.status_code)}).",
            where="app/auth.py, TODO(login)",
        )


@where("app/security.py, TODO(throttle) and app/auth.py, TODO(login)")
def test_repeated_failures_are_throttled(client):
    """After 5 failed logins for one email, the next attempt answers 429 with a Retry-After header - even with the right password."""
    user = register(client)
    fail_logins(client, user["email"])
    response = login(client, user["email"])
    expect.status(response, 429, "Five failures in a row: the account's logins are throttled for a while.")
    retry_after = response.headers.get("retry-after", "")
    assert retry_after.isdigit() and int(retry_after) > 0, f"A 429 says when to try again: Retry-After in seconds, got {retry_after or 'none'}."


@where("app/security.py, TODO(throttle)")
def test_the_throttle_locks_out_only_that_account(client):
    """While one email is throttled, another user still logs in (200) and a wrong password for them is a plain 401."""
    ann, bob = register(client), register(client, "Bob")
    fail_logins(client, ann["email"])
    expect.prerequisite(login(client, ann["email"]).status_code == 429, "Ann's logins are throttled after 5 failures.", where="app/security.py, TODO(throttle)")
    expect.status(login(client, bob["email"], "not the password"), 401, "Bob's failed login is his first: 401, not 429.")
    expect.status(login(client, bob["email"]), 200, "Bob is not locked out because of Ann's failures.")


@where("app/auth.py, TODO(login)")
def test_the_throttle_ignores_the_case_of_the_email(client):
    """Failures count for an email whatever its case: after 5 failures, the same email written in
    capitals answers 429 too - where the account lookup ignores case (as many databases and mail
    systems do), a new spelling must not buy five more guesses."""
    user = register(client)
    fail_logins(client, user["email"])
    shouting = user["email"].upper()
    expect.status(
        login(client, shouting, "not the password"), 429,
        f"{shouting} is the same username as {user['email']}: count its failures together (lower-case it).",
    )


@where("app/security.py, TODO(throttle) and app/auth.py, TODO(login)")
def test_unknown_emails_are_throttled_alike(client):
    """An email that has no account is throttled after 5 failures like one that has: the 429 does not reveal which accounts exist."""
    register(client)
    fail_logins(client, "nobody@example.com")
    expect.status(
        login(client, "nobody@example.com"), 429,
        "Count failures per username whether or not it has an account - otherwise a 429 proves the account exists.",
    )


@where("app/security.py, TODO(throttle)")
def test_the_throttle_ends_when_the_window_has_passed(client, monkeypatch):
    """15 minutes after the failures, the account logs in again (the checks move app.security.now forward)."""
    user = register(client)
    security = loaded("app.security")
    start = datetime.now(timezone.utc)
    monkeypatch.setattr(security, "now", lambda: start)
    fail_logins(client, user["email"])
    expect.prerequisite(login(client, user["email"]).status_code == 429, "the account's logins are throttled after 5 failures.", where="app/security.py, TODO(throttle)")
    monkeypatch.setattr(security, "now", lambda: start + timedelta(minutes=5))
    expect.status(login(client, user["email"]), 429, "5 minutes later the account is still throttled (the window is 15 minutes).")
    monkeypatch.setattr(security, "now", lambda: start + timedelta(minutes=15, seconds=1))
    expect.status(
        login(client, user["email"]), 200,
        "Once the 15-minute window has passed, the failures no longer count: the account is not locked forever. "
        "Read the time with app.security.now().",
    )


# --------------------------------------------------------------------------- the secret key

WEAK_KEYS = {
    "missing": None,
    "too short": "changeme-please",
    "published in FastAPI's docs": "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7",
}


@where("app/config.py, TODO(secret-key)")
@pytest.mark.parametrize("case", list(WEAK_KEYS))
def test_production_refuses_a_weak_secret_key(database, lesson, monkeypatch, case):
    """With ENVIRONMENT=production, the app refuses to start when SECRET_KEY is missing, shorter than 32 bytes or a published example key."""
    key = WEAK_KEYS[case]
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    try:
        lesson.client("app.main:app")
    except Exception as exc:  # noqa: BLE001 - refusing to start is the requirement
        if "NotImplementedError" in f"{type(exc).__name__}: {exc}":
            raise
        return
    raise AssertionError(
        f"The app started in production with a SECRET_KEY that is {case}: anyone could sign tokens for any user. "
        "Raise an error from the settings instead."
    )


@where("app/config.py, TODO(secret-key)")
def test_development_runs_without_a_secret_key(database, lesson, monkeypatch):
    """With ENVIRONMENT=development and no SECRET_KEY, the app starts (with a random key of its own) and logging in works."""
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    client = lesson.client("app.main:app")
    pair = log_in(client, register(client))
    expect.status(me(client, pair["access_token"]), 200, "In development the app signs and verifies tokens with a key of its own.")
