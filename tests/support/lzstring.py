"""lz-string's compressToBase64, as posthog-js's `lz64` compression sends bodies: the tests need to make such bodies,
the gateway only reads them (gateway.protocols.lzstring). A port of lz-string 1.4's `_compress` for 6-bit output,
checked against the JavaScript library's own outputs in tests/gateway/test_posthog_codec.py's vectors."""

from __future__ import annotations

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


class _Bits:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.value = 0
        self.position = 0

    def write(self, value: int, width: int) -> None:
        """`width` bits of `value`, least significant first, as lz-string writes them."""
        for _ in range(width):
            self.value = (self.value << 1) | (value & 1)
            value >>= 1
            self._advance()

    def _advance(self) -> None:
        if self.position == 5:
            self.out.append(ALPHABET[self.value])
            self.position, self.value = 0, 0
        else:
            self.position += 1

    def finish(self) -> str:
        while True:  # flush the last character
            self.value <<= 1
            if self.position == 5:
                self.out.append(ALPHABET[self.value])
                return "".join(self.out)
            self.position += 1


def _utf16_units(text: str) -> list[str]:
    """JavaScript strings are UTF-16: characters beyond the BMP are two code units."""
    data = text.encode("utf-16-le")
    return [chr(int.from_bytes(data[i:i + 2], "little")) for i in range(0, len(data), 2)]


def compress_to_base64(text: str) -> str:
    bits = _Bits()
    dictionary: dict[str, int] = {}
    to_create: set[str] = set()
    enlarge_in, dict_size, num_bits = 2, 3, 2
    w = ""

    def emit(phrase: str) -> None:
        nonlocal enlarge_in, num_bits
        if phrase in to_create:
            code = ord(phrase)
            if code < 256:
                bits.write(0, num_bits)
                bits.write(code, 8)
            else:
                bits.write(1, num_bits)
                bits.write(code, 16)
            enlarge_in -= 1
            if enlarge_in == 0:
                enlarge_in, num_bits = 2 ** num_bits, num_bits + 1
            to_create.discard(phrase)
        else:
            bits.write(dictionary[phrase], num_bits)
        enlarge_in -= 1
        if enlarge_in == 0:
            enlarge_in, num_bits = 2 ** num_bits, num_bits + 1

    for c in _utf16_units(text):
        if c not in dictionary:
            dictionary[c] = dict_size
            dict_size += 1
            to_create.add(c)
        wc = w + c
        if wc in dictionary:
            w = wc
            continue
        emit(w)
        dictionary[wc] = dict_size
        dict_size += 1
        w = c
    if w:
        emit(w)
    bits.write(2, num_bits)  # end of stream
    out = bits.finish()
    return out + "=" * (-len(out) % 4)
