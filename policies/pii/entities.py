"""The entity types the value detectors report: names only, importable without loading Presidio."""

# Pattern-detectable first (PERSON_NAME: a person named by context, after a title, a greeting or before a sign-off);
# PERSON and LOCATION need an NER model (`pii.ner_model`).
PATTERN_ENTITIES = (
    "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN", "NATIONAL_ID", "CRYPTO",
    "JWT", "BEARER_TOKEN", "AWS_ACCESS_KEY", "SECRET_KEY", "PRIVATE_KEY", "URL_CREDENTIALS", "PASSWORD",
    "STREET_ADDRESS", "PERSON_NAME",
)
NER_ENTITIES = ("PERSON", "LOCATION")
ENTITIES = PATTERN_ENTITIES + NER_ENTITIES
