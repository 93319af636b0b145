"""The `scopelint` command: argument parsing, subcommands and exit codes.

Exit status: 0 no findings, 1 findings, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, NoReturn, Optional, Sequence, TypedDict

from scopelint import __version__
from scopelint.config import (
    CODE_LISTS, ConfigError, Settings, did_you_mean, load_settings, split_codes,
)
from scopelint.facts import Finding, Location, VariableFact
from scopelint.files import PathNotFound, SourceError, decode_source, is_notebook, read_source
from scopelint.noqa import filter_noqa
from scopelint.report import FORMATS, ReportContext, reporter
from scopelint.rules import all_rules, fixers
from scopelint.rules.common import raise_statuses

if TYPE_CHECKING:
    from scopelint.fixes.apply import Keep
    from scopelint.fixes.change import FileChange
    from scopelint.notebook import CellMap
    from scopelint.analysis import FileResult
    from scopelint.runner import RunResult

OK, FINDINGS, ERROR = 0, 1, 2


class UsageError(Exception):
    """A command-line mistake argparse cannot see (an unknown rule to explain)."""


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the CLI; returns the exit status and never lets a traceback out."""
    started = time.perf_counter()
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse: 2 on a usage error, 0 for --help
        return exit_.code if isinstance(exit_.code, int) else ERROR
    args.started = started
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


def run() -> NoReturn:
    """The `scopelint` command: `main`, then exit without the interpreter's teardown.

    A large run keeps millions of objects (parsed trees, shared modules) until the end;
    freeing them one by one at exit took a quarter of a `--jobs 1` run. The output is
    flushed first; the operating system reclaims the rest at once (as mypy does).
    """
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away: what is left unwritten is lost anyway
        pass
    os._exit(status)


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
    common.add_argument("--no-follow-imports", action="store_true",
                        help="analyse each file alone, without the project modules it imports")
    common.add_argument("--verbose", "-v", action="store_true",
                        help="also say on stderr where the analysis stopped following the code")
    common.add_argument("--force-exclude", action="store_true",
                        help="apply the excludes to paths named on the command line too")
    common.add_argument("--quiet", "-q", action="store_true",
                        help="print no progress and no summary line")
    common.add_argument("--stdin-filename", metavar="PATH",
                        help="with PATH `-`: the name of the file read from stdin (config, "
                             "excludes and per-file-ignores apply to it)")

    check = sub.add_parser("check", parents=[common], help="report scope misuse")
    check.add_argument("--format", choices=FORMATS, default="text")
    for option in CODE_LISTS:
        check.add_argument(f"--{option}", metavar="CODES", action="append", type=split_codes,
                           help=f"comma-separated codes or prefixes to {option.replace('-', ' ')}")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--statistics", action="store_true", help="count findings per code")
    check.add_argument("--show-source", action="store_true",
                       help="show the source line and a caret under each finding (text)")
    check.add_argument("--fix", action="store_true", help="apply the safe fixes in place")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes as unified diffs and write nothing")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="also apply fixes that may change more than the bug (names, sharing)")
    check.set_defaults(handler=run_check)

    names = sub.add_parser("names", parents=[common],
                           help="predicted full name of every variable call site")
    names.add_argument("--format", choices=("text", "json"), default="text")
    target = names.add_mutually_exclusive_group()
    target.add_argument("--checkpoint", metavar="CKPT",
                        help="compare with a checkpoint (prefix, .index file or directory)")
    target.add_argument("--write-lock", metavar="FILE",
                        help="write the predicted names, shapes and dtypes to a names lock")
    names.set_defaults(handler=run_names)

    explain = sub.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("rule", metavar="CODE|NAME", help="e.g. TFS101 or duplicate-variable")
    explain.set_defaults(handler=run_explain)

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")
    rules.set_defaults(handler=run_rules)

    server = sub.add_parser("server", help="run the language server on stdin/stdout "
                            "(needs pygls: pip install \"scopelint[lsp]\")")
    server.add_argument("--stdio", action="store_true",
                        help="talk over stdin/stdout (the only transport; accepted for clients "
                             "that pass it)")
    server.set_defaults(handler=run_server)
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


