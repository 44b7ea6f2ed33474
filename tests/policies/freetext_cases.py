# ruff: noqa: RUF001  (Turkish names are written with the dotless i)
"""An independent evaluation set of person names in free text (issue 14), written without reading the detectors.

Realistic strings people and products write, in six languages (en, de, fr, es, it, nl): support tickets, CRM notes,
chat and e-mail snippets, call logs, comments, task titles, calendar entries, commit messages, audit-log lines,
notifications, page titles, autocapture button and link texts, @mentions. Each PERSON case plants one name (or a list
of two or three) in a template, in one of many written forms; each BENIGN case is a look-alike (a product, a company,
a place, a UI phrase, a month) that must come back unchanged.

A PERSON case leaks when any of its forms survive the scrubber: the name as written, or any word of three letters or
more of it (titles and particles such as `van der` aside), case-insensitively, as a whole word (a surname inside
another word does not count). A BENIGN case is kept when the scrubbed value equals the value.

    python -m tests.policies.freetext_cases SEED N [--show] [--only person|benign]

prints the leak rate per form, position, cue, locale, origin and category, and benign kept per class; with --show,
the failing cases (value -> scrubbed). Deterministic for a seed. All strings here are synthetic.
"""

from __future__ import annotations

import os
import random
import re
import sys
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

LANGS = ("en", "de", "fr", "es", "it", "nl")
FAKER_LOCALES = {"en": ("en_US", "en_GB"), "de": ("de_DE",), "fr": ("fr_FR",), "es": ("es_ES",), "it": ("it_IT",),
                 "nl": ("nl_NL",)}

# ---------------------------------------------------------------------------------------------------------------------
# Names of people of other origins common in Europe (own lists, Latin script as written in Europe).

ORIGIN_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "turkish": (
        ("Ahmet", "Mehmet", "Mustafa", "Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Murat", "Hüseyin",
         "İbrahim", "Yusuf", "Emre", "Burak", "Cem", "Deniz", "Ebru", "Gökhan", "Hakan", "Kemal", "Merve", "Oğuz",
         "Özlem", "Selin", "Serkan", "Tuğba", "Volkan", "Yasemin", "Zehra", "Büşra", "Kübra", "Ömer", "Sibel"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir", "Arslan",
         "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek", "Polat", "Korkmaz",
         "Karakaya", "Erdoğan", "Güneş", "Aksoy", "Bulut", "Tekin", "Uçar", "Avcı", "Eren", "Keskin")),
    "polish": (
        ("Łukasz", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin", "Jakub", "Grzegorz",
         "Wojciech", "Mateusz", "Agnieszka", "Katarzyna", "Małgorzata", "Magdalena", "Joanna", "Aleksandra",
         "Monika", "Ewa", "Dorota", "Beata", "Zofia", "Karolina", "Justyna", "Barbara", "Marta", "Wiktoria",
         "Kamil", "Bartosz", "Szymon", "Jędrzej"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
         "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk",
         "Piotrowski", "Grabowski", "Nowakowski", "Pawłowski", "Michalski", "Nowicki", "Adamczyk", "Dudek", "Zając",
         "Wieczorek", "Jabłoński", "Król", "Majewski", "Olszewski", "Jaworski", "Wróbel", "Malinowski", "Pawlak")),
    "arabic": (
        ("Mohammed", "Ahmed", "Ali", "Omar", "Youssef", "Khaled", "Hassan", "Hussein", "Ibrahim", "Mustafa",
         "Karim", "Tarek", "Samir", "Nabil", "Rachid", "Mehdi", "Bilal", "Hamza", "Fatima", "Aisha", "Khadija",
         "Layla", "Mariam", "Nour", "Salma", "Yasmin", "Zainab", "Amina", "Samira", "Leila", "Rania", "Hiba",
         "Imane", "Soufiane"),
        ("Al-Sayed", "El-Amrani", "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Hamdan", "Abdullah", "Benali",
         "Bouzid", "Cherif", "El Idrissi", "Farouk", "Ghanem", "Habib", "Jaber", "Kassem", "Mahmoud", "Najjar",
         "Qureshi", "Rahman", "Sabbagh", "Taha", "Yassin", "Zidane", "Ben Salah", "Bennani", "Belkacem", "Othman",
         "Darwish", "Aziz")),
    "chinese": (
        ("Wei", "Fang", "Jing", "Min", "Lei", "Yan", "Hui", "Jun", "Ying", "Xiaoming", "Xiaoling", "Jian", "Hao",
         "Mei", "Lan", "Qiang", "Ming", "Tao", "Yun", "Xin", "Jie", "Ling", "Hong", "Ping", "Zhiwei", "Haoran",
         "Yuxuan", "Zihan", "Shu", "Xiuying", "Guoqiang", "Lihua"),
        ("Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Zhou", "Sun", "Zhu", "Guo", "Lin", "Gao", "Luo",
         "Zheng", "Liang", "Xie", "Song", "Tang", "Han", "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian",
         "Dong", "Pan", "Jiang", "Wu", "Li", "Xu", "Ma", "Hu", "He")),
    "indian": (
        ("Aarav", "Vivaan", "Aditya", "Arjun", "Rohan", "Rahul", "Amit", "Vikram", "Sanjay", "Rajesh", "Suresh",
         "Anil", "Karthik", "Siddharth", "Ankit", "Nikhil", "Priya", "Ananya", "Aishwarya", "Deepika", "Kavya",
         "Neha", "Pooja", "Shreya", "Sneha", "Divya", "Lakshmi", "Meera", "Sunita", "Anjali", "Ishaan", "Gaurav"),
        ("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Menon", "Rao", "Joshi", "Mehta",
         "Shah", "Desai", "Chatterjee", "Banerjee", "Mukherjee", "Das", "Bose", "Pillai", "Krishnan", "Subramanian",
         "Agarwal", "Kapoor", "Malhotra", "Verma", "Chopra", "Bhat", "Kulkarni", "Deshpande", "Naidu", "Srinivasan")),
    "nigerian": (
        ("Chinedu", "Chukwuemeka", "Emeka", "Obinna", "Ikenna", "Nnamdi", "Tunde", "Babatunde", "Oluwaseun", "Seun",
         "Adebayo", "Femi", "Olumide", "Kunle", "Musa", "Ngozi", "Chiamaka", "Adaeze", "Nkechi", "Funmilayo",
         "Folake", "Yetunde", "Bukola", "Titilayo", "Amaka", "Ifeoma", "Chidinma", "Uchenna", "Kelechi", "Tobi",
         "Damilola", "Temitope"),
        ("Okafor", "Okeke", "Okonkwo", "Eze", "Nwosu", "Obi", "Chukwu", "Adeyemi", "Ogunleye", "Oladipo", "Olawale",
         "Bello", "Abubakar", "Danjuma", "Balogun", "Akinola", "Ogundipe", "Nwachukwu", "Onyekachi", "Uche",
         "Adeleke", "Afolabi", "Oyelaran", "Ajayi", "Okoro", "Ekwueme", "Okoye", "Igwe", "Nnaji", "Olaniyan",
         "Adewale", "Oyebanji")),
    # Names whose words are also English words.
    "wordlike": (
        ("Bill", "Hope", "Mark", "Will", "Grace", "Faith", "Joy", "Rose", "Jack", "Guy", "Dawn", "April", "May",
         "June", "Summer", "Hunter", "Chase", "Frank", "Pat", "Sue", "Art", "Ray", "Rich", "Don", "Cliff", "Lily",
         "Holly", "Ivy", "Penny", "Sky", "Sunny", "Victor", "Iris", "Autumn"),
        ("Turner", "Walker", "Green", "Baker", "Hill", "Young", "Carter", "Mason", "Brooks", "Cook", "Fisher",
         "Price", "Woods", "King", "Bishop", "Cross", "Rice", "Bell", "Stone", "Wood", "Field", "Marsh", "Little",
         "Long", "Black", "White", "Brown", "Miller", "Rivers", "Lane", "Banks", "Page", "Love", "Sharp", "Gates",
         "Hunt", "Day", "Fox")),
}
ORIGINS = ("local", *ORIGIN_NAMES)

