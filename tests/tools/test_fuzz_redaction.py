"""Property-based: redaction removes every planted secret wherever it sits, keeps JSON valid, and
is done once and for all.

The CLI redacts the report's JSON text on its way out, after the report was redacted field by field:
a redaction that wrote a raw line break into a JSON string (a private key's body) or ran past the
string it was in (a key block cut short) would print a report no program can read.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from support.fuzz import fuzz

from wicked_platform.tools.redaction import redact

PLANTS = [
    ("Hunter2Pass", "password=Hunter2Pass"), ("JsonPw-771", '"password": "JsonPw-771"'), ("Secr3tFlag", "--password Secr3tFlag"),
    ("ak_51HqLyj2eZvKYlo2C", "api_key=ak_51HqLyj2eZvKYlo2C"), ("sk_live_51HqLyj2eZvKYlo2CabcDEF12", "sk_live_51HqLyj2eZvKYlo2CabcDEF12"),
    ("tok9f8e7d6c5b4a3", "token: tok9f8e7d6c5b4a3"), ("Zm9vYmFyQmVhcmVyMTIz", "Authorization: Bearer Zm9vYmFyQmVhcmVyMTIz"),
    ("eyJzdWIiOiJqYW5lIn0", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJlMTIz"), ("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ("MIIEpAIBAAKCAQEAbody", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAbody\n-----END RSA PRIVATE KEY-----"),
    ("MIIEcutBody", "-----BEGIN PRIVATE KEY-----\nMIIEcutBody"), ("C0nnPass99", "postgres://app:C0nnPass99@db:5432/x"),
    ("CookieSess42", "Cookie: session=CookieSess42; theme=dark"), ("jane.doe@example.com", "jane.doe@example.com"),
    ("4111 1111 1111 1111", "4111 1111 1111 1111"), ("XyZhookSecret9", "https://hooks.slack.com/services/T0/B0/XyZhookSecret9"),
]
_AROUND = st.text(st.sampled_from(list("abc XYZ019:,;=._-/\"'{}[]\\\n\t")), max_size=20)
_PIECES = st.one_of(st.sampled_from([text for _, text in PLANTS]), _AROUND,
                    st.sampled_from(["-----BEGIN ", "PRIVATE KEY-----", "-----END ", "\\n", '\\"', "[REDACTED]", "Bearer ", "--token "]))
TEXTS = st.lists(_PIECES, max_size=10).map(" ".join)  # secrets are words: glued to the next, no reader could tell
DOCUMENTS = st.recursive(TEXTS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXTS, inner, max_size=3)),
                         max_leaves=10)


@fuzz(200)
@given(st.sampled_from(PLANTS), _AROUND, _AROUND)
def test_a_planted_secret_is_gone_wherever_it_sits(plant, before, after):
    secret, text = plant
    out = redact(f"{before} {text} {after}")
    assert secret not in out


@fuzz(300)
@given(DOCUMENTS, st.booleans())
def test_redacting_a_json_document_leaves_valid_json(document, indent):
    text = json.dumps(document, indent=2 if indent else None)
    out = redact(text)
    assert json.loads(out) is not None or out == "null"
    assert redact(json.dumps(json.loads(out), indent=2 if indent else None)) == json.dumps(json.loads(out), indent=2 if indent else None)


@fuzz(300)
@given(TEXTS)
def test_redacting_twice_changes_nothing_more(text):
    once = redact(text)
    assert redact(once) == once
