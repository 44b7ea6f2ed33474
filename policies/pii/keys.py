"""Key names: which keys are sensitive (their values are removed) and which hold free text (scanned more strictly).

Keys are split into words (`apiKey`, `API_KEY`, `x-api-key` → api, key) and a term matches a run of consecutive words,
written apart or together, so `api key` matches `apiKey`, `api_key` and `apikey`. Whole words only: `auth` matches
`authToken` and `auth_method` but not `author` or `oauth_provider`, and `token` does not match `tokens_used` (LLM usage
counts are not secrets). Relay matches substrings instead and so removes `author`; the word rule keeps analytics intact.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from policies.pii.names import UNSPLIT_LETTERS

# Codes named by what they open or how they come (`door_code`, `sms_code`, `puk`): names_a_code below.
_CODES = ("door code", "alarm code", "unlock code", "digicode", "turcode", "tuercode", "recovery code",
          "recovery codes", "backup code", "backup codes", "2fa code", "mfa codes", "mtan", "puk", "einmalcode",
          "eenmalige code", "codice monouso", "activation code", "reset code", "sms code", "login code", "safe code",
          "vault code", "keypad code", "tresorcode", "lock code", "lock combination", "safe combination",
          # a gate's, an entrance's, a garage's or a key box's, as rentals and deliveries note them, in
          # en/de/fr/es/it/nl, and a temporary one (not a `building_code`, also a regulation, nor a `portal_code`)
          "gate code", "entry code", "entrance code", "garage code", "lockbox code", "key safe code",
          "key box code", "torcode", "garagencode", "haustuercode", "haustur code", "code porte", "code portail",
          "code d entree", "code entree", "codigo puerta", "codigo de puerta", "codigo portal",
          "codice cancello", "codice portone", "codice ingresso", "deurcode", "poortcode",
          "temporary code", "temp code")
# Sentry Relay's PASSWORD_KEY_REGEX terms and documented defaults, Segment Privacy Portal's Red matchers (ssn, password,
# credit card, passport, token), the CSRF cookie names Relay filters, and passwords in de/fr/es/it/nl. Not
# `session id`: analytics sessions (Amplitude `session_id`, PostHog `$session_id`) are not secrets and the vendors need
# them.
DEFAULT_SENSITIVE_KEYS = (
    "password", "passwd", "pwd", "pw", "passcode", "access code", "passphrase", "senha", "passwort", "kennwort",
    "mot de passe", "contrasena", "wachtwoord", "mdp", "parola d ordine", "clave de acceso", "clave acceso",
    "pincode", "geheimzahl", "geheimwort", "parola ordine", "codigo acceso", "codigo de acceso", "code acces",
    # access codes, wifi keys, one-time codes and security answers, as forms name them in en/de/fr/es/it/nl
    "pword", "psw", "passw", "passwrd", "paswd", "pwrd", "zugangscode", "toegangscode", "code d acces",
    "codice accesso", "codice di accesso", "wlan key",
    # a bank's memorable word, code words, a wifi's shared key as routers and OSes name it in en/de/fr/it, security
    # answers in German word order, recovery keys; not `passkey`, a public-key credential of which apps send states
    # (`passkey_provider`, `passkey_error`), never a secret
    "memorable word", "memorable information", "codeword", "pre shared key", "psk",
    "wpa key", "wpa2 key", "wpa psk", "network key", "netzwerkschlussel", "netzwerkschluessel", "cle wifi", "cle wpa",
    "cle de securite", "cle securite", "chiave wifi", "chiave wlan", "sicherheitsfrage antwort",
    "antwort sicherheitsfrage", "recovery key",
    # passwords as forms in other European languages name them (pl, fi, da/no, sv, cs, hu, tr), and seed words
    "haslo", "salasana", "adgangskode", "passord", "losenord", "heslo", "jelszo", "sifre", "seed words",
    # and in hr/sr/bs, sl, lt, ca, gl, eu (not `parola`, an Italian word, nor `parool`, a Dutch watchword)
    "lozinka", "geslo", "slaptazodis", "contrasenya", "contrasinal", "pasahitza", "router key",
    # a card's or an account's personal code and secret words, in de/fr/es/it/nl (`code_confidentiel`, the PIN of
    # French cards; Quebec's `nip`, also Poland's tax number); not `parola chiave`, a keyword, nor `keyphrase`
    "pinnummer", "nip", "code confidentiel", "code personnel", "codice personale", "persoonlijke code",
    "geheime code", "codewort", "parola segreta", "parola di accesso", "parola accesso", "frase segreta",
    "palabra secreta", "palabra de paso", "mot secret",
    "backup phrase",
    # the plural a list of them or a form's array is sent under (`passwords`, `old_passwords`, `Kennwörter`), and
    # the vowel-less spellings (`pswd`); not `pins` (a map's or a board's pins)
    "passwords", "passcodes", "passphrases", "secrets", "mots de passe", "contrasenas", "wachtwoorden", "kennworter",
    "kennwoerter", "passworter", "passwoerter", "pswd", "psswd", "kodeord",
    "wifi key", "wlan schlussel", "wlan schluessel", "wifi schlussel", "wifi schluessel", "wifi sleutel", "wlan code",
    "wifi code", "one time code", "one time password", "verification code", "security answer", "sicherheitsantwort",
    "secret", "client secret", "api key", "access key", "secret key", "license key", "licence key", "signing key",
    "encryption key", "app key", "client key", "integration key", "master key", "service key", "account key",
    "connection string", "conn str", "cle api", "clave api", "chiave api", "api schlussel", "api schluessel",
    "api sleutel", "cle secrete", "clave secreta", "chiave segreta", "jeton",
    # codes that open a door, an alarm, a phone or an account, recovery words and seeds, secrets and logins in
    # de/fr/es/it/nl (not `parola chiave`, a keyword, nor `tan`, a colour, nor `sleutel` alone, any key)
    *_CODES, "einmalpasswort", "einmalkennwort", "activation key", "serial key", "seed phrase", "recovery phrase",
    "mnemonic phrase", "wallet seed", "privkey", "jwt", "codigo secreto",
    "codice segreto", "code secret", "geheimcode", "geheim", "geheimnis", "secreto", "segreto", "mot passe",
    "contrasenia", "credenziali", "credenciales", "zugangsdaten", "identifiants", "inloggegevens",
    "sicherheitscode", "codigo seguridad", "codigo de seguridad", "code securite", "code de securite",
    "codice sicurezza", "codice di sicurezza", "beveiligingscode", "creds",
    # answers to a security question, in en/de/fr/es/it/nl (the question itself is no secret)
    "security question answer", "geheime antwort", "reponse secrete", "respuesta secreta", "respuesta de seguridad",
    "reponse de securite", "risposta segreta", "risposta di sicurezza", "geheime vraag antwoord",
    "antwoord geheime vraag", "beveiligingsantwoord",
    "private key", "auth", "authorization", "credentials", "credential", "token", "access token", "refresh token",
    "id token", "bearer", "otp", "two factor", "mfa code", "mysql pwd", "cookie", "set cookie", "csrf", "xsrf",
    "csrf token", "xsrf token", "session token", "phpsessid", "ssn", "social security",
    "social security number", "credit card", "card number", "cc number", "ccnum", "cvv", "cvc", "cvv2",
    "security code", "pin", "passport", "passport number", "tax id", "national id", "account number", "routing number",
    # National identity and tax numbers, in the languages of the EU's largest markets.
    "taxpayer id", "tax identification", "taxpayer identification", "tin", "itin", "tax number", "tax code",
    "fiscal code", "national insurance", "social insurance number",
    "id number", "identity number", "steuer id", "steuernummer", "steueridentifikationsnummer",
    "sozialversicherungsnummer", "ausweisnummer", "personalausweis", "nir", "insee", "numero fiscal", "nif", "nie",
    "dni", "codice fiscale", "bsn", "burgerservicenummer", "sofinummer", "nino",
    # Identity documents and social security numbers in de/fr/es/it/nl.
    "persoonsnummer", "identiteitsnummer", "documentnummer", "paspoortnummer", "reisepass", "reisepassnummer",
    "passeport", "pasaporte", "passaporto", "paspoort", "carta identita", "carta d identita", "carte identite",
    "carte d identite", "securite sociale", "seguridad social", "cedula", "documento identidad",
    "numero documento", "identifikationsnummer", "idnr", "rentenversicherungsnummer", "personnummer", "id card",
    "identity card", "driver license", "drivers license", "driving licence", "fuhrerschein", "permis de conduire",
    "carnet de conducir", "rijbewijs", "ausweis",
    # The same numbers under the other names forms give them: a citizen's, a taxpayer's, a social (insurance) number,
    # a tax reference, the Dutch sofi, the Spanish and Italian identification and fiscal numbers.
    "citizen number", "citizen id", "citizenship number", "personal number", "personal id",
    "personal identification number", "social number", "taxpayer number", "taxpayer no", "tax ref", "tax reference",
    "tax identifier", "fiscal number", "fiscal id", "sofi", "numero identificacion", "numero de identificacion",
    "codigo fiscal", "numero securite sociale",
)

# The last word of the key decides: `search_query`, `user_comment`, `error_message` are free text, `message_id` is not.
DEFAULT_FREE_TEXT_KEYS = (
    "query", "search", "q", "term", "comment", "comments", "feedback", "note", "notes", "message", "description",
    "text", "body", "review", "subject", "content", "details", "reason", "bio", "answer", "prompt", "completion",
    "summary", "remarks", "remark", "memo", "msg", "caption", "transcript", "explanation", "justification",
    # de/fr/es/it/nl
    "nachricht", "kommentar", "bemerkung", "bemerkungen", "notiz", "beschreibung", "anmerkung", "mitteilung",
    "commentaire", "remarque", "explication", "mensaje", "comentario", "comentarios", "descripcion", "observaciones",
    "messaggio", "commento", "descrizione", "nota", "bericht", "opmerking", "opmerkingen", "omschrijving",
    "toelichting",
)

# Words that name a password only alone or after whose it is (`pass`, `user_pass`, `db_pass`, `clave`), since
# `boarding_pass`, `season_pass` and `palabra_clave` (a keyword) are not secrets.
_SHORT_SECRET_WORDS = frozenset({"pass", "clave"})
_SHORT_SECRET_OWNERS = frozenset({"user", "login", "db", "database", "admin", "account", "wifi", "smtp", "ftp", "root",
                                  "app", "temp", "new", "old", "current", "confirm", "my", "your", "mail", "vpn",
                                  "usuario", "utente", "benutzer", "utilisateur", "gebruiker",
                                  # whose or which one it is: the default, first or shared one, in en/es
                                  "default", "initial", "shared", "master", "tmp", "nueva", "nuevo",
                                  "actual", "antigua", "temporal", "provisional",
                                  # `temporary_pass`, `one_time_pass`, `guest_pass` is a visitor's badge
                                  "temporary", "time"})

# Which one a short secret word is, after it (`pass_new`, `clave_nueva`); not whose (`pass_app`, `pass_user`: passes).
_SECRET_QUALIFIERS = frozenset({"new", "old", "temp", "tmp", "confirm", "current", "initial", "default", "nueva",
                                "nuevo", "actual", "antigua", "temporal", "provisional",
                                # the network it opens: `clave_wifi`, `pass_wlan`
                                "wifi", "wlan"})
# A sign-up form's second field, in en/de/fr/es/it/nl (`pass_again`, `clave_repetir`, `old_pass_repeat`).
_FORM_REPEATS = frozenset({"again", "repeat", "repeated", "confirmation", "retype", "repetir", "repetida", "confirmar",
                           "confirmacion", "wiederholen", "wiederholung", "bestaetigen", "bestatigen", "bestaetigung",
                           "bestatigung", "confirmer", "ripeti", "conferma", "herhalen", "herhaling", "bevestigen"})
# Which one, in de/fr/it/nl, and the typed form: only glued to a whole password word (`passwortneu`, `plainpasswdraw`).
_GLUED_WHICH = frozenset({"neu", "alt", "nouveau", "nuova", "vecchia", "nieuw", "oud", "plain", "raw"})
# A password word at the end of a glued compound names a password (`userpassword`, `Zugangspasswort`,
# `inlogwachtwoord`, `wlanpasswort`): German and Dutch write compounds so, and lower-case keys lose their camelCase.
_PASSWORD_SUFFIXES = ("password", "passwort", "kennwort", "wachtwoord", "contrasena", "passwd", "motdepasse",
                      "passcode", "passphrase", "cardpin", "doorpin", "simpin")
# ... and so does one before which one it is or the form's field holding it, glued, after whose or which one or not
# (`passwordconfirm`, `kennwortwiederholen`, `passwordwifi`, `passwordtext`, `plainpasswdraw`); not before what is
# said about it (`passwordpolicy`, `passwordstrength`: keys about a secret, whose values are kept).
_GLUED_PASSWORD = re.compile(
    r"(?:" + "|".join(sorted(_SHORT_SECRET_OWNERS | _SECRET_QUALIFIERS | _GLUED_WHICH, key=len, reverse=True))
    + r"){0,2}"
    r"(?:password|passwort|kennwort|wachtwoord|contrasena|passwd|motdepasse|motpasse|mdp|pwd|clave|passcode"
    r"|passphrase|cardpin|doorpin|simpin|pinnumber)"
    r"(?:" + "|".join(sorted((_SECRET_QUALIFIERS - {"current", "initial", "default"}) | _FORM_REPEATS | _GLUED_WHICH,
                             key=len, reverse=True))
    + r"|text|field|input|value|val|str|string|\d{1,2}){1,2}")

# A short password word glued to whose or which one it is, as configs and scripts name them (`dbpass`, `adminpwd`,
# `rootpw`, `newpw`, `pwnew`); not `timepass` (a pastime), `masterpass` (a wallet), `compass`, `bypass`, `surpass`.
_GLUED_SHORT = re.compile(
    r"(?:" + "|".join(sorted(_SHORT_SECRET_OWNERS - {"time", "master", "temporary"}, key=len, reverse=True))
    + r")(?:pwd?|pass|passwd|pword)|(?:pwd?|pass)(?:new|old|confirm|repeat|again|neu|alt)")

# Things named with a secret's word that hold none, and what is left of them (`secret_santa_password` is still one):
# a gift game, a shop's sale or menu, a lingerie brand.
_NOT_SECRETS = {"secretsanta": "santa", "secretsale": "sale", "secretmenu": "menu", "victoriassecret": "victorias",
                "victoriasecret": "victoria"}

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

# A key about a secret rather than the secret itself: its last word says when, how or how strong (`password_changed_at`,
# `password_strength`, `auth_method`, `token_type`, `mfa_enabled`), or its first word asks whether there is one
# (`has_password`, `is_token_valid`). Only values that cannot be a secret are kept under such a key (redactions.py
# `cannot_be_a_secret`); a key whose last word is the secret's (`password_reset_token`, `new_password`) is not one.
_ABOUT_LAST = frozenset({
    "at", "on", "date", "time", "timestamp", "ts", "changed", "updated", "modified", "created",
    "expires", "expiry", "expiration", "expired", "strength", "score", "length", "policy", "required", "enabled",
    "disabled", "verified", "valid", "count", "attempts", "status", "state", "type", "method", "provider", "channel",
    "age", "consent",
    # whether the user saw or kept it, and where a form is (`recovery_key_shown`, `memorable_information_step`)
    "shown", "displayed", "downloaded", "printed", "copied", "saved", "acknowledged", "step",
    # whether a reset mail went out, and where a document was issued (`password_reset_sent`, `passport_country`)
    "sent", "requested", "completed", "succeeded", "failed", "country", "nationality", "issuer",
    # a sign-up form's checks and its show-password toggle (`passwords_match`, `password_visible`)
    "match", "matches", "matched", "mismatch", "visible", "hidden",
    # how many of them are left or were used (`backup_codes_remaining: 8`, `recovery_codes_used: 2`)
    "remaining", "left", "used", "generated", "regenerated",
    # a product that keeps them (`secrets_manager: "AWS"`, `password_manager: "Bitwarden"`)
    "manager", "managers",
})
# A plural password key alone: a list of them is removed, a count or a flag kept (`passwords: 3`), as under a key
# about a secret.
_PLURALS = frozenset({"passwords", "passcodes", "passphrases", "secrets", "contrasenas", "wachtwoorden", "kennworter",
                      "kennwoerter", "passworter", "passwoerter"})
_ABOUT_FIRST = frozenset({"has", "is", "was", "had", "uses", "needs", "requires", "require", "with", "without", "no",
                          "forgot", "can", "should"})


# A form's list of fields flattened into one object's keys (`fields[3][name]`, `items[0][label]`), as form-urlencoded
# bodies are parsed (PHP, Rails, qs): after a list's index, the last bracket is the key of the element's field, read as
# the same key in a list of objects is, alone (`name` there is the field's name, not a person's: `fields[3][name]:
# "plan"`). Without an index (`user[name]`, `customer[first_name]`) the brackets are one key's words.
_LISTED_FIELD = re.compile(r".*\[\d{1,6}\]\[([^\[\]]{1,64})\]")


def listed_field(key: str) -> str:
    """The key of a list element's field, flattened (`fields[3][name]`: `name`), or `key` itself."""
    if key[-1:] != "]":
        return key
    found = _LISTED_FIELD.fullmatch(key)
    return key if found is None else found.group(1)


