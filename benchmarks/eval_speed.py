"""Scoring and significance speed: ``mt eval`` against the sacrebleu CLI on the same files.

Wall time is what the targets are about; CPU time (user + system of the process and the workers
it waited for) is printed beside it because it does not depend on what else the machine runs,
and so is the 1-minute load average when each command started: mt's two worker processes only
halve the wall time when a second core is free.

Generates synthetic statement-like segments (a reference and three systems of different
quality), then times, each as a subprocess on the same files and in the same run:

1. plain scoring of one system, BLEU + chrF: ``mt eval score`` vs ``sacrebleu REF -i A``;
2. comparing three systems with paired bootstrap (1,000 resamples), BLEU + chrF:
   ``mt eval compare --paired-bs`` vs ``sacrebleu REF -i A B C --paired-bs``.

Scores must be identical (full precision for plain scoring, sacrebleu's 4 printed decimals for
the paired table) and p-values within 0.01, or the script exits 1. Targets: plain scoring at
most 1.1x sacrebleu's time, the comparison at least 2x faster.

If sacrebleu's paired test runs past ``--sacrebleu-timeout`` (default 10 min) at the full size,
it is stopped and both tools are also measured at ``--fallback-segments``; both sizes are
printed. sacrebleu materialises a (resamples x segments x statistics) float32 array per system
and metric: about 7 GB for chrF at 100,000 segments, so the machine needs the memory.

    python benchmarks/eval_speed.py [--segments 100000] [--tgt ru] [--resamples 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------- synthetic statements

_RU = {
    "who": ["Министерство иностранных дел", "Пресс-секретарь МИД", "Президент Республики",
            "Министр иностранных дел", "Посольство в Баку", "Делегация Азербайджана",
            "Правительство", "Совет Безопасности ООН", "Генеральный секретарь ОБСЕ"],
    "verb": ["приветствовало", "осудило", "поддержало", "обсудило", "подтвердило",
             "отметило", "призвало к продолжению", "выразило обеспокоенность в связи с"],
    "what": ["трехстороннее заявление", "региональное сотрудничество", "защиту прав человека",
             "возвращение вынужденных переселенцев", "резолюцию Совета Безопасности",
             "итоги переговоров", "соглашение об энергетической безопасности",
             "принципы международного права", "программу гуманитарного разминирования",
             "развитие транспортного коридора"],
    "tail": ["в пятницу", "на брифинге", "в ходе встречи с делегацией ОБСЕ", "в заявлении",
             "в ходе телефонного разговора", "на полях конференции в Женеве"],
    "month": ["января", "марта", "июня", "сентября", "ноября", "декабря"],
    "unit": ["человек", "семей", "гектаров", "манатов", "тонн гуманитарной помощи"],
}  # fmt: skip
_EN = {
    "who": ["The Ministry of Foreign Affairs", "The spokesperson", "The President",
            "The Foreign Minister", "The Embassy in Baku", "The delegation of Azerbaijan",
            "The Government", "The UN Security Council", "The OSCE Secretary General"],
    "verb": ["welcomed", "condemned", "supported", "discussed", "reaffirmed", "noted",
             "called for the continuation of", "expressed concern over"],
    "what": ["the trilateral statement", "regional cooperation", "the protection of human rights",
             "the return of displaced persons", "the resolution of the Security Council",
             "the results of the talks", "the agreement on energy security",
             "the principles of international law", "the humanitarian demining programme",
             "the development of the transport corridor"],
    "tail": ["on Friday", "at the briefing", "during the meeting with the OSCE delegation",
             "in a statement", "during a telephone conversation", "on the sidelines in Geneva"],
    "month": ["January", "March", "June", "September", "November", "December"],
    "unit": ["people", "families", "hectares", "manats", "tonnes of humanitarian aid"],
}  # fmt: skip


def statement(rng: random.Random, v: dict[str, list[str]], tgt: str) -> str:
    """One or two clauses in the style of a foreign-ministry release."""
    day, year, n = rng.randint(1, 28), rng.randint(2018, 2025), rng.randint(2, 950) * 100
    month = rng.choice(v["month"])
    date = f"{day} {month} {year} года" if tgt == "ru" else f"{month} {day}, {year}"
    num = f"{n:,}".replace(",", " " if tgt == "ru" else ",")
    first = f"{rng.choice(v['who'])} {rng.choice(v['verb'])} {rng.choice(v['what'])}"
    parts = [first, rng.choice(v["tail"])]
    if rng.random() < 0.5:
        parts.append(f"{date}" if tgt == "ru" else f"on {date}")
    if rng.random() < 0.4:
        joiner = "и сообщило о помощи для" if tgt == "ru" else "and announced aid for"
        parts.append(f"{joiner} {num} {rng.choice(v['unit'])}")
    return " ".join(parts) + "."


def degrade(text: str, rng: random.Random, p: float, vocab: list[str]) -> str:
    """A system output: substituted, dropped and swapped words at rate ``p``."""
    words = text.split()
    out = []
    for w in words:
        r = rng.random()
        if r < p * 0.5:
            out.append(rng.choice(vocab))
        elif r < p * 0.7:
            continue
        else:
            out.append(w)
    if len(out) > 3 and rng.random() < p:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    return " ".join(out)


def make_data(folder: Path, n: int, tgt: str, seed: int = 1) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    v = _RU if tgt == "ru" else _EN
    refs = [statement(rng, v, tgt) for _ in range(n)]
    vocab = sorted({w for line in refs[:2000] for w in line.split()})
    files = {"ref": refs}
    for name, p in (("A", 0.22), ("B", 0.215), ("C", 0.25)):
        files[name] = [degrade(r, rng, p, vocab) for r in refs]
    paths = {}
    for name, lines in files.items():
        paths[name] = folder / f"{name}.{tgt}"
        paths[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


# ----------------------------------------------------------------------------- running


@dataclass
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system, the process and the workers it waited for
    peak_mb: float
    out: str
    timed_out: bool = False
    load: float = 0.0  # 1-minute load average when it started: other work on the machine


def run(cmd: list[str], timeout: float | None = None, env: dict[str, str] | None = None) -> Run:
    """Run a command, its stdout to a file; wall time and peak RSS of the process (wait4)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, \
            tempfile.TemporaryFile("w+", encoding="utf-8") as err:  # fmt: skip
        load = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        deadline = None if timeout is None else start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                cpu = usage.ru_utime + usage.ru_stime
                return Run(time.perf_counter() - start, cpu, usage.ru_maxrss / 1024, "", True, load)
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err.read()[-3000:]}")
        cpu = usage.ru_utime + usage.ru_stime
        return Run(seconds, cpu, usage.ru_maxrss / 1024, out.read(), load=load)


