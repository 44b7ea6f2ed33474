"""Passwords written out in text: the words that name one in en/de/fr/es/it/nl, what a password looks like when only
its place says so, and the patterns of PasswordInTextRecognizer (recognizers.py), which runs them only on strings where
candidates.py's PASSWORD gate found one of those words.
"""

from __future__ import annotations

import re

from policies.pii.names import gazetteer

_PASSWORD_WORD = (r"(?:password|passwort|kennwort|passwd|pwd|passcode|passphrase|mot[\s-]*de[\s-]*passe|mdp"
                  # shortened and split as people type them: `p/w`, `pass word`, `pword`, `passw`
                  r"|p/w|pass[\s-]word|pword|passw|pass\s+phrase"
                  r"|contrase(?:ñ|n)a|clave|wachtwoord|parola\s+d['\u2019]ordine|senha"
                  # access codes and wifi keys, in en/de/fr/es/it/nl
                  r"|access\s+code|zugangscode|code\s+d['\u2019]acc[èe]s|clave\s+de\s+acceso|codice\s+d['\u2019]accesso"
                  r"|c[óo]digo\s+de\s+acceso"
                  r"|codice\s+di\s+accesso|toegangscode|(?:wlan|wifi|wi-fi)[-\s]?(?:schl(?:ü|ue)ssel|key|sleutel|code)"
                  r"|(?:code|cl[ée]|clave|codice)\s+(?:du\s+|de(?:l)?\s+)?(?:wlan|wifi|wi-fi))")
# German and Dutch glue a password's kind to its word: `Einmalpasswort`, `Routerkennwort`, `Geheimwort`. Apart from
# _PASSWORD_WORD: in the look-behinds of every pattern, the alternation makes hyperscan's gates take seconds more.
_GLUED_WORD = (r"(?:(?:einmal|start|initial|admin|router|wlan|master|standard|zugangs|ger(?:ä|ae)te|root|benutzer"
               r"|nutzer|konto|vpn|eenmalig|tijdelijk|standaard)(?:passwort|kennwort|wachtwoord)|geheimwort|codewort)")
# Without `clave` alone (also a key, a code, a clue: `la clave del éxito es …`): the word that may stand apart from its
# value. Only that alternative goes: `clave de acceso` and `clave del wifi` stay (a plain replace cut them too).
_PASSWORD_NOUN = re.sub(r"\|clave(?=\|)", "", _PASSWORD_WORD, count=1)
# Every quote people put around a value: straight, curly, German low-9 (double and single), guillemets double and
# single.
QUOTE = r"[\"'\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u201a\u2039\u203a`]"
_NOT_QUOTE = r"[^\s\"'\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u201a\u2039\u203a`]"
# A verb that says what the password is or has become, alone or in a short run (`ist jetzt`, `set to`, `reset to`).
_IS = (r"(?:is|ist|war|est|c['\u2019]est|c['\u2019][ée]tait|[ée]tait|fue|es|è|é|era|was|were|lautet|lautete|luidt"
       r"|wordt|werd|sera|será|sarà"
       r"|now|jetzt|nu|maintenant|ahora|ora"
       r"|(?:set|changed|reset|updated|geändert|gesetzt|changé|modifié|cambiad[ao]|cambiat[ao]|gewijzigd|aangepast)"
       r"(?:\s+(?:to|auf|in|en|a|naar))?)")
# Runs of dots and question marks bounded: unbounded, inside the look-behinds they make a long run quadratic.
_SEPARATOR = (rf"(?:\s*(?:=>|[:=]|\.{{2,6}}|\u2026|\?{{1,3}})\s*|\s+(?:{_IS}\s+){{1,3}}:?\s*|['\u2019]s\s+"
              r"|\s+(?:-+>?|\u2013|\u2014|\u2192)\s+)")
# Words joined by hyphens, as passphrases are written: three or more of four letters or more after the first
# (`tiger-apple-mountain`), or four or more of three or more (`lemon-river-quiet-fox`; not `one-time-use`).
_HYPHENED = r"(?:[^\W\d_]{3,20}(?:-[^\W\d_]{4,20}){2,5}|[^\W\d_]{3,20}(?:-[^\W\d_]{3,20}){3,5})"
# What a password looks like when nothing but its place says so: letters with a digit or a symbol inside (`Gast!2024`,
# not `vergessen?`).
# Or a passphrase of three to six words joined by hyphens (`correct-horse-battery-staple`).
_SHAPED = (rf"(?:(?=\S*[^\W\d_])(?=\S*(?:\d|[!#$%&*+?@^~]\S)){_NOT_QUOTE}{{4,64}}(?<![.,;:?)])(?<![^\W\d_]!)"
           rf"|{_HYPHENED}(?![\w-])"
           # or random letters: three capitals or more, one after a small letter (`SkCNQHmxHaRy`; not `LinkedIn`)
           r"|(?-i:(?=(?:[a-z]*[A-Z]){3})(?=[A-Za-z]*[a-z][A-Z])[A-Za-z]{8,64}(?![\w@.-])))")
# Before its word, a value may end with `!` (`W3lc0me! is my password`): no sentence ends there.
_BANG = rf"(?=\S*[^\W\d_])(?=\S*\d){_NOT_QUOTE}{{3,63}}!"
# A strong value, which alone says it is a password: a letter, a digit and a symbol; not an e-mail address.
_STRONG = (rf"(?=\S*[^\W\d_])(?=\S*\d)(?=\S*[!#$%&*+?@^~])(?!\S+@\S+\.\w){_NOT_QUOTE}{{6,64}}"
           r"(?<![.,;:?)])")
# A random value: upper and lower case letters and digits, eight or more (`B9QULutW4Z`), not a word with a number
# after or before it (`Sunday2024`, `1Password`).
_RANDOM = (r"(?-i:(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*\d)(?![A-Z]?[a-z]+\d+(?![A-Za-z0-9]))"
           r"(?!\d+[A-Z]?[a-z]+(?![A-Za-z0-9]))"
           r"[A-Za-z0-9]{8,64}(?![\w@.-]))")
