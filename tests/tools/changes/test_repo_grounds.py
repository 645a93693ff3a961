"""What a repository at a commit declares, read through git: the variables its code reads, the workloads and
environment its manifests declare, each with the service it belongs to."""

from support.git_repos import GitRepo

from wicked_platform.tools.changes.git_history import grep_at
from wicked_platform.tools.changes.repo_grounds import repo_grounds

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          env:
            - name: PAYMENT_TIMEOUT
              value: "5000"
"""


def _repo(tmp_path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("Initial import", {
        "services/checkout-api/src/env.ts": "export const url = process.env.PAYMENT_URL;\n",
        "services/billing/app.py": "import os\nTIMEOUT = os.environ.get('BILLING_TIMEOUT', '5')\n",
        "lib/flags.go": "package shared\n\nimport \"os\"\n\nvar Debug = os.Getenv(\"DEBUG\") == \"1\"\n",
        "deploy/checkout.yaml": DEPLOYMENT,
        "docker-compose.yml": "services:\n  billing:\n    image: billing:1\n    environment:\n      - BILLING_TIMEOUT=5\n",
        "docs/env.md": "Set `process.env.NOT_READ` to ...\n",
    })
    return repo


def test_code_reads_and_manifest_declarations_each_with_their_owner(tmp_path):
    repo = _repo(tmp_path)
    grounds = repo_grounds(repo.path, "HEAD", ["checkout-api", "billing"])
    found = {(r.name, r.file, r.owner, r.shape) for r in grounds.env}
    assert found == {
        ("PAYMENT_URL", "services/checkout-api/src/env.ts", "checkout-api", "process.env"),
        ("BILLING_TIMEOUT", "services/billing/app.py", "billing", "os.environ"),
        ("DEBUG", "lib/flags.go", None, "os.Getenv"),
        ("PAYMENT_TIMEOUT", "deploy/checkout.yaml", "checkout", "kubernetes env"),
        ("BILLING_TIMEOUT", "docker-compose.yml", "billing", "compose env"),
    }
    assert [(w.kind, w.name, w.namespace, w.containers) for w in grounds.workloads] == [("Deployment", "checkout", "shop", ["app"])]
    assert grounds.commit == "HEAD" and not grounds.truncated


def test_the_tree_read_is_the_commits_not_the_work_tree(tmp_path):
    repo = _repo(tmp_path)
    first = repo.git("rev-parse", "HEAD")
    repo.commit("chore: drop the debug flag", {"lib/flags.go": None})
    (repo.path / "lib").mkdir(parents=True, exist_ok=True)
    (repo.path / "lib" / "uncommitted.go").write_text('var X = os.Getenv("UNCOMMITTED")\n')
    assert "DEBUG" in {r.name for r in repo_grounds(repo.path, first).env}
    names = {r.name for r in repo_grounds(repo.path, "HEAD").env}
    assert "DEBUG" not in names and "UNCOMMITTED" not in names


def test_a_grep_is_cut_at_its_bound_on_a_whole_line(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.commit("many reads", {"app.py": "".join(f"V{i} = os.environ['V{i}']\n" for i in range(500))})
    hits, cut = grep_at(repo.path, "HEAD", "environ", max_bytes=2000)
    assert cut and 0 < len(hits) < 500 and all(hit.text.startswith(f"V{hit.line - 1} =") for hit in hits)


def test_an_unreadable_ref_gives_empty_grounds(tmp_path):
    repo = _repo(tmp_path)
    grounds = repo_grounds(repo.path, "no-such-ref")
    assert grounds.env == [] and grounds.workloads == []