def best(runs: list[Run]) -> Run:
    """The fastest of repeated runs (the least disturbed by other load)."""
    return min(runs, key=lambda r: r.seconds)


def sacrebleu_cmd(paths: dict[str, Path], systems: list[str], extra: list[str]) -> list[str]:
    hyps = [str(paths[s]) for s in systems]
    return [sys.executable, "-m", "sacrebleu", str(paths["ref"]), "-i", *hyps, "-m", "bleu",
            "chrf", "-q", "--no-color", *extra]  # fmt: skip


def mt_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "mt", "eval", *args]


# ---------------------------------------------------------------------------- checking


def plain(paths: dict[str, Path], tgt: str, repeat: int) -> tuple[Run, Run, Run]:
    """sacrebleu, mt with its defaults (+ intl BLEU for ru/az), mt with sacrebleu's metrics."""
    base = ["score", "--hyp", str(paths["A"]), "--ref", str(paths["ref"]), "--tgt", tgt,
            "--metrics", "bleu,chrf", "--format", "json"]  # fmt: skip
    sb, ours, same = [], [], []
    for _ in range(repeat):  # interleaved, so that background load hits all three alike
        sb.append(run(sacrebleu_cmd(paths, ["A"], ["-w", "10", "-f", "json"])))
        ours.append(run(mt_cmd(*base)))
        same.append(run(mt_cmd(*base, "--no-intl")))
    theirs = {d["name"]: d["score"] for d in json.loads(sb[0].out)}
    for result in (ours[0], same[0]):
        mine = json.loads(result.out)
        for key, name in (("bleu", "BLEU"), ("chrf", "chrF2")):
            if theirs[name] != round(mine[key]["score"], 10):
                sys.exit(f"plain scores differ for {name}: sacrebleu {theirs[name]}, mt {mine}")
    print(f"  scores identical: BLEU {theirs['BLEU']:.4f}, chrF2 {theirs['chrF2']:.4f}")
    return best(sb), best(ours), best(same)