# Not a mask (`********`, `•••`), markdown's bold, a link or a word in brackets (`(hidden)`, "bracketed password"); a
# value may start with one asterisk or a bracket (`*S1H4Wwt7f`, `(5$TrHIWNG`), as generated ones do.
_ANY = (rf"(?!\*\*|\*$|[\u2022\u25cf\[<]|\([^\s()]*\)){_NOT_QUOTE}{{4,64}}(?<![.,;:?)])(?<![^\W\d_]!)")
# What a form says in a password's place (`Password: required`): a verdict, in en/de/fr/es/it/nl.
_VERDICT = (r"(?![(*]?(?:required|missing|invalid|incorrect|wrong|empty|blank|none|null|undefined|hidden|redacted"
            r"|changed|reset|updated|expired|weak|strong|erforderlich|falsch|ungültig|fehlt|requis|obligatoire|invalide"
            r"|requerida|incorrecta|obligatoria|obbligatoria|errata|verplicht|onjuist|ongeldig"
            # or its rule (`Password: minimum 8 characters`, `contraseña: mínimo 8`) or whether there is one
            r"|min|minimum|mindestens|mínimo|minimo|almeno|minimaal|max|maximum|höchstens|máximo|massimo|maximaal"
            r"|optional|optionnel|opcional|opzionale|optioneel|enabled|disabled|aktiviert|deaktiviert|activé"
            r"|désactivé|activado|desactivado|attivato|disattivato|ingeschakeld|uitgeschakeld"
            # or how long it holds or where it went (`pass: valid until …`, `mot de passe : envoyé par sms`)
            r"|valid|gültig|valable|válid[oa]|valid[oa]|geldig|sent|emailed|envoyé|gesendet|verschickt|enviad[oa]"
            r"|inviat[oa]|verzonden|verstuurd|attached|anbei|adjunt[oa]|allegat[oa]|bijgevoegd"
            # or where it is instead (`Password: see vault`, `PW: siehe oben`, `mdp : voir plus haut`)
            r"|see|siehe|voir|véase|vedi|zie|same|please|bitte|ask|stored|saved)(?![\w]))")
# What a sentence says a password is when it does not say the password: a state, in en/de/fr/es/it/nl.
_STATE = (r"(?:incorrect|invalid|wrong|required|missing|weak|strong|expired|correct|empty|blank|changed|reset|updated"
          r"|set|saved|ok|okay|fine|good|bad|secure|insecure|long|short|valid|mandatory|optional|needed|protected"
          r"|hidden|visible|case|unknown|locked|unlocked|different|same|similar|new|old|it|this|that|here|there|below"
          r"|above|attached|enclosed|gone|none|null|undefined|true|false|too|not|also|still|now|always|never"
          r"|falsch|richtig|ungültig|erforderlich|abgelaufen|geändert|zu|kurz|lang|sicher|nicht|faux|invalide|requis"
          r"|expiré|modifié|trop|court|pas|incorrecta|inválida|requerida|caducada|cambiada|demasiado|corta|no|errata"
          r"|sbagliata|scaduta|obbligatoria|troppo|breve|non|onjuist|ongeldig|verplicht|verlopen|gewijzigd|te|kort"
          r"|fout|juist|niet|something|mine|yours|secret|known|shown|displayed|ready|available|active|inactive"
          r"|simple|easy|hard|complex|unique|common|personal|private|temporary|temp|default|generic"
          # switched on or off, forgotten, or how a login went
          r"|enabled|disabled|aktiviert|deaktiviert|activé|désactivé|activado|desactivado|attivato|disattivato"
          r"|ingeschakeld|uitgeschakeld|on|off|yes|ja|nein|oui|sí|si|forgotten|forgot|vergessen|oublié|olvidada"
          r"|olvidado|dimenticata|dimenticato|vergeten|success|successful|failure|error|erfolgreich|fehlgeschlagen"
          r"|réussi|échec|éxito|exitoso|fallido|riuscito|fallito|gelukt|mislukt"
          r"|minimum|mindestens|mínimo|minimo|almeno|minimaal|optionnel|opcional|opzionale|optioneel)")
# A plain password, all letters or all digits, said with a verb and ending its clause: `the password is sunshine.`,
# `password was 123456`; not a state (`your password is incorrect`) nor a word that reads as one (`expiring`).
_PLAIN = (r"(?!(?:" + _STATE[3:-1] + r")(?![\w-]))(?:\d{4,12}|" + _HYPHENED
          + r"|[^\W\d_]{4,32}(?<!ing|ed|ly|able|ible))"
          # or before a dash between spaces (`… is sunshine - thanks`) or a closing quote
          r"(?=\s*(?:[.,;!?)]|[:;]-?[)(DP]|$)|\s+[-\u2013\u2014]\s|" + QUOTE + r"(?!\w)"
          r"|\s+(?:and|but|or|so|please|und|aber|oder|bitte|et|mais|ou|y|pero|o"
          r"|por\s+favor|e|ma|per\s+favore|en|maar|of|alsjeblieft)\b)")
# A password as people make them up: a capitalised word and two to four digits, a symbol between or after
# (`Sunflower88`, `Sommer2024!`, `Gast!2024`); not an id in capitals (`INV2024`) nor a version (`v2.3`).
_MADE_UP = (r"(?<![\w@./-])(?-i:[A-ZÀ-Þ][a-zß-ÿ]{2,20})[!#$%&*+?@^~._-]?\d{2,4}[!#$%&*+?@^~]?(?![\w@/-])"
            r"(?![.,]\d)")
_PASSWORD_VALUE = rf"(?:{_MADE_UP}|{_STRONG}|{_RANDOM})"
# Which password it is, after its word, as Romance languages and German place the adjective: `contraseña actual`, `mot
# de passe provisoire`, `password temporanea`, `Passwort neu`.
_WHICH_AFTER = (r"(?:actual|nuev[ao]|temporal|provisional|provisoire|temporaire|nouveau|actuel|temporane[ao]|nuov[ao]"
                r"|attuale|provvisori[ao]|nieuwe?|tijdelijke?|huidige?|neu|neues|aktuell|alt|altes|tempor[äa]r|initial"
                r"|initiale|inicial|iniziale|new|old|current|temp|temporary)")
# How or when a German or Dutch password was set, where the value would stand (`naar wens aangepast`, `auf Anfrage
# geändert`, `auf streng gesetzt`).
_HOW_SET = (r"wunsch|anfrage|antrag|streng|strikt|standard|normal|manuell|automatisch|wens|verzoek|overleg|aanvraag"
            r"|standaard|handmatig|automatisch|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|maandag"
            r"|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag")
# Short names of a password that are other things alone (`PW 4000 engine`, `WW2`, a boarding pass), so only before a
# colon, an arrow, a verb or a quote: `pw`, `psw`, Dutch `ww`.
_PW = r"(?:pw|psw|ww)"
# And `pass` after `my`, `new` or `temp`, Spanish `clave` after a possessive (`my pass is …`, `mi clave es …`): not
# after `the`/`your` (`the pass was stolen`, `your pass is platinum`: a ticket), not German (`mein Pass`: a passport),
# not `la clave es la comunicación`.
_MY_PASS = r"(?:(?:my|new|temp)\s+pass|(?:mi|tu|su|nueva)\s+clave)"
_SHORT = rf"(?:{_PW}|{_MY_PASS})"
# What a Spanish possessive's `clave es` says of the key when it is no password: an adjective (`tu clave es única e
# intransferible`, `mi clave es importante`, `su clave es personal`).
_NOT_SPANISH_ADJECTIVE = (r"(?![^\W\d_]*(?:ble|nte|al|ic[ao]|iv[ao]|ad[ao]|id[ao]|ri[ao]|os[ao])(?![\w-]))"
                          r"(?!(?:secreta|segura|fuerte|d[ée]bil|nueva|vieja|otra|misma|larga|corta|f[áa]cil"
                          r"|dif[íi]cil|m[íi]a|tuya|suya)(?![\w-]))")
