"""lz-string's `decompressFromBase64`, which older posthog-js uses for `compression=lz64` bodies.

Written here because the PyPI package `lzstring` (1.0.4, 2018) is unmaintained. The algorithm is lz-string 1.5.0's
`_decompress` (pieroxy/lz-string, MIT): an LZW variant over bit fields read from 6-bit base64 digits, producing UTF-16
code units, which JavaScript strings are; a pair of surrogate units becomes one Python character at the end.

Output is capped (`max_chars`), as gzip is in gateway.bodies: a small lz64 body must not expand without bound.
"""

from __future__ import annotations

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}


class LZStringError(ValueError):
    """Not valid lz-string base64 data, or it expands past the cap."""


def decompress_from_base64(data: str, max_chars: int) -> str:
    if data == "":
        return ""
    try:
        digits = [_VALUE[c] for c in data]
    except KeyError as exc:
        raise LZStringError(f"character {exc.args[0]!r} is not base64") from None
    return _decompress(digits, 32, max_chars)


class _Bits:
    """Reads bit fields, lowest bit first, from digits of `reset` (a power of two) values each."""

    def __init__(self, digits: list[int], reset: int) -> None:
        self.digits, self.reset = digits, reset
        self.value, self.position, self.index = digits[0], reset, 1

    def read(self, count: int) -> int:
        bits, power = 0, 1
        for _ in range(count):
            if self.value & self.position:
                bits |= power
            self.position >>= 1
            if self.position == 0:
                self.position = self.reset
                # Past the end, lz-string reads NaN, i.e. zero bits; a truncated stream then fails below.
                self.value = self.digits[self.index] if self.index < len(self.digits) else 0
                self.index += 1
            power <<= 1
        return bits


def _decompress(digits: list[int], reset: int, max_chars: int) -> str:
    bits = _Bits(digits, reset)
    dictionary: list[str] = ["", "", ""]  # codes 0, 1, 2 are commands, not entries
    enlarge_in, num_bits = 4, 3

    kind = bits.read(2)
    if kind == 2:
        return ""
    if kind not in (0, 1):
        raise LZStringError("invalid lz-string header")
    w = chr(bits.read(8 if kind == 0 else 16))
    dictionary.append(w)
    result = [w]
    size = 1
    while True:
        if bits.index > len(digits):
            raise LZStringError("lz-string data is truncated")
        code = bits.read(num_bits)
        if code in (0, 1):
            dictionary.append(chr(bits.read(8 if code == 0 else 16)))
            code = len(dictionary) - 1
            enlarge_in -= 1
        elif code == 2:
            return _from_utf16_units("".join(result))
        if enlarge_in == 0:
            enlarge_in = 1 << num_bits
            num_bits += 1
        if code < len(dictionary):
            entry = dictionary[code]
        elif code == len(dictionary):
            entry = w + w[0]
        else:
            raise LZStringError("invalid lz-string code")
        size += len(entry)
        if size > max_chars:
            raise LZStringError(f"lz-string data expands past {max_chars} characters")
        result.append(entry)
        dictionary.append(w + entry[0])
        enlarge_in -= 1
        w = entry
        if enlarge_in == 0:
            enlarge_in = 1 << num_bits
            num_bits += 1


def _from_utf16_units(units: str) -> str:
    # chr() of each 16-bit unit leaves surrogate pairs as two characters; re-read them as UTF-16 to join them.
    try:
        return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise LZStringError("lz-string data is not valid UTF-16") from None