# Titles per language: (male, female, neutral). A title's words are never counted as a leak.
TITLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "en": (("Mr", "Mr."), ("Ms", "Ms.", "Mrs", "Mrs.", "Miss"), ("Dr.", "Dr", "Prof.")),
    "de": (("Herr", "Hr."), ("Frau", "Fr."), ("Dr.", "Prof.", "Prof. Dr.")),
    "fr": (("M.", "Monsieur"), ("Mme", "Mme.", "Madame"), ("Dr", "Dr.", "Pr", "Maître")),
    "es": (("Sr.", "Señor", "D."), ("Sra.", "Señora", "Dña."), ("Dr.", "Dra.", "Lic.")),
    "it": (("Sig.", "Signor"), ("Sig.ra", "Signora"), ("Dott.", "Dott.ssa", "Ing.", "Avv.", "Prof.")),
    "nl": (("Dhr.", "meneer", "de heer"), ("Mevr.", "mevrouw"), ("dr.", "Dr.", "prof.", "ir.", "mr.")),
}
TITLE_WORDS = {w.lower().rstrip(".") for by_lang in TITLES.values() for group in by_lang for t in group
               for w in t.split()}

PARTICLE_SURNAMES = {
    "en": ("de Souza", "van Dyke", "De Luca", "le Roux", "von Trapp"),
    "de": ("von Bülow", "von Stein", "von der Heide", "von Arnim", "zu Solms", "vom Bruch", "von Hagen"),
    "fr": ("de la Fontaine", "de Villiers", "du Pont", "de Montigny", "Le Goff", "de la Tour", "des Essarts"),
    "es": ("de la Cruz", "del Río", "de los Santos", "de la Vega", "del Valle", "de Castro", "de las Heras"),
    "it": ("di Stefano", "De Luca", "Della Rovere", "Lo Bianco", "De Santis", "Di Pietro", "La Rosa", "Del Piero"),
    "nl": ("van der Berg", "van Dijk", "de Vries", "van den Broek", "van Leeuwen", "de Jong", "van der Meer",
           "ter Horst", "van Beek", "de Boer", "van 't Hof", "in 't Veld"),
}
PARTICLES = {"van", "der", "den", "de", "la", "von", "zu", "vom", "du", "le", "des", "del", "los", "las", "di",
             "della", "lo", "ter", "'t", "in", "el", "al", "ben"}
APOSTROPHE_SURNAMES = {
    "en": ("O'Brien", "O'Connor", "O'Neill", "O'Sullivan", "D'Souza", "O'Hara"),
    "de": ("O'Brien", "D'Angelo", "O'Donnell"),
    "fr": ("d'Arcy", "D'Amour", "N'Diaye", "d'Estaing", "L'Herbier"),
    "es": ("D'Alessandro", "O'Donnell", "D'Ocon"),
    "it": ("D'Angelo", "D'Amico", "D'Alessandro", "Dell'Orto", "D'Onofrio", "Dell'Acqua"),
    "nl": ("O'Brien", "D'Hondt", "D'Haene"),
}
NICKNAMES = {
    "en": ("Bob", "Liz", "Kate", "Mike", "Jim", "Tom", "Dan", "Sam", "Becky", "Jenny", "Chris", "Rob", "Meg", "Andy"),
    "de": ("Kathi", "Steffi", "Flo", "Basti", "Uli", "Andi", "Susi", "Gabi", "Toni", "Micha", "Jule", "Lenny"),
    "fr": ("Manu", "Fred", "Seb", "Béa", "Domi", "Nico", "Steph", "Val", "Alex", "Juju", "Titou", "Cloclo"),
    "es": ("Paco", "Pepe", "Nacho", "Lola", "Quique", "Charo", "Maite", "Chema", "Lupe", "Fer", "Manolo", "Pili"),
    "it": ("Beppe", "Gigi", "Pino", "Franci", "Vale", "Ale", "Fede", "Robi", "Teo", "Cate", "Betta", "Toto"),
    "nl": ("Jos", "Bart", "Kees", "Joop", "Sjaak", "Mieke", "Ineke", "Truus", "Wim", "Jopie", "Hennie", "Ria"),
}
ACCENTED_FALLBACK = (("Jürgen", "Müller"), ("Hélène", "Lefèvre"), ("José", "Núñez"), ("Björn", "Schäfer"),
                     ("Françoise", "Bérard"), ("Zoë", "Gößling"), ("Niccolò", "Forlì"), ("Inés", "Peñalver"))

FORMS = ("full", "title_surname", "title_full", "initial_surname", "given_initial", "surname_comma_given",
         "caps_surname_given", "lowercase", "allcaps", "hyphen_given", "hyphen_surname", "two_surnames", "particle",
         "apostrophe", "stripped", "nickname", "given_only")
FORM_WEIGHTS = {"full": 6, "title_surname": 2, "title_full": 2, "given_only": 2}
LIST_FORMS = ("list_full", "list_given", "list_mixed")

# ---------------------------------------------------------------------------------------------------------------------
# Templates. A PERSON template: (lang, category, property key, cue, text with {N}, or {N1} {N2} [{N3}] for a list).
# `cue` is True when a word next to the name says a person is meant (greeting, role, verb of contact, title slot).

