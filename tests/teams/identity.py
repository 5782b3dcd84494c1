"""A stand-in for Microsoft's identity endpoints on loopback, for the JWT tests with auth on.

The Agents SDK 1.9 has no setting for the OpenID/JWKS location: it fetches signing keys from the fixed
addresses ``https://login.botframework.com/v1/.well-known/keys`` (Bot Framework tokens) or
``https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys`` (Entra tokens) with PyJWT, and MSAL
fetches the bot's own outgoing token from ``login.microsoftonline.com``. Both use Python's standard
HTTPS stack, whose documented hooks are ``HTTPS_PROXY`` and the trusted CA file (``SSL_CERT_FILE``,
``REQUESTS_CA_BUNDLE``). So the test server process gets those variables pointing here: an HTTPS proxy
on 127.0.0.1 that answers for exactly those hosts with a certificate of the test's own CA and serves the
OpenID metadata, the JWKS and a token endpoint. The SDK's code runs unchanged; nothing leaves loopback.
"""

from __future__ import annotations

import datetime as dt
import json
import socketserver
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from jwt.algorithms import RSAAlgorithm

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
HOSTS = ("login.botframework.com", "login.microsoftonline.com")


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(subject: str, key: rsa.RSAPrivateKey, issuer_name: x509.Name | None, issuer_key: rsa.RSAPrivateKey,
                 *, ca: bool, hosts: tuple[str, ...] = ()) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class FakeIdentity:
    """Signing keys, certificates and the documents Microsoft's identity endpoints serve."""

    app_id: str
    tenant_id: str
    directory: Path
    kid: str = "vorlagen-test-schluessel"
    signing_key: rsa.RSAPrivateKey = field(default_factory=_rsa_key)
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    """(host, method, path) of every request served."""
    proxy_url: str = ""

    def __post_init__(self) -> None:
        ca_key, server_key = _rsa_key(), _rsa_key()
        ca_cert = _certificate("Vorlagen-Test-CA", ca_key, None, ca_key, ca=True)
        server_cert = _certificate(HOSTS[0], server_key, ca_cert.subject, ca_key, ca=False, hosts=HOSTS)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ca_file = self.directory / "test-ca.pem"
        self.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        chain, key_file = self.directory / "server.pem", self.directory / "server-key.pem"
        chain.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(chain, key_file)

    # ---- tokens --------------------------------------------------------------------------------------
    def token(self, *, audience: str | None = None, issuer: str = BOT_FRAMEWORK_ISSUER, lifetime_s: int = 3600,
              service_url: str | None = None, key: rsa.RSAPrivateKey | None = None, kid: str | None = None,
              **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": issuer, "aud": audience or self.app_id, "iat": now - 10, "nbf": now - 10,
                   "exp": now + lifetime_s, **claims}
        if service_url:
            payload["serviceurl"] = service_url
        return jwt.encode(payload, key or self.signing_key, algorithm="RS256", headers={"kid": kid or self.kid})

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.signing_key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def document(self, host: str, method: str, path: str) -> dict[str, Any] | None:
        entra = f"https://login.microsoftonline.com/{self.tenant_id}"
        if host == "login.botframework.com" and path.endswith("/.well-known/openidconfiguration"):
            return {"issuer": BOT_FRAMEWORK_ISSUER, "jwks_uri": "https://login.botframework.com/v1/.well-known/keys",
                    "id_token_signing_alg_values_supported": ["RS256"]}
        if path.endswith("/keys"):
            return self.jwks()
        if path.endswith("/.well-known/openid-configuration"):
            return {"issuer": f"{entra}/v2.0", "authorization_endpoint": f"{entra}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{entra}/oauth2/v2.0/token", "jwks_uri": f"{entra}/discovery/v2.0/keys"}
        if path.endswith("/discovery/instance"):
            return {"tenant_discovery_endpoint": f"{entra}/v2.0/.well-known/openid-configuration",
                    "metadata": [{"preferred_network": HOSTS[1], "preferred_cache": HOSTS[1], "aliases": [HOSTS[1]]}]}
        if method == "POST" and path.endswith("/oauth2/v2.0/token"):
            token = self.token(audience=BOT_FRAMEWORK_ISSUER, issuer=f"{entra}/v2.0", appid=self.app_id)
            return {"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": token}
        return None

    def outgoing_tokens(self) -> int:
        return sum(1 for _, method, path in self.requests if method == "POST" and path.endswith("/token"))


def _handler(identity: FakeIdentity, host: str) -> type[BaseHTTPRequestHandler]:
    class Endpoint(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = urlsplit(self.path).path
            identity.requests.append((host, self.command, path))
            document = identity.document(host, self.command, path)
            body = json.dumps(document if document is not None else {"error": "not_found"}).encode()
            self.send_response(200 if document is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *_args: object) -> None:
            pass

    return Endpoint


def _proxy_handler(identity: FakeIdentity) -> type[socketserver.StreamRequestHandler]:
    class Proxy(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            request_line = self.rfile.readline().decode("latin-1").split()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            if len(request_line) < 2 or request_line[0] != "CONNECT" or request_line[1].split(":")[0] not in HOSTS:
                self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            host = request_line[1].split(":")[0]
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            with identity.tls.wrap_socket(self.connection, server_side=True) as tls:
                _handler(identity, host)(tls, self.client_address, self.server)

    return Proxy


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def fake_identity(app_id: str, tenant_id: str, directory: Path) -> Iterator[FakeIdentity]:
    identity = FakeIdentity(app_id=app_id, tenant_id=tenant_id, directory=directory)
    server = _Server(("127.0.0.1", 0), _proxy_handler(identity))
    identity.proxy_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield identity
    finally:
        server.shutdown()
        server.server_close()

    
def unknown_key_token(identity: FakeIdentity, service_url: str) -> str:
    """Right claims, signed by a key the JWKS does not hold."""
    return identity.token(service_url=service_url, key=_rsa_key(), kid=f"fremd-{uuid.uuid4().hex[:8]}")


def proxy_environment(identity: FakeIdentity) -> dict[str, str]:
    """What the server process needs to reach this stand-in instead of Microsoft."""
    return {
        "HTTPS_PROXY": identity.proxy_url, "https_proxy": identity.proxy_url,
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        "SSL_CERT_FILE": str(identity.ca_file), "REQUESTS_CA_BUNDLE": str(identity.ca_file),
    }
