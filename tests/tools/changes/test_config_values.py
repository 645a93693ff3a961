import re
from pathlib import Path

import pytest

from wicked_platform.tools.changes.config_values import config_changes, has_config_reader

SEED = Path(__file__).resolve().parents[4] / "shared" / "seeds" / "001_ae77ac2d408f9403.txt"

# services/checkout-api/config.ts as the seed's setup writes it: first in the initial commit, then
# in "perf(checkout-api): Optimize timeout settings", where only the comment changes.
SEED_CONFIG_INITIAL = """export const config = {
  paymentTimeout: 500,  // Changed from 5000ms - potential issue!
  retryAttempts: 3,
  circuitBreakerThreshold: 5
};
"""
SEED_CONFIG_PERF = """export const config = {
  paymentTimeout: 500,  // BUG: Should be 5000
  retryAttempts: 3,
  circuitBreakerThreshold: 5
};
"""
# The change the scenario describes: the value itself lowered from 5000 to 500.
REAL_CONFIG_BEFORE = SEED_CONFIG_INITIAL.replace("paymentTimeout: 500,", "paymentTimeout: 5000,")


def as_tuples(changes):
    return [(c.key, c.before, c.after, c.source, c.line) for c in changes]


@pytest.mark.skipif(not SEED.exists(), reason="seed scenarios not checked out next to the repo")
def test_seed_texts_are_the_seeds_own():
    blocks = re.findall(r"cat > services/checkout-api/config\.ts << 'EOF'\n(.*?)\nEOF", SEED.read_text(), re.DOTALL)
    assert [block + "\n" for block in blocks] == [SEED_CONFIG_INITIAL, SEED_CONFIG_PERF]


def test_seed_value_change_5000_to_500():
    changes = config_changes("services/checkout-api/config.ts", REAL_CONFIG_BEFORE, SEED_CONFIG_PERF)
    assert as_tuples(changes) == [("paymentTimeout", "5000", "500", "code", 2)]
    assert changes[0].file == "services/checkout-api/config.ts"
    assert changes[0].factor == pytest.approx(0.1)


def test_seed_literal_comment_only_change_states_the_old_value():
    changes = config_changes("services/checkout-api/config.ts", SEED_CONFIG_INITIAL, SEED_CONFIG_PERF)
    assert as_tuples(changes) == [("paymentTimeout", "5000", "500", "comment", 2)]


def test_seed_initial_commit_adds_every_key():
    changes = config_changes("services/checkout-api/config.ts", None, SEED_CONFIG_INITIAL)
    assert as_tuples(changes) == [
        ("paymentTimeout", None, "500", "code", 2),
        ("retryAttempts", None, "3", "code", 3),
        ("circuitBreakerThreshold", None, "5", "code", 4),
    ]


def test_comment_stating_the_current_value_is_no_change():
    before = "timeout = 30  # tuned\n"
    after = "timeout = 30  # was 30 before the refactor\n"
    assert config_changes("settings.py", before, after) == []


def test_untouched_comment_is_not_attributed_to_the_commit():
    before = "retries: 3,  // default 5\ntimeout: 100,\n"
    after = "retries: 3,  // default 5\ntimeout: 200,\n"
    assert as_tuples(config_changes("a.js", before, after)) == [("timeout", "100", "200", "code", 2)]


@pytest.mark.parametrize(
    "comment, stated",
    [("// Changed from 5000ms", "5000"), ("// was 30", "30"), ("// should be 5000", "5000"),
     ("// previously 10", "10"), ("// default 5000", "5000"), ("// reduced from 5,000 ms", "5000")],
)
def test_comment_forms(comment, stated):
    before = "const LIMIT = 7;\n"
    after = f"const LIMIT = 7; {comment}\n"
    assert as_tuples(config_changes("limits.ts", before, after)) == [("LIMIT", stated, "7", "comment", 1)]


def test_comment_on_the_line_above_counts():
    before = "const config = {\n  timeout: 500,\n};\n"
    after = "const config = {\n  // was 5000 until the perf pass\n  timeout: 500,\n};\n"
    assert as_tuples(config_changes("c.ts", before, after)) == [("timeout", "5000", "500", "comment", 3)]


