"""``classlab experiments list|show`` and ``classlab analyze`` / 实验目录与数据分析命令.

``analyze ID FILE.csv [--param NAME=VALUE]… [--json]`` reads a session CSV (or another logger's CSV,
see ``csvio.py``), runs the template's analysis and prints each result quantity (value ± uncertainty
unit) and the quality verdict. Bad *data* (missing column, wrong units, too short, a missing or unknown
``--param``) gives a result marked invalid with its reasons and exit 0 — the analysis ran; scripts read
``valid``. A malformed command line (unknown id, unreadable file, ``--param`` without ``=``) is one clear
line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from classlab.experiments import catalogue
from classlab.experiments.csvio import CsvError, read_csv
from classlab.experiments.runtime import RunResult, analyze
from classlab.experiments.template import TemplateError, load, template_ids
from classlab.gateway.cli import CommandError, UsageError

__all__ = ["add_parser", "format_result"]


def add_parser(sub: Any) -> None:
    exp = sub.add_parser("experiments", help="curriculum experiments and their templates / 课程实验与模板",
                         description="List the curriculum catalogue or show one experiment's template.")
    exp_sub = exp.add_subparsers(dest="action", metavar="ACTION")
    exp_sub.required = True
    ls = exp_sub.add_parser("list", help="list every catalogue experiment / 列出全部实验")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.add_argument("--required", action="store_true", help="only required student experiments (必做)")
    ls.set_defaults(func=_list)
    show = exp_sub.add_parser("show", help="show one experiment's template / 显示实验模板")
    show.add_argument("id", metavar="ID", help="catalogue id, e.g. PHY-S-04")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(func=_show)

    an = sub.add_parser("analyze", help="analyse a recorded CSV with an experiment's template / 分析实验数据",
                        description="Run an experiment template's analysis on a session CSV (time_s + "
                                    "<quantity>_<unit> columns; manual tables: trial + columns).")
    an.add_argument("id", metavar="ID", help="catalogue id, e.g. PHY-S-14")
    an.add_argument("file", metavar="FILE.csv", help="session CSV or another logger's CSV export")
    an.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="the template's own inputs, e.g. length_m=0.65 (repeatable)")
    an.add_argument("--json", action="store_true", help="print the result as JSON")
    an.set_defaults(func=_analyze)


def _template(exp_id: str) -> Any:
    try:
        catalogue.get(exp_id)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    try:
        return load(exp_id)
    except KeyError:
        raise CommandError(f"{exp_id} has no template yet") from None
    except TemplateError as exc:
        raise CommandError(f"template is broken: {exc}") from None


def _list(args: argparse.Namespace) -> int:
    have = set(template_ids())
    rows = [e for e in catalogue.entries() if e.required or not args.required]
    if args.json:
        print(json.dumps([{**e.to_json(), "template": e.id in have,
                           "kind": _kind(e.id) if e.id in have else None} for e in rows], ensure_ascii=False, indent=1))
        return 0
    for e in rows:
        mark = "必做" if e.required else "    "
        kind = "manual" if e.manual else ",".join(s.split(":")[-1] for s in e.sensors)
        print(f"{e.id:9} {mark} {'' if e.id in have else '(no template) '}{e.name_zh} / {e.name_en}  [{kind}]")
    print(f"{len(rows)} experiments, {sum(e.required for e in rows)} required, "
          f"{sum(e.id in have for e in rows)} with templates")
    return 0


def _kind(exp_id: str) -> str | None:
    try:
        return str(load(exp_id).kind)
    except TemplateError:
        return None


def _show(args: argparse.Namespace) -> int:
    tpl = _template(args.id)
    if args.json:
        print(json.dumps({"catalogue": tpl.entry.to_json(), "template": tpl.to_json()}, ensure_ascii=False, indent=1))
        return 0
    e = tpl.entry
    print(f"{tpl.id}  {tpl.title_zh} / {tpl.title_en}")
    print(f"  {e.subject} · {e.stage} · {'必做 required' if e.required else '选做 optional'} · {tpl.kind}")
    print(f"\n方法：{tpl.method_zh}\nMethod: {tpl.method_en}")
    if tpl.safety_zh:
        print(f"\n安全：{tpl.safety_zh}\nSafety: {tpl.safety_en}")
    if tpl.inputs:
        print("\nInputs / 输入:")
        for i in tpl.inputs:
            b = tpl.buffers[i.buffer]
            print(f"  {i.sensor:22} → {b.column:20} {i.rate_hz:g} Hz, {i.duration_s:g} s  {b.label_zh} / {b.label_en}")
    else:
        print("\nTable / 数据表:")
        for b in tpl.buffers.values():
            print(f"  {b.column:24} {b.label_zh} / {b.label_en}")
    if tpl.params:
        print("\nParameters (--param) / 参数:")
        for p in tpl.params.values():
            default = "required / 必填" if p.default is None else f"default {p.default:g}"
            print(f"  {p.name}=VALUE  {p.label_zh} / {p.label_en} [{p.unit}] ({default})")
    print("\nAnalysis / 分析: " + " → ".join(f"{a.name}({a.step})" for a in tpl.analysis))
    print("Results / 结果: " + ", ".join(f"{r.label_zh} / {r.label_en} [{r.unit}]" for r in tpl.results.values()))
    return 0


def _params(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"--param needs NAME=VALUE, got {item!r} (e.g. --param length_m=0.65)")
        out[name.strip()] = value.strip()
    return out


def format_result(tpl: Any, result: RunResult) -> str:
    """Human-readable result: one line per quantity, then the verdict and its reasons (zh + en)."""
    lines = [f"{tpl.id}  {tpl.title_zh} / {tpl.title_en}"]
    for name, q in result.results.items():
        r = tpl.results[name]
        lines.append(f"  {r.label_zh} / {r.label_en}: {q.value:.6g} ± {q.uncertainty:.2g} {q.unit}")
    for name, r in tpl.results.items():
        if name not in result.results:
            lines.append(f"  {r.label_zh} / {r.label_en}: — (not computed / 未得出)")
    lines.append("valid / 有效" if result.valid else "INVALID / 无效")
    for reason in result.reasons:
        where = f" [{reason.step}]" if reason.step else ""
        lines.append(f"  - {reason.code}{where}: {reason.en} / {reason.zh}")
    return "\n".join(lines)


def _analyze(args: argparse.Namespace) -> int:
    tpl = _template(args.id)
    params = _params(args.param)
    try:
        table = read_csv(args.file)
    except CsvError as exc:
        raise UsageError(str(exc)) from None
    result = analyze(tpl, table.columns, params)
    if args.json:
        out = result.to_json()
        out["notes"] = table.notes
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print(format_result(tpl, result))
        for note in table.notes:
            print(f"  note: {note}", file=sys.stderr)
    return 0
