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


# Codes of capital words (and numbers) after a secret's name stay; a secret of the same length that mixes
# cases or digits inside a run does not. An algorithm name of real tokens stays; an address does not.
_WORD = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=3, max_size=8)
CODES = st.lists(st.one_of(_WORD, st.integers(0, 999).map(str)), min_size=1, max_size=4).map(
    lambda words: "_".join(["ERR", *words]))
SECRETS = st.tuples(st.text(st.sampled_from("abcdefghijkmnpqrstuvwxyz"), min_size=3, max_size=8),
                    st.integers(0, 99_999), st.text(st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ"), min_size=1, max_size=4)
                    ).map(lambda parts: f"{parts[0]}{parts[1]}{parts[2]}")
KEYS = st.sampled_from(["token: ", "password=", '"apiKey": "', "client_secret = ", "--token ", "X_API_KEY="])


@fuzz(200)
@given(KEYS, CODES, SECRETS, _AROUND)
def test_a_code_stays_and_the_secret_beside_it_goes(key, code, secret, around):
    closing = '"' if key.endswith('"') else ""
    out = redact(f"{around} {key}{code}{closing} and {key}{secret}{closing} {around}")
    assert f"{key}{code}" in out and secret not in out


_PRIMITIVES = st.sampled_from(["aes256", "chacha20", "poly1305", "hmac", "sha2", "etm", "umac", "gcm", "curve25519", "sha256",
                               "ed25519", "ecdsa", "nistp384"])
_ALGORITHMS = st.tuples(_PRIMITIVES, st.lists(st.one_of(_PRIMITIVES, st.sampled_from(["512", "ssh", "cert", "v01", "sk"])),
                                              min_size=1, max_size=4)).flatmap(
    lambda parts: st.permutations([parts[0], *parts[1]])).map("-".join)
_MAILBOX = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz."), min_size=2, max_size=10).filter(
    lambda s: s[0] != "." and s[-1] != "." and ".." not in s)


@fuzz(200)
@given(_ALGORITHMS, _MAILBOX, st.sampled_from(["openssh.com", "libssh.org", "example.com"]))
def test_an_algorithm_name_stays_and_the_address_beside_it_goes(algorithm, mailbox, domain):
    out = redact(f"offer {algorithm}@{domain}, contact {mailbox}-ops@{domain}")
    assert f"{algorithm}@{domain}" in out and f"{mailbox}-ops@{domain}" not in out