P = tuple[str, str, str, bool, str]
PERSON_TEMPLATES: tuple[P, ...] = (
    # ---- English
    ("en", "ticket", "description", True, "Customer {N} reports that the invoice PDF is blank since Tuesday"),
    ("en", "ticket", "description", False, "{N} - cannot reset password, tried three times"),
    ("en", "ticket", "subject", True, "Re: refund request from {N} (order 48213)"),
    ("en", "crm", "note", True, "Spoke with {N} about renewal, wants a discount on 50 seats"),
    ("en", "crm", "note", False, "Renewal blocked until {N} signs off on the security review"),
    ("en", "chat", "message", True, "hi {N}, are you around for a quick call?"),
    ("en", "chat", "message", False, "ok so {N} said the build is green now"),
    ("en", "chat", "message", False, "thanks {N}!"),
    ("en", "email", "body", True, "Dear {N},\n\nplease find attached the signed contract."),
    ("en", "email", "body", True, "Best regards,\n{N}\nHead of Procurement"),
    ("en", "email", "subject", False, "Fwd: {N}'s travel expenses for March"),
    ("en", "calllog", "call_log", True, "Outbound call to {N}, no answer, left voicemail"),
    ("en", "calllog", "call_log", True, "Inbound call from {N} re. delivery date, promised callback by Friday"),
    ("en", "comment", "comment", False, "Agree with {N} here, the second option is cleaner."),
    ("en", "comment", "comment", False, "As {N} pointed out, the totals do not match the export."),
    ("en", "task", "task_title", True, "Send onboarding pack to {N}"),
    ("en", "task", "task_title", False, "Follow up: {N} / pricing sheet"),
    ("en", "calendar", "event_title", True, "1:1 with {N}"),
    ("en", "calendar", "event_title", False, "Lunch - {N}"),
    ("en", "calendar", "event_title", False, "Quarterly review ({N}, Finance)"),
    ("en", "commit", "commit_message", True, "Fix rounding in VAT report (reported by {N})"),
    ("en", "commit", "commit_message", True, "Merge pull request #412 from {N}/fix-login"),
    ("en", "audit", "audit_line", True, "user {N} changed role of workspace 'Sales EU' to admin"),
    ("en", "audit", "audit_line", False, "2024-03-11T09:14:02Z export started by {N} (312 rows)"),
    ("en", "notification", "notification", False, "{N} commented on your post"),
    ("en", "notification", "notification", False, "{N} invited you to the board \"Q3 launch\""),
    ("en", "title", "title", False, "{N} · Profile – Acme CRM"),
    ("en", "title", "title", False, "Conversation with {N} | Helpdesk"),
    ("en", "button", "$el_text", True, "Assign to {N}"),
    ("en", "button", "$el_text", False, "Message {N}"),
    ("en", "button", "$el_text", False, "View {N}'s profile"),
    ("en", "mention", "message", False, "@{N} can you take a look at this?"),
    ("en", "chat", "message", False, "\"{N}\" is on leave until the 14th, ask someone else"),
    ("en", "ticket", "description", True, "Escalated to {N1}, {N2} and {N3} in tier 2"),
    ("en", "calendar", "event_title", False, "Sync: {N1} / {N2}"),
    ("en", "crm", "note", True, "Decision makers: {N1} (CFO) and {N2} (CTO)"),
    # ---- German
    ("de", "ticket", "description", True, "Kunde {N} meldet, dass die Rechnung doppelt abgebucht wurde"),
    ("de", "ticket", "subject", False, "AW: Lieferverzug Auftrag 77812 - {N}"),
    ("de", "crm", "note", True, "Telefonat mit {N}: Angebot bis Ende der Woche nachreichen"),
    ("de", "crm", "note", False, "{N} ist neue Ansprechpartnerin für den Einkauf"),
    ("de", "chat", "message", True, "Hallo {N}, hast du kurz Zeit?"),
    ("de", "chat", "message", False, "laut {N} ist der Server wieder erreichbar"),
    ("de", "chat", "message", False, "danke dir {N} :)"),
    ("de", "email", "body", True, "Sehr geehrte(r) {N},\n\nvielen Dank für Ihre Anfrage."),
    ("de", "email", "body", True, "Mit freundlichen Grüßen\n{N}\nVertrieb Süd"),
    ("de", "email", "subject", False, "Urlaubsvertretung für {N} ab 12.08."),
    ("de", "calllog", "call_log", True, "Rückruf bei {N} wegen Kündigung, nicht erreicht"),
    ("de", "calllog", "call_log", True, "Anruf von {N}, möchte Termin verschieben"),
    ("de", "comment", "comment", False, "Sehe ich wie {N}, die Zahlen passen nicht zusammen."),
    ("de", "task", "task_title", True, "Vertrag an {N} schicken"),
    ("de", "task", "task_title", False, "{N}: Zugang zum Kundenportal einrichten"),
    ("de", "calendar", "event_title", True, "Abstimmung mit {N}"),
    ("de", "calendar", "event_title", False, "Mittagessen {N}"),
    ("de", "commit", "commit_message", True, "Behebt Absturz beim Import (gemeldet von {N})"),
    ("de", "audit", "audit_line", True, "Benutzer {N} hat das Passwort zurückgesetzt"),
    ("de", "notification", "notification", False, "{N} hat Sie in einem Kommentar erwähnt"),
    ("de", "notification", "notification", False, "Neue Nachricht von {N}"),
    ("de", "title", "title", False, "{N} – Kontakt – Acme CRM"),
    ("de", "title", "title", False, "Profil von {N} | Intranet"),
    ("de", "button", "$el_text", False, "Chat mit {N}"),
    ("de", "button", "$el_text", True, "{N} zuweisen"),
    ("de", "button", "$el_text", False, "Nachricht an {N}"),
    ("de", "mention", "message", False, "@{N} bitte einmal drüberschauen"),
    ("de", "crm", "note", False, "Die Unterlagen hat {N} gestern per Post geschickt"),
    ("de", "chat", "message", False, "War das nicht {N}s Idee?"),
    ("de", "ticket", "description", True, "Weitergeleitet an {N1} und {N2} (2nd Level)"),
    ("de", "calendar", "event_title", False, "Jour fixe {N1}, {N2}, {N3}"),
    # ---- French
    ("fr", "ticket", "description", True, "Le client {N} signale que la facture est introuvable"),
    ("fr", "ticket", "subject", False, "RE: remboursement commande 55120 - {N}"),
    ("fr", "crm", "note", True, "Échange avec {N} : souhaite une démo la semaine prochaine"),
    ("fr", "crm", "note", False, "{N} remplace l'ancien contact côté achats"),
    ("fr", "chat", "message", True, "Bonjour {N}, tu as deux minutes ?"),
    ("fr", "chat", "message", False, "d'après {N} le déploiement est terminé"),
    ("fr", "chat", "message", False, "merci {N} !"),
    ("fr", "email", "body", True, "Chère {N},\n\nveuillez trouver ci-joint le devis."),
    ("fr", "email", "body", True, "Cordialement,\n{N}\nService client"),
    ("fr", "email", "subject", False, "Absence de {N} du 3 au 10 mai"),
    ("fr", "calllog", "call_log", True, "Appel sortant vers {N}, messagerie, rappeler demain"),
    ("fr", "calllog", "call_log", True, "Appel entrant de {N} concernant la livraison"),
    ("fr", "comment", "comment", False, "Je suis d'accord avec {N}, la deuxième version est meilleure."),
    ("fr", "task", "task_title", True, "Envoyer le contrat à {N}"),
    ("fr", "task", "task_title", False, "Relancer {N} pour le bon de commande"),
    ("fr", "calendar", "event_title", True, "Point hebdo avec {N}"),
    ("fr", "calendar", "event_title", False, "Déjeuner {N}"),
    ("fr", "commit", "commit_message", True, "Corrige l'arrondi de la TVA (signalé par {N})"),
    ("fr", "audit", "audit_line", True, "l'utilisateur {N} a supprimé le rapport « Ventes T2 »"),
    ("fr", "notification", "notification", False, "{N} a commenté votre publication"),
    ("fr", "notification", "notification", False, "Nouveau message de {N}"),
    ("fr", "title", "title", False, "{N} · Fiche contact – Acme CRM"),
    ("fr", "title", "title", False, "Profil de {N} - Intranet"),
    ("fr", "button", "$el_text", False, "Discuter avec {N}"),
    ("fr", "button", "$el_text", True, "Attribuer à {N}"),
    ("fr", "mention", "message", False, "@{N} tu peux valider ?"),
    ("fr", "crm", "note", False, "Dossier suivi par {N} depuis janvier"),
    ("fr", "chat", "message", False, "c'est « {N} » qui a la clé du local"),
    ("fr", "ticket", "description", True, "Transféré à {N1}, {N2} et {N3}"),
    ("fr", "calendar", "event_title", False, "Réunion {N1} / {N2}"),
    # ---- Spanish
    ("es", "ticket", "description", True, "El cliente {N} indica que no recibió el pedido"),
    ("es", "ticket", "subject", False, "RE: devolución pedido 90211 - {N}"),
    ("es", "crm", "note", True, "Llamada con {N}: quiere ampliar el contrato a 20 licencias"),
    ("es", "crm", "note", False, "{N} es la nueva responsable de compras"),
    ("es", "chat", "message", True, "Hola {N}, ¿tienes un momento?"),
    ("es", "chat", "message", False, "según {N} ya funciona el acceso"),
    ("es", "chat", "message", False, "¡gracias {N}!"),
    ("es", "email", "body", True, "Estimado {N}:\n\nle adjunto la factura del mes."),
    ("es", "email", "body", True, "Un saludo,\n{N}\nAtención al cliente"),
    ("es", "email", "subject", False, "Vacaciones de {N} del 1 al 15 de agosto"),
    ("es", "calllog", "call_log", True, "Llamada saliente a {N}, no contesta"),
    ("es", "calllog", "call_log", True, "Llamada entrante de {N} por un cargo duplicado"),
    ("es", "comment", "comment", False, "Coincido con {N}, la segunda opción es mejor."),
    ("es", "task", "task_title", True, "Enviar presupuesto a {N}"),
    ("es", "task", "task_title", False, "Revisar contrato {N}"),
    ("es", "calendar", "event_title", True, "Reunión con {N}"),
    ("es", "calendar", "event_title", False, "Comida {N}"),
    ("es", "commit", "commit_message", True, "Corrige el cálculo del IVA (reportado por {N})"),
    ("es", "audit", "audit_line", True, "el usuario {N} exportó 1.204 registros"),
    ("es", "notification", "notification", False, "{N} comentó tu publicación"),
    ("es", "notification", "notification", False, "Nuevo mensaje de {N}"),
    ("es", "title", "title", False, "{N} · Perfil – Acme CRM"),
    ("es", "title", "title", False, "Ficha de {N} | Intranet"),
    ("es", "button", "$el_text", False, "Chatear con {N}"),
    ("es", "button", "$el_text", True, "Asignar a {N}"),
    ("es", "mention", "message", False, "@{N} ¿puedes revisarlo?"),
    ("es", "crm", "note", False, "Cuenta gestionada por {N} desde 2022"),
    ("es", "ticket", "description", True, "Escalado a {N1} y {N2}"),
    ("es", "calendar", "event_title", False, "Seguimiento {N1}, {N2} y {N3}"),
    # ---- Italian
    ("it", "ticket", "description", True, "Il cliente {N} segnala che la fattura non è arrivata"),
    ("it", "ticket", "subject", False, "R: reso ordine 31877 - {N}"),
    ("it", "crm", "note", True, "Sentito {N} al telefono: vuole un'offerta entro venerdì"),
    ("it", "crm", "note", False, "{N} è il nuovo referente per gli acquisti"),
    ("it", "chat", "message", True, "Ciao {N}, hai un minuto?"),
    ("it", "chat", "message", False, "secondo {N} il server è di nuovo su"),
    ("it", "chat", "message", False, "grazie mille {N}!"),
    ("it", "email", "body", True, "Gentile {N},\n\nin allegato il preventivo richiesto."),
    ("it", "email", "body", True, "Cordiali saluti,\n{N}\nUfficio commerciale"),
    ("it", "email", "subject", False, "Ferie di {N} dal 5 al 19 agosto"),
    ("it", "calllog", "call_log", True, "Chiamata in uscita a {N}, segreteria"),
    ("it", "calllog", "call_log", True, "Chiamata in entrata da {N} per il rinnovo"),
    ("it", "comment", "comment", False, "Sono d'accordo con {N}, meglio la seconda."),
    ("it", "task", "task_title", True, "Inviare il contratto a {N}"),
    ("it", "task", "task_title", False, "Sollecitare {N} per il pagamento"),
    ("it", "calendar", "event_title", True, "Riunione con {N}"),
    ("it", "calendar", "event_title", False, "Pranzo {N}"),
    ("it", "commit", "commit_message", True, "Corregge l'arrotondamento IVA (segnalato da {N})"),
    ("it", "audit", "audit_line", True, "l'utente {N} ha modificato i permessi del progetto"),
    ("it", "notification", "notification", False, "{N} ha commentato il tuo post"),
    ("it", "notification", "notification", False, "Nuovo messaggio da {N}"),
    ("it", "title", "title", False, "{N} · Scheda contatto – Acme CRM"),
    ("it", "button", "$el_text", False, "Scrivi a {N}"),
    ("it", "button", "$el_text", True, "Assegna a {N}"),
    ("it", "mention", "message", False, "@{N} puoi dare un'occhiata?"),
    ("it", "crm", "note", False, "Pratica seguita da {N} fino a marzo"),
    ("it", "ticket", "description", True, "Inoltrato a {N1}, {N2} e {N3}"),
    ("it", "calendar", "event_title", False, "Allineamento {N1} / {N2}"),
    # ---- Dutch
    ("nl", "ticket", "description", True, "Klant {N} meldt dat de factuur twee keer is afgeschreven"),
    ("nl", "ticket", "subject", False, "RE: retour bestelling 66120 - {N}"),
    ("nl", "crm", "note", True, "Gebeld met {N}: wil een offerte voor 30 licenties"),
    ("nl", "crm", "note", False, "{N} is de nieuwe contactpersoon bij inkoop"),
    ("nl", "chat", "message", True, "Hoi {N}, heb je even?"),
    ("nl", "chat", "message", False, "volgens {N} werkt de koppeling weer"),
    ("nl", "chat", "message", False, "bedankt {N}!"),
    ("nl", "email", "body", True, "Beste {N},\n\nin de bijlage vindt u de offerte."),
    ("nl", "email", "body", True, "Met vriendelijke groet,\n{N}\nKlantenservice"),
    ("nl", "email", "subject", False, "Vakantie {N} van 8 t/m 22 juli"),
    ("nl", "calllog", "call_log", True, "Uitgaand gesprek met {N}, voicemail ingesproken"),
    ("nl", "calllog", "call_log", True, "Inkomend gesprek van {N} over de levering"),
    ("nl", "comment", "comment", False, "Eens met {N}, de tweede optie is beter."),
    ("nl", "task", "task_title", True, "Contract naar {N} sturen"),
    ("nl", "task", "task_title", False, "{N} herinneren aan de betaling"),
    ("nl", "calendar", "event_title", True, "Overleg met {N}"),
    ("nl", "calendar", "event_title", False, "Lunch {N}"),
    ("nl", "commit", "commit_message", True, "Herstel afronding btw (gemeld door {N})"),
    ("nl", "audit", "audit_line", True, "gebruiker {N} heeft de export gestart"),
    ("nl", "notification", "notification", False, "{N} heeft gereageerd op je bericht"),
    ("nl", "notification", "notification", False, "Nieuw bericht van {N}"),
    ("nl", "title", "title", False, "{N} · Profiel – Acme CRM"),
    ("nl", "button", "$el_text", False, "Chat met {N}"),
    ("nl", "button", "$el_text", True, "Toewijzen aan {N}"),
    ("nl", "mention", "message", False, "@{N} kun je hier even naar kijken?"),
    ("nl", "crm", "note", False, "Dossier loopt via {N} sinds januari"),
    ("nl", "chat", "message", False, "Is dat {N}'s laptop?"),
    ("nl", "ticket", "description", True, "Doorgezet naar {N1} en {N2}"),
    ("nl", "calendar", "event_title", False, "Overleg {N1}, {N2}, {N3}"),
    # ---- more shapes, all languages: labels before the name, lists of fields, chat-app events
    ("en", "task", "task_title", True, "Owner: {N}"),
    ("en", "ticket", "description", True, "Assignee: {N} | Priority: high | Status: open"),
    ("en", "email", "body", True, "cc: {N}; finance@example.invalid"),
    ("en", "audit", "audit_line", True, "Approved by {N} on 2024-05-02"),
    ("en", "notification", "notification", False, "{N} joined #general"),
    ("en", "ticket", "subject", False, "[ACME-1123] {N} cannot log in after SSO change"),
    ("en", "button", "$el_text", True, "Reply to {N}"),
    ("en", "button", "$el_text", False, "Call {N}"),
    ("en", "comment", "comment", False, "LGTM, but let's wait for {N}'s review"),
    ("en", "chat", "message", False, "is {N} in the office today or remote?"),
    ("en", "crm", "note", False, "Intro via {N}, who used to work at their London office"),
    ("en", "calendar", "event_title", False, "Interview: {N} (Senior Backend)"),
    ("en", "chat", "message", True, "sorry, wrong chat, meant to send this to {N}"),
    ("de", "task", "task_title", True, "Verantwortlich: {N}"),
    ("de", "audit", "audit_line", True, "Freigegeben von {N} am 02.05.2024"),
    ("de", "notification", "notification", False, "{N} ist dem Kanal #vertrieb beigetreten"),
    ("de", "calendar", "event_title", False, "Vorstellungsgespräch {N} (Werkstudent)"),
    ("de", "comment", "comment", False, "Bitte noch auf das Feedback von {N} warten"),
    ("de", "button", "$el_text", False, "{N} anrufen"),
    ("fr", "task", "task_title", True, "Responsable : {N}"),
    ("fr", "audit", "audit_line", True, "Validé par {N} le 02/05/2024"),
    ("fr", "notification", "notification", False, "{N} a rejoint #general"),
    ("fr", "calendar", "event_title", False, "Entretien {N} (stage marketing)"),
    ("fr", "button", "$el_text", False, "Appeler {N}"),
    ("es", "task", "task_title", True, "Responsable: {N}"),
    ("es", "audit", "audit_line", True, "Aprobado por {N} el 02/05/2024"),
    ("es", "notification", "notification", False, "{N} se ha unido a #general"),
    ("es", "calendar", "event_title", False, "Entrevista {N} (prácticas)"),
    ("es", "button", "$el_text", False, "Llamar a {N}"),
    ("it", "task", "task_title", True, "Responsabile: {N}"),
    ("it", "audit", "audit_line", True, "Approvato da {N} il 02/05/2024"),
    ("it", "notification", "notification", False, "{N} si è unito a #general"),
    ("it", "calendar", "event_title", False, "Colloquio {N} (stage)"),
    ("it", "email", "body", True, "Buongiorno {N},\n\nle scrivo per il rinnovo."),
    ("nl", "task", "task_title", True, "Eigenaar: {N}"),
    ("nl", "audit", "audit_line", True, "Goedgekeurd door {N} op 02-05-2024"),
    ("nl", "notification", "notification", False, "{N} is lid geworden van #algemeen"),
    ("nl", "calendar", "event_title", False, "Sollicitatiegesprek {N} (stage)"),
    ("nl", "button", "$el_text", False, "Bel {N}"),
    # ---- quoted, bracketed, after a comma
    ("en", "audit", "audit_line", False, "Contact \"{N}\" created from web form"),
    ("en", "crm", "note", False, "Budget approved last week ({N})"),
    ("en", "chat", "message", False, "[{N}] please check the March numbers"),
    ("en", "chat", "message", False, "ok, {N} will send the deck tonight"),
    ("en", "email", "body", False, "Thanks for the quick reply, {N}."),
    ("de", "audit", "audit_line", False, "Kontakt „{N}“ angelegt"),
    ("de", "crm", "note", False, "Angebot geht raus (z. Hd. {N})"),
    ("de", "chat", "message", False, "alles klar, {N} kümmert sich drum"),
    ("fr", "audit", "audit_line", False, "Contact « {N} » créé depuis le formulaire"),
    ("fr", "chat", "message", False, "ok, {N} s'en occupe demain"),
    ("es", "audit", "audit_line", False, "Contacto \"{N}\" creado desde el formulario"),
    ("es", "chat", "message", False, "vale, {N} lo mira mañana"),
    ("it", "audit", "audit_line", False, "Contatto “{N}” creato dal modulo web"),
    ("it", "chat", "message", False, "ok, {N} ci pensa domani"),
    ("nl", "audit", "audit_line", False, "Contact '{N}' aangemaakt via webformulier"),
    ("nl", "chat", "message", False, "prima, {N} pakt het morgen op"),
)

