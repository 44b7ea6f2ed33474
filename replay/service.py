"""Replay ingest as one flow: identify the source, check consent for `session_replay`, scrub, compress, store, and
hand what was stored to the destinations that take recordings (`Gate.forward`).

The gateway passes in what replay needs of it (`Gate`): the source of a write key, subject hashes of identifiers, the
consent decision and metrics. Replay does not reach into the gateway's internals.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from policies.policy import Source
from policies.replay import ReplayPolicy
from replay import segment_codec, training
from replay.ingest import Batch, Rejected
from replay.live import LiveAnalysis
from replay.preparing import Prepared, prepare
from replay.privacy import RrwebPrivacy
from replay.store import ChunkIn, ReplayStore, SessionConflict

log = logging.getLogger("replay")

PURPOSE = "session_replay"


@dataclass(frozen=True, slots=True)
class Recorded:
    """A chunk as stored (scrubbed: what the store keeps, never the request's body), for Gate.forward. Duplicates
    are handed on too: the request before may have been stored and then refused before its forwarding committed."""

    session_id: str
    window_id: str
    identifiers: Mapping[str, str]  # in clear, as the SDK sent them: a destination needs the distinct id
    subjects: tuple[str, ...]
    events: list[dict[str, Any]]
    digest: bytes  # replay.shredding.KeyRing.chunk_digest: the same chunk sent again has the same one


# (source, chunks, request headers, query): the request's signals decide consent per destination, as for events.
Forward = Callable[[Source, list[Recorded], Mapping[str, str], Mapping[str, str]], Awaitable[None]]
# A request's admitted batches ((their events' JSON, the window's unmasked field ids)) made ready to store in another
# process (gateway.scrub_pool), as replay.preparing.prepare makes them here under the policy's unmasked inputs.
ScrubElsewhere = Callable[[tuple[str, ...], list[tuple[bytes, set[int]]]], Awaitable[list[Prepared]]]


@dataclass(frozen=True)
class Gate:
    source_for_key: Callable[[str], Source | None]
    subjects: Callable[[Mapping[str, str]], tuple[str, ...]]  # identifiers in clear -> keyed hashes
    # (source, identifiers in clear by kind, request headers, query) -> (allowed, reason for metrics). By kind:
    # consent recorded for a device applies where the id is the recording's device id (anonymousId) only.
    consent: Callable[[Source, Mapping[str, str], Mapping[str, str], Mapping[str, str]], tuple[bool, str]]
    count: Callable[..., None]  # metrics: count(name, amount, **labels)
    # Hands stored chunks to the destinations that take recordings (the gateway's outbox), committed before it returns;
    # None: recordings stay in the gateway.
    forward: Forward | None = None


@dataclass
class Ingested:
    stored: int = 0
    duplicates: int = 0
    refused_consent: int = 0
    raw_bytes: int = 0
    stored_bytes: int = 0


@dataclass
class ReplayService:
    policy: ReplayPolicy
    store: ReplayStore
    privacy: RrwebPrivacy
    gate: Gate
    live: LiveAnalysis | None = None  # analysis as chunks arrive, when the policy enables it
    # The scrub workers ([http] scrub_workers): a request's batches are scrubbed, summarized and encoded there while
    # the loop serves others.
    scrub_elsewhere: ScrubElsewhere | None = None
    # Of a core that a source's dictionary trainings may take (replay.training.SHARE; 1: train whenever due).
    training_share: float = training.SHARE
    clock: Callable[[], float] = time.monotonic
    _training: set[str] = field(default_factory=set)
    _since_dictionary: dict[str, int] = field(default_factory=dict)  # chunks stored since the newest dictionary
    _thresholds: dict[str, int] = field(default_factory=dict)  # raised after a failed training
    _rest_until: dict[str, float] = field(default_factory=dict)  # monotonic time: no training before (training.SHARE)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _trainings: training.Trainings = field(default_factory=training.Trainings)

    def reconfigure(self, policy: ReplayPolicy, privacy: RrwebPrivacy, gate: Gate) -> None:
        """Another policy's settings (a reload): the store and the dictionaries' progress stay."""
        self.policy, self.privacy, self.gate = policy, privacy, gate

    def source(self, write_key: str | None) -> Source:
        source = self.gate.source_for_key(write_key) if write_key else None
        if source is None:
            raise Rejected(401, "unauthorized", "missing or unknown write key")
        return source

    async def ingest(self, source: Source, batches: list[Batch], headers: Mapping[str, str],
                     query: Mapping[str, str], body: bytes | None = None) -> Ingested:
        """`body`: the JSON the one batch of `batches` was parsed from (the native endpoint's), which scrub workers
        parse again rather than be sent the parsed events."""
        result = Ingested()
        privacy = self.privacy  # one policy's for the whole request, though a reload may swap it during the await
        unmasked_inputs = tuple(self.policy.unmasked_inputs)  # the same policy's (reconfigure swaps both)
        # Where the batches are prepared, decided once: the events themselves are scrubbed (in place) only here, and a
        # pool started or stopped during the await below must not have unscrubbed events forwarded.
        elsewhere = self.scrub_elsewhere
        here = elsewhere is None
        admitted = self._admit(source, batches, headers, query, privacy, result)
        if not admitted:
            return result
        prepared = await self._prepare(privacy, unmasked_inputs, admitted, body if len(batches) == 1 else None,
                                       elsewhere)
        # A worker's events are in `raw` alone.
        chunks = [ChunkIn(batch.session_id, batch.window_id, subjects, batch.events if here else [], ready.summary,
                          ready.unmasked if privacy.selectors else None, ready.raw)
                  for (batch, subjects, _), ready in zip(admitted, prepared, strict=True)]
        identifiers = [batch.identifiers for batch, _, _ in admitted]
        if source.name not in self._since_dictionary:
            # Counted before this request's write: requests in flight meanwhile add their own chunks afterwards.
            since = self.store.chunks_since_dictionary(source.name, segments=self._compacting)
            self._since_dictionary[source.name] = since
        try:
            stored = await self.store.add(source.name, chunks)
        except SessionConflict as conflict:
            raise Rejected(409, "conflict", str(conflict)) from None
        if self.live is not None:
            self.live.stored({chunk.session_id for chunk, item in zip(chunks, stored, strict=True)
                              if not item.duplicate})
        for item in stored:
            if item.duplicate:
                result.duplicates += 1
            else:
                result.stored += 1
                result.raw_bytes += item.raw_bytes
                result.stored_bytes += item.stored_bytes
        self.gate.count("replay_chunks_stored_total", result.stored, source=source.name)
        self.gate.count("replay_raw_bytes_total", result.raw_bytes, source=source.name)
        self.gate.count("replay_stored_bytes_total", result.stored_bytes, source=source.name)
        self._maybe_train(source.name, result.stored)
        if self.gate.forward is not None:  # last: what was stored is analysed and counted even if this refuses
            await self.gate.forward(source, [
                Recorded(chunk.session_id, chunk.window_id, ids, chunk.subjects,
                         chunk.events if here else orjson.loads(chunk.raw or b"[]"), item.digest)
                for chunk, ids, item in zip(chunks, identifiers, stored, strict=True)], headers, query)
        return result

    def _admit(self, source: Source, batches: list[Batch], headers: Mapping[str, str], query: Mapping[str, str],
               privacy: RrwebPrivacy, result: Ingested) -> list[tuple[Batch, tuple[str, ...], set[int]]]:
        """The batches consent lets through, with their subjects and their window's unmasked field ids; the others
        counted in `result` and the metrics."""
        admitted: list[tuple[Batch, tuple[str, ...], set[int]]] = []
        for batch in batches:
            if not batch.events:
                continue
            subjects = self.gate.subjects(batch.identifiers)
            allowed, reason = self.gate.consent(source, batch.identifiers, headers, query)
            if not allowed:
                result.refused_consent += 1
                self.gate.count("replay_chunks_refused_total", 1, source=source.name, reason=reason)
                continue
            unmasked = self.store.unmasked_nodes(batch.session_id, batch.window_id) if privacy.selectors else set()
            admitted.append((batch, subjects, unmasked))
        return admitted

    async def _prepare(self, privacy: RrwebPrivacy, unmasked_inputs: tuple[str, ...],
                       admitted: list[tuple[Batch, tuple[str, ...], set[int]]], body: bytes | None,
                       elsewhere: ScrubElsewhere | None) -> list[Prepared]:
        """The admitted batches scrubbed, summarized and encoded (replay.preparing): by a scrub worker (`elsewhere`),
        given their JSON, else here. Nothing is stored before this returns, so a request whose workers died
        (ProtocolError 503) leaves nothing behind."""
        if elsewhere is None:
            return prepare(privacy, [(batch.events, unmasked) for batch, _, unmasked in admitted])
        sent = [(body if body is not None else orjson.dumps(batch.events), unmasked) for batch, _, unmasked in admitted]
        return await elsewhere(unmasked_inputs, sent)

    # -- dictionaries ------------------------------------------------------------------------------------------------

    def _maybe_train(self, source: str, stored: int) -> None:
        self._since_dictionary[source] += stored
        own = self.store.current_segment_dictionary if self._compacting else self.store.current_dictionary
        threshold = self._thresholds.get(source) or (
            self.policy.retrain_after_chunks if source in own else self.policy.train_after_chunks
        )
        if (source in self._training or self._since_dictionary[source] < threshold
                or self.clock() < self._rest_until.get(source, 0.0)):
            return
        self._training.add(source)
        task = asyncio.get_running_loop().create_task(
            self._train(source, threshold), name=f"replay-dictionary:{source}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def _compacting(self) -> bool:
        """Whether idle sessions are rewritten as segments: then what a source keeps at steady state is segments, and
        its chunks, which live only until their session is compacted, make do with the shipped chunk dictionary."""
        return self.policy.storage.compact_after_s > 0

    async def _train(self, source: str, threshold: int) -> None:
        try:
            samples = await asyncio.to_thread(self.store.recent_raw_chunks, source, 1000)
            trained = await (self._train_segments(source, samples) if self._compacting
                             else self._train_chunks(source, samples))
            self._since_dictionary[source] = 0
            self._thresholds.pop(source, None)
            if trained is None:
                if self._compacting:
                    # Its recordings look like what the current segment dictionary knows (the shipped one was trained
                    # on a site like it, say): try again later and later, up to every `retrain_after_chunks`, not
                    # every `train_after_chunks` for ever (each try compresses held-out chunks twice at zstd-19).
                    # Chunk dictionaries, cheap to try at level 3, keep trying as their samples grow.
                    self._thresholds[source] = min(threshold * 2, max(threshold, self.policy.retrain_after_chunks))
                log.info("replay: kept the dictionary of source %s: one trained on %d newer chunks was no better",
                         source, len(samples))
            else:
                log.info("replay: trained dictionary %d for source %s from %d chunks", trained, source, len(samples))
        except Exception as exc:  # noqa: BLE001 - too few or too alike samples: keep compressing without, try later
            self._thresholds[source] = threshold * 2
            log.warning("replay: could not train a dictionary for source %s: %s", source, exc)
        finally:
            self._training.discard(source)

    async def _train_chunks(self, source: str, samples: list[bytes]) -> int | None:
        """The source's dictionary for chunks as stored (compaction off): its first must do better than the generic
        one it replaces, a later one than the one before. Its id, or None if it was no better."""
        current_id = self.store.dictionary_for(source)
        current = self.store.compressor.dictionary_data(current_id) if current_id is not None else None
        trained = await self._trainings.trained(training.Job(samples, self.policy.dictionary_bytes,
                                                             self.policy.compression_level, current, segments=False))
        self._rest(source, trained)
        return None if trained.data is None else await self.store.add_dictionary(source, trained.data, len(samples))

    async def _train_segments(self, source: str, samples: list[bytes]) -> int | None:
        """The source's dictionary for compacted segments (compaction on), trained on its chunks in the segments'
        layout (replay.segment_codec): one trained on chunks as stored knows their absolute ids and timestamps
        instead. Like a chunk dictionary, it must do better than the one it would replace."""
        level = self.store.segment_compressor.level
        current_id = self.store.segment_dictionary_for(source)
        current = self.store.segment_compressor.dictionary_data(current_id) if current_id is not None else None
        size = min(self.policy.dictionary_bytes, segment_codec.DICTIONARY_BYTES)
        trained = await self._trainings.trained(training.Job(samples, size, level, current, segments=True))
        self._rest(source, trained)
        return None if trained.data is None else await self.store.add_dictionary(source, trained.data, trained.samples,
                                                                                  segment_codec.LAYOUT)

    def _rest(self, source: str, trained: training.Trained) -> None:
        """No other training of `source` before its trainings' CPU is back under training.SHARE of a core."""
        self._rest_until[source] = self.clock() + training.rest_after(trained.cpu_s, self.training_share)

    async def close(self, finish_training: bool = True) -> None:
        """Wait for the dictionary trainings under way, or (`finish_training` False: the gateway stopping) end them."""
        if not finish_training:
            self._trainings.stop()
        for task in list(self._tasks):
            await asyncio.gather(task, return_exceptions=True)