def key_words(key: str) -> tuple[str, ...]:
    if not key.isascii():  # accents folded: `contraseña` is `contrasena`, `Straße` is `Strasse`
        key = unicodedata.normalize("NFKD", key.translate(UNSPLIT_LETTERS)).encode("ascii", "ignore").decode("ascii")
    return tuple(w.lower() for w in _WORDS.findall(key))


def _joined(term: str) -> str:
    return "".join(key_words(term))


class SensitiveKeys:
    def __init__(self, terms: Iterable[str]) -> None:
        self._terms: dict[str, str] = {}
        for term in terms:
            joined = _joined(term)
            if joined:
                self._terms.setdefault(joined, term)
        self._longest = max((len(key_words(t)) for t in self._terms.values()), default=0)

    def match(self, key: str) -> str | None:
        """The configured term that `key` contains, or None."""
        words = key_words(key)
        if words and words[-1].isdigit():  # `pass1`, `pw_2`: a password and which one
            words = words[:-1]
        short = _short_secret(words)
        if short is not None:
            return short
        if "secret" in "".join(words):
            words = _without_not_secrets(words)
        terms = self._terms
        for i in range(len(words)):
            run = ""
            for j in range(i, len(words)):
                run += words[j]
                found = terms.get(run)
                if found is not None:
                    return found
                if len(run) > 40:
                    break
        glued = any((len(word) > 8 and (word.endswith(_PASSWORD_SUFFIXES) or _GLUED_PASSWORD.fullmatch(word)))
                    or _GLUED_SHORT.fullmatch(word) for word in words)
        return "password" if glued else None


