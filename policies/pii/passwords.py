"""Passwords written out in text: the words that name one in en/de/fr/es/it/nl, what a password looks like when only
its place says so, and the patterns of PasswordInTextRecognizer (recognizers.py), which runs them only on strings where
candidates.py's PASSWORD gate found one of those words.
"""

from __future__ import annotations

import re

_PASSWORD_WORD = (r"(?:password|passwort|kennwort|passwd|pwd|passcode|passphrase|mot\s*de\s*passe|mdp"
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
QUOTE = r"[\"'\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019`]"
_NOT_QUOTE = r"[^\s\"'\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019`]"
# A verb that says what the password is or has become, alone or in a short run (`ist jetzt`, `set to`, `reset to`).
_IS = (r"(?:is|ist|war|est|c['\u2019]est|c['\u2019][ée]tait|es|è|é|era|was|were|lautet|wordt|werd|sera|será|sarà"
       r"|now|jetzt|nu|maintenant|ahora|ora"
       r"|(?:set|changed|reset|updated|geändert|gesetzt|changé|modifié|cambiad[ao]|cambiat[ao]|gewijzigd|aangepast)"
       r"(?:\s+(?:to|auf|in|en|a|naar))?)")
# Runs of dots and question marks bounded: unbounded, inside the look-behinds they make a long run quadratic.
_SEPARATOR = (rf"(?:\s*(?:=>|[:=]|\.{{2,6}}|\u2026|\?{{1,3}})\s*|\s+(?:{_IS}\s+){{1,3}}:?\s*|['\u2019]s\s+"
              r"|\s+(?:-+>?|\u2013|\u2014|\u2192)\s+)")
# What a password looks like when nothing but its place says so: letters with a digit or a symbol inside (`Gast!2024`,
# not `vergessen?`).
# Or a passphrase of three to six words joined by hyphens (`correct-horse-battery-staple`).
_SHAPED = (rf"(?:(?=\S*[^\W\d_])(?=\S*(?:\d|[!#$%&*+?@^~]\S)){_NOT_QUOTE}{{4,64}}(?<![.,;:?)])(?<![^\W\d_]!)"
           r"|[^\W\d_]{3,20}(?:-[^\W\d_]{4,20}){2,5}(?![\w-])"
           # or random letters: three capitals or more, one after a small letter (`SkCNQHmxHaRy`; not `LinkedIn`)
           r"|(?-i:(?=(?:[a-z]*[A-Z]){3})(?=[A-Za-z]*[a-z][A-Z])[A-Za-z]{8,64}(?![\w@.-])))")
# Before its word, a value may end with `!` (`W3lc0me! is my password`): no sentence ends there.
_BANG = rf"(?=\S*[^\W\d_])(?=\S*\d){_NOT_QUOTE}{{3,63}}!"
# A strong value, which alone says it is a password: a letter, a digit and a symbol; not an e-mail address.
_STRONG = (rf"(?=\S*[^\W\d_])(?=\S*\d)(?=\S*[!#$%&*+?@^~])(?!\S+@\S+\.\w){_NOT_QUOTE}{{6,64}}"
           r"(?<![.,;:?)])")
# A random value: upper and lower case letters and digits, eight or more (`B9QULutW4Z`), not a word with a number.
_RANDOM = (r"(?-i:(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*\d)(?![A-Z]?[a-z]+\d+(?![A-Za-z0-9]))"
           r"[A-Za-z0-9]{8,64}(?![\w@.-]))")
_ANY = rf"(?![*\u2022\u25cf\[<]){_NOT_QUOTE}{{4,64}}(?<![.,;:?)])(?<![^\W\d_]!)"
# What a form says in a password's place (`Password: required`): a verdict, in en/de/fr/es/it/nl.
_VERDICT = (r"(?!(?:required|missing|invalid|incorrect|wrong|empty|blank|none|null|undefined|hidden|redacted|changed"
            r"|reset|updated|expired|weak|strong|erforderlich|falsch|ungültig|fehlt|requis|obligatoire|invalide"
            r"|requerida|incorrecta|obligatoria|obbligatoria|errata|verplicht|onjuist|ongeldig)(?![\w]))")
# What a sentence says a password is when it does not say the password: a state, in en/de/fr/es/it/nl.
_STATE = (r"(?:incorrect|invalid|wrong|required|missing|weak|strong|expired|correct|empty|blank|changed|reset|updated"
          r"|set|saved|ok|okay|fine|good|bad|secure|insecure|long|short|valid|mandatory|optional|needed|protected"
          r"|hidden|visible|case|unknown|locked|unlocked|different|same|similar|new|old|it|this|that|here|there|below"
          r"|above|attached|enclosed|gone|none|null|undefined|true|false|too|not|also|still|now|always|never"
          r"|falsch|richtig|ungültig|erforderlich|abgelaufen|geändert|zu|kurz|lang|sicher|nicht|faux|invalide|requis"
          r"|expiré|modifié|trop|court|pas|incorrecta|inválida|requerida|caducada|cambiada|demasiado|corta|no|errata"
          r"|sbagliata|scaduta|obbligatoria|troppo|breve|non|onjuist|ongeldig|verplicht|verlopen|gewijzigd|te|kort"
          r"|fout|juist|niet|something|mine|yours|secret|known|shown|displayed|ready|available|active|inactive"
          r"|simple|easy|hard|complex|unique|common|personal|private|temporary|temp|default|generic)")
# A plain password, all letters or all digits, said with a verb and ending its clause: `the password is sunshine.`,
# `password was 123456`; not a state (`your password is incorrect`) nor a word that reads as one (`expiring`).
_PLAIN = (r"(?!(?:" + _STATE[3:-1] + r")(?![\w-]))(?:\d{4,12}|[^\W\d_]{3,}(?:-[^\W\d_]{4,}){2,5}"
          r"|[^\W\d_]{4,32}(?<!ing|ed|ly|able|ible))"
          r"(?=\s*(?:[.,;!?)]|[:;]-?[)(DP]|$)|\s+(?:and|but|or|so|please|und|aber|oder|bitte|et|mais|ou|y|pero|o"
          r"|por\s+favor|e|ma|per\s+favore|en|maar|of|alsjeblieft)\b)")
# A password as people make them up: a capitalised word and two to four digits, a symbol between or after
# (`Sunflower88`, `Sommer2024!`, `Gast!2024`); not an id in capitals (`INV2024`) nor a version (`v2.3`).
_MADE_UP = (r"(?<![\w@./-])(?-i:[A-ZÀ-Þ][a-zß-ÿ]{2,20})[!#$%&*+?@^~._-]?\d{2,4}[!#$%&*+?@^~]?(?![\w@/-])"
            r"(?![.,]\d)")
_PASSWORD_VALUE = rf"(?:{_MADE_UP}|{_STRONG}|{_RANDOM})"
PASSWORD_PATTERNS = [
    # `password: X`, `password="X"`: the value, whatever it is.
    ("password", rf"(?<=\b{_PASSWORD_WORD}{QUOTE}?\s*(?:=>|[:=])\s*{QUOTE}?){_VERDICT}{_ANY}"),
    # A verb and then a colon: `la password è: X`, `Your new password is: X`, `Passwort lautet: X`.
    ("password is:", rf"(?<=\b{_PASSWORD_NOUN}(?:\s+[^\s:=\"]{{1,20}}){{0,4}}?\s+{_IS}\s*:\s*{QUOTE}?){_VERDICT}"
                     rf"{_ANY}"),
    # A verb or a few words before it: `Passwort ist jetzt X`, `the wifi password for guests is X`, `mot de passe
    # provisoire : X`, `contraseña temporal: X`, or nothing at all: `password hunter2`. The value, if quoted (`password
    # reset to "X"`); otherwise only a value shaped like a password, so that `your password is incorrect` stays.
    ("said password", rf"(?<=\b{_PASSWORD_NOUN}(?:\s+[^\s:=\"]{{1,20}}){{0,4}}?{_SEPARATOR}{QUOTE}[ \u00a0\u202f]?)"
                      rf"(?!{_IS}\s){_ANY}"),
    # Not a time's minutes (`password changed on 2024-03-05T10:30:00Z`).
    ("qualified password", rf"(?<=\b{_PASSWORD_NOUN}(?:\s+[^\s:=\"]{{1,20}}){{0,4}}?{_SEPARATOR})(?<!\d:){_SHAPED}"),
    ("bare password", rf"(?<=\b{_PASSWORD_NOUN}\s+){_SHAPED}"),
    # Quoted right after the word, or after `to`: `use password 'letmein!' to log in`, `set my password to dragon99`.
    ("quoted password", rf"(?<=\b{_PASSWORD_NOUN}\s+(?:to\s+|auf\s+|en\s+|a\s+|naar\s+|in\s+)?{QUOTE}[ \u00a0\u202f]?)"
                        rf"{_NOT_QUOTE}{{4,64}}"
                        rf"(?=[ \u00a0\u202f]?{QUOTE})"),
    # Before its word: `use Xk9#mP2q as the password`, `hunter2 is my password`, `Sommer24! ist mein Passwort`.
    ("password before its word", rf"(?<![^\s\"'(])(?:{_SHAPED}|{_BANG})"
                                 r"(?=\s+(?:as|is|was|als|ist|war|comme|est|como|es|come|è"
                                 r"|era|zijn|wordt)\s+(?:(?:the|my|your|our|a|new|temporary|mein|meine|dein|das|ein"
                                 r"|neues|mon|votre|le|nouveau|mi|su|la|nueva|mia|nuova|mijn|je|het|nieuwe|uw)\s+)*"
                                 rf"{_PASSWORD_NOUN}\b(?!\s*\w*(?:policy|policies|reset|manager|field|requirement|rule"
                                 r"|strength|hint|page|link|form|change|richtlinie|feld|champ|campo|veld|beleid)))"),
    # Quoted before its word: `I typed "sunshine" as my password`, `„Sommer24“ war das Passwort`.
    ("quoted before its word", rf"(?<={QUOTE}){_NOT_QUOTE}{{4,64}}(?={QUOTE}\s+(?:as|is|was|als|ist|war|comme|est"
                               r"|como|es|come|è|era|zijn|wordt|was)\s+(?:(?:the|my|your|our|a|new|temporary|mein"
                               r"|meine|dein|das|ein|neues|mon|votre|le|nouveau|mi|su|la|nueva|mia|nuova|mijn|je|het"
                               rf"|nieuwe|uw)\s+)*{_PASSWORD_NOUN}\b(?!\s*\w*(?:policy|policies|reset|manager|field"
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
    ("plain pw", rf"(?<=\b(?:pw|my\s+pass)\s+(?:{_IS}\s+){{1,3}})(?:{_PLAIN}|{_SHAPED})"),
    ("clave", rf"(?<=\bclave{_SEPARATOR}){_SHAPED}"),
    # A login's password after a slash or a comma: `user jdoe / pass Xk9#mP2q`, `jdoe, pw Sommer24!`.
    ("pass after a login", rf"(?<=[/,;|]\s*(?:pass|pw|pwd)\s*[:=]?\s+){_SHAPED}"),
    # Or after the login itself: `login jane pass Sommer24`, `user: jane pw Sommer24`.
    ("pass after a user", r"(?<=\b(?:user(?:name)?|login|benutzer(?:name)?|utilisateur|usuario|utente|gebruiker)"
                          rf"\s*[:=]?\s*[^\s:/]{{1,64}}\s+(?:pass|pw|pwd)\s*[:=]?\s+){_SHAPED}"),
    # A plain word the password was set to: `I changed my password to sunshine yesterday`; not what it is for (`set
    # a password to continue`) nor a state.
    ("set to a word", r"(?<=\b(?:set|changed|reset|updated|switched|changing|setting)\s+(?:(?:my|the|your|his|her"
                      rf"|our|their|its|a|new|temporary)\s+)*(?:{_PASSWORD_NOUN}|pw)\s+to\s+)(?!(?:continue|proceed"
                      r"|log|login|sign|access|protect|secure|unlock|enable|use|make|keep|get|avoid|prevent|complete"
                      r"|finish|start|begin|comply|meet|match|allow|ensure|view|open|see|edit|save|the|an|your|my"
                      rf"|something|{_STATE[3:-1]})(?![\w]))(?:[^\W\d_]{{4,32}}(?![\w])|\d{{4,12}}(?![\w.,/-]))"),
    # A word or a number that the sentence says does not work: `Password sunshine doesn't work`, `tried password
    # sunshine but it fails`. Not the page, the field or the link that does not work.
    ("password that fails", rf"(?<=\b{_PASSWORD_NOUN}\s+{QUOTE}?)(?!(?:field|page|form|link|manager|box|input"
                            r"|screen|prompt|dialog|button|check|validation|login|recovery|change|update|rules|policy"
                            r"|email|mail|token|request|session|attempt|entry|requirements?|complexity|history"
                            rf"|reset|feld|champ|campo|veld|{_STATE[3:-1]})(?![\w]))(?:[^\W\d_]{{4,32}}|\d{{4,12}})"
                            rf"(?={QUOTE}?\s+(?:does\s*n[o']t|stopped|no\s+longer|doesn['\u2019]t|isn['\u2019]t|won['\u2019]t|is\s+not"
                            r"|will\s+not|fails|failed|is\s+rejected|was\s+rejected|but|funktioniert|geht|klappt"
                            r"|ça\s+ne|ne\s+marche|ne\s+fonctionne|no\s+funciona|non\s+funziona|werkt\s+niet|lukt"
                            r"|expired|is\s+too|was\s+too|ist\s+zu|abgelaufen|a\s+expiré|est\s+trop|ha\s+caducado"
                            r"|è\s+scaduta|is\s+verlopen|is\s+te)\b)"),
    ("password to", rf"(?<=\b(?:{_PASSWORD_NOUN}|pw|pass)s?\s+(?:(?:to|auf|en|a|naar|in|from|von|de|da|van)\s+"
                    rf"|(?:{_IS}\s+){{1,2}})){_SHAPED}"),
    ("passwords", rf"(?<=\b{_PASSWORD_NOUN}s\s+){_SHAPED}"),
    # A PIN or passcode of digits after its word and a verb, or alone: `my PIN is 4821`, `passcode 7729`.
    ("plain password", rf"(?<=\b{_PASSWORD_NOUN}(?:\s+[^\s:=\"]{{1,20}}){{0,4}}?\s+(?:{_IS}\s+){{1,3}}){_PLAIN}"),
    ("pin digits", r"(?<=\b(?:pin|pin\s*code|code\s+pin|passcode|geheimzahl|codice\s+pin)\s+"
                   rf"(?:(?:{_IS})\s+)?)\d{{4,8}}(?![\w.,/-])"),
    # A password of four or more digits right after its word: `password 12345678`, `pwd 0727`.
    ("password digits", rf"(?<=\b{_PASSWORD_NOUN}\s+)\d{{4,12}}(?![\w.,/-])"),
    ("password arrow digits", rf"(?<=\b(?:{_PASSWORD_NOUN}|pw)\s*(?:-+>|\u2192)\s*)\d{{4,12}}(?![\w.,/-])"),
    # A quoted passphrase of several words: `passphrase is "purple monkey dishwasher"`.
    ("quoted phrase", rf"(?<=\b{_PASSWORD_NOUN}(?:\s+[^\s:=\"]{{1,20}}){{0,4}}?{_SEPARATOR}\")[^\"\n]{{4,64}}(?=\")"),
    # Short words that name a secret only before a colon or an equals sign: `pw: X`, `pass=X`, `PIN: 4821`.
    ("short word", rf"(?<=\b(?:pw|pass|pin|pin\s*code|code\s+pin|geheimzahl)\s*[:=]\s*{QUOTE}?){_ANY}"),
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
    ("noun and its adjective", rf"(?<=\b{_PASSWORD_NOUN}\s+(?:actual|nuev[ao]|temporal|provisional|provisoire"
                               r"|temporaire|nouveau|actuel|temporane[ao]|nuov[ao]|attuale|provvisori[ao]|nieuwe?"
                               r"|tijdelijke?|huidige?|neu|neues|aktuell|alt|altes|tempor[äa]r|initial|initiale|inicial"
                               rf"|iniziale|new|old|current|temp|temporary|initial)\s*[:=]?\s+){_SHAPED}"),
    # After a user name and a comma: `Benutzer anna, Passwort tulip`, `utente anna, password tulip`, whatever it is.
    ("user, password", r"(?<=\b(?:user(?:name)?|login|benutzer(?:name)?|utilisateur|identifiant|usuario|utente"
                       rf"|gebruiker(?:snaam)?)\s*[:=]?\s*[^\s:/,;]{{1,64}}\s*[,;]\s*{_PASSWORD_NOUN}\s*[:=]?\s+)"
                       rf"{_VERDICT}{_ANY}"),
    # Between brackets or markdown's bold right after its word: `password <Soleil>`, `password: **4821**`,
    # `password (tiger-apple-mountain)`; not a state (`password (optional)`).
    ("bracketed password", rf"(?<=\b{_PASSWORD_NOUN}\s*[:=]?\s*(?:\*\*|<|\())(?!(?:{_STATE[3:-1]})\W){_VERDICT}"
                           r"[^\s*<>()\[\]]{4,64}(?=\*\*|>|\))"),
    ("wifi colon", rf"(?<=\b(?:wifi|wi-fi|wlan)\s*[:=]\s*{QUOTE}?)(?=[^\W\d_]){_SHAPED}"),
    # A login and its password: `credentials: admin:Hunter2024`, `login with admin / S3cr3t!x`.
    ("user and password", r"(?<=\b(?:credentials?|creds|login|zugangsdaten|identifiants|credenciales|credenziali"
                          r"|inloggegevens)(?:\s+(?:with|as|are|is|mit|als|sind|avec|sont|con|son|come|sono|met|zijn))?"
                          r"\s*[:=]?\s*[^\s:/]{1,64}"
                          rf"(?::|\s+/\s+))(?:{_SHAPED}|\d{{4,12}}(?![\w.,/-]))"),
    # After a glued word: `Ihr Einmalpasswort lautet X`, `Routerkennwort: X`, `Geheimwort ist X`.
    ("glued password", rf"(?<=\b{_GLUED_WORD}\s*[:=]\s*{QUOTE}?){_VERDICT}{_ANY}"),
    ("glued password said", rf"(?<=\b{_GLUED_WORD}\s+(?:{_IS}\s+){{1,3}}{QUOTE}?)(?:{_SHAPED}|{_PLAIN})"),
    # A one-time or verification code, in en/de/fr/es/it/nl, after its word and a separator or a verb: `OTP: 836896`,
    # `Votre code de vérification est 4821`, `Ihr Einmalpasswort lautet …`; digits, or a value shaped like a password.
    ("one-time code", r"(?<=\b(?:otp|one[-\s]time\s+(?:code|passcode|pin)|verification\s+code|2fa\s+code|mfa\s+code"
                      r"|einmalcode|best(?:ä|ae)tigungscode|sicherheitscode|code\s+de\s+(?:v[ée]rification|s[ée]curit[ée])"
                      r"|c[óo]digo\s+de\s+(?:verificaci[óo]n|seguridad)|codice\s+(?:di\s+verifica|di\s+sicurezza|otp)"
                      rf"|verificatiecode|beveiligingscode){_SEPARATOR}{QUOTE}?)(?:\d{{4,8}}(?![\w.,/-])|{_SHAPED})"),
    # A secret that is not a token, after its word: strong or random (`secret: Estrella8565%`, `Geheimnis: B9QULutW4Z`;
    # not `Top secret: Project42`), or quoted (`the secret is 'patience1'`).
    ("short secret", r"(?<=\b(?:secret|geheimnis|secreto|segreto)(?:\s*[:=]\s*|\s+(?:is|was|ist|war|est|es|era|è)\s+))"
                     rf"(?:{_STRONG}|{_RANDOM})"),
    ("quoted secret", r"(?<=\b(?:secret|geheimnis|secreto|segreto)(?:\s*[:=]\s*|\s+(?:is|was|ist|war|est|es|era|è)\s+)"
                      rf"{QUOTE})(?!{_STATE}{QUOTE}){_NOT_QUOTE}{{4,64}}(?={QUOTE})"),
]