def paired(paths: dict[str, Path], tgt: str, resamples: int, timeout: float | None):
    env = os.environ | {"SACREBLEU_SEED": "12345"}
    extra = ["--paired-bs", "--paired-bs-n", str(resamples), "-f", "text", "-w", "4"]
    sb = run(sacrebleu_cmd(paths, ["A", "B", "C"], extra), timeout=timeout, env=env)
    ours = run(mt_cmd("compare", "--ref", str(paths["ref"]), "--hyp", str(paths["A"]), "--hyp",
                      str(paths["B"]), "--hyp", str(paths["C"]), "--tgt", tgt, "--paired-bs",
                      str(resamples), "--seed", "12345", "--metrics", "bleu,chrf",
                      "--format", "json"))  # fmt: skip
    if sb.timed_out:
        return sb, ours
    scores = [float(x) for x in re.findall(r"([\d.]+) \([\d.]+ ± [\d.]+\)", sb.out)]
    p_values = [float(x) for x in re.findall(r"\(p = ([\d.]+)\)", sb.out)]
    mine = json.loads(ours.out)["systems"]
    my_scores = [round(s[k]["score"], 4) for s in mine for k in ("bleu", "chrf")]
    my_p = [s[k]["p_value"] for s in mine[1:] for k in ("bleu", "chrf")]
    if scores != my_scores:
        sys.exit(f"paired scores differ: sacrebleu {scores}, mt {my_scores}")
    worst = max(abs(a - b) for a, b in zip(p_values, my_p, strict=True))
    if len(p_values) != len(my_p) or worst > 0.01:
        sys.exit(f"p-values differ by more than 0.01: sacrebleu {p_values}, mt {my_p}")
    print(f"  scores identical (4 decimals); p-values: sacrebleu {p_values}, mt "
          f"{[round(p, 4) for p in my_p]} (max difference {worst:.4f})")  # fmt: skip
    return sb, ours


def line(name: str, r: Run) -> None:
    print(f"  {name:<38} {r.seconds:7.1f} s wall {r.cpu:7.1f} s CPU  peak RSS {r.peak_mb:6.0f} MB"
          f"  (load at start {r.load:.1f})")  # fmt: skip


def verdict(label: str, sb: Run, ours: Run, target: str, ok: bool) -> None:
    ratio = ours.seconds / sb.seconds
    print(f"  {label}: mt/sacrebleu wall time = {ratio:.2f} (speed-up {1 / ratio:.2f}x); "
          f"target {target}: {'met' if ok else 'NOT met'}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--tgt", choices=("ru", "en"), default="ru")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--sacrebleu-timeout", type=float, default=600.0)
    parser.add_argument("--fallback-segments", type=int, default=20_000)
    parser.add_argument("--skip-plain", action="store_true")
    parser.add_argument("--skip-compare", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="plain scoring runs (best kept)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, target language {args.tgt}")
    with tempfile.TemporaryDirectory(prefix="eval_speed_") as tmp:
        sizes = [args.segments]
        for n in sizes:
            print(f"\n== {n:,} segments, reference + 3 systems ==")
            paths = make_data(Path(tmp) / str(n), n, args.tgt)
            if not args.skip_plain:
                print(f"plain scoring of one system, BLEU + chrF (best of {args.repeat}):")
                sb, ours, same = plain(paths, args.tgt, args.repeat)
                line("sacrebleu REF -i A -m bleu chrf", sb)
                line("mt eval score (+ BLEU intl for ru/az)", ours)
                line("mt eval score --no-intl", same)
                verdict("same metrics", sb, same, "<= 1.1", same.seconds <= 1.1 * sb.seconds)
                verdict("mt defaults ", sb, ours, "<= 1.1", ours.seconds <= 1.1 * sb.seconds)
            if args.skip_compare:
                continue
            print(f"3 systems, paired bootstrap ({args.resamples} resamples), BLEU + chrF:")
            sb, ours = paired(paths, args.tgt, args.resamples, args.sacrebleu_timeout)
            if sb.timed_out:
                limit = args.sacrebleu_timeout
                print(f"  sacrebleu stopped after {sb.seconds:.0f} s (limit {limit:.0f} s); "
                      f"mt eval took {ours.seconds:.1f} s")  # fmt: skip
                if args.fallback_segments < n and args.fallback_segments not in sizes:
                    sizes.append(args.fallback_segments)
                continue
            line("sacrebleu REF -i A B C --paired-bs", sb)
            line("mt eval compare --paired-bs", ours)
            verdict("compare", sb, ours, ">= 2x faster", sb.seconds >= 2 * ours.seconds)


if __name__ == "__main__":
    main()
