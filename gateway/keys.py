"""The gateway's keys: the secret behind keyed hashing (and the purpose-specific keys derived from it), and the Ed25519
key that signs what others must be able to verify (deletion receipts, audit checkpoints).

Every pseudonym the gateway makes is HMAC-SHA256 under a key derived from the one secret and the purpose's name, so
that a hash made for one purpose (say, subject ids in the database) cannot be matched against one made for another
(say, pseudonyms sent to a vendor). Unkeyed hashes of identifiers are never used: they are reversed by guessing.

Signatures are Ed25519, so that anyone holding only the public key can check them, and nobody holding only the data
can make them. Keys kept in the data directory are convenient for development; whoever holds the data then holds the
keys too, and the gateway says so at start (`placement_warnings`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from policies.ed25519 import public_key_bytes
from policies.policy import Policy
from replay.shredding import KeyRing

KEY_FILE = "hash.key"
SIGNING_KEY_FILE = "signing.key"
MASTER_KEY_FILE = "master.key"
MASTER_KEY_ENV = "PRIVACY_GATEWAY_MASTER_KEY"


def load_secret(policy: Policy, data_dir: Path) -> bytes:
    """The policy's `[privacy] hash_key`, or else a random one made on first start and kept in the data directory."""
    if policy.privacy.hash_key:
        return policy.privacy.hash_key.encode("utf-8")
    path = data_dir / KEY_FILE
    if not path.exists():
        _create_private(path, secrets.token_hex(32).encode())
    return path.read_text().strip().encode("utf-8")


def load_master_key(policy: Policy, data_dir: Path) -> bytes:
    """The master key that wraps replay's data keys: PRIVACY_GATEWAY_MASTER_KEY, else the file at `[privacy]
    master_key_file`, else `master.key` in the data directory (64 hex characters); a file that does not exist is made
    with a random key. A key made anew while the database holds data keys wrapped by another is refused when the
    replay store opens (replay.shredding.MasterKeyMismatch): recordings are never sealed under a key nobody kept."""
    text = os.environ.get(MASTER_KEY_ENV, "")
    where = MASTER_KEY_ENV
    if not text:
        path = master_key_path(policy, data_dir)
        if not path.exists():
            _create_private(path, secrets.token_hex(32).encode())
        text, where = path.read_text(), str(path)
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ValueError(f"{where}: the master key must be 64 hex characters (`openssl rand -hex 32`)")
    return key


def replay_keys(policy: Policy, data_dir: Path) -> KeyRing:
    return KeyRing(load_master_key(policy, data_dir))


def master_key_path(policy: Policy, data_dir: Path) -> Path:
    return Path(policy.privacy.master_key_file) if policy.privacy.master_key_file else data_dir / MASTER_KEY_FILE


def derive(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, purpose.encode("utf-8"), hashlib.sha256).digest()


def policy_fingerprint(secret: bytes, file_digest: str) -> str:
    """What a node shows of its policy file (/metrics, logs, other nodes): a keyed hash of the file's SHA-256. Nodes
    share the hash key, so equal files show equal fingerprints; a plain SHA-256 on an unauthenticated /metrics would
    let anyone test guesses of a secret written in the file."""
    return hmac.new(derive(secret, "policy-fingerprint"), file_digest.encode("ascii"), hashlib.sha256).hexdigest()


def _create_private(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(content)


# -- signatures -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key: what anyone needs to check the gateway's signatures."""

    raw: bytes  # 32 bytes

    @property
    def key_id(self) -> str:
        """A short name for the key, carried by every signature: which key to check it with."""
        return hashlib.sha256(self.raw).hexdigest()[:16]

    def pem(self) -> str:
        key = Ed25519PublicKey.from_public_bytes(self.raw)
        return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    path: Path  # where it was read from (for the start-up warning)

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.private.public_key().public_bytes(serialization.Encoding.Raw,
                                                                serialization.PublicFormat.Raw))

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


def signing_key_path(policy: Policy, data_dir: Path) -> Path:
    return Path(policy.privacy.key_file) if policy.privacy.key_file else data_dir / SIGNING_KEY_FILE


def load_signing_key(policy: Policy, data_dir: Path) -> SigningKey:
    """The Ed25519 key at `[privacy] key_file` (PEM, PKCS#8), else in the data directory; made there on first start."""
    path = signing_key_path(policy, data_dir)
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        _create_private(path, pem)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path}: not an unencrypted PEM private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: expected an Ed25519 private key (openssl genpkey -algorithm ed25519)")
    return SigningKey(key, path)


def read_public_key(text: str) -> PublicKey:
    """A public key as a verifier is given it: PEM, base64 of its 32 bytes, or the JSON the gateway publishes at
    RECEIPT_KEY_PATH."""
    text = text.strip()
    if text.startswith("{"):
        try:
            text = str(orjson.loads(text)["public_key_pem"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise ValueError("JSON without a public_key_pem: expected what the receipt-key route serves") from None
    return PublicKey(public_key_bytes(text))


def placement_warnings(policy: Policy, data_dir: Path) -> list[str]:
    """What to warn about at start: keys that sit with the data they protect."""
    warnings = []
    if not policy.privacy.hash_key:
        warnings.append(f"the hash key is kept in the data directory ({data_dir / KEY_FILE}): whoever holds the data "
                        "can recompute the audit chain and match subject hashes; set [privacy] hash_key from your "
                        "secret store")
    signing = signing_key_path(policy, data_dir).resolve()
    if signing.is_relative_to(data_dir.resolve()):
        warnings.append(f"the signing key is kept in the data directory ({signing}): whoever holds the data can sign "
                        "receipts and audit checkpoints; set [privacy] key_file to a path outside it")
    master = master_key_path(policy, data_dir).resolve()
    if not os.environ.get(MASTER_KEY_ENV) and master.is_relative_to(data_dir.resolve()):
        warnings.append(f"the replay master key is kept in the data directory ({master}): a copy of the data opens "
                        f"recordings of subjects deleted after it was made; set {MASTER_KEY_ENV} or [privacy] "
                        "master_key_file to keep it elsewhere")
    return warnings