# A BENIGN template: (lang, category, property key, class, text with {X}); {X} is filled from the class's list.
# A text without {X} is used as it is.
B = tuple[str, str, str, str, str]
BENIGN_FILLERS: dict[str, tuple[str, ...]] = {
    "brand_word": ("Apple Pay", "Google Sheets", "Microsoft Teams", "Google Drive", "Amazon Prime", "Adobe Acrobat",
                   "Visual Studio Code", "Stripe Checkout", "Shopify Plus", "Zoom Rooms", "Dropbox Paper",
                   "Samsung Galaxy", "Apple Watch", "Google Maps", "PayPal Here", "Slack Connect"),
    "brand_personname": ("Porsche Design", "Hugo Boss", "Jack Daniels", "Ben & Jerry's", "Dr. Oetker",
                         "Tommy Hilfiger", "Ralph Lauren", "Calvin Klein", "Louis Vuitton", "Giorgio Armani",
                         "Johnnie Walker", "Captain Morgan", "Uncle Ben's", "Mrs. Fields"),
    "company": ("Deutsche Bahn", "Telefónica", "Carrefour", "Banco Santander", "Rabobank", "Mercadona",
                "Deutsche Telekom", "Société Générale", "Intesa Sanpaolo", "Vodafone Italia", "KLM Royal Dutch",
                "Air France", "Iberia Express", "Poste Italiane", "Crédit Agricole"),
    "company_personname": ("Albert Heijn", "John Lewis", "Marks & Spencer", "Ernst & Young", "Procter & Gamble",
                           "Johnson & Johnson", "Rolls-Royce", "Harley-Davidson", "Mercedes-Benz", "Alfa Romeo"),
    "place": ("San Francisco", "Santa Monica", "Los Angeles", "San Sebastián", "Saint-Louis", "Sainte-Marie",
              "Santa Cruz", "St. Gallen", "Den Haag", "Frankfurt am Main", "Santiago de Compostela",
              "Mont-Saint-Michel", "San Marino", "Victoria", "Sankt Pölten", "Le Havre", "Reggio Emilia"),
    "place_personname": ("Victoria Station", "Van Gogh Museum", "Anne Frank Huis", "Goethe-Institut",
                         "Santiago Bernabéu", "Rembrandtplein", "Museo Picasso", "Albert Hall", "Gare Saint-Lazare"),
    "airport_personname": ("Charles de Gaulle", "Leonardo da Vinci", "Marco Polo", "John Lennon Airport",
                           "Franz Josef Strauß", "Adolfo Suárez Barajas", "Galileo Galilei", "JFK"),
    "fashion_personname": ("Hugo Boss", "Calvin Klein", "Ralph Lauren", "Giorgio Armani", "Tommy Hilfiger",
                           "Jean Paul Gaultier", "Yves Saint Laurent", "Karl Lagerfeld", "Porsche Design"),
    "street": ("Baker Street", "Oxford Street", "Kurfürstendamm", "Friedrichstraße", "Rue de Rivoli",
               "Gran Vía", "Via Roma", "Kalverstraat", "Champs-Élysées", "Abbey Road", "Calle Mayor",
               "Via del Corso", "Damrak", "Königsallee"),
    "street_personname": ("Avenue Victor Hugo", "Karl-Marx-Allee", "Via Giuseppe Garibaldi", "Rue Jean Jaurès",
                          "Calle de Alfonso XII", "Willemsparkweg", "Goethestraße", "Boulevard Saint-Germain"),
    "place_givenname": ("Florence", "Charlotte", "Austin", "Georgia", "Virginia", "Chelsea", "Adelaide",
                        "Lincoln", "Savannah", "Jordan", "Victoria", "Paris", "Sofia", "Lourdes", "Valencia"),
    "software": ("Jenkins", "Jackson", "Hudson", "Django", "Sidekiq", "Mockito", "Jest", "Sentry", "Grafana",
                 "Kafka", "Cassandra", "Hadoop", "Ansible", "Pandas"),
    "color": ("Rose Gold", "Space Gray", "Midnight Blue", "Forest Green", "Ivory White", "Jet Black", "Sky Blue",
              "Olive Green"),
    "promo": ("Summer Sale", "Black Friday", "Cyber Monday", "Happy Hour", "Gold Plan", "Early Bird", "Prime Day"),
}
# Months and days, in the template's language.
MONTHS_DAYS = {
    "en": ("May", "June", "April", "August", "July", "Monday", "Friday", "Sunday"),
    "de": ("Mai", "Juni", "Juli", "August", "April", "Montag", "Freitag", "Sonntag"),
    "fr": ("mai", "juin", "avril", "août", "Mai", "Juin", "Avril", "lundi", "vendredi"),
    "es": ("mayo", "junio", "abril", "agosto", "Mayo", "Junio", "lunes", "sábado"),
    "it": ("maggio", "giugno", "aprile", "agosto", "Maggio", "Giugno", "lunedì", "sabato"),
    "nl": ("mei", "juni", "april", "augustus", "Mei", "Juni", "Augustus", "maandag", "vrijdag"),
}
BENIGN_TEMPLATES: tuple[B, ...] = (
    # ---- English
    ("en", "ticket", "description", "brand_word", "Payment with {X} fails at the last step"),
    ("en", "chat", "message", "brand_word", "can you share the {X} link again?"),
    ("en", "task", "task_title", "brand_word", "Migrate reports to {X}"),
    ("en", "crm", "note", "company", "Competitor: {X}, pricing 20% lower"),
    ("en", "crm", "note", "company_personname", "Lost the deal to {X} procurement"),
    ("en", "calendar", "event_title", "place", "Offsite - {X} office"),
    ("en", "calendar", "event_title", "place_personname", "Meet at {X}, 9:30"),
    ("en", "ticket", "description", "street", "Courier could not find the {X} entrance"),
    ("en", "title", "title", "color", "iPhone 15 Pro {X} · Shop"),
    ("en", "title", "title", "brand_personname", "{X} Gift Sets | Official Store"),
    ("en", "notification", "notification", "month_day", "Your invoice for {X} is ready"),
    ("en", "button", "$el_text", "ui", "Mark as read"),
    ("en", "button", "$el_text", "ui", "Will call pickup"),
    ("en", "ticket", "description", "ui", "Grace period ends in 3 days"),
    ("en", "button", "$el_text", "ui", "Bill to a different address"),
    ("en", "button", "$el_text", "ui", "Add to Cart"),
    ("en", "button", "$el_text", "ui", "Sign In with Google"),
    ("en", "title", "title", "ui", "Summer Collection – New Arrivals"),
    ("en", "commit", "commit_message", "ui", "Bump Jackson to 2.17 and drop Joda Time"),
    ("en", "audit", "audit_line", "ui", "API key rotated by service account deploy-bot"),
    ("en", "email", "subject", "ui", "Happy New Year from the Acme team"),
    # ---- German
    ("de", "ticket", "description", "brand_word", "Zahlung mit {X} bricht ab"),
    ("de", "chat", "message", "brand_word", "schick mir bitte den {X} Link"),
    ("de", "crm", "note", "company", "Wettbewerber {X} bietet 15 % Rabatt"),
    ("de", "crm", "note", "company_personname", "Rahmenvertrag mit {X} läuft aus"),
    ("de", "calendar", "event_title", "place", "Workshop {X}"),
    ("de", "ticket", "description", "street", "Lieferung an die Filiale {X} verspätet"),
    ("de", "title", "title", "color", "Jacke {X} – Größe M · Shop"),
    ("de", "notification", "notification", "month_day", "Ihre Rechnung für {X} ist da"),
    ("de", "button", "$el_text", "ui", "Als gelesen markieren"),
    ("de", "button", "$el_text", "ui", "In den Warenkorb"),
    ("de", "title", "title", "ui", "Sommer Schlussverkauf – Damen"),
    ("de", "calendar", "event_title", "place_personname", "Treffpunkt {X}"),
    ("de", "email", "subject", "ui", "Frohe Ostern und schöne Feiertage"),
    # ---- French
    ("fr", "ticket", "description", "brand_word", "Le paiement par {X} échoue"),
    ("fr", "chat", "message", "brand_word", "tu peux partager le lien {X} ?"),
    ("fr", "crm", "note", "company", "Concurrent : {X}"),
    ("fr", "calendar", "event_title", "place", "Séminaire à {X}"),
    ("fr", "ticket", "description", "street_personname", "Livraison au magasin {X} en retard"),
    ("fr", "title", "title", "fashion_personname", "Parfums {X} · Boutique officielle"),
    ("fr", "notification", "notification", "month_day", "Votre facture de {X} est disponible"),
    ("fr", "button", "$el_text", "ui", "Marquer comme lu"),
    ("fr", "button", "$el_text", "ui", "Ajouter au panier"),
    ("fr", "title", "title", "ui", "Soldes d'été – Nouveautés"),
    ("fr", "calendar", "event_title", "place_personname", "Rendez-vous {X}"),
    # ---- Spanish
    ("es", "ticket", "description", "brand_word", "El pago con {X} no se completa"),
    ("es", "crm", "note", "company", "Competidor: {X}"),
    ("es", "calendar", "event_title", "place", "Viaje a {X}"),
    ("es", "ticket", "description", "street", "El mensajero no encuentra la tienda de {X}"),
    ("es", "title", "title", "color", "Carcasa {X} · Tienda"),
    ("es", "title", "title", "word_givenname", "Funda de silicona · Tienda"),
    ("es", "notification", "notification", "month_day", "Tu factura de {X} ya está disponible"),
    ("es", "button", "$el_text", "ui", "Marcar como leído"),
    ("es", "button", "$el_text", "ui", "Añadir a la cesta"),
    ("es", "crm", "note", "company_personname", "Cliente anterior de {X}"),
    ("es", "title", "title", "ui", "Rebajas de verano – Mujer"),
    # ---- Italian
    ("it", "ticket", "description", "brand_word", "Il pagamento con {X} non va a buon fine"),
    ("it", "crm", "note", "company", "Concorrente: {X}"),
    ("it", "calendar", "event_title", "place", "Trasferta a {X}"),
    ("it", "ticket", "description", "street_personname", "Consegna al negozio di {X} in ritardo"),
    ("it", "title", "title", "fashion_personname", "Occhiali {X} · Negozio ufficiale"),
    ("it", "notification", "notification", "month_day", "La fattura di {X} è disponibile"),
    ("it", "button", "$el_text", "ui", "Segna come letto"),
    ("it", "button", "$el_text", "ui", "Aggiungi al carrello"),
    ("it", "calendar", "event_title", "airport_personname", "Volo da {X}"),
    # ---- Dutch
    ("nl", "ticket", "description", "brand_word", "Betalen met {X} lukt niet"),
    ("nl", "crm", "note", "company", "Concurrent: {X}"),
    ("nl", "crm", "note", "company_personname", "Leverancier: {X}"),
    ("nl", "calendar", "event_title", "place", "Heidag in {X}"),
    ("nl", "ticket", "description", "street", "Bezorging aan de winkel op de {X} vertraagd"),
    ("nl", "title", "title", "color", "Hoesje {X} · Webshop"),
    ("nl", "notification", "notification", "month_day", "Je factuur van {X} staat klaar"),
    ("nl", "button", "$el_text", "ui", "Markeren als gelezen"),
    ("nl", "button", "$el_text", "ui", "In winkelwagen"),
    ("nl", "calendar", "event_title", "place_personname", "Borrel bij het {X}"),
    # ---- look-alikes whose words are given names, places named like people, software named like people
    ("en", "calendar", "event_title", "place_givenname", "Flight to {X}, gate B12"),
    ("en", "crm", "note", "place_givenname", "Our {X} team will handle the rollout"),
    ("en", "ticket", "description", "software", "{X} build #512 failed on main"),
    ("en", "commit", "commit_message", "software", "Upgrade {X} and pin the test runner"),
    ("en", "chat", "message", "word_givenname", "Will you join the call at 3?"),
    ("en", "task", "task_title", "word_givenname", "Mark the invoice as paid"),
    ("en", "task", "task_title", "word_givenname", "Bill the customer for March"),
    ("en", "email", "body", "word_givenname", "Hope you are well. Frank feedback welcome."),
    ("en", "notification", "notification", "word_givenname", "Joy! Your order has shipped"),
    ("en", "title", "title", "word_givenname", "Rich Text Editor – Docs"),
    ("de", "calendar", "event_title", "place_givenname", "Messe in {X}"),
    ("de", "ticket", "description", "software", "{X}-Job bricht nach dem Update ab"),
    ("de", "button", "$el_text", "word_givenname", "Mehr erfahren"),
    ("fr", "calendar", "event_title", "place_givenname", "Vol pour {X}"),
    ("fr", "ticket", "description", "software", "Le job {X} échoue depuis la mise à jour"),
    ("fr", "title", "title", "word_givenname", "Prix en baisse – Offres du jour"),
    ("es", "calendar", "event_title", "place_givenname", "Vuelo a {X}"),
    ("es", "ticket", "description", "software", "El pipeline de {X} falla desde ayer"),
    ("es", "title", "title", "word_givenname", "Rosa palo – Vestidos"),
    ("it", "crm", "note", "place_givenname", "Il team di {X} gestisce il rollout"),
    ("it", "ticket", "description", "software", "Il job {X} fallisce dopo l'aggiornamento"),
    ("it", "title", "title", "word_givenname", "Vestito Rosa Cipria – Saldi estivi"),
    ("nl", "calendar", "event_title", "place_givenname", "Vlucht naar {X}"),
    ("nl", "ticket", "description", "software", "{X} build faalt sinds de update"),
    ("nl", "button", "$el_text", "word_givenname", "Bekijk alle aanbiedingen"),
    ("en", "notification", "notification", "promo", "{X} starts Friday: up to 50% off"),
    ("de", "notification", "notification", "promo", "{X}: bis zu 50 % Rabatt"),
    ("fr", "title", "title", "promo", "{X} – jusqu'à -50 %"),
    ("es", "title", "title", "promo", "{X}: hasta un 50 % de descuento"),
    ("it", "notification", "notification", "promo", "{X}: sconti fino al 50%"),
    ("nl", "title", "title", "promo", "{X} – tot 50% korting"),
    ("en", "calendar", "event_title", "airport_personname", "Layover at {X}, 2h"),
    ("de", "calendar", "event_title", "airport_personname", "Abflug {X} 07:15"),
    ("fr", "calendar", "event_title", "airport_personname", "Vol depuis {X}, terminal 2"),
    ("es", "calendar", "event_title", "airport_personname", "Salida desde {X}"),
    ("nl", "calendar", "event_title", "airport_personname", "Vlucht vanaf {X}"),
    ("en", "title", "title", "fashion_personname", "{X} Sunglasses – Outlet"),
    ("de", "title", "title", "fashion_personname", "{X} Herrenuhren · Online-Shop"),
    ("es", "title", "title", "fashion_personname", "Perfumes {X} · Tienda oficial"),
    ("nl", "title", "title", "fashion_personname", "{X} parfum · Webshop"),
)


