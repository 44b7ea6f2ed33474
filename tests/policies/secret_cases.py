"""Generated cases for passwords and secrets written in free text, fields and URLs, made at run time from a seed.

The triggers (`my password is X`, `Passwort: X`, `mot de passe : X`, `contraseña: X`, `password temporanea X`,
`wachtwoord: X`, quoted secrets, login pairs), the keys that say secret in en/de/fr/es/it/nl, the query parameters
and the look-alikes that must stay (`boarding pass`, `forgot password?`, UI labels) are this module's own, written
from how people and products write them. Nothing here comes from an evaluation corpus.
`python -m tests.policies.secret_cases [SEED] [N] [--show]` prints leaks per embedding and look-alikes changed.
"""

from __future__ import annotations

import random
import string
import sys
from collections.abc import Callable
from urllib.parse import quote, quote_plus

from tests.policies.pii_cases import Case

_WORDS = ("Sonnenblume", "Papillon", "Mariposa", "Farfalla", "Vlinder", "Bluebird", "Kastanie", "Girasole",
          "Tulipano", "Bergkristall", "Soleil", "Estrella", "Zeeleeuw", "Winter", "Dragon", "Panther", "Oceano")
_SYMBOLS = "!#$%&*?@+"


def secret(rnd: random.Random) -> str:
    """A password as people and generators make them: made-up, random, strong, a passphrase, a PIN, a token."""
    word = rnd.choice(_WORDS)
    shape = rnd.randrange(9)
    if shape == 0:  # made up: Sonnenblume2024!
        return f"{word}{rnd.randrange(10, 9999)}{rnd.choice(_SYMBOLS)}"
    if shape == 1:  # random letters and digits, as a manager or an admin makes them
        return "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(rnd.randrange(8, 17)))
    if shape == 2:  # strong, as a generator makes them: an upper, a lower, a digit and a symbol, shuffled
        chars = [rnd.choice(string.ascii_uppercase), rnd.choice(string.ascii_lowercase), rnd.choice(string.digits),
                 rnd.choice(_SYMBOLS)] + [rnd.choice(string.ascii_letters + string.digits + _SYMBOLS)
                                          for _ in range(rnd.randrange(6, 12))]
        rnd.shuffle(chars)
        return "".join(chars)
    if shape == 3:  # a passphrase
        return "-".join(rnd.sample([w.lower() for w in _WORDS], 3)) + str(rnd.randrange(10, 99))
    if shape == 4:  # a lower-case word and digits: sunflower88
        return f"{word.lower()}{rnd.randrange(10, 9999)}"
    if shape == 5:  # leet: P4pill0n!
        return word.translate(str.maketrans("aeio", "4310")) + rnd.choice(_SYMBOLS)
    if shape == 6:  # a symbol inside: Gast!2024
        return f"{word}{rnd.choice(_SYMBOLS)}{rnd.randrange(1000, 9999)}"
    if shape == 7:  # digits and letters: 8xk2mq7w
        return "".join(rnd.choice(string.ascii_lowercase + string.digits) for _ in range(4)) + str(
            rnd.randrange(1000, 9999))
    return f"{word}_{rnd.randrange(10, 99)}{rnd.choice(string.ascii_uppercase)}"


def pin(rnd: random.Random) -> str:
    return str(rnd.randrange(1000, 999999)).zfill(6)


def token(rnd: random.Random) -> str:
    return "".join(rnd.choice(string.ascii_letters + string.digits) for _ in range(rnd.randrange(24, 41)))


_User = Callable[[random.Random], str]


def _user(rnd: random.Random) -> str:
    return rnd.choice(("admin", "jdoe", "anna.k", "mmuller", "support01", "root", "test_user", "lucia.r"))


