"""``mentorkit scenario``: write a new scenario from the template, check files, preview a play.

``scenario new NAME --family F [--skills ...] [--out DIR]``
    writes ``NAME.yaml`` (in the current folder unless ``--out`` is given): a commented
    template that loads, passes ``scenario check`` and plays. An existing file is kept.
``scenario check PATH...``
    every problem of every file (folders are searched for ``*.yaml``), each as
    ``FILE:LINE: field: message``, then warnings, then plays the file's own examples and the
    scenario's sample reply sets (``samples/NAME.yaml`` beside the file; each kind's mean must
    be 80+ for strong, 55 or less for weak, 45 or less for stuffed and off-topic); exit 0
    clean, 1 problems, 2 a file could not be read.
``scenario preview PATH [--replies FILE] [--set KIND[:N]]``
    plays the file's example replies, a set from its sample file, or the replies in FILE
    (one per line) and prints
    the transcript, the findings of each reply and the debrief.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from mentorkit.errors import MentorkitError

__all__ = ["add_parsers", "run_new", "run_check", "run_preview", "check_paths"]


def add_parsers(sub) -> None:
    p = sub.add_parser("scenario", help="write, check and preview your own practice scenarios",
                       description="Author practice scenarios: start from a template that already plays, "
                                   "check files (every problem with its line), preview a conversation. "
                                   "Files in the folders named by MENTORKIT_SCENARIOS are offered beside "
                                   "the shipped scenarios.")
    ssub = p.add_subparsers(dest="scenario_command", metavar="COMMAND")
    ssub.required = True
    n = ssub.add_parser("new", help="write NAME.yaml from the commented template",
                        description="Write NAME.yaml: a commented template that loads, passes "
                                    "'scenario check' and plays. Rewrite its story and criteria.")
    n.add_argument("name", help="the scenario's name: lower-case letters, digits and _")
    n.add_argument("--family", required=True, help="the family it belongs to, e.g. hard_conversations")
    n.add_argument("--skills", nargs="+", metavar="SKILL",
                   help="skills to score (default: active_listening intent_tone); British or American spelling")
    n.add_argument("--out", metavar="DIR", help="folder to write to (default: the current folder)")
    n.add_argument("--force", action="store_true", help="overwrite an existing file")
    n.set_defaults(func=run_new)
    c = ssub.add_parser("check", help="check scenario files: every problem, warnings, sample plays",
                        description="Check scenario files (or folders of them): every problem as "
                                    "FILE:LINE: field: message, warnings for parts that can never matter, "
                                    "then the file's examples and the sample reply sets in samples/NAME.yaml beside it "
                                    "are played (the mean of each kind: strong 80+, weak 55 or less, stuffed "
                                    "and off-topic 45 or less). "
                                    "Exit 0 clean, 1 problems, 2 unreadable.")
    c.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    c.add_argument("--no-play", action="store_true", help="skip the sample plays")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.set_defaults(func=run_check)
    v = ssub.add_parser("preview", help="play a scenario file and print transcript, findings and debrief",
                        description="Play a scenario file with its sample replies (or --replies FILE, one "
                                    "reply per line) and print the transcript, what was found in each reply "
                                    "and the debrief.")
    v.add_argument("path", help="the scenario file")
    v.add_argument("--replies", metavar="FILE", help="replies to play, one per line (default: a sample set)")
    v.add_argument("--set", dest="sample_set", default="strong", metavar="KIND[:N]",
                   help="which replies to play: the file's own examples of KIND, or set N (from 0) of KIND in "
                        "the scenario's sample file samples/NAME.yaml (default strong)")
    v.add_argument("--seed", type=int, default=0, help="picks the mentee's wording (default 0)")
    v.add_argument("--format", choices=["text", "json"], default="text")
    v.set_defaults(func=run_preview)


def run_new(args) -> int:
    from mentorkit.scenarios.template import template_text
    text = template_text(args.name, args.family, args.skills)
    folder = Path(args.out) if args.out else Path.cwd()
    if folder.exists() and not folder.is_dir():
        raise MentorkitError(f"{folder}: --out must be a folder")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{args.name}.yaml"
    if path.exists() and not args.force:
        raise MentorkitError(f"{path}: already exists; choose another name, or pass --force to overwrite it")
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}\nnext: edit it, then 'mentorkit scenario check {path}' and "
          f"'mentorkit practice {path}'")
    return 0


def _expand(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml") and q.is_file())
            if not found:
                raise MentorkitError(f"{p}: folder holds no .yaml scenario files")
            out.extend(found)
        else:
            out.append(p)
    return out


def check_paths(paths: list[str], play: bool = True):
    """The :class:`~mentorkit.scenarios.check.CheckReport` of each file under *paths*, with a progress bar
    over the plays (the replies of every file are parsed together first: ``check_files``)."""
    from functools import partial

    from tqdm import tqdm
    from mentorkit.scenarios.check import check_files
    files = _expand(paths)
    bar = partial(tqdm, desc="playing", unit="file", disable=len(files) < 5 or not sys.stderr.isatty())
    return check_files(files, play=play, progress=bar)


def run_check(args) -> int:
    reports = check_paths(args.paths, play=not args.no_play)
    if args.format == "json":
        print(json.dumps([r.to_dict() for r in reports], indent=2, ensure_ascii=False))
    else:
        for r in reports:
            for line in r.lines():
                print(line)
        n_err = sum(len(r.errors) for r in reports)
        n_warn = sum(len(r.warnings) for r in reports)
        clean = sum(1 for r in reports if r.exit_code == 0)
        print(f"{len(reports)} file(s): {clean} ok, {len(reports) - clean} with problems; "
              f"{n_err} problem(s), {n_warn} warning(s)", file=sys.stderr)
    return max(r.exit_code for r in reports)


def _load_for_play(path: str):
    from mentorkit.scenarios.check import check_file
    report = check_file(path, play=False)
    if report.scenario is None:
        raise MentorkitError("\n".join(str(p) for p in report.errors) +
                             f"\n{path}: cannot be previewed until these are fixed", exit_code=report.exit_code)
    return report.scenario


def _sample_replies(scenario, path: str, wanted: str) -> list[str]:
    """The replies ``--set KIND[:N]`` names: the file's own examples, else set N of the sample file."""
    from mentorkit.scenarios.samples import read_samples, samples_path
    kind, _, number = wanted.partition(":")
    if kind in scenario.examples and not number:
        return list(scenario.examples[kind])
    where = samples_path(scenario)
    sets = read_samples(where, scenario)[0] if where.is_file() else None
    have = sorted(set(scenario.examples) | set(sets.sets if sets else ()))
    if sets is None or kind not in sets.sets:
        raise MentorkitError(f"{path}: no sample set {kind!r} in the file's examples or in {where} "
                             f"(there are: {', '.join(have) or 'none'}); pass --replies FILE")
    try:
        index = int(number or 0)
        return list(sets.sets[kind][index])
    except (ValueError, IndexError):
        raise MentorkitError(f"{where}: field 'sets.{kind}': --set {wanted}: N must be a number from 0 to "
                             f"{len(sets.sets[kind]) - 1}") from None


