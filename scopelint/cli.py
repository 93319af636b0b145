"""The `scopelint` command: argument parsing, subcommands and exit codes.

Exit status: 0 no findings, 1 findings, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Optional, Sequence

from scopelint import __version__
from scopelint.config import CODE_LISTS, ConfigError, Settings, load_settings, split_codes
from scopelint.facts import Finding
from scopelint.files import PathNotFound, SourceError, decode_source, read_source
from scopelint.noqa import filter_noqa
from scopelint.report import ReportContext, reporters
from scopelint.rules import all_rules
from scopelint.rules.common import raise_statuses

if TYPE_CHECKING:
    from scopelint.runner import RunResult

OK, FINDINGS, ERROR = 0, 1, 2


class UsageError(Exception):
    """A command-line mistake argparse cannot see (an unknown code to explain)."""


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the CLI; returns the exit status and never lets a traceback out."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse: 2 on a usage error, 0 for --help
        return exit_.code if isinstance(exit_.code, int) else ERROR
    try:
        return args.handler(args)
    except (ConfigError, PathNotFound, UsageError) as err:
        print(f"scopelint: error: {err}", file=sys.stderr)
        return ERROR
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # noqa: BLE001 - a crash must be one line, not a traceback
        print(f"scopelint: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return ERROR


def build_parser() -> argparse.ArgumentParser:
    """The parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="scopelint", description="Find TensorFlow 1.x variable-scope misuse.")
    parser.add_argument("--version", action="version", version=f"scopelint {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="files or directories (default: .)")
    common.add_argument("--config", metavar="FILE",
                        help="a pyproject.toml to read [tool.scopelint] from")
    common.add_argument("--jobs", "-j", type=jobs_count, default=0, metavar="N",
                        help="worker processes (default: 0, one per CPU)")
    common.add_argument("--no-cache", action="store_true", help="do not read or write the cache")

    check = sub.add_parser("check", parents=[common], help="report scope misuse")
    check.add_argument("--format", choices=sorted(reporters()), default="text")
    for option in CODE_LISTS:
        check.add_argument(f"--{option}", metavar="CODES", action="append", type=split_codes,
                           help=f"comma-separated codes or prefixes to {option.replace('-', ' ')}")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--statistics", action="store_true", help="count findings per code")
    check.add_argument("--show-source", action="store_true",
                       help="show the source line and a caret under each finding (text)")
    check.set_defaults(handler=run_check)

    names = sub.add_parser("names", parents=[common],
                           help="predicted full name of every variable call site")
    names.add_argument("--format", choices=("text", "json"), default="text")
    names.set_defaults(handler=run_names)

    explain = sub.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("code", metavar="CODE")
    explain.set_defaults(handler=run_explain)

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")
    rules.set_defaults(handler=run_rules)
    return parser


def jobs_count(value: str) -> int:
    """argparse type for --jobs: a non-negative integer."""
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value!r}")
    return count


def settings_for(args: argparse.Namespace) -> Settings:
    """The effective settings: the config file overridden by the options."""
    overrides = {}
    for option in CODE_LISTS:
        given = getattr(args, option.replace("-", "_"), None)
        if given is not None:  # repeated options: the last --select wins, extends add up
            overrides[option] = given[-1] if not option.startswith("extend-") else sum(given, [])
    return load_settings(args.paths, args.config, overrides)


def run_files(args: argparse.Namespace, settings: Settings, want_facts: bool) -> RunResult:
    """Analyse the paths with the runner (unfiltered findings, results sorted by path)."""
    from scopelint import runner  # imported here: `explain` and `rules` need no engine

    return runner.run(list(args.paths), settings, jobs=args.jobs, use_cache=not args.no_cache,
                      want_facts=want_facts, progress=sys.stderr.isatty())


def run_check(args: argparse.Namespace) -> int:
    """`scopelint check`: report the findings the settings and noqa comments keep."""
    settings = settings_for(args)
    lines = lru_cache(maxsize=None)(source_lines)  # only files with findings are read
    findings: list[Finding] = []
    run = run_files(args, settings, want_facts=False)
    for result in run.results:
        kept = [f for f in result.findings if settings.is_enabled(f.code, f.path)]
        findings.extend(filter_noqa(kept, lines(result.path)) if kept else ())
    findings.sort(key=Finding.sort_key)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    ctx = ReportContext(lines=lines, show_source=args.show_source, color=color)
    sys.stdout.write(reporters()[args.format](findings, ctx))
    if args.statistics:
        stream = sys.stderr if args.format in ("json", "sarif") else sys.stdout
        stream.write(statistics(findings) + run.summary_for(len(findings)) + "\n")
    return FINDINGS if findings and not args.exit_zero else OK


def statistics(findings: Sequence[Finding]) -> str:
    """flake8-style counts: `count  CODE summary`, one line per code."""
    rules = all_rules()
    counts = Counter(f.code for f in findings)
    return "".join(f"{counts[code]:<5} {code} {rules[code].summary}\n" for code in sorted(counts))


def run_names(args: argparse.Namespace) -> int:
    """`scopelint names`: one row per variable created or fetched, in execution order."""
    settings = settings_for(args)
    rows: list[dict[str, object]] = []
    for result in run_files(args, settings, want_facts=True).results:
        if result.facts is None:  # not analysed: say why on stderr
            for f in result.findings:
                print(f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}", file=sys.stderr)
            continue
        facts = result.facts
        rows.extend({"path": result.path, "line": v.loc.line, "col": v.loc.col, "api": v.api,
                     "name": v.name, "pattern": v.pattern, "reused": v.reused, "status": status}
                    for v, status in zip(facts.variables, raise_statuses(facts)))
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write("".join(_name_line(r) for r in rows))
    return OK


_REUSED = {True: " (reused)", False: "", None: " (maybe reused)"}


def _name_line(row: dict[str, object]) -> str:
    """`path:line:col: api name`, then `(reused)`, `(maybe reused)`, `(raises)` or
    `(after error)`."""
    tag = f" ({row['status']})" if row["status"] else _REUSED[row["reused"]]  # type: ignore[index]
    name = row["name"] or row["pattern"]
    return f"{row['path']}:{row['line']}:{row['col']}: {row['api']} {name}{tag}\n"


def run_explain(args: argparse.Namespace) -> int:
    """`scopelint explain CODE`: the rule's documentation."""
    rules = all_rules()
    rule = rules.get(args.code.upper())
    if rule is None:
        raise UsageError(f"unknown code {args.code!r} (known: {', '.join(rules)})")
    sys.stdout.write(rule.doc())
    return OK


def run_rules(args: argparse.Namespace) -> int:
    """`scopelint rules`: codes and summaries, or the README's Markdown table."""
    rules = all_rules().values()
    width = max((len(rule.name) for rule in rules), default=0)
    sys.stdout.write(rules_markdown() if args.format == "markdown" else "".join(
        f"{rule.code}  {rule.name:<{width}}  {rule.summary}\n" for rule in rules))
    return OK


def rules_markdown() -> str:
    """The rule table README.md shows between its `rules` markers."""
    rows = "".join(f"| {r.code} | {r.name} | {r.summary.replace('|', chr(92) + '|')} |\n"
                   for r in all_rules().values())
    return "| Code | Name | Summary |\n| --- | --- | --- |\n" + rows


def source_lines(path: str) -> tuple[str, ...]:
    """A file's lines as Python splits them (\\n, \\r\\n or \\r); () when unreadable."""
    try:
        text = decode_source(read_source(path))
    except SourceError:
        return ()
    return tuple(io.StringIO(text, newline="").readlines())
