"""The prefilter: which entities a string could hold, from a few cheap character tests.

Each test below is a necessary condition of the recognizers it names (recognizers.py): a string that fails it cannot
produce a finding for those entities, so Presidio never sees it, and a string that passes some tests is analysed for
just those entities. Keep the two files in step: a recognizer that can match where its test fails would leak.

Speed: substring tests (`in`) and regexes that start with a digit or a literal run in C at memchr-like speed; one
alternation of all the patterns would be tried at every position and cost ten times as much on a user-agent string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path

import hyperscan

from policies.pii import hyperscan_cache
from policies.pii.name_context import PERSON_CUE_HINT, STRONG_CUE_HINT, could_hold_a_handle
from policies.pii.names import PEOPLE_SEGMENTS, TEAM_PAGES, fold, gazetteer
from policies.pii.places import STREET_HINT
from policies.pii.prefilter import BatchScan, CharMap, by_text

_SEP = r"[\s\-\u2010-\u2015\u2212./()\[\]~+]"
# A run of ≥ 7 digits: needed by phone (≥ 7 digits), card (≥ 12), SSN (9), and IBAN (every country's account
# number has a run of 7 or more digits). Then, for phone and card, a run that does not continue a word
# (`ORD-84629173`, UUID groups), as their recognizers require; SSN and IBAN have patterns of their own.
_DIGITS = re.compile(r"\d(?:" + _SEP + r"{0,4}\d){6,}")
_PHONE_CARD = re.compile(r"(?<!\w)(?<!\w[\-.])\d(?:" + _SEP + r"{0,4}\d){6,}")
# A phone number's run: not glued to a word before it, as ContextPhoneRecognizer requires (`Chrome/120.0.6099.71`,
# `#4155550100`, `v1.2…`); `tel:` links are the recognizer's exception, and their run follows a `:` or a `+`.
_PHONE = re.compile(r"(?<![\w#$€£¥])(?<!\w[\-./])\d(?:" + _SEP + r"{0,4}\d){6,}")
# Or one glued to a phone word by its dot or colon (`tel.0612345678`), or to a long one by nothing (`phone415…`,
# `Rufnummer0171…`), which the recognizer takes as written to call (recognizers._LINK): the words' endings, a looser
# test.
_GLUED_PHONE = re.compile(r"(?i)(?:tel|t[ée]l|ph|phone|mob|mobil|mobile|cell|handy|fax|gsm|tlf|telf|fon|fono|foon"
                          r"|mobiel|cellulare|vil|portable)[.:]{1,2}\+?\d"
                          r"|(?:phone|mobile|handy|fon|fono|foon|mobiel|cellulare|nummer|app)[.:]{0,2}\+?\d")
# A card number's first 12 digits, as LuhnCardRecognizer takes them (an issuer's digit 2-6, single spaces or dashes):
# not the dotted runs of user agents and versions (`Chrome/131.0.6450.75`). Without its look-behinds, whose `\w` is
# not quite the `regex` module's: this test must pass wherever the recognizer's pattern could.
_CARD = re.compile(r"[2-6]\d{3}(?:[ -]?\d){8}")
_ANY_DIGIT = re.compile(r"\d")
_NO_DIGITS = str.maketrans("", "", "0123456789")
_SSN = re.compile(r"\d{3}[- .]\d{2}[- .]\d{4}")
# Nine plain digits after the word of a US social security number (recognizers.SsnByCueRecognizer): `SSN 536824419`.
_NINE = re.compile(r"(?<!\d)\d{9}(?!\d)")
_SSN_CUE = re.compile(r"(?i)ss\s?#|ssn|social|tin|tax|sozialversicherung|s[ée]curit|previdenza")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[ \-]?\d{2}(?:[ \-]?[A-Za-z0-9]{4}){2}")
# National ids with a check character (recognizers.national_id_recognizers): German tax id, DNI/NIE, codice fiscale,
# National Insurance number, French NIR; the labels of a Dutch BSN and of an identity document's number.
_NATIONAL = re.compile(r"(?i)\b(?:[XYZ]?\d{7,8}-?[A-Z]|[1-9]\d{10}|[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]"
                       r"|[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]"
                       r"|[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2})\b"
                       r"|bsn|burgerservice|sofi|persoonsnummer|citizen\s+service"
                       r"|ausweis|reisepass|passport|passeport|pasaporte|passaporto|paspoort|id\s+card|identit"
                       r"|documento")
_IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d")
_IPV6_FULL = re.compile(r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]")
_AWS = re.compile(r"A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|PKA|ROA|SCA)[A-Z2-7]{16}")
_SECRET = re.compile(r"_live_|_test_|whsec_|gh[pousr]_|github_pat_|glpat-|xox|hooks\.slack\.com/services/|AIza|sk-"
                     r"|SG\.|npm_|phx_|hf_|shp(?:at|ca|pa|ss)_|do[opr]_v1_|xapp-|pypi-|lin_api_|glsa_|SK[0-9a-fA-F]{32}"
                     r"|key-|-us\d|sq0|ATATT3|dapi|PMAK-|sntr|sbp_|dp\.|secret_|ntn_|sk\.eyJ|:AA|pat[A-Za-z0-9]{14}\."
                     r"|fig[dou]_|NR(?:AK|II)-|tskey-|pul-|HRKU-|ya29\.|GOCSPX-|dckr_pat_|glc_|gsk_|r8_|AGE-SECRET-KEY-1"
                     r"|pplx-|pscale_|nfp_|:APA91b|pk\.eyJ|pat-(?:na|eu)\d-|xkeysib-|pcsk_|xai-|hv[sb]\.|\.atlasv1\."
                     r"|dt0c01\.|sq[upa]_|CCIPAT_|bkua_|rubygems_|CFPAT-|ATBB|EAA[A-Za-z0-9]{100}|\dQ~|ops_eyJ|fo1_|rnd_"
                     r"|access_token\$|shippo_|tfp_|re_[A-Za-z0-9]{8}_")
# Necessary for LabelledSecretRecognizer: the label of a key or token, in any case.
# Or a word about keys near a random token (recognizers._SECRET_NEAR): `rotate`, `revoked`, `leaked`, `credentials`.
_SECRET_LABEL = re.compile(r"(?i)key|secret|token|auth|sig|schl|cl.\s|clef|clave|chiave|sleutel|jeton|rotat|revok"
                           r"|leak|expos|compromis|cred|geheim|segret|chiavi")
_BTC = re.compile(r"(?:bc1|[13])[a-zA-HJ-NP-Z0-9]{25}")
_ETH = re.compile(r"0x[0-9a-fA-F]{40}")
_AUTH_MARKS = ("earer", "EARER", "asic", "ASIC")
_AUTH = re.compile(r"(?i:bearer|basic)\s")
# Necessary for PasswordInTextRecognizer and StreetAddressRecognizer: the word, in any case.
# Necessary for PersonByContextRecognizer: a title, greeting or sign-off word, or an e-mail's display name; and for
# PersonByRoleRecognizer: a role's colon or the preposition of `assigned to`, `signed by`, `erstellt von`, ...
_PERSON_HINT = re.compile(
    r"(?i)\b(?:mr|mrs|ms|miss|mx|dr|prof|herrn?|frau|hr|fr|mme|mlle|monsieur|madame|sr|sra|srta|se[ñn]or|signor|sig"
    r"|dott|dhr|mevr|mw|meneer|mevrouw|dear|hi|hello|hey|hallo|liebe|lieber|geehrte|bonjour|salut|cher|ch[èe]re|hola"
    r"|estimad|querid|ciao|gentile|car[oa]|beste|hoi|dag|regards|best|thanks|thank|cheers|sincerely|cordialement"
    r"|good\s+(?:morning|afternoon|evening)|guten\s+(?:tag|morgen|abend)|bonsoir|buen[oa]s|buongiorno|buonasera"
    r"|goede(?:morgen|middag|navond)|welcome|willkommen|retour|bienvenue|bienvenid[oa]|bentornat[oa]|benvenut[oa]"
    r"|welkom|vous|merci|saludos|atentamente|saludo|saluti|grazie|groet|groeten)\b|gr(?:ü|u)(?:ß|ss)|<[^<>@\s]+@"
    # a role's label (PersonByRoleRecognizer): a role noun, its colon; or the participle of `assigned to`, `signed by`
    r"|\b(?:cc|bcc|to|from|attn|assignee|owner|customer|client|contact|requester|reporter|agent|employee|kund\w*"
    r"|kontakt|ansprechpartner\w*|mitarbeiter\w*|empf\w{1,2}nger|absender|cliente?|interlocuteur|destinataire"
    r"|exp\w+diteur|contacto|destinatario|remitente|contatto|referente|mittente|klant|contactpersoon|medewerker"
    r"|ontvanger|afzender|verantwortlich|inhaber\w*|responsable|propri\w{1,2}taire|propietari[oa]|responsabile"
    r"|proprietari[oa]|eigenaar|verantwoordelijke)\s*:"
    # the labels of interfaces before a name (recognizers._SEEN_LABEL) and a possessive before a page's word
    r"|\b(?:(?:signed|logged)\s+in\s+as|angemeldet\s+als|eingeloggt\s+als|connect\w{1,2}\s+en\s+tant\s+que"
    r"|connect\w{1,2}e\s+en\s+tant\s+que|conectad[oa]\s+como|sesi\w{1,2}n\s+iniciada\s+como|conness[oa]\s+come"
    r"|accesso\s+come|ingelogd\s+als|aangemeld\s+als|profile\s+of|profil\s+von|profil\s+de|perfil\s+de|profilo\s+di|profiel\s+van|ficha\s+de|fiche\s+de"
    r"|dossier\s+de|scheda\s+di|conversation\s+with|gespr\w{1,2}ch\s+mit|conversaci\w{1,2}n\s+con"
    r"|conversazione\s+con|gesprek\s+met|chat\s+with|chatten\s+mit|chatear\s+con|chatta\s+con|chatten\s+met"
    r"|conversation\s+avec|discussion\s+avec|\w{1,2}change\s+avec|entretien\s+avec)\s"
    # a contact card's role on the line before or after a name (recognizers._ROLE_LINE)
    r"|(?:ansprechpartner|kontaktperson|contact|contacto|contatto|interlocuteur|referente|account\s+owner"
    r"|account\s+manager|owner|assignee|sales\s+rep|customer\s+success\s+manager|key\s+account\s+manager)\w*"
    r"[ \t]*:?[ \t]*\r?\n|\n[ \t]*(?:ansprechpartner|kontaktperson|contact|contacto|contatto|interlocuteur"
    r"|referente|persona\s+de\s+contacto|account\s+owner|account\s+manager|owner|assignee|sales\s+rep"
    r"|customer\s+success|key\s+account)"
    # a name as a title's part before a profile's or a member's word (recognizers._PROFILE_PART)
    r"|\s[^\w\s]\s+(?:linkedin|xing|\w*profil|\w*profile|\w*profiel|\w*profilo|\w*perfil|admin|owner"
    r"|member|editor|viewer|guest|mitglied|membre|miembro|membro|lid)\b"
    "|['\u2019]" r"s\s+(?:profile|dashboard|account|page|calendar|tasks|inbox|notes|settings|workspace|team)\b"
    r"|\b(?:(?:assigned|signed|requested|reported|escalated|approved|reviewed|submitted|created|invited|handled"
    r"|zugewiesen|angefragt|erstellt|bearbeitet|assign\w{1,2}|demand\w{1,2}|cr\w{2}|sign\w{1,2}|asignado"
    r"|solicitado|creado|firmado|assegnato|richiesto|creato|firmato|toegewezen|aangevraagd|aangemaakt|ondertekend"
    r"|gemeldet|signal\w{1,2}|reportado|segnalato|gemeld|zuweisen|attribu\w{1,3}|assigner|asignar|assegna(?:re)?"
    r"|toewijzen)"
    r"\s+(?:to|by|an|von|\w|par|a|por|da|aan|door)|on\s+behalf|im\s+auftrag|de\s+la\s+part)\b"
    # whose account a sentence reports, a button's verb of writing to someone, an e-mail header's label in
    # de/fr/es/it/nl, a sign-off and its comma (name_context.cued_names: names no list holds; its other cues need a
    # listed given name), built from cued_names' own table
    "|" + PERSON_CUE_HINT
)
# Necessary for PersonByRoleRecognizer's patterns read by shape: a strong cue (`Call with`, `Termin mit`, `Name:`) or
# a contacts' or profile's word before a capital (name_context.STRONG_CUE_HINT).
_STRONG_CUE_HINT = re.compile(STRONG_CUE_HINT)
# Necessary for PersonInContextRecognizer: two capitalised words after a preposition, or before a verb, of
# recognizers._PERSON_PLACE and _PERSON_VERB. `C` is the capital (the ASCII stand-in of an accented capital is `A`).
_CONTEXT = (
    r"\b(?:with|from|for|to|mit|von|bei|an|f\w\w?r|avec|de|pour|chez|a|\u00e0|con|para|por|da|per|met|van|voor|naar"
    r"|bij|aan|by|di)[ \t]+C\w*[ \t]+C"
    r"|C\w*[ \t]+C\w*[ \t]+(?:called|asked|requested|wrote|said|mentioned|reported|emailed|wants"
    r"|needs|signed|approved|joined|replied|confirmed|complained|phoned|hat|ruft|rief|bittet|m\w\w?chte|schrieb"
    r"|meldet|a|souhaite|demande|veut|llam\w\w?|pidi\w\w?|quiere|solicita|escribi\w\w?|ha|vuole|chiede|richiede"
    r"|belde|heeft|wil|vraagt|vroeg|says|sagt|dit|dice|zegt|belt|appelle|rappelle|llama|chiama|richiama|anrufen"
    r"|zur\w\w?ckrufen|terugbellen|commented|left|prefers|kann|kan|w\w\w?nscht|peut|puede|riesce"
    # verbs of saying (recognizers._SAYING)
    r"|writes|sagte|schreibt|\w?crit|escribe|dijo|scritto|scrive|detto|schreef|schrijft|zei)\b"
)
_CONTEXT_HINT = re.compile(_CONTEXT.replace("C", "[A-Z\u00c0-\u00de]"))
_CONTEXT_GATE = _CONTEXT.replace("C", "[A-Z]").replace("|\\u00e0", "")  # à's stand-in is a
_W = r"[\s\x1c-\x1f]"  # Python's \s as hyperscan reads it (its own \s is ASCII and has no \x1c-\x1f)
# What passwords._SEPARATOR starts with, after the words of a one-time code and of a glued word: a colon or an equals
# sign, dots, a question mark, `'s`, a dash or an arrow, or a verb of passwords._IS and a space. The words
# alone (`otp`, `secret`, `sécurité`) are in texts about security settings, which no password pattern matches.
# Characters, not escapes, outside raw strings: hyperscan reads the same text (as its ASCII stand-in).
_SAID = (rf"(?:{_W}*(?:[:=?]|\.\.|" "\u2026)|['\u2019]s" rf"{_W}|{_W}+(?:-|" "\u2013|\u2014|\u2192|(?:is|ist|war|est"
         "|c['\u2019](?:est|[e\u00e9]tait)|[e\u00e9]tait|fue|es|\u00e8|\u00e9|era|was|were|lautete?|luidt|wordt|werd|sera"
         "|ser\u00e1|sar\u00e0|now"
         "|jetzt|nu|maintenant|ahora|ora|set|changed|reset|updated|ge\u00e4ndert|gesetzt|chang\u00e9|modifi\u00e9"
         rf"|cambiad[ao]|cambiat[ao]|gewijzigd|aangepast){_W}))")
# And after a short secret's (passwords.py "short secret", "quoted secret"): a colon, an equals sign or a verb.
_SECRET_SAID = rf"(?:{_W}*[:=]|{_W}+(?:is|was|ist|war|est|es|era|" "\u00e8)" rf"{_W})"
_PASSWORD_HINT = re.compile(r"(?i)passw|passc|passp|\bpass\b|kennw|pwd|\bpw\b|\bpsw\b|\bww\b|p/w|pword|mdp"
                            r"|mot[\s\x1c-\x1f-]*de[\s\x1c-\x1f-]*passe"
                            r"|contrase"
                            # one-time and verification codes, short secrets (passwords.py "one-time code", "short
                            # secret"), and words glued to a password's (`geheimwort`), each before what the pattern
                            # needs after it (no `\b` before them: Python's is not the `regex` module's of the patterns,
                            # `²otp: 836896`)
                            rf"|otp{_SAID}|verifica(?:ci" "[o\u00f3]" rf"n|tiecode|tion{_W}+code)?{_SAID}"
                            rf"|rification{_SAID}"
                            "|s.curit[e\u00e9]" rf"{_SAID}|geheimwort{_SAID}"
                            rf"|(?:secret|secreto|segreto|geheimnis){_SECRET_SAID}"
                            # each word only where its pattern takes it: `2fa code`, `codice di sicurezza:`,
                            # `parola d'ordine`, `code d'accès`, `codice di accesso`, `use X to access` (alone they
                            # are in hex ids, `parola chiave`, `sicurezza`, `accusantium`)
                            rf"|one.time|(?:2fa|mfa){_W}+code|best.tigungscode|bestaetigungscode|sicherheitscode"
                            rf"|einmalcode|(?:seguridad|sicurezza){_SAID}|beveiligingscode|codewort"
                            rf"|clave|access{_W}+code|zugangscode|d.acc.s|d[ie]{_W}+acce(?:s)?so|toegangscode|wlan|wifi"
                            rf"|wi-fi|(?:to|pour|para|per|om){_W}+(?:access|unlock|entrar|in{_W}+te{_W}+loggen)"
                            rf"|wachtw|parola{_W}+d|senha|\bpin|code{_W}+pin|geheimzahl|credential|creds|credenc|credenz"
                            r"|login|zugangsdaten|identifiants|inloggegevens"
                            # logging in with a value (recognizers: "logged in with", "use to log in")
                            r"|log\s*in|logged|sign\s*in|signed\s+in|anmeld|einlogg|eingeloggt|connect|sesi|acced"
                            r"|inlogg|ingelogd")
_STREET_HINT = re.compile(STREET_HINT)  # a street type or its abbreviation (places.STREET_TABLE)

# A listed given name: necessary for GazetteerNameRecognizer. The look-up keys are folded ASCII, kept here as bytes.
_GIVEN = frozenset(name.encode("ascii") for name in (*gazetteer().given, *gazetteer().paired))
_FIRST_PART = re.compile(rb"(?<![a-z])(?<![a-z]-)[a-z]+")  # a word's first part: not after a letter and a hyphen
# Folded text as bytes: upper case to lower, a letter or a hyphen kept, anything else a space (apostrophes go).
_LETTERS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or c == 45 else 32 for c in range(256))
_INITIAL = re.compile(r"[A-Z]\.[ \t]?[A-Z]")  # or an initial and a surname (`A. Müller`): names.py _INITIAL
# Or a collection of people in a path and a segment after it (names.py _PEOPLE_PATH): `/team/goffredo-germano`;
# or a page of a company's people (names.py _TEAM_PAGE_PATH): `/ueber-uns/guenther-jacob`.
_PEOPLE_PATH = re.compile(rf"(?i)(?:^|/)(?:{PEOPLE_SEGMENTS}|{TEAM_PAGES})/[^\W\d_]")

# The gates of the first pass (prefilter.py), by bit: each matches wherever the test of the same name could pass on
# ASCII text (the same pattern, with Python's \s spelled out, or a looser one). Keep them in step with the tests.
(AT, DIGITS, IPV4, IPV6, NATIONAL, STREET, JWT, PRIVATE_KEY, AUTH, AWS, SECRET, PASSWORD, PERSON, CRYPTO, NAME,
 SECRET_LABEL, CONTEXT, GLUED_PHONE, SSN_CUE, CARD, SSN, IBAN, PEOPLE_PATH, PHONE_CARD,
 PHONE, INITIAL, STRONG_CUE, STREET_ASCII) = (1 << i for i in range(28))
_NUMBER_TESTS = CARD | SSN | IBAN | PHONE_CARD | PHONE
# The gates of _secrets' and _words' tests: a text with none of them open (most texts with digits) skips both.
_WORD_TESTS = (JWT | PRIVATE_KEY | AUTH | AWS | SECRET | SECRET_LABEL | CRYPTO
               | PASSWORD | PERSON | STRONG_CUE | CONTEXT | NAME | PEOPLE_PATH)
_S = r"[\s\x1c-\x1f]"
_DIGIT_SEP = r"[\s\x1c-\x1f\-./()\[\]~+]"  # _SEP as hyperscan reads Python's \s


def _ascii(pattern: re.Pattern[str]) -> str:
    """`pattern` for hyperscan (case folding is its flag): each `\\s` outside a class as Python's on ASCII text
    (`\\s?`, `\\s*` and `\\s+` alike: a gate narrower than its test would let a text past it, `p\\x1co box`), and
    added to a class that holds it; a negated class that holds it matches more in hyperscan, as a gate may."""
    return _spell_space(pattern.pattern.replace("(?i)", ""))


def _spell_space(pattern: str) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = negated = False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            escape = pattern[i : i + 2]
            if escape == r"\s" and not in_class:
                out.append(_S)
            elif escape == r"\s" and not negated:
                out.append(r"\s\x1c-\x1f")
            else:
                out.append(escape)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class, negated = True, pattern[i + 1 : i + 2] == "^"
            out.append(pattern[i : i + 2] if negated else ch)
            i += 2 if negated else 1
            if i < n and pattern[i] == "]":  # a `]` first in a class is a literal
                out.append("]")
                i += 1
            continue
        if ch == "]" and in_class:
            in_class = negated = False
        out.append(ch)
        i += 1
    return "".join(out)


def _never_on_ascii(pattern: str) -> str:
    """`pattern` with each character outside ASCII as `\\x80`, which no gate's input holds (the stand-in of a text is
    ASCII): on ASCII text it then matches where the pattern matches, not where its stand-in (`stra(?:ss|a)e` for
    `stra(?:ss|ß)e`) matches more."""
    return "".join(ch if ch.isascii() else r"\x80" for ch in pattern)


# A run of 7 or more digits (_SEP between them) and what ends it: anything but a digit or a separator, the end, or 5
# separators.
_RUN = rf"\d(?:{_DIGIT_SEP}{{0,4}}\d){{6,}}(?:{_DIGIT_SEP}{{0,4}}(?:[^\d\s\x1c-\x1f\-./()\[\]~+]|$)|{_DIGIT_SEP}{{5}})"

_GATES = (
    (AT, "@", False),
    # Exactly _DIGITS on ASCII text, not looser (hyperscan's \s is within Python's): candidate_entities relies on it.
    # Then what ends the run (anything but a digit or a separator, the end, or 5 separators) so that a run reports
    # one match, not one per digit after its seventh: a Python call each.
    (DIGITS, rf"\d(?:{_DIGIT_SEP}{{0,4}}\d){{6}}(?:{_DIGIT_SEP}{{0,4}}(?:[^\d\s\x1c-\x1f\-./()\[\]~+]|$)"
             rf"|{_DIGIT_SEP}{{5}})", False),
    (IPV4, _IPV4.pattern, False),
    (IPV6, "::|" + _IPV6_FULL.pattern, False),
    (NATIONAL, _ascii(_NATIONAL), True),
    (STREET, _ascii(_STREET_HINT), True),
    # And the street test itself on ASCII text (`\b` and case folding are ASCII there in both; the non-ASCII words
    # cannot match), so that candidate_entities runs it on other text only (a case-insensitive alternation of a
    # hundred words: about 14 µs a string in Python, where it opens).
    (STREET_ASCII, _never_on_ascii(_ascii(_STREET_HINT)), True),
    (JWT, "eyJ", False),
    (PRIVATE_KEY, "-----BEGIN ", False),
    (AUTH, "(?:bearer|basic)" + _S, True),
    (AWS, _AWS.pattern, False),
    (SECRET, _SECRET.pattern, False),
    (PASSWORD, _ascii(_PASSWORD_HINT), True),
    (PERSON, _ascii(_PERSON_HINT), True),
    (STRONG_CUE, _ascii(_STRONG_CUE_HINT), True),
    (CRYPTO, _BTC.pattern + "|0x[0-9a-fA-F]{40}", False),
    (SECRET_LABEL, _ascii(_SECRET_LABEL), True),
    (CONTEXT, _CONTEXT_GATE, False),
    (GLUED_PHONE, _ascii(_GLUED_PHONE), True),
    (SSN_CUE, _ascii(_SSN_CUE), True),
    # The number tests behind the DIGITS gate, which opens on every user agent and dated id: their own patterns
    # (IBAN's without its look-behind, which only matches more).
    (CARD, _CARD.pattern, False),
    (SSN, _SSN.pattern, False),
    (IBAN, _IBAN.pattern.removeprefix("(?<![A-Za-z0-9])"), False),
    # _PHONE_CARD and _PHONE, their look-behinds as the one or two characters before the run (or the start), and the
    # run to its end as for DIGITS (one match a run): on ASCII text exactly the tests, which _numbers then skips.
    (PHONE_CARD, rf"(?:^|[^\w\-.]|(?:^|\W)[\-.]){_RUN}", False),
    (PHONE, rf"(?:^|[^\w#$\-./]|(?:^|\W)[\-./]){_RUN}", False),
    # the start of a text is the start of the scan or a NUL (the batch's texts are joined by NULs); a letter's
    # stand-in is a letter
    (PEOPLE_PATH, rf"(?:^|[/\x00])(?:{PEOPLE_SEGMENTS}|{TEAM_PAGES})/[A-Za-z]", True),
    # Part of the NAME gate (open_gates): _INITIAL itself (an accented capital's stand-in is a capital: looser).
    (INITIAL, _INITIAL.pattern, False),
)


@functools.cache
def _batch_scan() -> BatchScan:
    return BatchScan(_GATES)


def open_gates(texts: Sequence[str]) -> list[int]:
    """The gates open in each text: one hyperscan pass over all of them."""
    gates = _batch_scan().open_gates(texts)
    # The NAME gate: a listed given name among the words (_name_gates), an initial and a capital, or an `@` (a
    # handle). The number tests run only behind the DIGITS gate: their own gates are dropped where it is shut, so that
    # a text with none open takes candidate_entities' shortest path.
    listed = _name_gates(texts)
    for i, g in enumerate(gates):  # most texts open no hyperscan gate: theirs is the name gate alone
        gates[i] = ((g if g & DIGITS else g & ~_NUMBER_TESTS) & ~INITIAL | (NAME if g & (AT | INITIAL) else listed[i])
                    if g else listed[i])
    return gates


# _could_be_named's first reading (apostrophes deleted, hyphens as gaps) for the NAME gate, with an apostrophe kept as
# one (a text with one has other readings: its gate stays open).
_SIEVE = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or c == 39 else 32 for c in range(256))
_NAMES = sorted(_GIVEN)
_APOSTROPHE = len(_NAMES)  # the id of the apostrophe's literal; a name's is its index in _NAMES
_cache_dirs: list[Path] = []  # where the name gate's database is kept (load_name_gate), once known


def load_name_gate(directory: Path) -> None:
    """The NAME gate's database, loaded from `directory` (hyperscan_cache.cache_dir) or compiled and kept there: at
    start-up (engine.Analyzer), not in the first batch's time."""
    if not _cache_dirs:
        _cache_dirs.append(directory)
    _name_sieve()


