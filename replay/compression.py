"""zstd for replay chunks, with a dictionary trained per source.

SDKs send a recording in small batches (posthog-js flushes every two seconds), and small inputs compress poorly on
their own: the redundancy is across chunks (the same tags, attributes, event shapes). A dictionary trained on a source's
recent chunks carries that redundancy, so each chunk compresses as if it had its neighbours' context. Dictionaries are
versioned; each chunk remembers the one it was compressed with, so old chunks stay readable after retraining. Until a
source has sent enough chunks to train on, its chunks are compressed with the generic one the gateway ships
(replay.generic_dictionary).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import zstandard

# Big enough that a decompressed chunk needs no guess about its size; the ingest limits keep real chunks far below.
MAX_CHUNK_BYTES = 256 * 1024 * 1024
_MAGIC = b"\x28\xb5\x2f\xfd"  # zstd's frame magic number


def _bare_params(level: int) -> zstandard.ZstdCompressionParameters:
    """Frames at `level` without the magic number and the dictionary's id. A stored frame is always read knowing what
    it is and with which dictionary (the row that points at it says), and it is sealed (replay.shredding
    authenticates it), so those 8 bytes (and a checksum, never written) only repeat what is known: at ~5 KB a
    compacted segment, 0.15 % of it."""
    return zstandard.ZstdCompressionParameters.from_level(
        level, write_content_size=True, write_checksum=False, write_dict_id=False,
        format=zstandard.FORMAT_ZSTD1_MAGICLESS)


class Compressor:
    """Compresses and decompresses chunks. Keeps one zstd context per dictionary and thread (contexts are not
    thread-safe, and dictionary preparation is too costly to repeat per chunk).

    `bare`: write bare frames (no magic number, no dictionary id: _bare_params). Either kind reads: a bare frame never
    starts with the magic number, whose first byte (0x28) as a frame header would set the header's reserved bit."""

    def __init__(self, level: int, bare: bool = False) -> None:
        self.level = level
        self.params = _bare_params(level) if bare else None
        self._dictionaries: dict[int, zstandard.ZstdCompressionDict] = {}
        self._local = threading.local()
        # Called with a dictionary id not known here (one another node sharing the database trained): it loads it
        # with add_dictionary, or not if the database has no such row (then the miss is a KeyError, as before).
        self.on_miss: Callable[[int], None] | None = None

    def add_dictionary(self, dict_id: int, data: bytes) -> None:
        dictionary = zstandard.ZstdCompressionDict(data)
        # Digest it once for our level: otherwise every compress() loads the dictionary into the context again,
        # which costs more than compressing a small chunk.
        if self.params is None:
            dictionary.precompute_compress(level=self.level)
        else:
            dictionary.precompute_compress(compression_params=self.params)
        self._dictionaries[dict_id] = dictionary

    def dictionary_data(self, dict_id: int) -> bytes:
        return self._dictionary(dict_id).as_bytes()

    def knows(self, dict_id: int) -> bool:
        return dict_id in self._dictionaries

    def _dictionary(self, dict_id: int) -> zstandard.ZstdCompressionDict:
        dictionary = self._dictionaries.get(dict_id)
        if dictionary is None and self.on_miss is not None:
            self.on_miss(dict_id)
        return dictionary if dictionary is not None else self._dictionaries[dict_id]

    def _contexts(
        self,
    ) -> tuple[dict[int | None, zstandard.ZstdCompressor], dict[tuple[int | None, bool], zstandard.ZstdDecompressor]]:
        if not hasattr(self._local, "compressors"):
            self._local.compressors, self._local.decompressors = {}, {}
        return self._local.compressors, self._local.decompressors

    def compress(self, raw: bytes, dict_id: int | None) -> bytes:
        compressors, _ = self._contexts()
        context = compressors.get(dict_id)
        if context is None:
            dictionary = self._dictionary(dict_id) if dict_id is not None else None
            context = (zstandard.ZstdCompressor(level=self.level, dict_data=dictionary, write_content_size=True)
                       if self.params is None else
                       zstandard.ZstdCompressor(dict_data=dictionary, compression_params=self.params))
            compressors[dict_id] = context
        return context.compress(raw)

    def decompress(self, data: bytes, dict_id: int | None) -> bytes:
        _, decompressors = self._contexts()
        bare = not data.startswith(_MAGIC)
        context = decompressors.get((dict_id, bare))
        if context is None:
            dictionary = self._dictionary(dict_id) if dict_id is not None else None
            context = zstandard.ZstdDecompressor(
                dict_data=dictionary, format=zstandard.FORMAT_ZSTD1_MAGICLESS if bare else zstandard.FORMAT_ZSTD1)
            decompressors[(dict_id, bare)] = context
        return context.decompress(data, max_output_size=MAX_CHUNK_BYTES)


# COVER's segment and d-mer sizes. zstandard's defaults choose short segments, which suit text but not rrweb JSON,
# whose redundancy is whole serialized nodes and event shapes. On the replay corpus, a 110 KB dictionary trained on
# 420 KB of chunks stored held-out sessions at level 3 in 38 % of per-chunk gzip-6's size with k=2048, and in 65 %
# with the defaults.
_SEGMENT, _DMER = 2048, 8


def compressed_size(samples: list[bytes], dictionary: bytes | None, level: int) -> int:
    """What `samples` take compressed one by one with `dictionary` (or none) at `level`."""
    context = zstandard.ZstdCompressor(level=level, dict_data=zstandard.ZstdCompressionDict(dictionary)
                                       if dictionary is not None else None)
    return sum(len(context.compress(sample)) for sample in samples)


def train_better(samples: list[bytes], max_size: int, level: int, current: bytes | None) -> bytes | None:
    """A dictionary trained on four fifths of `samples`, if it compresses the other fifth better than `current` does
    (or than no dictionary, for a first one); else None. Retraining is not always an improvement: recent chunks that
    repeat each other make a small dictionary that knows little."""
    held_out = samples[::5]
    data = train([s for i, s in enumerate(samples) if i % 5], max_size, level)
    if compressed_size(held_out, data, level) < compressed_size(held_out, current, level):
        return data
    return None


def train(samples: list[bytes], max_size: int, level: int = 3) -> bytes:
    """A zstd dictionary from sample chunks (zstandard.train_dictionary, COVER), of at most `max_size` bytes and at
    most half the samples' size, tuned for compression `level`."""
    size = max(4096, min(max_size, sum(map(len, samples)) // 2))
    # The stub asks for list[ByteString], and a list is invariant: list[bytes] is exactly what it reads.
    trained = zstandard.train_dictionary(size, samples, k=_SEGMENT, d=_DMER, level=level)  # type: ignore[arg-type]
    return trained.as_bytes()
