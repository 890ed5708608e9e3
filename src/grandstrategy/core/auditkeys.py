"""The audit key: a secret kept in a file outside the database, so the chain cannot be forged.

The hash chain alone proves only that the log is *consistent*: anyone who can write to the
database can delete entries and recompute every later hash. Each entry therefore also carries
a keyed MAC over its chain hash::

    mac_n = HMAC-SHA256(key[key_id_n], "event:" + hash_n)

and the head carries ``HMAC(key, "head:seq:hash")``. Without the key file an attacker can no
longer produce entries that verify. The key file holds every key ever used (``rotate`` adds one
and makes it current; old ones stay to verify old entries) and where in the log signing began
(``sealed_from``, written when the first entry is signed): entries after it must carry a MAC,
so stripping MACs is caught as well. The file is JSON, written with mode 0600.

A *checkpoint* (:func:`make_checkpoint`) is the signed head (count, last hash) exported to a
file kept elsewhere; it proves the log once reached that length, so a later deletion of the
newest entries (with the head rewound to an earlier, genuinely signed state) is caught.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _

FORMAT = "grandstrategy-audit-keys/1"
log = logging.getLogger("grandstrategy.audit")
CHECKPOINT_FORMAT = "grandstrategy-audit-checkpoint/1"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class AuditKey:
    id: str
    secret: bytes
    created: str

    def mac(self, message: str) -> str:
        return hmac.new(self.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass
class Keyring:
    """Every audit key, the current one last, and where in the log sealing began."""

    path: Path | None
    keys: list[AuditKey] = field(default_factory=list)
    sealed_from: int = -1  # seq before the first signed entry; -1: nothing signed yet
    sealed_hash: str = ""

    @property
    def current(self) -> AuditKey:
        return self.keys[-1]

    def get(self, key_id: str) -> AuditKey | None:
        return next((k for k in self.keys if k.id == key_id), None)

    def event_mac(self, key: AuditKey, chain_hash: str) -> str:
        return key.mac(f"event:{chain_hash}")

    def head_mac(self, key: AuditKey, seq: int, chain_hash: str) -> str:
        return key.mac(f"head:{seq}:{chain_hash}")

    def check(self, key_id: str, message: str, mac: str) -> bool | None:
        """True/False for a known key; None when the key is not in this keyring."""
        key = self.get(key_id)
        if key is None:
            return None
        return hmac.compare_digest(key.mac(message), mac)

    # -- the file --------------------------------------------------------------------------

    @classmethod
    def in_memory(cls) -> Keyring:
        """A keyring that lives only in this process (tests, throwaway databases)."""
        return cls(None, [_new_key(1)])

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"not {FORMAT}")
            keys = [
                AuditKey(k["id"], bytes.fromhex(k["key"]), k.get("created", ""))
                for k in data["keys"]
            ]
            if not keys:
                raise ValueError("no keys")
            return cls(path, keys, int(data.get("sealed_from", -1)), data.get("sealed_hash", ""))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise Invalid(
                _("audit key file {path} cannot be read: {why}").format(path=path, why=exc)
            ) from exc

    @classmethod
    def open_or_create(cls, path: Path) -> Keyring:
        """Load the key file, or make it (0600) with a first key.

        The first entry signed with it records where signing began (``sealed_from``).
        """
        if path.exists():
            return cls.load(path)
        ring = cls(path, [_new_key(1)])
        ring.save(create=True)
        return ring

    def save(self, *, create: bool = False) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format": FORMAT,
            "sealed_from": self.sealed_from,
            "sealed_hash": self.sealed_hash,
            "keys": [{"id": k.id, "key": k.secret.hex(), "created": k.created} for k in self.keys],
        }
        tmp = self.path.with_name(self.path.name + f".{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.write("\n")
        if create and self.path.exists():  # another process made it first: keep theirs
            tmp.unlink()
            loaded = Keyring.load(self.path)
            self.keys, self.sealed_from = loaded.keys, loaded.sealed_from
            self.sealed_hash = loaded.sealed_hash
            return
        os.replace(tmp, self.path)

    def seal(self, seq: int, chain_hash: str) -> None:
        """Record that entries after ``seq`` must be signed (once, at the first signed entry).

        Another process may have sealed (or rotated) since this copy was loaded: what is on
        disk wins, so keys are never lost by writing a stale copy back.
        """
        if self.path is not None and self.path.exists():
            fresh = Keyring.load(self.path)
            self.keys = fresh.keys if len(fresh.keys) >= len(self.keys) else self.keys
            if fresh.sealed_from >= 0:
                self.sealed_from, self.sealed_hash = fresh.sealed_from, fresh.sealed_hash
                return
        self.sealed_from, self.sealed_hash = seq, chain_hash
        try:
            self.save()
        except OSError as exc:  # a read-only key file: sign anyway, say why it is not sealed
            log.warning("audit key file %s not updated with the sealing point: %s", self.path, exc)

    def rotate(self) -> AuditKey:
        """Start a new current key; the old ones stay to verify the entries they signed."""
        if self.path is not None and self.path.exists():
            fresh = Keyring.load(self.path)  # rotate what is on disk, not a stale copy
            self.keys, self.sealed_from = fresh.keys, fresh.sealed_from
            self.sealed_hash = fresh.sealed_hash
        key = _new_key(len(self.keys) + 1)
        self.keys.append(key)
        self.save()
        return key


def _new_key(n: int) -> AuditKey:
    return AuditKey(f"k{n}", secrets.token_bytes(32), _now())


# -- checkpoints -----------------------------------------------------------------------------


def make_checkpoint(ring: Keyring, seq: int, chain_hash: str) -> dict[str, Any]:
    at = _now()
    key = ring.current
    return {
        "format": CHECKPOINT_FORMAT,
        "count": seq,
        "hash": chain_hash,
        "at": at,
        "key_id": key.id,
        "mac": key.mac(f"checkpoint:{seq}:{chain_hash}:{at}"),
    }


def read_checkpoint(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise Invalid(
            _("checkpoint {path} cannot be read: {why}").format(path=path, why=exc)
        ) from exc
    if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
        raise Invalid(
            _("checkpoint {path} is not a {format} file").format(
                path=path, format=CHECKPOINT_FORMAT
            )
        )
    for name, kind in (("count", int), ("hash", str), ("at", str), ("key_id", str), ("mac", str)):
        if not isinstance(data.get(name), kind):
            raise Invalid(
                _("checkpoint {path}: field {name!r} missing or of the wrong type").format(
                    path=path, name=name
                )
            )
    return data


def checkpoint_signed(ring: Keyring | None, cp: dict[str, Any]) -> bool | None:
    """Whether the checkpoint's MAC holds (None: its key is not available to check)."""
    if ring is None:
        return None
    return ring.check(cp["key_id"], f"checkpoint:{cp['count']}:{cp['hash']}:{cp['at']}", cp["mac"])