@functools.cache
def _name_sieve() -> hyperscan.Database:
    """Every listed given name between spaces, and an apostrophe, as the literals of one hyperscan database: 54,000 of
    them, 2 s to compile (kept in the cache directory, as the pattern gates are; 6 MB, loaded in a few ms)."""
    literals = tuple([b" " + name + b" " for name in _NAMES] + [b"'"])
    directory = _cache_dirs[0] if _cache_dirs else hyperscan_cache.env_cache_dir()
    spec = hyperscan_cache.Spec(literals, tuple(range(len(literals))), literal=True)
    return hyperscan_cache.database(directory, spec)


def _name_gates(texts: Sequence[str]) -> list[int]:
    """For each text, NAME if _could_be_named could pass on it (its words in the first reading hold a listed given
    name: every other reading's words are among these when there is no apostrophe), else 0. One fold, encode and
    translate for the whole batch, joined by spaces, then one scan for the listed names between spaces: the exact test
    runs only behind the gate. (A set test of each text's split words took twice as long.)"""
    folded = [text if text.isascii() else _FOLDED.translate(text) for text in texts]
    starts: list[int] = []
    pos = 1
    for text in folded:  # the offset of each text in the joined bytes ("replace": one byte a character)
        starts.append(pos)
        pos += len(text) + 1
    ends: list[int] = []
    bits: list[int] = []

    def on_match(literal: int, _start: int, end: int, _flags: int, _context: object) -> None:
        # A name's literal ends with the space after it, the apostrophe's with itself: the end of its last letter.
        # Only noted, as BatchScan.open_gates notes its matches; by_text finds their texts.
        ends.append(end if literal == _APOSTROPHE else end - 1)
        bits.append(NAME)

    joined = b" " + " ".join(folded).encode("ascii", "replace").translate(_SIEVE) + b" "
    _name_sieve().scan(joined, match_event_handler=on_match)
    return by_text(starts, ends, bits) if ends else [0] * len(texts)

