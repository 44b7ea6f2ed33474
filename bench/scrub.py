"""Scrubbing throughput on one core, on strings that never repeat (cold) and on repeating traffic (warm), against
naive Presidio and Sentry Relay's built-in rules on the same events, in the same run.

    python bench/scrub.py [--events 10000] [--baseline-events 200] [--batch 20] [--repeat 3]

Two streams of Segment events, generated at run time:
- cold (ColdStream): varied B2B traffic in which no string value repeats (the run prints the share of distinct ones):
  each event has its own user, ids, timestamps, page URL and title, user agent build, search terms, invoice, order and
  build numbers, feature and company names, free-text comments; some carry PII where it turns up (traits, an e-mail
  as userId or in a URL's query, a phone or an e-mail in a comment or a search, a card number in a note, a name in a
  page title). Nothing is cached from one event to the next, so this is the scrubber's cost per new string.
- warm (WarmStream): 2,000 users, 300 products and 40 pages (strings repeat as in a running gateway); a scrubber warmed
  on a first half is timed on a second half of new events from the same users.

Contenders, each on the cold events:
- the scrubber (policies.pii.Scrubber, default policy), `scrub_events` in batches of --batch (one ingest request);
- Sentry Relay (PyPI sentry-relay): `pii_strip_event` with the rules Sentry applies by default (`convert_datascrubbing_
  config` with scrubData, scrubDefaults and scrubIpAddresses) on a Sentry event whose `extra` holds a request's
  Segment events (one call per batch of --batch, its best use: each call parses the config and compiles its rules),
  and one call per event beside it; the config is JSON-encoded once, events with orjson. "x Relay" is against the
  batched figure;
- naive Presidio: analyze + anonymize on every string value (NaiveBaseline), on the first --baseline-events events.
The process is pinned to one CPU; rates are events per CPU-second of this process (one core), with the wall-clock rate
beside them, each the best of --repeat runs (the machine may be shared: noise only ever slows a run). Ratios are of
figures measured in this run. Leak rates of the planted PII (pattern types, bench/leaks.py's matching) are printed
for each contender on the events it scrubbed.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import orjson  # noqa: E402
from faker import Faker  # noqa: E402
from leaks import Haystack  # noqa: E402
from pii_leaks import PATTERN_TYPES, Score, table  # noqa: E402

from gateway import heap  # noqa: E402
from gateway.protocols.segment import event_from_wire, event_to_wire  # noqa: E402
from policies.compiled import how_it_runs  # noqa: E402
from policies.pii import PiiConfig, Scrubber  # noqa: E402
from policies.pii import walker as pii_walker  # noqa: E402
from policies.pii.engine import blank_model  # noqa: E402
from policies.pii.recognizers import offline_tld_extractor, pattern_recognizers  # noqa: E402

SEED = 7
HASH_KEY = b"bench-only-key-0123456789abcdef"
USERS = 2000
UAS = [
    f"Mozilla/5.0 ({os_}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"
    for os_ in ("Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7", "X11; Linux x86_64")
    for v in (122, 123, 124, 125)
]


def public_ip(fake: Faker) -> str:
    while True:  # x.y.z.0 is its own /24: truncating it could not be told from leaking it
        value = fake.ipv4_public()
        if not value.endswith(".0"):
            return value


class WarmStream:
    """2,000 users, 300 products, 40 pages: the strings of a running gateway's traffic repeat."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker(["en_US", "en_GB", "de_DE", "fr_FR"])
        self.fake.seed_instance(seed)
        fake, rng = self.fake, self.rng
        self.users = []
        for _ in range(USERS):
            email = fake.email()
            self.users.append({
                "userId": email if rng.random() < 0.1 else f"usr_{rng.randint(10**6, 10**7)}",
                "anonymousId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "email": email, "name": fake.name(), "phone": fake.phone_number(), "ip": public_ip(fake),
                "ua": rng.choice(UAS), "locale": rng.choice(["en-US", "en-GB", "de-DE", "fr-FR"]),
            })
        self.products = [{"product_id": f"P{rng.randint(10**5, 10**6)}", "sku": f"SKU-{rng.randint(1000, 9999)}",
                          "name": fake.catch_phrase(), "price": round(rng.uniform(5, 500), 2),
                          "category": rng.choice(["Shoes", "Shirts", "Bags", "Hats"])} for _ in range(300)]
        self.pages = [("/" + fake.uri_path(), fake.sentence(nb_words=4)) for _ in range(40)]
        self.host = "https://shop.example.com"

    def event(self) -> tuple[dict[str, Any], list[dict[str, str]]]:
        rng, fake = self.rng, self.fake
        user = rng.choice(self.users)
        pii: list[dict[str, str]] = []
        path, title = rng.choice(self.pages)
        search = ""
        if rng.random() < 0.05:
            search = "?email=" + quote_plus(user["email"])
            pii.append({"type": "EMAIL_ADDRESS", "value": user["email"]})
        elif rng.random() < 0.3:
            search = "?utm_source=" + rng.choice(["google", "newsletter", "partner"]) + "&utm_medium=cpc"
        now = f"2024-05-{rng.randint(10, 28)}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:" \
              f"{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}Z"
        event: dict[str, Any] = {
            "messageId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "timestamp": now, "sentAt": now,
            "userId": user["userId"], "anonymousId": user["anonymousId"],
            "context": {
                "ip": user["ip"], "userAgent": user["ua"], "locale": user["locale"],
                "library": {"name": "analytics.js", "version": "next-1.84.3"},
                "page": {"url": self.host + path + search, "referrer": "https://www.google.com/", "title": title,
                         "search": search},
            },
        }
        pii.append({"type": "IP_ADDRESS", "value": user["ip"]})
        if "@" in user["userId"]:
            pii.append({"type": "EMAIL_ADDRESS", "value": user["userId"]})
        roll = rng.random()
        if roll < 0.05:
            event["type"] = "identify"
            event["traits"] = {"email": user["email"], "name": user["name"], "phone": user["phone"],
                               "plan": rng.choice(["free", "pro"]), "createdAt": now}
            pii += [{"type": "EMAIL_ADDRESS", "value": user["email"]}, {"type": "PHONE_NUMBER", "value": user["phone"]}]
        elif roll < 0.30:
            event["type"] = "page"
            event["name"] = title
            event["properties"] = {"path": path, "url": self.host + path + search}
        else:
            event["type"] = "track"
            product = rng.choice(self.products)
            kind = rng.random()
            if kind < 0.1:
                event["event"] = "Products Searched"
                query = fake.word() + " " + rng.choice(["shoes", "shirt", "bag"])
                if rng.random() < 0.1:
                    query = rng.choice([user["email"], user["phone"]])
                    pii.append({"type": "EMAIL_ADDRESS" if "@" in query else "PHONE_NUMBER", "value": query})
                event["properties"] = {"query": query, "category": product["category"]}
            elif kind < 0.2:
                event["event"] = "Order Completed"
                event["properties"] = {"order_id": f"ORD-{rng.randint(10**7, 10**8)}", "total": product["price"],
                                       "currency": "EUR", "coupon": rng.choice(["", "SUMMER10"]),
                                       "products": [dict(product, quantity=1)]}
            else:
                event["event"] = rng.choice(["Product Viewed", "Product Added"])
                event["properties"] = dict(product, currency="EUR", position=rng.randint(1, 24))
        return event, pii


