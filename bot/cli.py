"""The terminal face: ask / check / choose / serve / review (unanswered)."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import __version__
from .knowledge import Knowledge, KnowledgeError, default_path, load_knowledge

if TYPE_CHECKING:  # the engine is imported when a command needs it: `check` and `serve` start faster
    from .answering.engine import AnswerEngine


def _load(path: str | None, full: bool = False) -> Knowledge:
    try:
        if not full:  # answering: the snapshot of the files validated before, when none of them changed
            from .understanding import snapshot

            return snapshot.load(path)
        return load_knowledge(path, full=full)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(1) from None


def _engine(args) -> AnswerEngine:
    """The engine for --knowledge (or the default file): a broken examples file, found when the model is
    trained from it, is FILE:LINE lines and exit 1 like any other problem of the knowledge."""
    from .answering.engine import AnswerEngine

    knowledge = _load(args.knowledge)
    threshold = _threshold(args)
    try:
        return AnswerEngine(knowledge, threshold)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(1) from None


def _threshold(args) -> float | None:
    from .settings import SettingsError, settings_from_env

    if args.threshold is not None:
        return args.threshold
    try:
        return settings_from_env().threshold
    except SettingsError as exc:
        print(f"container-bot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_ask(args) -> int:
    from .answering.brief import brief_text

    engine = _engine(args)
    if args.text:
        questions: Iterable[str] = [_from_argv(" ".join(args.text))]
    elif sys.stdin is None or sys.stdin.isatty() and not args.json:
        print('container-bot ask: give a question, e.g. container-bot ask "ecs or eks?"', file=sys.stderr)
        return 2
    else:
        questions = (line.rstrip("\r\n") for line in _stdin_lines())
    out = sys.stdout
    # whatever the locale says stdout takes, a question's text never ends the run with an encoding error
    ascii_only = not (out.encoding or "").lower().replace("-", "").startswith("utf")
    if hasattr(out, "reconfigure"):
        out.reconfigure(errors="replace")
    for question in questions:
        answer = engine.ask(question)
        text = brief_text(answer) if args.short else answer.text  # the full text unless --short
        if args.json:
            out.write(json.dumps(answer.to_json(text), ensure_ascii=ascii_only) + "\n")
        else:
            out.write(text + "\n")
            if args.why and answer.match:
                m = answer.match
                readings = ", ".join(f"{kind} {p:.2f}" for kind, p in m.readings)
                out.write(
                    f"[why] kind={m.kind} confidence={m.confidence} threshold={m.threshold} "
                    f"reason={m.reason}; model: {readings or 'none'}"
                    + (f"; situation: {m.situation}" if m.situation else "")
                    + f"; {m.phrasing}\n"
                )
                if m.found:
                    found = ", ".join(
                        f"{f.claim} ({f.score:.1f}, covers {f.coverage:.2f})" for f in m.found[:5]
                    )
                    out.write(
                        f"[why] claims found: {found}; answered with: {', '.join(m.claims) or 'none'}\n"
                    )
            out.write("\n" if not args.text else "")
    out.flush()
    return 0


def _stdin_lines():
    """Standard input as UTF-8 whatever the locale, invalid bytes replaced (never a UnicodeDecodeError),
    with \\n, \\r\\n and a lone \\r all ending a line."""
    raw = getattr(sys.stdin, "buffer", None)
    if raw is None:  # already text (an embedding program's stream)
        return (line for text in sys.stdin for line in text.splitlines())
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=None)


def _from_argv(text: str) -> str:
    """Arguments that were not valid UTF-8 arrive with surrogate escapes; replace them like stdin's bytes."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate no decoder made: nothing to recover
        return text.encode("utf-8", "replace").decode("utf-8")