_Text = Callable[[str, str], str]  # (secret, user) -> text
FREE_TEXT: list[tuple[str, _Text]] = [
    ("en", lambda s, u: f"my password is {s}"),
    ("en", lambda s, u: f"My password is {s} please reset it"),
    ("en", lambda s, u: f"pw: {s}"),
    ("en", lambda s, u: f"pwd={s}"),
    ("en", lambda s, u: f"temporary password {s} (valid 24h)"),
    ("en", lambda s, u: f"Temporary password: {s}"),
    ("en", lambda s, u: f"new password for anna is {s}"),
    ("en", lambda s, u: f"The new password for {u} is {s}."),
    ("en", lambda s, u: f"login: {u} / password: {s}"),
    ("en", lambda s, u: f"credentials: {u} / {s}"),
    ("en", lambda s, u: f"user {u} pass {s}"),
    ("en", lambda s, u: f"Username: {u}\nPassword: {s}"),
    ("en", lambda s, u: f"I set the password to '{s}' for now"),
    ("en", lambda s, u: f'password "{s}" is not accepted'),
    ("en", lambda s, u: f"Can't log in, tried {s} as my password"),
    ("en", lambda s, u: f"here is the wifi password: {s}"),
    ("en", lambda s, u: f"the password I used was {s}"),
    ("en", lambda s, u: f"Password reset to {s} by support"),
    ("en", lambda s, u: f"use {s} to log in, then change it"),
    ("de", lambda s, u: f"Passwort: {s}"),
    ("de", lambda s, u: f"Mein Passwort ist {s}"),
    ("de", lambda s, u: f"Kennwort lautet {s}"),
    ("de", lambda s, u: f"Das neue Kennwort lautet: {s}"),
    ("de", lambda s, u: f"Benutzer {u}, Passwort {s}"),
    ("de", lambda s, u: f"Zugangsdaten: {u} / {s}"),
    ("de", lambda s, u: f"Passwort „{s}“ funktioniert nicht"),
    ("de", lambda s, u: f"Das temporäre Passwort ist {s}, bitte ändern"),
    ("fr", lambda s, u: f"mot de passe : {s}"),
    ("fr", lambda s, u: f"mdp: {s}"),
    ("fr", lambda s, u: f"Mon mot de passe est {s}"),
    ("fr", lambda s, u: f"le mot de passe provisoire est « {s} »"),
    ("fr", lambda s, u: f"identifiant {u}, mot de passe {s}"),
    ("fr", lambda s, u: f"Voici le mdp {s} pour le compte"),
    ("es", lambda s, u: f"contraseña: {s}"),
    ("es", lambda s, u: f"clave: {s}"),
    ("es", lambda s, u: f"mi contraseña es {s}"),
    ("es", lambda s, u: f"La contraseña temporal es {s}"),
    ("es", lambda s, u: f"usuario {u} y contraseña {s}"),
    ("it", lambda s, u: f"password temporanea {s}"),
    ("it", lambda s, u: f"la mia password è {s}"),
    ("it", lambda s, u: f"Password: {s} (da cambiare)"),
    ("it", lambda s, u: f"utente {u} password {s}"),
    ("nl", lambda s, u: f"wachtwoord: {s}"),
    ("nl", lambda s, u: f"mijn wachtwoord is {s}"),
    ("nl", lambda s, u: f"Het tijdelijke wachtwoord is {s}"),
    ("nl", lambda s, u: f"gebruikersnaam {u} wachtwoord {s}"),
    ("en", lambda s, u: f"PIN: {s}"),
    ("en", lambda s, u: f"the passcode is {s}"),
    ("en", lambda s, u: f"OTP: {s}"),
]
QUOTED: list[tuple[str, _Text]] = [
    ("en", lambda s, u: f"password '{s}'"),
    ("en", lambda s, u: f'password is "{s}"'),
    ("fr", lambda s, u: f"mot de passe «{s}»"),
    ("fr", lambda s, u: f"mot de passe : « {s} »"),
    ("de", lambda s, u: f"Passwort „{s}“"),
    ("de", lambda s, u: f"Kennwort: „{s}“"),
    ("es", lambda s, u: f"contraseña «{s}»"),
    ("it", lambda s, u: f"password “{s}”"),
    ("nl", lambda s, u: f"wachtwoord '{s}'"),
    ("en", lambda s, u: f"the secret is '{s}'"),
]
# Keys that say secret, alone or in a longer key, in the six languages.
FIELD_KEYS = ("password", "passwort", "kennwort", "motdepasse", "mot_de_passe", "contrasena", "contraseña", "clave",
              "wachtwoord", "pin", "passcode", "otp", "api_key", "token", "secret", "user_password", "neues_passwort",
              "nouveau_mdp", "clave_acceso", "password_temporanea", "tijdelijk_wachtwoord", "wifiPassword",
              "loginPin", "accessToken", "client_secret", "otpCode", "pin_code", "Kennwort-Alt", "pwd", "mdp")
QUERY_PARAMS = ("pwd", "password", "passwort", "kennwort", "mdp", "motdepasse", "contrasena", "clave",
                "wachtwoord", "pin", "otp", "token", "api_key", "secret", "pass")

