"""Store-wide anchoring of the audit trails: checkpoints that make any tampering visible, even to the data's owner.

Each case's trail is a hash chain (`runtime.audit`), but someone who can write
the data folder or the database could change an event and seal the chain again,
or remove a case altogether. So the runtime records **checkpoints**: each one
lists the cases whose trail grew since the one before, with the number of
events and the newest hash (their *heads*), holds the hash of the checkpoint
before it, a digest of every head anchored so far (`state`), and its own hash.
A checkpoint is signed with an Ed25519 key that lives outside the data folder
and the database (`SigningKey`), and the auditor may keep the checkpoints'
hashes in an anchor file of their own (`anchor_line`), outside the store.

`verify_store` then finds every kind of tampering: a changed, inserted or
reordered event (the chain breaks, or a head no longer matches its anchor), a
removed newest event (the trail is shorter than anchored), a removed case (an
anchored case is gone), a forged checkpoint (its hash, chain or signature is
wrong) and a rolled-back store (checkpoints the anchor file knows are missing).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict

from runtime.audit import GENESIS, TrailProblem, verify_trail
from runtime.documents import AuditEvent, Case, Record
from runtime.errors import ConflictError, NotFound, StoreError
from runtime.storage.base import Changes, Store

#: The kind of record a checkpoint is stored as, keyed by its zero-padded number.
KIND = "checkpoint"
Heads = dict[str, tuple[int, str]]


class AnchorError(StoreError):
    """A signing key or anchor file cannot be used; the message says why and what to do."""


class Checkpoint(BaseModel):
    """One link of the store-wide chain; `hash` covers every other field but the signature."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int
    at: datetime
    previous: str
    heads: dict[str, tuple[int, str]]  # case id -> (events, newest hash): the trails that grew since `previous`
    cases: int  # cases anchored so far
    state: str  # digest of every head anchored so far
    hash: str
    signature: str = ""  # Ed25519 over `hash`, hex; empty when the installation signs nothing
    key_id: str = ""

    def content_hash(self) -> str:
        return digest(self.model_dump(mode="json", exclude={"hash", "signature", "key_id"}))


def digest(data: Any) -> str:
    """The SHA-256 of `data`'s canonical JSON."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def state_digest(heads: Mapping[str, tuple[int, str]]) -> str:
    """A digest of every anchored head, independent of the order they were anchored in."""
    return digest(sorted([case_id, count, head] for case_id, (count, head) in heads.items()))


def key_id(public: Ed25519PublicKey) -> str:
    """A short fingerprint of a public key, to compare by eye."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class SigningKey:
    """The installation's Ed25519 key for checkpoints, read from a file outside the data folder."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = private.public_key()
        self.id = key_id(self.public)

    @classmethod
    def load(cls, path: Path, data_folder: Path | None = None) -> SigningKey:
        """The key in `path` (PEM); refused when it lies inside the data folder, where it would not protect it."""
        path = Path(path).resolve()
        if data_folder is not None and path.is_relative_to(Path(data_folder).resolve()):
            raise AnchorError(f"the signing key {path} lies in the data folder; keep it where whoever can write the "
                              "data cannot (another disk, a secrets store), or checkpoints prove nothing")
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as error:
            raise AnchorError(f"cannot read the signing key {path}: {error}") from error
        if not isinstance(private, Ed25519PrivateKey):
            raise AnchorError(f"{path} holds no Ed25519 private key; make one with 'flowdesk audit keygen'")
        return cls(private)

    @staticmethod
    def generate(private_path: Path, public_path: Path) -> str:
        """Write a new key pair (the private key readable by its owner only); returns the key's fingerprint."""
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        public_path.write_bytes(public_pem(private.public_key()))
        return key_id(private.public_key())

    def sign(self, text: str) -> str:
        return self._private.sign(text.encode()).hex()


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_key(path_or_pem: Path | bytes) -> Ed25519PublicKey:
    """A trusted public key, from a file or PEM bytes; AnchorError if it is not an Ed25519 public key."""
    try:
        data = path_or_pem if isinstance(path_or_pem, bytes) else Path(path_or_pem).read_bytes()
        public = serialization.load_pem_public_key(data)
    except (OSError, ValueError, TypeError) as error:
        raise AnchorError(f"cannot read the public key: {error}") from error
    if not isinstance(public, Ed25519PublicKey):
        raise AnchorError("the public key is not an Ed25519 key")
    return public


def signature_valid(checkpoint: Checkpoint, public: Ed25519PublicKey) -> bool:
    try:
        public.verify(bytes.fromhex(checkpoint.signature), checkpoint.hash.encode())
    except (InvalidSignature, ValueError):
        return False
    return True


