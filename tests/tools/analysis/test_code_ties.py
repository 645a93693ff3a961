"""The code the errors name ties them to the shipped commit that changed it: a quoted name on a changed line,
else the topmost application stack frame."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from support.scans import commit

from wicked_platform.tools.analysis.code_ties import named_identifier, named_in_frames, quoted_identifiers
from wicked_platform.tools.changes.models import CommitDiff

T = datetime(2024, 6, 18, 10, 0, tzinfo=UTC)


def _diff(c, text):
    return CommitDiff(commit=c, diff=text, config_changes=[])


JAVA_FIX = """diff --git a/svc/refund/RefundController.java b/svc/refund/RefundController.java
--- a/svc/refund/RefundController.java
+++ b/svc/refund/RefundController.java
@@ -10,3 +10,3 @@
-        RefundReason reason = request.reasonCode() != null ? request.reasonCode() : RefundReason.OTHER;
+        return refunds.refund(orderId, request.amount(), request.reasonCode());
diff --git a/svc/refund/RefundRequest.java b/svc/refund/RefundRequest.java
--- a/svc/refund/RefundRequest.java
+++ b/svc/refund/RefundRequest.java
@@ -5,3 +5,3 @@
-        RefundReason reasonCode,
+        @JsonProperty(value = "reasonCode", required = true) RefundReason reasonCode,
"""
BUMP = """diff --git a/svc/pom.xml b/svc/pom.xml
--- a/svc/pom.xml
+++ b/svc/pom.xml
@@ -8 +8 @@
-    <version>3.2.5</version>
+    <version>3.2.6</version>
"""


def test_a_name_the_message_quotes_ties_the_errors_to_the_commit_that_changed_it_and_its_declaring_file():
    bump = commit("b", "chore: Bump Spring Boot to 3.2.6", T, ["svc"], files=["svc/pom.xml"])
    fix = commit("a", "feat: Require a reason code on refunds", T - timedelta(hours=1), ["svc"])
    errors = ["HttpMessageNotReadableException: JSON parse error: Missing required creator property 'reasonCode' "
              "(index 2)\n\tat org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.read("
              "AbstractJackson2HttpMessageConverter.java:354)"]
    tie = named_identifier([bump, fix], {bump.sha: _diff(bump, BUMP), fix.sha: _diff(fix, JAVA_FIX)}, errors)
    assert tie is not None and tie.commit is fix and tie.name == "reasonCode"
    assert tie.file == "svc/refund/RefundRequest.java"  # it spells the name as the message does: the declaration
    assert "reasonCode" in tie.describe()


def test_a_column_or_attribute_a_python_error_quotes_is_found_in_a_migration_or_a_model():
    migration = commit("m", "feat: rename discount column", T, ["orders"])
    unrelated = commit("u", "docs: typo", T - timedelta(minutes=5), ["orders"])
    diff = """diff --git a/orders/migrations/0042.py b/orders/migrations/0042.py
+++ b/orders/migrations/0042.py
@@ -0,0 +1,3 @@
+    op.alter_column("orders", "discount_code", new_column_name="promo_code")
"""
    errors = ['psycopg.errors.UndefinedColumn: column "discount_code" does not exist',
              "AttributeError: 'Order' object has no attribute 'total_cents'"]
    assert quoted_identifiers(errors) == ["discount_code", "total_cents"]  # 'Order' is a plain word
    tie = named_identifier([migration, unrelated], {migration.sha: _diff(migration, diff),
                                                    unrelated.sha: _diff(unrelated, "")}, errors)
    assert tie is not None and tie.commit is migration and tie.file == "orders/migrations/0042.py"


def test_plain_words_and_names_only_in_dependency_frames_tie_nothing():
    c = commit("c", "fix: timeouts", T, ["svc"])
    diff = "+++ b/svc/client.py\n+    timeout = 5\n+    index = build()\n"
    errors = ["upstream 'timeout' after 5000ms; bad 'index'",
              "    at Object.<anonymous> (/app/node_modules/pg/lib/client.js:12:3) 'pool_size'"]
    assert named_identifier([c], {c.sha: _diff(c, diff)}, errors) is None


def test_a_stack_frame_names_the_file_a_commit_changed_by_its_path_tail():
    release = commit("r", "chore: release", T, ["cart"], files=["services/cart/package.json"])
    fix = commit("f", "fix: totals", T - timedelta(hours=1), ["cart"], files=["services/cart/src/totals.js"])
    errors = ["TypeError: x is undefined\n    at add (/app/node_modules/lodash/sum.js:3:1)\n    at total (/app/src/totals.js:4:11)"]
    tie = named_in_frames([release, fix], errors)
    assert tie is not None and tie.commit is fix and tie.file == "services/cart/src/totals.js" and tie.how == "frame"