# ---------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    kind: str                      # "PERSON" or "BENIGN"
    key: str                       # the property's key
    value: str
    labels: dict[str, str]         # class labels: form, position, cue, lang, origin, category (BENIGN: class, lang..)
    forms: tuple[str, ...] = ()    # PERSON: what must not survive (name as written, its words of 3+ letters)


@dataclass
class Result:
    case: Case
    out: str | None
    failed: bool                   # PERSON: leaked; BENIGN: changed
    survivors: tuple[str, ...] = field(default=())


def _strip_accents(text: str) -> str:
    text = text.replace("ß", "ss").replace("ł", "l").replace("Ł", "L").replace("ı", "i").replace("İ", "I")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@dataclass(frozen=True)
class _Person:
    given: str
    surname: str
    female: bool
    origin: str


class _Names:
    """People by language and origin, from Faker (local names) and the lists above (other origins)."""

    def __init__(self, seed: int) -> None:
        from faker import Faker
        self.rng = random.Random(seed * 7919 + 1)
        self.fakers = {}
        for i, loc in enumerate(sorted({loc for locs in FAKER_LOCALES.values() for loc in locs})):
            fk = Faker(loc)
            fk.seed_instance(seed * 101 + i)
            self.fakers[loc] = fk

    def person(self, lang: str, origin: str, female: bool | None = None) -> _Person:
        female = self.rng.random() < 0.5 if female is None else female
        if origin == "local":
            fk = self.fakers[self.rng.choice(FAKER_LOCALES[lang])]
            given = fk.first_name_female() if female else fk.first_name_male()
            return _Person(given, fk.last_name(), female, origin)
        givens, surnames = ORIGIN_NAMES[origin]
        return _Person(self.rng.choice(givens), self.rng.choice(surnames), female, origin)

    def given(self, lang: str, origin: str, female: bool) -> str:
        return self.person(lang, origin, female).given


