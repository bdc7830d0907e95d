"""The deployment guide shows the very files CI tests (deploy/), so they cannot drift apart."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_deployment_guide_shows_the_tested_nginx_and_kubernetes_files_verbatim():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    for name in ("nginx-playground.conf", "kubernetes.yaml"):
        assert (ROOT / "deploy" / name).read_text().strip() in guide, f"docs/deployment.md differs from deploy/{name}"