def _without_not_secrets(words: tuple[str, ...]) -> tuple[str, ...]:
    """`words` without the secret word of a thing that holds none (`secret_santa_password`: santa, password)."""
    out: list[str] = []
    for i, word in enumerate(words):
        glued = next((n for n in _NOT_SECRETS if n in word), None)
        if glued is not None:
            word = word.replace(glued, _NOT_SECRETS[glued])
        elif word == "secret" and ((i + 1 < len(words) and word + words[i + 1] in _NOT_SECRETS)
                                   or (i > 0 and words[i - 1] + word in _NOT_SECRETS)):
            continue
        out.append(word)
    return tuple(out)


def _short_secret(words: tuple[str, ...]) -> str | None:
    """`pass` or `clave` when the key's other words say whose or which one it is, or None."""
    if words and words[-1] in _SHORT_SECRET_WORDS and (len(words) == 1 or words[-2] in _SHORT_SECRET_OWNERS):
        return words[-1]
    if 2 <= len(words) <= 3 and words[0] in _SHORT_SECRET_WORDS and (
            words[-1] in _SECRET_QUALIFIERS or (words[0] == "clave" and words[-1] in _SHORT_SECRET_OWNERS
                                                and words[1:-1] in ((), ("de",), ("del",)))):
        # which one after it: `pass_new`, `clave_nueva`, `pass_confirm`; whose after a Spanish `clave` (as Spanish
        # writes it: `clave_de_usuario`), but not after `pass` (`pass_app`, `pass_user`: passes)
        return words[0]
    for i in range(max(0, len(words) - 3), len(words) - 1):
        if words[i] in _SHORT_SECRET_WORDS and (i == 0 or words[i - 1] in _SHORT_SECRET_OWNERS) and all(
                w in _SECRET_QUALIFIERS or w in _FORM_REPEATS for w in words[i + 1:]):
            # whose, then which one: `old_pass_repeat`, `user_clave_wifi_confirmation` (not `boarding_pass_new`)
            return words[i]
    return None


