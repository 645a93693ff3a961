"""Values that sit where a secret or an e-mail address would, but by their shape are neither.

Redaction finds secrets by what names them (`token: ...`) and addresses by `local@domain`. Log text
also puts there what a program chose, not a person: `invalid token: INVALID_TOKEN` (an error code),
`token=expired` (a state), `cipher rijndael-cbc@lysator.liu.se` (an SSH algorithm name, which RFC 4251
section 6 writes as `name@domain`). These are evidence: the error an incident is about, the cipher a
handshake failed on. They are told apart by shape, never by listing the strings seen:

- an upper-snake constant: two or more `_`-joined words of capitals, or of digits (`TOKEN_EXPIRED`,
  `ERR_INVALID_API_KEY`, `E_404`). Generated secrets mix cases and digits inside one run (`AKZZ000`,
  `Hunter2Pass`); a capitals-only run stays a secret unless it is one of the state words below.
- a state word: a value that says what state a secret is in (`expired`, `missing`, `none`).
- an algorithm name: every `-`-separated part of the local name is a cryptographic primitive, a mode, a
  key type or a number, from the families in ALGORITHM_TOKENS (each row with names that use it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words of capitals or digits, at least two, joined by `_`; at least one word of three capitals.
_CONSTANT = re.compile(r"^(?=.*[A-Z]{3})[A-Z]+(?:_(?:[A-Z]+|[0-9]+))+$")
# What may close a bare value without being part of it: `token=INVALID_TOKEN.` ends a sentence.
_TRAILING = ".,:;!?)]}"

STATE_WORDS = frozenset({
    "expired", "invalid", "missing", "revoked", "malformed", "unknown", "required", "denied", "rejected",
    "none", "null", "nil", "empty", "unset", "undefined", "absent", "true", "false", "disabled", "enabled",
})
"""Values that tell a secret's state, in any case: `reason: token=expired`, `apiKey: MISSING`, `password: none`."""


OUTCOME_WORDS = frozenset({word.upper() for word in STATE_WORDS} | {
    "ERR", "ERROR", "E", "NOT", "NO", "BAD", "WRONG", "FAILED", "FAILURE", "EXCEEDED", "UNAUTHORIZED", "FORBIDDEN",
    "TIMEOUT", "LOCKED", "FOUND", "EXPIRY", "QUOTA", "LIMIT", "UNSUPPORTED", "MISMATCH", "REUSED", "TOO", "SHORT",
    "LONG", "WEAK", "STALE", "USED",
})
"""Words an error code is made of (`TOKEN_EXPIRED`, `ERR_INVALID_API_KEY`, `API_KEY_QUOTA_EXCEEDED`): a capitals
passphrase (`CORRECT_HORSE_BATTERY_STAPLE`, `SUPER_SECRET_2024`) has the same shape and none of them."""


def is_constant_or_state(value: str) -> bool:
    """True for a value that names a code or a state (`INVALID_TOKEN`, `expired`), not a secret: an
    upper-snake constant one of whose words says what went wrong, or a state word."""
    bare = value.rstrip(_TRAILING)
    if _CONSTANT.match(bare):
        return any(word in OUTCOME_WORDS for word in bare.split("_"))
    return bare.lower() in STATE_WORDS


@dataclass(frozen=True)
class AlgorithmToken:
    family: str
    pattern: str
    samples: tuple[str, ...]  # names that use the token, as implementations print them
    source: str
    primitive: bool = True  # False: a word that also names other things (`ssh`, `cert`, a number)