def settings_for(args: argparse.Namespace,
                 stdin: Optional[tuple[str, bytes]] = None) -> Settings:
    """The effective settings: the config file (found from stdin's file name when
    reading stdin) overridden by the options."""
    overrides = {}
    for option in CODE_LISTS:
        given = getattr(args, option.replace("-", "_"), None)
        if given is not None:  # repeated options: the last --select wins, extends add up
            overrides[option] = given[-1] if not option.startswith("extend-") else sum(given, [])
    paths = args.paths
    if stdin is not None:  # found from stdin's file name, or from the working directory
        paths = [] if stdin[0] == "-" else [stdin[0]]
    settings = load_settings(paths, args.config, overrides, force_exclude=args.force_exclude)
    return replace(settings, follow_imports=False) if args.no_follow_imports else settings


def read_stdin(args: argparse.Namespace) -> Optional[tuple[str, bytes]]:
    """(file name, bytes) when the only PATH is `-`; None otherwise."""
    if "-" not in args.paths:
        if args.stdin_filename is not None:
            raise UsageError("--stdin-filename needs the PATH `-`")
        return None
    if len(args.paths) > 1:
        raise UsageError("`-` (stdin) cannot be combined with other paths")
    return args.stdin_filename or "-", sys.stdin.buffer.read()


def run_files(args: argparse.Namespace, settings: Settings, want_facts: bool,
              stdin: Optional[tuple[str, bytes]]) -> RunResult:
    """Analyse the paths (or stdin) with the runner (unfiltered findings, sorted by path)."""
    from scopelint import runner  # imported here: `explain` and `rules` need no engine

    if stdin is not None:
        run = runner.run_stdin(*stdin, settings, want_facts=want_facts or args.verbose)
    else:
        run = runner.run(list(args.paths), settings, jobs=args.jobs,
                         use_cache=not args.no_cache, want_facts=want_facts or args.verbose,
                         progress=not args.quiet)
    if stdin is None and not run.results and not any(os.path.isfile(p) for p in args.paths):
        # (a file named on the command line and excluded, as pre-commit passes them, is not)
        print("scopelint: warning: no Python files or notebooks found under "
              f"{', '.join(args.paths)}", file=sys.stderr)
    if args.verbose:
        for note in dict.fromkeys(n for r in run.results if r.facts for n in r.facts.notes):
            print(f"scopelint: {note}", file=sys.stderr)
        for result in run.results:
            calls = dict.fromkeys(result.facts.unknown_calls if result.facts else ())
            if calls:
                print(f"scopelint: {result.path}: calls that may have changed the TF state:",
                      file=sys.stderr)
            for call in calls:
                print(f"scopelint:   {call}", file=sys.stderr)
    return run


def checked_run(args: argparse.Namespace, settings: Settings,
                stdin: Optional[tuple[str, bytes]]) -> RunResult:
    """The analysis of the files, with the names lock's differences as findings (TFS301)."""
    run = run_files(args, settings, want_facts=settings.names_lock is not None, stdin=stdin)
    if settings.names_lock is not None:
        add_lock_findings(settings.names_lock, run)
    return run


