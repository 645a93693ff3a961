"""A repository armed against its reader: every git key that can run a program is set to a trap.

Each trap touches a file of its own in `sprung/`, so a test names the key that fired. The keys are
set in `.git/config` (and in a file it includes), the drivers are chosen in `.git/info/attributes`
and in a committed `.gitattributes`, every hook exists, the newest commit carries a signature, and
the working tree is dirty, so that a reader that touches the index, the work tree, attributes,
hooks or signatures springs one.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from wicked_platform.scenarios.build import isolated_git_env

COMMAND_KEYS = (
    "core.fsmonitor", "core.pager", "pager.log", "pager.diff-tree", "pager.show", "core.sshCommand", "core.askPass",
    "core.gitProxy", "core.editor", "sequence.editor", "core.alternateRefsCommand", "uploadpack.packObjectsHook",
    "diff.external", "credential.helper", "gpg.program", "gpg.ssh.program", "gpg.x509.program",
    "gpg.ssh.defaultKeyCommand", "diff.trap.textconv", "diff.trap.command", "filter.trap.clean", "filter.trap.smudge",
    "filter.trap.process", "merge.trap.driver", "remote.origin.uploadpack", "remote.origin.receivepack",
)
"""Keys git documents as naming a program to run."""

HOOKS = ("pre-commit", "post-checkout", "post-index-change", "reference-transaction", "fsmonitor-watchman",
         "pre-auto-gc", "post-rewrite", "sendemail-validate", "push-to-checkout")

SIGNATURE = (
    "gpgsig -----BEGIN PGP SIGNATURE-----\n"
    " \n"
    " iQEzBAABCAAdFiEEtrapTRAPtrapTRAPtrapTRAPtrapTRAFAmWlAAAACgkQ\n"
    " =trap\n"
    " -----END PGP SIGNATURE-----\n"
)


@dataclass(frozen=True)
class Trapped:
    repo: Path
    sprung: Path

    def fired(self) -> list[str]:
        return sorted(p.name for p in self.sprung.iterdir())


def arm(repo: Path, sprung: Path) -> Trapped:
    """Set every trap in the git repository at `repo`; `sprung` receives one file per trap that fires."""
    sprung.mkdir(parents=True, exist_ok=True)
    env = isolated_git_env(repo.parent)

    def git(*args: str, input: bytes | None = None) -> str:
        done = subprocess.run(["git", *args], cwd=repo, env=env, input=input, capture_output=True, check=True)
        return done.stdout.decode().strip()

    scripts = sprung.parent / "trap-scripts"
    scripts.mkdir(exist_ok=True)

    def trap(name: str) -> str:
        """A program that marks `name` sprung: a path, since git runs some keys by a shell and some directly."""
        script = scripts / name
        script.write_text(f"#!/bin/sh\ntouch {shlex.quote(str(sprung / name))}\nexit 1\n")
        script.chmod(0o755)
        return str(script)

    # A signed commit on top: `log.showSignature` (or any signature check) would call gpg.program.
    header = git("cat-file", "commit", "HEAD").partition("\n\n")[0].splitlines()
    parent = git("rev-parse", "HEAD")
    lines = [line for line in header if not line.startswith("parent ")]
    lines.insert(1, f"parent {parent}")  # after the tree: a child of HEAD with HEAD's tree
    signed = ("\n".join(lines) + f"\n{SIGNATURE}\ndocs: a signed commit\n").encode()
    git("update-ref", "HEAD", git("hash-object", "-t", "commit", "-w", "--stdin", input=signed))

    (repo / ".gitattributes").write_text("* diff=trap filter=trap merge=trap\n")
    git("add", ".gitattributes")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "chore: attributes")

    sources = [name for name in git("ls-files").splitlines() if not name.endswith((".log", ".yaml", ".gitattributes"))]
    for name in sources[:3]:  # a changed working tree
        (repo / name).write_text((repo / name).read_text(errors="replace") + "\n// dirty\n")
    hooks = repo / ".git" / "trap-hooks"
    hooks.mkdir()
    for hook in HOOKS:
        (hooks / hook).write_text(Path(trap(f"hook-{hook}")).read_text())
        (hooks / hook).chmod(0o755)
    for hook in HOOKS:  # and in the default place, for a reader that resets core.hooksPath
        (repo / ".git" / "hooks" / hook).write_text((hooks / hook).read_text())
        (repo / ".git" / "hooks" / hook).chmod(0o755)
    git("config", "core.hooksPath", str(hooks))
    git("config", "log.showSignature", "true")
    git("config", "remote.origin.url", "ext::sh -c touch% " + str(sprung / "remote-ext"))
    git("config", "protocol.ext.allow", "always")
    for key in COMMAND_KEYS:
        git("config", key, trap(key))
    included = repo / ".git" / "included.config"
    included.write_text(f"[diff]\n\texternal = {trap('included-diff.external')}\n"
                        f"[core]\n\tfsmonitor = {trap('included-core.fsmonitor')}\n")
    git("config", "include.path", str(included))
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "attributes").write_text("* diff=trap filter=trap merge=trap\n")

    (repo / "untracked.txt").write_text("not added\n")
    assert not any(sprung.iterdir()), "arming ran no git command after the first trap was set"
    return Trapped(repo=repo, sprung=sprung)


def spring_with_plain_git(trapped: Trapped) -> list[str]:
    """What plain git commands spring in this repository: the control that shows the traps are armed."""
    env = {**isolated_git_env(trapped.repo.parent), "GIT_PAGER": "", "PAGER": ""}
    for args in (["status"], ["diff"], ["log", "-3"], ["-p", "log", "-3"], ["diff", "HEAD~1", "HEAD"]):
        subprocess.run(["git", *args], cwd=trapped.repo, env=env, capture_output=True, check=False, timeout=60,
                       stdin=subprocess.DEVNULL)
    return trapped.fired()