# The values ColdStream picks from a short list: traffic repeats them, and so does the stream.
ENUMERATIONS = frozenset({
    "track", "page", "identify", "analytics.js", "en-US", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "EUR", "USD",
    "GBP",
    "Team", "Business", "Enterprise", "admin", "member", "viewer", "csv", "xlsx", "pdf", "Search Performed",
    "Invoice Paid", "Feature Used", "Comment Posted", "Report Exported", "Seat Added", "",
})


def luhn(digits: str) -> str:
    """`digits` with its Luhn check digit appended."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


class ColdStream:
    """Varied B2B traffic in which no string value repeats, but for enumerations (type, locale, currency, plan tier,
    SDK name): every other string is built from word pools (drawn from Faker once, since Faker costs ~0.1 ms a call)
    with fresh ids, numbers and word combinations."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = rng = random.Random(seed)
        fake = Faker(["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"])
        fake.seed_instance(seed)
        self.first = sorted({fake.first_name() for _ in range(1500)})
        self.last = sorted({fake.last_name() for _ in range(1500)})
        self.words = sorted({w for w in (fake.word() for _ in range(3000)) if len(w) > 2})
        self.forms = ["GmbH", "Inc", "Ltd", "SAS", "S.L.", "S.r.l.", "B.V.", "AG", "LLC"]
        self.domains = ["example.com", "example.org", "mail.example.net", "corp.example.de", "example.fr"]
        self.n = 0
        self.clock = 1_714_000_000_000
        rng.shuffle(self.words)

    def _id(self, bits: int = 64) -> str:
        return f"{self.rng.getrandbits(bits):x}"

    def _words(self, k: int) -> str:
        return " ".join(self.rng.choice(self.words) for _ in range(k))

    def _title(self, k: int) -> str:
        return " ".join(self.rng.choice(self.words).capitalize() for _ in range(k))

    def _person(self) -> tuple[str, str]:
        return self.rng.choice(self.first), self.rng.choice(self.last)

    def _email(self, first: str, last: str) -> str:
        local = f"{first}.{last}".lower().replace(" ", "") + str(self.rng.randint(1, 99999))
        return local.encode("ascii", "ignore").decode() + "@" + self.rng.choice(self.domains)

    def _phone(self) -> str:
        rng = self.rng
        return rng.choice([
            f"+1 ({rng.choice([212, 312, 415, 512, 617, 646, 206, 303, 404])}) {rng.randint(201, 989)}-"
            f"{rng.randint(1000, 9999)}",
            f"+49 {rng.choice([151, 160, 170, 176])} {rng.randint(10_000_000, 99_999_999)}",
            f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            f"+44 7{rng.randint(400, 999)} {rng.randint(100_000, 999_999)}",
        ])

    def _company(self) -> str:
        return f"{self.rng.choice(self.last)} {self._title(1)} {self.rng.choice(self.forms)}"

    def _time(self) -> str:
        self.clock += self.rng.randint(1, 900)
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.clock / 1000)) + f".{self.clock % 1000:03d}Z"

    def event(self) -> tuple[dict[str, Any], list[dict[str, str]]]:
        rng = self.rng
        self.n += 1
        first, last = self._person()
        email = self._email(first, last)
        pii: list[dict[str, str]] = []
        ip = f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        pii.append({"type": "IP_ADDRESS", "value": ip})
        user_id = email if rng.random() < 0.1 else "usr_" + self._id()
        if user_id == email:
            pii.append({"type": "EMAIL_ADDRESS", "value": email})
        tenant = f"{rng.choice(self.words)}{rng.randint(1, 9999)}"
        section = rng.choice(self.words)
        path = f"/{section}/{self._id(32)}/{rng.choice(self.words)}"
        query = ""
        if rng.random() < 0.05:
            query = "?invite=" + quote_plus(email)
            pii.append({"type": "EMAIL_ADDRESS", "value": email})
        elif rng.random() < 0.3:
            query = f"?utm_campaign={rng.choice(self.words)}-{rng.randint(1, 10**6)}&utm_medium=cpc"
        url = f"https://{tenant}.app.example.com{path}{query}"
        title = f"{self._title(2)} · {self._title(1)} {rng.randint(2, 10**5)}"
        now = self._time()
        event: dict[str, Any] = {
            "messageId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "timestamp": now, "sentAt": now[:-2] + f"{rng.randint(0, 9)}Z",
            "userId": user_id, "anonymousId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "context": {
                "ip": ip, "locale": rng.choice(["en-US", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL"]),
                "userAgent": f"Mozilla/5.0 ({rng.choice(['Windows NT 10.0; Win64; x64', 'X11; Linux x86_64'])}) "
                             f"AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{rng.randint(100, 131)}.0."
                             f"{rng.randint(1000, 6999)}.{rng.randint(0, 250)} Safari/537.36",
                "library": {"name": "analytics.js", "version": f"next-1.{rng.randint(40, 99)}.{rng.randint(0, 99)}"},
                "page": {"url": url, "path": path, "search": query, "title": title,
                         "referrer": f"https://www.{rng.choice(self.words)}{rng.randint(1, 10**5)}.example/"},
            },
        }
        roll = rng.random()
        if roll < 0.05:
            phone = self._phone()
            event["type"] = "identify"
            event["traits"] = {"email": email, "name": f"{first} {last}", "phone": phone, "company": self._company(),
                               "job_title": self._title(2), "createdAt": self._time()}
            pii += [{"type": "EMAIL_ADDRESS", "value": email}, {"type": "PHONE_NUMBER", "value": phone}]
        elif roll < 0.30:
            event["type"] = "page"
            event["name"] = title
            event["properties"] = {"path": path, "url": url, "title": title}
        else:
            event["type"] = "track"
            event["event"], event["properties"] = self._track(first, last, email, pii)
        return event, pii

    def _track(self, first: str, last: str, email: str, pii: list[dict[str, str]]) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        kind = rng.random()
        if kind < 0.15:
            query = self._words(rng.randint(1, 3))
            if rng.random() < 0.1:
                query = rng.choice([email, self._phone()])
                pii.append({"type": "EMAIL_ADDRESS" if "@" in query else "PHONE_NUMBER", "value": query})
            return "Search Performed", {"query": query, "results": rng.randint(0, 500), "scope": self._words(1)}
        if kind < 0.3:
            return "Invoice Paid", {
                "invoice_number": f"INV-{rng.randint(2019, 2026)}-{rng.randint(1, 999_999):06d}",
                "order_id": f"ORD-{rng.randint(10**7, 10**9)}", "amount": round(rng.uniform(10, 9000), 2),
                "currency": rng.choice(["EUR", "USD", "GBP"]), "plan": rng.choice(["Team", "Business", "Enterprise"]),
                "company": self._company(), "po_reference": f"PO {rng.randint(10**5, 10**7)}"}
        if kind < 0.5:
            return "Feature Used", {
                "feature_name": self._title(2) + f" {rng.randint(2, 999)}", "app_build": f"{rng.randint(1, 30)}."
                f"{rng.randint(0, 20)}.{rng.randint(0, 20)}.{rng.randint(100, 9999)}",
                "sdk_version": f"{rng.randint(1, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 40)}",
                "$el_text": f"{self._title(1)} {rng.randint(2, 9999)} {self._words(1)}",
                "duration_ms": rng.randint(1, 10**5)}
        if kind < 0.65:
            text = f"{self._words(rng.randint(4, 12)).capitalize()} (ticket {rng.randint(10**4, 10**7)})"
            extra = rng.random()
            if extra < 0.1:
                phone = self._phone()
                text += f" call me on {phone}"
                pii.append({"type": "PHONE_NUMBER", "value": phone})
            elif extra < 0.2:
                text += f", reply to {email}"
                pii.append({"type": "EMAIL_ADDRESS", "value": email})
            elif extra < 0.25:
                card = luhn("4" + "".join(str(rng.randint(0, 9)) for _ in range(14)))
                text += f" card {card[:4]} {card[4:8]} {card[8:12]} {card[12:]}"
                pii.append({"type": "CREDIT_CARD", "value": card})
            return "Comment Posted", {"comment": text, "thread_id": f"thr_{self._id()}", "mentions": rng.randint(0, 3)}
        if kind < 0.8:
            return "Report Exported", {"report": f"{self._title(3)} Q{rng.randint(1, 4)} {rng.randint(2019, 2026)}",
                                       "format": rng.choice(["csv", "xlsx", "pdf"]), "rows": rng.randint(1, 10**6),
                                       "filter": f"{self._words(1)}={self._words(1)}-{rng.randint(1, 10**4)}"}
        return "Seat Added", {"team": f"{self._title(1)} {self._title(1)} {rng.randint(1, 999)}",
                              "seats": rng.randint(1, 500), "role": rng.choice(["admin", "member", "viewer"]),
                              "workspace_id": f"ws_{self._id()}", "build_number": str(rng.randint(10**5, 10**8))}


class NaiveBaseline:
    """Presidio used the obvious way: analyze every string value with every recognizer, then anonymize it.

    Same recognizers and NLP pipeline as the scrubber (so the comparison measures how they are used, not which are
    loaded), Presidio's default context enhancer, the scrubber's score threshold, no prefilter, cache, batching, URL
    decoding or key and field rules.
    """

    def __init__(self, threshold: float = 0.4) -> None:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
        from presidio_anonymizer import AnonymizerEngine

        self._tmp = tempfile.TemporaryDirectory()
        model = blank_model(Path(self._tmp.name))
        nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": str(model)}])
        registry = RecognizerRegistry(supported_languages=["en"])
        for recognizer in pattern_recognizers(offline_tld_extractor(), ("US", "GB", "DE", "FR"), 0):
            registry.add_recognizer(recognizer)
        self.analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
        self.anonymizer = AnonymizerEngine()
        self.threshold = threshold

    def scrub_string(self, text: str) -> str:
        results = self.analyzer.analyze(text, language="en", score_threshold=self.threshold)
        if not results:
            return text
        return self.anonymizer.anonymize(text=text, analyzer_results=results).text

    def scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub_string(value)
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        return value


class Relay:
    """Sentry Relay's PII stripping (Rust, through its Python binding) with the rules Sentry applies by default."""

    def __init__(self) -> None:
        import sentry_relay

        self._strip = sentry_relay.pii_strip_event
        self.config = sentry_relay.convert_datascrubbing_config(
            {"scrubData": True, "scrubDefaults": True, "scrubIpAddresses": True, "sensitiveFields": [],
             "excludeFields": []})
        self._config_json = orjson.dumps(self.config)

    def _dumps(self, value: Any) -> bytes:
        return self._config_json if value is self.config else orjson.dumps(value)

    def scrub(self, event: dict[str, Any]) -> Any:
        return self._strip(self.config, {"extra": event}, json_dumps=self._dumps, json_loads=orjson.loads)["extra"]

    def scrub_batch(self, events: list[dict[str, Any]]) -> list[Any]:
        """One call for a request's events: each call parses the config and compiles its rules (about 0.5 ms)."""
        out = self._strip(self.config, {"extra": {"events": events}}, json_dumps=self._dumps, json_loads=orjson.loads)
        return list(out["extra"]["events"])


def strings_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_of(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_of(v)]
    return []


def timed(scrubber: Scrubber, wires: list[dict[str, Any]], batch: int) -> tuple[float, float, list[Any]]:
    """(wall seconds, CPU seconds, scrubbed wire dicts) for scrubbing `wires` in batches of `batch`."""
    events = [event_from_wire(copy.deepcopy(w), None, "bench") for w in wires]
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(events), batch):
        scrubber.scrub_events(events[i : i + batch])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, [event_to_wire(e) for e in events]