# Codes named by what they open or how they come (`door_code`, `sms_code`, `puk`): their keys also hold a state (`sent`,
# `locked`), so their values are removed only when they could be a code (redactions.cannot_be_a_code).
_CODE_KEYS = frozenset(_joined(term) for term in _CODES)


def about_a_secret(key: str) -> bool:
    """True if a key that names a secret says something about it instead (`password_changed_at`, `has_password`)."""
    words = key_words(key)
    return (len(words) > 1 and (words[-1] in _ABOUT_LAST or words[0] in _ABOUT_FIRST)) or (
        len(words) == 1 and words[0] in _PLURALS)


def names_a_code(key: str) -> bool:
    """True if a key names a code by what it opens or how it comes, a key that also holds a state (`sms_code:
    "sent"`, `door_code: 4821`); after it, words say what of it (`garage_code_set: false`, `torcode_vorhanden: true`:
    a boolean, which no code is, stays)."""
    words = key_words(key)
    return any("".join(words[i:j]) in _CODE_KEYS and not _CODE_WORDS.intersection(words[j:])
               for i in range(len(words)) for j in range(i + 1, min(len(words), i + 3) + 1))


# Words that name the code itself after a code's term (`puk_code`, `door_code_number`): the key is the code's, whose
# words are removed as a sensitive key's (`puk_code: "Bello"`), not a state's.
_CODE_WORDS = frozenset({"code", "codes", "pin", "number", "nummer", "numero", "nr", "codice", "codigo", "key"})