_OPEN = rf"(?:{QUOTE}[ \u00a0\u202f]?)?"  # an opening quote, maybe with the space French puts inside
_ARROW = r"(?:-+>|=>|\u2192|\u27f6)"
# What a password's word is followed by when the text is about passwords, not one: its field, page, rules, manager.
_TOPIC = (r"(?:field|page|form|link|manager|box|input|screen|prompt|dialog|button|check|validation|login|recovery"
          r"|change|update|rules?|polic(?:y|ies)|email|mail|token|request|session|attempts?|entry|requirements?"
          r"|complexity|history|reset|strength|hint|length|expiry|expiration|settings|security|edit|manage"
          r"|feld|seite|regeln|richtlinie|anforderungen|länge|ändern|zurücksetzen|champ|règles|politique|exigences"
          r"|longueur|modifier|campo|política|requisitos|reglas|longitud|cambiar|politica|requisiti|regole"
          r"|lunghezza|cambia|pagina|veld|beleid|eisen|regels|lengte|wijzigen"
          # or a log's verdict on two fields (`user admin password mismatch`)
          r"|mismatch|mismatched|confirmation)")
# What stands in a login's place before its password (`login: email / password`), not a password.
_FIELD_WORD = (r"(?:password|passwort|kennwort|wachtwoord|contrase(?:ñ|n)a|mdp|pass|pwd|pw|email|e-mail|mail"
               r"|username|user|name|sso|google|microsoft|apple|github|phone|otp|token|pin|code|secret)")
# A plain password in lower case (`sunshine`, `hjklpoiu`), where a capitalised word may be a name or a place.
_LOWER = rf"(?=(?-i:[a-zß-ÿ]))(?!{_FIELD_WORD}(?![\w-]))"
_LOWER_PLAIN = _LOWER + _PLAIN
# A quoted phrase (`« correct horse battery staple »`): up to the next quote, not a rule (`"at least 8 characters"`).
_QUOTES = "\"\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u201a\u2039\u203a`'"
_PHRASE = (rf"(?![^\n{_QUOTES}]*\b(?:must|should|needs?|requires?|least|contain|characters|muss|mindestens|zeichen"
           r"|doit|caract[èe]res|debe|caracteres|deve|caratteri|moet|tekens)\b)"
           rf"[^\s{_QUOTES}][^\n{_QUOTES}]{{2,62}}[^\s{_QUOTES}](?=[ \u00a0\u202f]?{QUOTE})")
# The small words of a sentence in en/de/fr/es/it/nl: a run of lower-case words without any is a passphrase
# (`correct horse battery staple`), with one it is a sentence (`sent to the customer`, `envoyé par sms`).
_SMALL_WORD = (r"(?:the|and|for|with|not|but|you|your|are|was|were|has|have|had|been|can|will|from|this|that|after"
               r"|before|into|our|his|her|its|via|out|all|any|please|until|since|till|next|last|bis|jusque|hasta|fino|der|die|das|den|dem|des|und|mit|für|ist|hat"
               r"|war|wird|wurde|nicht|ein|eine|einen|bei|von|auf|aus|durch|über|unter|nach|vor|ohne|seit|bitte|les"
               r"|une|est|par|pour|avec|pas|sur|dans|que|qui|son|ses|chez|sans|sous|vers|été|del|los|las|una|con"
               r"|por|para|muy|está|sin|sobre|desde|hasta|sono|della|che|per|non|tra|fra|senza|dopo|prima|het|een"
               r"|van|voor|met|niet|zijn|naar|bij|ook|maar|door|zonder|onder|over|sinds|tot"
               # and the verbs that send the reader elsewhere (`voir coffre fort`, `siehe oben`)
               r"|see|siehe|voir|ver|vedi|zie)")
# A passphrase of three to six lower-case words, unquoted, ending its clause: none a small word, a topic or a state
# (the first may be one when four words or more follow: `correct horse battery staple`, not `expired last week`).
_PHRASE_END = r"(?=\s*(?:[.,;!?)]|$)|\s+[-\u2013\u2014]\s)"
_SPACED_PHRASE = (rf"(?!(?-i:[a-zß-ÿ]+ ){{0,5}}(?:{_SMALL_WORD}|{_TOPIC[3:-1]}|{_FIELD_WORD[3:-1]})(?![\w-]))"
                  rf"(?!(?-i:[a-zß-ÿ]+ ){{1,5}}{_STATE}(?![\w-]))(?!{_STATE}(?-i: [a-zß-ÿ]{{3,12}}){{2}}{_PHRASE_END})"
                  rf"(?-i:[a-zß-ÿ]{{3,12}}(?: [a-zß-ÿ]{{3,12}}){{2,5}}){_PHRASE_END}")
# The words between a password's word and its value (`the wifi password for guests is X`), the first not what the
# text is about instead of a password (`Password manager: 1Password`, `Password requirements: Uppercase1 letter`).
_ABOUT = (r"(?:manager|polic(?:y|ies)|requirements?|rules?|strength|hint|length|complexity|history|expiry|expiration"
          r"|field|page|form|link|richtlinie|anforderungen|regeln|länge|feld|exigences|règles|politique|longueur|champ"
          r"|requisitos|reglas|política|longitud|campo|requisiti|regole|politica|lunghezza|eisen|regels|beleid|lengte"
          r"|veld)")
_BETWEEN = rf"(?!\s+{_ABOUT}(?![\w-]))(?:\s+[^\s:=\"]{{1,20}}){{0,4}}?"
# Which password it is, before its word: `"X" was my old password`, `„X“ ist das alte Passwort`.
_WHICH = (r"(?:old|current|initial|default|admin|wifi|wlan|guest|alte|altes|alter|aktuelle|ancien|actuel|antigua"
          r"|antiguo|actual|vecchia|attuale|oude|huidige|tijdelijke|provisoire|temporal|temporanea)")
