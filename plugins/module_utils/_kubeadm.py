# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubeadm command lines and output parsers for aiinfra.k8s (kubeadm_join_info, kubeadm filters).

Internal API: may change without notice; not for use outside this collection.
Pure functions only (no I/O, no clock): the module runs the commands, reads the files and
passes the current time in. Tested against real kubeadm v1.36 output
(tests/unit/fixtures/kubeadm/). Error messages never contain a token or certificate key.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import shlex
from datetime import datetime, timedelta, timezone

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - depends on the target's Python
    HAS_CRYPTOGRAPHY = False

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - depends on the target's Python
    HAS_YAML = False

TOKEN_RE = re.compile(r"^[a-z0-9]{6}\.[a-z0-9]{16}$")
CERTIFICATE_KEY_RE = re.compile(r"^[a-f0-9]{64}$")
CA_HASH_RE = re.compile(r"^sha256:[a-f0-9]{64}$")
DEFAULT_NODE_GROUP = "system:bootstrappers:kubeadm:default-node-token"
JOIN_USAGES = ("authentication", "signing")
TOKEN_DESCRIPTION = "aiinfra.k8s kubeadm_join_info join token"

# Go durations as kubeadm's --ttl accepts them: "24h", "1h30m", "90m", "0" (never expires).
_DURATION_PART_RE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
_RFC3339_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$")
_LOG_LINE_RE = re.compile(r"\[[a-z][a-z-]*\] |[IWEF]\d{4} \d{2}:\d{2}:\d{2}")
_PEM_CERT_RE = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.DOTALL)
_SECRET_RES = (
    (re.compile(r"\b[a-z0-9]{6}\.[a-z0-9]{16}\b"), "<token>"),
    (re.compile(r"(?<![:a-f0-9])[a-f0-9]{64}\b"), "<hex-secret>"),
)
_UNREACHABLE_RE = re.compile(
    r"connection refused|i/o timeout|no route to host|network is unreachable|context deadline exceeded|"
    r"TLS handshake timeout|Client\.Timeout exceeded|connection reset by peer|Unable to connect to the server|"
    r"the server was unable to return a response|server is currently unable to handle the request|"
    r"etcdserver: request timed out|dial tcp", re.IGNORECASE)
_AUTH_RE = re.compile(
    r"Unauthorized|forbidden|certificate has expired|certificate signed by unknown authority|"
    r"x509:", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Command lines: one function per kubeadm invocation.
# ---------------------------------------------------------------------------------------------
def token_list_command(kubeadm, kubeconfig):
    """`kubeadm token list -o json`: a stream of BootstrapToken objects."""
    return [kubeadm, "token", "list", "--kubeconfig", kubeconfig, "-o", "json"]


def token_create_command(kubeadm, kubeconfig, ttl, description=TOKEN_DESCRIPTION):
    """`kubeadm token create --print-join-command`: one call creates the token and prints
    kubeadm's own endpoint and CA hash, which the module cross-checks."""
    return [kubeadm, "token", "create", "--kubeconfig", kubeconfig, "--ttl", ttl,
            "--description", description, "--print-join-command"]


def upload_certs_command(kubeadm, kubeconfig, kubeadm_config=None, kubernetes_version=None):
    """`kubeadm init phase upload-certs --upload-certs`, offline-safe: with --config or
    --kubernetes-version kubeadm does not try to fetch the stable version from dl.k8s.io."""
    command = [kubeadm, "init", "phase", "upload-certs", "--upload-certs", "--kubeconfig", kubeconfig]
    if kubeadm_config:
        command += ["--config", kubeadm_config]
    elif kubernetes_version:
        command += ["--kubernetes-version", kubernetes_version]
    return command


def version_command(kubeadm):
    """`kubeadm version -o json`: the local client version (no API call)."""
    return [kubeadm, "version", "-o", "json"]


# ---------------------------------------------------------------------------------------------
# Durations and times
# ---------------------------------------------------------------------------------------------
def parse_duration(value):
    """Seconds in a Go duration string ("24h", "1h30m", "0"); ValueError otherwise."""
    text = str(value).strip()
    if text in ("0", "0s"):
        return 0
    if not text:
        raise ValueError("empty duration")
    pos, total = 0, 0.0
    for match in _DURATION_PART_RE.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text):
        raise ValueError("%r is not a duration (use Go syntax such as 24h, 1h30m, 90m or 0 for never)" % text)
    return int(total)


def parse_time(value):
    """An aware datetime (UTC) from an RFC 3339 timestamp as kubeadm prints it."""
    match = _RFC3339_RE.match(str(value).strip())
    if not match:
        raise ValueError("%r is not an RFC 3339 time" % (value,))
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    micro = int((match.group(7) or "0")[:6].ljust(6, "0"))
    zone = match.group(8)
    offset = timedelta(0)
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=timezone.utc) - offset