class FreeTextKeys:
    def __init__(self, names: Iterable[str]) -> None:
        self._names = frozenset(_joined(n) for n in names if _joined(n))

    def match(self, key: str) -> bool:
        words = key_words(key)
        return bool(words) and (words[-1] in self._names or "".join(words) in self._names)


# A key whose last word names a key, a signature or a DSN (`algolia_key`, `hmac_key`, `ingest_key`, `webhookSignature`,
# `sentry_dsn`) holds a secret when its value is shaped like one, and something else when not (`sort_key: "name"`,
# `partition_key: "2024-06-01"`, `keyboard`). Keys that the sensitive terms already name (`api_key`) are not asked.
_TOKEN_LAST = frozenset({"key", "keys", "signature", "sig", "hmac", "dsn", "schlussel", "sleutel", "cle", "chiave",
                         "clef"})
# Keys of data structures and of things, whose values are ids or names, never secrets (`idempotency_key: <uuid>`).
_NOT_TOKEN_FIRST = frozenset({
    "sort", "sorting", "order", "cache", "primary", "foreign", "partition", "shard", "routing", "row", "object",
    "idempotency", "dedup", "dedupe", "deduplication", "unique", "lookup", "group", "grouping", "i18n", "translation",
    "message", "event", "feature", "flag", "experiment", "config", "setting", "property", "attribute", "variant",
    "storage", "s3", "bucket", "file", "map", "field", "column", "index", "hash", "join", "composite", "natural",
    "surrogate", "candidate", "query", "filter", "metric", "dimension", "cursor", "page", "item", "record", "entity",
    "resource", "node", "react", "list", "component", "hot", "music", "keyboard", "press", "pressed", "shortcut",
    "hotkey", "public", "publishable",
})


