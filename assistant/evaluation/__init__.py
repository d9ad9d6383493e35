"""Evaluation harness: golden sets, metrics, reports and the CI quality gate.

``assistant eval`` runs golden question sets (``eval/sets/*.jsonl``) through
named configurations (``eval/configs.toml``) side by side and writes a JSON
and an HTML report; ``--compare`` and ``--check`` turn reports into a
regression check. Every figure is defined in ``eval/METRICS.md``.

Modules: ``golden`` (cases), ``matching`` (text, numbers, facts, evidence),
``metrics`` (per case and aggregated), ``configs`` (sets and configurations),
``runner`` (indexes, apps, answers), ``records`` (the report schema),
``summary`` (terminal table), ``html`` (HTML report), ``compare`` and ``gate``.
"""