def format_time(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------
def parse_token_stream(text):
    """Parse `kubeadm token list -o json`: a stream of JSON objects (not an array).

    Returns the list of objects; a JSON array in the stream is flattened. Empty output
    (no tokens) is an empty list.
    """
    decoder = json.JSONDecoder()
    text = text or ""
    items, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return items
        if _LOG_LINE_RE.match(text, pos):
            # a kubeadm progress line ("[token] ...") or a klog line ("W1122 04:35:24.93 ...")
            newline = text.find("\n", pos)
            pos = len(text) if newline < 0 else newline + 1
            continue
        if text[pos] not in "{[":
            raise ValueError("unexpected text at offset %d of kubeadm token list output (expected JSON)" % pos)
        try:
            value, pos = decoder.raw_decode(text, pos)
        except ValueError as exc:
            raise ValueError("kubeadm token list output is not valid JSON: %s" % exc)
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, dict):
                raise ValueError("kubeadm token list printed a %s where a token object was expected"
                                 % type(item).__name__)
            items.append(item)


def token_expiry(token):
    """Expiry of a token object as a datetime, None when it never expires."""
    expires = token.get("expires")
    return parse_time(expires) if expires else None


def is_join_token(token):
    """Whether kubeadm join can use this token: usages authentication + signing and the
    default node group (the upload-certs proxy token has neither)."""
    usages = token.get("usages") or []
    groups = token.get("groups") or []
    return (TOKEN_RE.match(token.get("token") or "") is not None
            and all(u in usages for u in JOIN_USAGES)
            and DEFAULT_NODE_GROUP in groups)


def is_reusable(token, now, min_ttl_seconds):
    """A join token whose remaining lifetime is more than min_ttl_seconds (or unlimited)."""
    if not is_join_token(token):
        return False
    expires = token_expiry(token)
    return expires is None or expires > now + timedelta(seconds=min_ttl_seconds)


def choose_token(tokens, now, min_ttl_seconds):
    """The reusable token that lives longest (never-expiring first), or None."""
    candidates = [t for t in tokens if is_reusable(t, now, min_ttl_seconds)]
    if not candidates:
        return None
    far_future = datetime.max.replace(tzinfo=timezone.utc)
    return max(candidates, key=lambda t: (token_expiry(t) or far_future, t["token"]))


def parse_created_token(text):
    """The token printed by `kubeadm token create` (bare) or inside a printed join command."""
    for line in reversed((text or "").splitlines()):
        line = line.strip()
        if TOKEN_RE.match(line):
            return line
        if line.startswith("kubeadm join"):
            return parse_join_command(line)["token"]
    raise ValueError("kubeadm token create printed no bootstrap token")


def parse_certificate_key(text):
    """The certificate key of `kubeadm init phase upload-certs --upload-certs`: the last
    line that is 64 hex digits (warnings may come first)."""
    for line in reversed((text or "").splitlines()):
        if CERTIFICATE_KEY_RE.match(line.strip()):
            return line.strip()
    raise ValueError("kubeadm init phase upload-certs printed no certificate key")


def parse_version(text):
    """gitVersion of `kubeadm version -o json`."""
    try:
        data = json.loads(text)
        version = data["clientVersion"]["gitVersion"]
    except (ValueError, KeyError, TypeError):
        raise ValueError("cannot read the version from kubeadm version -o json")
    if not re.match(r"^v\d+\.\d+\.\d+", version or ""):
        raise ValueError("kubeadm reported an unexpected version %r" % (version,))
    return version


# ---------------------------------------------------------------------------------------------
# Join commands
# ---------------------------------------------------------------------------------------------
def find_join_commands(text):
    """Every `kubeadm join ...` command in a text (continuation lines joined)."""
    flat = re.sub(r"\\\s*\n", " ", text or "")
    return [line.strip() for line in flat.splitlines() if re.match(r"^\s*(sudo\s+)?kubeadm\s+join\b", line)]