# Look-alikes that must stay: the trigger words in what is not a secret.
LOOK_ALIKES: list[tuple[str, str]] = [
    ("note", "Check the boarding pass for gate B12"), ("note", "Password reset link sent"),
    ("note", "password reset link sent to the customer"), ("el_text", "Forgot password?"),
    ("note", "Password must be 8 characters"), ("note", "Password must be at least 12 characters long"),
    ("el_text", "Passwort vergessen"), ("el_text", "Passwort vergessen?"), ("el_text", "Mot de passe oublié ?"),
    ("el_text", "¿Olvidaste tu contraseña?"), ("el_text", "Password dimenticata?"),
    ("el_text", "Wachtwoord vergeten?"), ("placeholder", "Enter your password"),
    ("placeholder", "Geben Sie Ihr Passwort ein"), ("placeholder", "Saisissez votre mot de passe"),
    ("placeholder", "Introduce tu contraseña"), ("placeholder", "Inserisci la password"),
    ("placeholder", "Voer je wachtwoord in"), ("el_text", "Change password"), ("el_text", "Show password"),
    ("note", "User changed their password"), ("note", "Password updated successfully"),
    ("note", "Das Passwort wurde geändert"), ("note", "Le mot de passe a été modifié"),
    ("note", "La contraseña ha sido cambiada"), ("note", "La password è stata aggiornata"),
    ("note", "Het wachtwoord is gewijzigd"), ("note", "Password strength: strong"),
    ("note", "The password field is empty"), ("note", "password policy updated for SSO users"),
    ("note", "Customer asked about the password manager integration"), ("note", "Season pass 2024 renewal"),
    ("note", "Use the Pass Culture voucher"), ("note", "Clave del éxito: constancia"),
    ("note", "La clave es la comunicación"), ("note", "Token expired, user logged out"),
    ("note", "The secret santa list is out"), ("note", "PIN reset requested"),
    ("note", "OTP sent by SMS"), ("note", "Login: success"), ("note", "Credentials: valid"),
    ("note", "wrong password entered 3 times"), ("note", "Passwort falsch eingegeben"),
    ("note", "mot de passe incorrect"), ("note", "contraseña incorrecta"), ("note", "password errata"),
    ("note", "wachtwoord onjuist"), ("note", "Order 2024-00017 shipped"), ("note", "Pass the salt please"),
    ("note", "Your password: required"), ("note", "Passwort ändern"), ("note", "Kennwort zurücksetzen"),
    ("note", "Réinitialiser le mot de passe"), ("note", "Restablecer contraseña"), ("note", "Reimposta password"),
    ("note", "Wachtwoord opnieuw instellen"), ("note", "Passwort: ********"), ("note", "password: [hidden]"),
    ("note", "2FA code required at login"), ("note", "Ticket about token refresh failures in v2.3"),
    # a reviewer's look-alikes of rules tried and narrowed again (bare `otp`/`clave`/`pw`, `secret:`, word and digits)
    ("note", "OTP 2024 conference"), ("note", "Erlang/OTP R16B03"), ("note", "verification code v2.3 rollout"),
    ("query", "palabra clave iphone15 pro"), ("note", "la clave Win11 no funciona"),
    ("note", "Top secret: Project42 launch"), ("note", "Victoria's Secret: Bombshell2"),
    ("title", "Kindle PW 2024 edition"), ("note", "PW 4000 engine"),
    ("note", "Forgot password page is down - investigating"), ("note", "password reset failed: error500"),
    ("note", "Use Chrome114 to log in"), ("note", "Zugang: Haupteingang / Tor3"),
]

# Look-alikes the scrubber still changes, by main's rules (`password reset failed: X` takes X as the password): known,
# listed so that a new one fails the regression test.
KNOWN_CHANGED = frozenset({"password reset failed: error500"})


def cases(seed: int = 7, per_template: int = 3) -> list[Case]:
    rnd = random.Random(seed)
    out: list[Case] = []
    for lang, make in FREE_TEXT:
        for _ in range(per_template):
            value = pin(rnd) if make("X", "u").startswith(("PIN", "the passcode", "OTP")) else secret(rnd)
            out.append(Case("PASSWORD", "free_text", f"note_{lang}", make(value, _user(rnd)), (value,)))
    for lang, make in QUOTED:
        for _ in range(per_template):
            value = secret(rnd)
            out.append(Case("PASSWORD", "quoted", f"comment_{lang}", make(value, _user(rnd)), (value,)))
    for key in FIELD_KEYS:
        value = pin(rnd) if key.lower().startswith(("pin", "otp", "loginpin")) else (
            token(rnd) if "token" in key.lower() or "api" in key or "secret" in key else secret(rnd))
        out.append(Case("PASSWORD", "field", key, value, (value,)))
    for param in QUERY_PARAMS:
        value = secret(rnd)
        url = f"https://app.example.com/login?user={_user(rnd)}&{param}={quote_plus(value)}"
        out.append(Case("PASSWORD", "url_query", "$current_url", url, (value, quote_plus(value), quote(value))))
    out += [Case("BENIGN", "look_alike", key, value, (value,)) for key, value in LOOK_ALIKES]
    return out


if __name__ == "__main__":
    from tests.policies.pii_cases import report

    report(sys.argv[1:], cases, 3, ("PASSWORD", "BENIGN"))
