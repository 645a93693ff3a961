import duckdb
import pytest

from wicked_platform.tools.logs.signatures import digit_shape, digit_shape_sql, signature, signature_shape, signature_sql


@pytest.mark.parametrize(("message", "expected"), [
    ("Payment timeout for order ORD-1001", "Payment timeout for order <*>"),
    ("Connection refused to 10.0.0.3:5432", "Connection refused to <*>"),
    ("Circuit breaker OPEN for payment-service", "Circuit breaker OPEN for payment-service"),
    ("user 550e8400-e29b-41d4-a716-446655440000 not found", "user <*> not found"),
    ("trace deadbeefcafebabe span 0x1F", "trace <*> span <*>"),
    ("bad address fe80::1%eth0 and ::1", "bad address <*>%<*> and <*>"),
    ("from 2001:db8:85a3:0:0:8a2e:370:7334", "from <*>"),
    ("mail to alice@example.com bounced", "mail to <*> bounced"),
    ("invalid value \"abc\" for key 'mode'", "invalid value <*> for key <*>"),
    ("can't open 'db.sqlite'", "can't open <*>"),
    ("took 500ms at 14:23:15", "took <*> at <*>"),
    ("retry 3 of 5", "retry <*> of <*>"),
    ("std::vector and Class::add are code", "std::vector and Class::add are code"),
])
def test_signature_masks_variable_parts(message, expected):
    assert signature(message) == expected


CORPUS = [
    "Payment timeout for order ORD-1001", "Payment timeout for order ORD-99999",
    "Connection refused to 10.0.0.3:5432", "Connection refused to [::1]:5432",
    "GET /api/orders/12345/items?page=2 returned 502", "POST /api/pay 503 in 1.25s",
    "User 42 logged in from 192.168.1.10", "session c34b4758c429f8b4 expired",
    "request 550e8400-e29b-41d4-a716-446655440000 failed", "sha 9fceb02d0ae598e95dc970b74767f19372d61af8 deployed",
    "pointer 0x7ffd5b2c3a10 freed twice", "mail to bob.smith+alerts@mail.example.org bounced",
    'field "email" is required', "can't parse 'x=1' in config", "Deployment checkout-api-v2.4.1 started",
    "deploy cart-api version=v1.8.0", "Circuit breaker OPEN for payment-service", "latency p99=812ms p50=40ms",
    "disk /dev/sda1 at 91%", "retry 3/5 after 200ms", "ipv6 2001:db8::ff00:42:8329 unreachable",
    "2024-01-15T14:23:15Z nested stamp", "értékek: 12 hiba, café 3€", "日本語のメッセージ 123 件",
    "tabs\tand  spaces 7", "mixed ABC123def and 123abc", "hex word cafebabe and cafe", "-1 is negative",
    "version 1.2.3.4 is not an ip?", "NullPointerException at Cart.java:42", "",
    "key=\"value with spaces\" other=5", "[1/3] step done", "port :8080 busy",
]


def test_sql_signature_agrees_with_python_on_a_varied_corpus():
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT m, {signature_sql('m')}, {digit_shape_sql('m')} FROM (SELECT unnest($corpus) AS m)",
        {"corpus": CORPUS},
    ).fetchall()
    assert len(rows) == len(CORPUS)
    for message, sql_signature, sql_shape in rows:
        assert sql_signature == signature(message), message
        assert sql_shape == digit_shape(message), message


@pytest.mark.parametrize("message", CORPUS)
def test_a_message_and_its_digit_shape_share_a_signature(message):
    assert signature(digit_shape(message)) == signature(message)


def test_the_one_message_whose_digit_shape_signs_otherwise_keeps_its_signature_shape():
    assert signature("resize 3x3-node") == "resize <*>"
    assert signature(digit_shape("resize 3x3-node")) == "resize <*>-node"  # the scan's known quirk
    assert signature(signature_shape("resize 3x3-node")) == "resize <*>"