def parse_join_command(command):
    """Parse one `kubeadm join` command into its parts.

    Returns dict(api_server_endpoint, token, ca_cert_hashes, control_plane, certificate_key,
    unsafe_skip_ca_verification, other_args). Raises ValueError (without echoing secrets)
    when the command is not a usable token-based join command.
    """
    if not isinstance(command, str):
        raise ValueError("expected a kubeadm join command string, got %s" % type(command).__name__)
    commands = find_join_commands(command)
    if len(commands) != 1:
        raise ValueError("expected exactly one 'kubeadm join' command, found %d" % len(commands))
    try:
        words = shlex.split(commands[0])
    except ValueError as exc:
        raise ValueError("cannot split the kubeadm join command: %s" % exc)
    if words[0] == "sudo":
        words = words[1:]
    words = words[2:]
    result = dict(api_server_endpoint=None, token=None, ca_cert_hashes=[], control_plane=False,
                  certificate_key=None, unsafe_skip_ca_verification=False, other_args=[])
    valued = {"--token": "token", "--discovery-token-ca-cert-hash": "ca_cert_hashes",
              "--certificate-key": "certificate_key"}
    index = 0
    while index < len(words):
        word = words[index]
        name, _sep, inline = word.partition("=")
        if name in valued:
            if _sep:
                value = inline
            elif index + 1 < len(words):
                index += 1
                value = words[index]
            else:
                raise ValueError("%s has no value in the kubeadm join command" % name)
            if valued[name] == "ca_cert_hashes":
                result["ca_cert_hashes"].append(value)
            else:
                result[valued[name]] = value
        elif word == "--control-plane":
            result["control_plane"] = True
        elif word == "--discovery-token-unsafe-skip-ca-verification":
            result["unsafe_skip_ca_verification"] = True
        elif word.startswith("-"):
            result["other_args"].append(word)
        elif result["api_server_endpoint"] is None:
            result["api_server_endpoint"] = word
        else:
            result["other_args"].append(word)
        index += 1

    if not result["api_server_endpoint"]:
        raise ValueError("the kubeadm join command has no API server endpoint (host:port)")
    if result["token"] is None:
        raise ValueError("the kubeadm join command has no --token")
    if not TOKEN_RE.match(result["token"]):
        raise ValueError("the --token value is not a bootstrap token: kubeadm expects 6 + 16 "
                         "lowercase letters or digits, [a-z0-9]{6}.[a-z0-9]{16}")
    for value in result["ca_cert_hashes"]:
        if not CA_HASH_RE.match(value):
            raise ValueError("--discovery-token-ca-cert-hash %r is not sha256:<64 hex digits>" % value)
    if not result["ca_cert_hashes"] and not result["unsafe_skip_ca_verification"]:
        raise ValueError("the kubeadm join command has no --discovery-token-ca-cert-hash")
    if result["certificate_key"] is not None:
        if not CERTIFICATE_KEY_RE.match(result["certificate_key"]):
            raise ValueError("the --certificate-key value is not 64 hex digits")
        if not result["control_plane"]:
            raise ValueError("--certificate-key is only valid with --control-plane")
    return result


def build_join_command(endpoint, token, ca_cert_hashes, certificate_key=None):
    """The `kubeadm join` command line for workers, or for control planes with a key."""
    parts = ["kubeadm", "join", endpoint, "--token", token]
    for value in ca_cert_hashes:
        parts += ["--discovery-token-ca-cert-hash", value]
    if certificate_key:
        parts += ["--control-plane", "--certificate-key", certificate_key]
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# CA certificate hash (sha256 of the DER SubjectPublicKeyInfo, as kubeadm's pubkeypin)
# ---------------------------------------------------------------------------------------------
def pem_certificates(text):
    """DER bytes of every CERTIFICATE block in a PEM text."""
    blocks = _PEM_CERT_RE.findall(text or "")
    if not blocks:
        raise ValueError("no PEM certificate found")
    try:
        return [base64.b64decode("".join(block.split()), validate=True) for block in blocks]
    except (binascii.Error, ValueError) as exc:
        raise ValueError("a PEM certificate is not valid base64: %s" % exc)


