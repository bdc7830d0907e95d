"""The repository stands on its own: every file or folder that a tracked file names (a `*.md`
document, a `../` path, a Markdown link and its #anchor) is in the repository, and every page
under docs/ can be reached from the README. A user has only the repository: a pointer to the
notes that lived beside it during development is a dead end (docs/ holds what the project took
from them)."""

from __future__ import annotations

import posixpath
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+")
MARKDOWN_NAME = re.compile(r"(?<![\w./-])([\w./-]*[\w-]\.md)\b")  # a document, with or without folders
UPWARD_PATH = re.compile(r"(?<![\w./-])((?:\.\./)+[\w./-]*[\w-])")  # JS imports, links out of docs/
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE_BLOCK = re.compile(r"^```.*?^```", re.S | re.M)
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)


def repository_files() -> list[str]:
    """What git would commit: tracked files and new ones that are not ignored."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, check=True).stdout
    return sorted(name for name in set(listed.split("\0")) if name and (ROOT / name).is_file())


FILES = repository_files()
PATHS = set(FILES) | {parent.as_posix() for name in FILES for parent in Path(name).parents}
BASENAMES = {posixpath.basename(name) for name in FILES}


def texts() -> list[tuple[str, str]]:
    out = []
    for name in FILES:
        try:
            out.append((name, (ROOT / name).read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue  # not text
    return out


def resolves(path: str, mentioned_in: str) -> bool:
    """A path names something in the repository, read from the top or from the mentioning file's
    folder; a bare file name (no folder) may name a file anywhere in it."""
    if "/" not in path and path in BASENAMES:
        return True
    for base in ("", posixpath.dirname(mentioned_in)):
        candidate = posixpath.normpath(posixpath.join(base, path))
        if not candidate.startswith("../") and candidate in PATHS:
            return True
    return False


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(markdown_file: str) -> set[str]:
    text = CODE_BLOCK.sub("", (ROOT / markdown_file).read_text(encoding="utf-8"))
    return {slug(heading) for heading in HEADING.findall(text)}


def links(markdown_file: str) -> list[str]:
    text = CODE_BLOCK.sub("", (ROOT / markdown_file).read_text(encoding="utf-8"))
    return [target for target in MARKDOWN_LINK.findall(text) if not URL.match(target)
            and not target.startswith("mailto:")]


def test_every_file_a_tracked_file_names_is_in_the_repository():
    dangling = []
    for name, text in texts():
        text = URL.sub("", text)
        for pattern in (MARKDOWN_NAME, UPWARD_PATH):
            dangling += [f"{name}: {path}" for path in pattern.findall(text) if not resolves(path, name)]
    assert dangling == [], "names of files that are not in the repository"


def test_nothing_points_into_the_development_machines_folders():
    # The notes that lived beside the repository during development, and their old names.
    outside = re.compile(r"\.\./shared\b|\bshared/(?:parity|bench)\b|/work/|"
                         r"\b(?:REFERENCE|WORKLOADS|FORMAT|TOOLCHAIN|DESIGN)\.md\b")
    found = [f"{name}: {match.group(0)}" for name, text in texts() if name != "tests/test_repository_links.py"
             for match in outside.finditer(text)]
    assert found == []


def test_every_markdown_link_and_anchor_exists():
    broken = []
    for source in (name for name in FILES if name.endswith(".md")):
        for target in links(source):
            path, _, anchor = target.partition("#")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), path)) if path else source
            if resolved not in PATHS:
                broken.append(f"{source}: {target} (no such file)")
            elif anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                broken.append(f"{source}: {target} (no such heading)")
    assert broken == []


def test_every_page_under_docs_can_be_reached_from_the_readme():
    seen, todo = set(), ["README.md"]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        for target in links(page):
            path = target.partition("#")[0]
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
            if path.endswith(".md") and resolved in PATHS:
                todo.append(resolved)
    docs = {name for name in FILES if name.startswith("docs/") and name.endswith(".md")}
    assert docs - seen == set(), "docs no link from the README leads to"