PASSWORD_PATTERNS = [
    # `password: X`, `password="X"`: the value, whatever it is.
    ("password", rf"(?<=\b{_PASSWORD_WORD}{QUOTE}?\s*(?:=>|[:=])\s*{QUOTE}?){_VERDICT}{_ANY}"),
    # A verb and then a colon: `la password è: X`, `Your new password is: X`, `Passwort lautet: X`.
    ("password is:", rf"(?<=\b{_PASSWORD_NOUN}{_BETWEEN}\s+{_IS}\s*:\s*{QUOTE}?){_VERDICT}"
                     rf"{_ANY}"),
    # A verb or a few words before it: `Passwort ist jetzt X`, `the wifi password for guests is X`, `mot de passe
    # provisoire : X`, `contraseña temporal: X`, or nothing at all: `password hunter2`. The value, if quoted (`password
    # reset to "X"`); otherwise only a value shaped like a password, so that `your password is incorrect` stays.
    ("said password", rf"(?<=\b{_PASSWORD_NOUN}{_BETWEEN}{_SEPARATOR}{QUOTE}[ \u00a0\u202f]?)"
                      rf"(?!{_IS}\s){_ANY}"),
    # Not a time's minutes (`password changed on 2024-03-05T10:30:00Z`).
    ("qualified password", rf"(?<=\b{_PASSWORD_NOUN}{_BETWEEN}{_SEPARATOR})(?<!\d:){_SHAPED}"),
    ("bare password", rf"(?<=\b{_PASSWORD_NOUN}\s+){_SHAPED}"),
    # Quoted right after the word, or after `to`: `use password 'letmein!' to log in`, `set my password to dragon99`.
    ("quoted password", rf"(?<=\b{_PASSWORD_NOUN}\s+(?:to\s+|auf\s+|en\s+|a\s+|naar\s+|in\s+)?{QUOTE}[ \u00a0\u202f]?)"
                        rf"{_NOT_QUOTE}{{4,64}}"
                        rf"(?=[ \u00a0\u202f]?{QUOTE})"),
    # Before its word: `use Xk9#mP2q as the password`, `hunter2 is my password`, `Sommer24! ist mein Passwort`.
    ("password before its word", rf"(?<![^\s\"'(])(?:{_SHAPED}|{_BANG})"
                                 r"(?=\s+(?:as|is|was|als|ist|war|comme|est|como|es|come|è"
                                 r"|era|zijn|wordt)\s+(?:(?:the|my|your|our|a|new|temporary|mein|meine|dein|das|ein"
                                 r"|neues|mon|votre|le|nouveau|mi|su|la|nueva|mia|nuova|mijn|je|het|nieuwe|uw"
                                 rf"|{_WHICH})\s+)*"
                                 rf"{_PASSWORD_NOUN}\b(?!\s*\w*(?:policy|policies|reset|manager|field|requirement|rule"
                                 r"|strength|hint|page|link|form|change|richtlinie|feld|champ|campo|veld|beleid)))"),
    # Quoted before its word: `I typed "sunshine" as my password`, `„Sommer24“ war das Passwort`.
    ("quoted before its word", rf"(?<={QUOTE}){_NOT_QUOTE}{{4,64}}(?={QUOTE}\s+(?:as|is|was|als|ist|war|comme|est"
                               r"|como|es|come|è|era|zijn|wordt|was)\s+(?:(?:the|my|your|our|a|new|temporary|mein"
                               r"|meine|dein|das|ein|neues|mon|votre|le|nouveau|mi|su|la|nueva|mia|nuova|mijn|je|het"
                               rf"|nieuwe|uw|{_WHICH})\s+)*{_PASSWORD_NOUN}\b(?!\s*\w*(?:policy|policies|reset|manager|field"
                               r"|requirement|rule|strength|hint|page|link|form|change|richtlinie|feld|champ|campo|veld"
                               r"|beleid)))"),
    # A strong value one logs in with, no password word needed: `can't log in with Sommer2024!`, `use P@ssw0rd to log
    # in`; a digit and a symbol in it, and not an e-mail address.
    ("logged in with", r"(?<=\b(?:log\s*in|login|logged\s+in|sign\s*in|signed\s+in|anmeld\w*|einloggen|eingeloggt"
                       r"|connecter|connect[ée]e?|connexion|iniciar\s+sesi[óo]n|acceder|accedere|inloggen|ingelogd)"
                       rf"\s+(?:with|using|mit|avec|con|met)\s+)(?:{_STRONG}|{_RANDOM})"),
    ("use to log in", rf"(?<=\b(?:use|try|tried|utilise[zr]?|usa|prova|gebruik)\s+)(?:{_STRONG}|{_RANDOM})"
                      r"(?=\s+(?:to|pour|para|per|om)\s+(?:log\s*in|login|sign\s*in|connect|unlock|access"
                      r"|se\s+connecter|entrar|accedere|in\s+te\s+loggen))"),
    # `pw` said with a verb, plain or shaped: `my pw is sunshine`; `clave` right before its verb or colon: `la clave
    # es perro2020` (not `la clave del éxito es …`).
    # `my pass` and `mi clave` take a shaped value (`my pass is lost`), `mi clave` also a plain word that is no
    # adjective (`mi clave es girasole`).
    ("plain pw", rf"(?:(?<=\b{_PW}\s+(?:{_IS}\s+){{1,3}}{QUOTE}?)(?:{_PLAIN}|{_SHAPED})"
                 rf"|(?<=\b{_MY_PASS}\s+(?:{_IS}\s+){{1,3}}{QUOTE}?)"
                 rf"(?:{_SHAPED}|(?<=clave\s+(?:{_IS}\s+){{1,3}}{QUOTE}?){_NOT_SPANISH_ADJECTIVE}{_PLAIN}))"),
    ("clave", rf"(?<=\bclave{_SEPARATOR}){_SHAPED}"),
    # `clave` alone before a value that can only be a password (strong or random) or a quoted one: `clave P@ssw0rd`,
    # `clave « B9QULutW4Z »`; not a search's keyword (`palabra clave "zapatos"`, `palabra clave iphone15`).
    ("bare clave", rf"(?<=(?<!\bpalabras?\s)\bclave\s+)(?:{_STRONG}|{_RANDOM})"),
    ("quoted clave", rf"(?<=(?<!\bpalabras?\s)\bclave\s+{QUOTE}[ \u00a0\u202f]?)(?!{_STATE}{QUOTE}){_NOT_QUOTE}{{4,64}}"
                     rf"(?=[ \u00a0\u202f]?{QUOTE})"),
    # A login's password after a slash or a comma: `user jdoe / pass Xk9#mP2q`, `jdoe, pw Sommer24!`.
    ("pass after a login", rf"(?<=[/,;|]\s*(?:pass|pw|pwd)\s*[:=]?\s+){_SHAPED}"),
    # Or after the login itself: `login jane pass Sommer24`, `user: jane pw Sommer24`.
    ("pass after a user", r"(?<=\b(?:user(?:name)?|login|benutzer(?:name)?|utilisateur|usuario|utente|gebruiker)"
                          rf"\s*[:=]?\s*[^\s:/]{{1,64}}\s+(?:pass|pw|pwd|psw|ww)\s*[:=]?"
                          rf"(?:\s+|\s*{QUOTE}[ \u00a0\u202f]?))"
                          rf"(?:{_SHAPED}|(?<={QUOTE}[ \u00a0\u202f]?){_PHRASE})"),
    # A plain word the password was set to: `I changed my password to sunshine yesterday`; not what it is for (`set
    # a password to continue`) nor a state.
    ("set to a word", r"(?<=\b(?:set|changed|reset|updated|switched|changing|setting)\s+(?:(?:my|the|your|his|her"
                      rf"|our|their|its|a|new|temporary)\s+)*(?:{_PASSWORD_NOUN}|pw)\s+to\s+)(?!(?:continue|proceed"
                      r"|log|login|sign|access|protect|secure|unlock|enable|use|make|keep|get|avoid|prevent|complete"
                      r"|finish|start|begin|comply|meet|match|allow|ensure|view|open|see|edit|save|the|an|your|my"
                      rf"|something|{_STATE[3:-1]})(?![\w]))(?:[^\W\d_]{{4,32}}(?![\w])|\d{{4,12}}(?![\w/-]|[.,]\d))"),
    # A word or a number that the sentence says does not work: `Password sunshine doesn't work`, `tried password
    # sunshine but it fails`. Not the page, the field or the link that does not work.
    ("password that fails", rf"(?<=\b{_PASSWORD_NOUN}\s+{QUOTE}?)(?!(?:field|page|form|link|manager|box|input"
                            r"|screen|prompt|dialog|button|check|validation|login|recovery|change|update|rules|policy"
                            r"|strength|hint|length|expiry"
                            r"|email|mail|token|request|session|attempt|entry|requirements?|complexity|history"
                            r"|reset|feld|champ|campo|veld|authentication|auth|verification|sync|reuse|rotation"
                            rf"|{_STATE[3:-1]})(?![\w]))"
                            rf"(?:{_HYPHENED}|[^\W\d_]{{4,32}}|\d{{4,12}})"
                            rf"(?={QUOTE}?\s+(?:does\s*n[o']t|stopped|no\s+longer|doesn['\u2019]t|isn['\u2019]t|won['\u2019]t|is\s+not"
                            r"|will\s+not|fails|failed|is\s+rejected|was\s+rejected|but|funktioniert|geht|klappt"
                            r"|ça\s+ne|ne\s+marche|ne\s+fonctionne|no\s+funciona|non\s+funziona|werkt\s+niet|lukt"
                            r"|expired|is\s+too|was\s+too|ist\s+zu|abgelaufen|a\s+expiré|est\s+trop|ha\s+caducado"
                            r"|è\s+scaduta|is\s+verlopen|is\s+te"
                            # refused, in de/fr/es/it/nl (`mot de passe girasole refusé`)
                            r"|(?:wird\s+|wurde\s+)?(?:abgelehnt|refusée?|rejetée?|rechazad[ao]|rifiutat[ao]|geweigerd"
                            r"|afgewezen))\b"
                            # and in English only quoted: an English log line refuses a topic (`Password reuse
                            # denied`, `Password rotation refused`)
                            rf"|{QUOTE}\s+(?:is\s+|was\s+)?(?:refused|denied)\b)"),
    ("password to", rf"(?<=\b(?:{_PASSWORD_NOUN}|pw|pass)s?\s+(?:(?:to|auf|en|a|naar|in|from|von|de|da|van)\s+"
                    rf"|(?:{_IS}\s+){{1,2}}){_OPEN}){_SHAPED}"),
    ("passwords", rf"(?<=\b{_PASSWORD_NOUN}s\s+){_SHAPED}"),
    # A PIN or passcode of digits after its word and a verb, or alone: `my PIN is 4821`, `passcode 7729`.
    ("plain password", rf"(?<=\b{_PASSWORD_NOUN}{_BETWEEN}(?:\s+(?:{_IS}\s+){{1,3}}|['\u2019]s\s+))"
                       rf"(?!{_TOPIC}(?![\w-])){_PLAIN}"),
    ("pin digits", r"(?<=\b(?:pin|pin[-\s]*code|code\s+pin|passcode|geheimzahl|codice\s+pin)\s+"
                   rf"(?:(?:{_IS})\s+)?)\d{{4,8}}(?![\w/-]|[.,]\d)"),
    # A password of four or more digits right after its word: `password 12345678`, `pwd 0727`.
    ("password digits", rf"(?<=\b{_PASSWORD_NOUN}\s+)\d{{4,12}}(?![\w/-]|[.,]\d)"),
    # An arrow gives the value as a colon does (`new pass -> X`, `password → 652037`); not a breadcrumb's next step
    # (`Settings -> Password -> Change`).
    # `pass` alone takes a shaped value or digits (`your pass → Premium` is a ticket).
    ("password arrow", rf"(?:(?<=\b(?:{_PASSWORD_NOUN}|{_SHORT})s?\s*{_ARROW}\s*{_OPEN})(?!{_TOPIC}(?![\w-]))"
                       rf"(?:{_SHAPED}|{_PLAIN}|\d{{4,12}}(?![\w/-]|[.,]\d))"
                       rf"|(?<=\bpass\s*{_ARROW}\s*{_OPEN})(?:{_SHAPED}|\d{{4,12}}(?![\w/-]|[.,]\d)))"
                       rf"(?!{QUOTE}?\s*(?:{_ARROW}|>))"),
    # A quoted passphrase of several words: `passphrase is "purple monkey dishwasher"`, `mdp « blue ocean lamp »`.
    # Right after the word (or which one: `mdp provisoire « X »`), after a verb or `auf`/`naar`; not a few words
    # later, which say whose password it is (`Change password for "jdoe"`, `password authentication failed for user
    # "postgres"`, `Passwort für Konto „Buchhaltung“`); `pass` only before a colon (`the pass "Gold Member" expires`:
    # a ticket); not a state (`pw 'reset'`).
    ("quoted phrase", rf"(?<=(?:\b(?:{_PASSWORD_NOUN}|{_PW})(?:{_BETWEEN}(?:{_SEPARATOR}|\s(?:auf|naar)\s+)"
                      rf"|(?:\s+{_WHICH_AFTER})?\s+)|\bpass\s*(?:=>|[:=])\s*){QUOTE}[ \u00a0\u202f]?)"
                      rf"(?!{_STATE}[ \u00a0\u202f]?{QUOTE}){_PHRASE}"),
    ("spaced passphrase", rf"(?<=\b(?:{_PASSWORD_NOUN}|{_SHORT}){_BETWEEN}(?:{_SEPARATOR}|\s*{_ARROW}\s*))"
                          rf"{_SPACED_PHRASE}"),
    # After `my pass`, `mi clave` a shaped value only (`my pass 'Ticket to ride'`).
    ("short quoted", rf"(?:(?<=\b{_PW}(?:{_SEPARATOR}|\s+){QUOTE}[ \u00a0\u202f]?)(?!{_IS}\s)"
                     rf"(?!{_STATE}[ \u00a0\u202f]?{QUOTE}){_ANY}"
                     rf"|(?<=\b{_MY_PASS}(?:{_SEPARATOR}|\s+){QUOTE}[ \u00a0\u202f]?){_SHAPED})"),
    # Short words that name a secret only before a colon or an equals sign: `pw: X`, `pass=X`, `PIN: 4821`.
    ("short word", rf"(?<=\b(?:pw|psw|pass|pin|pin[-\s]*code|code\s+pin|geheimzahl)\s*[:=]\s*{_OPEN}){_VERDICT}"
                   rf"{_ANY}"),
    # A made-up or strong value later in the clause of its word, in brackets, after a comma, a colon or a verb: `the
    # password you gave me (Sunflower88)`, `the new password, Sommer2024!, works`, `Passwort vergessen, altes war
    # Sunflower88`; not `password reset link for Berlin2024`. The look-ahead first: the look-behind runs only at such a
    # value, and at the start of a word.
    ("bracketed near its word", rf"(?<![^\s(,:=])(?={_PASSWORD_VALUE})"
                                rf"(?<=\b{_PASSWORD_NOUN}\b[^.!?\n()]{{0,60}}?\(\s*){_PASSWORD_VALUE}(?=\s*\))"),
    ("said near its word", rf"(?<![^\s(,:=])(?={_PASSWORD_VALUE})"
                           rf"(?<=\b{_PASSWORD_NOUN}\b[^.!?\n]{{0,60}}?(?:,\s+|\s{_IS}\s+|[:=]\s*)){_PASSWORD_VALUE}"),
    # `pw` alone before a shaped value, and a wifi's or WLAN's colon: `new pw Sunflower88`, `wifi: Gast!2024` (the
    # value starts with a letter: `WLAN: 5GHz` is the band).
    ("bare pw", rf"(?<=\bpw\s+){_SHAPED}"),
    # After an adjective that follows its noun, as Romance languages and German place it: `contraseña actual X`,
    # `mot de passe provisoire X`, `password temporanea X`, `Passwort neu: X`.
    ("noun and its adjective", rf"(?<=\b{_PASSWORD_NOUN}\s+{_WHICH_AFTER}\s*[:=]?\s+)"
                               rf"(?:{_SHAPED}|\d{{4,12}}(?![\w/-]|[.,]\d))"),
    # Or a few words about whose or which it is, then a colon: `password for the staging box: X`, `Passwort für den
    # Gastzugang: X`, `password del wifi: X`, `Contraseña temporal: X`; plain words too where they end the clause.
    ("password for, colon", rf"(?<=\b{_PASSWORD_NOUN}\s+(?:(?:for|für|pour|para|per|voor|del|de|du|des|della|dello|van"
                            r"|von|of|zum|zur|al)\s+(?:[^\s:=\"]{1,20}\s+){0,3}[^\s:=\"]{1,20}|actual|nuev[ao]|temporal"
                            r"|provisional|provisoire|temporaire|nouveau|actuel|temporane[ao]|nuov[ao]|attuale"
                            r"|provvisori[ao]|nieuwe?|tijdelijke?|huidige?|neu|neues|aktuell|tempor[äa]r|initial"
                            rf"|initiale|inicial|iniziale|new|current|temp|temporary)\s*[:=]\s*{QUOTE}?){_VERDICT}"
                            rf"(?:{_PLAIN}|{_SHAPED})"),
    # After a user name and a comma: `Benutzer anna, Passwort tulip`, `utente anna, password tulip`, whatever it is.
    # Without the comma (`utente bob password tulipano`), a plain word only where it ends the clause and is no topic
    # (`user settings password strength meter` stays). One pattern for both: each costs seconds to compile as a gate.
    ("user, password", r"(?<=\b(?:user(?:name)?|login|benutzer(?:name)?|utilisateur|identifiant|usuario|utente"
                       rf"|gebruiker(?:snaam)?)\s*[:=]?\s*[^\s:/,;]{{1,64}}(?:\s*[,;]\s*|\s+){_PASSWORD_NOUN}\s*[:=]?\s+)"
                       rf"(?:(?<=[,;]\s*{_PASSWORD_NOUN}\s*[:=]?\s+){_VERDICT}{_ANY}"
                       rf"|(?<![,;]\s*{_PASSWORD_NOUN}\s*[:=]?\s+)(?!{_TOPIC}(?![\w-]))(?:{_SHAPED}|{_PLAIN}))"),
    # Between brackets or markdown's bold right after its word: `password <Soleil>`, `password: **4821**`,
    # `password (tiger-apple-mountain)`; not a state (`password (optional)`).
    ("bracketed password", rf"(?<=\b{_PASSWORD_NOUN}\s*[:=]?\s*(?:\*\*|<|\())(?!(?:{_STATE[3:-1]})\W){_VERDICT}"
                           r"[^\s*<>()\[\]]{4,64}(?=\*\*|>|\))"),
    ("wifi colon", rf"(?<=\b(?:wifi|wi-fi|wlan)\s*[:=]\s*{QUOTE}?)(?=[^\W\d_]){_SHAPED}"),
    # A login and its password: `credentials: admin:Hunter2024`, `login with admin / S3cr3t!x`.
    ("user and password", r"(?<=\b(?:(?:credentials?|creds|login|zugangsdaten|identifiants|credenciales|credenziali"
                          r"|inloggegevens)(?:\s+(?:with|as|are|is|mit|als|sind|avec|sont|con|son|come|sono|met|zijn))?"
                          # or the verb of logging in with a pair: `inloggen met bob / X`, `log in with bob / X`
                          r"|(?:log\s*in|sign\s*in|anmelden|einloggen|connecter|connexion|accedi|accedere|iniciar"
                          r"\s+sesi[óo]n|inloggen)\s+(?:with|as|mit|als|avec|con|come|como|met))"
                          r"\s*[:=]?\s*[^\s:/]{1,64}"
                          rf"(?::|\s+/\s+){_OPEN})(?:{_SHAPED}|\d{{4,12}}(?![\w/-]|[.,]\d)|{_LOWER_PLAIN})"),
    # Before the participle that ends a German or Dutch clause: `Kennwort wurde auf X gesetzt`, `wachtwoord is naar X
    # gewijzigd`; a plain word in lower case only (`Kennwort wurde auf Wunsch geändert` stays).
    # Only after `auf`/`naar` (set to) a plain word or digits, and not how or when (`naar wens`, `auf streng`); after
    # `in`/`op` a shaped value only (`op verzoek`, `in overleg`, `op maandag`, `in 2024`). Not a rule's compound
    # (`Passwort-Regel wurde auf streng gesetzt`).
    ("set to, participle last", rf"(?<=\b(?:{_PASSWORD_NOUN}|pw)\b(?!-)[^.!?\n]{{0,40}}?\s(?:auf|in|naar|op)\s+"
                                rf"{QUOTE}?)(?:{_SHAPED}|(?<=\s(?:auf|naar)\s+{QUOTE}?)"
                                rf"(?!(?:{_STATE[3:-1]}|{_HOW_SET})(?![\w-]))"
                                r"(?:\d{4,12}|(?-i:[a-zß-ÿ][^\W\d_]{3,31})))"
                                rf"(?={QUOTE}?\s+(?:gesetzt|ge(?:ä|ae)ndert|zur(?:ü|ue)ckgesetzt|umgestellt|gewijzigd"
                                r"|veranderd|aangepast|ingesteld|gezet)\b)"),
    # A plain word used as the password: `they use tortuga as the password`, `ho messo come password marmelade`,
    # `le puse de contraseña bananas`, `j'ai mis comme mot de passe soleil`.
    # Not advice (`Don't use birthday as the password`, `we recommend using passphrases as the password`).
    ("used as the password", rf"(?<=(?<!(?:n['\u2019]t|\b(?:never|not|nie|niemals|jamais|nunca|mai|nooit|recommend"
                             r"|suggest|avoid))\s)\b(?:use[sd]?|using|tried|try|set|chose|picked|typed|entered|utilise"
                             r"|utilisé|uso"
                             r"|essayé|essaie|essaye|tapé|probé|pruebo|provato|provo|geprobeerd|probeer"
                             rf"|usé|usa|usato|gebruik|gebruikt)\s+{_OPEN})(?!{_STATE}(?![\w-]))"
                             rf"(?:\d{{4,12}}|{_LOWER}(?:{_HYPHENED}|[^\W\d_]{{4,32}}))"
                             rf"(?=[ \u00a0\u202f]?{QUOTE}?\s+(?:as|comme|como|come)\s+"
                             rf"(?:(?:the|my|your|our|a|new|mon|le|mi|la|mia|il)\s+)?{_PASSWORD_NOUN}\b"
                             rf"(?!\s*\w*{_TOPIC}))"),
    ("as the password, then it", rf"(?<=\b(?:(?:as|comme|come)\s+(?:(?:the|my|a|mon|le|il|la|mia)\s+)?"
                                 rf"{_PASSWORD_NOUN}|(?:puse|pusiste|puso|pongo|tengo|tiene|tienes|uso|usé|usa)\s+"
                                 rf"(?:de|como)\s+contrase(?:ñ|n)a)\s+{_OPEN})(?!{_TOPIC}(?![\w-]))"
                                 rf"(?:{_SHAPED}|{_LOWER_PLAIN}|\d{{4,12}}(?![\w/-]|[.,]\d))"),
    # After a glued word: `Ihr Einmalpasswort lautet X`, `Routerkennwort: X`, `Geheimwort ist X`.
    ("glued password", rf"(?<=\b{_GLUED_WORD}\s*[:=]\s*{QUOTE}?){_VERDICT}{_ANY}"),
    ("glued password said", rf"(?<=\b{_GLUED_WORD}\s+(?:{_IS}\s+){{1,3}}{QUOTE}?)(?:{_SHAPED}|{_PLAIN})"),
    # A one-time or verification code, in en/de/fr/es/it/nl, after its word and a separator or a verb: `OTP: 836896`,
    # `Votre code de vérification est 4821`, `Ihr Einmalpasswort lautet …`; digits, or a value shaped like a password.
    ("one-time code", r"(?<=\b(?:otp|one[-\s]time\s+(?:code|passcode|pin)|verification\s+code|2fa\s+code|mfa\s+code"
                      r"|einmalcode|best(?:ä|ae)tigungscode|sicherheitscode|code\s+de\s+(?:v[ée]rification|s[ée]curit[ée])"
                      r"|c[óo]digo\s+de\s+(?:verificaci[óo]n|seguridad)|codice\s+(?:di\s+verifica|di\s+sicurezza|otp)"
                      rf"|verificatiecode|beveiligingscode){_SEPARATOR}{QUOTE}?)(?:\d{{4,8}}(?![\w/-]|[.,]\d)|{_SHAPED})"),
    # A secret that is not a token, after its word: strong or random (`secret: Estrella8565%`, `Geheimnis: B9QULutW4Z`;
    # not `Top secret: Project42`), or quoted (`the secret is 'patience1'`).
    ("short secret", r"(?<=\b(?:secret|geheimnis|secreto|segreto)(?:\s*[:=]\s*|\s+(?:is|was|ist|war|est|es|era|è)\s+))"
                     rf"(?:{_STRONG}|{_RANDOM})"),
    ("quoted secret", r"(?<=\b(?:secret|geheimnis|secreto|segreto)(?:\s*[:=]\s*|\s+(?:is|was|ist|war|est|es|era|è)\s+)"
                      rf"{QUOTE})(?!{_STATE}{QUOTE}){_NOT_QUOTE}{{4,64}}(?={QUOTE})"),
]