# Whole strings of these shapes hold nothing personal, yet are full of digits: skip them before the tests.
_BENIGN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # UUID
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"  # ISO 8601
    r"|-?\d{1,6}(?:\.\d+)?(?:[eE][+-]?\d+)?"  # a small plain number
    r"|(?=[0-9]*[a-f])(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})"  # an MD5/SHA-1/SHA-256 digest (lower case, so never
)  # an IBAN such as DE89…, and with a letter, so never a card number)


def digit_runs(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each run of 7 or more digits, phone-shaped or not."""
    return [m.span() for m in _DIGITS.finditer(text)]


def dense_digits(text: str, limit: int) -> bool:
    """True if `text` holds more than `limit` digits."""
    return len(text) > limit and len(text) - len(text.translate(_NO_DIGITS)) > limit


_NOTHING: frozenset[str] = frozenset()
_A_NAME = frozenset({"PERSON_NAME"})


def _benign(text: str) -> bool:
    return len(text) <= 64 and _BENIGN.fullmatch(text) is not None


def _only_a_name(text: str) -> frozenset[str]:
    """candidate_entities() when every gate but the name's is shut."""
    return _A_NAME if len(text) >= 6 and _could_be_named_or_initialled(text) and not _benign(text) else _NOTHING


def candidate_entities(text: str, gates: int | None = None) -> frozenset[str]:
    """Entities whose recognizers could match `text`; empty when none could. `gates` (open_gates' answer for `text`,
    which it scans for when not given) skips the tests whose gate is closed: they could not pass."""
    if gates is None:
        gates = open_gates([text])[0]
    if gates == NAME:  # every gate shut but the name's: only the name test could pass (the tests below)
        return _only_a_name(text)
    if len(text) < 6 or not gates or _benign(text):
        return _NOTHING
    found: list[str] = []
    if gates & AT and "@" in text:
        found += ("EMAIL_ADDRESS", "URL_CREDENTIALS")
    # On ASCII text the DIGITS gate is _DIGITS itself (same class, {6} for {6,}): its search would only repeat it.
    if gates & DIGITS and (text.isascii() or _DIGITS.search(text)):
        _numbers(text, gates, found)
    if _could_be_ip(text, gates):
        found.append("IP_ADDRESS")
    if gates & NATIONAL and _ANY_DIGIT.search(text) and _NATIONAL.search(text):
        found.append("NATIONAL_ID")
    if gates & STREET and _ANY_DIGIT.search(text) and (
            gates & STREET_ASCII if text.isascii() else _STREET_HINT.search(text)):
        found.append("STREET_ADDRESS")
    if gates & _WORD_TESTS:
        _secrets(text, gates, found)
        _words(text, gates, found)
    return frozenset(found)


def _could_be_ip(text: str, gates: int) -> bool:
    return bool((gates & IPV4 and text.count(".") >= 3 and _IPV4.search(text))
                or (gates & IPV6 and ("::" in text or (text.count(":") >= 7 and _IPV6_FULL.search(text)))))


def _numbers(text: str, gates: int, found: list[str]) -> None:
    """Entities made of a long run of digits."""
    if text.isascii():
        # The PHONE_CARD, PHONE, CARD and SSN gates are their tests on ASCII text (the text is its own stand-in): two
        # regexes with look-behinds, tried at every position of every string with a dated id or a user agent, are not.
        phone_or_card, card = gates & PHONE_CARD != 0, gates & CARD != 0
        phone, ssn = phone_or_card and gates & PHONE != 0, gates & SSN != 0
    else:  # a stand-in can shut the PHONE gates where the tests pass (a Unicode dash before the run is not `-`)
        phone_or_card = _PHONE_CARD.search(text) is not None
        card = phone_or_card and gates & CARD != 0 and _CARD.search(text) is not None
        phone = phone_or_card and _PHONE.search(text) is not None
        ssn = gates & SSN != 0 and _SSN.search(text) is not None
    if phone_or_card and card:
        found.append("CREDIT_CARD")
    if phone or (gates & GLUED_PHONE and _GLUED_PHONE.search(text)):
        found.append("PHONE_NUMBER")
    if ssn or (gates & SSN_CUE and _NINE.search(text) and _SSN_CUE.search(text)):
        found.append("US_SSN")
    if gates & IBAN and _IBAN.search(text):
        found.append("IBAN_CODE")


def _secrets(text: str, gates: int, found: list[str]) -> None:
    """Tokens, keys and wallets, each with a literal mark."""
    if gates & JWT and "eyJ" in text:
        found.append("JWT")
    if gates & PRIVATE_KEY and "-----BEGIN " in text:
        found.append("PRIVATE_KEY")
    if gates & AUTH and any(mark in text for mark in _AUTH_MARKS) and _AUTH.search(text):
        found.append("BEARER_TOKEN")
    if gates & AWS and "A" in text and _AWS.search(text):
        found.append("AWS_ACCESS_KEY")
    if (gates & SECRET and _SECRET.search(text)) or (gates & SECRET_LABEL and _SECRET_LABEL.search(text)):
        found.append("SECRET_KEY")
    if gates & CRYPTO and (_BTC.search(text) or ("0x" in text and _ETH.search(text))):
        found.append("CRYPTO")


def _words(text: str, gates: int, found: list[str]) -> None:
    """Passwords and people written out."""
    if gates & PASSWORD and _PASSWORD_HINT.search(text):
        found.append("PASSWORD")
    # The cheapest test first: each of the hints is an alternation of hundreds of words that Python's regex engine
    # tries at every position of the text (half a million instructions a search), the name test two C passes.
    if (gates & NAME and _could_be_named_or_initialled(text)) or (
            gates & PEOPLE_PATH and _PEOPLE_PATH.search(text)) or (
            gates & CONTEXT and _CONTEXT_HINT.search(text)) or (
            gates & STRONG_CUE and _STRONG_CUE_HINT.search(text)) or (gates & PERSON and _PERSON_HINT.search(text)):
        found.append("PERSON_NAME")


def _could_be_named_or_initialled(text: str) -> bool:
    """A listed given name, or an initial and a capital (`A. Müller`, names.py's initial and surname)."""
    return (_named_and_unglued(text) or ("." in text and _INITIAL.search(text) is not None)
            or could_hold_a_handle(text))  # `@johnsmith`: name_context.handles


# A run of letters between a digit or an underscore and a digit: `ed` in `usr_ed0a65`, `da` in `85da5918`. And the
# word put in its place: letters (a slug's test looks for one after a separator) that are no listed name.
_GLUED = re.compile(r"(?<=[0-9_])[A-Za-z]+(?=[0-9])")
_UNLISTED = "qxq"  # no listed name: test_pii_fast_gates.py


def _named_unglued(text: str) -> bool:
    """With _could_be_named(text): a listed given name that is not glued to digits on both sides, as ids glue short
    names (`ed`, `da`, `de` in hex). The name finder never reads a name there: each way of reading one has the given
    name before a space, a dot, a plus, a hyphen or an underscore (a written name, a slug, a file's name) or after a
    space, a dot, a plus or a comma (`Doe, Jane`, `ROSSI Mario`), and the readings without a button's verb or an
    elided article blank only letters and apostrophes. The run is read as an unlisted word, so that every other word
    is read as before. ASCII text only (folding may change a word's length)."""
    if not text.isascii() or _GLUED.search(text) is None:
        return True
    return _could_be_named(_GLUED.sub(_UNLISTED, text))


def _named_and_unglued(text: str) -> bool:
    """`_could_be_named(text) and _named_unglued(text)`, with one _could_be_named where a run is glued: the words of the
    text read with its glued runs as an unlisted word are the text's words but for those runs (a glued run is between
    a digit or an underscore and a digit, which every reading of _could_be_named makes gaps, and letters stand for
    letters), so a listed name among them is one of the text's (test_pii_speed42.py)."""
    if text.isascii() and _GLUED.search(text) is not None:
        return _could_be_named(_GLUED.sub(_UNLISTED, text))
    return _could_be_named(text)


def _could_be_named(text: str) -> bool:
    """NameFinder.could_hold() without a Python step per word: each word's folded first part (the look-up key) is a
    run of letters, not after a letter and a hyphen, once the text is folded character by character (_FOLDED: accents
    off, ß to ss, anything that is not a word letter to a space) and apostrophes are gone: O'Neil is oneil, Jürgen
    jurgen, Rappelez-moi rappelez. The same answer: a looser test would send the name finder strings it used to be
    spared, and it finds people there that are not (`Rappelez-moi`).

    Speed: bytes.translate and split are C loops, a regex with look-behinds tried at every position is not (1.2 µs a
    string of bench/scrub.py's cold stream, half the prefilter's time). The runs of letters between hyphens are a
    superset of the first parts, so the regex runs only on a text that holds a hyphen and a listed name."""
    folded = text if text.isascii() else _FOLDED.translate(text)  # ASCII either way ("replace": never raises)
    raw = folded.encode("ascii", "replace")
    if _names_a_given(raw.translate(_LETTERS, b"'")):
        return True
    # The name finder ends a word before a possessive (names._tokens: `Meier, Julia's request` holds julia, not
    # julias) and reads other apostrophes as part of it (O'Neil is oneil): the words without possessives as well,
    # and with apostrophes as gaps (its slugs read `Jane'sJean-Pierre+Doe` as holding `Pierre+Doe`).
    if b"'" in raw and (_names_a_given(_POSSESSIVE.sub(b"", raw).translate(_LETTERS, b"'"))
                        or _names_a_given(raw.translate(_LETTERS))):
        return True
    # Its slugs also read a given name after a hyphenated prefix (`photo-anna.schmidt.jpg`, `x-Anna_Schmidt`), which
    # is no word's first part.
    return b"-" in raw and not _GIVEN.isdisjoint(w.lower() for w in _SLUG_AFTER_HYPHEN.findall(raw))


_POSSESSIVE = re.compile(rb"'s(?![A-Za-z])")
# Each word after a letter and a hyphen that a separator joins to a letter: every one, not only the first, so that a
# name at the end of a longer slug (`shared-with-lori-jackson`) is read as names.NameFinder._slugs reads it.
_SLUG_AFTER_HYPHEN = re.compile(rb"(?<=[A-Za-z]-)([A-Za-z]+)(?=[-._+][A-Za-z])")  # names.NameFinder._slugs' separators


def _names_a_given(low: bytes) -> bool:
    """`low` (folded, letters and hyphens, words between spaces) holds a listed given name as a word's first part."""
    if _GIVEN.isdisjoint(low.replace(b"-", b" ").split()):
        return False
    return b"-" not in low or not _GIVEN.isdisjoint(_FIRST_PART.findall(low))


def _fold_char(ch: str) -> str:
    if ch in "\u2019'":
        return "'"
    if ch.isalnum() and not ch.isdecimal():  # a letter of a word (\w but digits and _)
        return fold(ch) or " "
    return " "


_FOLDED = CharMap(_fold_char)