# A key that names a login, a user's access or a network's (`login`, `login_info`, `zugang`, `datos_de_acceso`,
# `wifi`): a test account or a shared login is noted under it as a user name and a password in one value (`admin /
# Hunter2!`), which is replaced (passwords.py `a_login_pair`); any other value (`login: "jdoe"`, `access: "read"`) goes
# to the detectors. Its last word is the login's, or says it holds its data (`login_data`, `anmeldedaten`, `dati`).
_LOGIN_WORDS = frozenset({"login", "logins", "logon", "signin", "account", "access", "zugang", "anmeldung", "acces",
                          "connexion", "acceso", "accesso", "inlog", "toegang", "wifi", "wlan"})
_LOGIN_DATA = frozenset({"info", "infos", "data", "details", "daten", "datos", "dati", "gegevens", "pair"})
# Whose login, after it (`accesso_admin`, `login_test`).
_LOGIN_OWNERS = frozenset({"admin", "root", "test", "demo", "user", "guest", "utente", "usuario", "benutzer"})
_LOGIN_GLUED = ("logindaten", "anmeldedaten", "zugangsinfo", "inloggegevens", "inlogdata", "logininfo", "logindata")


def names_a_login(key: str) -> bool:
    """True if `key` names a login or an access whose value may be a user name and its password (`login_info`)."""
    words = key_words(key)
    if not words:
        return False
    last = words[-1]
    if last in _LOGIN_WORDS or last.endswith(_LOGIN_GLUED) or (len(words) > 1 and words[-2:] == ("sign", "in")):
        return True
    return (last in _LOGIN_DATA or last in _LOGIN_OWNERS) and any(w in _LOGIN_WORDS for w in words[:-1])