# A login and its password in one value, as a test account or a shared login is noted under a key that names a login
# (keys.py `names_a_login`: `login: "admin / Hunter2!"`, `zugang: "jdoe:Winter2024!"`, `wifi: "Cafe | Espresso24"`): a
# user name (or an e-mail address), one separator, then a value shaped like a password: made up, strong or random
# (`_PASSWORD_VALUE`), so that choices (`read / write`, `Free / Pro`, `SSO / SAML2`), versions (`OAuth2.0`) and
# numbered ids (`ACME / ACME-2024-001`) are not one; never a URL (`https://…`: a scheme and its host).
# Or letters with symbols (`yaSAYsz*d#p`), or random letters (`wFkQJtYbkMVW`). Or both named, however shortly: `u:
# jdoe, p: X`, `user=jdoe\npass=X` (what the value under such a name is does not matter).
# Review39: a symbol counts only before a letter or a digit and with a second one (`Danke!`, `FRITZ!Box`, `C#Sharp`
# are words), random letters only with three steps from small to capital letters (`MacBookPro`, `PlayStationVR` are
# products).
_LOGIN_SECRET = (rf"{_PASSWORD_VALUE}|(?=\S*[^\W\d_])(?=\S*[!#$%&*+?@^~][^\W_])(?=(?:\S*?[!#$%&*+?@^~]){{2}})"
                 rf"{_NOT_QUOTE}{{6,64}}"
                 r"|(?-i:(?=(?:[A-Z]*[a-z]+[A-Z]){3})[A-Za-z]{8,64})")