def _title(rng: random.Random, lang: str, female: bool) -> str:
    male, fem, neutral = TITLES[lang]
    return rng.choice(neutral) if rng.random() < 0.3 else rng.choice(fem if female else male)


def _render(form: str, p: _Person, lang: str, names: _Names) -> str:
    rng = names.rng
    g, s = p.given, p.surname
    if form == "full":
        return f"{g} {s}"
    if form == "title_surname":
        return f"{_title(rng, lang, p.female)} {s}"
    if form == "title_full":
        return f"{_title(rng, lang, p.female)} {g} {s}"
    if form == "initial_surname":
        return f"{g[0]}. {s}"
    if form == "given_initial":
        return f"{g} {s[0]}."
    if form == "surname_comma_given":
        return f"{s}, {g}"
    if form == "caps_surname_given":
        return f"{s.upper()} {g}"
    if form == "lowercase":
        return f"{g} {s}".lower()
    if form == "allcaps":
        return f"{g} {s}".upper()
    if form == "hyphen_given":
        other = names.given(lang, p.origin, p.female)
        return f"{g}-{other} {s}" if other != g else f"{g}-Marie {s}"
    if form == "hyphen_surname":
        other = names.person(lang, p.origin).surname
        return f"{g} {s}-{other}" if other != s else f"{g} {s}-Weber"
    if form == "two_surnames":
        other = names.person(lang, p.origin).surname
        return f"{g} {s} {other}"
    if form == "particle":
        return f"{g} {rng.choice(PARTICLE_SURNAMES[lang])}"
    if form == "apostrophe":
        return f"{g} {rng.choice(APOSTROPHE_SURNAMES[lang])}"
    if form == "stripped":
        for _ in range(20):
            if _strip_accents(f"{g} {s}") != f"{g} {s}":
                return _strip_accents(f"{g} {s}")
            q = names.person(lang, p.origin)
            g, s = q.given, q.surname
        return _strip_accents(" ".join(rng.choice(ACCENTED_FALLBACK)))
    if form == "nickname":
        return f"{rng.choice(NICKNAMES[lang])} {s}"
    if form == "given_only":
        return g
    raise ValueError(form)