def run_check(args: argparse.Namespace) -> int:
    """`scopelint check`: report the findings the settings and noqa comments keep; with
    `--fix`, report those the fixes leave; with `--diff`, print the fixes instead. With
    `names-lock`, the names that differ from the lock are findings too (TFS301)."""
    stdin = read_stdin(args)
    settings = settings_for(args, stdin)
    sources = Sources(stdin)  # only files with findings are read
    run = checked_run(args, settings, stdin)
    findings, changes = kept_findings(run, settings, sources.lines, args, fixes=stdin is None)
    if args.diff:  # stdout stays a patch: the findings no fix removes go to stderr
        sys.stdout.write("".join(change.diff() for change in changes) + names_of(changes))
        sys.stdout.flush()
        sys.stderr.write(reporter("text")(findings, ReportContext(lines=sources.lines,
                                                                  cells=sources.cells)))
        sys.stderr.write(fix_summary(changes, findings, "would fix", args.unsafe_fixes))
        return FINDINGS if (changes or findings) and not args.exit_zero else OK
    for change in changes if args.fix else ():
        change.write()
    summary = fix_summary(changes, findings, "fixed", args.unsafe_fixes) + names_of(changes)
    sources = Sources(stdin)  # the fixed files are read again
    if args.fix and changes:  # a fixed module changes what the modules importing it report
        findings, _ = kept_findings(checked_run(args, settings, stdin), settings, sources.lines,
                                    argparse.Namespace(**{**vars(args), "fix": False}))
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    ctx = ReportContext(lines=sources.lines, show_source=args.show_source, color=color,
                        cells=sources.cells)
    sys.stdout.write(reporter(args.format)(findings, ctx))
    if args.fix:
        sys.stderr.write(summary)
    if args.statistics:  # stdout holds only the report, unless it is text
        stream = sys.stdout if args.format == "text" else sys.stderr
        stream.write(statistics(findings))
    if not args.quiet:
        sys.stdout.flush()
        # the whole command's time: the fixes JSON and SARIF carry are worked out after the run
        print(run.summary_for(findings, time.perf_counter() - args.started), file=sys.stderr)
    return FINDINGS if findings and not args.exit_zero else OK


def add_lock_findings(names_lock: str, run: RunResult) -> None:
    """TFS301: the names that differ from the lock, each with the file it is reported in."""
    from scopelint import lock
    from scopelint.analysis import FileResult

    by_path = {result.path: result for result in run.results}
    for finding in lock.check(names_lock, run.results):
        if finding.path not in by_path:  # a lock entry no longer created: the lock's line
            by_path[finding.path] = FileResult(finding.path)
            run.results.append(by_path[finding.path])
        by_path[finding.path].findings.append(finding)


def kept_findings(run: RunResult, settings: Settings, lines: Callable[[str], Sequence[str]],
                  args: argparse.Namespace, fixes: bool = True
                  ) -> tuple[list[Finding], list[FileChange]]:
    """The findings the settings and noqa comments keep, sorted, and the files the fixes
    change. With --fix/--diff the findings are those left after the fixes; with JSON or
    SARIF output they carry their fixes. Notebooks and stdin get no fixes."""

    def keep(found: Sequence[Finding], text: str) -> list[Finding]:
        kept = [f for f in found if settings.is_enabled(f.code, f.path)]
        return filter_noqa(kept, io.StringIO(text, newline="").readlines()) if kept else []

    findings: list[Finding] = []
    changes: list[FileChange] = []
    wants_fixes = fixes and (args.fix or args.diff or args.format in ("json", "sarif"))
    for result in run.results:
        kept = [f for f in result.findings if settings.is_enabled(f.code, result.path)]
        kept = filter_noqa(kept, lines(result.path)) if kept else []
        change = fix_file(result.path, kept, keep, args) \
            if wants_fixes and not is_notebook(result.path) and fixable(kept) else None
        if change is not None:
            kept = change.findings
            if change.after != change.before:
                changes.append(change)
        findings.extend(kept)
    findings.sort(key=Finding.sort_key)
    return findings, changes


def fixable(findings: Sequence[Finding]) -> bool:
    """Whether any finding's rule has a fixer (fixes and libcst are loaded only then)."""
    return bool(findings) and any(f.code in fixers() for f in findings)


