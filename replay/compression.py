"""zstd for replay chunks, with a dictionary trained per source.

SDKs send a recording in small batches (posthog-js flushes every two seconds), and small inputs compress poorly on
their own: the redundancy is across chunks (the same tags, attributes, event shapes). A dictionary trained on a source's
recent chunks carries that redundancy, so each chunk compresses as if it had its neighbours' context. Dictionaries are
versioned; each chunk remembers the one it was compressed with, so old chunks stay readable after retraining. Until a
source has sent enough chunks to train on, its chunks are compressed without one.
"""

from __future__ import annotations

import threading

import zstandard

# Big enough that a decompressed chunk needs no guess about its size; the ingest limits keep real chunks far below.
MAX_CHUNK_BYTES = 256 * 1024 * 1024


class Compressor:
    """Compresses and decompresses chunks. Keeps one zstd context per dictionary and thread (contexts are not
    thread-safe, and dictionary preparation is too costly to repeat per chunk)."""

    def __init__(self, level: int) -> None:
        self.level = level
        self._dictionaries: dict[int, zstandard.ZstdCompressionDict] = {}
        self._local = threading.local()

    def add_dictionary(self, dict_id: int, data: bytes) -> None:
        dictionary = zstandard.ZstdCompressionDict(data)
        # Digest it once for our level: otherwise every compress() loads the dictionary into the context again,
        # which costs more than compressing a small chunk.
        dictionary.precompute_compress(level=self.level)
        self._dictionaries[dict_id] = dictionary

    def has_dictionary(self, dict_id: int) -> bool:
        return dict_id in self._dictionaries

    def _contexts(self) -> tuple[dict, dict]:
        if not hasattr(self._local, "compressors"):
            self._local.compressors, self._local.decompressors = {}, {}
        return self._local.compressors, self._local.decompressors

    def compress(self, raw: bytes, dict_id: int | None) -> bytes:
        compressors, _ = self._contexts()
        context = compressors.get(dict_id)
        if context is None:
            dictionary = self._dictionaries[dict_id] if dict_id is not None else None
            context = zstandard.ZstdCompressor(level=self.level, dict_data=dictionary, write_content_size=True)
            compressors[dict_id] = context
        return context.compress(raw)

    def decompress(self, data: bytes, dict_id: int | None) -> bytes:
        _, decompressors = self._contexts()
        context = decompressors.get(dict_id)
        if context is None:
            dictionary = self._dictionaries[dict_id] if dict_id is not None else None
            context = zstandard.ZstdDecompressor(dict_data=dictionary)
            decompressors[dict_id] = context
        return context.decompress(data, max_output_size=MAX_CHUNK_BYTES)


def train(samples: list[bytes], max_size: int) -> bytes:
    """A zstd dictionary from sample chunks (zstandard.train_dictionary, COVER algorithm), of at most `max_size` bytes.

    A dictionary much larger than about a twelfth of its samples is mostly noise and compresses worse (measured on the
    replay corpus: with 420 KB of samples, 32 KB gave 45 % of gzip-6's size at level 6, 64 KB gave 55 %)."""
    total = sum(map(len, samples))
    size = max(4096, min(max_size, total // 12))
    return zstandard.train_dictionary(size, samples).as_bytes()