_A_LOGIN_SECRET = re.compile(_LOGIN_SECRET, re.IGNORECASE)
_STRONG_OR_RANDOM = re.compile(_PASSWORD_VALUE, re.IGNORECASE)
_LOGIN_PAIR = re.compile(r"(?:u|user|username|login|benutzer|utilisateur|usuario|utente|gebruiker|e-?mail|mail)"
                         r"\s*[:=]\s*[^\s,;&|]{1,64}(?:\s*[,;&|]\s*|\s+)(?:p|pw|pwd|psw|pass|passwd|password|passwort|kennwort"
                         r"|mdp|clave|contrase[ñn]a|wachtwoord|ww)\s*[:=]\s*\S{1,64}"
                         r"|(?![a-z][a-z0-9+.-]*://)([^\s/:;,|]{1,64})(\s*[/:;,|]\s*|\s+-\s+|(\s+))(?!/)(\S{4,64})",
                         re.IGNORECASE)
# A note after the pair says how long it holds (`jdoe / Hunter2!x (temporary)`); quotes around a half are not part of
# it (`"jdoe" / "Hunter2!x"`).
_NOTE = re.compile(r"\s+\([^()]{1,40}\)")
_QUOTES_AROUND = "\"'\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u201a\u2039\u203a`"
# Test accounts and shared logins mostly have weak passwords, which no shape above takes. After
# a user name (a letter in it) under a key naming a login, the second half is a password when it cannot be a choice,
# a ratio or a product, i.e. when it is no word of a language:
# - a word with digits glued to its end, as people make a password longer (`hunter22`, `espresso2024`, `admin123`: four
#   letters or more and two digits or more; `hunter2`, `Password1`: six letters or more and one); not a technology
#   named with its version (`android14`, `office365`, `base64`, `python3`; `ios17`, `win10`, `wpa2` are too short);
# - six or more digits, not a date (`12345678`; `20240115` is a day);
# - a default no language has as a word (`letmein`, `changeme`, `toor`, `qwerty`, `abc123`), or the user name again
#   (`admin / admin`, `guest:guest`: a choice between a thing and itself is none).
# The user name must read as one (`_a_user_name`: a handle, a default account; `tier / gold2024`, `env / staging2`
# are a label and its value), and a blank alone separates only a default account and its name with digits.
# A plain word stays (`jdoe / sunshine`, `email / password`, `read / write`): two words are two choices as often.
_WEAK_SECRET = re.compile(
    r"(?!(?:android|office|xbox|macos|chrome|firefox|base|python|ubuntu|debian|fedora|iphone|ipad|galaxy|windows"
    r"|pixel|version|release|build|level|layer|sha|utf)\d)"
    r"(?-i:[a-zß-ÿ]{4,20}\d{2,6}|[A-Za-zÀ-Þß-ÿ][a-zß-ÿ]{5,20}\d)"
    r"|(?!(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$)\d{6,12}"
    r"|letmein|changeme|toor|qwerty|qwertz|azerty|abc123|passw0rd|p@ssw0rd|trustno1|iloveyou",
    re.IGNORECASE)
