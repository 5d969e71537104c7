"""`accolade local up | token | invoke`: the local stack's command line."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _find_root(start: Path) -> Path:
    for candidate in (start, *start.parents):
        if (candidate / "template.yaml").exists():
            return candidate
    raise SystemExit(f"no template.yaml in {start} or its parents: run from the project")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="accolade", description="Accolade developer tools")
    parser.add_argument("--root", type=Path, help="project root (default: where template.yaml is)")
    groups = parser.add_subparsers(dest="group", required=True)
    local = groups.add_parser("local", help="the local stack (no Docker, no AWS account)")
    commands = local.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="run the stack in the foreground; Ctrl-C stops it")
    up.set_defaults(run=_up)
    up.add_argument("--api-port", type=int, default=3000)
    up.add_argument("--dynamodb-port", type=int, default=8000)
    up.add_argument("--aws-port", type=int, default=5000)
    up.add_argument("--in-memory", action="store_true", help="keep DynamoDB out of .local/")
    up.add_argument("--no-schedules", action="store_true", help="do not fire the schedules")
    up.add_argument("--no-seed", action="store_true", help="do not seed the demo tenant")
    up.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="template parameter override, e.g. LogRetentionDays=90",
    )
    up.add_argument("-v", "--verbose", action="store_true", help="log every request and poll")

    token = commands.add_parser("token", help="print a JWT the local API accepts")
    token.set_defaults(run=_token)
    token.add_argument("--tenant", required=True)
    token.add_argument("--user", required=True, help="the token's subject (user or client id)")
    token.add_argument("--admin", action="store_true", help="grant the admin role")
    token.add_argument("--scope", action="append", default=[], help="e.g. events:write")
    token.add_argument("--expires-in", type=int, default=3600, metavar="SECONDS")
    token.add_argument("--api-port", type=int, help="default: the running stack's, else 3000")

    invoke = commands.add_parser("invoke", help="invoke one function against the running stack")
    invoke.set_defaults(run=_invoke)
    invoke.add_argument("function_id", metavar="FunctionLogicalId")
    invoke.add_argument("--event", type=Path, help="event JSON file ('-' = stdin; default: {})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = (args.root or _find_root(Path.cwd())).resolve()
    return int(args.run(args, root))


def _up(args: argparse.Namespace, root: Path) -> int:
    from accolade_local.services import ServiceError
    from accolade_local.stack import LocalStack

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    if not args.verbose:
        for noisy in ("botocore", "boto3", "urllib3"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    ports = {name: getattr(args, name) for name in ("api_port", "dynamodb_port", "aws_port")}
    stack = LocalStack(
        root,
        **ports,
        in_memory=args.in_memory,
        schedules=not args.no_schedules,
        params=dict(p.split("=", 1) for p in args.param),
        out=lambda line: print(line, file=sys.stderr, flush=True),
    )
    # SIGINT explicitly (a shell may start us with it ignored); SIGTERM and SIGHUP stop the
    # stack as Ctrl-C does: through the same clean-up path.
    for stopping in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stopping, signal.default_int_handler)  # raises KeyboardInterrupt
    try:
        stack.start()
        if not args.no_seed:
            stack.seed_demo()
        print(stack.banner(), flush=True)
        stack.wait()
    except KeyboardInterrupt:
        print("\nstopping the local stack...", file=sys.stderr, flush=True)
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        # A second Ctrl-C must not interrupt the clean-up that leaves no process behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
    print("stopped.", file=sys.stderr, flush=True)
    return 0


def _token(args: argparse.Namespace, root: Path) -> int:
    from accolade_local.stack import AUDIENCE, issuer_for, read_state
    from accolade_local.tokens import LocalSigner

    data_dir = root / ".local"
    state = read_state(data_dir)
    port = args.api_port or (state["api_port"] if state else 3000)
    signer = LocalSigner(data_dir / "jwt", issuer_for(port), AUDIENCE)
    print(signer.mint(args.tenant, args.user, args.admin, args.scope, args.expires_in))
    return 0


def _invoke(args: argparse.Namespace, root: Path) -> int:
    from accolade_local import services
    from accolade_local.runtime import FunctionError
    from accolade_local.stack import read_state
    from accolade_local.template import LocalNames, Template

    state = read_state(root / ".local")
    if state is None:
        print("error: no local stack is running: start it with `make run`", file=sys.stderr)
        return 2
    try:
        path = args.event
        text = "{}" if path is None else sys.stdin.read() if str(path) == "-" else path.read_text()
        event = json.loads(text)
    except (OSError, ValueError) as exc:
        print(f"error: cannot read the event: {exc}", file=sys.stderr)
        return 2
    template = Template(root / "template.yaml")
    names = LocalNames().with_endpoint(state["aws_endpoint"])
    functions = template.functions(names)
    if args.function_id not in functions:
        known = ", ".join(sorted(functions))
        print(f"error: no function {args.function_id} (functions: {known})", file=sys.stderr)
        return 2
    spec = functions[args.function_id]
    workers = services.function_workers(spec, names, state["dynamodb_endpoint"])
    try:
        result = workers.invoke(event)
    except FunctionError as exc:
        print(json.dumps(exc.payload, indent=2))
        return 1
    finally:
        workers.stop()
    print(json.dumps(result, indent=2))
    return 0