def run_preview(args) -> int:
    from mentorkit.scenarios.play import play_replies
    scenario = _load_for_play(args.path)
    if args.replies:
        from mentorkit.cli.practice import read_script
        replies = read_script(args.replies)
    else:
        replies = _sample_replies(scenario, args.path, args.sample_set)
    session = play_replies(scenario, replies, seed=args.seed)
    if args.format == "json":
        print(json.dumps(session.to_dict(), indent=2, ensure_ascii=False))
        return 0
    print(preview_text(session))
    return 0


def preview_text(session) -> str:
    """Transcript with each reply's findings and state, then the debrief (what ``preview`` prints)."""
    import textwrap
    from mentorkit.scenarios.debrief import describe_key
    s = session.scenario
    out = [f"{s.title} ({s.name}, rubric {s.rubric.version})", ""]
    for ln in session.lines:
        who = s.persona.name if ln.speaker == "mentee" else "You"
        out.append(f"[{ln.line}] {who}:")
        out.extend(textwrap.fill(p, 88, initial_indent="    ", subsequent_indent="    ")
                   for p in (ln.text or "(no reply)").split("\n") if p.strip())
        if ln.speaker == "mentor":
            found = ", ".join(describe_key(k) for k in sorted(ln.findings)) or "nothing the rubric counts"
            moved = ", ".join(f"{k} {v:+.2f}" for k, v in ln.deltas.items() if abs(v) > 1e-9) or "no change"
            branch = f"; branch {ln.branch}" if ln.branch is not None else ""
            out.append(f"    found: {found}")
            out.append(f"    state: {moved}{branch}")
    out += ["", session.debrief().to_text()]
    return "\n".join(out)