# The chain ------------------------------------------------------------------------------------


def checkpoints(store: Store) -> list[Checkpoint]:
    """Every checkpoint in the store, oldest first (their keys sort by number)."""
    found = []
    for record in store.records(KIND):
        try:
            found.append(Checkpoint.model_validate(record.data))
        except ValueError as error:
            raise StoreError(f"checkpoint record '{record.key}' is damaged: {error}") from error
    return found


def folded_heads(chain: Iterable[Checkpoint]) -> Heads:
    """Every case's head as the checkpoints anchored it, the newest anchor of each case winning."""
    heads: Heads = {}
    for checkpoint in chain:
        heads.update({case_id: (count, head) for case_id, (count, head) in checkpoint.heads.items()})
    return heads


class Anchoring:
    """The checkpoint chain as one runtime follows it: read once, then only what others added since.

    `checkpoint` anchors every trail that grew since the newest checkpoint. Two processes checkpointing at
    once cannot both add the same number: one wins, the other's commit is refused and it catches up first.
    """

    def __init__(self, store: Store, key: SigningKey | None = None) -> None:
        self.store = store
        self.key = key
        self._tip: Checkpoint | None = None
        self._heads: Heads = {}

    def tip(self) -> Checkpoint | None:
        """The newest checkpoint."""
        self._catch_up()
        return self._tip

    def checkpoint(self, now: datetime) -> Checkpoint | None:
        """A new checkpoint of the trails that grew; None when none grew."""
        for _ in range(3):
            self._catch_up()
            grown = {case_id: head for case_id, head in self.store.audit_heads().items()
                     if head[0] > 0 and self._heads.get(case_id) != head}
            if not grown:
                return None
            everything = self._heads | grown
            previous = self._tip
            unsigned = Checkpoint(seq=previous.seq + 1 if previous else 1, at=now,
                                  previous=previous.hash if previous else GENESIS, heads=grown, cases=len(everything),
                                  state=state_digest(everything), hash="")
            content = unsigned.content_hash()
            checkpoint = unsigned.model_copy(update={
                "hash": content, "signature": self.key.sign(content) if self.key else "",
                "key_id": self.key.id if self.key else ""})
            try:
                self.store.commit(Changes(records=[_record(checkpoint)]))
            except ConflictError:
                continue  # another process added this number first
            self._tip, self._heads = checkpoint, everything
            return checkpoint
        return None

    def _catch_up(self) -> None:
        seq = self._tip.seq if self._tip else 0
        while True:
            try:
                following = read_checkpoint(self.store, seq + 1)
            except NotFound:
                return
            self._heads.update(following.heads)
            self._tip, seq = following, following.seq


def _record(checkpoint: Checkpoint) -> Record:
    return Record(kind=KIND, key=f"{checkpoint.seq:012d}", data=checkpoint.model_dump(mode="json"),
                  updated_by="anchoring", updated_at=checkpoint.at)


def anchor_line(checkpoint: Checkpoint) -> str:
    """One line of an auditor's anchor file: the checkpoint's number, time, hash and signature."""
    return json.dumps({"seq": checkpoint.seq, "at": checkpoint.at.isoformat(), "hash": checkpoint.hash,
                       "key_id": checkpoint.key_id, "signature": checkpoint.signature}, sort_keys=True)


def read_anchor_file(path: Path) -> list[dict[str, Any]]:
    """The anchors an auditor kept, in order; AnchorError naming the line that cannot be read."""
    anchors = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise AnchorError(f"cannot read the anchor file {path}: {error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            anchor = json.loads(line)
            anchors.append({"seq": int(anchor["seq"]), "hash": str(anchor["hash"])})
        except (ValueError, KeyError, TypeError) as error:
            raise AnchorError(f"{path}, line {number}, is not an anchor: {error}") from error
    return anchors


# Verifying -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What verifying the whole store found: every problem (empty when intact), and what was covered."""

    problems: list[TrailProblem]
    cases: int
    checkpoints: int
    signed: bool
    unanchored: int  # cases with events newer than the newest checkpoint (verified by their chain alone)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_store(store: Store, *, public: Ed25519PublicKey | None = None,
                 anchors: list[dict[str, Any]] | None = None, only: str | None = None) -> Verdict:
    """Check every case's trail (or `only` that case's) against its chain and the checkpoints, the checkpoints
    against each other, their signatures against the trusted `public` key, and the store against the auditor's
    `anchors`."""
    chain = checkpoints(store)
    problems = _chain_problems(chain, public) + _anchor_problems(chain, anchors or [])
    anchored = folded_heads(chain)
    if only is not None:
        store.case(only)  # NotFound names it
        anchored = {only: anchored[only]} if only in anchored else {}
    seen, unanchored = set(), 0
    for case_id in [only] if only is not None else store.case_ids():
        seen.add(case_id)
        case = store.case(case_id)
        events = store.audit_events(case_id)
        problem = verify_trail(case, events) or _anchor_problem(case, events, chain, anchored.get(case_id))
        if problem:
            problems.append(problem)
        elif anchored.get(case_id, (0, ""))[0] < case.audit_count:
            unanchored += 1
    for case_id in sorted(set(anchored) - seen):
        count, _ = anchored[case_id]
        problems.append(TrailProblem(case_id, None, None, f"the case was removed: checkpoint "
                                     f"{_anchoring(chain, case_id)} anchored {count} events of it"))
    return Verdict(problems, len(seen), len(chain), bool(chain) and all(c.signature for c in chain), unanchored)


