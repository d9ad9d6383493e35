"""Progress bars for long work (ingest, evaluation) on the terminal; lines in logs.

>>> from rich.console import Console
>>> import io
>>> console = Console(file=io.StringIO())  # not a terminal: a line now and then instead of a bar
>>> with progress_bar(console) as progress:
...     for done in range(0, 101, 25):
...         progress("Embedding", done, 100)
>>> console.file.getvalue().splitlines()
['Embedding: 25/100', 'Embedding: 50/100', 'Embedding: 75/100']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

ProgressCallback = Callable[[str, int, int], None]  # (label, done, total)
LOG_EVERY = 25  # without a terminal (CI logs): one line per this many items


@contextmanager
def progress_bar(console: Console) -> Iterator[ProgressCallback]:
    """A callback ``progress(label, done, total)`` that draws one bar per label."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(label: str, done: int, total: int) -> None:
            if not console.is_terminal:
                if done and done % LOG_EVERY == 0 and done < total:
                    console.print(f"{label}: {done}/{total}", highlight=False)
                return
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        yield progress