def cmd_check(args) -> int:
    from .answering.decision import disagreeing_picks
    from .knowledge import stale
    from .knowledge.pages import untitled
    from .understanding.confusables import confusables
    from .understanding.policy import Matcher
    from .understanding.reachable import expired, unreachable

    path = args.file or str(default_path())
    knowledge = _load(path, full=True)  # the examples too, even when a cached model could skip them
    problems = [(path, line, message) for line, message in confusables(knowledge, args.threshold)]
    problems += [(knowledge.examples.path, line, message) for line, message in disagreeing_picks(knowledge)]
    matcher = Matcher(knowledge) if knowledge.claims else None
    problems += unreachable(matcher) if matcher else []
    problems += untitled(knowledge)  # answers name every page they cite by its title
    for file, line, message in problems:
        print(f"{file}:{line}: {message}", file=sys.stderr)
    if problems:
        return 1
    # Old facts are a warning, never a failure: CI must not break on a date alone.
    for old in stale(knowledge, args.max_age):
        print(
            f"{old.file or path}:{old.line}: warning: {old.what} was last checked on "
            f"{old.as_of.isoformat()}, more than {args.max_age} days ago; "
            f"re-read {old.source} and update its as_of",
            file=sys.stderr,
        )
    for file, line, message in expired(matcher) if matcher else []:
        print(f"{file}:{line}: {message}", file=sys.stderr)
    print(
        f"{path}: OK ({len(knowledge.topics)} topics, {len(knowledge.attributes)} attributes, "
        f"{len(knowledge.claims)} claims, {len(knowledge.comparisons)} comparisons, "
        f"{len(knowledge.criteria)} criteria, {len(knowledge.examples.items)} examples, "
        f"{len(knowledge.examples.languages)} other languages)"
    )
    return 0


def cmd_choose(args) -> int:
    from .answering.codes import parse_code
    from .terminal import run_choice

    knowledge = _load(args.knowledge)
    preset = {}
    if args.answers:
        try:
            preset = parse_code(knowledge, args.answers)
        except ValueError as exc:
            print(f"container-bot choose: {exc}", file=sys.stderr)
            return 2
    return run_choice(knowledge, sys.stdin, sys.stdout, preset)


def cmd_serve(args) -> int:
    from .slack.serve import serve

    return serve(force_http=args.http, port=args.port)


def cmd_review(args) -> int:
    from .review import report

    engine = _engine(args)
    return report(args.logfile, sys.stdout, limit=args.limit, engine=engine, command=args.command)


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of days") from None
    if days < 0:
        raise argparse.ArgumentTypeError("the number of days can't be negative")
    return days


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="container-bot",
        description="Answers questions about Amazon ECS, EKS and ECR, in Slack and in a terminal.",
    )
    parser.add_argument("--version", action="version", version=f"container-bot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer a question (or one per line from standard input)")
    ask.add_argument(
        "text", nargs="*", help="the question; without it, questions are read from standard input"
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ask.add_argument("--why", action="store_true", help="also show what the matcher understood")
    ask.add_argument(
        "--short", action="store_true", help="the short answer Slack shows first (the full text by default)"
    )
    ask.add_argument(
        "--threshold", type=float, help="answer threshold 0..1 (default from the knowledge file)"
    )
    ask.add_argument("--knowledge", help="knowledge file (default: KNOWLEDGE_FILE or the packaged one)")
    ask.set_defaults(func=cmd_ask)

    check = sub.add_parser("check", help="validate a knowledge file")
    check.add_argument("file", nargs="?", help="knowledge file (default: KNOWLEDGE_FILE or the packaged one)")
    check.add_argument("--threshold", type=float, help="score above which two phrasings count as confusable")
    check.add_argument(
        "--max-age",
        type=_days,
        default=365,
        metavar="DAYS",
        help="warn about facts whose source was last checked more than DAYS ago (default 365; never fails)",
    )
    check.set_defaults(func=cmd_check)

    choose = sub.add_parser("choose", help="the guided choice between ECS and EKS, in the terminal")
    choose.add_argument("--answers", help="replay an answer code, e.g. 'kubernetes=yes team_k8s=no'")
    choose.add_argument("--knowledge", help="knowledge file (default: KNOWLEDGE_FILE or the packaged one)")
    choose.set_defaults(func=cmd_choose)

    serve = sub.add_parser(
        "serve", help="run the Slack app (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)"
    )
    serve.add_argument("--http", action="store_true", help="HTTP mode even when SLACK_APP_TOKEN is set")
    serve.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    serve.set_defaults(func=cmd_serve)

    review = sub.add_parser(
        "review",
        aliases=["unanswered"],
        help="what to add to the knowledge next: unanswered questions and down-voted answers from a serve "
        "log, grouped, most frequent first, each with a suggested examples.yaml edit",
    )
    review.add_argument("logfile")
    review.add_argument("--limit", type=int, default=50, help="groups to show (default 50)")
    review.add_argument("--threshold", type=float, help=argparse.SUPPRESS)
    review.add_argument(
        "--knowledge",
        help="knowledge file that reads the questions (default: KNOWLEDGE_FILE or the packaged one)",
    )
    review.set_defaults(func=cmd_review)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
