"""Helpers for the fault tests: real small file systems (tmpfs) and the CLI in-process."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import cli
from tests.conftest import markdown, write


def mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, check=False
    )
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A real 16 MB file system (tmpfs), so "disk full" and "read-only" are the kernel's, not a mock's.

    Needs root (mount); skipped elsewhere.
    """
    folder = tmp_path / "disk"
    if not mount_tmpfs(folder, "16m"):
        pytest.skip("cannot mount a tmpfs here (needs root): run the fault tests as root, e.g. in CI's container")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)


def run_cli(*args: str, env: dict[str, str] | None = None):
    """``assistant ARGS`` in this process (the models load faster than in a subprocess)."""
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


def small_corpus(folder: Path) -> Path:
    write(folder / "personalausweis.md", markdown("Personalausweis", "Der Personalausweis kostet 37,00 Euro."))
    write(folder / "hund.md", markdown("Hundesteuer", "Die Hundesteuer beträgt 120 Euro im Jahr."))
    write(folder / "fundbuero.md", markdown("Fundbuero", "Das Fundbüro ist im Rathaus, Raum 12."))
    return folder


def error_line(result) -> str:
    """The one ``error: ...`` line the CLI prints for a setup error."""
    lines = [line for line in (result.stderr or result.output).splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.output
    return lines[0]
