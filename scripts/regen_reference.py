"""Regenerate ``results/reference/``: a run of the ``bots`` preset and its report (deterministic).

Usage::

    python scripts/regen_reference.py            # writes results/reference/{export,report}/

It plays the ``bots`` preset into a fresh store in a temporary folder (the store itself is not kept: its
timestamps change on every run), exports the records with ``stratagem export --format csv``, gzipped
without a timestamp, into ``export/`` and writes ``stratagem report`` of that store into ``report/``. The
report is made from inside the temporary folder, so it names the store ``bots.sqlite`` and no local path.
Bots, the engines, the bootstrap and the answer-rate search are all seeded, so the same code gives the same
bytes; review the diff after a rule change and commit it.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "results" / "reference"
_CLI = "from harness.cli.app import main; main()"


def stratagem(args: Sequence[str], cwd: Path) -> None:
    """Run ``stratagem ARGS`` with this interpreter in ``cwd``; raise when it fails."""
    subprocess.run([sys.executable, "-c", _CLI, *args], cwd=cwd, check=True)


def gzip_file(src: Path, dst: Path) -> None:
    """Gzip ``src`` into ``dst`` with no file name and mtime 0, so equal inputs give equal bytes."""
    with (
        src.open("rb") as fin,
        dst.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as fout,
    ):
        shutil.copyfileobj(fin, fout)


def regenerate(out: Path) -> list[Path]:
    """Replace ``out/export`` and ``out/report`` with a fresh bots run's export and report.

    Returns:
        The files written, sorted.
    """
    with tempfile.TemporaryDirectory(prefix="stratagem-reference-") as tmp_name:
        tmp = Path(tmp_name)
        stratagem(["run", "bots", "--store", "bots.sqlite", "--quiet"], tmp)
        stratagem(["export", "bots.sqlite", "--format", "csv", "--out", "export"], tmp)
        stratagem(["report", "bots.sqlite", "--out", "report"], tmp)
        for sub in ("export", "report"):
            shutil.rmtree(out / sub, ignore_errors=True)
        (out / "export").mkdir(parents=True)
        for csv in sorted((tmp / "export").glob("*.csv")):
            gzip_file(csv, out / "export" / f"{csv.name}.gz")
        shutil.copytree(tmp / "report", out / "report")
    return sorted(p for p in out.rglob("*") if p.is_file())


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``[--out DIR]``; prints the files written and their total size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: results/reference")
    args = parser.parse_args(argv)
    files = regenerate(args.out)
    total = sum(p.stat().st_size for p in files)
    for p in files:
        print(f"{p.stat().st_size:>9,}  {p.relative_to(args.out)}")
    print(f"{total:>9,}  bytes in {len(files)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
