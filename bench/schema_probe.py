#!/usr/bin/env python3
"""Time from launching a provider to a served GetSchema, as Terraform launches it.

Usage: schema_probe.py SAMPLES NAME=BINARY [NAME=BINARY ...]   (prints JSON)

Runs with the bench venv's Python (it needs `cryptography` to make the client
certificate; the gRPC client is a minimal HTTP/2 one on Python's ssl module,
because grpcio's BoringSSL does not offer the ECDSA P-521 signature scheme that
go-plugin's server certificate (hashicorp/aws) needs). For every sample the
provider is started exactly as Terraform starts it: go-plugin's magic cookie,
PLUGIN_PROTOCOL_VERSIONS=5 and a fresh client certificate shaped like
Terraform's (self-signed ECDSA P-521 CA for localhost) in PLUGIN_CLIENT_CERT,
so the provider must generate its own certificate and serve mutual TLS. The
clock starts just before the process is spawned and stops when the complete
GetSchema response has arrived over the unix socket from the handshake line.
Reported per sample: `handshake_ms` (spawn to handshake line on stdout),
`schema_ms` (spawn to GetSchema answered), the serialized response size in
bytes, the number of resource and data source schemas in it, and the
provider's peak RSS (VmHWM) right after serving it. The provider is then shut
down through go-plugin's GRPCController.Shutdown (killed if it lingers).

Samples of the providers are interleaved (A, B, A, B, ...), after one
untimed warm-up each (page cache).
"""

import base64
import datetime
import json
import os
import ssl
import subprocess
import sys
import time

import socket
import struct
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def client_identity():
    """A certificate like the one Terraform (go-plugin) makes for each run."""
    key = ec.generate_private_key(ec.SECP521R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
        x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=True,
                data_encipherment=False, key_agreement=True, key_cert_sign=True,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]),
            critical=False,
        )
        .sign(key, hashes.SHA512())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert_pem, key_pem


def read_varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def top_level_fields(buf):
    """Counts of each top-level field number in a protobuf message."""
    counts, i = {}, 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, i = read_varint(buf, i)
        elif wire == 1:
            i += 8
        elif wire == 2:
            n, i = read_varint(buf, i)
            i += n
        elif wire == 5:
            i += 4
        else:
            raise ValueError(f"unexpected wire type {wire}")
        counts[field] = counts.get(field, 0) + 1
    return counts


