"""A throwaway CA and a server certificate made with the openssl CLI.

The CA has critical basicConstraints CA:TRUE and keyUsage keyCertSign/cRLSign; the server
certificate carries subjectAltName, serverAuth EKU, SKI and AKI, so Python accepts it with
``ssl.VERIFY_X509_STRICT``. Both keys are EC prime256v1.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import subprocess
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from . import find_tool


class CertPaths(NamedTuple):
    ca: Path
    cert: Path
    key: Path


_CONFIG = """\
[ req ]
distinguished_name = req_dn
prompt = no
x509_extensions = ca_ext

[ req_dn ]
CN = appealwatch test CA

[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ ca ]
default_ca = test_ca

[ test_ca ]
database = {dir}/index.txt
new_certs_dir = {dir}/issued
serial = {dir}/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
x509_extensions = server_ext

[ policy_any ]
commonName = supplied

[ server_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
extendedKeyUsage = serverAuth
subjectAltName = {san}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
"""


def _san(hosts: Iterable[str]) -> str:
    entries = []
    for host in hosts:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            entries.append(f"DNS:{host}")
        else:
            entries.append(f"IP:{host}")
    return ",".join(entries)


def _asn1_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


def _openssl(*args: str | os.PathLike[str], cwd: Path) -> None:
    proc = subprocess.run(
        [find_tool("openssl"), *map(str, args)],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"openssl {' '.join(map(str, args[:2]))} failed ({proc.returncode}): {proc.stderr}"
        )


def make_ca_and_server(
    directory: str | os.PathLike[str],
    hosts: Iterable[str] = ("localhost", "127.0.0.1", "::1"),
    days: int = 30,
    expired: bool = False,
) -> CertPaths:
    """Write ca.crt, server.crt and server.key (plus CA bookkeeping) into ``directory``.

    With ``expired=True`` the server certificate was valid two days ago until one day ago,
    so a verifying client must reject it with "certificate has expired".
    """
    d = Path(directory)
    work = d / "ca-work"
    (work / "issued").mkdir(parents=True, exist_ok=True)
    (work / "index.txt").write_text("")
    (work / "serial").write_text(secrets.token_hex(16) + "\n")
    cnf = work / "openssl.cnf"
    cnf.write_text(_CONFIG.format(dir=work, san=_san(hosts)))

    ca_key, ca_crt = d / "ca.key", d / "ca.crt"
    key, csr, crt = d / "server.key", work / "server.csr", d / "server.crt"
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(
        "req",
        "-config",
        cnf,
        "-x509",
        *ec,
        "-keyout",
        ca_key,
        "-out",
        ca_crt,
        "-days",
        str(days + 1),
        cwd=work,
    )
    _openssl(
        "req",
        "-config",
        cnf,
        "-new",
        *ec,
        "-keyout",
        key,
        "-out",
        csr,
        "-subj",
        f"/CN={next(iter(hosts), 'localhost')}",
        cwd=work,
    )
    if expired:
        now = datetime.now(UTC)
        validity = (
            "-startdate",
            _asn1_time(now - timedelta(days=2)),
            "-enddate",
            _asn1_time(now - timedelta(days=1)),
        )
    else:
        validity = ("-days", str(days))
    _openssl(
        "ca",
        "-config",
        cnf,
        "-batch",
        "-notext",
        "-cert",
        ca_crt,
        "-keyfile",
        ca_key,
        *validity,
        "-in",
        csr,
        "-out",
        crt,
        cwd=work,
    )
    for secret in (ca_key, key):
        secret.chmod(0o600)
    return CertPaths(ca=ca_crt, cert=crt, key=key)