def test_typescript_nested_objects_exports_and_inline_objects():
    before = """import { x } from './x';
export const TIMEOUT_MS = 5000;
export const config = {
  retry: {
    attempts: 3,
    backoff: "2s",
  },
  "feature-flag": true,
  limits: { rps: 100, burst: 20 },
  handler: makeHandler(x),
  url: 'http://svc:8080/api', // a URL is not a comment
};
"""
    after = (before.replace("5000", "1000").replace("attempts: 3", "attempts: 5").replace('"2s"', '"4s"')
             .replace("burst: 20", "burst: 40").replace("true", "false").replace("8080", "9090"))
    assert as_tuples(config_changes("src/config.ts", before, after)) == [
        ("TIMEOUT_MS", "5000", "1000", "code", 2),
        ("retry.attempts", "3", "5", "code", 5),
        ("retry.backoff", "2s", "4s", "code", 6),
        ("feature-flag", "true", "false", "code", 8),
        ("limits.burst", "20", "40", "code", 9),
        ("url", "http://svc:8080/api", "http://svc:9090/api", "code", 11),
    ]


def test_javascript_ignores_code_that_is_not_configuration():
    before = (
        "function f(items) {\n  let i = items.length - 1;\n  const payment = new Client({ timeout: config.t });\n}\n"
    )
    after = before.replace("- 1", "- 2").replace("config.t", "config.u")
    assert config_changes("f.js", before, after) == []


def test_python_constants_dicts_and_keyword_arguments():
    before = """TIMEOUT = 30  # seconds
DEBUG: bool = False
SETTINGS = {
    "db": {
        "pool_size": 10,
    },
}
client = Client(
    retries=3,
)
"""
    after = before.replace("30", "10").replace('"pool_size": 10', '"pool_size": 20').replace("retries=3", "retries=1")
    after = after.replace("DEBUG: bool = False\n", "")
    assert as_tuples(config_changes("app/settings.py", before, after)) == [
        ("TIMEOUT", "30", "10", "code", 1),
        ("db.pool_size", "10", "20", "code", 4),
        ("retries", "3", "1", "code", 8),
        ("DEBUG", "False", None, "code", None),
    ]


def test_go_constants_keep_the_expression_and_struct_literals_nest():
    before = """package config

import "time"

const (
\tPaymentTimeout = 5 * time.Second // payment calls
\tMaxRetries     = 3
)

const Name = "checkout"

var Default = Config{
\tTimeout: 30 * time.Second,
\tRetry: RetryConfig{
\t\tAttempts: 3,
\t},
}

func main() {
\tx := compute()
}
"""
    after = before.replace("5 * time.Second", "500 * time.Millisecond").replace("Attempts: 3", "Attempts: 5")
    assert as_tuples(config_changes("internal/config/config.go", before, after)) == [
        ("PaymentTimeout", "5 * time.Second", "500 * time.Millisecond", "code", 6),
        ("Retry.Attempts", "3", "5", "code", 15),
    ]


def test_yaml_nested_keys_and_named_list_items():
    before = """server:
  port: 8080
  timeout: 5s # request timeout
containers:
  - name: api
    env:
      - name: PAYMENT_TIMEOUT
        value: "5000"
"""
    after = before.replace('"5000"', '"500"').replace("5s", "2s")
    assert as_tuples(config_changes("deploy/values.yaml", before, after)) == [
        ("server.timeout", "5s", "2s", "code", 3),
        ("containers.api.env.PAYMENT_TIMEOUT.value", "5000", "500", "code", 8),
    ]


def test_yaml_comment_states_old_value():
    before = "pool:\n  size: 10\n"
    after = "pool:\n  size: 10 # was 50\n"
    assert as_tuples(config_changes("c.yml", before, after)) == [("pool.size", "50", "10", "comment", 2)]