_TOKEN = re.compile(r"[^\s,\-]+")


def _must_not_survive(written: Iterable[str]) -> tuple[str, ...]:
    """Each name as written, and each word of 3+ letters of it that is neither a title nor a particle."""
    out: list[str] = []
    for name in written:
        out.append(name)
        for tok in _TOKEN.findall(name):
            tok = tok.strip(".")
            for part in [tok, *tok.split("'")]:
                letters = sum(c.isalpha() for c in part)
                if letters >= 3 and part.lower() not in TITLE_WORDS and part.lower() not in PARTICLES:
                    out.append(part)
    return tuple(dict.fromkeys(out))


def _word_re(word: str) -> re.Pattern[str]:
    """The word, not inside another word; a genitive `s` after it (German, Dutch: `Annas Idee`) still counts."""
    return re.compile(r"(?<![^\W\d_])" + re.escape(word) + r"s?(?![^\W\d_])", re.IGNORECASE)


def survivors(forms: Sequence[str], text: str) -> tuple[str, ...]:
    return tuple(f for f in forms if _word_re(f).search(text))


def _position(text: str, slot: str) -> str:
    i = text.index(slot)
    before, after = text[:i], text[i + len(slot):]
    if after.startswith("'s") or after.startswith("s "):
        return "possessive"
    if before.endswith(("\"", "«", "“", "„", "'", "« ")):
        return "quoted"
    if before.endswith(("(", "[")):
        return "bracket"
    if before.endswith("@"):
        return "mention"
    if not before.strip():
        return "start"
    if before.endswith("\n") or after.startswith("\n"):
        return "own_line"
    if before.rstrip().endswith(","):
        return "after_comma"
    if not after.strip(" !?.:)"):
        return "end"
    return "middle"