ALGORITHM_TOKENS: tuple[AlgorithmToken, ...] = (
    AlgorithmToken("block or stream cipher",
                   r"(?:aes|rijndael|twofish|serpent|camellia|arcfour)[0-9]*|3des|blowfish|cast[0-9]+|chacha[0-9]+",
                   ("aes256-ctr", "twofish256-cbc", "3des-cbc", "arcfour128", "cast128-cbc", "rijndael-cbc@lysator.liu.se"),
                   "RFC 4253 section 6.3; RFC 4344; OpenSSH 2.x cipher names"),
    AlgorithmToken("cipher mode or AEAD", r"cbc|ctr|gcm|ccm|poly[0-9]+",
                   ("blowfish-cbc", "aes128-ctr", "aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com"),
                   "RFC 4253 section 6.3; RFC 4344; OpenSSH PROTOCOL.chacha20poly1305"),
    AlgorithmToken("message authentication", r"hmac|umac|etm",
                   ("hmac-sha1", "umac-64@openssh.com", "hmac-sha2-512-etm@openssh.com"),
                   "RFC 4253 section 6.4; RFC 6668; OpenSSH PROTOCOL section 1.7"),
    AlgorithmToken("hash", r"sha[0-9]*|md5|ripemd[0-9]+|blake2[bs]?[0-9]*",
                   ("hmac-md5-96", "hmac-sha2-256", "diffie-hellman-group14-sha256", "hmac-ripemd160@openssh.com"),
                   "RFC 4253; RFC 6668; RFC 8268"),
    AlgorithmToken("key exchange", r"diffie|hellman|ecdh|curve[0-9]+|(?:sntrup|mlkem)[0-9]+(?:x[0-9]+|nistp[0-9]+)?",
                   ("diffie-hellman-group-exchange-sha256", "ecdh-sha2-nistp384", "curve25519-sha256@libssh.org",
                    "sntrup761x25519-sha512@openssh.com", "mlkem768x25519-sha256"),
                   "RFC 4419; RFC 5656; RFC 8731; OpenSSH 9.x `ssh -Q kex`"),
    AlgorithmToken("public key type", r"rsa|dss|ecdsa|ed[0-9]+|nistp[0-9]+|webauthn|x509v[0-9]",
                   ("ssh-rsa", "ssh-dss-cert-v01@openssh.com", "ecdsa-sha2-nistp521", "ssh-ed448",
                    "webauthn-sk-ecdsa-sha2-nistp256@openssh.com", "x509v3-sign-rsa"),
                   "RFC 4253 section 6.6; RFC 5656; RFC 8709; RFC 6187; OpenSSH PROTOCOL.u2f"),
    AlgorithmToken("compression", r"zlib", ("zlib@openssh.com",), "RFC 4253 section 6.2; OpenSSH delayed compression"),
    AlgorithmToken("qualifier", r"ssh|sk|cert|group[0-9]*|exchange|sign", ("sk-ssh-ed25519-cert-v01@openssh.com",
                   "diffie-hellman-group-exchange-sha1", "x509v3-sign-rsa"), "RFC 4253; RFC 4419; OpenSSH PROTOCOL.certkeys",
                   primitive=False),
    AlgorithmToken("number or version", r"[0-9]+|v[0-9]+", ("hmac-sha1-96", "umac-128@openssh.com", "ssh-rsa-cert-v01@openssh.com"),
                   "RFC 4253 (truncated MACs); OpenSSH PROTOCOL.certkeys", primitive=False),
)

_PRIMITIVE = re.compile("|".join(f"(?:{t.pattern})" for t in ALGORITHM_TOKENS if t.primitive))
_ANY_TOKEN = re.compile("|".join(f"(?:{t.pattern})" for t in ALGORITHM_TOKENS))


def is_algorithm_name(local: str) -> bool:
    """True for the part before `@` of an algorithm name (`hmac-sha2-256-etm`), false for a person's or a
    mailbox's (`jane.doe`, `support-team`). Every part must be an algorithm token and one a primitive; a
    name of one part must be a primitive written with its size (`aes256`) or of four letters or more (`zlib`),
    so a person called Des keeps their address private."""
    parts = local.split("-")
    if not all(_ANY_TOKEN.fullmatch(part) for part in parts):
        return False
    primitives = [part for part in parts if _PRIMITIVE.fullmatch(part)]
    if not primitives:
        return False
    if len(parts) == 1:
        return any(c.isdigit() for c in local) or len(local) >= 4
    return True
