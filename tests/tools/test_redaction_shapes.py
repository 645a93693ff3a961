"""The shapes redaction keeps: each catalogue row on its own samples, and the rules on names and codes
they were not written from."""

import re

import pytest

from wicked_platform.tools.redaction import REDACTED, redact
from wicked_platform.tools.redaction_shapes import ALGORITHM_TOKENS, is_algorithm_name, is_constant_or_state


@pytest.mark.parametrize("row", ALGORITHM_TOKENS, ids=lambda row: row.family)
def test_each_algorithm_token_row_holds_on_its_samples(row):
    for sample in row.samples:
        local = sample.split("@", 1)[0]
        assert any(re.fullmatch(row.pattern, part) for part in local.split("-")), (row.family, sample)
        assert is_algorithm_name(local), sample


# `ssh -Q cipher`, `-Q mac`, `-Q kex`, `-Q key` and `-Q compression` of OpenSSH 9.x, the names that carry a domain.
OPENSSH_NAMES = """
aes128-gcm@openssh.com aes256-gcm@openssh.com chacha20-poly1305@openssh.com umac-64@openssh.com umac-128@openssh.com
hmac-sha1-etm@openssh.com hmac-sha1-96-etm@openssh.com hmac-sha2-256-etm@openssh.com hmac-sha2-512-etm@openssh.com
hmac-md5-etm@openssh.com hmac-md5-96-etm@openssh.com umac-64-etm@openssh.com umac-128-etm@openssh.com
curve25519-sha256@libssh.org sntrup761x25519-sha512@openssh.com ssh-ed25519-cert-v01@openssh.com
sk-ssh-ed25519@openssh.com sk-ssh-ed25519-cert-v01@openssh.com ecdsa-sha2-nistp256-cert-v01@openssh.com
ecdsa-sha2-nistp384-cert-v01@openssh.com ecdsa-sha2-nistp521-cert-v01@openssh.com sk-ecdsa-sha2-nistp256@openssh.com
sk-ecdsa-sha2-nistp256-cert-v01@openssh.com ssh-dss-cert-v01@openssh.com ssh-rsa-cert-v01@openssh.com
webauthn-sk-ecdsa-sha2-nistp256@openssh.com zlib@openssh.com
""".split()
# Other implementations' names: Tectia/ssh.com MACs and groups, older OpenSSH, PuTTY and libssh certificate types.
OTHER_NAMES = ["hmac-sha256-2@ssh.com", "hmac-sha224@ssh.com", "hmac-sha512@ssh.com", "diffie-hellman-group15-sha256@ssh.com",
               "diffie-hellman-group16-sha384@ssh.com", "hmac-ripemd160-etm@openssh.com", "rsa-sha2-512-cert-v01@openssh.com",
               "rsa-sha2-256-cert-v01@openssh.com", "aes192-cbc@lysator.liu.se", "blake2b512@example.org"]


@pytest.mark.parametrize("name", OPENSSH_NAMES + OTHER_NAMES)
def test_ssh_algorithm_names_are_algorithm_names(name):
    assert is_algorithm_name(name.split("@", 1)[0])


@pytest.mark.parametrize("local", ["jane.doe", "support-team", "aes-team", "sha-lin", "ed", "des", "rsa", "sha",
                                   "ops-2024", "j.smith-2", "hmac.team", "cert", "ssh", "group-exchange", "Aes256-GCM",
                                   "sk-team", "curve-ball"])
def test_mailboxes_are_not_algorithm_names(local):
    assert not is_algorithm_name(local)


@pytest.mark.parametrize("value", ["AUTH_TOKEN_MISSING", "E_SESSION_TOKEN_REVOKED", "PASSWORD_TOO_SHORT", "SECRET_NOT_FOUND",
                                   "API_KEY_QUOTA_EXCEEDED", "ERR_429", "CREDENTIALS_EXPIRED.", "missing", "REVOKED", "None",
                                   "null", "Undefined"])
def test_codes_and_states_are_kept(value):
    assert is_constant_or_state(value)


@pytest.mark.parametrize("value", ["AKZZ000", "Hunter2Pass", "abcdef", "QWXZPLMNBV", "Tr0ub4dor_3", "A_B", "AB12_CD34",
                                   "wJalrXUtnFEMI_K7MDENG", "9F8E_7D6C", "s3cr3t_VALUE", "expired-token-x1", "_LEADING_UNDERSCORE",
                                   "TRAILING_"])
def test_secret_shapes_are_not_codes(value):
    assert not is_constant_or_state(value)


@pytest.mark.parametrize("line", [
    "password=CORRECT_HORSE_BATTERY_STAPLE", "DB_PASSWORD=SUPER_SECRET_2024", "api_key: PROD_KEY_7781_XYZ",
    'secret="MY_SECRET_VALUE"', "--password ORANGE_TRAIN_CASTLE",
])
def test_a_capitals_passphrase_is_still_a_secret(line):
    # Upper-snake like a code, but no word of it says what went wrong: the value is redacted.
    assert REDACTED in redact(line) and line.split("=")[-1].split(" ")[-1].strip('"') not in redact(line)