def test_json_nested_keys_added_and_removed():
    before = '{"payment": {"timeout": 5000, "retries": 3}, "old": "x"}'
    after = '{\n  "payment": {\n    "timeout": 500,\n    "retries": 3\n  },\n  "new": true\n}\n'
    assert as_tuples(config_changes("config/app.json", before, after)) == [
        ("payment.timeout", "5000", "500", "code", 3),
        ("new", None, "true", "code", 6),
        ("old", "x", None, "code", None),
    ]


def test_env_and_properties_files():
    before = "PAYMENT_TIMEOUT=5000\nexport REGION='eu-west-1' # primary\n"
    after = "PAYMENT_TIMEOUT=500\nexport REGION='eu-west-1' # primary\nNEW_FLAG=on\n"
    assert as_tuples(config_changes("services/checkout-api/.env", before, after)) == [
        ("PAYMENT_TIMEOUT", "5000", "500", "code", 1),
        ("NEW_FLAG", None, "on", "code", 3),
    ]
    props = config_changes("app.properties", "db.pool.size=10\n", "db.pool.size: 20\n")
    assert as_tuples(props) == [("db.pool.size", "10", "20", "code", 1)]


def test_ini_sections_prefix_keys():
    before = "[database]\ntimeout = 30\n[cache]\ntimeout = 5\n"
    after = "[database]\ntimeout = 30\n[cache]\ntimeout = 1\n"
    assert as_tuples(config_changes("setup.cfg", before, after)) == [("cache.timeout", "5", "1", "code", 4)]


def test_secret_values_are_never_returned():
    changes = config_changes(".env", "DB_PASSWORD=hunter2\n", "DB_PASSWORD=hunter3\n")
    assert as_tuples(changes) == [("DB_PASSWORD", "[REDACTED]", "[REDACTED]", "code", 1)]


def test_a_key_that_occurs_twice_is_matched_by_occurrence():
    before = "const a = { timeout: 1 };\nconst b = { timeout: 2 };\n"
    after = "const a = { timeout: 1 };\nconst b = { timeout: 3 };\n"
    assert as_tuples(config_changes("x.ts", before, after)) == [("timeout", "2", "3", "code", 2)]


@pytest.mark.parametrize(
    "path, text",
    [("config.ts", SEED_CONFIG_PERF), ("a.py", "X = 1\n"), ("a.go", "const X = 1\n"), ("a.yaml", "a: 1\n"),
     ("a.json", '{"a": 1}'), (".env", "A=1\n")],
)
def test_unchanged_files_give_nothing(path, text):
    assert config_changes(path, text, text) == []


def test_unreadable_and_unknown_files_give_nothing():
    assert config_changes("README.md", "timeout: 1", "timeout: 2") == []
    # templated YAML is not YAML: its values are unknown, not an error
    assert as_tuples(config_changes("chart/templates/x.yaml", "a: {{ .Values.a }}\n", "a: 2\n")) == [
        ("a", None, "2", "code", 1)
    ]
    assert config_changes("broken.json", "{", "{") == []
    assert not has_config_reader("package-lock.json")
    assert has_config_reader("services/checkout-api/config.ts")
    assert not has_config_reader("logo.png")


def test_java_fields_and_kotlin_properties():
    before = """package com.shop.pay;

public class PaymentConfig {
    private static final int CONNECT_TIMEOUT_MS = 5000;
    private boolean idempotent = true;
    private final Map<String, Integer> limits = new HashMap<>();

    int retries() {
        return 3;
    }
}
"""
    after = before.replace("5000", "500").replace("idempotent = true", "idempotent = false")
    assert as_tuples(config_changes("src/main/java/com/shop/pay/PaymentConfig.java", before, after)) == [
        ("CONNECT_TIMEOUT_MS", "5000", "500", "code", 4),
        ("idempotent", "true", "false", "code", 5),
    ]
    kotlin = "object Settings {\n    const val TIMEOUT_MS = 2000\n    var retries: Int = 3\n    val client = HttpClient()\n}\n"
    assert as_tuples(config_changes("Settings.kt", kotlin, kotlin.replace("2000", "200"))) == [
        ("TIMEOUT_MS", "2000", "200", "code", 2)]