def _der_element(data, pos):
    """(tag, content start, content end) of the DER element at pos."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise ValueError("truncated DER")
    return tag, pos, pos + length


def spki_from_der(cert_der):
    """Raw SubjectPublicKeyInfo (header included) of an X.509 certificate, read from the DER
    structure itself: Certificate -> tbsCertificate -> [version], serial, signature,
    issuer, validity, subject, subjectPublicKeyInfo. Needs no library."""
    try:
        tag, start, _end = _der_element(cert_der, 0)
        if tag != 0x30:
            raise ValueError("not a certificate")
        tag, pos, tbs_end = _der_element(cert_der, start)
        if tag != 0x30:
            raise ValueError("no tbsCertificate")
        tag, _s, end = _der_element(cert_der, pos)
        if tag == 0xA0:  # explicit version
            pos = end
        for _field in range(5):  # serial, signature, issuer, validity, subject
            _tag, _s, pos = _der_element(cert_der, pos)
        tag, _s, end = _der_element(cert_der, pos)
        if tag != 0x30 or end > tbs_end:
            raise ValueError("no subjectPublicKeyInfo")
        return bytes(cert_der[pos:end])
    except (IndexError, TypeError) as exc:
        raise ValueError("malformed certificate: %s" % exc)


def spki_with_cryptography(cert_der):
    cert = x509.load_der_x509_certificate(bytes(cert_der))
    return cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)


def ca_cert_hashes(pem_text, use_cryptography=True):
    """['sha256:<hex>', ...] for every certificate of a CA bundle, like kubeadm prints them."""
    hashes = []
    for der in pem_certificates(pem_text):
        if use_cryptography and HAS_CRYPTOGRAPHY:
            try:
                spki = spki_with_cryptography(der)
            except ValueError as exc:
                raise ValueError("malformed certificate: %s" % exc)
        else:
            spki = spki_from_der(der)
        hashes.append("sha256:" + hashlib.sha256(spki).hexdigest())
    return hashes


# ---------------------------------------------------------------------------------------------
# kubeconfig
# ---------------------------------------------------------------------------------------------
def endpoint_from_server(server):
    """'10.0.0.1:6443' from 'https://10.0.0.1:6443' (IPv6 keeps its brackets)."""
    value = (server or "").strip()
    value = re.sub(r"^https?://", "", value).rstrip("/")
    if not value or "/" in value:
        raise ValueError("cannot read an API server host:port from %r" % (server,))
    return value


def kubeconfig_cluster(text):
    """dict(server, certificate_authority_data, certificate_authority) of the current context's
    cluster. Uses PyYAML where present, else reads the single-cluster layout kubeadm writes."""
    if HAS_YAML:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError("the kubeconfig is not valid YAML: %s" % exc)
        if not isinstance(data, dict):
            raise ValueError("the kubeconfig is not a mapping")
        clusters = dict((c.get("name"), c.get("cluster") or {}) for c in data.get("clusters") or [])
        contexts = dict((c.get("name"), c.get("context") or {}) for c in data.get("contexts") or [])
        context = contexts.get(data.get("current-context"))
        if context and context.get("cluster") in clusters:
            cluster = clusters[context["cluster"]]
        elif len(clusters) == 1:
            cluster = list(clusters.values())[0]
        else:
            raise ValueError("the kubeconfig has no current-context cluster")
        server = cluster.get("server")
        ca_data = cluster.get("certificate-authority-data")
        ca_file = cluster.get("certificate-authority")
    else:
        servers = re.findall(r"^\s*server:\s*[\"']?([^\"'\s]+)", text or "", re.MULTILINE)
        if len(set(servers)) != 1:
            raise ValueError("expected one cluster server in the kubeconfig, found %d" % len(set(servers)))
        server = servers[0]
        match = re.search(r"^\s*certificate-authority-data:\s*[\"']?([A-Za-z0-9+/=]+)", text or "", re.MULTILINE)
        ca_data = match.group(1) if match else None
        match = re.search(r"^\s*certificate-authority:\s*[\"']?([^\"'\s]+)", text or "", re.MULTILINE)
        ca_file = match.group(1) if match else None
    if not server:
        raise ValueError("the kubeconfig cluster has no server")
    return dict(server=server, certificate_authority_data=ca_data, certificate_authority=ca_file)


def decode_ca_data(value):
    try:
        return base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ValueError("certificate-authority-data is not base64 PEM: %s" % exc)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
def redact(text):
    """Text with anything shaped like a bootstrap token or a certificate key masked."""
    for pattern, replacement in _SECRET_RES:
        text = pattern.sub(replacement, text or "")
    return text


def error_kind(text):
    """'unreachable', 'auth' or None for kubeadm's stderr."""
    if _UNREACHABLE_RE.search(text or ""):
        return "unreachable"
    if _AUTH_RE.search(text or ""):
        return "auth"
    return None


def error_excerpt(stdout, stderr, limit=600):
    """The last meaningful lines of kubeadm's output, secrets masked, for a failure message."""
    lines = [line.strip() for line in ((stdout or "") + "\n" + (stderr or "")).splitlines() if line.strip()]
    text = redact(" | ".join(lines[-4:]))
    return text if len(text) <= limit else "..." + text[-limit:]


def command_failure(what, command, rc, stdout, stderr, endpoint=None, kubeconfig=None):
    """Operator message for a failed kubeadm command: what failed, kubeadm's words, what to do."""
    kind = error_kind((stderr or "") + "\n" + (stdout or ""))
    if kind == "unreachable":
        hint = ("the API server%s is unreachable: check the kube-apiserver static pod "
                "(crictl ps --name kube-apiserver), the load balancer/VIP in front of it and the firewall"
                % (" at %s" % endpoint if endpoint else ""))
    elif kind == "auth":
        hint = ("the API server refused the credentials of %s: check that it belongs to this cluster and "
                "that its client certificate has not expired (kubeadm certs check-expiration)" % (kubeconfig or "the kubeconfig"))
    else:
        hint = None
    message = "%s failed (%s, exit code %d): %s" % (what, " ".join(command[:4]), rc, error_excerpt(stdout, stderr))
    if hint:
        message += ". Hint: " + hint
    return message, kind