def fix_file(path: str, findings: list[Finding], keep: Keep, args: argparse.Namespace
             ) -> Optional[FileChange]:
    """With --fix/--diff, the file fixed; otherwise the findings with their fixes attached.
    None when the file cannot be read back. Runs with the analysis' large stack."""
    from scopelint.analysis import recursion_guard
    from scopelint.fixes.apply import fix_text, with_fixes
    from scopelint.fixes.change import FileChange
    from scopelint.runner import in_big_stack

    try:
        data = read_source(path)
        text = decode_source(data)
    except SourceError:
        return None
    recursion_guard()
    if not (args.fix or args.diff):
        attached = in_big_stack(lambda: with_fixes(path, text, findings))
        return FileChange(path, data, text, text, 0, attached)
    fixed = in_big_stack(lambda: fix_text(path, text, keep, unsafe=args.unsafe_fixes))
    return FileChange(path, data, text, fixed.text, fixed.fixed, fixed.remaining)


def names_of(changes: Sequence[FileChange]) -> str:
    """The variable names the changes predict to change (the engine runs on both texts)."""
    if not changes:
        return ""
    from scopelint.fixes.change import names_summary
    from scopelint.runner import in_big_stack

    return in_big_stack(lambda: names_summary(changes))


def fix_summary(changes: Sequence[FileChange], findings: Sequence[Finding], done: str,
                unsafe: bool) -> str:
    """`fixed N findings in M files`, and how many more `--unsafe-fixes` would fix."""
    hidden = 0 if unsafe else sum(1 for f in findings if f.fix is not None and not f.fix.safe)
    more = f" ({hidden} more with --unsafe-fixes)" if hidden else ""
    return (f"scopelint: {done} {plural(sum(c.fixed for c in changes), 'finding')} in "
            f"{plural(len(changes), 'file')}{more}\n")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def statistics(findings: Sequence[Finding]) -> str:
    """flake8-style counts: `count  CODE summary`, one line per code."""
    rules = all_rules()
    counts = Counter(f.code for f in findings)
    return "".join(f"{counts[code]:<5} {code} {rules[code].summary}\n" for code in sorted(counts))


def analysed(results: Sequence[FileResult], ctx: ReportContext) -> list[FileResult]:
    """The results of the files analysed; why the others were not goes to stderr."""
    for result in results:
        if result.facts is None:
            sys.stderr.write(reporter("text")(result.findings, ctx))
    return [result for result in results if result.facts is not None]


def unanalysed(results: Sequence[FileResult]) -> bool:
    """Whether a file could not be analysed (TFS000-TFS002): `names` then exits 1, as
    `check` does for those findings."""
    return any(result.facts is None and result.findings for result in results)


def run_names(args: argparse.Namespace) -> int:
    """`scopelint names`: one row per variable created or fetched, in execution order.

    A file that another analysed file imports shows its rows through that file's
    run (with the callers' scopes); its own run adds only the sites no other run
    reached (functions nobody calls, replayed in an unknown enclosing scope).
    """
    stdin = read_stdin(args)
    settings = settings_for(args, stdin)
    sources = Sources(stdin)
    ctx = ReportContext(lines=sources.lines, cells=sources.cells)
    if args.checkpoint is not None:
        return run_checkpoint(args, settings, stdin, ctx)
    every = run_files(args, settings, want_facts=True, stdin=stdin).results
    status = FINDINGS if unanalysed(every) else OK
    results = analysed(every, ctx)
    if args.write_lock is not None:
        from scopelint import lock

        count = lock.write(args.write_lock, results)
        print(f"scopelint: wrote {count} names to {args.write_lock}", file=sys.stderr)
        return status
    imported = {os.path.normpath(m) for r in results if r.facts for m in r.facts.modules}
    rows: list[NameRow] = []
    for result in results:
        if os.path.normpath(result.path) not in imported:
            rows.extend(name_rows(result, ctx))
    reached = {(r["path"], r.get("cell"), r["line"], r["col"]) for r in rows}
    for result in results:
        if os.path.normpath(result.path) in imported:
            own = name_rows(result, ctx)
            rows.extend(r for r in own if r["path"] == result.path
                        and (r["path"], r.get("cell"), r["line"], r["col"]) not in reached)
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write("".join(_name_line(r) for r in rows))
    return status


REUSED = {True: " (reused)", False: "", None: " (maybe reused)"}