def _chain_problems(chain: list[Checkpoint], public: Ed25519PublicKey | None) -> list[TrailProblem]:
    problems: list[TrailProblem] = []
    previous, heads = GENESIS, {}
    for expected, checkpoint in enumerate(chain, start=1):
        heads |= checkpoint.heads
        where = f"checkpoint {checkpoint.seq}"
        if checkpoint.seq != expected:
            problems.append(_store_problem(f"checkpoint {expected} is missing: the chain jumps to {checkpoint.seq}"))
        elif checkpoint.previous != previous:
            problems.append(_store_problem(f"{where} does not follow the checkpoint before it"))
        elif checkpoint.content_hash() != checkpoint.hash or state_digest(heads) != checkpoint.state:
            problems.append(_store_problem(f"{where} was changed after it was written"))
        elif public is not None and not signature_valid(checkpoint, public):
            problems.append(_store_problem(f"{where} is not signed by the installation's key {key_id(public)}"))
        previous = checkpoint.hash
    return problems


def _anchor_problems(chain: list[Checkpoint], anchors: list[dict[str, Any]]) -> list[TrailProblem]:
    by_seq = {checkpoint.seq: checkpoint for checkpoint in chain}
    problems = []
    for anchor in anchors:
        found = by_seq.get(anchor["seq"])
        if found is None:
            problems.append(_store_problem(f"checkpoint {anchor['seq']}, which the anchor file holds, is missing: "
                                           "the store was rolled back or its checkpoints removed"))
        elif found.hash != anchor["hash"]:
            problems.append(_store_problem(f"checkpoint {anchor['seq']} differs from the anchor file's"))
    return problems


def _anchor_problem(case: Case, events: list[AuditEvent], chain: list[Checkpoint],
                    head: tuple[int, str] | None) -> TrailProblem | None:
    """Whether the intact-looking trail still holds the events its newest anchor names."""
    if head is None:  # a case started just before a checkpoint may commit just after it: one checkpoint's grace
        if len(chain) >= 2 and case.started_at < chain[-2].at and case.audit_count:
            return TrailProblem(case.id, None, None, "the case was never anchored although it is older than "
                                f"checkpoint {chain[-2].seq}: it was inserted afterwards")
        return None
    count, newest = head
    if len(events) >= count and events[count - 1].hash == newest:
        return None
    anchors = [c.heads[case.id] for c in chain if case.id in c.heads]
    if len(events) < count and all(events[n - 1].hash == h for n, h in anchors if n <= len(events)):
        return TrailProblem(case.id, len(events) + 1, None, f"the trail ends after event {len(events)}, but "
                            f"checkpoint {_anchoring(chain, case.id)} anchored {count} events: the last were removed")
    intact = max((n for n, h in anchors if n <= len(events) and events[n - 1].hash == h), default=0)
    return TrailProblem(case.id, intact + 1, events[intact].id if intact < len(events) else None,
                        f"an event from {intact + 1} on was changed, inserted or removed and the trail sealed again: "
                        f"it no longer matches checkpoint {_anchoring(chain, case.id)}"
                        + (f" (events 1–{intact} match earlier checkpoints)" if intact else ""))


def _anchoring(chain: list[Checkpoint], case_id: str) -> int:
    """The newest checkpoint anchoring the case."""
    return max((c.seq for c in chain if case_id in c.heads), default=0)


def _store_problem(message: str) -> TrailProblem:
    return TrailProblem("(checkpoints)", None, None, message)


def read_checkpoint(store: Store, seq: int) -> Checkpoint:
    try:
        return Checkpoint.model_validate(store.record(KIND, f"{seq:012d}").data)
    except NotFound:
        raise NotFound(f"there is no checkpoint {seq}") from None