def _origin(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        return "local"
    if r < 0.62:
        return "wordlike"
    return rng.choice(ORIGINS[1:-1])


STANDALONE = ("start", "end", "own_line", "bracket", "quoted")
# What an @handle is made of: no titles, initials or surname-first forms.
MENTION_FORMS = ("full", "given_only", "lowercase", "hyphen_given", "hyphen_surname", "two_surnames", "particle",
                 "apostrophe", "stripped", "nickname")


def _form(rng: random.Random, lang: str, origin: str, position: str) -> str:
    forms = [f for f in FORMS
             if not (f == "two_surnames" and lang != "es")
             and not (f in ("particle", "apostrophe", "nickname") and origin != "local")
             and not (f == "stripped" and (origin not in ("local", "turkish", "polish") or lang == "en"))
             and not (f in ("surname_comma_given", "caps_surname_given") and position not in STANDALONE)
             and not (position == "mention" and f not in MENTION_FORMS)]
    # Full names are what people write most; a title, or a given name alone, next.
    return rng.choices(forms, weights=[FORM_WEIGHTS.get(f, 1) for f in forms])[0]


def _mention(written: str, rng: random.Random) -> str:
    """An @handle of a name: `anna.schmidt`, `AnnaSchmidt` is avoided (a surname inside a word is not counted)."""
    words = [w for w in re.split(r"[\s,]+", written) if w]
    sep = rng.choice((".", "_", "-", "."))
    handle = sep.join(words)
    return handle.lower() if rng.random() < 0.7 else handle


def person_case(rng: random.Random, names: _Names, tpl: P) -> Case:
    lang, category, key, cue, text = tpl
    is_list = "{N1}" in text
    for _ in range(20):
        origin = _origin(rng)
        if is_list:
            form = rng.choice(LIST_FORMS)
            slots = [s for s in ("{N1}", "{N2}", "{N3}") if s in text]
            written = []
            for j, _slot in enumerate(slots):
                p = names.person(lang, origin if j == 0 else _origin(rng))
                full = form == "list_full" or (form == "list_mixed" and j % 2 == 0)
                written.append(f"{p.given} {p.surname}" if full else p.given)
            value = text
            for slot, w in zip(slots, written, strict=True):
                value = value.replace(slot, w)
            position = "list"
        else:
            position = _position(text, "{N}")
            form = _form(rng, lang, origin, position)
            p = names.person(lang, origin)
            w = _render(form, p, lang, names)
            if category == "mention":
                w = _mention(w, rng)
            written = [w]
            value = text.replace("{N}", w)
        forms = _must_not_survive(written)
        rest = re.sub(r"\{N\d?\}", " ", text)
        if not survivors(forms, rest):
            break
    labels = {"form": form, "position": position, "cue": "cue" if cue else "no_cue", "lang": lang,
              "origin": origin, "category": category}
    return Case("PERSON", key, value, labels, forms)


def benign_case(rng: random.Random, tpl: B) -> Case:
    lang, category, key, cls, text = tpl
    fillers = MONTHS_DAYS[lang] if cls == "month_day" else BENIGN_FILLERS.get(cls, ())
    value = text.replace("{X}", rng.choice(fillers)) if "{X}" in text else text
    return Case("BENIGN", key, value, {"class": cls, "lang": lang, "category": category})


def cases(seed: int, n: int, person_share: float = 0.7) -> list[Case]:
    """`n` cases for a seed: about `person_share` of them PERSON, the rest BENIGN. Deterministic for a seed."""
    rng = random.Random(seed)
    names = _Names(seed)
    out: list[Case] = []
    for _ in range(n):
        if rng.random() < person_share:
            out.append(person_case(rng, names, rng.choice(PERSON_TEMPLATES)))
        else:
            out.append(benign_case(rng, rng.choice(BENIGN_TEMPLATES)))
    return out


def run(items: Sequence[Case], scrub: Callable[[str, str], str | None]) -> list[Result]:
    results = []
    for c in items:
        out = scrub(c.key, c.value)
        text = "" if out is None else str(out)
        if c.kind == "PERSON":
            left = survivors(c.forms, text)
            results.append(Result(c, out if out is None else text, bool(left), left))
        else:
            results.append(Result(c, out if out is None else text, out != c.value))
    return results


def _label(r: Result, label: str) -> str:
    return "+".join(r.case.labels.get(part, "-") for part in label.split("+"))


def rate_table(results: Sequence[Result], label: str) -> list[tuple[str, int, int, int]]:
    """(class, cases, failed, intact) for one label (or `a+b`, crossed), most failed first. `intact`: PERSON cases
    whose name survived as written, whole."""
    n: dict[str, int] = defaultdict(int)
    bad: dict[str, int] = defaultdict(int)
    whole: dict[str, int] = defaultdict(int)
    for r in results:
        v = _label(r, label)
        n[v] += 1
        bad[v] += r.failed
        whole[v] += bool(r.case.forms) and r.case.forms[0] in r.survivors
    return sorted(((k, n[k], bad[k], whole[k]) for k in n), key=lambda t: (-t[2] / t[1], -t[1], t[0]))


def summary(results: Sequence[Result]) -> dict[str, float]:
    person = [r for r in results if r.case.kind == "PERSON"]
    benign = [r for r in results if r.case.kind == "BENIGN"]
    return {"person": len(person), "person_leaked": sum(r.failed for r in person),
            "person_leak_pct": 100.0 * sum(r.failed for r in person) / max(1, len(person)),
            "benign": len(benign), "benign_kept": sum(not r.failed for r in benign),
            "benign_kept_pct": 100.0 * sum(not r.failed for r in benign) / max(1, len(benign))}


def default_scrub() -> Callable[[str, str], str | None]:
    """The default policy's scrubber as a black box (a shared cache of the compiled pattern gates when none is set)."""
    os.environ.setdefault("PRIVACY_GATEWAY_CACHE_DIR", os.path.join(tempfile.gettempdir(), "freetext-cases-cache"))
    from tests.policies.pii_cases import default_scrubber, scrubbed
    scrubber = default_scrubber(b"freetext-cases-key-0123456789abcdef")

    def scrub(key: str, value: str) -> str | None:
        out = scrubbed(scrubber, key, value)
        return None if out is None else str(out)
    return scrub


def _print_tables(results: Sequence[Result], extra: Sequence[str] = ()) -> None:
    s = summary(results)
    print(f"PERSON leaked {s['person_leaked']}/{s['person']} = {s['person_leak_pct']:.1f} %   "
          f"BENIGN kept {s['benign_kept']}/{s['benign']} = {s['benign_kept_pct']:.1f} %")
    person = [r for r in results if r.case.kind == "PERSON"]
    benign = [r for r in results if r.case.kind == "BENIGN"]
    if person:
        for label in ("form", "position", "cue", "lang", "origin", "category", *extra):
            print(f"\nPERSON leak by {label}:  (leaked: a word of the name survived; intact: the whole name did)")
            for k, n, bad, whole in rate_table(person, label):
                print(f"  {k:<30} {bad:>4}/{n:<4} {100.0 * bad / n:5.1f} %   intact {whole:>4}")
    if benign:
        for label in ("class", "lang", *extra):
            print(f"\nBENIGN kept by {label}:")
            for k, n, bad, _ in rate_table(benign, label):
                print(f"  {k:<30} {n - bad:>4}/{n:<4} {100.0 * (n - bad) / n:5.1f} %")


def main(argv: list[str]) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m tests.policies.freetext_cases",
                                 description="Leak of person names in generated free text, per class.")
    ap.add_argument("seed", type=int)
    ap.add_argument("n", type=int, help="cases to generate (about 70 %% PERSON)")
    ap.add_argument("--show", action="store_true", help="print the failing cases (value -> scrubbed)")
    ap.add_argument("--only", choices=("person", "benign"), help="run one kind only")
    ap.add_argument("--by", action="append", default=[], metavar="LABEL[+LABEL]",
                    help="one more table by a label or a cross of labels, e.g. form+origin (repeatable)")
    ap.add_argument("--where", action="append", default=[], metavar="LABEL=VALUE",
                    help="keep only the cases with this label value (repeatable), e.g. form=given_initial")
    args = ap.parse_args(argv)
    items = cases(args.seed, args.n)
    if args.only:
        items = [c for c in items if c.kind == args.only.upper()]
    for cond in args.where:
        label, _, value = cond.partition("=")
        items = [c for c in items if c.labels.get(label) == value]
    results = run(items, default_scrub())
    _print_tables(results, args.by)
    if args.show:
        print("\nFailing cases (value -> scrubbed):")
        for r in results:
            if r.failed:
                lab = " ".join(f"{k}={v}" for k, v in r.case.labels.items())
                print(f"  [{r.case.kind} {lab}] {r.case.key}: {r.case.value!r} -> {r.out!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