class _InCell(TypedDict, total=False):
    cell: int  # in a notebook only


class NameRow(_InCell):
    """A `names` row, as JSON shows it."""

    path: str
    line: int
    col: int
    api: str
    name: Optional[str]
    pattern: str
    shape: Optional[list[int]]
    dtype: Optional[str]
    reused: Optional[bool]
    status: Optional[str]
    stack: list[str]
    cause: Optional[str]


def name_rows(result: FileResult, ctx: ReportContext) -> list[NameRow]:
    """The `names` rows of one analysed file's run."""
    facts = result.facts
    assert facts is not None
    return [name_row(result.path, v, ctx, status)
            for v, status in zip(facts.variables, raise_statuses(facts))]


def name_row(path: str, fact: VariableFact, ctx: ReportContext,
             status: Optional[str] = None) -> NameRow:
    """A `names` row: where the request is, what it asks for, whether TF raises there
    (`raises`) or has raised before (`after error`), and the calls leading there (in a
    notebook, with its cell and the line in that cell)."""
    loc = fact.loc
    where = loc.path or path
    cell, line = ctx.in_cell(where, loc.line)
    in_cell: _InCell = {} if cell is None else {"cell": cell}
    return {"path": where, **in_cell, "line": line,
            "col": loc.col, "api": fact.api, "name": fact.name, "pattern": fact.pattern,
            "shape": None if fact.shape is None else list(fact.shape), "dtype": fact.dtype,
            "reused": fact.reused, "status": status,
            "stack": [_site(site, path, ctx) for site in fact.stack],
            "cause": None if fact.cause is None else
            f"{_site(fact.cause.loc, path, ctx)}: {fact.cause.what}"}


def _name_line(row: NameRow) -> str:
    """`path:line:col: api name`, its shape and dtype when known (`[784, 64] float32`, `?`
    for an unknown part), then `(reused)`, `(maybe reused)`, `(raises)` or `(after error)`,
    then the calls that lead there, innermost first (`← train.py:12`), then what made it
    uncertain."""
    from scopelint.checkpoint_compare import shape_text  # `check` needs none of it

    tag = f" ({row['status']})" if row["status"] else REUSED[row["reused"]]
    cell = f"cell {row['cell']}:" if "cell" in row else ""
    shape, dtype = row["shape"], row["dtype"]
    spec = "" if shape is None and dtype is None else \
        f" {shape_text(shape)} {dtype or '?'}"
    own = f"{row['path']}:"
    calls = "".join(f" ← {'line ' + site[len(own):] if site.startswith(own) else site}"
                    for site in reversed(row["stack"]))
    cause = f" [uncertain since {row['cause']}]" if row.get("cause") else ""
    return (f"{row['path']}:{cell}{row['line']}:{row['col']}: {row['api']} "
            f"{row['name'] or row['pattern']}{spec}{tag}{calls}{cause}\n")


def _site(site: Location, path: str, ctx: ReportContext) -> str:
    """`train.py:12`, or `nb.ipynb:cell 3:4` in a notebook."""
    where = site.path or path
    cell, line = ctx.in_cell(where, site.line)
    return f"{where}:{'' if cell is None else f'cell {cell}:'}{line}"


def run_checkpoint(args: argparse.Namespace, settings: Settings,
                   stdin: Optional[tuple[str, bytes]], ctx: ReportContext) -> int:
    """`scopelint names --checkpoint CKPT`: exit 1 when the code and the checkpoint disagree,
    2 when the checkpoint is object-based (its keys are object paths, not variable names)."""
    from scopelint import checkpoint, checkpoint_compare
    from scopelint.report.checkpoint import render_json, render_text

    try:
        ckpt = checkpoint.load(args.checkpoint)  # before the analysis: a bad path fails fast
    except checkpoint.CheckpointError as err:
        print(f"scopelint: error: {err}", file=sys.stderr)
        return ERROR
    if ckpt.note:
        print(f"scopelint: note: {ckpt.note}", file=sys.stderr)
    results = analysed(run_files(args, settings, want_facts=True, stdin=stdin).results, ctx)
    cmp = checkpoint_compare.compare(checkpoint_compare.predictions(results),
                                     ckpt.comparable(), checkpoint_compare.slot_names(results))
    sys.stdout.write((render_json if args.format == "json" else render_text)(cmp, ckpt))
    if ckpt.object_based:
        print(f"scopelint: error: {ckpt.index} is an object-based checkpoint (TF2 "
              "tf.train.Checkpoint): its keys are object paths, not variable names; only "
              "its variables' object paths were compared", file=sys.stderr)
        return ERROR
    return OK if cmp.agrees else FINDINGS