# A capitalised word of letters names a thing, a place or a plan as often as a network (`Team`, `Acme`, `Gastnetz`): a
# capitalised word or digits after it are its kind or its number, a word in lower case with digits its password.
_A_WORD = re.compile(r"(?-i:[A-ZÀ-Þ][a-zß-ÿ]+)")
# Accounts that devices and test systems ship with, whose passwords are the name and a number (`admin123`).
_DEFAULT_ACCOUNTS = frozenset({"admin", "administrator", "root", "test", "guest", "demo", "user"})
# Nor an e-mail address, nor a numbered id (capitals or a separator before its digits: `INV2024`, `acct-2024`; a word
# and its digits is how people make up passwords: `Quiet988`).
_NOT_A_PASSWORD = re.compile(r"\S*@\S+\.\w+|[A-Z]{0,6}[-_/#]?\d[\d\-_/.]*|[A-Za-z]{1,6}[-_/#]\d[\d\-_/.]*")


def shaped_like_a_password(value: str) -> bool:
    """True if `value`, whole, is shaped like a password (`Inverno2024!`, `Zx81kqaP20`), not words, an id or a
    version."""
    return (len(value) <= 64 and _A_LOGIN_SECRET.fullmatch(value) is not None
            and _NOT_A_PASSWORD.fullmatch(value) is None)