# A key in the words that name a key and a password in de/nl/it/fr/es (`Schlüssel`, `sleutel`, `chiave`, `clé`,
# `llave`; Italian `parola chiave`, a keyword and a password): a value shaped like a password is replaced (passwords.py
# `shaped_like_a_password`), any other value goes to the detectors (`parola_chiave: "scarpe rosse"`, `chiave: "id"`).
_KEY_WORDS = frozenset({"schlussel", "schluessel", "sleutel", "chiave", "cle", "clef", "llave", "parolachiave"})


def names_a_key_word(key: str) -> bool:
    """True if `key` is a word that names a key or a password (`sleutel`, `parola_chiave`)."""
    return "".join(key_words(key)) in _KEY_WORDS


def names_a_token(key: str) -> bool:
    """True if `key` names a key or a signature that may hold a secret (`algolia_key`), not a data structure's."""
    words = key_words(key)
    return len(words) > 1 and words[-1] in _TOKEN_LAST and not (set(words[:-1]) & _NOT_TOKEN_FIRST)


# A secret as systems write one: 16 to 512 characters of the alphabets tokens use (base64, base64url, hex, with `.`,
# `~`, `:` separators), with a letter and a digit; not a UUID, a date, a dotted version or a numbered id (a short
# prefix, then digits: `INV-2024-00012345`), which are ids.
_TOKEN = re.compile(r"(?=[^\d]*\d)(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9_\-.+/=~:]{16,512}")
_NOT_TOKEN = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                        r"|\d{4}-\d{2}-\d{2}[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?|v?\d+(?:\.\d+)+(?:[-+][\w.-]*)?"
                        r"|[A-Za-z]{0,6}[-_/#]?\d[\d\-_/.]*")


def token_shaped(value: str) -> bool:
    """True if `value`, whole, is shaped like a key or a token (`f3a9c2e8...`, `sk_live_...`, `pk.eyJ...`)."""
    return _TOKEN.fullmatch(value) is not None and _NOT_TOKEN.fullmatch(value) is None