def vm_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class GrpcTls:
    """Just enough gRPC over HTTP/2 over mutual TLS on a unix socket for unary
    calls: frames are parsed, response headers are skipped (no HPACK decoder
    is needed: the response message is checked instead), flow-control windows
    are opened wide at the start so no WINDOW_UPDATE is ever needed."""

    PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

    def __init__(self, socket_path, server_pem, cert_pem, key_pem):
        import tempfile

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cadata=server_pem.decode())
        with tempfile.TemporaryDirectory() as tmp:
            cert_file, key_file = os.path.join(tmp, "c.pem"), os.path.join(tmp, "k.pem")
            with open(cert_file, "wb") as f:
                f.write(cert_pem)
            with open(key_file, "wb") as f:
                f.write(key_pem)
            ctx.load_cert_chain(cert_file, key_file)
        ctx.set_alpn_protocols(["h2"])
        raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        raw.connect(socket_path)
        self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
        if self.sock.selected_alpn_protocol() != "h2":
            raise RuntimeError("server did not negotiate h2")
        self.buf = b""
        self.next_stream = 1
        big = (1 << 31) - 1
        settings = struct.pack(">HI", 2, 0) + struct.pack(">HI", 4, big)
        self.sock.sendall(
            self.PREFACE
            + self.frame(4, 0, 0, settings)
            + self.frame(8, 0, 0, struct.pack(">I", big - 65535))
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.sock.close()
        except OSError:
            pass

    @staticmethod
    def frame(kind, flags, stream, payload):
        return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload

    @staticmethod
    def hpack_int(value, prefix_bits):
        limit = (1 << prefix_bits) - 1
        if value < limit:
            return bytes([value])
        out, value = [limit], value - limit
        while value >= 128:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
        return bytes(out)

    def headers_block(self, pairs):
        # Literal header field without indexing, new name, no Huffman coding.
        block = b""
        for name, value in pairs:
            n, v = name.encode(), value.encode()
            block += b"\x00" + self.hpack_int(len(n), 7) + n + self.hpack_int(len(v), 7) + v
        return block

    def read_frame(self):
        while len(self.buf) < 9:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("connection closed")
            self.buf += chunk
        length = int.from_bytes(self.buf[:3], "big")
        kind, flags = self.buf[3], self.buf[4]
        stream = int.from_bytes(self.buf[5:9], "big") & 0x7FFFFFFF
        while len(self.buf) < 9 + length:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("connection closed")
            self.buf += chunk
        payload = self.buf[9:9 + length]
        self.buf = self.buf[9 + length:]
        return kind, flags, stream, payload

    def unary(self, path, message):
        stream = self.next_stream
        self.next_stream += 2
        block = self.headers_block([
            (":method", "POST"), (":scheme", "https"), (":path", path),
            (":authority", "localhost"), ("content-type", "application/grpc"), ("te", "trailers"),
        ])
        body = b"\x00" + struct.pack(">I", len(message)) + message
        self.sock.sendall(self.frame(1, 0x4, stream, block) + self.frame(0, 0x1, stream, body))
        data = bytearray()
        while True:
            kind, flags, sid, payload = self.read_frame()
            if kind == 4 and not flags & 0x1:  # SETTINGS: acknowledge
                self.sock.sendall(self.frame(4, 0x1, 0, b""))
            elif kind == 6 and not flags & 0x1:  # PING: answer
                self.sock.sendall(self.frame(6, 0x1, 0, payload))
            elif kind == 7:  # GOAWAY
                raise RuntimeError(f"GOAWAY from the server during {path}")
            elif sid == stream and kind == 3:
                raise RuntimeError(f"RST_STREAM from the server during {path}")
            elif sid == stream and kind in (0, 1):
                if kind == 0:
                    if flags & 0x8:  # PADDED
                        payload = payload[1:len(payload) - payload[0]]
                    data += payload
                if flags & 0x1:  # END_STREAM
                    break
        if len(data) < 5:
            raise RuntimeError(f"{path}: no response message (the call failed)")
        size = int.from_bytes(data[1:5], "big")
        if data[0] != 0 or len(data) != 5 + size:
            raise RuntimeError(f"{path}: malformed response ({len(data)} bytes)")
        return bytes(data[5:])


def sample(binary, cert_pem, key_pem):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "PLUGIN_"))}
    env.update({
        MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE,
        "PLUGIN_PROTOCOL_VERSIONS": "5",
        "PLUGIN_CLIENT_CERT": cert_pem.decode(),
    })
    started = time.perf_counter()
    proc = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline().decode().strip()
        handshake = time.perf_counter()
        fields = line.split("|")
        if len(fields) < 6 or fields[2] != "unix" or fields[4] != "grpc":
            raise RuntimeError(f"{binary}: unexpected handshake line {line!r}")
        der = base64.b64decode(fields[5] + "=" * (-len(fields[5]) % 4))
        server_pem = ssl.DER_cert_to_PEM_cert(der).encode()
        with GrpcTls(fields[3], server_pem, cert_pem, key_pem) as conn:
            response = conn.unary("/tfplugin5.Provider/GetSchema", b"")
            served = time.perf_counter()
            rss = vm_hwm_kib(proc.pid)
            try:
                conn.unary("/plugin.GRPCController/Shutdown", b"")
            except (OSError, RuntimeError):
                pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        counts = top_level_fields(response)
        return {
            "handshake_ms": (handshake - started) * 1000,
            "schema_ms": (served - started) * 1000,
            "schema_bytes": len(response),
            # GetProviderSchema.Response: 2 = resource_schemas, 3 = data_source_schemas
            "resources": counts.get(2, 0),
            "data_sources": counts.get(3, 0),
            "peak_rss_kib_after_schema": rss,
        }
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    samples = int(argv[1])
    providers = dict(arg.split("=", 1) for arg in argv[2:])
    cert_pem, key_pem = client_identity()
    for binary in providers.values():
        sample(binary, cert_pem, key_pem)  # warm-up: page cache
    out = {name: [] for name in providers}
    for _ in range(samples):
        for name, binary in providers.items():
            # A fresh client certificate per launch, as Terraform does (not timed).
            cert_pem, key_pem = client_identity()
            out[name].append(sample(binary, cert_pem, key_pem))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