# A strong value alone under a key naming a login or a network (`wlan: "Gast!2024"`): a letter, a digit and a symbol
# are a password's, which a user name, a network's name (`FRITZ!Box 7590`: a blank) or an account's (`Team#42`,
# `acme-corp#2`: a number after `#`) is not.
_STRONG_ALONE = re.compile(rf"(?!.*#\d+$){_STRONG}", re.IGNORECASE)


def a_login_value(value: str) -> bool:
    """True if `value`, under a key naming a login, is a user name and its password (`a_login_pair`) or a strong
    password alone (`Gast!2024`)."""
    if a_login_pair(value):
        return True
    return (len(value) <= 64 and _STRONG_ALONE.fullmatch(value) is not None
            and _NOT_A_PASSWORD.fullmatch(value) is None)


def a_login_pair(value: str) -> bool:
    """True if `value`, whole, is a user name and a password after one separator (`admin / Hunter2!`), or both
    named (`u: jdoe, p: X`)."""
    if len(value) > 160:
        return False
    found = _LOGIN_PAIR.fullmatch(_NOTE.sub("", value) if "(" in value else value)
    if found is None:
        return False
    secret = found.group(4)
    if secret is None:
        return True
    user = _unquoted(found.group(1))
    secret = _unquoted(secret)
    if shaped_like_a_password(secret):
        # a blank alone separates a login from its password only when the password is strong or random (`Login
        # failed!`)
        return found.group(3) is None or _STRONG_OR_RANDOM.fullmatch(secret) is not None
    if secret.isdigit() and found.group(2) in (":", "/"):
        return False  # glued, an id's notation (`acct:12345678`, `users/12345678`)
    return _weak_login_secret(user, secret, found.group(3) is not None)


def _unquoted(text: str) -> str:
    """`text` without the quotes around it (`'Hunter2!x'`), if it has them on both sides."""
    if len(text) > 2 and text[0] in _QUOTES_AROUND and text[-1] in _QUOTES_AROUND:
        return text[1:-1]
    return text


def _weak_login_secret(user: str, secret: str, blank: bool) -> bool:
    """True if `secret`, after a user name `user`, is a weak password (`hunter22`, `letmein`, `admin / admin`)."""
    if not _a_user_name(user):
        return False  # `16 / 9`; `tier / gold2024`, `read / read`: a label and its value
    if _A_WORD.fullmatch(user) and not secret[:1].islower():
        return False  # `Acme / 123456`: a thing and its number (`Gastnetz:kaffee2023` is one)
    lower, user_lower = secret.lower(), user.lower()
    if lower.startswith(user_lower) and lower[len(user_lower):].isdigit():
        # the name and a number is a default account's password (`admin admin123`, after a blank too), a thing's
        # sibling otherwise (`node / node18`)
        return user_lower in _DEFAULT_ACCOUNTS
    if blank:
        return False  # a blank alone separates only a strong password (`savings 12345678` is an account)
    if lower == user_lower:
        return secret.isalnum()
    return _WEAK_SECRET.fullmatch(secret) is not None


def _a_user_name(user: str) -> bool:
    """True if `user` reads as a login: a default account, a handle with digits, dots or an `@` (`jdoe42`, `j.doe`),
    a network's name in CamelCase (`CafeNet`), or letters that are no English word (`jdoe`; `tier`, `server` are
    labels)."""
    lower = user.lower()
    if lower in _DEFAULT_ACCOUNTS:
        return True
    if not user.isalpha():
        return any(ch.isalpha() for ch in user)
    if user[1:] != user[1:].lower():
        return True
    return lower not in gazetteer().english