def timed_each(scrub: Callable[[Any], Any], wires: list[dict[str, Any]]) -> tuple[float, float, list[Any]]:
    """(wall seconds, CPU seconds, outputs) for `scrub` called on a copy of each wire dict."""
    copies = [copy.deepcopy(w) for w in wires]
    wall, cpu = time.perf_counter(), time.process_time()
    out = [scrub(w) for w in copies]
    return time.perf_counter() - wall, time.process_time() - cpu, out


def timed_batches(scrub: Callable[[list[Any]], list[Any]], wires: list[dict[str, Any]],
                  batch: int) -> tuple[float, float, list[Any]]:
    """(wall seconds, CPU seconds, outputs) for `scrub` called on copies of `wires`, `batch` at a time."""
    copies = [copy.deepcopy(w) for w in wires]
    wall, cpu = time.perf_counter(), time.process_time()
    out = [o for i in range(0, len(copies), batch) for o in scrub(copies[i : i + batch])]
    return time.perf_counter() - wall, time.process_time() - cpu, out


def score(outputs: list[Any], planted: list[list[dict[str, str]]]) -> Score:
    result = Score()
    for output, pii in zip(outputs, planted, strict=True):
        result.add({"vendor": "segment", "pii": pii, "benign": []}, Haystack.of(output))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--baseline-events", type=int, default=200)
    parser.add_argument("--batch", type=int, default=20, help="events per scrub_events call (a request's batch)")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    parser.add_argument("--gc-defaults", action="store_true",
                        help="CPython's collector settings, not gateway.heap's (what serving processes and scrub "
                             "workers run under)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    cold_stream, warm_stream = ColdStream(), WarmStream()
    cold = [cold_stream.event() for _ in range(args.events)]
    warm_a = [warm_stream.event() for _ in range(args.events)]
    warm_b = [warm_stream.event() for _ in range(args.events)]
    seen: set[str] = set()
    total = repeated = repeated_long = 0
    for wire, _ in cold:
        mine = strings_of(wire)
        total += len(mine)
        repeated += sum(s in seen for s in mine)
        repeated_long += sum(s in seen and s not in ENUMERATIONS for s in mine)
        seen.update(mine)
    print(f"cold stream: {args.events} Segment events, {total / len(cold):.1f} strings per event; "
          f"{100 * repeated / total:.2f} % of the strings were seen in an earlier event "
          f"({100 * repeated_long / total:.2f} % if enumerations are left aside: type, locale, SDK name, event "
          "name, currency, plan, role, format)")

    analyzer = Scrubber(PiiConfig(), HASH_KEY, None).analyzer
    relay, baseline = Relay(), NaiveBaseline()
    subset = cold[: args.baseline_events]
    best: dict[str, tuple[float, float]] = {}
    outputs: dict[str, list[Any]] = {}

    def keep(name: str, t: tuple[float, float, list[Any]]) -> None:
        old = best.get(name, (1e9, 1e9))
        best[name] = (min(old[0], t[0]), min(old[1], t[1]))
        outputs[name] = t[2]

    # The collector as the gateway's serving process and scrub workers set it (gateway/heap.py), unless asked for
    # CPython's defaults. Frozen with the start-up heap: this run's generated events, which a worker, holding one
    # request at a time, never has in its heap.
    with contextlib.nullcontext() if args.gc_defaults else heap.long_lived():
        for _ in range(args.repeat):
            keep("cold", timed(Scrubber(PiiConfig(), HASH_KEY, None, analyzer=analyzer), [w for w, _ in cold],
                               args.batch))
            keep("single", timed(Scrubber(PiiConfig(), HASH_KEY, None, analyzer=analyzer),
                                 [w for w, _ in cold[: args.events // 4]], 1))
            keep("relay", timed_batches(relay.scrub_batch, [w for w, _ in cold], args.batch))
            keep("relay each", timed_each(relay.scrub, [w for w, _ in cold[: args.events // 4]]))
            keep("baseline", timed_each(baseline.scrub, [w for w, _ in subset]))
            warm_scrubber = Scrubber(PiiConfig(), HASH_KEY, None, analyzer=analyzer)
            timed(warm_scrubber, [w for w, _ in warm_a], args.batch)
            keep("warm", timed(warm_scrubber, [w for w, _ in warm_b], args.batch))
            keep("relay warm", timed_batches(relay.scrub_batch, [w for w, _ in warm_b], args.batch))
    counts = {"cold": args.events, "single": args.events // 4, "relay": args.events, "relay each": args.events // 4,
              "baseline": len(subset), "warm": args.events, "relay warm": args.events}
    rate = {k: (counts[k] / best[k][0], counts[k] / best[k][1]) for k in best}  # (per wall s, per CPU s)
    planted = {"cold": [p for _, p in cold], "single": [p for _, p in cold[: args.events // 4]],
               "relay": [p for _, p in cold], "relay each": [p for _, p in cold[: args.events // 4]],
               "baseline": [p for _, p in subset], "warm": [p for _, p in warm_b],
               "relay warm": [p for _, p in warm_b]}
    leaks = {k: score(outputs[k], planted[k]) for k in best}

    print(f"best of {args.repeat} runs; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; the scrubber"
          f" runs {how_it_runs(pii_walker)}; garbage collector: "
          + ("CPython's defaults (--gc-defaults)" if args.gc_defaults else
             "gateway.heap's settings, as the serving process and scrub workers run (start-up heap frozen, "
             "collections batched)"))
    print()
    print(f"{'':40} {'events/s':>9} {'(wall)':>9} {'x Relay':>8} {'x Presidio':>11} {'leak %':>7}")
    rows = [(f"COLD scrubber, batches of {args.batch}", "cold"), ("COLD scrubber, one event per call", "single"),
            (f"COLD Sentry Relay, batches of {args.batch}", "relay"),
            ("COLD Sentry Relay, one event per call", "relay each"),
            (f"COLD naive Presidio ({len(subset)} events)", "baseline"),
            ("warm scrubber (strings repeat)", "warm"), (f"warm Sentry Relay, batches of {args.batch}", "relay warm")]
    for title, key in rows:
        relay_key = "relay warm" if key.startswith("warm") or key == "relay warm" else "relay"
        print(f"{title:40} {rate[key][1]:>9,.0f} {rate[key][0]:>9,.0f} {rate[key][1] / rate[relay_key][1]:>7.2f}x "
              f"{rate[key][1] / rate['baseline'][1]:>10.0f}x {100 * leaks[key].leak_rate(PATTERN_TYPES):>6.2f}%")
    print("(events per CPU-second of this process, pinned to one core; wall-clock figure beside it; leak % of the "
          "planted pattern-type PII)")
    print()
    print("\n".join(table(leaks["cold"], "type", "scrubber leaks (cold)")))
    print()
    print("\n".join(table(leaks["relay"], "type", "Relay leaks (cold)")))


if __name__ == "__main__":
    main()