def run_explain(args: argparse.Namespace) -> int:
    """`scopelint explain CODE|NAME`: the rule's documentation (codes in any case)."""
    rules = all_rules()
    by_name = {rule.name: rule for rule in rules.values()}
    rule = rules.get(args.rule.upper()) or by_name.get(args.rule.lower())
    if rule is None:
        word = args.rule.lower()
        fragment = [name for name in by_name if word in name.split("-") or
                    (len(word) >= 3 and any(part.startswith(word) for part in name.split("-")))]
        hint = (f" (did you mean {' or '.join(map(repr, fragment))}?)" if 0 < len(fragment) <= 3
                else did_you_mean(word, by_name))
        raise UsageError(f"unknown rule {args.rule!r}{hint} (known: {', '.join(rules)}, "
                         "or a rule's name as `scopelint rules` lists it)")
    sys.stdout.write(rule.doc())
    return OK


def run_rules(args: argparse.Namespace) -> int:
    """`scopelint rules`: codes and summaries, or the README's Markdown table."""
    rules = all_rules().values()
    width = max((len(rule.name) for rule in rules), default=0)
    sys.stdout.write(rules_markdown() if args.format == "markdown" else "".join(
        f"{rule.code}  {rule.name:<{width}}  {rule.summary}\n" for rule in rules))
    return OK


def run_server(args: argparse.Namespace) -> int:
    """`scopelint server`: the language server (see `scopelint.server`)."""
    from scopelint.server import serve

    return serve()


def rules_markdown() -> str:
    """The rule table README.md shows between its `rules` markers."""
    rows = "".join(f"| {r.code} | {r.name} | {r.summary.replace('|', chr(92) + '|')} |\n"
                   for r in all_rules().values())
    return "| Code | Name | Summary |\n| --- | --- | --- |\n" + rows


class Sources:
    """The analysed lines (a notebook's: those of its code cells' module) and cell maps of
    the files reported on, read once each; stdin's under its file name."""

    def __init__(self, stdin: Optional[tuple[str, bytes]] = None) -> None:
        self.stdin = stdin
        self.read: dict[str, tuple[tuple[str, ...], Optional[CellMap]]] = {}

    def lines(self, path: str) -> tuple[str, ...]:
        return self._load(path)[0]

    def cells(self, path: str) -> Optional[CellMap]:
        return self._load(path)[1]

    def _load(self, path: str) -> tuple[tuple[str, ...], Optional[CellMap]]:
        if path not in self.read:
            self.read[path] = source_lines(path, self.stdin[1] if self.stdin and
                                           self.stdin[0] == path else None)
        return self.read[path]


def source_lines(path: str, data: Optional[bytes] = None
                 ) -> tuple[tuple[str, ...], Optional[CellMap]]:
    """A file's lines as Python splits them (\\n, \\r\\n or \\r) and, for a notebook,
    its cell map; ((), None) when unreadable. `data`: the bytes, when already read."""
    cells = None
    try:
        data = read_source(path) if data is None else data
        if is_notebook(path):
            from scopelint.notebook import read_notebook

            notebook = read_notebook(data)
            text, cells = notebook.text, notebook.cells
        else:
            text = decode_source(data)
    except SourceError:
        return (), None
    return tuple(io.StringIO(text, newline="").readlines()), cells
