"""Test certificates for the TLS tests (test_traces_tls.py, the https remote-write test), made at test
time with the `openssl` command (Debian's openssl package) in a temporary directory:

- `ca`: the test CA; `other_ca`: an unrelated one.
- `server`: a server certificate for `IP:127.0.0.1, DNS:localhost`, signed by `ca`.
- `client`: a client certificate (CN `test client`) for mutual TLS, signed by `ca`.

P-256 keys (fast to make); valid for two days. Also: an `ssl.SSLContext` for Python servers.

Nothing here needs the gateway binary.
"""

from __future__ import annotations

import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

OPENSSL = "openssl"

_SCRIPT = r"""
set -e
cd "$1"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
ca() {
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}
leaf() {
  key "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$3"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n%s\n' "$5" "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" -days 2 -extfile "$1.ext"
}
ca ca "Test CA"
ca other-ca "Other CA"
leaf server ca localhost "subjectAltName=IP:127.0.0.1,DNS:localhost" serverAuth
leaf client ca "test client" "" clientAuth
"""


@dataclass(frozen=True)
class CertKey:
    cert: str
    key: str


@dataclass(frozen=True)
class PKI:
    directory: Path

    def path(self, name: str) -> str:
        return str(self.directory / name)

    @property
    def ca(self) -> str:
        return self.path("ca.pem")

    @property
    def other_ca(self) -> str:
        return self.path("other-ca.pem")

    @property
    def server(self) -> CertKey:
        return CertKey(self.path("server.pem"), self.path("server.key"))

    @property
    def client(self) -> CertKey:
        return CertKey(self.path("client.pem"), self.path("client.key"))

    def server_context(self, *, client_ca: str | None = None) -> ssl.SSLContext:
        """A server-side SSLContext presenting `server`; with client_ca, clients must present a
        certificate it signed."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.server.cert, self.server.key)
        if client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(client_ca)
        return ctx


def make_pki(directory: Path) -> PKI:
    """Makes the certificates in `directory` (created); fails with openssl's output."""
    directory.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(["/bin/sh", "-c", _SCRIPT, "sh", str(directory)], capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL)
    if res.returncode != 0:
        raise AssertionError(f"making test certificates with openssl failed ({res.returncode}); is Debian's "
                             f"openssl package installed?\n{res.stdout}{res.stderr}")
    return PKI(directory)
